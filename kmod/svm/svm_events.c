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
#include <linux/seq_file.h>
#include <asm/processor-flags.h>

#include "svm.h"
#include "../lapic.h"

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
	if (!vcpu->event_queued) {
		svm_inject_apic(vcpu);
		return;
	}

	switch (vcpu->event.type) {
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
		if (vcpu->event.has_error_code)
			inj |= VMCB_EVT_ERR_VALID |
			       ((u64)vcpu->event.error_code << 32);
		break;
	}
	c->event_inj = inj | vcpu->event.vector | VMCB_EVT_VALID;
	vcpu->event_queued = false;
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

/* For debugfs: the VMCB's event fields, read from memory. */
void svm_show_state(struct khv_vcpu *vcpu, struct seq_file *m)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control *c = &svm->vmcb->control;

	seq_printf(m, "  svm: int_ctl %#llx vintr-intercept %d int_state %#llx event_inj %#llx reinject %#llx\n",
		   READ_ONCE(c->int_ctl),
		   !!(READ_ONCE(c->intercept_misc1) & VMCB_INTERCEPT_VINTR),
		   READ_ONCE(c->int_state), READ_ONCE(c->event_inj),
		   READ_ONCE(svm->reinject));
	seq_printf(m, "  svm: last exit %#llx info1 %#llx exitintinfo %#llx, cpu %d\n",
		   READ_ONCE(c->exit_code), READ_ONCE(c->exit_info1),
		   READ_ONCE(c->exit_int_info), READ_ONCE(svm->vmcb_cpu));
}
