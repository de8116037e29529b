// SPDX-License-Identifier: GPL-2.0
/*
 * The Bochs/QEMU debug console ("-device isa-debugcon") at its two usual
 * ports: 0xe9 (Bochs, QEMU's default) and 0x402 (where SeaBIOS prints its
 * log).  A byte written goes to the console output (stdout), unbuffered; a
 * read returns 0xe9, which is how a guest detects that the port is there.
 * Each port is one byte wide: a wider access runs past the range, so the
 * bus treats it as unclaimed (dropped, reads all ones).
 */
#include <errno.h>
#include <unistd.h>

#include "../init.h"
#include "../vm.h"

#define DEBUGCON_PORT		0xe9
#define DEBUGCON_SEABIOS_PORT	0x402

static void debugcon_io(void *opaque, u64 offset, u8 *data, u32 len,
			bool is_write)
{
	struct vm *vm = opaque;
	ssize_t n;

	(void)offset;
	(void)len;
	if (!is_write) {
		data[0] = DEBUGCON_PORT;
		return;
	}
	do {
		n = write(vm->console_out, data, 1);
	} while (n < 0 && errno == EINTR);
	/* A closed stdout must not stop the guest: the byte is dropped. */
}

static int debugcon_init(struct vm *vm)
{
	return bus_register(&vm->pio, DEBUGCON_PORT, 1, debugcon_io, vm,
			    "debugcon") ||
	       bus_register(&vm->pio, DEBUGCON_SEABIOS_PORT, 1, debugcon_io,
			    vm, "debugcon");
}
device_init(debugcon_init);
