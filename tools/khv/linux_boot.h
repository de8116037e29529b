/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_LINUX_BOOT_H
#define KHV_LINUX_BOOT_H

#include "accel.h"
#include "bzimage.h"
#include "options.h"
#include "vm.h"

/* Does the file start like a bzImage (boot flag and "HdrS")? */
bool linux_is_bzimage(const char *path);

/*
 * Read the kernel and initrd, write the ACPI tables and boot the kernel
 * the Linux way into vm->ram.  Returns 0 or -1 after one "khv:" line.
 */
int linux_prepare(struct vm *vm, const struct run_options *o,
		  struct linux_boot *b);

/*
 * The PC platform on this accelerator: local APICs (before any vCPU),
 * and the interrupt hooks of vm.  Returns 0 or -1.
 */
int linux_irqchip_setup(struct vm *vm, struct accel *a);

/*
 * MSRs a PC BIOS sets before any OS runs (MTRRs: all RAM write-back).
 * After create_vcpu; returns 0 or -1.
 */
int linux_firmware_msrs(struct accel *a);

/* Once the vCPU exists: raw console, then the I/O thread. */
int linux_platform_start(struct vm *vm);
void linux_platform_stop(struct vm *vm);

#endif
