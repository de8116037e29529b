// SPDX-License-Identifier: GPL-2.0
/*
 * khv/svm: delivering interrupts and exceptions to the guest.
 *
 * Events go in through EVENTINJ (APM Vol. 2, 15.20).  An event whose
 * delivery an exit cut short comes back in EXITINTINFO and is delivered
 * again first.  An external interrupt waits until the guest can take it:
 * a virtual interrupt request (V_IRQ) with the VINTR intercept makes the
 * CPU exit as soon as the guest's interrupt window opens (15.21.4).
 */
#include <asm/processor-flags.h>

#include "svm.h"
#include "../lapic.h"

#define EXC_DF	8
#define EXC_NMI	2

/* Exceptions that push an error code (SDM Vol. 3A, 7.3, Table 7-1). */
static bool exc_has_error_code(u8 vector)
{
	switch (vector) {
	case 8: case 10: case 11: case 12: case 13: case 14: case 17:
	case 21:
		return true;
	}
	return false;
}

int svm_inject_event(struct khv_vcpu *vcpu, const struct khv_event *ev)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	switch (ev->type) {
	case KHV_INJECT_IRQ:
		if (ev->has_error_code)
			return -EINVAL;
		break;
	case KHV_INJECT_EXCEPTION:
		if (ev->vector > 31 || ev->vector == EXC_NMI ||
		    !!ev->has_error_code != exc_has_error_code(ev->vector))
			return -EINVAL;
		break;
	case KHV_INJECT_NMI:
		break;
	default:
		return -EINVAL;
	}
	if (svm->queued) {
		/* An exception raised while one is queued: a double fault. */
		if (ev->type != KHV_INJECT_EXCEPTION ||
		    svm->event.type != KHV_INJECT_EXCEPTION)
			return -EBUSY;
		svm->event = (struct khv_event){
			.type = KHV_INJECT_EXCEPTION, .vector = EXC_DF,
			.has_error_code = 1 };
		return 0;
	}
	svm->event = *ev;
	svm->queued = true;
	return 0;
}

static bool svm_interrupt_allowed(struct khv_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	return (vcpu->rflags & X86_EFLAGS_IF) &&
	       !(vmcb->control.int_state & VMCB_INT_SHADOW);
}

static void svm_request_window(struct svm_vcpu *svm, bool on)
{
	struct vmcb_control *c = &svm->vmcb->control;

	svm->vmcb_dirty |= VMCB_CLEAN_I | VMCB_CLEAN_TPR;
	if (on) {
		/* Priority 15 with V_IGN_TPR: any open window will do. */
		c->int_ctl |= VMCB_V_IRQ | VMCB_V_IGN_TPR |
			      (0xfULL << VMCB_V_INTR_PRIO_SHIFT);
		c->intercept_misc1 |= VMCB_INTERCEPT_VINTR;
	} else {
		c->int_ctl &= ~(VMCB_V_IRQ | VMCB_V_IGN_TPR |
				(0xfULL << VMCB_V_INTR_PRIO_SHIFT));
		c->intercept_misc1 &= ~VMCB_INTERCEPT_VINTR;
	}
}

/*
 * Events of the in-kernel APIC: a pending NMI first, then the highest
 * vector the APIC lets through, once the guest can take it.
 */
static void svm_inject_apic(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control *c = &svm->vmcb->control;
	int vector;

	if (READ_ONCE(vcpu->nmi_pending)) {
		WRITE_ONCE(vcpu->nmi_pending, false);
		c->event_inj = VMCB_EVT_VALID | VMCB_EVT_TYPE_NMI | 2;
		return;
	}
	vector = khv_lapic_next_vector(vcpu);
	if (vector < 0)
		return;
	if (!svm_interrupt_allowed(vcpu)) {
		svm_request_window(svm, true);
		return;
	}
	c->event_inj = VMCB_EVT_VALID | VMCB_EVT_TYPE_INTR | vector;
	khv_lapic_accept(vcpu, vector);
}

/* Called before every VMRUN, interrupts off. */
void svm_inject_pending(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control *c = &svm->vmcb->control;
	u64 inj;

	if (svm->reinject) {
		c->event_inj = svm->reinject;
		svm->reinject = 0;
		return;
	}
	if (!svm->queued) {
		svm_inject_apic(vcpu);
		return;
	}

	switch (svm->event.type) {
	case KHV_INJECT_IRQ:
		if (!svm_interrupt_allowed(vcpu)) {
			svm_request_window(svm, true);
			return;
		}
		inj = VMCB_EVT_TYPE_INTR;
		break;
	case KHV_INJECT_NMI:
		inj = VMCB_EVT_TYPE_NMI;
		break;
	default:
		inj = VMCB_EVT_TYPE_EXC;
		if (svm->event.has_error_code)
			inj |= VMCB_EVT_ERR_VALID |
			       ((u64)svm->event.error_code << 32);
		break;
	}
	c->event_inj = inj | svm->event.vector | VMCB_EVT_VALID;
	svm->queued = false;
}

/*
 * After an exit: an event the exit interrupted is delivered again on the
 * next entry.  Software interrupts (INTn) are not: the CPU restarts the
 * instruction, which raises them anew.
 */
void svm_save_interrupted_event(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control *c = &svm->vmcb->control;
	u64 info = c->exit_int_info;

	c->event_inj = 0;
	if (!(info & VMCB_EVT_VALID))
		return;
	if ((info & VMCB_EVT_TYPE_MASK) == VMCB_EVT_TYPE_SOFT)
		return;
	svm->reinject = info;
}

/* The guest can take an interrupt now: the next entry injects it. */
int svm_handle_vintr(struct khv_vcpu *vcpu)
{
	svm_request_window(to_svm(vcpu), false);
	return 1;
}
