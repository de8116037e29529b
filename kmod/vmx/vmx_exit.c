// SPDX-License-Identifier: GPL-2.0
/*
 * khv/vmx: the exit handler table.
 *
 * One handler per basic exit reason (SDM Vol. 3D, Appendix C).  Handlers
 * decode what the VMCS says about the exit (exit qualification: SDM Vol.
 * 3C, 29.2.1) and call the common emulators.  Return contract, as for the
 * vendor op handle_exit:
 *   1  handled: resume the guest;
 *   0  khv_run says what userspace must do;
 *  <0  an error for the run ioctl.
 * An exit reason without a handler becomes a KHV_EXIT_INTERNAL_ERROR that
 * carries the raw exit information.
 */
#include <asm/processor-flags.h>

#include "uapi/linux/khv_stats.h"
#include "vmx.h"
#include "../lapic.h"

#define EXC_DB	1
#define EXC_AC	17

/*
 * Move RIP past the instruction that exited: the VMCS gives its length
 * for every instruction exit used here (29.2.5).  Stepping over it ends
 * its STI or MOV SS blocking.
 */
static void vmx_skip(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 block;

	vcpu->rip += vmx->exit_insn_len;
	if (vmx_code_size(vcpu) != 64)
		vcpu->rip = (u32)vcpu->rip;
	block = vmx_vmread(vcpu, VMCS_GUEST_INTERRUPTIBILITY);
	if (block & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS))
		vmx_vmwrite(vcpu, VMCS_GUEST_INTERRUPTIBILITY,
			    block & ~(INTR_BLOCK_STI | INTR_BLOCK_MOV_SS));
}

static int vmx_nop(struct khv_vcpu *vcpu)
{
	vmx_skip(vcpu);
	return 1;
}

static int vmx_cpuid(struct khv_vcpu *vcpu)
{
	khv_emulate_cpuid(vcpu);
	vmx_skip(vcpu);
	return 1;
}

static int vmx_hlt(struct khv_vcpu *vcpu)
{
	vmx_skip(vcpu);
	return khv_handle_hlt(vcpu);
}

static int vmx_vmcall(struct khv_vcpu *vcpu)
{
	vmx_skip(vcpu);
	return khv_handle_hypercall(vcpu);
}

static int vmx_msr(struct khv_vcpu *vcpu)
{
	bool write = (u16)to_vmx(vcpu)->exit_reason == EXIT_WRMSR;
	int ret = write ? khv_emulate_wrmsr(vcpu) : khv_emulate_rdmsr(vcpu);

	if (ret) {
		khv_inject_gp(vcpu);
		return 1;
	}
	vmx_skip(vcpu);
	return 1;
}

static int vmx_xsetbv(struct khv_vcpu *vcpu)
{
	u64 value = khv_edx_eax(vcpu);

	if (vmx_get_cpl(vcpu) ||
	    khv_xsetbv(vcpu, (u32)vcpu->gpr[KHV_RCX], value)) {
		khv_inject_gp(vcpu);
		return 1;
	}
	vmx_skip(vcpu);
	return 1;
}

/* The guest state is undefined after a triple fault exit (29.1). */
static int vmx_triple_fault(struct khv_vcpu *vcpu)
{
	return khv_handle_shutdown(vcpu);
}

static u64 gpr_operand(struct khv_vcpu *vcpu, int gpr)
{
	u64 v = vcpu->gpr[gpr];

	return vmx_code_size(vcpu) == 64 ? v : (u32)v;
}

/*
 * Control-register accesses (29.2.1, Table 29-3): MOV to and from CR8
 * (always, without a TPR shadow), MOV to CR0/CR4 that changes a bit khv
 * owns, and CR3 when the CPU cannot turn its exiting off.
 */
static int vmx_cr(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 q = vmx->exit_qual, val, cr0;
	int cr = QUAL_CR_NUM(q), gpr = QUAL_CR_GPR(q), ret = 0;

	switch (QUAL_CR_TYPE(q)) {
	case 0:		/* MOV to CR */
		val = gpr_operand(vcpu, gpr);
		if (cr == 0) {
			ret = vmx_set_cr0(vcpu, val);
		} else if (cr == 3) {
			vmx_vmwrite(vcpu, VMCS_GUEST_CR3, val);
			vmx->flush_tlb = true;
			vmx_load_pdptes(vcpu);
		} else if (cr == 4) {
			ret = vmx_set_cr4(vcpu, val);
		} else if (cr == 8) {
			ret = val > 0xf ? -EINVAL : 0;
			/* CR8 is the APIC's TPR[7:4] (SDM Vol. 3A, 11.8.6.1). */
			if (!ret && vcpu->lapic)
				khv_lapic_set_tpr(vcpu, val << 4);
			else if (!ret)
				vmx->cr8 = val;
		} else {
			ret = -EINVAL;
		}
		break;
	case 1:		/* MOV from CR */
		if (cr != 3 && cr != 8)
			return khv_internal_error(vcpu, KHV_INTERNAL_EMULATION,
						  &q, 1);
		val = vmx_get_cr(vcpu, cr);
		vcpu->gpr[gpr] = vmx_code_size(vcpu) == 64 ? val : (u32)val;
		break;
	case 2:		/* CLTS */
		ret = vmx_set_cr0(vcpu, vmx_get_cr(vcpu, 0) & ~X86_CR0_TS);
		break;
	default:	/* LMSW: sets PE but cannot clear it (Vol. 2, LMSW) */
		cr0 = vmx_get_cr(vcpu, 0);
		val = (cr0 & ~0xeULL) | (QUAL_CR_LMSW_DATA(q) & 0xf);
		ret = vmx_set_cr0(vcpu, val);
		break;
	}
	if (ret) {
		khv_inject_gp(vcpu);
		return 1;
	}
	vmx_skip(vcpu);
	return 1;
}

/*
 * MOV to or from DR0-7 (29.2.1, Table 29-4).  The debug registers are
 * emulated, never loaded, as on SVM.  CPL > 0 raises #GP before the exit
 * (27.1.1), so only DR4/DR5 aliasing is left to check (SDM Vol. 3B,
 * 19.2.2).
 */
static int vmx_dr(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int dr = QUAL_DR_NUM(vmx->exit_qual), gpr = QUAL_DR_GPR(vmx->exit_qual);
	u64 val;

	if (dr == 4 || dr == 5) {
		if (vmx_get_cr(vcpu, 4) & X86_CR4_DE) {
			khv_inject_ud(vcpu);
			return 1;
		}
		dr += 2;
	}
	if (!(vmx->exit_qual & QUAL_DR_READ)) {
		val = gpr_operand(vcpu, gpr);
		if (dr < 4) {
			vcpu->dr[dr] = val;
		} else if (val >> 32) {
			khv_inject_gp(vcpu);
			return 1;
		} else if (dr == 6) {
			vcpu->dr6 = val;
		} else {
			vcpu->dr7 = val;
		}
	} else {
		val = dr < 4 ? vcpu->dr[dr] : dr == 6 ? vcpu->dr6 : vcpu->dr7;
		vcpu->gpr[gpr] = vmx_code_size(vcpu) == 64 ? val : (u32)val;
	}
	vmx_skip(vcpu);
	return 1;
}

/*
 * I/O instructions: the exit qualification describes the access
 * (29.2.1, Table 29-5); the address size and the segment of INS/OUTS come
 * from the VM-exit instruction-information field (29.2.5, Table 29-8)
 * when IA32_VMX_BASIC[54] says it is filled in, else from the code size
 * and DS.
 */
static int vmx_io(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 q = vmx->exit_qual;
	struct khv_pio_pending p = {
		.in = q & QUAL_IO_IN,
		.string = q & QUAL_IO_STRING,
		.rep = q & QUAL_IO_REP,
		.size = QUAL_IO_SIZE(q),
		.port = QUAL_IO_PORT(q),
		.next_rip = vcpu->rip + vmx->exit_insn_len,
		.seg = KHV_DS,
		.addr_size = vmx_code_size(vcpu) / 8,
	};

	if (p.string && (vmx_caps.basic & VMXCAP_BASIC_INOUT_INFO)) {
		u32 info = vmx_vmread(vcpu, VMCS_EXIT_INSN_INFO);

		p.addr_size = 2 << INSN_INFO_ADDR_SIZE(info);
		if (!p.in)
			p.seg = INSN_INFO_SEG(info);
	}
	if (vmx_code_size(vcpu) != 64)
		p.next_rip = (u32)p.next_rip;
	if ((p.size != 1 && p.size != 2 && p.size != 4) || p.addr_size > 8)
		return khv_internal_error(vcpu, KHV_INTERNAL_UNKNOWN_EXIT,
					  &q, 1);
	vcpu->stat.pio_exits++;
	return khv_handle_pio(vcpu, &p);
}

/*
 * EPT violation (29.2.1, Table 29-7): bits 5:3 of the qualification are
 * the permissions the entry had; none means not present.  A not-present
 * page inside a slot is mapped; everything else is MMIO.  If the access
 * was an IRET's that unblocked NMIs, the blocking comes back (29.2.3).
 */
static int vmx_ept_violation(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 q = vmx->exit_qual;
	u64 gpa = vmx->exit_gpa;
	struct khv_memslot *slot;

	vcpu->stat.npt_faults++;
	if ((q & QUAL_EPT_NMI_UNBLOCK) && vmx_caps.vnmi &&
	    !(vmx->idt_vectoring & INTR_INFO_VALID))
		vmx_vmwrite(vcpu, VMCS_GUEST_INTERRUPTIBILITY,
			    vmx_vmread(vcpu, VMCS_GUEST_INTERRUPTIBILITY) |
			    INTR_BLOCK_NMI);
	slot = khv_memslot_find(vcpu->vm, gpa);
	if (slot && !(q & QUAL_EPT_PERMS))
		return khv_npt_map(vcpu->vm, slot, gpa, q & QUAL_EPT_WRITE) ?: 1;
	return khv_handle_mmio(vcpu, gpa, NULL, 0);
}

/* A malformed EPT entry is khv's bug: stop with the address. */
static int vmx_ept_misconfig(struct khv_vcpu *vcpu)
{
	u64 data[2] = { to_vmx(vcpu)->exit_gpa, vcpu->rip };

	return khv_internal_error(vcpu, KHV_INTERNAL_UNKNOWN_EXIT, data, 2);
}

/*
 * Exceptions and NMIs (29.2.2): the NMI went to Linux in vcpu_run; #DB and
 * #AC are intercepted only to bound exception loops: pass them on.  The
 * #DB exit qualification holds B0-B3, BD and BS in DR6's positions
 * (Table 29-1).
 */
static int vmx_exception_nmi(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info = vmx->exit_intr_info;
	u8 vector = info & INTR_INFO_VECTOR_MASK;
	struct khv_event ev = { .type = KHV_INJECT_EXCEPTION, .vector = vector };
	u64 data[3];

	if ((info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI)
		return 1;
	if (vector == EXC_DB) {
		vcpu->dr6 = 0xffff0ff0 | (vmx->exit_qual & QUAL_DB_BITS);
	} else if (vector == EXC_AC) {
		ev.has_error_code = 1;
		ev.error_code = vmx_vmread(vcpu, VMCS_EXIT_INTR_ERROR_CODE);
	} else {
		data[0] = vmx->exit_reason;
		data[1] = info;
		data[2] = vcpu->rip;
		return khv_internal_error(vcpu, KHV_INTERNAL_UNKNOWN_EXIT,
					  data, 3);
	}
	khv_queue_event(vcpu, &ev);
	return 1;
}

typedef int (*vmx_exit_handler)(struct khv_vcpu *vcpu);

static const vmx_exit_handler vmx_exit_handlers[EXIT_REASON_MAX] = {
	[EXIT_EXCEPTION_NMI] = vmx_exception_nmi,
	[EXIT_EXT_INTR] = khv_exit_resume,	/* Linux takes it once IRQs are on */
	[EXIT_TRIPLE_FAULT] = vmx_triple_fault,
	[EXIT_INIT] = khv_exit_resume,	/* no INIT/SIPI protocol yet */
	[EXIT_SIPI] = khv_exit_resume,
	[EXIT_IO_SMI] = khv_exit_resume,
	[EXIT_OTHER_SMI] = khv_exit_resume,
	[EXIT_INTR_WINDOW] = vmx_handle_intr_window,
	[EXIT_NMI_WINDOW] = vmx_handle_nmi_window,
	[EXIT_CPUID] = vmx_cpuid,
	[EXIT_GETSEC] = khv_exit_ud,		/* SMX is not offered */
	[EXIT_HLT] = vmx_hlt,
	[EXIT_INVD] = vmx_nop,		/* would drop the host's dirty lines */
	[EXIT_RDPMC] = khv_exit_gp,		/* no PMU is offered */
	[EXIT_VMCALL] = vmx_vmcall,
	[EXIT_VMCLEAR ... EXIT_VMXON] = khv_exit_ud,	/* VMX is not offered */
	[EXIT_CR_ACCESS] = vmx_cr,
	[EXIT_DR_ACCESS] = vmx_dr,
	[EXIT_IO] = vmx_io,
	[EXIT_RDMSR] = vmx_msr,
	[EXIT_WRMSR] = vmx_msr,
	[EXIT_MWAIT] = khv_exit_ud,		/* MONITOR/MWAIT are not offered */
	[EXIT_MONITOR] = khv_exit_ud,
	[EXIT_PAUSE] = khv_exit_resume,
	[EXIT_EPT_VIOLATION] = vmx_ept_violation,
	[EXIT_EPT_MISCONFIG] = vmx_ept_misconfig,
	[EXIT_INVEPT] = khv_exit_ud,
	[EXIT_PREEMPTION_TIMER] = khv_exit_resume,
	[EXIT_INVVPID] = khv_exit_ud,
	[EXIT_WBINVD] = vmx_nop,
	[EXIT_XSETBV] = vmx_xsetbv,
	[EXIT_VMFUNC] = khv_exit_ud,
};

/*
 * The statistics reason of each basic exit reason, plus one so that the
 * reasons left out read as 0 and count as KHV_STAT_OTHER.  EPT
 * violations are split further by vmx_describe_exit.
 */
#define STAT(r)	((r) + 1)

static const u8 vmx_exit_stat[EXIT_REASON_MAX] = {
	[EXIT_EXCEPTION_NMI] = STAT(KHV_STAT_EXCEPTION),
	[EXIT_EXT_INTR] = STAT(KHV_STAT_INTR),
	[EXIT_TRIPLE_FAULT] = STAT(KHV_STAT_SHUTDOWN),
	[EXIT_INTR_WINDOW] = STAT(KHV_STAT_VINTR),
	[EXIT_NMI_WINDOW] = STAT(KHV_STAT_VINTR),
	[EXIT_CPUID] = STAT(KHV_STAT_CPUID),
	[EXIT_GETSEC] = STAT(KHV_STAT_REFUSED),
	[EXIT_HLT] = STAT(KHV_STAT_HLT),
	[EXIT_RDPMC] = STAT(KHV_STAT_REFUSED),
	[EXIT_VMCALL] = STAT(KHV_STAT_HYPERCALL),
	[EXIT_VMCLEAR ... EXIT_VMXON] = STAT(KHV_STAT_REFUSED),
	[EXIT_DR_ACCESS] = STAT(KHV_STAT_DR),
	[EXIT_IO] = STAT(KHV_STAT_IO),
	[EXIT_RDMSR] = STAT(KHV_STAT_MSR_READ),
	[EXIT_WRMSR] = STAT(KHV_STAT_MSR_WRITE),
	[EXIT_MWAIT] = STAT(KHV_STAT_REFUSED),
	[EXIT_MONITOR] = STAT(KHV_STAT_REFUSED),
	[EXIT_EPT_VIOLATION] = STAT(KHV_STAT_NPF),
	[EXIT_INVEPT] = STAT(KHV_STAT_REFUSED),
	[EXIT_INVVPID] = STAT(KHV_STAT_REFUSED),
	[EXIT_XSETBV] = STAT(KHV_STAT_XSETBV),
	[EXIT_VMFUNC] = STAT(KHV_STAT_REFUSED),
};

#undef STAT

/* The vendor op describe_exit: read-only, called before vmx_handle_exit. */
bool vmx_describe_exit(struct khv_vcpu *vcpu, struct khv_exit_info *info)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 basic = (u16)vmx->exit_reason;
	struct khv_memslot *slot;

	if (vmx->result == VMX_SKIPPED)
		return false;
	info->code = vmx->exit_reason;
	info->qual = vmx->exit_qual;
	info->info2 = vmx->idt_vectoring;
	info->gpa = 0;
	info->port = 0;
	if (vmx->result != VMX_ENTERED ||
	    (vmx->exit_reason & EXIT_REASON_FAILED_ENTRY)) {
		info->reason = KHV_STAT_FAIL_ENTRY;
		return true;
	}
	info->reason = basic < EXIT_REASON_MAX && vmx_exit_stat[basic] ?
		       vmx_exit_stat[basic] - 1 : KHV_STAT_OTHER;
	if (basic == EXIT_EXCEPTION_NMI &&
	    (vmx->exit_intr_info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI)
		info->reason = KHV_STAT_NMI;
	if (info->reason == KHV_STAT_IO)
		info->port = QUAL_IO_PORT(vmx->exit_qual);
	if (info->reason == KHV_STAT_NPF) {
		info->gpa = vmx->exit_gpa;
		slot = khv_memslot_find(vcpu->vm, info->gpa);
		if (!slot || (vmx->exit_qual & QUAL_EPT_PERMS))
			info->reason = KHV_STAT_MMIO;
	}
	return true;
}

/* Names of the exit reasons that end an entry (Appendix C). */
const char *vmx_exit_reason_name(u32 basic)
{
	switch (basic) {
	case EXIT_INVALID_GUEST_STATE:
		return "VM-entry failure due to invalid guest state";
	case EXIT_MSR_LOADING:
		return "VM-entry failure due to MSR loading";
	case EXIT_MACHINE_CHECK:
		return "VM-entry failure due to machine-check event";
	}
	return "VM-entry failure";
}

/*
 * An entry that did not reach the guest: VMfail with a VM-instruction
 * error (32.4), a VM exit with bit 31 set in the exit reason (28.8), or
 * khv's own checks.  The checks then name the first broken rule.
 */
static int vmx_entry_failed(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct khv_run *run = vcpu->run;
	struct vmx_check_result *c = &vmx->check;
	const char *what;
	bool broken = true;
	u64 reason = 0;

	if (vmx->result == VMX_CHECK_FAILED) {
		what = "refused by khv before VMLAUNCH";
	} else {
		broken = !vmx_check_entry(vcpu, c);
		if (vmx->result == VMX_VMFAIL) {
			reason = vmx->insn_error;
			what = vmx_insn_error_name(vmx->insn_error);
		} else {
			reason = vmx->exit_reason;
			what = vmx_exit_reason_name((u16)vmx->exit_reason);
		}
	}
	run->exit_reason = KHV_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.cpu = raw_smp_processor_id();
	if (broken)
		snprintf(run->fail_entry.description,
			 sizeof(run->fail_entry.description),
			 "%s: %s %#llx: %s (%s)", what, c->field, c->value,
			 c->rule, c->section);
	else
		snprintf(run->fail_entry.description,
			 sizeof(run->fail_entry.description),
			 "%s: no broken rule found by khv's checks", what);
	pr_info_ratelimited("khv: vCPU %d: VM entry failed (%#llx): %s\n",
			    vcpu->id, reason, run->fail_entry.description);
	return 0;
}

int vmx_handle_exit(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 basic = (u16)vmx->exit_reason;
	u64 data[6];

	if (vmx->result == VMX_SKIPPED)
		return 1;
	if (vmx->result != VMX_ENTERED ||
	    (vmx->exit_reason & EXIT_REASON_FAILED_ENTRY))
		return vmx_entry_failed(vcpu);

	vmx_save_interrupted_event(vcpu);

	if (basic < EXIT_REASON_MAX && vmx_exit_handlers[basic])
		return vmx_exit_handlers[basic](vcpu);

	data[0] = vmx->exit_reason;
	data[1] = vmx->exit_qual;
	data[2] = vmx->exit_intr_info;
	data[3] = vmx->idt_vectoring;
	data[4] = vcpu->rip;
	data[5] = vmx->exit_gpa;
	return khv_internal_error(vcpu, KHV_INTERNAL_UNKNOWN_EXIT, data, 6);
}
