/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_BZIMAGE_H
#define KHV_BZIMAGE_H

#include <linux/khv.h>

#include "ram.h"
#include "util.h"

/*
 * The x86 Linux boot protocol (Documentation/arch/x86/boot.rst in the
 * kernel tree): the real-mode setup header of a bzImage, the zero page
 * (struct boot_params, zero-page.rst) and the 32- and 64-bit entries.
 */

/* Setup header fields, as offsets in the file and in the zero page. */
#define BZ_SETUP_SECTS		0x1f1
#define BZ_VID_MODE		0x1fa
#define BZ_BOOT_FLAG		0x1fe	/* 0xaa55 */
#define BZ_JUMP			0x200	/* its second byte: header end - 0x202 */
#define BZ_HEADER		0x202	/* "HdrS" */
#define BZ_VERSION		0x206
#define BZ_TYPE_OF_LOADER	0x210
#define BZ_LOADFLAGS		0x211
#define BZ_CODE32_START		0x214
#define BZ_RAMDISK_IMAGE	0x218
#define BZ_RAMDISK_SIZE		0x21c
#define BZ_CMD_LINE_PTR		0x228
#define BZ_INITRD_ADDR_MAX	0x22c
#define BZ_KERNEL_ALIGNMENT	0x230
#define BZ_RELOCATABLE		0x234
#define BZ_XLOADFLAGS		0x236
#define BZ_CMDLINE_SIZE		0x238
#define BZ_PREF_ADDRESS		0x258
#define BZ_INIT_SIZE		0x260
#define BZ_HEADER_MAX_END	0x290	/* where boot_params' hdr ends */

#define BZ_BOOT_FLAG_MAGIC	0xaa55
#define BZ_HEADER_MAGIC		0x53726448	/* "HdrS" */
#define BZ_MIN_VERSION		0x0206		/* cmdline_size exists */
#define BZ_LOADED_HIGH		0x01
#define BZ_XLF_KERNEL_64	0x01
#define BZ_LOADER_UNDEFINED	0xff

/* Zero page fields outside the setup header (zero-page.rst). */
#define ZP_ACPI_RSDP_ADDR	0x070
#define ZP_EXT_RAMDISK_IMAGE	0x0c0
#define ZP_EXT_RAMDISK_SIZE	0x0c4
#define ZP_EXT_CMD_LINE_PTR	0x0c8
#define ZP_E820_ENTRIES		0x1e8
#define ZP_E820_TABLE		0x2d0
#define ZP_E820_MAX		128
#define ZP_SIZE			0x1000

#define E820_ENTRY_SIZE		20	/* u64 addr, u64 size, u32 type */
#define E820_RAM		1
#define E820_RESERVED		2

/* Where the loader puts its own structures, all below 1 MiB. */
#define LINUX_GDT_ADDR		0x1000ULL
#define LINUX_PML4_ADDR		0x2000ULL	/* then PDPT, then 4 PDs */
#define LINUX_ZERO_PAGE_ADDR	0x8000ULL
#define LINUX_CMDLINE_ADDR	0x20000ULL
#define LINUX_CMDLINE_MAX	0x10000ULL
#define LINUX_LOW_RAM_END	0x9fc00ULL	/* where a PC's EBDA starts */
#define LINUX_BIOS_START	0xe0000ULL	/* reserved: ACPI tables */
#define LINUX_DEFAULT_LOAD	0x100000ULL

struct bzimage {
	u16 version;
	u8 loadflags;
	u16 xloadflags;
	bool relocatable;
	u32 initrd_addr_max;
	u32 kernel_alignment;
	u32 cmdline_size;
	u64 pref_address;
	u32 init_size;
	size_t hdr_end;		/* end of the setup header in the file */
	size_t setup_size;	/* (setup_sects + 1) * 512 */
	const u8 *file;
	const u8 *kernel;	/* the protected-mode kernel */
	size_t kernel_size;
};

#define BZ_NOT_BZIMAGE	1

/*
 * Check the setup header.  Returns 0; BZ_NOT_BZIMAGE if the file has no
 * boot flag or "HdrS" (so the caller may try another format); -1 with a
 * one-line reason in err for a bzImage this loader cannot boot.
 */
int bzimage_parse(const u8 *file, size_t size, struct bzimage *bz,
		  char *err, size_t errlen);

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
};

/* The e820 map of the PC platform for this RAM; returns the count. */
unsigned int e820_build(const struct guest_ram *ram, struct e820_entry *e,
			unsigned int max);

struct linux_params {
	const u8 *initrd;
	size_t initrd_size;
	const char *cmdline;	/* NULL: empty */
	u64 rsdp;		/* 0: none */
};

struct linux_boot {
	bool long_mode;		/* 64-bit entry (XLF_KERNEL_64) */
	u64 load_addr;
	u64 load_end;		/* load_addr + the memory the kernel needs */
	u64 entry;
	u64 zero_page;
	u64 cmdline_addr;
	u64 initrd_addr, initrd_size;
	u64 gdt_addr;
	u16 gdt_limit;
	u64 cr3;
};

/*
 * Load the kernel, initrd, command line, zero page, GDT and page tables
 * into guest RAM.  Returns 0, or -1 with a one-line reason in err.
 */
int linux_load(const struct guest_ram *ram, const struct bzimage *bz,
	       const struct linux_params *p, struct linux_boot *b,
	       char *err, size_t errlen);

/* The entry register state (boot.rst, "32-bit" / "64-bit boot protocol"). */
void linux_entry_state(const struct linux_boot *b, struct khv_regs *regs,
		       struct khv_sregs *sregs);

#endif
