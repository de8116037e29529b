// SPDX-License-Identifier: GPL-2.0
/*
 * ioapic: the launcher's IOAPIC delivering through the accelerator's
 * local APIC (run with --lapic), on a line the test device drives (a
 * byte to port 0x2000 + n sets line n).  Checks the rules of the 82093AA
 * datasheet (3.2.4, redirection table) and SDM Vol. 3A 11.8.4-11.8.5:
 *   - edge-triggered: one interrupt per rising edge, none while the line
 *     merely stays high;
 *   - level-triggered: remote IRR and the local APIC's TMR bit are set
 *     while the vector is in service; EOI clears remote IRR; a line still
 *     asserted at EOI interrupts again; a masked pin holds its interrupt
 *     until it is unmasked.
 */
#include "libguest.h"
#include "apic.h"

#define PIN		14	/* ISA IRQ 14: IOAPIC pin 14 */
#define LINE_PORT	(0x2000 + PIN)
#define VEC_EDGE	0x60
#define VEC_LEVEL	0x61
#define TRIES		1000

static volatile unsigned int count;
static volatile u64 redir_seen;
static volatile bool tmr_seen, isr_seen;
/* Interrupts after which the level handler lowers the line. */
static volatile unsigned int lower_after;
static u64 dest;

static void set_line(bool high)
{
	outb(LINE_PORT, high);
}

static void edge_handler(struct ex_regs *regs)
{
	(void)regs;
	count++;
	apic_eoi();
}

static void level_handler(struct ex_regs *regs)
{
	(void)regs;
	count++;
	redir_seen = ioapic_read_redir(PIN);
	tmr_seen = apic_vector_bit(APIC_TMR, VEC_LEVEL);
	isr_seen = apic_vector_bit(APIC_ISR, VEC_LEVEL);
	if (count >= lower_after)
		set_line(false);
	apic_eoi();
}

/* Open interrupt windows until @want interrupts came (or TRIES). */
static void take_interrupts(unsigned int want)
{
	unsigned int i;

	for (i = 0; i < TRIES && count < want; i++)
		sti_nop_cli();
	/* A few more, to see an interrupt that should not come. */
	for (i = 0; i < 10; i++)
		sti_nop_cli();
}

static void test_edge(void)
{
	count = 0;
	ioapic_write_redir(PIN, VEC_EDGE | dest);
	set_line(true);
	take_interrupts(1);
	report(count == 1, "edge: a rising edge interrupts once (%u)", count);
	set_line(true);
	take_interrupts(2);
	report(count == 1, "edge: a line that stays high does not (%u)",
	       count);
	set_line(false);
	set_line(true);
	take_interrupts(2);
	report(count == 2, "edge: the next rising edge does (%u)", count);
	set_line(false);
	take_interrupts(3);
	report(count == 2, "edge: a falling edge does not (%u)", count);
}

static void test_level(void)
{
	u64 e;

	count = 0;
	lower_after = 1;
	ioapic_write_redir(PIN, VEC_LEVEL | IOAPIC_REDIR_LEVEL | dest);
	set_line(true);
	take_interrupts(1);
	report(count == 1, "level: an asserted line interrupts (%u)", count);
	report(redir_seen & IOAPIC_REDIR_REMOTE_IRR,
	       "level: remote IRR set while in service (entry %llx)",
	       (unsigned long long)redir_seen);
	report(tmr_seen && isr_seen, "level: TMR and ISR bits set in service");
	e = ioapic_read_redir(PIN);
	report(!(e & IOAPIC_REDIR_REMOTE_IRR),
	       "level: EOI clears remote IRR (entry %llx)",
	       (unsigned long long)e);
	report(!apic_vector_bit(APIC_TMR, VEC_LEVEL) ||
	       !apic_vector_bit(APIC_ISR, VEC_LEVEL),
	       "level: vector out of service after EOI");

	/* The line stays asserted through the first EOI. */
	count = 0;
	lower_after = 2;
	set_line(true);
	take_interrupts(2);
	report(count == 2,
	       "level: a line still asserted at EOI interrupts again (%u)",
	       count);
	e = ioapic_read_redir(PIN);
	report(!(e & IOAPIC_REDIR_REMOTE_IRR),
	       "level: remote IRR clear at the end (entry %llx)",
	       (unsigned long long)e);

	/* Masked: held until unmasked. */
	count = 0;
	lower_after = 1;
	ioapic_write_redir(PIN, VEC_LEVEL | IOAPIC_REDIR_LEVEL |
			   IOAPIC_REDIR_MASK | dest);
	set_line(true);
	take_interrupts(1);
	report(count == 0, "level: a masked pin does not interrupt (%u)",
	       count);
	ioapic_write_redir(PIN, VEC_LEVEL | IOAPIC_REDIR_LEVEL | dest);
	take_interrupts(1);
	report(count == 1, "level: unmasking an asserted pin interrupts (%u)",
	       count);
	ioapic_write_redir(PIN, IOAPIC_REDIR_MASK);
}

int main(void)
{
	/* The i8259s see the same ISA line: keep them out of the way. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	apic_enable();
	dest = (u64)(apic_read(APIC_ID) >> 24) << 56;
	set_irq_handler(VEC_EDGE, edge_handler);
	set_irq_handler(VEC_LEVEL, level_handler);
	test_edge();
	test_level();
	return report_summary();
}
