/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_IRQ_H
#define KHV_IRQ_H

#include "util.h"

struct vm;
struct pic;
struct ioapic;

/*
 * ISA interrupt lines of the PC platform.  Each line goes to the i8259
 * pair and to the IOAPIC, as on a PC: IRQ 0 (PIT) reaches IOAPIC pin 2,
 * every other IRQ the pin of the same number (the MADT says so with an
 * interrupt source override, acpi.c).  Call with vm->lock held.
 */
#define IRQ_PIT		0
#define IRQ_COM1	4
#define IRQ_RTC		8
#define IRQ_SCI		9

#define IOAPIC_NR_PINS	24
#define IOAPIC_BASE	0xfec00000ULL
#define LAPIC_BASE	0xfee00000ULL

void irq_set_level(struct vm *vm, unsigned int irq, bool level);
/* An edge: raise the line, then lower it. */
void irq_pulse(struct vm *vm, unsigned int irq);

/* Deliver an MSI (address/data as in SDM Vol. 3A 11.11) to the LAPIC. */
void irq_send_msi(struct vm *vm, u64 addr, u32 data);
/*
 * The message a level-triggered IOAPIC pin sends (on) or that it no
 * longer is one (off): the accelerator must report its EOI.
 */
void irq_level_route(struct vm *vm, unsigned int pin, u64 addr, u32 data,
		     bool on);

/* devices/pic.c: the i8259 pair (master 0x20, slave 0xa0). */
void pic_set_irq(struct pic *pic, unsigned int irq, bool level);
/* The master's INTR output (to LINT0, ExtINT). */
bool pic_intr(const struct pic *pic);
/* The INTA cycle: the vector to take, ISR updated. */
u8 pic_ack(struct pic *pic);

/* devices/ioapic.c */
void ioapic_set_irq(struct ioapic *ioapic, unsigned int pin, bool level);
/* The local APIC's EOI of a level-triggered vector (broadcast EOI). */
void ioapic_eoi(struct ioapic *ioapic, u8 vector);
/* The MSI address and data a redirection table entry sends. */
void ioapic_entry_to_msi(u64 entry, u64 *addr, u32 *data);

#endif
