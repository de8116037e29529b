// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "bus.h"

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

int bus_register(struct bus *bus, u64 start, u64 len, bus_handler_t handler,
		 void *opaque, const char *name)
{
	u64 end = start + len;
	unsigned int i, pos;

	if (!len || !handler || end < start)
		return -EINVAL;
	if (bus->nr == BUS_MAX_RANGES)
		return -ENOSPC;

	for (pos = 0; pos < bus->nr; pos++) {
		const struct bus_range *r = &bus->ranges[pos];

		if (start < r->start + r->len && r->start < end)
			return -EEXIST;
		if (r->start > start)
			break;
	}
	/* The overlap check must also see the ranges after pos. */
	for (i = pos; i < bus->nr; i++) {
		const struct bus_range *r = &bus->ranges[i];

		if (start < r->start + r->len && r->start < end)
			return -EEXIST;
	}
	memmove(&bus->ranges[pos + 1], &bus->ranges[pos],
		(bus->nr - pos) * sizeof(bus->ranges[0]));
	bus->ranges[pos] = (struct bus_range) {
		.start = start, .len = len, .handler = handler,
		.opaque = opaque, .name = name,
	};
	bus->nr++;
	return 0;
}

const struct bus_range *bus_lookup(const struct bus *bus, u64 addr, u32 len)
{
	unsigned int lo = 0, hi = bus->nr;

	/* Binary search for the last range starting at or below addr. */
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (bus->ranges[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	{
		const struct bus_range *r = &bus->ranges[lo - 1];
		u64 off = addr - r->start;

		if (off >= r->len || len > r->len - off)
			return NULL;
		return r;
	}
}

bool bus_access(const struct bus *bus, u64 addr, u8 *data, u32 len,
		bool is_write)
{
	const struct bus_range *r = bus_lookup(bus, addr, len);

	if (!r) {
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	r->handler(r->opaque, addr - r->start, data, len, is_write);
	return true;
}
