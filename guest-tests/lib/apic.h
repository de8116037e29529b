/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xAPIC at 0xfee00000 and the IOAPIC at 0xfec00000 (SDM Vol. 3A
 * chapter 11; Intel 82093AA datasheet), for tests that take interrupts.
 * The launcher gives Multiboot guests a local APIC with "khv run --lapic".
 */
#ifndef GUEST_APIC_H
#define GUEST_APIC_H

#include "types.h"

#define APIC_BASE		0xfee00000UL
#define APIC_ID			0x20
#define APIC_EOI		0xb0
#define APIC_SPIV		0xf0
#define APIC_ISR		0x100	/* 8 registers, 0x10 apart */
#define APIC_TMR		0x180
#define APIC_IRR		0x200

#define IOAPIC_BASE		0xfec00000UL
#define IOAPIC_REDIR_LEVEL	(1ULL << 15)
#define IOAPIC_REDIR_REMOTE_IRR	(1ULL << 14)
#define IOAPIC_REDIR_MASK	(1ULL << 16)

void apic_enable(void);
u32 apic_read(u32 reg);
void apic_write(u32 reg, u32 val);
void apic_eoi(void);
/* Bit @vector of the 256-bit register at @reg (ISR, TMR, IRR). */
bool apic_vector_bit(u32 reg, u8 vector);

u64 ioapic_read_redir(unsigned int pin);
void ioapic_write_redir(unsigned int pin, u64 entry);

#endif
