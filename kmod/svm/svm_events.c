// SPDX-License-Identifier: GPL-2.0
/*
 * khv/svm: delivering interrupts and exceptions to the guest.
 *
 * Exceptions, NMIs and the launcher's KHV_INJECT interrupts go in
 * through EVENTINJ (APM Vol. 2, 15.20).  An event whose delivery an exit
 * cut short comes back in EXITINTINFO and is delivered again first.  An
 * interrupt from KHV_INJECT waits until the guest can take it: a virtual
 * interrupt request (V_IRQ) with the VINTR intercept makes the CPU exit
 * as soon as the guest's interrupt window opens (15.21.4).
 *
 * The in-kernel APIC's interrupts are offered as virtual interrupts
 * instead: V_IRQ with the vector in V_INTR_VECTOR and its priority class
 * in V_INTR_PRIO, and no VINTR intercept.  The CPU takes such an
 * interrupt by itself once the guest has RFLAGS.IF set, no interrupt
 * shadow and a V_TPR below the priority, and clears V_IRQ when it does
 * (15.21.4): no window exit, and the vector moves from IRR to ISR at the
 * next exit, before any EOI the handler can write.  (Through EVENTINJ,
 * QEMU 7.2's emulated SVM delivered an interrupt a second time, at the
 * first instruction of its handler, when its vCPU loop was asked to exit
 * right after VMRUN: Documentation/reliability.rst, flaw 5.)
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
			      VMCB_V_INTR_PRIO_MASK;
		c->intercept_misc1 |= VMCB_INTERCEPT_VINTR;
	} else {
		c->int_ctl &= ~VMCB_V_IRQ_REQUEST;
		c->intercept_misc1 &= ~VMCB_INTERCEPT_VINTR;
	}
}

/* Offer an APIC vector as a virtual interrupt for the next entry. */
static void svm_offer_virq(struct svm_vcpu *svm, int vector)
{
	struct vmcb_control *c = &svm->vmcb->control;

	c->int_ctl &= ~VMCB_V_IRQ_REQUEST;
	c->int_ctl |= VMCB_V_IRQ |
		      ((u64)(vector >> 4) << VMCB_V_INTR_PRIO_SHIFT) |
		      ((u64)vector << VMCB_V_INTR_VECTOR_SHIFT);
	c->intercept_misc1 &= ~VMCB_INTERCEPT_VINTR;
	svm->vmcb_dirty |= VMCB_CLEAN_I | VMCB_CLEAN_TPR;
	svm->virq = vector;
}

/*
 * Events of the in-kernel APIC: a pending NMI first, then the highest
 * vector the APIC lets through, which the CPU delivers once the guest
 * can take it.
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
	if (vector >= 0)
		svm_offer_virq(svm, vector);
}

/*
 * Right after the exit, before anything handles it: what became of the
 * events the entry delivered.
 *
 * The offered APIC vector: the CPU clears V_IRQ when it takes a virtual
 * interrupt (APM Vol. 2, 15.21.4); a delivery that the exit cut short
 * shows in EXITINTINFO as an external interrupt with that vector.  Taken,
 * it is in service from now on; otherwise it stays requested in IRR and
 * is offered again, so EXITINTINFO must not deliver it too.
 *
 * Any other event the exit interrupted (EXITINTINFO, 15.7.2) is delivered
 * again on the next entry.  Software interrupts (INTn) are not: the CPU
 * restarts the instruction, which raises them anew.
 *
 * A VMRUN that failed its checks delivered nothing (15.5.1): the vector
 * stays requested, the event queue as it was.
 */
void svm_complete_events(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control *c = &svm->vmcb->control;
	u64 info = c->exit_int_info;
	bool entered = (c->exit_code & SVM_EXIT_INVALID_LO) !=
		       SVM_EXIT_INVALID_LO;
	bool cut_short = false;

	if (svm->virq >= 0) {
		cut_short = (info & VMCB_EVT_VALID) &&
			    (info & VMCB_EVT_TYPE_MASK) == VMCB_EVT_TYPE_INTR &&
			    (info & VMCB_EVT_VECTOR_MASK) == svm->virq;
		if (entered && !(c->int_ctl & VMCB_V_IRQ) && !cut_short)
			khv_lapic_accept(vcpu, svm->virq);
		c->int_ctl &= ~VMCB_V_IRQ_REQUEST;
		svm->vmcb_dirty |= VMCB_CLEAN_TPR;
		svm->virq = -1;
	}
	if (!entered)
		return;
	c->event_inj = 0;
	if (!(info & VMCB_EVT_VALID) || cut_short)
		return;
	if ((info & VMCB_EVT_TYPE_MASK) == VMCB_EVT_TYPE_SOFT)
		return;
	svm->reinject = info;
}

/*
 * A guest's MOV to CR8 writes V_TPR without an exit.  While the APIC holds
 * an interrupt that only TPR keeps out, intercept those writes, so that
 * lowering TPR lets it in at the next instruction, as on a real APIC
 * (SDM Vol. 3A, 11.8.6); otherwise it would wait for an unrelated exit.
 */
static void svm_update_cr8_intercept(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control *c = &svm->vmcb->control;
	u32 want = khv_lapic_tpr_blocks(vcpu) ? VMCB_INTERCEPT_CR8_WRITE : 0;

	if ((c->intercept_cr & VMCB_INTERCEPT_CR8_WRITE) == want)
		return;
	c->intercept_cr = (c->intercept_cr & ~VMCB_INTERCEPT_CR8_WRITE) | want;
	svm->vmcb_dirty |= VMCB_CLEAN_I;
}

/* Called before every VMRUN, interrupts off. */
void svm_inject_pending(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control *c = &svm->vmcb->control;
	u64 inj;

	svm_update_cr8_intercept(vcpu);
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

	seq_printf(m, "  svm: virq %d int_ctl %#llx vintr-intercept %d int_state %#llx event_inj %#llx reinject %#llx\n",
		   READ_ONCE(svm->virq), READ_ONCE(c->int_ctl),
		   !!(READ_ONCE(c->intercept_misc1) & VMCB_INTERCEPT_VINTR),
		   READ_ONCE(c->int_state), READ_ONCE(c->event_inj),
		   READ_ONCE(svm->reinject));
	seq_printf(m, "  svm: last exit %#llx info1 %#llx exitintinfo %#llx, cpu %d\n",
		   READ_ONCE(c->exit_code), READ_ONCE(c->exit_info1),
		   READ_ONCE(c->exit_int_info), READ_ONCE(svm->vmcb_cpu));
}
