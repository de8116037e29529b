// SPDX-License-Identifier: GPL-2.0
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "../khv/multiboot.h"
#include "test.h"

#define RAM_SIZE	(16 * SZ_1M)
#define FILE_SIZE	0x3000
#define CODE_OFF	0x1000	/* file offset of the loaded bytes */
#define CODE_LEN	0x1000
#define BSS_LEN		0x2000

static u8 *ram_buf;
static struct guest_ram ram;
static u8 file[FILE_SIZE];

static void fresh_ram(u64 size)
{
	free(ram_buf);
	ram_buf = malloc(size);
	/* Poison: loaded bytes and zeroed bss must overwrite this. */
	memset(ram_buf, 0xaa, size);
	guest_ram_wrap(&ram, ram_buf, size);
}

static void put_mb_header(u8 *p, u32 flags)
{
	le_write(p, 4, MB_HEADER_MAGIC);
	le_write(p + 4, 4, flags);
	le_write(p + 8, 4, -(MB_HEADER_MAGIC + flags));
}

/* The loaded bytes: a Multiboot header then a recognisable pattern. */
static void fill_code(void)
{
	unsigned int i;

	for (i = 0; i < CODE_LEN; i++)
		file[CODE_OFF + i] = i * 3 + 7;
	put_mb_header(file + CODE_OFF, 0x3);
}

static void make_elf32(u32 paddr, u32 entry)
{
	Elf32_Ehdr eh = {
		.e_type = ET_EXEC, .e_machine = EM_386, .e_version = 1,
		.e_entry = entry, .e_phoff = sizeof(Elf32_Ehdr),
		.e_ehsize = sizeof(Elf32_Ehdr),
		.e_phentsize = sizeof(Elf32_Phdr), .e_phnum = 1,
	};
	Elf32_Phdr ph = {
		.p_type = PT_LOAD, .p_offset = CODE_OFF, .p_vaddr = paddr,
		.p_paddr = paddr, .p_filesz = CODE_LEN,
		.p_memsz = CODE_LEN + BSS_LEN, .p_flags = PF_R | PF_X,
	};

	memset(file, 0, sizeof(file));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(file, &eh, sizeof(eh));
	memcpy(file + sizeof(eh), &ph, sizeof(ph));
	fill_code();
}

static void make_elf64(u64 paddr, u64 entry)
{
	Elf64_Ehdr eh = {
		.e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = 1,
		.e_entry = entry, .e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 1,
	};
	Elf64_Phdr ph = {
		.p_type = PT_LOAD, .p_offset = CODE_OFF, .p_vaddr = paddr,
		.p_paddr = paddr, .p_filesz = CODE_LEN,
		.p_memsz = CODE_LEN + BSS_LEN, .p_flags = PF_R | PF_X,
	};

	memset(file, 0, sizeof(file));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(file, &eh, sizeof(eh));
	memcpy(file + sizeof(eh), &ph, sizeof(ph));
	fill_code();
}

static int load(size_t size, const char *cmdline, struct multiboot_boot *b,
		char *err)
{
	struct multiboot_params p = {
		.kernel_path = "/path/kernel.elf",
		.kernel = file,
		.kernel_size = size,
		.cmdline = cmdline,
	};

	err[0] = 0;
	return multiboot_load(&ram, &p, b, err, 256);
}

static bool code_loaded_at(u64 gpa)
{
	u8 *p = guest_ram_ptr(&ram, gpa, CODE_LEN + BSS_LEN);
	unsigned int i;

	if (!p || memcmp(p, file + CODE_OFF, CODE_LEN))
		return false;
	for (i = 0; i < BSS_LEN; i++)
		if (p[CODE_LEN + i])
			return false;
	return true;
}

static u32 rd32(u64 gpa)
{
	return le_read(guest_ram_ptr(&ram, gpa, 4), 4);
}

TEST(multiboot_elf32)
{
	struct multiboot_boot b;
	char err[256];
	int ret;

	fresh_ram(RAM_SIZE);
	make_elf32(0x400000, 0x40000c);
	ret = load(FILE_SIZE, NULL, &b, err);
	CHECK(ret == 0, "load failed (%d): %s", ret, err);
	CHECK(b.image.entry == 0x40000c, "entry 0x%x", b.image.entry);
	CHECK(b.image.start == 0x400000 &&
	      b.image.end == 0x400000 + CODE_LEN + BSS_LEN, "image range");
	CHECK(code_loaded_at(0x400000), "bytes or bss wrong");
}

TEST(multiboot_elf64)
{
	struct multiboot_boot b;
	char err[256];
	int ret;

	fresh_ram(RAM_SIZE);
	make_elf64(0x200000, 0x200010);
	ret = load(FILE_SIZE, NULL, &b, err);
	CHECK(ret == 0, "load failed (%d): %s", ret, err);
	CHECK(b.image.entry == 0x200010, "entry 0x%x", b.image.entry);
	CHECK(code_loaded_at(0x200000), "bytes or bss wrong");
}

TEST(multiboot_entry_translated)
{
	struct multiboot_boot b;
	Elf32_Phdr ph;
	char err[256];

	/* Linked at 3 GiB, loaded at 1 MiB: entry must become physical. */
	fresh_ram(RAM_SIZE);
	make_elf32(0x100000, 0xc0100020);
	memcpy(&ph, file + sizeof(Elf32_Ehdr), sizeof(ph));
	ph.p_vaddr = 0xc0100000;
	memcpy(file + sizeof(Elf32_Ehdr), &ph, sizeof(ph));
	CHECK(load(FILE_SIZE, NULL, &b, err) == 0, "%s", err);
	CHECK(b.image.entry == 0x100020, "entry 0x%x", b.image.entry);
}

TEST(multiboot_not_multiboot)
{
	struct multiboot_boot b;
	char err[256];

	fresh_ram(RAM_SIZE);
	make_elf32(0x100000, 0x100000);
	memset(file + CODE_OFF, 0, 12);
	CHECK(load(FILE_SIZE, NULL, &b, err) == MB_NOT_MULTIBOOT,
	      "no header but accepted");
	/* A header beyond the first 8 KiB does not count either. */
	memset(file, 0, sizeof(file));
	put_mb_header(file + 8192 - 8, 0);
	CHECK(load(FILE_SIZE, NULL, &b, err) == MB_NOT_MULTIBOOT,
	      "header straddling 8 KiB accepted");
	/* Nor does one with a wrong checksum. */
	make_elf32(0x100000, 0x100000);
	le_write(file + CODE_OFF + 8, 4, 0);
	CHECK(load(FILE_SIZE, NULL, &b, err) == MB_NOT_MULTIBOOT,
	      "bad checksum accepted");
}

TEST(multiboot_bad_elf)
{
	struct multiboot_boot b;
	char err[256];

	fresh_ram(RAM_SIZE);
	make_elf32(0x100000, 0x100000);
	file[0] = 0x7e;
	CHECK(load(FILE_SIZE, NULL, &b, err) < 0 && strstr(err, "magic"),
	      "bad magic: '%s'", err);

	make_elf32(0x100000, 0x100000);
	file[EI_CLASS] = 3;
	CHECK(load(FILE_SIZE, NULL, &b, err) < 0 && strstr(err, "class"),
	      "bad class: '%s'", err);

	make_elf32(0x100000, 0x100000);
	le_write(file + offsetof(Elf32_Ehdr, e_machine), 2, EM_ARM);
	CHECK(load(FILE_SIZE, NULL, &b, err) < 0 && strstr(err, "machine"),
	      "bad machine: '%s'", err);
}

TEST(multiboot_truncated)
{
	struct multiboot_boot b;
	char err[256];

	fresh_ram(RAM_SIZE);
	make_elf32(0x100000, 0x100000);
	CHECK(load(CODE_OFF + 0x100, NULL, &b, err) < 0 &&
	      strstr(err, "truncated"), "short segment: '%s'", err);
	make_elf32(0x100000, 0x100000);
	le_write(file + offsetof(Elf32_Ehdr, e_phoff), 4, FILE_SIZE - 8);
	put_mb_header(file + 0x100, 0);
	CHECK(load(FILE_SIZE, NULL, &b, err) < 0 &&
	      strstr(err, "truncated"), "short phdrs: '%s'", err);
}

TEST(multiboot_segment_outside_ram)
{
	struct multiboot_boot b;
	char err[256];

	fresh_ram(RAM_SIZE);
	make_elf32(RAM_SIZE - CODE_LEN, RAM_SIZE - CODE_LEN);
	CHECK(load(FILE_SIZE, NULL, &b, err) < 0 &&
	      strstr(err, "outside guest RAM"), "bss past end: '%s'", err);
	make_elf32(0xfffff000, 0xfffff000);
	CHECK(load(FILE_SIZE, NULL, &b, err) < 0 &&
	      strstr(err, "outside guest RAM"), "wrapping: '%s'", err);
}

TEST(multiboot_aout_kludge)
{
	struct multiboot_boot b;
	char err[256];
	u8 *h;

	/* Not ELF at all: header at file offset 0x40, image loaded at 1 MiB. */
	fresh_ram(RAM_SIZE);
	memset(file, 0, sizeof(file));
	fill_code();
	memset(file + CODE_OFF, 0, 12);
	h = file + 0x40;
	put_mb_header(h, MB_HEADER_AOUT_KLUDGE | 0x3);
	le_write(h + 12, 4, 0x100040);			/* header_addr */
	le_write(h + 16, 4, 0x100000);			/* load_addr */
	le_write(h + 20, 4, 0x100000 + CODE_OFF + CODE_LEN); /* load_end */
	le_write(h + 24, 4, 0x100000 + CODE_OFF + CODE_LEN + BSS_LEN);
	le_write(h + 28, 4, 0x100080);			/* entry */
	CHECK(load(FILE_SIZE, NULL, &b, err) == 0, "%s", err);
	CHECK(b.image.entry == 0x100080, "entry 0x%x", b.image.entry);
	CHECK(code_loaded_at(0x100000 + CODE_OFF), "bytes or bss wrong");
	CHECK(!memcmp(guest_ram_ptr(&ram, 0x100040, 4), h, 4),
	      "header not at header_addr");

	le_write(h + 20, 4, 0x100000 + FILE_SIZE + 0x10);	/* too long */
	CHECK(load(FILE_SIZE, NULL, &b, err) < 0 && strstr(err, "truncated"),
	      "truncated kludge: '%s'", err);
}

TEST(multiboot_info_layout)
{
	struct multiboot_boot b;
	char err[256];
	u32 info, mmap, mlen;
	const char *cmd;

	fresh_ram(RAM_SIZE);
	make_elf32(0x400000, 0x400000);
	CHECK(load(FILE_SIZE, "console=ttyS0 x=1", &b, err) == 0, "%s", err);
	info = b.info_addr;
	CHECK(info >= MB_INFO_LOW_BASE && b.info_area_end <= MB_INFO_LOW_END,
	      "info at 0x%x, not in low memory", info);
	CHECK(rd32(info + MBI_FLAGS) == (MB_INFO_MEMORY | MB_INFO_CMDLINE |
	      MB_INFO_MMAP | MB_INFO_LOADER_NAME), "flags 0x%x",
	      rd32(info + MBI_FLAGS));
	CHECK(rd32(info + MBI_MEM_LOWER) == 639, "mem_lower %u",
	      rd32(info + MBI_MEM_LOWER));
	CHECK(rd32(info + MBI_MEM_UPPER) == (RAM_SIZE - SZ_1M) / 1024,
	      "mem_upper %u", rd32(info + MBI_MEM_UPPER));
	cmd = guest_ram_ptr(&ram, rd32(info + MBI_CMDLINE), 1);
	CHECK(!strcmp(cmd, "/path/kernel.elf console=ttyS0 x=1"),
	      "cmdline '%s'", cmd);
	CHECK(!strcmp(guest_ram_ptr(&ram, rd32(info + MBI_LOADER_NAME), 1),
		      "khv"), "loader name");

	mlen = rd32(info + MBI_MMAP_LENGTH);
	mmap = rd32(info + MBI_MMAP_ADDR);
	CHECK(mlen == 3 * MB_MMAP_ENTRY_SIZE, "mmap_length %u", mlen);
	CHECK(rd32(mmap) == 20 && rd32(mmap + 4) == 0 &&
	      rd32(mmap + 12) == 0x9fc00 && rd32(mmap + 20) == 1, "entry 0");
	CHECK(rd32(mmap + 28) == 0x9fc00 && rd32(mmap + 36) == 0x60400 &&
	      rd32(mmap + 44) == 2, "entry 1");
	CHECK(rd32(mmap + 52) == 0x100000 &&
	      rd32(mmap + 60) == RAM_SIZE - SZ_1M && rd32(mmap + 68) == 1,
	      "entry 2");

	/* Without --cmdline, argv[0] alone. */
	CHECK(load(FILE_SIZE, NULL, &b, err) == 0, "%s", err);
	cmd = guest_ram_ptr(&ram, rd32(b.info_addr + MBI_CMDLINE), 1);
	CHECK(!strcmp(cmd, "/path/kernel.elf"), "cmdline '%s'", cmd);
}

TEST(multiboot_info_avoids_image)
{
	struct multiboot_boot b;
	char err[256];

	/* kvm-unit-tests' realmode test loads at 0x8000. */
	fresh_ram(RAM_SIZE);
	make_elf32(0x8000, 0x8000);
	CHECK(load(FILE_SIZE, "x", &b, err) == 0, "%s", err);
	CHECK(b.info_area_end <= 0x8000, "info area 0x%x-0x%x hits 0x8000",
	      b.info_area, b.info_area_end);
	CHECK(code_loaded_at(0x8000), "image damaged by the info");

	/* An image right where the info would go pushes it past the image. */
	make_elf32(0x1000, 0x1000);
	CHECK(load(FILE_SIZE, "x", &b, err) == 0, "%s", err);
	CHECK(b.info_area >= 0x1000 + CODE_LEN + BSS_LEN,
	      "info area 0x%x overlaps the image", b.info_area);
	CHECK(code_loaded_at(0x1000), "image damaged by the info");
}

TEST(multiboot_module)
{
	static const u8 initrd[] = "NR_CPUS=1\nMEMSIZE=16\n";
	struct multiboot_params p = {
		.kernel_path = "k", .kernel = file, .kernel_size = FILE_SIZE,
		.initrd_path = "env.txt", .initrd = initrd,
		.initrd_size = sizeof(initrd) - 1,
	};
	struct multiboot_boot b;
	char err[256];
	u32 info, mods;

	fresh_ram(RAM_SIZE);
	make_elf32(0x400000, 0x400000);
	CHECK(multiboot_load(&ram, &p, &b, err, sizeof(err)) == 0, "%s", err);
	info = b.info_addr;
	CHECK(rd32(info + MBI_FLAGS) & MB_INFO_MODS, "no MODS flag");
	CHECK(rd32(info + MBI_MODS_COUNT) == 1, "mods_count");
	mods = rd32(info + MBI_MODS_ADDR);
	CHECK(rd32(mods) == 0x403000, "module at 0x%x, want 0x403000",
	      rd32(mods));
	CHECK(rd32(mods + 4) == 0x403000 + sizeof(initrd) - 1, "module end");
	CHECK(!memcmp(guest_ram_ptr(&ram, 0x403000, sizeof(initrd) - 1),
		      initrd, sizeof(initrd) - 1), "module bytes");
	CHECK(!strcmp(guest_ram_ptr(&ram, rd32(mods + 8), 1), "env.txt"),
	      "module string");
}

TEST(multiboot_ram_above_hole)
{
	struct multiboot_boot b;
	char err[256];
	u32 info, mmap;

	/* 5 GiB of MAP_NORESERVE memory: only a few pages get touched. */
	free(ram_buf);
	ram_buf = NULL;
	CHECK(!guest_ram_alloc(&ram, 5 * SZ_1G), "cannot map 5G");
	make_elf32(0x400000, 0x400000);
	if (load(FILE_SIZE, NULL, &b, err)) {
		guest_ram_free(&ram);
		CHECK(0, "%s", err);
	}
	info = b.info_addr;
	mmap = rd32(info + MBI_MMAP_ADDR);
	CHECK(ram.low_size == MMIO_HOLE_START, "low size");
	CHECK(rd32(info + MBI_MEM_UPPER) == (MMIO_HOLE_START - SZ_1M) / 1024,
	      "mem_upper %u", rd32(info + MBI_MEM_UPPER));
	CHECK(rd32(info + MBI_MMAP_LENGTH) == 4 * MB_MMAP_ENTRY_SIZE,
	      "mmap entries");
	CHECK(le_read(guest_ram_ptr(&ram, mmap + 72 + 4, 8), 8) ==
	      HIGH_RAM_START, "high RAM base");
	CHECK(le_read(guest_ram_ptr(&ram, mmap + 72 + 12, 8), 8) ==
	      5 * SZ_1G - MMIO_HOLE_START, "high RAM length");
	CHECK(guest_ram_ptr(&ram, HIGH_RAM_START, 8) ==
	      ram.hva + MMIO_HOLE_START, "high RAM address");
	CHECK(!guest_ram_ptr(&ram, MMIO_HOLE_START, 1), "hole is RAM");
	guest_ram_free(&ram);
}

TEST(multiboot_entry_registers)
{
	struct multiboot_boot b;
	struct khv_sregs s;
	struct khv_regs r;
	char err[256];
	u8 *gdt;

	fresh_ram(RAM_SIZE);
	make_elf32(0x400000, 0x400010);
	CHECK(load(FILE_SIZE, NULL, &b, err) == 0, "%s", err);
	memset(&s, 0xff, sizeof(s));
	multiboot_entry_state(&b, &r, &s);
	CHECK(r.rax == 0x2badb002 && r.rbx == b.info_addr &&
	      r.rip == 0x400010 && r.rflags == 2, "GPRs");
	CHECK(s.cr0 == 0x11 && !s.cr3 && !s.cr4 && !s.efer, "control regs");
	CHECK(s.cs.selector == MB_CODE_SELECTOR && s.cs.type == 0xb &&
	      s.cs.db && s.cs.g && s.cs.s && s.cs.present && !s.cs.base &&
	      s.cs.limit == 0xffffffff, "cs");
	CHECK(s.ss.selector == MB_DATA_SELECTOR && s.ss.type == 3 &&
	      s.ds.selector == MB_DATA_SELECTOR && s.ds.db, "data segs");
	gdt = guest_ram_ptr(&ram, s.gdt.base, s.gdt.limit + 1);
	CHECK(gdt && s.gdt.limit == 31, "gdt");
	CHECK(le_read(gdt + 0x10, 8) == 0x00cf9b000000ffffULL &&
	      le_read(gdt + 0x18, 8) == 0x00cf93000000ffffULL,
	      "gdt descriptors");
}
