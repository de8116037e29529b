// SPDX-License-Identifier: GPL-2.0
/*
 * The DSDT's AML (ACPI 6.4, chapter 20), encoded here byte by byte:
 *
 *   Name (_S5, Package () { 5, 5, 0, 0 })	soft-off for devices/acpi_pm.c
 *   Device (PCI0) {				the PCI root bridge
 *	Name (_HID, EisaId ("PNP0A03"))
 *	Name (_UID, Zero)
 *	Name (_CRS, ResourceTemplate () {	what bus 0 decodes
 *		WordBusNumber	0x00-0xff
 *		IO		0xcf8, 8 bytes	(devices/pci_conf.c)
 *		WordIO		0x0000-0x0cf7, 0x0d00-0xffff
 *		DWordMemory	PCI_HOLE_START-0xfebfffff
 *	})
 *   }
 *
 * An ACPI OS finds PCI buses only through such a root bridge device:
 * Linux scans bus 0 from it, and without it sees no PCI device at all.
 * The memory window ends below the IOAPIC at 0xfec00000.
 */
#include <string.h>

#include "acpi.h"
#include "ram.h"

#define AML_ZERO		0x00
#define AML_NAME		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_DWORD_PREFIX	0x0c
#define AML_BUFFER		0x11
#define AML_PACKAGE		0x12
#define AML_EXT_PREFIX		0x5b
#define AML_DEVICE		0x82	/* after AML_EXT_PREFIX */

/* Resource descriptors (ACPI 6.4, 6.4.2 and 6.4.3). */
#define RES_IO			0x47	/* small, I/O port, 7 bytes */
#define RES_END			0x79	/* small, end tag, 1 byte */
#define RES_DWORD_ADDR		0x87	/* large, DWord address space */
#define RES_WORD_ADDR		0x88	/* large, Word address space */
#define RES_TYPE_MEM		0
#define RES_TYPE_IO		1
#define RES_TYPE_BUS		2
/* General flags: _MIF and _MAF fixed, producer (a bridge window). */
#define RES_FIXED_WINDOW	0x0c
#define RES_IO_ENTIRE_RANGE	0x03	/* _RNG: ISA and non-ISA ports */
#define RES_MEM_RW		0x01	/* _RW: read-write, non-cacheable */

#define PCI_MEM_WINDOW_END	0xfebfffffULL

/* "PNP0A03" as EisaId() packs it (ACPI 6.4, 19.6.35). */
#define EISA_PNP0A03		0x030ad041

struct aml {
	u8 *buf;
	size_t len, cap;
};

static void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (a->len + n <= a->cap)
		memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void aml_byte(struct aml *a, u8 b)
{
	aml_bytes(a, &b, 1);
}

static void aml_le(struct aml *a, u64 v, unsigned int n)
{
	u8 b[8];

	le_write(b, n, v);
	aml_bytes(a, b, n);
}

/*
 * PkgLength (ACPI 6.4, 20.2.4) of n bytes that follow it: it counts its
 * own bytes too, one for up to 63, else a lead byte with the length's
 * low nibble and the count of bytes that follow, and those bytes.
 */
static void aml_pkglen(struct aml *a, size_t n)
{
	if (n + 1 < 0x40) {
		aml_byte(a, n + 1);
	} else if (n + 2 < 0x1000) {
		n += 2;
		aml_byte(a, 0x40 | (n & 0xf));
		aml_byte(a, n >> 4);
	} else {
		n += 3;
		aml_byte(a, 0x80 | (n & 0xf));
		aml_byte(a, (n >> 4) & 0xff);
		aml_byte(a, n >> 12);
	}
}

static void aml_name(struct aml *a, const char *seg)
{
	aml_byte(a, AML_NAME);
	aml_bytes(a, seg, 4);
}

/*
 * A Word (16-bit) or DWord (32-bit) Address Space Descriptor (ACPI 6.4,
 * 6.4.3.5.2-3): tag, length of what follows, resource type, flags, type
 * flags, then granularity, minimum, maximum, translation and length.
 */
static void res_window(struct aml *a, unsigned int width, u8 type,
		       u8 specific, u32 min, u32 max)
{
	aml_byte(a, width == 2 ? RES_WORD_ADDR : RES_DWORD_ADDR);
	aml_le(a, 3 + 5 * width, 2);
	aml_byte(a, type);
	aml_byte(a, RES_FIXED_WINDOW);
	aml_byte(a, specific);
	aml_le(a, 0, width);			/* granularity */
	aml_le(a, min, width);
	aml_le(a, max, width);
	aml_le(a, 0, width);			/* translation */
	aml_le(a, (u64)max - min + 1, width);
}

static size_t pci_crs(u8 *buf, size_t cap)
{
	struct aml a = { buf, 0, cap };

	res_window(&a, 2, RES_TYPE_BUS, 0, 0x00, 0xff);
	aml_byte(&a, RES_IO);
	aml_byte(&a, 0x01);			/* 16-bit decode */
	aml_le(&a, 0xcf8, 2);
	aml_le(&a, 0xcf8, 2);
	aml_byte(&a, 0x01);			/* alignment */
	aml_byte(&a, 0x08);			/* length */
	res_window(&a, 2, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, 0x0000, 0x0cf7);
	res_window(&a, 2, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, 0x0d00, 0xffff);
	res_window(&a, 4, RES_TYPE_MEM, RES_MEM_RW, PCI_HOLE_START,
		   PCI_MEM_WINDOW_END);
	aml_byte(&a, RES_END);
	aml_byte(&a, 0);			/* checksum 0: not computed */
	return a.len;
}

static size_t pci0_body(u8 *buf, size_t cap)
{
	struct aml a = { buf, 0, cap };
	u8 crs[128];
	size_t n = pci_crs(crs, sizeof(crs));

	aml_bytes(&a, "PCI0", 4);
	aml_name(&a, "_HID");
	aml_byte(&a, AML_DWORD_PREFIX);
	aml_le(&a, EISA_PNP0A03, 4);
	aml_name(&a, "_UID");
	aml_byte(&a, AML_ZERO);
	aml_name(&a, "_CRS");
	aml_byte(&a, AML_BUFFER);
	aml_pkglen(&a, 2 + n);
	aml_byte(&a, AML_BYTE_PREFIX);		/* BufferSize */
	aml_byte(&a, n);
	aml_bytes(&a, crs, n);
	return a.len;
}

size_t acpi_dsdt_aml(u8 *buf, size_t cap)
{
	static const u8 s5[] = {
		AML_PACKAGE, 0x08, 0x04,	/* PkgLength 8, 4 elements */
		AML_BYTE_PREFIX, ACPI_S5_SLP_TYP,
		AML_BYTE_PREFIX, ACPI_S5_SLP_TYP,
		AML_ZERO, AML_ZERO,
	};
	struct aml a = { buf, 0, cap };
	u8 body[256];
	size_t n = pci0_body(body, sizeof(body));

	aml_name(&a, "_S5_");
	aml_bytes(&a, s5, sizeof(s5));
	aml_byte(&a, AML_EXT_PREFIX);
	aml_byte(&a, AML_DEVICE);
	aml_pkglen(&a, n);
	aml_bytes(&a, body, n);
	return a.len > cap ? 0 : a.len;
}
