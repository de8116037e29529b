// SPDX-License-Identifier: GPL-2.0
/*
 * fpu: the guest's x87 and SSE registers survive its exits, those the
 * hypervisor handles in the kernel (CPUID) and those that go to the
 * launcher (port I/O), while the guest has not enabled XSAVE.  With
 * CR4.OSXSAVE clear, XCR0 keeps its reset value 1, x87 only (SDM Vol. 1,
 * 13.3), yet with CR4.OSFXSR set the XMM registers and MXCSR are the
 * guest's (SDM Vol. 3A, 2.5 and 13.1.3): a hypervisor that saves only
 * what the guest's XCR0 names loses them.
 */
#include "libguest.h"

#define CR0_MP		(1ul << 1)
#define CR0_EM		(1ul << 2)
#define CR0_TS		(1ul << 3)
#define CR4_OSFXSR	(1ul << 9)
#define CR4_OSXMMEXCPT	(1ul << 10)
#define CR4_OSXSAVE	(1ul << 18)

/* Round toward -inf (RC = 01b) and all exceptions masked: not the default. */
#define MXCSR_TEST	0x3f80
/* x87 control word: 53-bit precision, all exceptions masked. */
#define FCW_TEST	0x027f

struct fpu_regs {
	u64 xmm[16];		/* XMM0-XMM7, low then high quadword */
	u32 mxcsr;
	u16 fcw;
	u64 st0;		/* ST(0) as a double's bits */
};

static void fpu_load(const struct fpu_regs *r)
{
	asm volatile("movdqu 0(%0), %%xmm0\n\t"
		     "movdqu 16(%0), %%xmm1\n\t"
		     "movdqu 32(%0), %%xmm2\n\t"
		     "movdqu 48(%0), %%xmm3\n\t"
		     "movdqu 64(%0), %%xmm4\n\t"
		     "movdqu 80(%0), %%xmm5\n\t"
		     "movdqu 96(%0), %%xmm6\n\t"
		     "movdqu 112(%0), %%xmm7\n\t"
		     "ldmxcsr %1\n\t"
		     "fninit\n\t"
		     "fldcw %2\n\t"
		     "fldl %3"
		     : : "r"(r->xmm), "m"(r->mxcsr), "m"(r->fcw), "m"(r->st0)
		     : "memory");
}

static void fpu_store(struct fpu_regs *r)
{
	asm volatile("movdqu %%xmm0, 0(%0)\n\t"
		     "movdqu %%xmm1, 16(%0)\n\t"
		     "movdqu %%xmm2, 32(%0)\n\t"
		     "movdqu %%xmm3, 48(%0)\n\t"
		     "movdqu %%xmm4, 64(%0)\n\t"
		     "movdqu %%xmm5, 80(%0)\n\t"
		     "movdqu %%xmm6, 96(%0)\n\t"
		     "movdqu %%xmm7, 112(%0)"
		     : : "r"(r->xmm) : "memory");
	asm volatile("stmxcsr %0\n\t"
		     "fnstcw %1\n\t"
		     "fstpl %2"
		     : "=m"(r->mxcsr), "=m"(r->fcw), "=m"(r->st0) : : "memory");
}

static void pattern(struct fpu_regs *r, u64 seed)
{
	int i;

	for (i = 0; i < 16; i++)
		r->xmm[i] = seed * 0x9e3779b97f4a7c15ull + i * 0x0101010101010101ull;
	r->mxcsr = MXCSR_TEST;
	r->fcw = FCW_TEST;
	r->st0 = 0x400921fb54442d18ull;	/* pi */
}

static int differing_xmm(const struct fpu_regs *a, const struct fpu_regs *b)
{
	int i;

	for (i = 0; i < 16; i++)
		if (a->xmm[i] != b->xmm[i])
			return i / 2;
	return -1;
}

/* Load a pattern, make exits, read the registers back, compare. */
static void survives(const char *what, u64 seed, void (*exits)(void))
{
	struct fpu_regs want, got;
	int x;

	pattern(&want, seed);
	fpu_load(&want);
	exits();
	fpu_store(&got);
	x = differing_xmm(&want, &got);
	report(x < 0, "%s: XMM0-XMM7 kept (first different: XMM%d)", what, x);
	report(got.mxcsr == want.mxcsr, "%s: MXCSR %x kept (now %x)", what,
	       want.mxcsr, got.mxcsr);
	report(got.fcw == want.fcw && got.st0 == want.st0,
	       "%s: x87 control word %x and ST(0) kept (now %x, %llx)", what,
	       want.fcw, got.fcw, (unsigned long long)got.st0);
}

static void cpuid_exits(void)
{
	int i;

	for (i = 0; i < 100; i++)
		cpuid(0);
}

static void port_exits(void)
{
	int i;

	/* Port 80h (POST codes): unclaimed, each OUT goes to the launcher. */
	for (i = 0; i < 100; i++)
		outb(0x80, i);
}

int main(void)
{
	unsigned long cr0 = read_cr0(), cr4 = read_cr4();

	write_cr0((cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4((cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT) & ~CR4_OSXSAVE);
	report(!(cpuid(1).c & (1u << 27)),
	       "CPUID.1:ECX.OSXSAVE clear: XCR0 is its reset value");

	survives("100 CPUID exits", 1, cpuid_exits);
	survives("100 port exits to the launcher", 2, port_exits);
	return report_summary();
}
