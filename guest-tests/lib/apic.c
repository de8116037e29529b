// SPDX-License-Identifier: GPL-2.0
/*
 * xAPIC and IOAPIC accessors: 32-bit MMIO, as both require (SDM Vol. 3A
 * 11.4.1; 82093AA datasheet 3.0: IOREGSEL at +0x00, IOWIN at +0x10).
 */
#include "libguest.h"
#include "apic.h"

#define IOAPIC_REGSEL		0x00
#define IOAPIC_WIN		0x10
#define IOAPIC_REG_REDIR	0x10
#define APIC_SPIV_ENABLE	(1u << 8)

u32 apic_read(u32 reg)
{
	return readl(APIC_BASE + reg);
}

void apic_write(u32 reg, u32 val)
{
	writel(APIC_BASE + reg, val);
}

/* Software-enable the APIC (SPIV bit 8, 11.4.7.1); spurious vector 0xff. */
void apic_enable(void)
{
	apic_write(APIC_SPIV, APIC_SPIV_ENABLE | 0xff);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

bool apic_vector_bit(u32 reg, u8 vector)
{
	return apic_read(reg + (vector / 32) * 0x10) & (1u << (vector % 32));
}

static u32 ioapic_read(u32 reg)
{
	writel(IOAPIC_BASE + IOAPIC_REGSEL, reg);
	return readl(IOAPIC_BASE + IOAPIC_WIN);
}

static void ioapic_write(u32 reg, u32 val)
{
	writel(IOAPIC_BASE + IOAPIC_REGSEL, reg);
	writel(IOAPIC_BASE + IOAPIC_WIN, val);
}

u64 ioapic_read_redir(unsigned int pin)
{
	u32 lo = ioapic_read(IOAPIC_REG_REDIR + 2 * pin);
	u32 hi = ioapic_read(IOAPIC_REG_REDIR + 2 * pin + 1);

	return (u64)hi << 32 | lo;
}

/* The high half (destination) first, so the entry is never half new. */
void ioapic_write_redir(unsigned int pin, u64 entry)
{
	ioapic_write(IOAPIC_REG_REDIR + 2 * pin + 1, entry >> 32);
	ioapic_write(IOAPIC_REG_REDIR + 2 * pin, (u32)entry);
}
