// SPDX-License-Identifier: GPL-2.0
/*
 * apictimer: the local APIC timer's three modes (SDM Vol. 3A, 11.5.4)
 * and the task priority that holds an interrupt back (11.8.3.1, 11.8.6):
 *   - one-shot: the current count counts down from the initial count and
 *     stays at 0; one interrupt; the divide configuration slows the count;
 *   - masked (LVT bit 16): the count still runs out, no interrupt;
 *   - periodic: the count reloads and interrupts keep coming, no faster
 *     than the period; a write of 0 to the initial count stops them;
 *   - TSC-deadline (CPUID.01H:ECX[24]): one interrupt, not before the TSC
 *     reaches IA32_TSC_DEADLINE, which then reads 0; a deadline already
 *     past fires; a write of 0 disarms; initial-count writes are
 *     ignored (an armed deadline stays armed) and the current count
 *     reads 0 (11.5.4.1);
 *   - TPR: an interrupt whose priority class is not above TPR[7:4] waits
 *     in IRR with PPR = TPR; lowering TPR through the APIC page or
 *     through CR8 (CR8 = TPR[7:4]) lets it in before the next instruction.
 * The guest knows neither the APIC bus clock nor the TSC's frequency, so
 * times are compared with each other: a reference one-shot is measured
 * in TSC cycles first and the other waits are multiples of it.
 */
#include "libguest.h"
#include "apic.h"

#define APIC_TPR		0x80
#define APIC_PPR		0xa0
#define APIC_LVT_TIMER		0x320
#define APIC_TIMER_ICR		0x380
#define APIC_TIMER_CCR		0x390
#define APIC_TIMER_DCR		0x3e0
#define LVT_MASKED		(1u << 16)
#define LVT_PERIODIC		(1u << 17)
#define LVT_TSC_DEADLINE	(2u << 17)
#define DCR_DIV1		0xb
#define DCR_DIV16		0x3
#define MSR_TSC_DEADLINE	0x6e0
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

#define VEC			0x41	/* priority class 4 */
/* 10 ms at the 1 GHz APIC bus clock of khv and KVM: long next to exits. */
#define REF_COUNT		10000000u
/* The reference wait: the TSC of any host runs many times this in 60 s. */
#define REF_LIMIT		(1ull << 36)
/*
 * PAUSEs to wait for an interrupt that TPR let in: on hardware the APIC
 * dispatches it within a few cycles; a hypervisor must make it exit-less
 * (a MOV to CR8 that does not exit is not seen until the next exit).
 */
#define MAX_SPINS		1000u

static volatile unsigned int count;
static volatile u64 irq_tsc;
static volatile u64 irq_tscs[8];	/* of the first 8 after arm() */
static u64 ref;			/* TSC cycles of one REF_COUNT one-shot */
static u64 period;		/* TSC cycles of REF_COUNT counts, by rate */

static void timer_handler(struct ex_regs *regs)
{
	(void)regs;
	irq_tsc = rdtsc();
	if (count < ARRAY_SIZE(irq_tscs))
		irq_tscs[count] = irq_tsc;
	count++;
	apic_eoi();
}

static inline void write_cr8(unsigned long v)
{
	asm volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

/*
 * Interrupt windows until @want interrupts came or @limit TSC cycles
 * passed; returns the count.
 */
static unsigned int wait_irqs(unsigned int want, u64 limit)
{
	u64 t0 = rdtsc();

	while (count < want && rdtsc() - t0 < limit)
		sti_nop_cli();
	return count;
}

/* Open windows for @cycles TSC cycles, whatever comes. */
static void idle(u64 cycles)
{
	u64 t0 = rdtsc();

	while (rdtsc() - t0 < cycles)
		sti_nop_cli();
}

static void arm(u32 lvt, u32 dcr, u32 icr)
{
	apic_write(APIC_TIMER_ICR, 0);
	apic_write(APIC_LVT_TIMER, lvt);
	apic_write(APIC_TIMER_DCR, dcr);
	count = 0;
	apic_write(APIC_TIMER_ICR, icr);
}

static void test_oneshot(void)
{
	u32 c1, c2;
	u64 t0;

	arm(VEC, DCR_DIV1, REF_COUNT);
	t0 = rdtsc();
	c1 = apic_read(APIC_TIMER_CCR);
	c2 = apic_read(APIC_TIMER_CCR);
	report(c1 <= REF_COUNT && c2 < c1,
	       "one-shot: the current count counts down (%u, %u of %u)",
	       c1, c2, REF_COUNT);
	if (wait_irqs(1, REF_LIMIT) != 1) {
		report(false, "one-shot: no interrupt");
		abort_test("no timer interrupt: the other checks need one");
	}
	ref = irq_tsc - t0;
	report(true, "one-shot: an interrupt, %lu TSC cycles after arming",
	       (unsigned long)ref);
	c1 = apic_read(APIC_TIMER_CCR);
	idle(3 * ref);
	report(count == 1 && c1 == 0 && apic_read(APIC_TIMER_CCR) == 0,
	       "one-shot: once only, the count stays 0 (%u interrupts, ccr %u)",
	       count, c1);
}

/* Counts per TSC cycle at @dcr, over about half a reference period. */
static u64 count_rate(u32 dcr)
{
	u32 c1, c2;
	u64 t1, t2;

	arm(VEC | LVT_MASKED, dcr, 0xffffffffu);
	t1 = rdtsc();
	c1 = apic_read(APIC_TIMER_CCR);
	idle(ref / 2);
	t2 = rdtsc();
	c2 = apic_read(APIC_TIMER_CCR);
	apic_write(APIC_TIMER_ICR, 0);
	/* Fixed point: counts per 2^20 cycles. */
	return ((u64)(c1 - c2) << 20) / (t2 - t1 ? t2 - t1 : 1);
}

static void test_divide(void)
{
	u64 r1 = count_rate(DCR_DIV1), r16 = count_rate(DCR_DIV16);

	period = r1 ? ((u64)REF_COUNT << 20) / r1 : 0;
	printf("APIC timer: %lu counts per 2^20 TSC cycles: %lu cycles per %u counts\n",
	       (unsigned long)r1, (unsigned long)period, REF_COUNT);
	report(period && ref >= period / 10 * 9,
	       "one-shot: not before its count ran out (%lu cycles, %lu for the count)",
	       (unsigned long)ref, (unsigned long)period);

	/* 16 times slower; wide bounds: each read is an exit. */
	report(r16 && r1 >= 8 * r16 && r1 <= 32 * r16,
	       "divide by 16 counts 16 times slower than by 1 (%lu vs %lu)",
	       (unsigned long)r16, (unsigned long)r1);
}

static void test_masked(void)
{
	u64 t0 = rdtsc();

	arm(VEC | LVT_MASKED, DCR_DIV1, REF_COUNT / 10);
	while (apic_read(APIC_TIMER_CCR) && rdtsc() - t0 < 10 * ref)
		sti_nop_cli();
	idle(ref);
	report(apic_read(APIC_TIMER_CCR) == 0 && count == 0 &&
	       !apic_vector_bit(APIC_IRR, VEC),
	       "masked: the count runs out, no interrupt (%u)", count);
}

static void test_periodic(void)
{
	u64 t;
	u32 ccr;
	unsigned int n;

	arm(VEC | LVT_PERIODIC, DCR_DIV1, REF_COUNT);
	n = wait_irqs(5, 20 * ref);
	ccr = apic_read(APIC_TIMER_CCR);
	report(n == 5, "periodic: 5 interrupts (%u)", n);
	/*
	 * Four periods from the first to the fifth, by the APIC's own rate.
	 * A late first interrupt shortens the span by less than a period
	 * (later ticks coalesce in IRR), so more than 3 periods are left;
	 * 2.5 leaves room for the rate's measurement.
	 */
	t = irq_tscs[4] - irq_tscs[0];
	report(n == 5 && t >= 5 * period / 2,
	       "periodic: not faster than the period (%lu cycles for 4, period %lu)",
	       (unsigned long)t, (unsigned long)period);
	report(ccr > 0 && ccr <= REF_COUNT,
	       "periodic: the count reloads (%u)", ccr);

	apic_write(APIC_TIMER_ICR, 0);
	idle(ref / 4);		/* one already requested may still come */
	n = count;
	idle(3 * ref);
	report(count == n && apic_read(APIC_TIMER_CCR) == 0,
	       "periodic: an initial count of 0 stops it (%u more)",
	       count - n);
}

static void test_deadline(void)
{
	u64 deadline, v;
	unsigned int n;

	if (!(cpuid(1).c & CPUID_1_ECX_TSC_DEADLINE)) {
		report(true, "TSC-deadline: not in CPUID, skipped");
		return;
	}
	arm(VEC | LVT_TSC_DEADLINE, DCR_DIV1, 1000);
	/* Order the LVT write before WRMSR (11.5.4.1). */
	asm volatile("mfence" ::: "memory");
	idle(ref / 10);
	report(count == 0 && apic_read(APIC_TIMER_CCR) == 0 &&
	       rdmsr(MSR_TSC_DEADLINE) == 0,
	       "TSC-deadline: initial count ignored, current count 0");

	deadline = rdtsc() + ref;
	wrmsr(MSR_TSC_DEADLINE, deadline);
	v = rdmsr(MSR_TSC_DEADLINE);
	n = wait_irqs(1, 10 * ref);
	report(v == deadline, "TSC-deadline: the MSR reads the deadline");
	report(n == 1 && irq_tsc >= deadline,
	       "TSC-deadline: an interrupt, not before the deadline (%ld cycles after)",
	       (long)(irq_tsc - deadline));
	idle(ref);
	report(count == 1 && rdmsr(MSR_TSC_DEADLINE) == 0,
	       "TSC-deadline: once only, then the MSR reads 0 (%u)", count);

	count = 0;
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + ref / 2);
	apic_write(APIC_TIMER_ICR, 1000);
	apic_write(APIC_TIMER_ICR, 0);
	report(wait_irqs(1, 4 * ref) == 1,
	       "TSC-deadline: initial-count writes leave the deadline armed");
	idle(ref);

	count = 0;
	wrmsr(MSR_TSC_DEADLINE, rdtsc() - ref);
	report(wait_irqs(1, 2 * ref) == 1,
	       "TSC-deadline: a deadline already past fires");
	idle(ref);

	count = 0;
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + ref);
	wrmsr(MSR_TSC_DEADLINE, 0);
	idle(2 * ref);
	report(count == 0, "TSC-deadline: a write of 0 disarms (%u)", count);
}

/*
 * A one-shot under TPR 50h (class 5 blocks class 4), then TPR lowered
 * by @how with IF = 1: the interrupt must come before the instruction
 * after the write (an exit-less MOV to CR8 too).
 */
static void test_tpr(bool cr8)
{
	const char *how = cr8 ? "CR8" : "the TPR register";
	unsigned int spins;
	u64 t0;
	u32 ppr;

	apic_write(APIC_TPR, 0x50);
	arm(VEC, DCR_DIV1, REF_COUNT / 10);
	t0 = rdtsc();
	while (!apic_vector_bit(APIC_IRR, VEC) && rdtsc() - t0 < 10 * ref)
		sti_nop_cli();
	idle(ref / 2);
	ppr = apic_read(APIC_PPR);
	report(count == 0 && apic_vector_bit(APIC_IRR, VEC) && ppr == 0x50,
	       "TPR 50h: vector %x waits in IRR, PPR %x (%u taken)", VEC, ppr,
	       count);

	t0 = rdtsc();
	sti();
	if (cr8)
		write_cr8(0);
	else
		apic_write(APIC_TPR, 0);
	for (spins = 0; !count && spins < MAX_SPINS; spins++)
		asm volatile("pause" ::: "memory");
	cli();
	t0 = count ? irq_tsc - t0 : 0;
	report(count == 1,
	       "TPR lowered through %s: taken within %u PAUSEs (%u, %lu cycles)",
	       how, MAX_SPINS, spins, (unsigned long)t0);
	if (!count)
		wait_irqs(1, ref);
	report(count == 1 && apic_read(APIC_TPR) == 0,
	       "TPR lowered through %s: one interrupt, TPR 0 (%u)", how, count);
}

static void test_cr8_is_tpr(void)
{
	unsigned long v;

	write_cr8(0x7);
	report(apic_read(APIC_TPR) == 0x70,
	       "CR8 7: the TPR register reads 70h (%x)", apic_read(APIC_TPR));
	apic_write(APIC_TPR, 0x30);
	asm volatile("mov %%cr8, %0" : "=r"(v));
	report(v == 3, "TPR 30h: CR8 reads 3 (%lx)", v);
	write_cr8(0);
}

int main(void)
{
	apic_enable();
	set_irq_handler(VEC, timer_handler);
	test_oneshot();
	test_divide();
	test_masked();
	test_periodic();
	test_deadline();
	apic_write(APIC_LVT_TIMER, VEC);	/* back to one-shot */
	test_cr8_is_tpr();
	test_tpr(false);
	test_tpr(true);
	return report_summary();
}
