// SPDX-License-Identifier: GPL-2.0
/*
 * An 82093AA-style I/O APIC at 0xfec00000 with 24 pins (Intel 82093AA
 * datasheet, section 3): IOREGSEL at +0x00 and IOWIN at +0x10 give
 * indirect access to ID (0), version (1), arbitration (2) and the
 * redirection table (0x10 + 2 * pin, low then high dword).
 *
 * An unmasked pin that fires becomes an MSI-style message (SDM Vol. 3A
 * 11.11: address 0xfee00000 | dest << 12 | DM << 2, data vector | delivery
 * mode << 8 | trigger << 15), which is exactly what the accelerator's
 * local APIC takes from userspace (KVM_SIGNAL_MSI, and khv's MSI ioctl).
 *
 * An edge-triggered pin sends its message on each rising edge of its
 * line.  A level-triggered pin sends it while the line is asserted and
 * its remote IRR is clear, and sets remote IRR; the local APIC's EOI of
 * that vector clears remote IRR, and a line still asserted then sends
 * again (datasheet 3.2.4, redirection table bit 14).  Unmasking a
 * level-triggered pin whose line is asserted sends too.  The launcher's
 * lines carry "asserted", not voltage: the polarity bit is kept for the
 * guest to read back and does not invert them.
 * ExtINT delivery mode through the IOAPIC is not supported (Linux only
 * falls back to it when the timer does not work through pin 2).
 */
#include <errno.h>
#include <stdlib.h>

#include "../init.h"
#include "../irq.h"
#include "../vm.h"

#define IOAPIC_SIZE		0x100
#define IOAPIC_REGSEL		0x00
#define IOAPIC_WIN		0x10

#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR	0x10

/* Version 0x11 (82093AA), maximum redirection entry in bits 16-23. */
#define IOAPIC_VERSION		(0x11 | ((IOAPIC_NR_PINS - 1) << 16))

#define REDIR_VECTOR		0xffULL
#define REDIR_DELMODE_SHIFT	8
#define REDIR_DELMODE		(7ULL << REDIR_DELMODE_SHIFT)
#define REDIR_DESTMODE		(1ULL << 11)
#define REDIR_DELIVS		(1ULL << 12)	/* read-only */
#define REDIR_POLARITY		(1ULL << 13)
#define REDIR_REMOTE_IRR	(1ULL << 14)	/* read-only */
#define REDIR_LEVEL		(1ULL << 15)
#define REDIR_MASK		(1ULL << 16)
#define REDIR_DEST_SHIFT	56
#define REDIR_RO		(REDIR_DELIVS | REDIR_REMOTE_IRR)

#define DELMODE_LOWEST		1
#define DELMODE_EXTINT		7

#define MSI_ADDR_DEST_SHIFT	12
#define MSI_ADDR_RH		(1u << 3)	/* redirection hint */
#define MSI_ADDR_DM		(1u << 2)
#define MSI_DATA_LEVEL		(1u << 15)
#define MSI_DATA_ASSERT		(1u << 14)

struct ioapic {
	struct vm *vm;
	u32 regsel;
	u32 id;
	u32 lines;	/* current input levels */
	u64 redir[IOAPIC_NR_PINS];
};

void ioapic_entry_to_msi(u64 e, u64 *addr, u32 *data)
{
	u32 delmode = (e & REDIR_DELMODE) >> REDIR_DELMODE_SHIFT;

	*addr = LAPIC_BASE | ((e >> REDIR_DEST_SHIFT) << MSI_ADDR_DEST_SHIFT);
	if (e & REDIR_DESTMODE)
		*addr |= MSI_ADDR_DM;
	if (delmode == DELMODE_LOWEST)
		*addr |= MSI_ADDR_RH;
	*data = (e & REDIR_VECTOR) | (delmode << 8);
	if (e & REDIR_LEVEL)
		*data |= MSI_DATA_LEVEL | MSI_DATA_ASSERT;
}

static void ioapic_deliver(struct ioapic *s, unsigned int pin)
{
	u64 *e = &s->redir[pin], addr;
	u32 data;

	if (*e & REDIR_MASK)
		return;
	if (((*e & REDIR_DELMODE) >> REDIR_DELMODE_SHIFT) == DELMODE_EXTINT)
		return;
	if (*e & REDIR_LEVEL) {
		if (*e & REDIR_REMOTE_IRR)
			return;	/* the last one is not EOI'd yet */
		*e |= REDIR_REMOTE_IRR;
	}
	ioapic_entry_to_msi(*e, &addr, &data);
	irq_send_msi(s->vm, addr, data);
}

static bool ioapic_line(const struct ioapic *s, unsigned int pin)
{
	return s->lines & (1u << pin);
}

void ioapic_set_irq(struct ioapic *s, unsigned int pin, bool level)
{
	bool was;

	if (pin >= IOAPIC_NR_PINS)
		return;
	was = ioapic_line(s, pin);
	if (level)
		s->lines |= 1u << pin;
	else
		s->lines &= ~(1u << pin);
	if (level && (!was || (s->redir[pin] & REDIR_LEVEL)))
		ioapic_deliver(s, pin);
}

void ioapic_eoi(struct ioapic *s, u8 vector)
{
	unsigned int pin;

	for (pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		u64 *e = &s->redir[pin];

		if (!(*e & REDIR_LEVEL) || !(*e & REDIR_REMOTE_IRR) ||
		    (*e & REDIR_VECTOR) != vector)
			continue;
		*e &= ~REDIR_REMOTE_IRR;
		if (ioapic_line(s, pin))
			ioapic_deliver(s, pin);
	}
}

/* Tell the accelerator which messages are level-triggered. */
static void ioapic_update_route(struct ioapic *s, unsigned int pin)
{
	u64 e = s->redir[pin], addr;
	u32 data;

	ioapic_entry_to_msi(e, &addr, &data);
	irq_level_route(s->vm, pin, addr, data, e & REDIR_LEVEL);
}

static u32 ioapic_read_reg(struct ioapic *s)
{
	u32 reg = s->regsel;

	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return s->id << 24;
	case IOAPIC_REG_VER:
		return IOAPIC_VERSION;
	}
	if (reg >= IOAPIC_REG_REDIR &&
	    reg < IOAPIC_REG_REDIR + 2 * IOAPIC_NR_PINS) {
		u64 e = s->redir[(reg - IOAPIC_REG_REDIR) / 2];

		return (reg & 1) ? e >> 32 : (u32)e;
	}
	return 0;
}

static void ioapic_write_reg(struct ioapic *s, u32 v)
{
	u32 reg = s->regsel;
	unsigned int pin;
	u64 *e;

	if (reg == IOAPIC_REG_ID) {
		s->id = (v >> 24) & 0xf;
		return;
	}
	if (reg < IOAPIC_REG_REDIR ||
	    reg >= IOAPIC_REG_REDIR + 2 * IOAPIC_NR_PINS)
		return;
	pin = (reg - IOAPIC_REG_REDIR) / 2;
	e = &s->redir[pin];
	if (reg & 1)
		*e = (*e & 0xffffffffULL) | ((u64)v << 32);
	else
		*e = (*e & (0xffffffff00000000ULL | REDIR_RO)) |
		     (v & ~(u32)REDIR_RO);
	/* Remote IRR means nothing for an edge-triggered pin: drop it. */
	if (!(*e & REDIR_LEVEL))
		*e &= ~REDIR_REMOTE_IRR;
	ioapic_update_route(s, pin);
	if ((*e & REDIR_LEVEL) && ioapic_line(s, pin))
		ioapic_deliver(s, pin);
}

static void ioapic_mmio(void *opaque, u64 offset, u8 *data, u32 len,
			bool is_write)
{
	struct ioapic *s = opaque;

	/* Only aligned dword accesses are defined (datasheet 3.0). */
	if (len != 4 || (offset != IOAPIC_REGSEL && offset != IOAPIC_WIN)) {
		if (!is_write)
			le_write(data, len, 0);
		return;
	}
	if (offset == IOAPIC_REGSEL) {
		if (is_write)
			s->regsel = le_read(data, 4) & 0xff;
		else
			le_write(data, 4, s->regsel);
		return;
	}
	if (is_write)
		ioapic_write_reg(s, le_read(data, 4));
	else
		le_write(data, 4, ioapic_read_reg(s));
}

static int ioapic_init(struct vm *vm)
{
	struct ioapic *s = calloc(1, sizeof(*s));
	unsigned int i;
	int ret;

	if (!s)
		return -ENOMEM;
	s->vm = vm;
	/* Reset: every pin masked. */
	for (i = 0; i < IOAPIC_NR_PINS; i++)
		s->redir[i] = REDIR_MASK;
	ret = bus_register(&vm->mmio, IOAPIC_BASE, IOAPIC_SIZE, ioapic_mmio,
			   s, "ioapic");
	if (!ret)
		vm->ioapic = s;
	return ret;
}
device_init(ioapic_init);
