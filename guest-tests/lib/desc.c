// SPDX-License-Identifier: GPL-2.0
/*
 * The IDT and the C side of exception handling.
 *
 * Every exception vector gets a stub (isr.S).  A fault at an instruction
 * listed in the exception table (EX_TABLE in desc.h) is expected: its
 * vector is recorded and execution resumes at the fixup.  Anything else
 * is a test failure: print what happened and exit.
 */
#include "libguest.h"

struct ex_entry {
	unsigned long insn, fixup;
};

extern const struct ex_entry __ex_table_start[], __ex_table_end[];
extern const unsigned long isr_table[NR_VECTORS];
static irq_handler_t irq_handlers[NR_VECTORS];

int ex_vector = NO_EXCEPTION;
unsigned long ex_error_code;

#ifdef __x86_64__
/* 16-byte interrupt gate, SDM Vol. 3A 7.14.1, figure 7-8. */
struct idt_gate {
	u16 offset0, selector;
	u8 ist, type;
	u16 offset1;
	u32 offset2, reserved;
} __attribute__((packed));
#define GATE_CS		KERNEL_CS64
#else
/* 8-byte interrupt gate, SDM Vol. 3A 7.11, figure 7-2. */
struct idt_gate {
	u16 offset0, selector;
	u8 zero, type;
	u16 offset1;
} __attribute__((packed));
#define GATE_CS		KERNEL_CS32
#endif

#define GATE_INTERRUPT	0x8e	/* present, DPL 0, interrupt gate */

static struct idt_gate idt[NR_VECTORS] __attribute__((aligned(16)));

static const char *const ex_names[NR_EXCEPTIONS] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "22", "23",
	"24", "25", "26", "27", "#HV", "#VC", "#SX", "31",
};

void setup_idt(void)
{
	struct {
		u16 limit;
		unsigned long base;
	} __attribute__((packed)) desc;
	unsigned int i;

	for (i = 0; i < NR_VECTORS; i++) {
		unsigned long a = isr_table[i];

		idt[i].offset0 = a & 0xffff;
		idt[i].selector = GATE_CS;
		idt[i].type = GATE_INTERRUPT;
		idt[i].offset1 = (a >> 16) & 0xffff;
#ifdef __x86_64__
		idt[i].offset2 = (u32)(a >> 32);
#endif
	}
	desc.limit = sizeof(idt) - 1;
	desc.base = (unsigned long)idt;
	asm volatile("lidt %0" : : "m"(desc));
}

void set_irq_handler(unsigned int vector, irq_handler_t fn)
{
	if (vector >= NR_EXCEPTIONS && vector < NR_VECTORS)
		irq_handlers[vector] = fn;
}

void do_exception(struct ex_regs *regs);

void do_exception(struct ex_regs *regs)
{
	static bool nested;
	const struct ex_entry *e;

	if (regs->vector >= NR_EXCEPTIONS && regs->vector < NR_VECTORS &&
	    irq_handlers[regs->vector]) {
		irq_handlers[regs->vector](regs);
		return;
	}
	for (e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == regs->rip) {
			ex_vector = regs->vector;
			ex_error_code = regs->error_code;
			regs->rip = e->fixup;
			return;
		}
	}

	if (nested) {
		puts("FAIL: exception while handling an exception\n");
		exit(1);
	}
	nested = true;
	printf("unexpected exception %lu (%s) at rip %lx, error code %lx, cr2 %lx\n",
	       regs->vector,
	       regs->vector < NR_EXCEPTIONS ? ex_names[regs->vector] : "?",
	       regs->rip, regs->error_code, read_cr2());
	report(false, "no unexpected exception (vector %lu)", regs->vector);
	exit(report_summary());
}
