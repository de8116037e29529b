/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_FIRMWARE_H
#define KHV_FIRMWARE_H

#include "accel.h"
#include "vm.h"

#define FIRMWARE_MAX		(256 * 1024)
/* The part mirrored below 1 MiB, as the PC's E0000h-FFFFFh BIOS area. */
#define FIRMWARE_LOW_MAX	(128 * 1024)
#define FIRMWARE_SLOT		8

/*
 * Read a raw firmware image and copy its last FIRMWARE_LOW_MAX bytes (or
 * all of it) to the top of the first MiB of guest RAM.  0, or -1 after
 * printing why.
 */
int firmware_load(struct vm *vm, const char *path);

/* Map the image so that it ends at 4 GiB (after the accelerator opened). */
int firmware_map(struct accel *a);

#endif
