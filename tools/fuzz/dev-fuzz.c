// SPDX-License-Identifier: GPL-2.0
/*
 * dev-fuzz: a libFuzzer harness for the launcher's device models.  It
 * builds the device set the way the launcher does (khv_init_all() on a vm
 * with no accelerator behind it) and replays each input as a sequence of
 * guest port and MMIO accesses through the real buses, so that whatever a
 * malicious or broken guest writes, no device reads or writes out of
 * bounds or hits undefined behaviour (built with ASan and UBSan).
 *
 *   make -C tools fuzz
 *   tools/fuzz/dev-fuzz -seed=1 -runs=200000      (what make check runs)
 *   tools/fuzz/dev-fuzz -max_total_time=300 CORPUS_DIR
 *
 * One input is a list of 12-byte records:
 *   byte 0      bit 0: 0 port I/O, 1 MMIO; bit 1: write; bits 2-3: size
 *               1, 2, 4 or 8 (8 becomes 4 for port I/O, as for IN/OUT);
 *               bits 4-7: 0-11 aim at a claimed range, 12-15 anywhere
 *   byte 1      which claimed range (modulo how many the bus has)
 *   bytes 2-3   the offset in that range (modulo its length plus 8, so
 *               accesses straddling its end come up too), or the
 *               address's low 16 bits
 *   bytes 4-11  the value written
 *
 * The vm lives across inputs (the devices own timers and file
 * descriptors, which the launcher never frees): a crash may need the
 * inputs before it, which libFuzzer's -seed and -runs replay.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../khv/init.h"
#include "../khv/vm.h"

#define RECORD_SIZE	12

static struct vm vm;
static u8 ram_buf[2 * SZ_1M];
static bool ready;

/* The local APIC is the accelerator's: accept every MSI. */
static int fuzz_msi(struct vm *v, u64 addr, u32 data)
{
	(void)v;
	(void)addr;
	(void)data;
	return 1;
}

static int setup(void)
{
	int in_pipe[2];

	vm_init(&vm);
	guest_ram_wrap(&vm.ram, ram_buf, sizeof(ram_buf));
	/* Console input that never comes; output that goes nowhere. */
	if (pipe(in_pipe))
		return -1;
	vm.console_in = in_pipe[0];
	vm.console_out = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (vm.console_out < 0)
		return -1;
	vm.irqchip = true;
	vm.signal_msi = fuzz_msi;
	return khv_init_all(&vm);
}

static u64 le_get(const u8 *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u32 sizes[] = { 1, 2, 4, 8 };

	if (!ready) {
		if (setup()) {
			fprintf(stderr, "dev-fuzz: cannot build the device set\n");
			abort();
		}
		ready = true;
	}
	for (; size >= RECORD_SIZE; data += RECORD_SIZE, size -= RECORD_SIZE) {
		bool mmio = data[0] & 1, write = data[0] & 2;
		struct bus *bus = mmio ? &vm.mmio : &vm.pio;
		u32 len = sizes[(data[0] >> 2) & 3];
		u64 addr, off = le_get(data + 2, 2);
		u8 buf[8];

		if (!mmio && len == 8)
			len = 4;
		if ((data[0] >> 4) < 12 && bus->nr) {
			const struct bus_range *r = &bus->ranges[data[1] % bus->nr];

			addr = r->start + off % (r->len + 8);
		} else {
			addr = mmio ? 0xfec00000 + (off << 4) : off;
		}
		if (!mmio)
			addr &= 0xffff;
		memcpy(buf, data + 4, 8);
		bus_access(bus, addr, buf, len, write);
		/* What the vCPU loop would act on after this exit. */
		vm.exit_requested = false;
		vm.shutdown_requested = false;
	}
	return 0;
}
