// SPDX-License-Identifier: GPL-2.0
/*
 * khv: delivering interrupts to vCPUs: from the APIC timer, from IPIs a
 * vCPU sends through its ICR, and from the launcher's MSIs.  A vCPU that
 * runs the guest is kicked out of guest mode with a reschedule IPI to its
 * CPU; a vCPU halted in the kernel is woken.
 */
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include "khv.h"
#include "lapic.h"

/* Delivery modes of the ICR and of MSI data (SDM Vol. 3A, 11.6.1, 11.11.2). */
#define DM_FIXED	0
#define DM_LOWEST	1
#define DM_SMI		2
#define DM_NMI		4
#define DM_INIT		5
#define DM_STARTUP	6
#define DM_EXTINT	7

#define SH_NONE		0
#define SH_SELF		1
#define SH_ALL		2
#define SH_OTHERS	3

void khv_vcpu_kick(struct khv_vcpu *vcpu)
{
	struct task_struct *task;

	wake_up_interruptible(&vcpu->wq);
	rcu_read_lock();
	task = READ_ONCE(vcpu->task);
	if (task && task != current)
		kick_process(task);
	rcu_read_unlock();
}

/*
 * Vectors 0-15 are illegal for fixed interrupts (11.5.3): the APIC
 * drops them.
 */
void khv_deliver_irq(struct khv_vcpu *vcpu, int vector, bool level)
{
	struct khv_lapic *apic = vcpu->lapic;

	if (!apic || vector < 16)
		return;
	if (level)
		set_bit(vector, apic->tmr);
	else
		clear_bit(vector, apic->tmr);
	set_bit(vector, apic->irr);
	khv_vcpu_kick(vcpu);
}

void khv_kick_all(struct khv_vm *vm)
{
	int i;

	mutex_lock(&vm->lock);
	for (i = 0; i < KHV_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			khv_vcpu_kick(vm->vcpus[i]);
	mutex_unlock(&vm->lock);
}

bool khv_vcpu_has_event(struct khv_vcpu *vcpu)
{
	return READ_ONCE(vcpu->nmi_pending) || khv_lapic_next_vector(vcpu) >= 0;
}

/*
 * HLT with interrupts enabled: sleep in the kernel until an interrupt
 * is due, so a halted guest costs nothing and makes no trip to
 * userspace.  A signal, or a memory map change, ends the sleep with
 * -EINTR; the vCPU stays halted and sleeps again at the next KHV_RUN.
 */
int khv_vcpu_halt(struct khv_vcpu *vcpu)
{
	struct khv_vm *vm = vcpu->vm;

	vcpu->halted = true;
	if (wait_event_interruptible(vcpu->wq, khv_vcpu_has_event(vcpu) ||
				     READ_ONCE(vm->slots_changing)) ||
	    !khv_vcpu_has_event(vcpu)) {
		vcpu->run->exit_reason = KHV_EXIT_INTR;
		return -EINTR;
	}
	vcpu->halted = false;
	return 1;
}

void khv_deliver_nmi(struct khv_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->nmi_pending, true);
	khv_vcpu_kick(vcpu);
}

static bool shorthand_match(struct khv_vcpu *vcpu, struct khv_vcpu *src,
			    u32 shorthand)
{
	switch (shorthand) {
	case SH_SELF:
		return vcpu == src;
	case SH_OTHERS:
		return vcpu != src;
	default:
		return true;
	}
}

/*
 * Send an interrupt to the vCPUs a destination names.  INIT and
 * STARTUP are for bringing up other vCPUs, which khv does not do yet:
 * they are dropped.  Returns the number of vCPUs that received it.
 */
int khv_apic_send(struct khv_vm *vm, struct khv_vcpu *src, u32 dest,
		  bool logical, u32 shorthand, u32 mode, int vector,
		  bool level)
{
	int i, n = 0;

	mutex_lock(&vm->lock);
	for (i = 0; i < KHV_MAX_VCPUS; i++) {
		struct khv_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu || !vcpu->lapic)
			continue;
		if (shorthand != SH_NONE ?
		    !shorthand_match(vcpu, src, shorthand) :
		    !khv_lapic_match(vcpu, dest, logical))
			continue;
		switch (mode) {
		case DM_FIXED:
		case DM_LOWEST:
		case DM_EXTINT:
			khv_deliver_irq(vcpu, vector, level);
			break;
		case DM_NMI:
			khv_deliver_nmi(vcpu);
			break;
		default:
			continue;
		}
		n++;
		/* Lowest priority: any one of them will do. */
		if (mode == DM_LOWEST)
			break;
	}
	mutex_unlock(&vm->lock);
	return n;
}

/*
 * An MSI from the launcher's devices: address FEEx_xxxx names the
 * destination, data the vector and delivery mode (SDM Vol. 3A, 11.11).
 */
int khv_signal_msi(struct khv_vm *vm, u64 address, u32 data)
{
	if ((address >> 20) != 0xfee)
		return -EINVAL;
	return khv_apic_send(vm, NULL, (address >> 12) & 0xff,
			     address & BIT(2), SH_NONE, (data >> 8) & 7,
			     data & 0xff, data & BIT(15));
}
