/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_VM_H
#define KHV_VM_H

#include <pthread.h>

#include "bus.h"
#include "ram.h"
#include "util.h"

struct pic;
struct ioapic;
struct pci_conf;
struct iothread;

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
	bool report_boot_time;	/* --report-boot-time */
	u64 start_ns;		/* launcher start, CLOCK_MONOTONIC */

	/* Set by devices, acted on by the vCPU loop after each exit. */
	bool exit_requested;
	int exit_status;
	const char *exit_reason;
	bool shutdown_requested;	/* "Shutdown" written to port 0x8900 */

	/*
	 * The PC platform's interrupt path (irq.c).  Device state is shared
	 * by the vCPU thread (port and MMIO exits) and the I/O thread
	 * (timers, console input): both hold lock while they touch it, and
	 * device handlers never take it themselves.
	 */
	pthread_mutex_t lock;
	bool irqchip;		/* the accelerator has local APICs */
	struct pic *pic;
	struct ioapic *ioapic;
	struct pci_conf *pci;	/* configuration mechanism #1, bus 0 */
	struct iothread *io;
	/*
	 * Raise an MSI in the accelerator's local APIC.  NULL when the
	 * guest has no interrupt controller (Multiboot guests): interrupts
	 * then go nowhere, as on a PC whose CPU never takes them.
	 */
	int (*signal_msi)(struct vm *vm, u64 addr, u32 data);
	/* See irq_level_route(); NULL with signal_msi. */
	int (*level_route)(struct vm *vm, unsigned int pin, u64 addr, u32 data,
			   bool on);
	/* Bring the vCPU thread back to its loop (PIC output, exits). */
	void (*kick)(struct vm *vm);
	void *accel;		/* for the two hooks above */
};

void vm_init(struct vm *vm);

/*
 * A device asks for the run to end with this status after this exit.
 * From the I/O thread, follow it with vm_kick().
 */
static inline void vm_request_exit(struct vm *vm, int status,
				   const char *reason)
{
	if (vm->exit_requested)
		return;
	vm->exit_requested = true;
	vm->exit_status = status;
	vm->exit_reason = reason;
}

static inline void vm_kick(struct vm *vm)
{
	if (vm->kick)
		vm->kick(vm);
}

#endif
