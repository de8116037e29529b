// SPDX-License-Identifier: GPL-2.0
/*
 * isa-debug-exit at 0xf4, as QEMU's "-device isa-debug-exit,iobase=0xf4,
 * iosize=4": writing V ends the run with status (V << 1) | 1.  The status
 * is always odd, so it can never be mistaken for the launcher's own
 * (even) statuses; the OS keeps its low 8 bits.
 */
#include "../init.h"
#include "../vm.h"

#define DEBUG_EXIT_BASE	0xf4
#define DEBUG_EXIT_LEN	4

static void debug_exit_io(void *opaque, u64 offset, u8 *data, u32 len,
			  bool is_write)
{
	struct vm *vm = opaque;
	u64 v;

	(void)offset;
	if (!is_write) {
		le_write(data, len, ~0ULL);
		return;
	}
	v = le_read(data, len);
	vm_request_exit(vm, (int)(((v << 1) | 1) & 0xff), "debug-exit");
	if (vm->trace)
		pr_info("debug-exit: value 0x%llx, exit status %d",
			(unsigned long long)v, vm->exit_status);
}

static int debug_exit_init(struct vm *vm)
{
	return bus_register(&vm->pio, DEBUG_EXIT_BASE, DEBUG_EXIT_LEN,
			    debug_exit_io, vm, "debug-exit");
}
device_init(debug_exit_init);
