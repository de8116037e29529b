// SPDX-License-Identifier: GPL-2.0
/*
 * khv: the local APIC timer on a host hrtimer: one-shot, periodic and
 * TSC-deadline modes (SDM Vol. 3A, 11.5.4).
 *
 * The APIC timer counts at the bus clock divided by the divide
 * configuration; khv's bus clock is 1 GHz, so one count is one
 * nanosecond before division.
 */
#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "khv.h"
#include "lapic.h"

#define TIMER_MODE_ONESHOT	0
#define TIMER_MODE_PERIODIC	1
#define TIMER_MODE_DEADLINE	2

/*
 * A periodic timer faster than this would keep a host CPU busy with
 * interrupts: shorter periods are stretched to it.
 */
#define TIMER_MIN_PERIOD_NS	100000ULL

static int timer_mode(struct khv_lapic *apic)
{
	return (LAPIC_REG(apic, APIC_REG_LVT_TIMER) >> 17) & 3;
}

/* Divide configuration register (11.5.4, Figure 11-10). */
static u32 timer_divisor(struct khv_lapic *apic)
{
	u32 dcr = LAPIC_REG(apic, APIC_REG_TIMER_DCR);
	u32 v = (dcr & 3) | ((dcr >> 1) & 4);

	return v == 7 ? 1 : 2 << v;
}

static void timer_fire(struct khv_lapic *apic)
{
	u32 lvt = READ_ONCE(LAPIC_REG(apic, APIC_REG_LVT_TIMER));

	if (!(lvt & KHV_LVT_MASKED))
		khv_deliver_irq(apic->vcpu, lvt & 0xff, false);
}

static enum hrtimer_restart lapic_timer_fn(struct hrtimer *t)
{
	struct khv_lapic *apic = container_of(t, struct khv_lapic, timer);

	timer_fire(apic);
	if (timer_mode(apic) == TIMER_MODE_PERIODIC && apic->timer_period_ns) {
		hrtimer_forward_now(t, ns_to_ktime(apic->timer_period_ns));
		return HRTIMER_RESTART;
	}
	apic->tsc_deadline = 0;
	return HRTIMER_NORESTART;
}

void khv_lapic_timer_init(struct khv_lapic *apic)
{
	hrtimer_init(&apic->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	apic->timer.function = lapic_timer_fn;
}

void khv_lapic_timer_cancel(struct khv_lapic *apic)
{
	hrtimer_cancel(&apic->timer);
	apic->timer_period_ns = 0;
	apic->tsc_deadline = 0;
}

/*
 * A write of the initial count (re)starts the timer; 0 stops it.  In
 * TSC-deadline mode the write is ignored (11.5.4.1): an armed deadline
 * stays armed.
 */
void khv_lapic_timer_set_icr(struct khv_lapic *apic, u32 val)
{
	u64 count = val;
	u64 period;

	if (timer_mode(apic) == TIMER_MODE_DEADLINE)
		return;
	LAPIC_REG(apic, APIC_REG_TIMER_ICR) = val;
	hrtimer_cancel(&apic->timer);
	apic->timer_period_ns = 0;
	if (!count)
		return;
	period = count * timer_divisor(apic);
	if (timer_mode(apic) == TIMER_MODE_PERIODIC)
		period = max(period, TIMER_MIN_PERIOD_NS);
	apic->timer_period_ns = period;
	apic->timer_start = ktime_get();
	hrtimer_start(&apic->timer,
		      ktime_add_ns(apic->timer_start, period),
		      HRTIMER_MODE_ABS_HARD);
}

/* The current count: what is left of the period, in timer counts. */
u32 khv_lapic_timer_ccr(struct khv_lapic *apic)
{
	u64 period = apic->timer_period_ns, elapsed;

	if (!period || timer_mode(apic) == TIMER_MODE_DEADLINE)
		return 0;
	elapsed = ktime_to_ns(ktime_sub(ktime_get(), apic->timer_start));
	if (timer_mode(apic) == TIMER_MODE_PERIODIC)
		div64_u64_rem(elapsed, period, &elapsed);
	else if (elapsed >= period)
		return 0;
	return div_u64(period - elapsed, timer_divisor(apic));
}

/*
 * IA32_TSC_DEADLINE: the timer fires when the guest's TSC reaches the
 * value; 0 disarms it; outside TSC-deadline mode writes are ignored
 * (11.5.4.1).
 */
void khv_lapic_set_deadline(struct khv_lapic *apic, u64 deadline)
{
	u64 now, ns;

	if (timer_mode(apic) != TIMER_MODE_DEADLINE)
		return;
	hrtimer_cancel(&apic->timer);
	apic->tsc_deadline = deadline;
	if (!deadline)
		return;
	if (khv_get_msr(apic->vcpu, MSR_IA32_TSC, &now) || !tsc_khz)
		return;
	if (deadline <= now) {
		apic->tsc_deadline = 0;
		timer_fire(apic);
		return;
	}
	ns = mul_u64_u32_div(deadline - now, NSEC_PER_MSEC, tsc_khz);
	hrtimer_start(&apic->timer, ktime_add_ns(ktime_get(), ns),
		      HRTIMER_MODE_ABS_HARD);
}
