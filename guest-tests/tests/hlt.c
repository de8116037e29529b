// SPDX-License-Identifier: GPL-2.0
/*
 * hlt: HLT with IF=0 must reach the launcher, which ends the run with
 * status 0 (nothing can wake the vCPU: Documentation/launcher.rst).  A
 * hypervisor that does not intercept HLT hangs here (the runner's timeout
 * catches it); one that resumes the guest falls through to a failure.
 */
#include "libguest.h"

int main(void)
{
	unsigned long flags;

	cli();
	flags = read_flags();
	report(!(flags & X86_EFLAGS_IF), "IF=0 before HLT (flags %lx)", flags);
	report_summary();
	puts("halting with interrupts disabled\n");
	asm volatile("hlt" ::: "memory");
	report(false, "execution continued after HLT with IF=0");
	return report_summary();
}
