/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_ACPI_H
#define KHV_ACPI_H

#include "util.h"

/*
 * The ACPI tables of the PC platform (ACPI 6.4): RSDP, RSDT, XSDT, FADT,
 * FACS, DSDT (\_S5 and the PCI root bridge, acpi_dsdt.c) and MADT.
 * They live in the BIOS area at ACPI_TABLES_BASE, where an OS without
 * firmware help finds the RSDP by scanning 0xe0000-0xfffff (ACPI 6.4,
 * 5.2.5.1).
 */
#define ACPI_TABLES_BASE	0xe0000ULL
#define ACPI_TABLES_END		0x100000ULL

/* The fixed hardware of the FADT, emulated by devices/acpi_pm.c. */
#define ACPI_PM_BASE		0x600
#define ACPI_PM1_EVT_BLK	ACPI_PM_BASE		/* PM1_STS, PM1_EN */
#define ACPI_PM1_EVT_LEN	4
#define ACPI_PM1_CNT_BLK	(ACPI_PM_BASE + 4)
#define ACPI_PM1_CNT_LEN	2
#define ACPI_PM_TMR_BLK		(ACPI_PM_BASE + 8)
#define ACPI_PM_TMR_LEN		4
#define ACPI_PM_TIMER_HZ	3579545ULL
#define ACPI_SCI_IRQ		9
/* \_S5 in the DSDT: SLP_TYP 5 in PM1_CNT means soft off. */
#define ACPI_S5_SLP_TYP		5
/* The FADT reset register: the i8042's pulse-reset command. */
#define ACPI_RESET_PORT		0x64
#define ACPI_RESET_VALUE	0xfe

struct acpi_config {
	unsigned int nr_cpus;
};

/*
 * Write the tables into buf, which the guest sees at base (size bytes).
 * Returns the RSDP's guest address, or 0 if they do not fit.
 */
u64 acpi_build(u8 *buf, u64 base, u64 size, const struct acpi_config *cfg);

/* The DSDT's AML into buf; its length, or 0 if cap is too small. */
size_t acpi_dsdt_aml(u8 *buf, size_t cap);

/* The 8-bit sum that makes a table's bytes add up to zero. */
u8 acpi_checksum(const u8 *p, size_t len);

#endif
