// SPDX-License-Identifier: GPL-2.0
/*
 * The test device: known answers for the exit paths, so guest tests can
 * check that port I/O, string I/O and MMIO of each size reach userspace
 * with the right data.  The register map is in Documentation/devices.rst.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../init.h"
#include "../irq.h"
#include "../vm.h"

#define TESTDEV_SCRATCH_PORT	0xe0	/* 0xe0-0xe3 */
#define TESTDEV_COUNTER_PORT	0x700	/* 0x700-0x709 */
#define TESTDEV_COUNTER_LEN	10

#define TESTDEV_SEQ		0x0	/* 0x700-0x703 */
#define TESTDEV_ACC		0x4	/* 0x704-0x707 */
#define TESTDEV_CLEAR		0x8	/* 0x708 */
#define TESTDEV_ACCESSES	0x9	/* 0x709 */

#define TESTDEV_PATTERN_BASE	0xfef00000ULL
#define TESTDEV_PATTERN_SIZE	0x800
#define TESTDEV_PATTERN_GOOD	0x800
#define TESTDEV_PATTERN_BAD	0x804
#define TESTDEV_PATTERN_LAST	0x808
#define TESTDEV_PATTERN_CLEAR	0x80c
#define TESTDEV_PATTERN_LEN	0x810

/* A byte written to 0x2000 + n sets ISA/IOAPIC line n to its bit 0. */
#define TESTDEV_IRQ_PORT	0x2000
#define TESTDEV_IRQ_LINES	24

#define TESTDEV_RAM_BASE	0xff000000ULL
#define TESTDEV_RAM_SIZE	0x10000

struct testdev {
	u8 scratch[4];

	u32 seq;
	u32 acc;
	u32 accesses;

	u32 good_writes;
	u32 bad_writes;
	u32 last_size;

	u8 ram[TESTDEV_RAM_SIZE];
};

static void testdev_scratch_io(void *opaque, u64 offset, u8 *data, u32 len,
			       bool is_write)
{
	struct testdev *t = opaque;

	/* Byte lanes: outb 0xe1 changes bits 8-15 only. */
	if (is_write)
		memcpy(t->scratch + offset, data, len);
	else
		memcpy(data, t->scratch + offset, len);
}

static void testdev_counter_io(void *opaque, u64 offset, u8 *data, u32 len,
			       bool is_write)
{
	struct testdev *t = opaque;

	if (offset < TESTDEV_CLEAR)
		t->accesses++;

	if (offset < TESTDEV_ACC) {
		if (is_write)
			t->seq = le_read(data, len);
		else
			le_write(data, len, t->seq++);
	} else if (offset < TESTDEV_CLEAR) {
		if (is_write)
			t->acc += le_read(data, len);
		else
			le_write(data, len, t->acc);
	} else if (offset == TESTDEV_CLEAR) {
		if (is_write)
			t->seq = t->acc = t->accesses = 0;
		else
			le_write(data, len, ~0ULL);
	} else {
		if (!is_write)
			le_write(data, len, t->accesses & 0xff);
	}
}

static u8 testdev_pattern_byte(u64 offset)
{
	return (offset * 7 + 1) & 0xff;
}

static void testdev_pattern_io(void *opaque, u64 offset, u8 *data, u32 len,
			       bool is_write)
{
	struct testdev *t = opaque;
	bool good = true;
	u32 i;

	if (offset < TESTDEV_PATTERN_SIZE) {
		if (offset + len > TESTDEV_PATTERN_SIZE) {
			/* Straddles the counters: treat as a bad access. */
			if (is_write)
				t->bad_writes++;
			else
				le_write(data, len, ~0ULL);
			t->last_size = len;
			return;
		}
		for (i = 0; i < len; i++) {
			if (!is_write)
				data[i] = testdev_pattern_byte(offset + i);
			else if (data[i] != testdev_pattern_byte(offset + i))
				good = false;
		}
		if (is_write) {
			if (good)
				t->good_writes++;
			else
				t->bad_writes++;
		}
		t->last_size = len;
		return;
	}

	if (is_write) {
		if (offset >= TESTDEV_PATTERN_CLEAR)
			t->good_writes = t->bad_writes = t->last_size = 0;
		return;
	}
	switch (offset & ~3ULL) {
	case TESTDEV_PATTERN_GOOD:
		le_write(data, len, t->good_writes >> (8 * (offset & 3)));
		break;
	case TESTDEV_PATTERN_BAD:
		le_write(data, len, t->bad_writes >> (8 * (offset & 3)));
		break;
	case TESTDEV_PATTERN_LAST:
		le_write(data, len, t->last_size >> (8 * (offset & 3)));
		break;
	default:
		le_write(data, len, ~0ULL);
		break;
	}
}

static void testdev_ram_io(void *opaque, u64 offset, u8 *data, u32 len,
			   bool is_write)
{
	struct testdev *t = opaque;

	if (is_write)
		memcpy(t->ram + offset, data, len);
	else
		memcpy(data, t->ram + offset, len);
}

static void testdev_irq_io(void *opaque, u64 offset, u8 *data, u32 len,
			   bool is_write)
{
	struct vm *vm = opaque;
	u32 i;

	/*
	 * Write-only; byte i of a wider write sets line offset + i.  The
	 * bus calls with vm->lock held, as irq_set_level() wants.
	 */
	if (!is_write) {
		le_write(data, len, ~0ULL);
		return;
	}
	for (i = 0; i < len && offset + i < TESTDEV_IRQ_LINES; i++)
		irq_set_level(vm, offset + i, data[i] & 1);
}

static int testdev_init(struct vm *vm)
{
	struct testdev *t = calloc(1, sizeof(*t));
	int ret;

	if (!t)
		return -ENOMEM;
	ret = bus_register(&vm->pio, TESTDEV_SCRATCH_PORT, 4,
			   testdev_scratch_io, t, "testdev-scratch");
	if (!ret)
		ret = bus_register(&vm->pio, TESTDEV_COUNTER_PORT,
				   TESTDEV_COUNTER_LEN, testdev_counter_io, t,
				   "testdev-counters");
	if (!ret)
		ret = bus_register(&vm->mmio, TESTDEV_PATTERN_BASE,
				   TESTDEV_PATTERN_LEN, testdev_pattern_io, t,
				   "testdev-pattern");
	if (!ret)
		ret = bus_register(&vm->pio, TESTDEV_IRQ_PORT,
				   TESTDEV_IRQ_LINES, testdev_irq_io, vm,
				   "testdev-irq");
	if (!ret)
		ret = bus_register(&vm->mmio, TESTDEV_RAM_BASE,
				   TESTDEV_RAM_SIZE, testdev_ram_io, t,
				   "testdev-ram");
	return ret;
}
device_init(testdev_init);
