/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_MULTIBOOT_H
#define KHV_MULTIBOOT_H

#include <linux/khv.h>

#include "ram.h"
#include "util.h"

/* Multiboot Specification 0.6.96, section 3.1 (OS image format). */
#define MB_HEADER_MAGIC		0x1badb002u
#define MB_BOOTLOADER_MAGIC	0x2badb002u
#define MB_SEARCH_LIMIT		8192
#define MB_HEADER_AOUT_KLUDGE	(1u << 16)
/* Bits 0-15 are requirements; we honour 0 (page-align mods) and 1 (mem). */
#define MB_HEADER_REQ_KNOWN	0x0007u

/* Section 3.3, boot information format: flags. */
#define MB_INFO_MEMORY		(1u << 0)
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MODS		(1u << 3)
#define MB_INFO_MMAP		(1u << 6)
#define MB_INFO_LOADER_NAME	(1u << 9)

/* Offsets in the 120-byte multiboot_info. */
#define MBI_FLAGS		0
#define MBI_MEM_LOWER		4
#define MBI_MEM_UPPER		8
#define MBI_CMDLINE		16
#define MBI_MODS_COUNT		20
#define MBI_MODS_ADDR		24
#define MBI_MMAP_LENGTH		44
#define MBI_MMAP_ADDR		48
#define MBI_LOADER_NAME		64
#define MBI_SIZE		120

#define MB_MMAP_ENTRY_SIZE	24	/* u32 size (=20), u64 base, u64 len, u32 type */
#define MB_MMAP_RAM		1
#define MB_MMAP_RESERVED	2

/* Conventional memory ends where the EBDA of a PC would start. */
#define MB_LOW_RAM_END		0x9fc00ULL

/*
 * Where the info area goes if nothing is loaded there: low memory below
 * 0x8000, out of the way of page 0 (real-mode IVT, and where the
 * kvm-unit-tests SMP trampoline is copied) and of images loaded at 0x8000.
 */
#define MB_INFO_LOW_BASE	0x1000ULL
#define MB_INFO_LOW_END		0x8000ULL

/* Flat 4 GiB segments in the GDT the loader leaves in guest memory. */
#define MB_CODE_SELECTOR	0x10
#define MB_DATA_SELECTOR	0x18
#define MB_GDT_ENTRIES		4

#define MB_MAX_SEGMENTS		16

struct mb_image {
	u32 entry;
	u64 start;	/* lowest loaded address */
	u64 end;	/* highest loaded address + 1, bss included */
	unsigned int nseg;
	struct {
		u64 start, end;
	} seg[MB_MAX_SEGMENTS];
};

struct multiboot_params {
	const char *kernel_path;
	const u8 *kernel;
	size_t kernel_size;
	const char *initrd_path;	/* NULL: no module */
	const u8 *initrd;
	size_t initrd_size;
	const char *cmdline;		/* NULL: just the kernel path */
};

struct multiboot_boot {
	struct mb_image image;
	u32 info_area;		/* start of GDT + info + strings */
	u32 info_area_end;
	u32 info_addr;		/* EBX */
	u32 gdt_addr;
	u16 gdt_limit;
	u32 mod_start, mod_end;	/* 0, 0 without --initrd */
};

#define MB_NOT_MULTIBOOT	1

/*
 * Load a Multiboot v1 kernel (and its module) into guest RAM and write the
 * boot information.  Returns 0; MB_NOT_MULTIBOOT if the file has no valid
 * header; -1 with a one-line reason in err.
 */
int multiboot_load(const struct guest_ram *ram,
		   const struct multiboot_params *p,
		   struct multiboot_boot *boot, char *err, size_t errlen);

/* Offset of the header within the first 8 KiB, or -1. */
long multiboot_find_header(const u8 *file, size_t size);

/* ELF32 (i386) / ELF64 (x86-64) PT_LOAD loader, in elf_load.c. */
int elf_load(const struct guest_ram *ram, const u8 *file, size_t size,
	     struct mb_image *img, char *err, size_t errlen);

/* The register state of section 3.2, machine state at entry. */
void multiboot_entry_state(const struct multiboot_boot *boot,
			   struct khv_regs *regs, struct khv_sregs *sregs);

#endif
