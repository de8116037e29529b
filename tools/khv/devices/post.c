// SPDX-License-Identifier: GPL-2.0
/*
 * POST code port 0x80.  Firmware and kernels write progress codes (and
 * Linux uses it as an I/O delay), so it is claimed explicitly rather than
 * left to the unclaimed path: --trace then names it.
 */
#include "../init.h"
#include "../vm.h"

#define POST_PORT	0x80

static void post_io(void *opaque, u64 offset, u8 *data, u32 len,
		    bool is_write)
{
	(void)opaque;
	(void)offset;
	if (!is_write)
		le_write(data, len, ~0ULL);
}

static int post_init(struct vm *vm)
{
	return bus_register(&vm->pio, POST_PORT, 1, post_io, NULL, "post");
}
device_init(post_init);
