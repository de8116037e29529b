// SPDX-License-Identifier: GPL-2.0
/*
 * bench: cycles per round trip of the exits khv cares about, for
 * `make bench` (scripts/bench.sh), which runs this guest on khv and on
 * KVM in the same lab boot and prints the ratio.  Not a test: it is not
 * in the manifest.
 *
 * Each line is "BENCH <name> <cycles per iteration>", measured with the
 * guest's TSC over ITERS iterations after a short warm-up.
 */
#include "libguest.h"

#define ITERS		2000
#define WARMUP		50
#define SCRATCH		0xff000000UL	/* testdev RAM-like MMIO */
#define POST_PORT	0x80		/* ignored by the launcher */
#define FRESH_BASE	(64UL << 20)	/* never touched before this test */
#define FRESH_PAGES	4096		/* 16 MiB */

static void op_empty(void)
{
	asm volatile("" ::: "memory");
}

static void op_cpuid(void)
{
	cpuid(0);
}

/*
 * A hypercall that goes to userspace on both accelerators: khv hands
 * every VMMCALL/VMCALL to the launcher; KVM hands this one,
 * KVM_HC_MAP_GPA_RANGE (12) with a valid range (RBX = 4 KiB page, RCX = 1
 * page, RDX = 0), to the launcher once it enabled KVM_CAP_EXIT_HYPERCALL.
 * VMMCALL on AMD, VMCALL on Intel.
 */
#define HC_MAP_GPA_RANGE	12

static void op_vmmcall(void)
{
	unsigned long rax = HC_MAP_GPA_RANGE;

	asm volatile("vmmcall" : "+a"(rax) : "b"(0x1000UL), "c"(1UL), "d"(0UL),
		     "S"(0UL) : "memory");
}

static void op_vmcall(void)
{
	unsigned long rax = HC_MAP_GPA_RANGE;

	asm volatile("vmcall" : "+a"(rax) : "b"(0x1000UL), "c"(1UL), "d"(0UL),
		     "S"(0UL) : "memory");
}

static void op_pio(void)
{
	outb(POST_PORT, 0);
}

static void op_mmio(void)
{
	writel(SCRATCH, 0x12345678);
}

static u64 measure(void (*op)(void), unsigned int iters)
{
	unsigned int i;
	u64 t0;

	for (i = 0; i < WARMUP; i++)
		op();
	t0 = rdtsc();
	for (i = 0; i < iters; i++)
		op();
	return (rdtsc() - t0) / iters;
}

/* One write to each of FRESH_PAGES pages no one has touched yet. */
static u64 measure_first_touch(void)
{
	volatile u8 *p = (volatile u8 *)FRESH_BASE;
	unsigned int i;
	u64 t0 = rdtsc();

	for (i = 0; i < FRESH_PAGES; i++)
		p[(unsigned long)i << 12] = 1;
	return (rdtsc() - t0) / FRESH_PAGES;
}

int main(void)
{
	bool amd = cpuid(0).b == 0x68747541;	/* "Auth" */

	printf("BENCH empty %lu\n", (unsigned long)measure(op_empty, ITERS));
	printf("BENCH cpuid %lu\n", (unsigned long)measure(op_cpuid, ITERS));
	printf("BENCH hypercall %lu\n",
	       (unsigned long)measure(amd ? op_vmmcall : op_vmcall, ITERS));
	printf("BENCH pio %lu\n", (unsigned long)measure(op_pio, ITERS));
	printf("BENCH mmio %lu\n", (unsigned long)measure(op_mmio, ITERS));
	printf("BENCH first_touch %lu\n",
	       (unsigned long)measure_first_touch());
	report(true, "benchmark ran");
	return report_summary();
}
