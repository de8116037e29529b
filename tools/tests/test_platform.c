// SPDX-License-Identifier: GPL-2.0
/*
 * The PC platform devices of Linux guests, through the real buses: PIC,
 * IOAPIC (MSIs recorded by a fake accelerator hook), PIT, RTC, i8042,
 * ACPI PM registers, the UART's interrupts, the console escape keys and
 * the launcher's memory report parser.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../khv/console.h"
#include "../khv/init.h"
#include "../khv/iothread.h"
#include "../khv/irq.h"
#include "../khv/report.h"
#include "../khv/vm.h"
#include "test.h"

static u8 ram_buf[SZ_1M];
static int in_pipe[2] = { -1, -1 }, out_pipe[2] = { -1, -1 };

#define MAX_MSIS	64
static struct {
	u64 addr;
	u32 data;
} msis[MAX_MSIS];
static unsigned int nr_msis;

static int record_msi(struct vm *vm, u64 addr, u32 data)
{
	(void)vm;
	if (nr_msis < MAX_MSIS) {
		msis[nr_msis].addr = addr;
		msis[nr_msis].data = data;
	}
	nr_msis++;
	return 0;
}

static int make_vm(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (in_pipe[i] >= 0)
			close(in_pipe[i]);
		if (out_pipe[i] >= 0)
			close(out_pipe[i]);
	}
	vm_init(vm);
	guest_ram_wrap(&vm->ram, ram_buf, sizeof(ram_buf));
	if (pipe(in_pipe) || pipe(out_pipe))
		return -1;
	fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
	vm->console_in = in_pipe[0];
	vm->console_out = out_pipe[1];
	vm->irqchip = true;
	vm->signal_msi = record_msi;
	nr_msis = 0;
	return khv_init_all(vm);
}

static u64 in(struct vm *vm, u16 port, u32 len)
{
	u8 d[8];

	bus_access(&vm->pio, port, d, len, false);
	return le_read(d, len);
}

static void out(struct vm *vm, u16 port, u32 len, u64 v)
{
	u8 d[8];

	le_write(d, len, v);
	bus_access(&vm->pio, port, d, len, true);
}

static u32 mmio_rd32(struct vm *vm, u64 addr)
{
	u8 d[4];

	bus_access(&vm->mmio, addr, d, 4, false);
	return le_read(d, 4);
}

static void mmio_wr32(struct vm *vm, u64 addr, u32 v)
{
	u8 d[4];

	le_write(d, 4, v);
	bus_access(&vm->mmio, addr, d, 4, true);
}

static void ioapic_write(struct vm *vm, u32 reg, u32 v)
{
	mmio_wr32(vm, IOAPIC_BASE, reg);
	mmio_wr32(vm, IOAPIC_BASE + 0x10, v);
}

static u32 ioapic_read(struct vm *vm, u32 reg)
{
	mmio_wr32(vm, IOAPIC_BASE, reg);
	return mmio_rd32(vm, IOAPIC_BASE + 0x10);
}

/* The init sequence Linux's init_8259A() writes. */
static void pic_linux_init(struct vm *vm)
{
	out(vm, 0x21, 1, 0xff);
	out(vm, 0xa1, 1, 0xff);
	out(vm, 0x20, 1, 0x11);		/* ICW1: edge, cascade, ICW4 */
	out(vm, 0x21, 1, 0x30);		/* ICW2: vectors 0x30-0x37 */
	out(vm, 0x21, 1, 0x04);		/* ICW3: slave on IR2 */
	out(vm, 0x21, 1, 0x01);		/* ICW4: 8086 mode */
	out(vm, 0xa0, 1, 0x11);
	out(vm, 0xa1, 1, 0x38);
	out(vm, 0xa1, 1, 0x02);
	out(vm, 0xa1, 1, 0x01);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

TEST(pic_init_ack_eoi)
{
	struct vm vm;

	CHECK(!make_vm(&vm), "vm");
	CHECK(in(&vm, 0x21, 1) == 0xff, "lines masked after reset");
	irq_pulse(&vm, 0);
	CHECK(!pic_intr(vm.pic), "masked IRQ 0 raised INTR");
	pic_linux_init(&vm);
	out(&vm, 0x21, 1, 0xfa);	/* unmask IRQ 0 and the cascade */
	CHECK(in(&vm, 0x21, 1) == 0xfa, "IMR readback");
	irq_pulse(&vm, 0);
	CHECK(pic_intr(vm.pic), "IRQ 0 did not raise INTR");
	out(&vm, 0x20, 1, 0x0a);	/* OCW3: read IRR */
	CHECK(in(&vm, 0x20, 1) == 0x01, "IRR");
	CHECK(pic_ack(vm.pic) == 0x30, "vector of IRQ 0");
	CHECK(!pic_intr(vm.pic), "INTR after INTA");
	out(&vm, 0x20, 1, 0x0b);	/* OCW3: read ISR */
	CHECK(in(&vm, 0x20, 1) == 0x01, "ISR");
	/* IRQ 1 has lower priority than IRQ 0 in service: it waits. */
	out(&vm, 0x21, 1, 0xf8);
	irq_pulse(&vm, 1);
	CHECK(!pic_intr(vm.pic), "IRQ 1 preempted IRQ 0");
	out(&vm, 0x20, 1, 0x20);	/* non-specific EOI */
	CHECK(in(&vm, 0x20, 1) == 0x00, "ISR after EOI");
	CHECK(pic_intr(vm.pic) && pic_ack(vm.pic) == 0x31, "IRQ 1 after EOI");
	out(&vm, 0x20, 1, 0x61);	/* specific EOI, IR1 */
	/* Nothing pending: INTA gets the spurious IR7. */
	CHECK(pic_ack(vm.pic) == 0x37, "spurious vector");
	out(&vm, 0x20, 1, 0x0b);
	CHECK(in(&vm, 0x20, 1) == 0x00, "spurious IRQ set ISR");
}

TEST(pic_cascade)
{
	struct vm vm;

	CHECK(!make_vm(&vm), "vm");
	pic_linux_init(&vm);
	out(&vm, 0x21, 1, 0xfb);	/* cascade only */
	out(&vm, 0xa1, 1, 0xfe);	/* IRQ 8 */
	irq_pulse(&vm, 8);
	CHECK(pic_intr(vm.pic), "IRQ 8 did not reach the master");
	CHECK(pic_ack(vm.pic) == 0x38, "vector of IRQ 8");
	out(&vm, 0xa0, 1, 0x0b);
	CHECK(in(&vm, 0xa0, 1) == 0x01, "slave ISR");
	out(&vm, 0x20, 1, 0x0b);
	CHECK(in(&vm, 0x20, 1) == 0x04, "master ISR has the cascade");
	/* ELCR: IRQ 0-2 are always edge. */
	out(&vm, 0x4d0, 1, 0xff);
	CHECK(in(&vm, 0x4d0, 1) == 0xf8, "ELCR mask 0x%llx",
	      (unsigned long long)in(&vm, 0x4d0, 1));
}

TEST(ioapic_redirection_to_msi)
{
	u64 addr;
	u32 data;
	struct vm vm;

	CHECK(!make_vm(&vm), "vm");
	CHECK(ioapic_read(&vm, 1) == 0x170011, "version 0x%x",
	      ioapic_read(&vm, 1));
	CHECK(ioapic_read(&vm, 0x10) & (1u << 16), "pins masked at reset");
	irq_pulse(&vm, 4);
	CHECK(nr_msis == 0, "masked pin sent an MSI");

	ioapic_write(&vm, 0x10 + 2 * 4, 0x24);		/* vector 0x24, fixed */
	ioapic_write(&vm, 0x10 + 2 * 4 + 1, 0x01000000);	/* dest 1 */
	CHECK(ioapic_read(&vm, 0x18) == 0x24, "redirection readback");
	irq_set_level(&vm, 4, true);
	irq_set_level(&vm, 4, true);		/* no new edge */
	irq_set_level(&vm, 4, false);
	CHECK(nr_msis == 1, "%u MSIs for one edge", nr_msis);
	CHECK(msis[0].addr == 0xfee01000 && msis[0].data == 0x24,
	      "MSI 0x%llx/0x%x", (unsigned long long)msis[0].addr,
	      msis[0].data);

	/* IRQ 0 arrives on pin 2 (the MADT's override). */
	ioapic_write(&vm, 0x10 + 2 * 2, 0x30);
	irq_pulse(&vm, 0);
	CHECK(nr_msis == 2 && msis[1].data == 0x30, "IRQ 0 -> pin 2");

	/* Logical, lowest priority, level: DM, RH, trigger, assert bits. */
	ioapic_entry_to_msi(0x0300000000000000ULL | (1 << 15) | (1 << 11) |
			    (1 << 8) | 0x41, &addr, &data);
	CHECK(addr == 0xfee0300c && data == (0xc000 | 0x100 | 0x41),
	      "MSI encoding 0x%llx/0x%x", (unsigned long long)addr, data);
}

TEST(pit_channel2_gate_and_out)
{
	struct vm vm;
	u32 c1, c2;

	CHECK(!make_vm(&vm), "vm");
	/* Linux's pit_calibrate_tsc(): gate on, mode 0, 10 ms. */
	out(&vm, 0x61, 1, (in(&vm, 0x61, 1) & ~0x02) | 0x01);
	out(&vm, 0x43, 1, 0xb0);
	out(&vm, 0x42, 1, 11932 & 0xff);
	out(&vm, 0x42, 1, 11932 >> 8);
	CHECK(!(in(&vm, 0x61, 1) & 0x20), "OUT2 high at once");
	out(&vm, 0x43, 1, 0x80);		/* latch channel 2 */
	c1 = in(&vm, 0x42, 1);
	c1 |= in(&vm, 0x42, 1) << 8;
	CHECK(c1 <= 11932 && c1 > 11932 - 1193, "count %u after latch", c1);
	sleep_ms(2);
	c2 = in(&vm, 0x42, 1);
	c2 |= in(&vm, 0x42, 1) << 8;
	CHECK(c2 < c1, "count does not go down: %u then %u", c1, c2);
	sleep_ms(12);
	CHECK(in(&vm, 0x61, 1) & 0x20, "OUT2 still low after 12 ms");
	/* Read-back: status of channel 2 (OUT, RW = 3, mode 0). */
	out(&vm, 0x43, 1, 0xe8);
	CHECK(in(&vm, 0x42, 1) == 0xb0, "status byte");
	/* Gate off in mode 0 pauses the count. */
	out(&vm, 0x43, 1, 0xb0);
	out(&vm, 0x42, 1, 0xff);
	out(&vm, 0x42, 1, 0xff);
	out(&vm, 0x61, 1, 0x00);
	out(&vm, 0x43, 1, 0x80);
	c1 = in(&vm, 0x42, 1) | in(&vm, 0x42, 1) << 8;
	sleep_ms(3);
	out(&vm, 0x43, 1, 0x80);
	c2 = in(&vm, 0x42, 1) | in(&vm, 0x42, 1) << 8;
	CHECK(c1 == c2, "count moved with the gate low: %u, %u", c1, c2);
}

TEST(pit_channel0_periodic_irq)
{
	unsigned int n;
	struct vm vm;

	CHECK(!make_vm(&vm), "vm");
	ioapic_write(&vm, 0x10 + 2 * 2, 0x30);	/* pin 2 unmasked */
	CHECK(!iothread_start(&vm), "I/O thread");
	pthread_mutex_lock(&vm.lock);
	out(&vm, 0x43, 1, 0x34);		/* channel 0, mode 2 */
	out(&vm, 0x40, 1, 11932 & 0xff);	/* 100 Hz */
	out(&vm, 0x40, 1, 11932 >> 8);
	pthread_mutex_unlock(&vm.lock);
	sleep_ms(205);
	pthread_mutex_lock(&vm.lock);
	n = nr_msis;
	out(&vm, 0x43, 1, 0x30);		/* mode 0: one shot, then quiet */
	pthread_mutex_unlock(&vm.lock);
	iothread_stop(&vm);
	CHECK(n >= 17 && n <= 22, "%u ticks in 205 ms at 100 Hz", n);
	CHECK(msis[0].data == 0x30, "vector");
}

static unsigned int rtc_get(struct vm *vm, u8 reg)
{
	out(vm, 0x70, 1, reg);
	return in(vm, 0x71, 1);
}

static void rtc_set(struct vm *vm, u8 reg, u8 v)
{
	out(vm, 0x70, 1, reg);
	out(vm, 0x71, 1, v);
}

static unsigned int bcd(unsigned int v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

TEST(rtc_time_and_registers)
{
	struct vm vm;
	time_t now;
	struct tm tm;
	unsigned int min, year;

	CHECK(!make_vm(&vm), "vm");
	CHECK(rtc_get(&vm, 0x0d) == 0x80, "register D: VRT");
	CHECK((rtc_get(&vm, 0x0a) & 0x7f) == 0x26, "register A");
	CHECK(rtc_get(&vm, 0x0b) == 0x02, "register B: 24h BCD");
	now = time(NULL);
	gmtime_r(&now, &tm);
	min = bcd(rtc_get(&vm, 0x02));
	year = bcd(rtc_get(&vm, 0x32)) * 100 + bcd(rtc_get(&vm, 0x09));
	CHECK(year == (unsigned int)tm.tm_year + 1900, "year %u", year);
	CHECK(min == (unsigned int)tm.tm_min ||
	      min == (unsigned int)(tm.tm_min + 1) % 60,
	      "minutes %u vs %d", min, tm.tm_min);
	CHECK(bcd(rtc_get(&vm, 0x08)) == (unsigned int)tm.tm_mon + 1, "month");

	rtc_set(&vm, 0x0b, 0x06);		/* binary */
	CHECK(rtc_get(&vm, 0x09) == (unsigned int)tm.tm_year % 100,
	      "binary year");
	/* Set the clock to 1999-12-31 23:59:50 and read it back. */
	rtc_set(&vm, 0x0b, 0x86);
	rtc_set(&vm, 0x00, 50);
	rtc_set(&vm, 0x02, 59);
	rtc_set(&vm, 0x04, 23);
	rtc_set(&vm, 0x07, 31);
	rtc_set(&vm, 0x08, 12);
	rtc_set(&vm, 0x09, 99);
	rtc_set(&vm, 0x32, 19);
	CHECK(rtc_get(&vm, 0x09) == 99, "frozen while SET");
	rtc_set(&vm, 0x0b, 0x06);
	CHECK(rtc_get(&vm, 0x09) == 99 && rtc_get(&vm, 0x32) == 19 &&
	      rtc_get(&vm, 0x04) == 23, "guest time did not stick");
	/* 12-hour mode: 23h reads as 11 PM. */
	rtc_set(&vm, 0x0b, 0x04);
	CHECK(rtc_get(&vm, 0x04) == (0x80 | 11), "12h hour 0x%x",
	      rtc_get(&vm, 0x04));
	/* Register C: read clears. */
	rtc_get(&vm, 0x0c);
	CHECK(rtc_get(&vm, 0x0c) == 0, "register C not cleared");
	CHECK(in(&vm, 0x70, 1) == 0xff, "index port is write-only");
}

TEST(i8042_reset_line)
{
	struct vm vm;

	CHECK(!make_vm(&vm), "vm");
	CHECK((in(&vm, 0x64, 1) & 0x07) == 0x04, "status: SYS, no OBF/IBF");
	out(&vm, 0x64, 1, 0xaa);
	CHECK(in(&vm, 0x64, 1) & 0x01, "self test: no OBF");
	CHECK(in(&vm, 0x60, 1) == 0x55, "self test result");
	out(&vm, 0x64, 1, 0x20);
	CHECK(in(&vm, 0x60, 1) == 0x04, "command byte");
	CHECK(!vm.exit_requested, "reset before 0xfe");
	out(&vm, 0x64, 1, 0xfe);
	CHECK(vm.exit_requested && vm.exit_status == 0, "0xfe did not reset");
}

TEST(acpi_pm_timer_and_poweroff)
{
	struct vm vm;
	u32 t1, t2;

	CHECK(!make_vm(&vm), "vm");
	CHECK(in(&vm, 0x604, 2) & 1, "SCI_EN");
	t1 = in(&vm, 0x608, 4);
	sleep_ms(10);
	t2 = in(&vm, 0x608, 4);
	/* 10 ms at 3.579545 MHz is 35795 ticks. */
	CHECK(t2 - t1 >= 35795 && t2 - t1 < 35795 * 3, "PM timer moved %u",
	      t2 - t1);
	out(&vm, 0x604, 2, 5 << 10);		/* SLP_TYP without SLP_EN */
	CHECK(!vm.exit_requested, "powered off without SLP_EN");
	out(&vm, 0x604, 2, (5 << 10) | 0x2000);
	CHECK(vm.exit_requested && vm.exit_status == 0, "no poweroff");
}

TEST(uart_interrupts)
{
	struct vm vm;
	char buf[4];

	CHECK(!make_vm(&vm), "vm");
	ioapic_write(&vm, 0x10 + 2 * 4, 0x24);
	out(&vm, 0x3fc, 1, 0x0b);		/* DTR, RTS, OUT2 */
	out(&vm, 0x3f9, 1, 0x02);		/* ETBEI */
	CHECK(in(&vm, 0x3fa, 1) == 0x02, "THRE interrupt on enable");
	CHECK(nr_msis == 1 && msis[0].data == 0x24, "%u MSIs", nr_msis);
	CHECK(in(&vm, 0x3fa, 1) == 0x01, "reading IIR acks THRE");
	out(&vm, 0x3f8, 1, 'k');
	CHECK(nr_msis == 2, "THRE after a byte: %u", nr_msis);
	CHECK(read(out_pipe[0], buf, sizeof(buf)) == 1 && buf[0] == 'k',
	      "byte not sent");
	out(&vm, 0x3f9, 1, 0x01);		/* ERBFI only */
	CHECK(in(&vm, 0x3fa, 1) == 0x01, "no RX interrupt without data");
	CHECK(write(in_pipe[1], "q", 1) == 1, "pipe");
	CHECK(in(&vm, 0x3fd, 1) & 1, "DR");	/* polled: no I/O thread */
	CHECK(in(&vm, 0x3fa, 1) == 0x04, "RX data interrupt");
	CHECK(in(&vm, 0x3f8, 1) == 'q', "RBR");
	CHECK(in(&vm, 0x3fa, 1) == 0x01, "RX interrupt after draining");
	/* OUT2 gates the line: no new MSI with OUT2 off. */
	out(&vm, 0x3fc, 1, 0x03);
	nr_msis = 0;
	out(&vm, 0x3f9, 1, 0x02);
	CHECK(nr_msis == 0, "interrupt with OUT2 off");
	/* Loopback: MCR outputs on MSR, THR to RBR. */
	out(&vm, 0x3fc, 1, 0x1a);		/* LOOP | OUT2 | RTS */
	CHECK((in(&vm, 0x3fe, 1) & 0xf0) == 0x90, "loopback MSR 0x%llx",
	      (unsigned long long)in(&vm, 0x3fe, 1));
	out(&vm, 0x3f8, 1, 'L');
	CHECK(in(&vm, 0x3f8, 1) == 'L', "loopback byte");
}

TEST(console_escape_keys)
{
	struct console_escape e = { 0 };
	u8 c = 0;

	CHECK(console_filter(&e, 'a', &c) == CONSOLE_SEND && c == 'a', "plain");
	CHECK(console_filter(&e, 0x01, &c) == CONSOLE_DROP, "Ctrl-A held");
	CHECK(console_filter(&e, 0x01, &c) == CONSOLE_SEND && c == 0x01,
	      "Ctrl-A Ctrl-A sends one Ctrl-A");
	CHECK(console_filter(&e, 'x', &c) == CONSOLE_SEND && c == 'x',
	      "x alone must pass");
	CHECK(console_filter(&e, 0x01, &c) == CONSOLE_DROP, "Ctrl-A");
	CHECK(console_filter(&e, 'x', &c) == CONSOLE_QUIT, "Ctrl-A x");
	CHECK(console_filter(&e, 0x01, &c) == CONSOLE_DROP, "Ctrl-A");
	CHECK(console_filter(&e, 'h', &c) == CONSOLE_HELP, "Ctrl-A h");
	CHECK(console_filter(&e, 0x01, &c) == CONSOLE_DROP, "Ctrl-A");
	CHECK(console_filter(&e, 'z', &c) == CONSOLE_DROP, "Ctrl-A z dropped");
	CHECK(console_filter(&e, 0x03, &c) == CONSOLE_SEND && c == 0x03,
	      "Ctrl-C goes to the guest");
}

TEST(smaps_rss_sum)
{
	static const char smaps[] =
		"55d0000-55d1000 r--p 00000000 08:01 1 /usr/bin/khv\n"
		"Size:                  4 kB\n"
		"Rss:                   4 kB\n"
		"7f0000000000-7f0000200000 rw-p 00000000 00:00 0\n"
		"Size:               2048 kB\n"
		"Rss:                1024 kB\n"
		"AnonHugePages:         0 kB\n"
		"7f0000200000-7f0000400000 rw-p 00000000 00:00 0\n"
		"Rss:                 512 kB\n"
		"7f0000400000-7f0000401000 rw-p 00000000 00:00 0\n"
		"Rss:                   4 kB\n";

	CHECK(smaps_rss_kb(smaps, 0x7f0000000000UL, 0x7f0000400000UL) == 1536,
	      "RAM RSS %llu", (unsigned long long)smaps_rss_kb(smaps,
	      0x7f0000000000UL, 0x7f0000400000UL));
	CHECK(smaps_rss_kb(smaps, 0x1000, 0x2000) == 0, "no VMA");
}
