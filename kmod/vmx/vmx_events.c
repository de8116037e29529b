// SPDX-License-Identifier: GPL-2.0
/*
 * khv/vmx: delivering interrupts and exceptions to the guest.
 *
 * Events go in through the VM-entry interruption-information field (SDM
 * Vol. 3C, 26.8.3 and 28.6 "Event Injection").  An event whose delivery
 * an exit cut short is reported in the IDT-vectoring information field
 * (29.2.4) and delivered again first.  An external interrupt waits until
 * the guest can take it: "interrupt-window exiting" makes the CPU exit as
 * soon as RFLAGS.IF = 1 and no STI or MOV SS blocking remain (27.7.5);
 * an NMI waits for "NMI-window exiting" (27.7.6) when virtual NMIs are on.
 *
 * vmx_inject_pending() runs inside vcpu_run, with the VMCS current.
 */
#include <linux/seq_file.h>
#include <asm/processor-flags.h>

#include "vmx.h"
#include "../lapic.h"

static void vmx_request_window(struct vmx_vcpu *vmx, u32 window)
{
	/* Without virtual NMIs there is no NMI window: use the IRQ one. */
	if (window == PROC_NMI_WINDOW_EXITING && !vmx_caps.vnmi)
		window = PROC_INTR_WINDOW_EXITING;
	vmx->proc_ctls |= window;
}

static bool vmx_interrupt_allowed(struct khv_vcpu *vcpu, u32 block)
{
	/* 28.3.1.5: no injection under STI or MOV SS blocking. */
	return (vcpu->rflags & X86_EFLAGS_IF) &&
	       !(block & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS));
}

static bool vmx_nmi_allowed(u32 block)
{
	return !(block & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)) &&
	       !(vmx_caps.vnmi && (block & INTR_BLOCK_NMI));
}

/*
 * Events of the in-kernel APIC: a pending NMI first, then the highest
 * vector the APIC lets through, once the guest can take it.
 */
static void vmx_inject_apic(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 block = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	int vector;

	if (READ_ONCE(vcpu->nmi_pending)) {
		if (!vmx_nmi_allowed(block)) {
			vmx_request_window(vmx, PROC_NMI_WINDOW_EXITING);
			return;
		}
		WRITE_ONCE(vcpu->nmi_pending, false);
		vmcs_write(VMCS_ENTRY_INTR_INFO,
			   INTR_INFO_VALID | INTR_TYPE_NMI | 2);
		return;
	}
	vector = khv_lapic_next_vector(vcpu);
	if (vector < 0)
		return;
	if (!vmx_interrupt_allowed(vcpu, block)) {
		vmx_request_window(vmx, PROC_INTR_WINDOW_EXITING);
		return;
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO,
		   INTR_INFO_VALID | INTR_TYPE_EXT_INTR | vector);
	khv_lapic_accept(vcpu, vector);
}

/* Called before every entry, IRQs off, the VMCS current. */
void vmx_inject_pending(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info, block;

	if (vmx->reinject_info) {
		info = vmx->reinject_info;
		if (info & INTR_INFO_ERROR_CODE)
			vmcs_write(VMCS_ENTRY_EXC_ERROR_CODE, vmx->reinject_err);
		vmcs_write(VMCS_ENTRY_INTR_INFO, info);
		vmx->reinject_info = 0;
		return;
	}
	if (!vcpu->event_queued) {
		if (vcpu->lapic || READ_ONCE(vcpu->nmi_pending))
			vmx_inject_apic(vcpu);
		return;
	}

	block = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	switch (vcpu->event.type) {
	case KHV_INJECT_IRQ:
		if (!vmx_interrupt_allowed(vcpu, block)) {
			vmx_request_window(vmx, PROC_INTR_WINDOW_EXITING);
			return;
		}
		info = INTR_TYPE_EXT_INTR;
		break;
	case KHV_INJECT_NMI:
		if (!vmx_nmi_allowed(block)) {
			vmx_request_window(vmx, PROC_NMI_WINDOW_EXITING);
			return;
		}
		info = INTR_TYPE_NMI;
		break;
	default:
		info = INTR_TYPE_HARD_EXC;
		/*
		 * Real mode pushes no error code, and VM entry refuses one
		 * with CR0.PE = 0 under unrestricted guest (28.2.1.3).
		 */
		if (vcpu->event.has_error_code &&
		    (vmcs_read(VMCS_GUEST_CR0) & X86_CR0_PE)) {
			info |= INTR_INFO_ERROR_CODE;
			vmcs_write(VMCS_ENTRY_EXC_ERROR_CODE,
				   vcpu->event.error_code);
		}
		break;
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO,
		   info | vcpu->event.vector | INTR_INFO_VALID);
	vcpu->event_queued = false;
}

/*
 * After an exit: an event the exit interrupted is delivered again on the
 * next entry (SDM Vol. 3C, 29.2.4 "Information for VM Exits During Event
 * Delivery").  Software interrupts and exceptions (INT n, INT3, INTO,
 * INT1) are not: RIP still points at the instruction, which raises them
 * anew when it runs again.
 */
void vmx_save_interrupted_event(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info = vmx->idt_vectoring, type = info & INTR_INFO_TYPE_MASK;

	if (!(info & INTR_INFO_VALID))
		return;
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_PRIV_SOFT_EXC ||
	    type == INTR_TYPE_SOFT_EXC)
		return;
	vmx->reinject_info = info & (INTR_INFO_VECTOR_MASK |
				     INTR_INFO_TYPE_MASK |
				     INTR_INFO_ERROR_CODE | INTR_INFO_VALID);
	if (info & INTR_INFO_ERROR_CODE)
		vmx->reinject_err = vmx_vmread(vcpu,
					       VMCS_IDT_VECTORING_ERROR_CODE);
	/*
	 * An NMI cut short leaves virtual-NMI blocking set (29.2.4), and
	 * VM entry refuses to inject an NMI under it (28.3.1.5).
	 */
	if (type == INTR_TYPE_NMI && vmx_caps.vnmi) {
		u32 block = vmx_vmread(vcpu, VMCS_GUEST_INTERRUPTIBILITY);

		vmx_vmwrite(vcpu, VMCS_GUEST_INTERRUPTIBILITY,
			    block & ~INTR_BLOCK_NMI);
	}
}

/* The guest can take an interrupt now: the next entry injects it. */
int vmx_handle_intr_window(struct khv_vcpu *vcpu)
{
	to_vmx(vcpu)->proc_ctls &= ~PROC_INTR_WINDOW_EXITING;
	return 1;
}

int vmx_handle_nmi_window(struct khv_vcpu *vcpu)
{
	to_vmx(vcpu)->proc_ctls &= ~PROC_NMI_WINDOW_EXITING;
	return 1;
}

/*
 * For debugfs: what khv keeps of the VMCS in memory.  The VMCS itself
 * can only be read on the CPU where it is current (SDM Vol. 3C, 25.11.1):
 * not from debugfs's thread.
 */
void vmx_show_state(struct khv_vcpu *vcpu, struct seq_file *m)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 ctls = READ_ONCE(vmx->proc_ctls);

	seq_printf(m, "  vmx: intr-window %d nmi-window %d reinject %#x, cr8 %#llx\n",
		   !!(ctls & PROC_INTR_WINDOW_EXITING),
		   !!(ctls & PROC_NMI_WINDOW_EXITING),
		   READ_ONCE(vmx->reinject_info), READ_ONCE(vmx->cr8));
	seq_printf(m, "  vmx: last exit %u qual %#llx idt-vectoring %#x intr-info %#x, cpu %d\n",
		   READ_ONCE(vmx->exit_reason), READ_ONCE(vmx->exit_qual),
		   READ_ONCE(vmx->idt_vectoring), READ_ONCE(vmx->exit_intr_info),
		   READ_ONCE(vmx->cpu));
}
