// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux boot protocol loader and the ACPI tables: a synthetic bzImage
 * header, the zero page and e820 map it produces, the rejects, and the
 * tables' checksums and layout.
 */
#include <stdlib.h>
#include <string.h>

#include "../khv/acpi.h"
#include "../khv/bzimage.h"
#include "../khv/irq.h"
#include "test.h"

#define FAKE_SETUP_SECTS	1
#define FAKE_SETUP_SIZE		((FAKE_SETUP_SECTS + 1) * 512)
#define FAKE_KERNEL_SIZE	0x3000
#define FAKE_INIT_SIZE		0x200000
#define FAKE_RAM		(64 * SZ_1M)

static u8 image[FAKE_SETUP_SIZE + FAKE_KERNEL_SIZE];
static u8 *ram_buf;
static struct guest_ram ram;

/* A header as Debian 12's kernel has it (protocol 2.15, 64-bit). */
static void make_image(void)
{
	unsigned int i;

	memset(image, 0, sizeof(image));
	image[BZ_SETUP_SECTS] = FAKE_SETUP_SECTS;
	le_write(image + BZ_BOOT_FLAG, 2, 0xaa55);
	image[BZ_JUMP] = 0xeb;
	image[BZ_JUMP + 1] = 0x6a;		/* header ends at 0x26c */
	le_write(image + BZ_HEADER, 4, 0x53726448);
	le_write(image + BZ_VERSION, 2, 0x020f);
	image[BZ_LOADFLAGS] = BZ_LOADED_HIGH;
	le_write(image + BZ_INITRD_ADDR_MAX, 4, 0x7fffffff);
	le_write(image + BZ_KERNEL_ALIGNMENT, 4, 0x200000);
	image[BZ_RELOCATABLE] = 1;
	le_write(image + BZ_XLOADFLAGS, 2, BZ_XLF_KERNEL_64);
	le_write(image + BZ_CMDLINE_SIZE, 4, 2047);
	le_write(image + BZ_PREF_ADDRESS, 8, 0x1000000);
	le_write(image + BZ_INIT_SIZE, 4, FAKE_INIT_SIZE);
	for (i = 0; i < FAKE_KERNEL_SIZE; i++)
		image[FAKE_SETUP_SIZE + i] = i * 13 + 1;
}

static void make_ram(u64 size)
{
	free(ram_buf);
	ram_buf = calloc(1, size);
	guest_ram_wrap_hole(&ram, ram_buf, size, PCI_HOLE_START);
}

static u64 zp(const struct linux_boot *b, unsigned int off, unsigned int len)
{
	return le_read(guest_ram_ptr(&ram, b->zero_page + off, len), len);
}

TEST(bzimage_parse_header)
{
	struct bzimage bz;
	char err[256];

	make_image();
	CHECK(!bzimage_parse(image, sizeof(image), &bz, err, sizeof(err)),
	      "parse: %s", err);
	CHECK(bz.version == 0x020f, "version 0x%x", bz.version);
	CHECK(bz.setup_size == FAKE_SETUP_SIZE, "setup size %zu", bz.setup_size);
	CHECK(bz.kernel_size == FAKE_KERNEL_SIZE, "kernel size");
	CHECK(bz.hdr_end == 0x26c, "header end 0x%zx", bz.hdr_end);
	CHECK(bz.pref_address == 0x1000000 && bz.init_size == FAKE_INIT_SIZE,
	      "pref_address/init_size");
	CHECK(bz.xloadflags & BZ_XLF_KERNEL_64, "XLF_KERNEL_64");
	CHECK(bz.relocatable && bz.cmdline_size == 2047, "relocatable/cmdline");
}

TEST(bzimage_rejects)
{
	struct bzimage bz;
	char err[256] = "";

	make_image();
	le_write(image + BZ_HEADER, 4, 0x12345678);
	CHECK(bzimage_parse(image, sizeof(image), &bz, err, sizeof(err)) ==
	      BZ_NOT_BZIMAGE, "no HdrS must say: not a bzImage");
	make_image();
	le_write(image + BZ_BOOT_FLAG, 2, 0);
	CHECK(bzimage_parse(image, sizeof(image), &bz, err, sizeof(err)) ==
	      BZ_NOT_BZIMAGE, "no boot flag must say: not a bzImage");
	CHECK(bzimage_parse(image, 100, &bz, err, sizeof(err)) ==
	      BZ_NOT_BZIMAGE, "a short file is not a bzImage");

	make_image();
	le_write(image + BZ_VERSION, 2, 0x0205);
	CHECK(bzimage_parse(image, sizeof(image), &bz, err, sizeof(err)) == -1,
	      "protocol 2.05 accepted");
	CHECK(strstr(err, "2.05") && strstr(err, "2.06"), "message: %s", err);

	make_image();
	image[BZ_LOADFLAGS] = 0;
	CHECK(bzimage_parse(image, sizeof(image), &bz, err, sizeof(err)) == -1 &&
	      strstr(err, "zImage"), "zImage accepted: %s", err);

	make_image();
	CHECK(bzimage_parse(image, FAKE_SETUP_SIZE, &bz, err, sizeof(err)) == -1 &&
	      strstr(err, "truncated"), "truncated image accepted: %s", err);
}

TEST(linux_load_zero_page)
{
	static const u8 initrd[] = "initrd-bytes";
	struct linux_params p = {
		.initrd = initrd, .initrd_size = sizeof(initrd),
		.cmdline = "console=ttyS0 quiet", .rsdp = 0xe0000,
	};
	struct linux_boot b;
	struct bzimage bz;
	char err[256];
	u64 e;

	make_image();
	make_ram(FAKE_RAM);
	CHECK(!bzimage_parse(image, sizeof(image), &bz, err, sizeof(err)), "parse");
	CHECK(!linux_load(&ram, &bz, &p, &b, err, sizeof(err)), "load: %s", err);
	CHECK(b.long_mode && b.load_addr == 0x1000000, "load at pref_address");
	CHECK(b.entry == 0x1000200, "64-bit entry at +0x200: 0x%llx",
	      (unsigned long long)b.entry);
	CHECK(b.load_end == 0x1000000 + FAKE_INIT_SIZE, "load_end");
	CHECK(!memcmp(guest_ram_ptr(&ram, 0x1000000, FAKE_KERNEL_SIZE),
		      image + FAKE_SETUP_SIZE, FAKE_KERNEL_SIZE),
	      "protected-mode kernel not copied");

	/* The header is copied, the loader's fields filled in. */
	CHECK(zp(&b, BZ_HEADER, 4) == 0x53726448, "HdrS in the zero page");
	CHECK(zp(&b, BZ_VERSION, 2) == 0x020f, "version in the zero page");
	CHECK(zp(&b, BZ_TYPE_OF_LOADER, 1) == 0xff, "type_of_loader");
	CHECK(zp(&b, ZP_ACPI_RSDP_ADDR, 8) == 0xe0000, "acpi_rsdp_addr");
	CHECK(zp(&b, BZ_CMD_LINE_PTR, 4) == b.cmdline_addr, "cmd_line_ptr");
	CHECK(!strcmp(guest_ram_ptr(&ram, b.cmdline_addr, 1),
		      "console=ttyS0 quiet"), "command line");
	CHECK(b.initrd_addr % SZ_4K == 0, "initrd not page aligned");
	CHECK(b.initrd_addr + sizeof(initrd) <= FAKE_RAM &&
	      b.initrd_addr + SZ_4K + sizeof(initrd) > FAKE_RAM,
	      "initrd not at the top of RAM: 0x%llx",
	      (unsigned long long)b.initrd_addr);
	CHECK(zp(&b, BZ_RAMDISK_IMAGE, 4) == b.initrd_addr &&
	      zp(&b, BZ_RAMDISK_SIZE, 4) == sizeof(initrd), "ramdisk fields");
	CHECK(!memcmp(guest_ram_ptr(&ram, b.initrd_addr, sizeof(initrd)),
		      initrd, sizeof(initrd)), "initrd bytes");

	/* e820: RAM, EBDA, BIOS area, RAM from 1 MiB to the end. */
	CHECK(zp(&b, ZP_E820_ENTRIES, 1) == 4, "e820 entries %llu",
	      (unsigned long long)zp(&b, ZP_E820_ENTRIES, 1));
	e = ZP_E820_TABLE + 3 * E820_ENTRY_SIZE;
	CHECK(zp(&b, e, 8) == SZ_1M && zp(&b, e + 8, 8) == FAKE_RAM - SZ_1M &&
	      zp(&b, e + 16, 4) == E820_RAM, "e820 high RAM entry");
	CHECK(zp(&b, ZP_E820_TABLE + 8, 8) == LINUX_LOW_RAM_END,
	      "e820 low RAM size");

	/* Page tables: 2 MiB identity pages, PD entry 5 maps 10 MiB. */
	CHECK(le_read(guest_ram_ptr(&ram, LINUX_PML4_ADDR, 8), 8) ==
	      ((LINUX_PML4_ADDR + SZ_4K) | 3), "PML4[0]");
	CHECK(le_read(guest_ram_ptr(&ram, LINUX_PML4_ADDR + 2 * SZ_4K + 40, 8),
		      8) == (5 * SZ_2M | 0x83), "PD[5]");
}

TEST(linux_load_limits)
{
	struct linux_params p = { .cmdline = "x" };
	static u8 big_initrd[2 * SZ_1M];
	struct linux_boot b;
	struct bzimage bz;
	char err[256], *cmd;

	make_image();
	make_ram(FAKE_RAM);
	bzimage_parse(image, sizeof(image), &bz, err, sizeof(err));

	/* cmdline_size: 2047 bytes pass, 2048 do not. */
	cmd = malloc(2049);
	memset(cmd, 'a', 2048);
	cmd[2047] = 0;
	p.cmdline = cmd;
	CHECK(!linux_load(&ram, &bz, &p, &b, err, sizeof(err)), "2047: %s", err);
	cmd[2047] = 'a';
	cmd[2048] = 0;
	CHECK(linux_load(&ram, &bz, &p, &b, err, sizeof(err)) == -1 &&
	      strstr(err, "2048"), "2048-byte command line: %s", err);
	free(cmd);
	p.cmdline = NULL;

	/* initrd_addr_max is the last byte the initrd may occupy. */
	le_write(image + BZ_INITRD_ADDR_MAX, 4, 0x1ffffff);
	bzimage_parse(image, sizeof(image), &bz, err, sizeof(err));
	p.initrd = big_initrd;
	p.initrd_size = sizeof(big_initrd);
	CHECK(!linux_load(&ram, &bz, &p, &b, err, sizeof(err)), "%s", err);
	CHECK(b.initrd_addr + sizeof(big_initrd) <= 0x2000000 &&
	      b.initrd_addr == 0x2000000 - sizeof(big_initrd),
	      "initrd at 0x%llx ignores initrd_addr_max",
	      (unsigned long long)b.initrd_addr);
	/* ... and must not overlap the kernel. */
	le_write(image + BZ_INITRD_ADDR_MAX, 4, 0x11fffff);
	bzimage_parse(image, sizeof(image), &bz, err, sizeof(err));
	CHECK(linux_load(&ram, &bz, &p, &b, err, sizeof(err)) == -1 &&
	      strstr(err, "initrd"), "initrd over the kernel: %s", err);

	/* Too little RAM for pref_address + init_size. */
	make_image();
	bzimage_parse(image, sizeof(image), &bz, err, sizeof(err));
	make_ram(16 * SZ_1M);
	p.initrd_size = 0;
	CHECK(linux_load(&ram, &bz, &p, &b, err, sizeof(err)) == -1 &&
	      strstr(err, "--mem"), "kernel above RAM: %s", err);
}

TEST(linux_entry_64)
{
	struct linux_boot b;
	struct khv_sregs s;
	struct khv_regs r;
	struct bzimage bz;
	struct linux_params p = { 0 };
	char err[256];

	make_image();
	make_ram(FAKE_RAM);
	bzimage_parse(image, sizeof(image), &bz, err, sizeof(err));
	CHECK(!linux_load(&ram, &bz, &p, &b, err, sizeof(err)), "%s", err);
	memset(&s, 0, sizeof(s));
	linux_entry_state(&b, &r, &s);
	CHECK(r.rip == 0x1000200 && r.rsi == b.zero_page, "rip/rsi");
	CHECK(r.rflags == 2, "interrupts must be off");
	CHECK(s.cs.selector == 0x10 && s.cs.l && !s.cs.db, "64-bit CS");
	CHECK(s.ds.selector == 0x18 && s.ss.selector == 0x18, "data segments");
	CHECK(s.efer == 0x500 && (s.cr0 & 0x80000001) == 0x80000001 &&
	      s.cr4 == 0x20 && s.cr3 == LINUX_PML4_ADDR, "long mode state");
	/* The GDT holds what the segment registers claim. */
	CHECK(le_read(guest_ram_ptr(&ram, b.gdt_addr + 0x10, 8), 8) ==
	      0x00af9b000000ffffULL, "GDT code descriptor");

	/* Without XLF_KERNEL_64: the 32-bit entry, paging off. */
	le_write(image + BZ_XLOADFLAGS, 2, 0);
	bzimage_parse(image, sizeof(image), &bz, err, sizeof(err));
	CHECK(!linux_load(&ram, &bz, &p, &b, err, sizeof(err)), "%s", err);
	linux_entry_state(&b, &r, &s);
	CHECK(r.rip == 0x1000000 && !s.cs.l && s.cs.db && !s.efer &&
	      s.cr0 == 0x11, "32-bit entry state");
}

TEST(e820_above_4g)
{
	struct guest_ram big = { .size = 5 * SZ_1G };
	struct e820_entry e[8];
	unsigned int n;

	/* 5 GiB for Linux: 3 GiB below the PCI hole, 2 GiB at 4 GiB. */
	big.low_size = PCI_HOLE_START;
	n = e820_build(&big, e, 8);
	CHECK(n == 5, "%u entries", n);
	CHECK(e[3].addr == SZ_1M && e[3].addr + e[3].size == PCI_HOLE_START,
	      "low RAM must end at the hole");
	CHECK(e[4].addr == HIGH_RAM_START && e[4].size == 2 * SZ_1G &&
	      e[4].type == E820_RAM, "high RAM");
	CHECK(e[1].type == E820_RESERVED && e[2].addr == 0xe0000,
	      "reserved BIOS areas");
}

static bool sum_ok(const u8 *p, size_t len)
{
	return acpi_checksum(p, len) == 0;
}

TEST(acpi_tables)
{
	struct acpi_config cfg = { .nr_cpus = 2 };
	static u8 buf[0x20000];
	const u64 base = ACPI_TABLES_BASE;
	const u8 *rsdp, *xsdt, *fadt, *madt, *dsdt, *facs, *p;
	u64 addr;
	unsigned int nlapic = 0, niso = 0, nioapic = 0;

	addr = acpi_build(buf, base, sizeof(buf), &cfg);
	CHECK(addr == base, "RSDP at 0x%llx", (unsigned long long)addr);
	rsdp = buf;
	CHECK(!memcmp(rsdp, "RSD PTR ", 8) && rsdp[15] == 2, "RSDP signature");
	CHECK(sum_ok(rsdp, 20) && sum_ok(rsdp, 36), "RSDP checksums");
	xsdt = buf + (le_read(rsdp + 24, 8) - base);
	CHECK(!memcmp(xsdt, "XSDT", 4) && sum_ok(xsdt, le_read(xsdt + 4, 4)),
	      "XSDT");
	CHECK(le_read(xsdt + 4, 4) == 36 + 16, "XSDT holds two tables");
	p = buf + (le_read(rsdp + 16, 4) - base);
	CHECK(!memcmp(p, "RSDT", 4) && sum_ok(p, le_read(p + 4, 4)), "RSDT");

	fadt = buf + (le_read(xsdt + 36, 8) - base);
	CHECK(!memcmp(fadt, "FACP", 4) && le_read(fadt + 4, 4) == 276 &&
	      sum_ok(fadt, 276), "FADT");
	CHECK(le_read(fadt + 46, 2) == ACPI_SCI_IRQ, "SCI_INT");
	CHECK(le_read(fadt + 64, 4) == ACPI_PM1_CNT_BLK &&
	      le_read(fadt + 76, 4) == ACPI_PM_TMR_BLK && fadt[91] == 4,
	      "PM1a_CNT / PM timer");
	CHECK(le_read(fadt + 112, 4) & (1u << 10), "RESET_REG_SUP");
	CHECK(le_read(fadt + 116 + 4, 8) == ACPI_RESET_PORT &&
	      fadt[128] == ACPI_RESET_VALUE, "reset register");
	CHECK(!(le_read(fadt + 112, 4) & (1u << 20)), "not hardware-reduced");

	dsdt = buf + (le_read(fadt + 140, 8) - base);
	CHECK(le_read(fadt + 40, 4) == le_read(fadt + 140, 8), "DSDT vs X_DSDT");
	CHECK(!memcmp(dsdt, "DSDT", 4) && sum_ok(dsdt, le_read(dsdt + 4, 4)),
	      "DSDT");
	CHECK(!memcmp(dsdt + 36, "\x08_S5_\x12\x08\x04\x0a\x05\x0a\x05\x00\x00",
		      14), "\\_S5 AML");
	facs = buf + (le_read(fadt + 36, 4) - base);
	CHECK(!memcmp(facs, "FACS", 4) && le_read(facs + 4, 4) == 64 &&
	      (le_read(fadt + 36, 4) % 64) == 0, "FACS, 64-byte aligned");

	madt = buf + (le_read(xsdt + 44, 8) - base);
	CHECK(!memcmp(madt, "APIC", 4) && sum_ok(madt, le_read(madt + 4, 4)),
	      "MADT");
	CHECK(le_read(madt + 36, 4) == LAPIC_BASE && (madt[40] & 1),
	      "LAPIC address / PCAT_COMPAT");
	for (p = madt + 44; p < madt + le_read(madt + 4, 4); p += p[1]) {
		CHECK(p[1] >= 2, "MADT entry of length %u", p[1]);
		if (p[0] == 0) {
			CHECK(p[3] == nlapic && (p[4] & 1), "LAPIC %u", nlapic);
			nlapic++;
		} else if (p[0] == 1) {
			CHECK(le_read(p + 4, 4) == IOAPIC_BASE &&
			      le_read(p + 8, 4) == 0, "IOAPIC entry");
			nioapic++;
		} else if (p[0] == 2) {
			if (p[3] == 0)
				CHECK(le_read(p + 4, 4) == 2, "IRQ0 -> GSI2");
			niso++;
		}
	}
	CHECK(nlapic == 2 && nioapic == 1 && niso == 2, "MADT has %u LAPICs, %u IOAPICs, %u overrides",
	      nlapic, nioapic, niso);

	CHECK(!acpi_build(buf, base, 100, &cfg), "tables must not overflow");
}

/*
 * The DSDT's AML is hand-encoded (acpi_dsdt.c): ACPICA's disassembler,
 * the reference implementation Linux itself uses, must read it back as
 * the ASL it stands for.
 */
TEST(acpi_dsdt_disassembles)
{
	static const char *const want[] = {
		"Name (_S5, Package (0x04)",
		"Device (PCI0)",
		"Name (_HID, EisaId (\"PNP0A03\")",
		"WordBusNumber (ResourceProducer, MinFixed, MaxFixed",
		"0x00FF,             // Range Maximum",
		"0x0CF8,             // Range Minimum",
		"0x0CF7,             // Range Maximum",
		"0x0D00,             // Range Minimum",
		"DWordMemory (ResourceProducer",
		"0xC0000000,         // Range Minimum",
		"0xFEBFFFFF,         // Range Maximum",
	};
	char dir[] = "/tmp/khv-dsdt.XXXXXX", path[64], cmd[192], *dsl;
	u8 aml[512], table[600];
	size_t n = acpi_dsdt_aml(aml, sizeof(aml)), i;
	FILE *f;
	long len;

	CHECK(n > 0 && n + 36 <= sizeof(table), "AML of %zu bytes", n);
	CHECK(!acpi_dsdt_aml(aml, n - 1), "a short buffer is refused");
	CHECK(mkdtemp(dir), "mkdtemp");
	memset(table, 0, 36);
	memcpy(table, "DSDT", 4);
	le_write(table + 4, 4, 36 + n);
	table[8] = 2;
	memcpy(table + 36, aml, n);
	table[9] = acpi_checksum(table, 36 + n);
	snprintf(path, sizeof(path), "%s/dsdt.dat", dir);
	f = fopen(path, "wb");
	CHECK(f && fwrite(table, 1, 36 + n, f) == 36 + n && !fclose(f),
	      "write %s", path);
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -d dsdt.dat >iasl.log 2>&1",
		 dir);
	CHECK(!system(cmd), "iasl -d (package acpica-tools) failed: see %s",
	      dir);
	snprintf(path, sizeof(path), "%s/dsdt.dsl", dir);
	f = fopen(path, "r");
	CHECK(f, "no %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	dsl = calloc(1, len + 1);
	CHECK(dsl && fread(dsl, 1, len, f) == (size_t)len, "read %s", path);
	fclose(f);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(strstr(dsl, want[i]), "the disassembly lacks '%s'",
		      want[i]);
	free(dsl);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(!system(cmd), "rm %s", dir);
}
