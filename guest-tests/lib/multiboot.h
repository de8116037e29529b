/* SPDX-License-Identifier: GPL-2.0 */
/* The Multiboot (v1) information structure, as far as the tests use it. */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#include "types.h"

#define MULTIBOOT_BOOTLOADER_MAGIC	0x2BADB002

#define MB_INFO_MEM		(1u << 0)	/* mem_lower/mem_upper valid */
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MODS		(1u << 3)
#define MB_INFO_MMAP		(1u << 6)

struct multiboot_info {
	u32 flags;
	u32 mem_lower;		/* KiB below 640 KiB */
	u32 mem_upper;		/* KiB from 1 MiB up to the first hole */
	u32 boot_device;
	u32 cmdline;		/* physical address of a C string */
	u32 mods_count;
	u32 mods_addr;
	u32 syms[4];
	u32 mmap_length;
	u32 mmap_addr;
} __attribute__((packed));

#endif /* GUEST_MULTIBOOT_H */
