// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 Linux boot protocol, for bzImages (boot.rst; the protocol
 * version is the header's).  The loader does what a boot loader that
 * skips the real-mode setup code does: copy the setup header into a
 * zeroed zero page, fill in the fields a loader owns, place the
 * protected-mode kernel, initrd and command line, and enter the kernel's
 * 64-bit entry (startup_64, at load address + 0x200) or, for kernels
 * without XLF_KERNEL_64, its 32-bit entry at the load address.
 */
#include <stdarg.h>
#include <string.h>

#include "bzimage.h"

#define SECTOR			512
#define BZ_DEFAULT_SETUP_SECTS	4	/* setup_sects 0 means 4 */
#define BZ_ENTRY_64_OFFSET	0x200
#define BZ_DEFAULT_INITRD_MAX	0x37ffffffU	/* before protocol 2.03 */

#define PTE_P		0x1ULL
#define PTE_RW		0x2ULL
#define PTE_PS		0x80ULL		/* 2 MiB page in a PDE */
#define NR_PDS		4		/* identity map of 4 GiB */

static int bz_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bz_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int bzimage_parse(const u8 *f, size_t size, struct bzimage *bz,
		  char *err, size_t errlen)
{
	unsigned int sects;

	memset(bz, 0, sizeof(*bz));
	if (size < BZ_HEADER + 4 || le_read(f + BZ_BOOT_FLAG, 2) !=
	    BZ_BOOT_FLAG_MAGIC || le_read(f + BZ_HEADER, 4) != BZ_HEADER_MAGIC)
		return BZ_NOT_BZIMAGE;

	bz->version = le_read(f + BZ_VERSION, 2);
	if (bz->version < BZ_MIN_VERSION)
		return bz_fail(err, errlen,
			       "Linux boot protocol %u.%02u is too old: 2.06 or later is required",
			       bz->version >> 8, bz->version & 0xff);

	bz->hdr_end = BZ_HEADER + f[BZ_JUMP + 1];
	if (bz->hdr_end > BZ_HEADER_MAX_END)
		bz->hdr_end = BZ_HEADER_MAX_END;
	sects = f[BZ_SETUP_SECTS] ? f[BZ_SETUP_SECTS] : BZ_DEFAULT_SETUP_SECTS;
	bz->setup_size = (sects + 1) * SECTOR;
	if (bz->setup_size >= size || bz->hdr_end > bz->setup_size)
		return bz_fail(err, errlen,
			       "bzImage truncated: %zu bytes, setup alone is %zu",
			       size, bz->setup_size);

	bz->loadflags = f[BZ_LOADFLAGS];
	if (!(bz->loadflags & BZ_LOADED_HIGH))
		return bz_fail(err, errlen,
			       "zImage (kernel loaded at 0x10000) is not supported: build a bzImage");
	bz->initrd_addr_max = le_read(f + BZ_INITRD_ADDR_MAX, 4);
	if (!bz->initrd_addr_max)
		bz->initrd_addr_max = BZ_DEFAULT_INITRD_MAX;
	bz->kernel_alignment = le_read(f + BZ_KERNEL_ALIGNMENT, 4);
	bz->relocatable = f[BZ_RELOCATABLE];
	bz->cmdline_size = le_read(f + BZ_CMDLINE_SIZE, 4);
	/* Fields from 2.10 (pref_address, init_size) and 2.12 (xloadflags). */
	if (bz->version >= 0x020a && bz->hdr_end >= BZ_INIT_SIZE + 4) {
		bz->pref_address = le_read(f + BZ_PREF_ADDRESS, 8);
		bz->init_size = le_read(f + BZ_INIT_SIZE, 4);
	}
	if (bz->version >= 0x020c)
		bz->xloadflags = le_read(f + BZ_XLOADFLAGS, 2);
	if (!bz->pref_address)
		bz->pref_address = LINUX_DEFAULT_LOAD;

	bz->file = f;
	bz->kernel = f + bz->setup_size;
	bz->kernel_size = size - bz->setup_size;
	return 0;
}

static void e820_add(struct e820_entry *e, unsigned int *n, unsigned int max,
		     u64 addr, u64 size, u32 type)
{
	if (*n < max && size)
		e[(*n)++] = (struct e820_entry) {
			.addr = addr, .size = size, .type = type,
		};
}

unsigned int e820_build(const struct guest_ram *ram, struct e820_entry *e,
			unsigned int max)
{
	u64 high = guest_ram_high_size(ram);
	unsigned int n = 0;

	/*
	 * As on a PC: conventional memory up to the EBDA, the EBDA, the
	 * BIOS area (the ACPI tables live there) and RAM from 1 MiB.  The
	 * VGA hole 0xa0000-0xe0000 is simply absent.
	 */
	e820_add(e, &n, max, 0, LINUX_LOW_RAM_END, E820_RAM);
	e820_add(e, &n, max, LINUX_LOW_RAM_END, 0xa0000 - LINUX_LOW_RAM_END,
		 E820_RESERVED);
	e820_add(e, &n, max, LINUX_BIOS_START, SZ_1M - LINUX_BIOS_START,
		 E820_RESERVED);
	if (ram->low_size > SZ_1M)
		e820_add(e, &n, max, SZ_1M, ram->low_size - SZ_1M, E820_RAM);
	if (high)
		e820_add(e, &n, max, HIGH_RAM_START, high, E820_RAM);
	return n;
}

static void write_gdt(u8 *gdt, bool long_mode)
{
	/*
	 * __BOOT_CS (0x10) and __BOOT_DS (0x18), flat 4 GiB, accessed; the
	 * code segment has L = 1 for the 64-bit entry, D = 1 for the 32-bit
	 * one (SDM Vol. 3A 3.4.5).
	 */
	memset(gdt, 0, 32);
	le_write(gdt + 0x10, 8, long_mode ? 0x00af9b000000ffffULL :
					    0x00cf9b000000ffffULL);
	le_write(gdt + 0x18, 8, 0x00cf93000000ffffULL);
}

/* Identity map 0-4 GiB with 2 MiB pages (SDM Vol. 3A 4.5). */
static void write_page_tables(u8 *pt)
{
	u8 *pml4 = pt, *pdpt = pt + SZ_4K, *pd = pt + 2 * SZ_4K;
	u64 i;

	memset(pt, 0, (2 + NR_PDS) * SZ_4K);
	le_write(pml4, 8, (LINUX_PML4_ADDR + SZ_4K) | PTE_P | PTE_RW);
	for (i = 0; i < NR_PDS; i++)
		le_write(pdpt + 8 * i, 8,
			 (LINUX_PML4_ADDR + (2 + i) * SZ_4K) | PTE_P | PTE_RW);
	for (i = 0; i < NR_PDS * 512; i++)
		le_write(pd + 8 * i, 8, (i * SZ_2M) | PTE_P | PTE_RW | PTE_PS);
}

static void write_zero_page(u8 *zp, const struct guest_ram *ram,
			    const struct bzimage *bz,
			    const struct linux_params *p,
			    const struct linux_boot *b)
{
	struct e820_entry e[ZP_E820_MAX];
	unsigned int n, i;

	memset(zp, 0, ZP_SIZE);
	memcpy(zp + BZ_SETUP_SECTS, bz->file + BZ_SETUP_SECTS,
	       bz->hdr_end - BZ_SETUP_SECTS);
	le_write(zp + BZ_VID_MODE, 2, 0xffff);		/* "normal" */
	zp[BZ_TYPE_OF_LOADER] = BZ_LOADER_UNDEFINED;
	le_write(zp + BZ_CODE32_START, 4, b->load_addr);
	le_write(zp + BZ_CMD_LINE_PTR, 4, b->cmdline_addr);
	le_write(zp + ZP_EXT_CMD_LINE_PTR, 4, b->cmdline_addr >> 32);
	le_write(zp + BZ_RAMDISK_IMAGE, 4, b->initrd_addr);
	le_write(zp + ZP_EXT_RAMDISK_IMAGE, 4, b->initrd_addr >> 32);
	le_write(zp + BZ_RAMDISK_SIZE, 4, b->initrd_size);
	le_write(zp + ZP_EXT_RAMDISK_SIZE, 4, b->initrd_size >> 32);
	/* Protocol 2.14; older kernels find the RSDP by scanning anyway. */
	le_write(zp + ZP_ACPI_RSDP_ADDR, 8, p->rsdp);

	n = e820_build(ram, e, ZP_E820_MAX);
	zp[ZP_E820_ENTRIES] = n;
	for (i = 0; i < n; i++) {
		u8 *d = zp + ZP_E820_TABLE + i * E820_ENTRY_SIZE;

		le_write(d, 8, e[i].addr);
		le_write(d + 8, 8, e[i].size);
		le_write(d + 16, 4, e[i].type);
	}
}

int linux_load(const struct guest_ram *ram, const struct bzimage *bz,
	       const struct linux_params *p, struct linux_boot *b,
	       char *err, size_t errlen)
{
	const char *cmdline = p->cmdline ? p->cmdline : "";
	size_t cmdlen = strlen(cmdline);
	u64 need, top;

	memset(b, 0, sizeof(*b));
	b->long_mode = bz->xloadflags & BZ_XLF_KERNEL_64;

	/*
	 * A relocatable kernel could go anywhere kernel_alignment allows,
	 * but it moves itself up to its compiled-in address anyway
	 * (pref_address), so that is where it goes in every case.
	 */
	b->load_addr = bz->pref_address;
	if (bz->relocatable && bz->kernel_alignment &&
	    b->load_addr % bz->kernel_alignment)
		return bz_fail(err, errlen,
			       "pref_address 0x%llx is not aligned to kernel_alignment 0x%x",
			       (unsigned long long)b->load_addr,
			       bz->kernel_alignment);
	need = bz->init_size > bz->kernel_size ? bz->init_size :
	       bz->kernel_size;
	b->load_end = b->load_addr + ALIGN_UP(need, SZ_4K);
	if (b->load_end > ram->low_size)
		return bz_fail(err, errlen,
			       "the kernel needs RAM up to 0x%llx (%llu MiB) but RAM below 4 GiB ends at 0x%llx: use a larger --mem",
			       (unsigned long long)b->load_end,
			       (unsigned long long)(b->load_end >> 20) + 1,
			       (unsigned long long)ram->low_size);
	memcpy(guest_ram_ptr(ram, b->load_addr, bz->kernel_size), bz->kernel,
	       bz->kernel_size);
	b->entry = b->load_addr + (b->long_mode ? BZ_ENTRY_64_OFFSET : 0);

	/* cmdline_size excludes the terminating NUL. */
	if (cmdlen > bz->cmdline_size || cmdlen >= LINUX_CMDLINE_MAX)
		return bz_fail(err, errlen,
			       "command line is %zu bytes, the kernel takes at most %u",
			       cmdlen, bz->cmdline_size);
	b->cmdline_addr = LINUX_CMDLINE_ADDR;
	memcpy(guest_ram_ptr(ram, b->cmdline_addr, cmdlen + 1), cmdline,
	       cmdlen + 1);

	/*
	 * The initrd goes as high as initrd_addr_max (its last byte) and
	 * RAM below the hole allow, page aligned, above the kernel.
	 */
	if (p->initrd_size) {
		top = (u64)bz->initrd_addr_max + 1;
		if (top > ram->low_size)
			top = ram->low_size;
		if (p->initrd_size > top ||
		    ALIGN_DOWN(top - p->initrd_size, SZ_4K) < b->load_end)
			return bz_fail(err, errlen,
				       "initrd of %zu bytes does not fit between the kernel (end 0x%llx) and 0x%llx: use a larger --mem",
				       p->initrd_size,
				       (unsigned long long)b->load_end,
				       (unsigned long long)top);
		b->initrd_addr = ALIGN_DOWN(top - p->initrd_size, SZ_4K);
		b->initrd_size = p->initrd_size;
		memcpy(guest_ram_ptr(ram, b->initrd_addr, p->initrd_size),
		       p->initrd, p->initrd_size);
	}

	b->gdt_addr = LINUX_GDT_ADDR;
	b->gdt_limit = 4 * 8 - 1;
	write_gdt(guest_ram_ptr(ram, b->gdt_addr, 32), b->long_mode);
	if (b->long_mode) {
		b->cr3 = LINUX_PML4_ADDR;
		write_page_tables(guest_ram_ptr(ram, LINUX_PML4_ADDR,
						(2 + NR_PDS) * SZ_4K));
	}
	b->zero_page = LINUX_ZERO_PAGE_ADDR;
	write_zero_page(guest_ram_ptr(ram, b->zero_page, ZP_SIZE), ram, bz, p,
			b);
	return 0;
}
