// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI fixed hardware the FADT points at (ACPI 6.4, 4.8): the PM1a
 * event block (PM1_STS, write 1 to clear; PM1_EN), the PM1a control block
 * and the 32-bit PM timer, a free-running 3.579545 MHz counter derived
 * from CLOCK_MONOTONIC (Linux may use it as the acpi_pm clocksource).
 *
 * Writing SLP_EN with SLP_TYP = the \_S5 value to PM1_CNT powers off:
 * the run ends with status 0 ("guest powered off").  Other sleep states
 * are not in the DSDT, so the OS never asks for them.  SCI_EN reads 1:
 * the machine is always in ACPI mode (the FADT has no SMI_CMD).
 */
#include <errno.h>
#include <stdlib.h>

#include "../acpi.h"
#include "../init.h"
#include "../vm.h"

#define PM1_CNT_SCI_EN		0x0001
#define PM1_CNT_SLP_TYP_SHIFT	10
#define PM1_CNT_SLP_TYP		(7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN		0x2000	/* write-only */
#define PM_BLOCK_LEN		(ACPI_PM_TMR_BLK + ACPI_PM_TMR_LEN - ACPI_PM_BASE)

struct acpi_pm {
	struct vm *vm;
	u16 sts, en, cnt;
};

static u32 pm_timer(void)
{
	return (unsigned __int128)now_ns() * ACPI_PM_TIMER_HZ / NSEC_PER_SEC;
}

static void pm_cnt_write(struct acpi_pm *pm, u16 v)
{
	pm->cnt = (v & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN;
	if ((v & PM1_CNT_SLP_EN) &&
	    ((v & PM1_CNT_SLP_TYP) >> PM1_CNT_SLP_TYP_SHIFT) == ACPI_S5_SLP_TYP) {
		pr_info("guest powered off");
		vm_request_exit(pm->vm, KHV_EXIT_HALTED, "ACPI poweroff");
	}
}

/* One byte of the block; wider accesses are split by the caller. */
static u8 pm_read_byte(struct acpi_pm *pm, u64 off, u32 timer)
{
	switch (off) {
	case 0: case 1:
		return pm->sts >> (8 * off);
	case 2: case 3:
		return pm->en >> (8 * (off - 2));
	case 4: case 5:
		return pm->cnt >> (8 * (off - 4));
	case 8: case 9: case 10: case 11:
		return timer >> (8 * (off - 8));
	}
	return 0xff;
}

static void pm_io(void *opaque, u64 offset, u8 *data, u32 len, bool is_write)
{
	struct acpi_pm *pm = opaque;
	u32 timer = pm_timer(), v, i;
	u16 mask;

	if (!is_write) {
		for (i = 0; i < len; i++)
			data[i] = pm_read_byte(pm, offset + i, timer);
		return;
	}
	v = le_read(data, len);
	switch (offset) {
	case 0:		/* PM1_STS: write 1 to clear */
		mask = len == 1 ? 0x00ff : 0xffff;
		pm->sts &= ~(v & mask);
		if (len == 4)
			pm->en = v >> 16;
		break;
	case 2:
		pm->en = len == 1 ? (pm->en & 0xff00) | (v & 0xff) : v;
		break;
	case 4:
		pm_cnt_write(pm, len == 1 ? (pm->cnt & 0xff00) | (v & 0xff) : v);
		break;
	case 5:
		pm_cnt_write(pm, (pm->cnt & 0x00ff) | (v << 8));
		break;
	}
}

static int acpi_pm_init(struct vm *vm)
{
	struct acpi_pm *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return -ENOMEM;
	pm->vm = vm;
	pm->cnt = PM1_CNT_SCI_EN;
	return bus_register(&vm->pio, ACPI_PM_BASE, PM_BLOCK_LEN, pm_io, pm,
			    "acpi-pm");
}
device_init(acpi_pm_init);
