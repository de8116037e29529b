/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_VM_H
#define KHV_VM_H

#include "bus.h"
#include "ram.h"
#include "util.h"

/* Everything the devices and the vCPU loop share about one guest. */
struct vm {
	struct guest_ram ram;
	struct bus pio;
	struct bus mmio;
	unsigned int nr_cpus;

	/* The serial console; unit tests point these at pipes. */
	int console_in;
	int console_out;

	bool trace;

	/* Set by devices, acted on by the vCPU loop after each exit. */
	bool exit_requested;
	int exit_status;
	const char *exit_reason;
	bool shutdown_requested;	/* "Shutdown" written to port 0x8900 */
};

void vm_init(struct vm *vm);

/* A device asks for the run to end with this status after this exit. */
static inline void vm_request_exit(struct vm *vm, int status,
				   const char *reason)
{
	if (vm->exit_requested)
		return;
	vm->exit_requested = true;
	vm->exit_status = status;
	vm->exit_reason = reason;
}

#endif
