// SPDX-License-Identifier: GPL-2.0
/*
 * exitstat: a known number of exits of three kinds, so that khv.ko's
 * exit statistics can be checked to the unit (scripts/stats-check.sh):
 * 1000 CPUIDs of leaf 0x40000000, 500 OUTs to port 0x2f0 (no device:
 * the launcher drops them) and 100 RDMSRs of IA32_MISC_ENABLE.  The
 * library does no CPUID of its own, so the VM's CPUID total is exact too.
 *
 * The mode is the first word after the image path on the command line:
 *   (none)      the exits above, then exit(0)
 *   wait        the exits above, "exitstat: waiting", then spin without
 *               exits, so a checker can read the counters of a live VM
 *   sleep       the exits above, then arm the APIC timer for about 550 s
 *               (one-shot, vector 0xec, divide by 128, initial count
 *               0xfffffff0), "exitstat: sleeping", and HLT with IF=1: a
 *               halted vCPU whose state debugfs shows (stats-check.sh)
 *   loop        the three kinds in a loop forever (khv stat demos)
 *   bench=N     N CPUIDs timed with RDTSC: "bench: ... cycles/exit"
 */
#include "libguest.h"
#include "apic.h"

#define NR_CPUID	1000
#define NR_OUT		500
#define NR_RDMSR	100
#define CPUID_LEAF	0x40000000u
#define QUIET_PORT	0x2f0
#define MSR_MISC_ENABLE	0x1a0

/* The APIC timer's registers (SDM Vol. 3A, 11.5.4). */
#define APIC_LVT_TIMER	0x320
#define APIC_TIMER_ICR	0x380
#define APIC_TIMER_DCR	0x3e0
#define SLEEP_VECTOR	0xec
#define SLEEP_DCR	0xa		/* divide by 128 */
#define SLEEP_COUNT	0xfffffff0u

/* The word after the path in the Multiboot command line, or "". */
static const char *mode(void)
{
	const char *p = (const char *)(unsigned long)mb_info()->cmdline;

	if (!(mb_info()->flags & MB_INFO_CMDLINE) || !p)
		return "";
	while (*p && *p != ' ')
		p++;
	while (*p == ' ')
		p++;
	return p;
}

static void cpuids(unsigned long n)
{
	while (n--)
		cpuid(CPUID_LEAF);
}

static void exits(void)
{
	int i;

	cpuids(NR_CPUID);
	for (i = 0; i < NR_OUT; i++)
		outb(QUIET_PORT, i);
	for (i = 0; i < NR_RDMSR; i++)
		rdmsr(MSR_MISC_ENABLE);
}

static unsigned long number(const char *p)
{
	unsigned long n = 0;

	for (; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (*p - '0');
	return n;
}

int main(void)
{
	const char *m = mode();

	if (!strncmp(m, "bench=", 6)) {
		unsigned long n = number(m + 6);
		u64 t0, t1;

		cpuids(1000);		/* warm up */
		t0 = rdtsc();
		cpuids(n);
		t1 = rdtsc();
		printf("bench: %lu cpuid exits in %lu cycles: %lu cycles/exit\n",
		       n, (unsigned long)(t1 - t0),
		       n ? (unsigned long)((t1 - t0) / n) : 0);
		return report_summary();
	}
	if (!strncmp(m, "loop", 4)) {
		printf("exitstat: looping\n");
		for (;;)
			exits();
	}

	exits();
	if (!strncmp(m, "wait", 4)) {
		printf("exitstat: waiting\n");
		for (;;)
			asm volatile("pause");
	}
	if (!strncmp(m, "sleep", 5)) {
		apic_enable();
		apic_write(APIC_TIMER_DCR, SLEEP_DCR);
		apic_write(APIC_LVT_TIMER, SLEEP_VECTOR);	/* one-shot */
		apic_write(APIC_TIMER_ICR, SLEEP_COUNT);
		printf("exitstat: sleeping\n");
		for (;;)
			asm volatile("sti; hlt" ::: "memory");
	}
	report(true, "%d CPUIDs, %d OUTs to 0x%x, %d RDMSRs of 0x%x done",
	       NR_CPUID, NR_OUT, QUIET_PORT, NR_RDMSR, MSR_MISC_ENABLE);
	return report_summary();
}
