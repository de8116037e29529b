// SPDX-License-Identifier: GPL-2.0
/*
 * khv: the vCPU run loop.
 *
 * KHV_RUN enters the guest, lets the vendor backend handle each exit, and
 * re-enters until an exit needs userspace.  Before every entry it gives
 * way to the scheduler and to signals, so the vCPU thread may be preempted
 * or migrated between any two entries and Ctrl-C always works: a signal
 * sent while the guest runs interrupts the host CPU, which forces an exit
 * (physical interrupts are intercepted), and the loop then returns -EINTR.
 */
#include <linux/sched/signal.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>

#include "compat.h"
#include "khv.h"
#include "lapic.h"
#include "stats.h"

/* Finish an I/O or MMIO exit with what userspace put in the run page. */
static int khv_complete_userspace_exit(struct khv_vcpu *vcpu)
{
	if (vcpu->hypercall_pending) {
		vcpu->gpr[KHV_RAX] = vcpu->run->hypercall.ret;
		vcpu->hypercall_pending = false;
	}
	if (vcpu->pio.active)
		return khv_complete_pio(vcpu);
	if (vcpu->mmio.active)
		return khv_complete_mmio(vcpu);
	return 1;
}

static int khv_run_loop(struct khv_vcpu *vcpu)
{
	struct khv_run *run = vcpu->run;
	struct khv_exit_stat es;
	int ret;

	ret = khv_complete_userspace_exit(vcpu);
	if (ret <= 0)
		return ret;
	if (vcpu->halted) {
		ret = khv_vcpu_halt(vcpu);
		if (ret <= 0)
			return ret;
	}

	for (;;) {
		if (signal_pending(current) || READ_ONCE(vcpu->vm->slots_changing)) {
			run->exit_reason = KHV_EXIT_INTR;
			return -EINTR;
		}
		cond_resched();

		preempt_disable();
		khv_fpu_enter(vcpu);
		local_irq_disable();
		/* Re-check what arrived since: an IPI now waits for the exit. */
		if (need_resched() || signal_pending(current)) {
			local_irq_enable();
			khv_fpu_exit(vcpu);
			preempt_enable();
			continue;
		}
		/*
		 * Guest mode is a quiescent state for RCU, as user mode is.
		 * Without saying so, a vCPU whose guest only ever exits for
		 * host interrupts (which arrive here with preemption off)
		 * never lets a grace period end: RCU stall warnings, then
		 * worse.  KVM's guest entry does the same.
		 */
		khv_rcu_note_guest_entry();
		khv_vendor->vcpu_run(vcpu);
		local_irq_enable();
		khv_fpu_exit(vcpu);
		preempt_enable();

		vcpu->stat.exits++;
		run->exit_count = vcpu->stat.exits;
		khv_stats_exit_begin(vcpu, &es);
		ret = khv_vendor->handle_exit(vcpu);
		khv_stats_exit_end(vcpu, &es, ret);
		if (ret <= 0)
			return ret;
		if (vcpu->lapic && vcpu->lapic->eoi_exit_vector >= 0) {
			run->eoi.vector = vcpu->lapic->eoi_exit_vector;
			vcpu->lapic->eoi_exit_vector = -1;
			return khv_exit_to_user(vcpu, KHV_EXIT_EOI);
		}
	}
}

int khv_vcpu_run(struct khv_vcpu *vcpu)
{
	struct khv_run *run = vcpu->run;
	int ret;

	if (!vcpu->cpuid)
		return -ENOEXEC;	/* KHV_SET_CPUID first */
	if (vcpu->shut_down)
		return -EIO;		/* KHV_SET_SREGS first */
	khv_stats_user_time(vcpu);

	run->exit_reason = KHV_EXIT_UNKNOWN;
	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = KHV_EXIT_INTR;
		return -EINTR;
	}

	ret = down_read_killable(&vcpu->vm->slots_lock);
	if (ret)
		return ret;
	WRITE_ONCE(vcpu->task, current);
	ret = khv_run_loop(vcpu);
	WRITE_ONCE(vcpu->task, NULL);
	up_read(&vcpu->vm->slots_lock);

	run->if_flag = !!(vcpu->rflags & X86_EFLAGS_IF);
	return ret;
}
