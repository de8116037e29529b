// SPDX-License-Identifier: GPL-2.0
/*
 * Device semantics through the real buses: every test builds a fresh vm,
 * lets the self-registering inits populate it, and talks to ports and MMIO
 * the way a guest would.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../khv/init.h"
#include "../khv/vm.h"
#include "test.h"

static u8 ram_buf[2 * SZ_1M];

/* in_pipe feeds the UART's input; out_pipe catches its output. */
static int in_pipe[2] = { -1, -1 }, out_pipe[2] = { -1, -1 };

static void close_pipes(void)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (in_pipe[i] >= 0)
			close(in_pipe[i]);
		if (out_pipe[i] >= 0)
			close(out_pipe[i]);
		in_pipe[i] = out_pipe[i] = -1;
	}
}

static int make_vm(struct vm *vm)
{
	close_pipes();
	vm_init(vm);
	guest_ram_wrap(&vm->ram, ram_buf, sizeof(ram_buf));
	if (pipe(in_pipe) || pipe(out_pipe))
		return -1;
	fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
	vm->console_in = in_pipe[0];
	vm->console_out = out_pipe[1];
	return khv_init_all(vm);
}

static u64 pio_in(struct vm *vm, u16 port, u32 len)
{
	u8 d[8];

	bus_access(&vm->pio, port, d, len, false);
	return le_read(d, len);
}

static void pio_out(struct vm *vm, u16 port, u32 len, u64 v)
{
	u8 d[8];

	le_write(d, len, v);
	bus_access(&vm->pio, port, d, len, true);
}

static u64 mmio_rd(struct vm *vm, u64 addr, u32 len)
{
	u8 d[8];

	bus_access(&vm->mmio, addr, d, len, false);
	return le_read(d, len);
}

static void mmio_wr(struct vm *vm, u64 addr, u32 len, u64 v)
{
	u8 d[8];

	le_write(d, len, v);
	bus_access(&vm->mmio, addr, d, len, true);
}

TEST(uart_transmit_and_lsr)
{
	struct vm vm;
	char buf[8];

	CHECK(!make_vm(&vm), "vm");
	CHECK(pio_in(&vm, 0x3fd, 1) == 0x60, "LSR idle 0x%llx",
	      (unsigned long long)pio_in(&vm, 0x3fd, 1));
	pio_out(&vm, 0x3f8, 1, 'h');
	pio_out(&vm, 0x3f8, 1, 'i');
	CHECK(read(out_pipe[0], buf, sizeof(buf)) == 2 && !memcmp(buf, "hi", 2),
	      "THR bytes did not reach console_out");
	CHECK(pio_in(&vm, 0x3fa, 1) == 0x01, "IIR without FIFO");
	pio_out(&vm, 0x3fa, 1, 0x07);
	CHECK(pio_in(&vm, 0x3fa, 1) == 0xc1, "IIR with FIFO 0x%llx",
	      (unsigned long long)pio_in(&vm, 0x3fa, 1));
	CHECK(pio_in(&vm, 0x3fe, 1) == 0xb0, "MSR");
}

TEST(uart_receive)
{
	struct vm vm;

	CHECK(!make_vm(&vm), "vm");
	CHECK(!(pio_in(&vm, 0x3fd, 1) & 1), "DR with no input");
	CHECK(write(in_pipe[1], "xy", 2) == 2, "pipe");
	CHECK(pio_in(&vm, 0x3fd, 1) == 0x61, "DR not set");
	CHECK(pio_in(&vm, 0x3f8, 1) == 'x', "RBR");
	CHECK(pio_in(&vm, 0x3fd, 1) & 1, "second byte not seen");
	CHECK(pio_in(&vm, 0x3f8, 1) == 'y', "RBR 2");
	CHECK(!(pio_in(&vm, 0x3fd, 1) & 1), "DR after draining");
	close(in_pipe[1]);
	in_pipe[1] = -1;
	/* EOF on stdin: no data, and no blocking. */
	CHECK(pio_in(&vm, 0x3fd, 1) == 0x60, "LSR after EOF");
	CHECK(pio_in(&vm, 0x3f8, 1) == 0, "RBR after EOF");
}

TEST(uart_dlab_and_scratch)
{
	struct vm vm;
	char c;

	CHECK(!make_vm(&vm), "vm");
	pio_out(&vm, 0x3f9, 1, 0xff);
	CHECK(pio_in(&vm, 0x3f9, 1) == 0x0f, "IER keeps only 4 bits");
	pio_out(&vm, 0x3fb, 1, 0x83);		/* DLAB + 8N1 */
	pio_out(&vm, 0x3f8, 1, 0x01);		/* DLL: 115200 */
	pio_out(&vm, 0x3f9, 1, 0x02);		/* DLM */
	CHECK(pio_in(&vm, 0x3f8, 1) == 0x01, "DLL readback");
	CHECK(pio_in(&vm, 0x3f9, 1) == 0x02, "DLM readback");
	CHECK(read(out_pipe[0], &c, 1) < 0, "DLL write was transmitted");
	CHECK(pio_in(&vm, 0x3fb, 1) == 0x83, "LCR readback");
	pio_out(&vm, 0x3fb, 1, 0x03);
	CHECK(pio_in(&vm, 0x3f9, 1) == 0x0f, "IER lost behind DLAB");
	pio_out(&vm, 0x3ff, 1, 0x5a);
	CHECK(pio_in(&vm, 0x3ff, 1) == 0x5a, "scratch");
	pio_out(&vm, 0x3fc, 1, 0xff);
	CHECK(pio_in(&vm, 0x3fc, 1) == 0x1f, "MCR");
}

TEST(fw_cfg_select_and_offset)
{
	struct vm vm;
	char sig[5] = { 0 };
	unsigned int i;

	CHECK(!make_vm(&vm), "vm");
	pio_out(&vm, 0x510, 2, 0x00);
	for (i = 0; i < 4; i++)
		sig[i] = pio_in(&vm, 0x511, 1);
	CHECK(!strcmp(sig, "QEMU"), "signature '%s'", sig);
	CHECK(pio_in(&vm, 0x511, 1) == 0, "read past the end");

	pio_out(&vm, 0x510, 2, 0x05);
	CHECK(pio_in(&vm, 0x511, 1) == 1 && pio_in(&vm, 0x511, 1) == 0,
	      "nb_cpus");
	/* Selecting again rewinds, even the same key. */
	pio_out(&vm, 0x510, 2, 0x05);
	CHECK(pio_in(&vm, 0x511, 1) == 1, "offset not reset");

	pio_out(&vm, 0x510, 2, 0x03);
	{
		u64 v = 0;

		for (i = 0; i < 8; i++)
			v |= pio_in(&vm, 0x511, 1) << (8 * i);
		CHECK(v == sizeof(ram_buf), "ram size %llu",
		      (unsigned long long)v);
	}
	pio_out(&vm, 0x510, 2, 0x11);
	CHECK(pio_in(&vm, 0x511, 1) == 0, "unknown key not zero");
}

TEST(debug_exit_status)
{
	struct vm vm;

	CHECK(!make_vm(&vm), "vm");
	CHECK(!vm.exit_requested, "exit before any write");
	pio_out(&vm, 0xf4, 4, 0x10);
	CHECK(vm.exit_requested && vm.exit_status == 0x21, "status %d",
	      vm.exit_status);
	CHECK(!make_vm(&vm), "vm");
	pio_out(&vm, 0xf4, 1, 0);
	CHECK(vm.exit_requested && vm.exit_status == 1, "outb 0: %d",
	      vm.exit_status);
}

TEST(testdev_scratch_port)
{
	struct vm vm;

	CHECK(!make_vm(&vm), "vm");
	pio_out(&vm, 0xe0, 4, 0x12345678);
	CHECK(pio_in(&vm, 0xe0, 4) == 0x12345678, "outl/inl");
	pio_out(&vm, 0xe1, 1, 0xab);
	CHECK(pio_in(&vm, 0xe0, 4) == 0x1234ab78, "byte lane 1: 0x%llx",
	      (unsigned long long)pio_in(&vm, 0xe0, 4));
	CHECK(pio_in(&vm, 0xe2, 2) == 0x1234, "inw 0xe2");
	CHECK(pio_in(&vm, 0xe4, 1) == 0xff, "0xe4 claimed");
}

TEST(testdev_counters)
{
	struct vm vm;

	CHECK(!make_vm(&vm), "vm");
	CHECK(pio_in(&vm, 0x700, 4) == 0 && pio_in(&vm, 0x700, 4) == 1 &&
	      pio_in(&vm, 0x700, 2) == 2, "sequence");
	pio_out(&vm, 0x700, 4, 0x1ff);
	CHECK(pio_in(&vm, 0x700, 1) == 0xff && pio_in(&vm, 0x700, 4) == 0x200,
	      "set counter");
	pio_out(&vm, 0x704, 4, 5);
	pio_out(&vm, 0x704, 1, 7);
	pio_out(&vm, 0x704, 2, 0x100);
	CHECK(pio_in(&vm, 0x704, 4) == 0x10c, "sum 0x%llx",
	      (unsigned long long)pio_in(&vm, 0x704, 4));
	/* 3 seq reads + 1 write + 2 reads + 3 adds + 1 sum read = 10 */
	CHECK(pio_in(&vm, 0x709, 1) == 10, "accesses %llu",
	      (unsigned long long)pio_in(&vm, 0x709, 1));
	pio_out(&vm, 0x708, 1, 0);
	CHECK(pio_in(&vm, 0x709, 1) == 0, "accesses not cleared");
	CHECK(pio_in(&vm, 0x704, 4) == 0, "sum not cleared");
	CHECK(pio_in(&vm, 0x700, 4) == 0, "counter not cleared");
}

TEST(testdev_mmio_pattern)
{
	const u64 base = 0xfef00000;
	struct vm vm;

	CHECK(!make_vm(&vm), "vm");
	CHECK(mmio_rd(&vm, base, 1) == 0x01, "byte 0");
	CHECK(mmio_rd(&vm, base + 4, 4) == 0x322b241d, "dword at 4: 0x%llx",
	      (unsigned long long)mmio_rd(&vm, base + 4, 4));
	{
		u64 want = 0;
		int i;

		for (i = 7; i >= 0; i--)
			want = (want << 8) | (((0x100 + i) * 7 + 1) & 0xff);
		CHECK(mmio_rd(&vm, base + 0x100, 8) == want, "qword at 0x100");
		CHECK(mmio_rd(&vm, base + 0x808, 4) == 8, "last size");
		mmio_wr(&vm, base + 0x100, 8, want);
	}
	mmio_wr(&vm, base + 4, 2, 0x241d);
	mmio_wr(&vm, base + 4, 2, 0x241e);
	CHECK(mmio_rd(&vm, base + 0x800, 4) == 2, "good writes");
	CHECK(mmio_rd(&vm, base + 0x804, 4) == 1, "bad writes");
	CHECK(mmio_rd(&vm, base + 0x808, 4) == 2, "last size");
	mmio_wr(&vm, base + 0x80c, 4, 0);
	CHECK(mmio_rd(&vm, base + 0x800, 4) == 0 &&
	      mmio_rd(&vm, base + 0x804, 4) == 0, "counters not cleared");
}

TEST(testdev_mmio_ram)
{
	const u64 base = 0xff000000;
	struct vm vm;

	CHECK(!make_vm(&vm), "vm");
	mmio_wr(&vm, base + 0x10, 8, 0x1122334455667788ULL);
	CHECK(mmio_rd(&vm, base + 0x10, 8) == 0x1122334455667788ULL, "qword");
	CHECK(mmio_rd(&vm, base + 0x12, 2) == 0x5566, "word inside");
	mmio_wr(&vm, base + 0xfffc, 4, 0xcafef00d);
	CHECK(mmio_rd(&vm, base + 0xfffc, 4) == 0xcafef00d, "last dword");
	CHECK(mmio_rd(&vm, base + 0x10000, 4) == 0xffffffff, "past the end");
}

TEST(pci_conf1_host_bridge)
{
	struct vm vm;

	CHECK(!make_vm(&vm), "vm");
	pio_out(&vm, 0xcf8, 4, 0x80000000);
	CHECK(pio_in(&vm, 0xcf8, 4) == 0x80000000, "address readback");
	CHECK(pio_in(&vm, 0xcfc, 4) == 0x12378086, "00:00.0 vendor/device");
	CHECK(pio_in(&vm, 0xcfe, 2) == 0x1237, "device id word");
	pio_out(&vm, 0xcf8, 4, 0x80000008);
	CHECK(pio_in(&vm, 0xcfe, 2) == 0x0600, "class: host bridge");
	CHECK(pio_in(&vm, 0xcfc, 1) == 0x02, "revision");
	/* Command: only I/O, memory and bus master are writable. */
	pio_out(&vm, 0xcf8, 4, 0x80000004);
	pio_out(&vm, 0xcfc, 2, 0xffff);
	CHECK(pio_in(&vm, 0xcfc, 2) == 0x0007, "command write mask");
	pio_out(&vm, 0xcfc, 2, 0);
	CHECK(pio_in(&vm, 0xcfc, 2) == 0, "command cleared");
	/* Read-only bytes stay: vendor ID. */
	pio_out(&vm, 0xcf8, 4, 0x80000000);
	pio_out(&vm, 0xcfc, 4, 0);
	CHECK(pio_in(&vm, 0xcfc, 4) == 0x12378086, "IDs are read-only");
	/* No BARs: a sizing write reads back 0. */
	pio_out(&vm, 0xcf8, 4, 0x80000010);
	pio_out(&vm, 0xcfc, 4, 0xffffffff);
	CHECK(pio_in(&vm, 0xcfc, 4) == 0, "BAR0 absent");
	/* Nothing else on bus 0, no other bus, nothing with bit 31 clear. */
	pio_out(&vm, 0xcf8, 4, 0x80000800);
	CHECK(pio_in(&vm, 0xcfc, 4) == 0xffffffff, "00:01.0 absent");
	pio_out(&vm, 0xcf8, 4, 0x80010000);
	CHECK(pio_in(&vm, 0xcfc, 4) == 0xffffffff, "bus 1 absent");
	pio_out(&vm, 0xcf8, 4, 0x00000000);
	CHECK(pio_in(&vm, 0xcfc, 4) == 0xffffffff, "disabled address");
	/* Byte access to 0xcfb: not the address register. */
	pio_out(&vm, 0xcf8, 4, 0x80000000);
	pio_out(&vm, 0xcfb, 1, 0x12);
	CHECK(pio_in(&vm, 0xcf8, 4) == 0x80000000, "0xcfb byte ignored");
}

TEST(shutdown_port_and_post)
{
	const char *s = "ShutShutdown";
	struct vm vm;

	CHECK(!make_vm(&vm), "vm");
	while (*s)
		pio_out(&vm, 0x8900, 1, *s++);
	CHECK(vm.shutdown_requested, "\"Shutdown\" not recognised");
	CHECK(!vm.exit_requested, "shutdown must wait for HLT");
	CHECK(pio_in(&vm, 0x80, 1) == 0xff, "POST read");
	close_pipes();
}
