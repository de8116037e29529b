// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables for Linux guests.  Offsets and field meanings are from the
 * ACPI 6.4 specification, chapter 5.2; the comments name the table.  The
 * tables describe a legacy PC (dual 8259, one IOAPIC, PM timer, 8042,
 * RTC) rather than a hardware-reduced platform, because hardware-reduced
 * ACPI makes Linux drop the PIT and PIC it calibrates its clocks with.
 */
#include <string.h>

#include "acpi.h"
#include "irq.h"

#define ACPI_HDR_LEN		36
#define ACPI_OEM_ID		"KHV   "
#define ACPI_OEM_TABLE_ID	"KHVPC   "
#define ACPI_CREATOR_ID		"KHV "

/* 5.2.5.3: RSDP, revision 2 */
#define RSDP_LEN		36
#define RSDP_V1_LEN		20

/* 5.2.9: FADT, revision 6 */
#define FADT_LEN		276
#define FADT_REVISION		6
#define FADT_MINOR		4
#define FADT_FIRMWARE_CTRL	36
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_SMI_CMD		48
#define FADT_PM1A_EVT_BLK	56
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM_TMR_BLK		76
#define FADT_PM1_EVT_LEN	88
#define FADT_PM1_CNT_LEN	89
#define FADT_PM_TMR_LEN		91
#define FADT_P_LVL2_LAT		96
#define FADT_P_LVL3_LAT		98
#define FADT_CENTURY		108
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR_VERSION	131
#define FADT_X_FIRMWARE_CTRL	132
#define FADT_X_DSDT		140
#define FADT_X_PM1A_EVT_BLK	148
#define FADT_X_PM1A_CNT_BLK	172
#define FADT_X_PM_TMR_BLK	208

/* Table 5.10: fixed feature flags */
#define FADT_F_WBINVD		(1u << 0)
#define FADT_F_PROC_C1		(1u << 2)
#define FADT_F_PWR_BUTTON	(1u << 4)	/* 1: no fixed power button */
#define FADT_F_SLP_BUTTON	(1u << 5)	/* 1: no fixed sleep button */
#define FADT_F_FIX_RTC		(1u << 6)	/* 1: no RTC wake status */
#define FADT_F_TMR_VAL_EXT	(1u << 8)	/* 32-bit PM timer */
#define FADT_F_RESET_REG_SUP	(1u << 10)
/* Table 5.11: IA-PC boot architecture flags */
#define BOOT_ARCH_LEGACY	(1u << 0)	/* ISA devices present */
#define BOOT_ARCH_8042		(1u << 1)
#define BOOT_ARCH_NO_VGA	(1u << 2)
/* C2/C3 latencies above these limits mean "not supported" (Table 5.9) */
#define NO_C2_LATENCY		101
#define NO_C3_LATENCY		1001

/* 5.2.3.2: Generic Address Structure */
#define GAS_LEN			12
#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1
#define GAS_ACCESS_WORD		2
#define GAS_ACCESS_DWORD	3

/* 5.2.10: FACS */
#define FACS_LEN		64
#define FACS_VERSION		2

/* 5.2.12: MADT */
#define MADT_REVISION		5
#define MADT_LAPIC_ADDR		36
#define MADT_FLAGS		40
#define MADT_PCAT_COMPAT	1u
#define MADT_ENTRIES		44
#define MADT_LAPIC		0	/* 5.2.12.2 */
#define MADT_LAPIC_LEN		8
#define MADT_LAPIC_ENABLED	1u
#define MADT_IOAPIC		1	/* 5.2.12.3 */
#define MADT_IOAPIC_LEN		12
#define MADT_ISO		2	/* 5.2.12.5 */
#define MADT_ISO_LEN		10
#define MADT_LAPIC_NMI		4	/* 5.2.12.7 */
#define MADT_LAPIC_NMI_LEN	6
/* MPS INTI flags (Table 5.26): polarity bits 1-0, trigger bits 3-2 */
#define MPS_ACTIVE_HIGH		0x1
#define MPS_LEVEL		0xc
#define MADT_ALL_CPUS		0xff

#define IOAPIC_ID		0

u8 acpi_checksum(const u8 *p, size_t len)
{
	u8 sum = 0;

	while (len--)
		sum += *p++;
	return -sum;
}

static void acpi_header(u8 *t, const char *sig, u32 len, u8 rev)
{
	memcpy(t, sig, 4);
	le_write(t + 4, 4, len);
	t[8] = rev;
	memcpy(t + 10, ACPI_OEM_ID, 6);
	memcpy(t + 16, ACPI_OEM_TABLE_ID, 8);
	le_write(t + 24, 4, 1);			/* OEM revision */
	memcpy(t + 28, ACPI_CREATOR_ID, 4);
	le_write(t + 32, 4, 1);			/* creator revision */
}

static void acpi_finish(u8 *t)
{
	u32 len = le_read(t + 4, 4);

	t[9] = 0;
	t[9] = acpi_checksum(t, len);
}

static void gas_io(u8 *g, u8 bits, u8 access, u64 port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = bits;
	g[2] = 0;
	g[3] = access;
	le_write(g + 4, 8, port);
}

static void build_fadt(u8 *t, u64 facs, u64 dsdt)
{
	acpi_header(t, "FACP", FADT_LEN, FADT_REVISION);
	le_write(t + FADT_FIRMWARE_CTRL, 4, facs);
	le_write(t + FADT_DSDT, 4, dsdt);
	le_write(t + FADT_SCI_INT, 2, ACPI_SCI_IRQ);
	/* SMI_CMD 0: no legacy mode, the machine is always in ACPI mode. */
	le_write(t + FADT_SMI_CMD, 4, 0);
	le_write(t + FADT_PM1A_EVT_BLK, 4, ACPI_PM1_EVT_BLK);
	le_write(t + FADT_PM1A_CNT_BLK, 4, ACPI_PM1_CNT_BLK);
	le_write(t + FADT_PM_TMR_BLK, 4, ACPI_PM_TMR_BLK);
	t[FADT_PM1_EVT_LEN] = ACPI_PM1_EVT_LEN;
	t[FADT_PM1_CNT_LEN] = ACPI_PM1_CNT_LEN;
	t[FADT_PM_TMR_LEN] = ACPI_PM_TMR_LEN;
	le_write(t + FADT_P_LVL2_LAT, 2, NO_C2_LATENCY);
	le_write(t + FADT_P_LVL3_LAT, 2, NO_C3_LATENCY);
	t[FADT_CENTURY] = 0x32;			/* CMOS index, rtc.c */
	le_write(t + FADT_IAPC_BOOT_ARCH, 2,
		 BOOT_ARCH_LEGACY | BOOT_ARCH_8042 | BOOT_ARCH_NO_VGA);
	le_write(t + FADT_FLAGS, 4,
		 FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_PWR_BUTTON |
		 FADT_F_SLP_BUTTON | FADT_F_FIX_RTC | FADT_F_TMR_VAL_EXT |
		 FADT_F_RESET_REG_SUP);
	gas_io(t + FADT_RESET_REG, 8, GAS_ACCESS_BYTE, ACPI_RESET_PORT);
	t[FADT_RESET_VALUE] = ACPI_RESET_VALUE;
	t[FADT_MINOR_VERSION] = FADT_MINOR;
	le_write(t + FADT_X_FIRMWARE_CTRL, 8, facs);
	le_write(t + FADT_X_DSDT, 8, dsdt);
	gas_io(t + FADT_X_PM1A_EVT_BLK, ACPI_PM1_EVT_LEN * 8, GAS_ACCESS_WORD,
	       ACPI_PM1_EVT_BLK);
	gas_io(t + FADT_X_PM1A_CNT_BLK, ACPI_PM1_CNT_LEN * 8, GAS_ACCESS_WORD,
	       ACPI_PM1_CNT_BLK);
	gas_io(t + FADT_X_PM_TMR_BLK, ACPI_PM_TMR_LEN * 8, GAS_ACCESS_DWORD,
	       ACPI_PM_TMR_BLK);
	acpi_finish(t);
}

static u8 *madt_iso(u8 *p, u8 irq, u32 gsi, u16 flags)
{
	p[0] = MADT_ISO;
	p[1] = MADT_ISO_LEN;
	p[2] = 0;			/* bus: ISA */
	p[3] = irq;
	le_write(p + 4, 4, gsi);
	le_write(p + 8, 2, flags);
	return p + MADT_ISO_LEN;
}

static u32 madt_len(unsigned int nr_cpus)
{
	return MADT_ENTRIES + nr_cpus * MADT_LAPIC_LEN + MADT_IOAPIC_LEN +
	       2 * MADT_ISO_LEN + MADT_LAPIC_NMI_LEN;
}

static void build_madt(u8 *t, unsigned int nr_cpus)
{
	u8 *p = t + MADT_ENTRIES;
	unsigned int i;

	acpi_header(t, "APIC", madt_len(nr_cpus), MADT_REVISION);
	le_write(t + MADT_LAPIC_ADDR, 4, LAPIC_BASE);
	le_write(t + MADT_FLAGS, 4, MADT_PCAT_COMPAT);
	for (i = 0; i < nr_cpus; i++, p += MADT_LAPIC_LEN) {
		p[0] = MADT_LAPIC;
		p[1] = MADT_LAPIC_LEN;
		p[2] = i;			/* ACPI processor UID */
		p[3] = i;			/* APIC ID */
		le_write(p + 4, 4, MADT_LAPIC_ENABLED);
	}
	p[0] = MADT_IOAPIC;
	p[1] = MADT_IOAPIC_LEN;
	p[2] = IOAPIC_ID;
	p[3] = 0;
	le_write(p + 4, 4, IOAPIC_BASE);
	le_write(p + 8, 4, 0);			/* GSI base */
	p += MADT_IOAPIC_LEN;
	/* The PIT's IRQ 0 is wired to pin 2, as on every PC (irq.c). */
	p = madt_iso(p, 0, 2, 0);
	/* The SCI: level, active high, as devices/acpi_pm.c would drive it. */
	p = madt_iso(p, ACPI_SCI_IRQ, ACPI_SCI_IRQ,
		     MPS_ACTIVE_HIGH | MPS_LEVEL);
	/* LINT1 of every CPU is NMI, as a BIOS programs it. */
	p[0] = MADT_LAPIC_NMI;
	p[1] = MADT_LAPIC_NMI_LEN;
	p[2] = MADT_ALL_CPUS;
	le_write(p + 3, 2, 0);
	p[5] = 1;
	acpi_finish(t);
}

static void build_rsdp(u8 *r, u64 rsdt, u64 xsdt)
{
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, ACPI_OEM_ID, 6);
	r[15] = 2;				/* revision: ACPI 2.0+ */
	le_write(r + 16, 4, rsdt);
	le_write(r + 20, 4, RSDP_LEN);
	le_write(r + 24, 8, xsdt);
	r[8] = acpi_checksum(r, RSDP_V1_LEN);
	r[32] = acpi_checksum(r, RSDP_LEN);
}

u64 acpi_build(u8 *buf, u64 base, u64 size, const struct acpi_config *cfg)
{
	/* Layout: RSDP, FACS (64-byte aligned), then the tables. */
	u8 aml[512];
	size_t aml_len = acpi_dsdt_aml(aml, sizeof(aml));
	u64 rsdp = 0, facs = 64, dsdt = facs + FACS_LEN;
	u64 fadt = ALIGN_UP(dsdt + ACPI_HDR_LEN + aml_len, 16);
	u64 madt = ALIGN_UP(fadt + FADT_LEN, 16);
	u64 rsdt = ALIGN_UP(madt + madt_len(cfg->nr_cpus), 16);
	u64 xsdt = ALIGN_UP(rsdt + ACPI_HDR_LEN + 2 * 4, 16);
	u64 end = xsdt + ACPI_HDR_LEN + 2 * 8;
	u8 *t;

	if (!aml_len || end > size || cfg->nr_cpus < 1 || cfg->nr_cpus > 255)
		return 0;
	memset(buf, 0, end);

	t = buf + facs;
	memcpy(t, "FACS", 4);
	le_write(t + 4, 4, FACS_LEN);
	t[32] = FACS_VERSION;

	t = buf + dsdt;
	acpi_header(t, "DSDT", ACPI_HDR_LEN + aml_len, 2);
	memcpy(t + ACPI_HDR_LEN, aml, aml_len);
	acpi_finish(t);

	build_fadt(buf + fadt, base + facs, base + dsdt);
	build_madt(buf + madt, cfg->nr_cpus);

	t = buf + rsdt;
	acpi_header(t, "RSDT", ACPI_HDR_LEN + 2 * 4, 1);
	le_write(t + ACPI_HDR_LEN, 4, base + fadt);
	le_write(t + ACPI_HDR_LEN + 4, 4, base + madt);
	acpi_finish(t);

	t = buf + xsdt;
	acpi_header(t, "XSDT", ACPI_HDR_LEN + 2 * 8, 1);
	le_write(t + ACPI_HDR_LEN, 8, base + fadt);
	le_write(t + ACPI_HDR_LEN + 8, 8, base + madt);
	acpi_finish(t);

	build_rsdp(buf + rsdp, base + rsdt, base + xsdt);
	return base + rsdp;
}
