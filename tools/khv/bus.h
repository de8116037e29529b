/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_BUS_H
#define KHV_BUS_H

#include "util.h"

/*
 * A device claims [start, start + len) on a bus with a handler and an
 * opaque pointer.  The handler sees the offset into its range; the bus only
 * calls it for accesses that lie wholly inside the range, so a device never
 * has to check bounds.  For a read the handler fills data[0..len).
 */
typedef void (*bus_handler_t)(void *opaque, u64 offset, u8 *data, u32 len,
			      bool is_write);

struct bus_range {
	u64 start;
	u64 len;
	bus_handler_t handler;
	void *opaque;
	const char *name;
};

#define BUS_MAX_RANGES	32

struct bus {
	const char *name;
	unsigned int nr;
	struct bus_range ranges[BUS_MAX_RANGES];	/* sorted by start */
};

void bus_init(struct bus *bus, const char *name);

/* Returns 0, -EINVAL (empty or wrapping range), -EEXIST, -ENOSPC. */
int bus_register(struct bus *bus, u64 start, u64 len, bus_handler_t handler,
		 void *opaque, const char *name);

const struct bus_range *bus_lookup(const struct bus *bus, u64 addr, u32 len);

/*
 * Dispatch one access.  Unclaimed reads return all ones and unclaimed
 * writes are dropped, like an ISA bus with nothing answering.  Returns
 * whether a device claimed the access.
 */
bool bus_access(const struct bus *bus, u64 addr, u8 *data, u32 len,
		bool is_write);

#endif
