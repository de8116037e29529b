// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "../khv/bus.h"
#include "test.h"

struct probe {
	unsigned int calls;
	u64 offset;
	u32 len;
	bool write;
};

static void probe_io(void *opaque, u64 offset, u8 *data, u32 len,
		     bool is_write)
{
	struct probe *p = opaque;

	p->calls++;
	p->offset = offset;
	p->len = len;
	p->write = is_write;
	if (!is_write)
		memset(data, 0x5a, len);
}

TEST(bus_register_and_lookup)
{
	struct probe a = { 0 }, b = { 0 };
	struct bus bus;
	u8 d[4];

	bus_init(&bus, "t");
	CHECK(!bus_register(&bus, 0x100, 8, probe_io, &a, "a"), "a");
	CHECK(!bus_register(&bus, 0x10, 4, probe_io, &b, "b"), "b");
	CHECK(bus_lookup(&bus, 0x100, 1)->opaque == &a, "lookup a start");
	CHECK(bus_lookup(&bus, 0x107, 1)->opaque == &a, "lookup a end");
	CHECK(bus_lookup(&bus, 0x13, 1)->opaque == &b, "lookup b");
	CHECK(!bus_lookup(&bus, 0x108, 1), "past a");
	CHECK(!bus_lookup(&bus, 0xf, 1), "before b");
	CHECK(!bus_lookup(&bus, 0x106, 4), "access straddling the end");

	CHECK(bus_access(&bus, 0x104, d, 2, false), "unclaimed?");
	CHECK(a.calls == 1 && a.offset == 4 && a.len == 2 && !a.write,
	      "handler saw calls=%u offset=%llu len=%u", a.calls,
	      (unsigned long long)a.offset, a.len);
	CHECK(d[0] == 0x5a && d[1] == 0x5a, "read data");
}

TEST(bus_overlap_rejected)
{
	struct probe a = { 0 };
	struct bus bus;

	bus_init(&bus, "t");
	CHECK(!bus_register(&bus, 0x100, 0x10, probe_io, &a, "a"), "a");
	CHECK(bus_register(&bus, 0x100, 1, probe_io, &a, "x") == -EEXIST,
	      "same start");
	CHECK(bus_register(&bus, 0xf0, 0x11, probe_io, &a, "x") == -EEXIST,
	      "overlapping the start");
	CHECK(bus_register(&bus, 0x10f, 4, probe_io, &a, "x") == -EEXIST,
	      "overlapping the end");
	CHECK(bus_register(&bus, 0x0, 0x1000, probe_io, &a, "x") == -EEXIST,
	      "covering it");
	CHECK(!bus_register(&bus, 0xf0, 0x10, probe_io, &a, "x"),
	      "adjacent below refused");
	CHECK(!bus_register(&bus, 0x110, 0x10, probe_io, &a, "x"),
	      "adjacent above refused");
	CHECK(bus_register(&bus, 0x200, 0, probe_io, &a, "x") == -EINVAL,
	      "empty range");
	CHECK(bus_register(&bus, ~0ULL, 2, probe_io, &a, "x") == -EINVAL,
	      "wrapping range");
	CHECK(bus.nr == 3, "nr=%u", bus.nr);
	CHECK(bus.ranges[0].start == 0xf0 && bus.ranges[1].start == 0x100 &&
	      bus.ranges[2].start == 0x110, "not sorted");
}

TEST(bus_unclaimed)
{
	struct probe a = { 0 };
	struct bus bus;
	u8 d[8];

	bus_init(&bus, "t");
	CHECK(!bus_register(&bus, 0x100, 4, probe_io, &a, "a"), "a");
	memset(d, 0, sizeof(d));
	CHECK(!bus_access(&bus, 0x200, d, 8, false), "claimed");
	CHECK(le_read(d, 8) == ~0ULL, "unclaimed read not all ones");
	memset(d, 0x11, sizeof(d));
	CHECK(!bus_access(&bus, 0x200, d, 4, true), "claimed write");
	CHECK(d[0] == 0x11 && a.calls == 0, "unclaimed write not dropped");
	/* Straddling a device's end is not the device's business. */
	CHECK(!bus_access(&bus, 0x102, d, 4, false) && a.calls == 0,
	      "straddling access reached the device");
}

TEST(bus_full)
{
	struct probe a = { 0 };
	struct bus bus;
	unsigned int i;

	bus_init(&bus, "t");
	for (i = 0; i < BUS_MAX_RANGES; i++)
		CHECK(!bus_register(&bus, i * 2, 1, probe_io, &a, "a"),
		      "range %u", i);
	CHECK(bus_register(&bus, 0x1000, 1, probe_io, &a, "a") == -ENOSPC,
	      "no -ENOSPC");
}
