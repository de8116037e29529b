/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Segment selectors of the library's GDT (built in entry.S) and the
 * exception handling interface (desc.c, isr.S).
 */
#ifndef GUEST_DESC_H
#define GUEST_DESC_H

#define KERNEL_CS32	0x08	/* flat 32-bit code */
#define KERNEL_DS	0x10	/* flat data */
#define KERNEL_CS64	0x18	/* 64-bit code (L=1) */

#define NR_EXCEPTIONS	32
#define NR_VECTORS	256

#define DE_VECTOR	0
#define DB_VECTOR	1
#define BP_VECTOR	3
#define UD_VECTOR	6
#define DF_VECTOR	8
#define GP_VECTOR	13
#define PF_VECTOR	14

/* What the *_safe() helpers and exception_vector() return for "no fault". */
#define NO_EXCEPTION	(-1)

#ifndef __ASSEMBLY__

/*
 * The frame isr.S builds on the stack: general registers, then the vector
 * and error code pushed by the stub, then what the CPU pushed (SDM Vol. 3A
 * 7.14.1 / 7.14.4; APM Vol. 2 8.9.3).  32-bit stubs use pushal.
 */
struct ex_regs {
#ifdef __x86_64__
	unsigned long r15, r14, r13, r12, r11, r10, r9, r8;
	unsigned long rdi, rsi, rbp, rbx, rdx, rcx, rax;
#else
	unsigned long rdi, rsi, rbp, esp_unused, rbx, rdx, rcx, rax;
#endif
	unsigned long vector, error_code;
	unsigned long rip, cs, rflags;
#ifdef __x86_64__
	unsigned long rsp, ss;
#endif
};

#ifdef __x86_64__
#define _ASM_PTR	".quad "
#else
#define _ASM_PTR	".long "
#endif

/*
 * EX_TABLE("1b", "2b"): if the instruction at label 1 faults, the handler
 * records the vector and resumes at label 2 instead of failing the test.
 * Only faults (RIP = the faulting instruction) can be caught this way.
 */
#define EX_TABLE(insn, fixup)					\
	".pushsection .ex_table, \"a\"\n\t"			\
	_ASM_PTR insn ", " fixup "\n\t"				\
	".popsection\n\t"

extern int ex_vector;
extern unsigned long ex_error_code;

/* Arm before an EX_TABLE-protected instruction. */
static inline void ex_clear(void)
{
	ex_vector = NO_EXCEPTION;
	ex_error_code = 0;
	asm volatile("" ::: "memory");
}

/* NO_EXCEPTION or the vector caught since the last ex_clear(). */
static inline int exception_vector(void)
{
	asm volatile("" ::: "memory");
	return ex_vector;
}

void setup_idt(void);

/*
 * Interrupts (vectors 32-255): the handler runs with IF = 0 and must do
 * its own EOI.  An interrupt without a handler fails the test.
 */
typedef void (*irq_handler_t)(struct ex_regs *regs);
void set_irq_handler(unsigned int vector, irq_handler_t fn);

#endif /* __ASSEMBLY__ */
#endif /* GUEST_DESC_H */
