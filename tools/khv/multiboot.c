// SPDX-License-Identifier: GPL-2.0
/*
 * Multiboot v1 loader (Multiboot Specification 0.6.96): header search,
 * a.out kludge, module and boot information.  ELF images go through
 * elf_load.c; the entry register state is in x86_boot.c.
 */
#include <stdio.h>
#include <string.h>

#include "multiboot.h"

/* Header fields, section 3.1.2, as offsets from the magic. */
#define MBH_MAGIC		0
#define MBH_FLAGS		4
#define MBH_CHECKSUM		8
#define MBH_HEADER_ADDR		12
#define MBH_LOAD_ADDR		16
#define MBH_LOAD_END_ADDR	20
#define MBH_BSS_END_ADDR	24
#define MBH_ENTRY_ADDR		28
#define MBH_AOUT_SIZE		32

/* Layout of the info area; strings follow at MBA_STRINGS. */
#define MBA_GDT			0x000
#define MBA_INFO		0x040
#define MBA_MMAP		0x100	/* at most 4 entries */
#define MBA_MODS		0x180
#define MBA_LOADER_NAME		0x1a0
#define MBA_STRINGS		0x1c0

static const char loader_name[] = "khv";

static u32 rd32(const u8 *p)
{
	return (u32)le_read(p, 4);
}

long multiboot_find_header(const u8 *file, size_t size)
{
	size_t limit = size < MB_SEARCH_LIMIT ? size : MB_SEARCH_LIMIT;
	size_t off;

	/* 3.1.1: 32-bit aligned, wholly within the first 8192 bytes. */
	for (off = 0; off + 12 <= limit; off += 4) {
		const u8 *h = file + off;

		if (rd32(h + MBH_MAGIC) != MB_HEADER_MAGIC)
			continue;
		if ((u32)(rd32(h + MBH_MAGIC) + rd32(h + MBH_FLAGS) +
			  rd32(h + MBH_CHECKSUM)) == 0)
			return off;
	}
	return -1;
}

/* 3.1.3: the address fields say what to copy from the file, and where. */
static int aout_load(const struct guest_ram *ram, const u8 *file, size_t size,
		     long hdr_off, struct mb_image *img, char *err,
		     size_t errlen)
{
	const u8 *h = file + hdr_off;
	u32 header_addr, load_addr, load_end, bss_end, entry;
	u64 file_off, load_len, mem_end;
	u8 *dst;

	if (hdr_off + MBH_AOUT_SIZE > MB_SEARCH_LIMIT ||
	    (size_t)hdr_off + MBH_AOUT_SIZE > size) {
		snprintf(err, errlen, "truncated Multiboot header (a.out kludge)");
		return -1;
	}
	header_addr = rd32(h + MBH_HEADER_ADDR);
	load_addr = rd32(h + MBH_LOAD_ADDR);
	load_end = rd32(h + MBH_LOAD_END_ADDR);
	bss_end = rd32(h + MBH_BSS_END_ADDR);
	entry = rd32(h + MBH_ENTRY_ADDR);

	if (load_addr > header_addr || header_addr - load_addr > (u64)hdr_off) {
		snprintf(err, errlen,
			 "a.out kludge: load_addr 0x%x does not fit header_addr 0x%x",
			 load_addr, header_addr);
		return -1;
	}
	file_off = hdr_off - (header_addr - load_addr);
	/* load_end_addr 0: the text and data run to the end of the file. */
	load_len = load_end ? (u64)load_end - load_addr : size - file_off;
	if (load_end && load_end < load_addr) {
		snprintf(err, errlen, "a.out kludge: load_end_addr below load_addr");
		return -1;
	}
	if (load_len > size - file_off) {
		snprintf(err, errlen,
			 "truncated file: a.out kludge wants 0x%llx bytes at offset 0x%llx",
			 (unsigned long long)load_len,
			 (unsigned long long)file_off);
		return -1;
	}
	mem_end = (u64)load_addr + load_len;
	if (bss_end) {
		if (bss_end < mem_end) {
			snprintf(err, errlen, "a.out kludge: bss_end_addr below load_end_addr");
			return -1;
		}
		mem_end = bss_end;
	}
	if (mem_end > ram->low_size || mem_end == load_addr) {
		snprintf(err, errlen,
			 "a.out kludge image [0x%x-0x%llx) is outside guest RAM (0-0x%llx)",
			 load_addr, (unsigned long long)mem_end,
			 (unsigned long long)ram->low_size);
		return -1;
	}
	if (entry < load_addr || entry >= mem_end) {
		snprintf(err, errlen, "a.out kludge: entry 0x%x outside the image",
			 entry);
		return -1;
	}
	dst = guest_ram_ptr(ram, load_addr, mem_end - load_addr);
	memcpy(dst, file + file_off, load_len);
	memset(dst + load_len, 0, mem_end - load_addr - load_len);

	memset(img, 0, sizeof(*img));
	img->entry = entry;
	img->start = load_addr;
	img->end = mem_end;
	img->seg[0].start = load_addr;
	img->seg[0].end = mem_end;
	img->nseg = 1;
	return 0;
}

static bool overlaps(u64 a, u64 a_end, u64 b, u64 b_end)
{
	return a < b_end && b < a_end;
}

static bool area_is_free(const struct multiboot_boot *b, u64 start, u64 end)
{
	unsigned int i;

	for (i = 0; i < b->image.nseg; i++)
		if (overlaps(start, end, b->image.seg[i].start,
			     b->image.seg[i].end))
			return false;
	if (b->mod_end && overlaps(start, end, b->mod_start, b->mod_end))
		return false;
	return true;
}

static void put_mmap(u8 *p, u64 base, u64 len, u32 type)
{
	le_write(p, 4, MB_MMAP_ENTRY_SIZE - 4);	/* size excludes itself */
	le_write(p + 4, 8, base);
	le_write(p + 12, 8, len);
	le_write(p + 20, 4, type);
}

/* The GDT behind the entry selectors: see x86_boot.c. */
static void put_gdt(u8 *p)
{
	memset(p, 0, MB_GDT_ENTRIES * 8);
	/* base 0, limit 0xfffff pages, G=1 D=1, P=1 DPL=0 S=1 */
	le_write(p + MB_CODE_SELECTOR, 8, 0x00cf9b000000ffffULL);
	le_write(p + MB_DATA_SELECTOR, 8, 0x00cf93000000ffffULL);
}

static int write_info(const struct guest_ram *ram,
		      const struct multiboot_params *p,
		      struct multiboot_boot *b, char *err, size_t errlen)
{
	size_t path_len = strlen(p->kernel_path);
	size_t extra_len = p->cmdline ? strlen(p->cmdline) : 0;
	size_t cmd_len = path_len + (p->cmdline ? 1 + extra_len : 0) + 1;
	size_t mod_len = p->initrd_path ? strlen(p->initrd_path) + 1 : 0;
	u64 size = MBA_STRINGS + mod_len + cmd_len, base;
	u32 flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MMAP |
		    MB_INFO_LOADER_NAME;
	u32 cmd_addr, mod_str_addr, n_mmap = 0;
	u8 *a, *info, *mm;

	base = MB_INFO_LOW_BASE;
	if (base + size > MB_INFO_LOW_END || !area_is_free(b, base, base + size)) {
		base = ALIGN_UP(b->image.end > b->mod_end ? b->image.end :
				b->mod_end, SZ_4K);
	}
	if (base + size > ram->low_size || size > 0xffffffffULL) {
		snprintf(err, errlen,
			 "no room in guest RAM for the Multiboot information");
		return -1;
	}
	a = guest_ram_ptr(ram, base, size);
	memset(a, 0, size);
	b->info_area = base;
	b->info_area_end = base + size;
	b->info_addr = base + MBA_INFO;
	b->gdt_addr = base + MBA_GDT;
	b->gdt_limit = MB_GDT_ENTRIES * 8 - 1;
	put_gdt(a + MBA_GDT);

	memcpy(a + MBA_LOADER_NAME, loader_name, sizeof(loader_name));
	mod_str_addr = base + MBA_STRINGS;
	if (mod_len)
		memcpy(a + MBA_STRINGS, p->initrd_path, mod_len);
	/* argv[0] is the kernel's path; --cmdline follows after a space. */
	cmd_addr = mod_str_addr + mod_len;
	memcpy(a + (cmd_addr - base), p->kernel_path, path_len);
	if (p->cmdline) {
		a[cmd_addr - base + path_len] = ' ';
		memcpy(a + (cmd_addr - base) + path_len + 1, p->cmdline,
		       extra_len);
	}

	/*
	 * The memory map of a PC without a BIOS: conventional RAM, the
	 * EBDA/VGA/ROM area reserved, RAM from 1 MiB up to the MMIO hole,
	 * and RAM above 4 GiB for what did not fit below it.
	 */
	mm = a + MBA_MMAP;
	put_mmap(mm + MB_MMAP_ENTRY_SIZE * n_mmap++, 0, MB_LOW_RAM_END,
		 MB_MMAP_RAM);
	put_mmap(mm + MB_MMAP_ENTRY_SIZE * n_mmap++, MB_LOW_RAM_END,
		 SZ_1M - MB_LOW_RAM_END, MB_MMAP_RESERVED);
	if (ram->low_size > SZ_1M)
		put_mmap(mm + MB_MMAP_ENTRY_SIZE * n_mmap++, SZ_1M,
			 ram->low_size - SZ_1M, MB_MMAP_RAM);
	if (guest_ram_high_size(ram))
		put_mmap(mm + MB_MMAP_ENTRY_SIZE * n_mmap++, HIGH_RAM_START,
			 guest_ram_high_size(ram), MB_MMAP_RAM);

	info = a + MBA_INFO;
	le_write(info + MBI_MEM_LOWER, 4, MB_LOW_RAM_END / 1024);
	/* mem_upper: KiB of contiguous RAM from 1 MiB, i.e. up to the hole. */
	le_write(info + MBI_MEM_UPPER, 4, (ram->low_size - SZ_1M) / 1024);
	le_write(info + MBI_CMDLINE, 4, cmd_addr);
	le_write(info + MBI_MMAP_LENGTH, 4, n_mmap * MB_MMAP_ENTRY_SIZE);
	le_write(info + MBI_MMAP_ADDR, 4, base + MBA_MMAP);
	le_write(info + MBI_LOADER_NAME, 4, base + MBA_LOADER_NAME);
	if (p->initrd_path) {
		u8 *mod = a + MBA_MODS;

		flags |= MB_INFO_MODS;
		le_write(info + MBI_MODS_COUNT, 4, 1);
		le_write(info + MBI_MODS_ADDR, 4, base + MBA_MODS);
		le_write(mod + 0, 4, b->mod_start);
		le_write(mod + 4, 4, b->mod_end);
		le_write(mod + 8, 4, mod_str_addr);
	}
	le_write(info + MBI_FLAGS, 4, flags);
	return 0;
}

int multiboot_load(const struct guest_ram *ram,
		   const struct multiboot_params *p,
		   struct multiboot_boot *b, char *err, size_t errlen)
{
	long hdr;
	u32 flags;
	int ret;

	memset(b, 0, sizeof(*b));
	hdr = multiboot_find_header(p->kernel, p->kernel_size);
	if (hdr < 0)
		return MB_NOT_MULTIBOOT;
	flags = rd32(p->kernel + hdr + MBH_FLAGS);
	if (flags & 0xffff & ~MB_HEADER_REQ_KNOWN) {
		snprintf(err, errlen,
			 "Multiboot header requires unsupported features (flags 0x%x)",
			 flags);
		return -1;
	}

	if (flags & MB_HEADER_AOUT_KLUDGE)
		ret = aout_load(ram, p->kernel, p->kernel_size, hdr, &b->image,
				err, errlen);
	else
		ret = elf_load(ram, p->kernel, p->kernel_size, &b->image, err,
			       errlen);
	if (ret)
		return ret;

	if (p->initrd_path) {
		/* Page-aligned, the strictest reading of header flag 0. */
		u64 start = ALIGN_UP(b->image.end, SZ_4K);

		if (start > ram->low_size ||
		    p->initrd_size > ram->low_size - start) {
			snprintf(err, errlen,
				 "initrd (%zu bytes) does not fit in guest RAM after the kernel",
				 p->initrd_size);
			return -1;
		}
		memcpy(guest_ram_ptr(ram, start, p->initrd_size), p->initrd,
		       p->initrd_size);
		b->mod_start = start;
		b->mod_end = start + p->initrd_size;
	}
	return write_info(ram, p, b, err, errlen);
}
