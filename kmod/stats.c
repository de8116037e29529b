// SPDX-License-Identifier: GPL-2.0
/*
 * khv: exit statistics, counted around the vendor's handle_exit.
 *
 * Per exit: one vendor call that classifies it (a table lookup), two
 * TSC reads, a handful of increments in per-vCPU memory, and a branch on
 * the tracing flag.  Raw RDTSC and a multiply, not ktime_get() or
 * local_clock(): every CPU with SVM or VMX and nested paging has an
 * invariant TSC, and the clock code touches more memory (per-CPU clock
 * data) than the counting itself.
 */
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "khv.h"
#include "stats.h"

/* ns = cycles * khv_ns_mult >> KHV_NS_SHIFT (tsc_khz is set by then). */
#define KHV_NS_SHIFT	22
static u32 khv_ns_mult __read_mostly;

static u64 khv_cycles_to_ns(s64 cycles)
{
	/* The thread may have moved to a CPU whose TSC lags a little. */
	return cycles > 0 ? mul_u64_u32_shr(cycles, khv_ns_mult,
					     KHV_NS_SHIFT) : 0;
}

int khv_stats_vcpu_init(struct khv_vcpu *vcpu)
{
	/* Idempotent: racing vCPU creations store the same value. */
	if (!khv_ns_mult && tsc_khz)
		WRITE_ONCE(khv_ns_mult,
			   div_u64((u64)NSEC_PER_MSEC << KHV_NS_SHIFT,
				   tsc_khz));

	/* About 12 KiB: too big to sit in struct khv_vcpu itself. */
	vcpu->stats = kvzalloc(sizeof(*vcpu->stats), GFP_KERNEL_ACCOUNT);
	if (!vcpu->stats)
		return -ENOMEM;
	vcpu->stats->user_reason = -1;
	return 0;
}

void khv_stats_vcpu_free(struct khv_vcpu *vcpu)
{
	if (!vcpu->stats)
		return;
	khv_trace_free(vcpu->stats);
	kvfree(vcpu->stats);
	vcpu->stats = NULL;
}

static unsigned int khv_hist_bucket(u64 ns)
{
	return min_t(unsigned int, ilog2(ns | 1), KHV_STAT_HIST_BUCKETS - 1);
}

/* First come, first kept: exact counts for the keys that got a slot. */
static void khv_key_count(struct khv_key_table *t, u32 key)
{
	u32 i, used = t->used;

	for (i = 0; i < used; i++) {
		if (t->key[i] == key) {
			t->count[i]++;
			return;
		}
	}
	if (used == KHV_KEY_SLOTS) {
		t->other++;
		return;
	}
	t->key[used] = key;
	t->count[used] = 1;
	/* Readers take used slots only: publish the slot after filling it. */
	smp_store_release(&t->used, used + 1);
}

/* Before handle_exit: the GPRs still hold what the instruction read. */
void khv_stats_exit_begin(struct khv_vcpu *vcpu, struct khv_exit_stat *es)
{
	struct khv_vcpu_stats *s = vcpu->stats;

	es->counted = khv_vendor->describe_exit(vcpu, &es->info);
	es->rec = NULL;
	if (!es->counted)
		return;

	switch (es->info.reason) {
	case KHV_STAT_IO:
		es->key = es->info.port;
		khv_key_count(&s->keys[KHV_KEY_PORT], es->key);
		break;
	case KHV_STAT_MSR_READ:
	case KHV_STAT_MSR_WRITE:
		es->key = (u32)vcpu->gpr[KHV_RCX];
		khv_key_count(&s->keys[KHV_KEY_MSR], es->key);
		break;
	case KHV_STAT_CPUID:
		es->key = (u32)vcpu->gpr[KHV_RAX];
		khv_key_count(&s->keys[KHV_KEY_CPUID], es->key);
		break;
	default:
		es->key = 0;
	}
	es->start_tsc = rdtsc();
	if (unlikely(s->tracing))
		es->rec = khv_trace_write(vcpu, es);
}

void khv_stats_exit_end(struct khv_vcpu *vcpu, struct khv_exit_stat *es,
			int ret)
{
	struct khv_vcpu_stats *s = vcpu->stats;
	struct khv_reason_stats *r;
	u64 ns;

	if (!es->counted)
		return;
	ns = khv_cycles_to_ns(rdtsc() - es->start_tsc);
	r = &s->reason[es->info.reason];
	r->count++;
	r->kernel_ns += ns;
	r->kernel_hist[khv_hist_bucket(ns)]++;
	if (unlikely(es->rec))
		khv_trace_publish(s, es->rec, ns);

	if (ret > 0) {
		/* Resumed; if the loop still returns, it is for a signal. */
		s->user_reason = KHV_STAT_OTHER;
		return;
	}
	s->user_reason = es->info.reason;
	if (unlikely(es->info.reason == KHV_STAT_FAIL_ENTRY))
		khv_genl_vcpu_event(vcpu, KHV_CMD_EVENT_ENTRY_FAILED,
				    es->info.code);
	else if (unlikely(es->info.reason == KHV_STAT_SHUTDOWN))
		khv_genl_vcpu_event(vcpu, KHV_CMD_EVENT_SHUTDOWN,
				    es->info.code);
}

/* At KHV_RUN: what userspace says it spent on the exit it was given. */
void khv_stats_user_time(struct khv_vcpu *vcpu)
{
	struct khv_vcpu_stats *s = vcpu->stats;
	u64 ns = READ_ONCE(vcpu->run->user_ns);
	int reason = s->user_reason;
	struct khv_reason_stats *r;

	s->user_reason = -1;
	if (!ns)
		return;
	WRITE_ONCE(vcpu->run->user_ns, 0);
	if (reason < 0)
		return;
	r = &s->reason[reason];
	r->user_count++;
	r->user_ns += ns;
	r->user_hist[khv_hist_bucket(ns)]++;
}

static void khv_key_merge(struct khv_key_table *sum,
			  const struct khv_key_table *t)
{
	/* Pairs with khv_key_count: slots below used are filled. */
	u32 i, j, used = smp_load_acquire(&t->used);

	sum->other += READ_ONCE(t->other);
	for (i = 0; i < used; i++) {
		u32 key = t->key[i];
		u64 n = READ_ONCE(t->count[i]);

		for (j = 0; j < sum->used && sum->key[j] != key; j++)
			;
		if (j < sum->used) {
			sum->count[j] += n;
		} else if (sum->used < KHV_KEY_SLOTS) {
			sum->key[sum->used] = key;
			sum->count[sum->used++] = n;
		} else {
			sum->other += n;
		}
	}
}

/*
 * A VM's totals keep the exits of vCPUs whose fd was closed before the
 * VM's: they are folded into vm->retired when the vCPU goes away.
 */
int khv_stats_vm_init(struct khv_vm *vm)
{
	vm->retired = kvzalloc(sizeof(*vm->retired), GFP_KERNEL_ACCOUNT);
	return vm->retired ? 0 : -ENOMEM;
}

void khv_stats_vm_free(struct khv_vm *vm)
{
	kvfree(vm->retired);
	vm->retired = NULL;
}

/* Called with vm->lock held, after the vCPU left vm->vcpus[]. */
void khv_stats_vcpu_retire(struct khv_vcpu *vcpu)
{
	lockdep_assert_held(&vcpu->vm->lock);
	if (vcpu->stats && vcpu->vm->retired)
		khv_stats_sum(vcpu->vm->retired, vcpu->stats);
}

/* Add a live vCPU's counters to @sum (private to the caller). */
void khv_stats_sum(struct khv_vcpu_stats *sum, const struct khv_vcpu_stats *s)
{
	int i, b;

	for (i = 0; i < KHV_STAT_NR; i++) {
		const struct khv_reason_stats *r = &s->reason[i];
		struct khv_reason_stats *d = &sum->reason[i];

		d->count += READ_ONCE(r->count);
		d->kernel_ns += READ_ONCE(r->kernel_ns);
		d->user_count += READ_ONCE(r->user_count);
		d->user_ns += READ_ONCE(r->user_ns);
		for (b = 0; b < KHV_STAT_HIST_BUCKETS; b++) {
			d->kernel_hist[b] += READ_ONCE(r->kernel_hist[b]);
			d->user_hist[b] += READ_ONCE(r->user_hist[b]);
		}
	}
	for (i = 0; i < KHV_KEY_NR; i++)
		khv_key_merge(&sum->keys[i], &s->keys[i]);
}
