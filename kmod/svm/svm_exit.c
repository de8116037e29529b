// SPDX-License-Identifier: GPL-2.0
/*
 * khv/svm: the exit handler table.
 *
 * One handler per exit code (APM Vol. 2, Appendix C).  Handlers decode
 * what the VMCB says about the exit and call the common emulators.
 * Return contract, as for the vendor op handle_exit:
 *   1  handled: resume the guest;
 *   0  khv_run says what userspace must do;
 *  <0  an error for the run ioctl.
 * An exit code without a handler becomes a KHV_EXIT_INTERNAL_ERROR that
 * carries the raw exit information.
 */
#include <asm/processor-flags.h>

#include "uapi/linux/khv_stats.h"
#include "svm.h"
#include "../lapic.h"

/*
 * Move RIP past the instruction that exited.  With NRIP save the VMCB
 * gives the next RIP (APM Vol. 2, 15.7.1); without it, the handler
 * passes the length of the instruction, which is fixed for the exits
 * that use this.
 */
static void svm_skip(struct khv_vcpu *vcpu, unsigned int len)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (svm_has(SVM_FEAT_NRIPS) && vmcb->control.next_rip)
		vcpu->rip = vmcb->control.next_rip;
	else
		vcpu->rip += len;
	if (svm_code_size(vcpu) != 64)
		vcpu->rip = (u32)vcpu->rip;
	/* Stepping over the instruction ends its interrupt shadow. */
	vmcb->control.int_state &= ~VMCB_INT_SHADOW;
}

static int svm_cpuid(struct khv_vcpu *vcpu)
{
	khv_emulate_cpuid(vcpu);
	svm_skip(vcpu, 2);			/* 0F A2 */
	return 1;
}

static int svm_invd(struct khv_vcpu *vcpu)
{
	/* INVD would drop the host's dirty cache lines: a no-op here. */
	svm_skip(vcpu, 2);			/* 0F 08 */
	return 1;
}

static int svm_hlt(struct khv_vcpu *vcpu)
{
	svm_skip(vcpu, 1);			/* F4 */
	return khv_handle_hlt(vcpu);
}

static int svm_vmmcall(struct khv_vcpu *vcpu)
{
	svm_skip(vcpu, 3);			/* 0F 01 D9 */
	return khv_handle_hypercall(vcpu);
}

static int svm_msr(struct khv_vcpu *vcpu)
{
	bool write = to_svm(vcpu)->vmcb->control.exit_info1 & 1;
	int ret = write ? khv_emulate_wrmsr(vcpu) : khv_emulate_rdmsr(vcpu);

	if (ret) {
		khv_inject_gp(vcpu);
		return 1;
	}
	svm_skip(vcpu, 2);			/* 0F 30 / 0F 32 */
	return 1;
}

static int svm_xsetbv(struct khv_vcpu *vcpu)
{
	u64 value = khv_edx_eax(vcpu);

	if (svm_get_cpl(vcpu) ||
	    khv_xsetbv(vcpu, (u32)vcpu->gpr[KHV_RCX], value)) {
		khv_inject_gp(vcpu);
		return 1;
	}
	svm_skip(vcpu, 3);			/* 0F 01 D1 */
	return 1;
}

static int svm_shutdown(struct khv_vcpu *vcpu)
{
	/*
	 * The guest state is undefined after a shutdown intercept (APM
	 * Vol. 2, 15.12): khv_handle_shutdown makes the vCPU wait for new
	 * state from userspace.
	 */
	return khv_handle_shutdown(vcpu);
}

/*
 * IOIO: EXITINFO1 describes the access, EXITINFO2 holds the RIP of the
 * next instruction (APM Vol. 2, 15.10.2).  The segment of OUTS is only
 * reported with decode assists; otherwise it is DS (khv does not yet look
 * for a segment-override prefix there).
 */
static int svm_ioio(struct khv_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;
	u64 info = c->exit_info1;
	struct khv_pio_pending p = {
		.in = info & SVM_IOIO_TYPE_IN,
		.string = info & SVM_IOIO_STR,
		.rep = info & SVM_IOIO_REP,
		.port = info >> SVM_IOIO_PORT_SHIFT,
		.next_rip = c->exit_info2,
		.seg = KHV_DS,
	};

	p.size = (info >> SVM_IOIO_SZ_SHIFT) & 7;	/* 1, 2 or 4 */
	switch ((info >> SVM_IOIO_ASZ_SHIFT) & 7) {
	case 1:
		p.addr_size = 2;
		break;
	case 2:
		p.addr_size = 4;
		break;
	default:
		p.addr_size = 8;
	}
	if (p.string && !p.in && svm_has(SVM_FEAT_DECODE_ASSISTS))
		p.seg = (info >> SVM_IOIO_SEG_SHIFT) & 7;
	if (p.size != 1 && p.size != 2 && p.size != 4)
		return khv_internal_error(vcpu, KHV_INTERNAL_UNKNOWN_EXIT,
					  &info, 1);
	vcpu->stat.pio_exits++;
	return khv_handle_pio(vcpu, &p);
}

/*
 * Nested page fault: EXITINFO1 is the error code, EXITINFO2 the guest
 * physical address (APM Vol. 2, 15.25.6).  A not-present fault inside a
 * slot maps the page; everything else is MMIO.
 */
static struct khv_memslot *svm_npf_ram_slot(struct khv_vcpu *vcpu, u64 gpa,
					    u64 err)
{
	struct khv_memslot *slot = khv_memslot_find(vcpu->vm, gpa);

	return slot && !(err & 1) ? slot : NULL;
}

static int svm_npf(struct khv_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;
	u64 gpa = c->exit_info2, err = c->exit_info1;
	struct khv_memslot *slot;

	vcpu->stat.npt_faults++;
	slot = svm_npf_ram_slot(vcpu, gpa, err);
	if (slot)
		return khv_npt_map(vcpu->vm, slot, gpa, err & 2) ?: 1;
	/*
	 * Decode assists store up to 15 bytes fetched at CS:RIP with a
	 * nested page fault (APM Vol. 2, 15.33 "Decode Assists"),
	 * saving the emulator a guest page walk.  The count may be 0 (the
	 * fetch itself faulted, or errata such as a SMAP violation on the
	 * data access): then the bytes are fetched by walking.
	 */
	if (svm_has(SVM_FEAT_DECODE_ASSISTS) && (c->insn_len & 0xf))
		return khv_handle_mmio(vcpu, gpa, c->insn_bytes,
				       c->insn_len & 0xf);
	return khv_handle_mmio(vcpu, gpa, NULL, 0);
}

/*
 * The GPR operand of a MOV to or from a control or debug register (exit
 * codes 00h-3Fh), or -1.  Decode assists give it in EXITINFO1[3:0] (APM
 * Vol. 2, 15.33.1); without them khv decodes the instruction: [F0] [REX]
 * 0F op ModRM, always a register operand (SDM Vol. 2B, MOV-Move to/from
 * Control Registers, MOV-Move to/from Debug Registers).  *len is the
 * length for svm_skip(): 0 when NRIP save gives the next RIP.
 */
static int svm_mov_gpr(struct khv_vcpu *vcpu, u8 op, unsigned int *len)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u8 insn[15];
	unsigned int n = sizeof(insn), i = 0;
	int rex_b = 0;

	if (svm_has(SVM_FEAT_DECODE_ASSISTS) &&
	    (vmcb->control.exit_info1 & BIT_ULL(63))) {
		*len = 0;		/* NRIP save comes with decode assists */
		return vmcb->control.exit_info1 & 0xf;
	}
	if (khv_fetch_insn(vcpu, insn, &n))
		return -1;
	/* LOCK MOV CR0 is MOV CR8 outside 64-bit mode (APM Vol. 3, MOV CRn). */
	if (n > i && insn[i] == 0xf0)
		i++;
	if (n > i && svm_code_size(vcpu) == 64 && (insn[i] & 0xf0) == 0x40)
		rex_b = insn[i++] & 1;
	if (n < i + 3 || insn[i] != 0x0f || insn[i + 1] != op)
		return -1;
	*len = i + 3;
	return (insn[i + 2] & 7) | (rex_b << 3);
}

/* A MOV's source register, as wide as the code that executed it. */
static u64 svm_mov_source(struct khv_vcpu *vcpu, int gpr)
{
	u64 val = vcpu->gpr[gpr];

	return svm_code_size(vcpu) == 64 ? val : (u32)val;
}

/*
 * MOV to CR8 (exit code 18h), intercepted only while an APIC interrupt
 * waits for TPR to drop (svm_events.c): CR8 is TPR[7:4] (SDM Vol. 3A,
 * 11.8.6.1), and its bits 63:4 are reserved (#GP, SDM Vol. 2B, MOV).
 * The entry after this one offers the interrupt if TPR now lets it in.
 */
static int svm_write_cr8(struct khv_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;
	unsigned int len;
	int gpr = svm_mov_gpr(vcpu, 0x22, &len);
	u64 val;

	if (gpr < 0)
		return khv_internal_error(vcpu, KHV_INTERNAL_EMULATION, NULL, 0);
	val = svm_mov_source(vcpu, gpr);
	if (val > 0xf) {
		khv_inject_gp(vcpu);
		return 1;
	}
	if (vcpu->lapic)
		khv_lapic_set_tpr(vcpu, val << 4);
	else
		c->int_ctl = (c->int_ctl & ~VMCB_V_TPR_MASK) | val;
	svm_skip(vcpu, len);
	return 1;
}

/* MOV to or from DR0-7 (exit codes 20h-2Fh and 30h-3Fh). */
static int svm_dr(struct khv_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 code = vmcb->control.exit_code;
	bool write = code >= SVM_EXIT_WRITE_DR0;
	int dr = code & 0xf, gpr;
	unsigned int len;
	u64 val;

	gpr = svm_mov_gpr(vcpu, write ? 0x23 : 0x21, &len);
	if (gpr < 0)
		return khv_internal_error(vcpu, KHV_INTERNAL_EMULATION, NULL, 0);

	/* DR4/DR5 alias DR6/DR7 unless CR4.DE (SDM Vol. 3B, 19.2.2). */
	if (dr == 4 || dr == 5) {
		if (vmcb->save.cr4 & X86_CR4_DE) {
			khv_inject_ud(vcpu);
			return 1;
		}
		dr += 2;
	}
	if (write) {
		val = svm_mov_source(vcpu, gpr);
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
		vcpu->gpr[gpr] = svm_code_size(vcpu) == 64 ? val : (u32)val;
	}
	svm_skip(vcpu, len);
	return 1;
}

/* #DB and #AC are intercepted only to bound exception loops: pass on. */
static int svm_reflect_exception(struct khv_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u8 vector = vmcb->control.exit_code - SVM_EXIT_EXCP_BASE;
	struct khv_event ev = { .type = KHV_INJECT_EXCEPTION,
				.vector = vector,
				.has_error_code = vector == 17 };

	if (vector == 1)
		vcpu->dr6 = vmcb->save.dr6;
	khv_queue_event(vcpu, &ev);
	return 1;
}

typedef int (*svm_exit_handler)(struct khv_vcpu *vcpu);

static const svm_exit_handler svm_exit_handlers[SVM_EXIT_MAX] = {
	[SVM_EXIT_WRITE_CR8] = svm_write_cr8,
	[SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR0 + 7] = svm_dr,
	[SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR0 + 7] = svm_dr,
	[SVM_EXIT_EXCP_BASE + 1] = svm_reflect_exception,
	[SVM_EXIT_EXCP_BASE + 17] = svm_reflect_exception,
	[SVM_EXIT_INTR] = khv_exit_resume,	/* the host took it after STGI */
	[SVM_EXIT_NMI] = khv_exit_resume,
	[SVM_EXIT_SMI] = khv_exit_resume,
	[SVM_EXIT_INIT] = khv_exit_resume,
	[SVM_EXIT_VINTR] = svm_handle_vintr,
	[SVM_EXIT_RDPMC] = khv_exit_gp,	/* no PMU is offered */
	[SVM_EXIT_CPUID] = svm_cpuid,
	[SVM_EXIT_INVD] = svm_invd,
	[SVM_EXIT_HLT] = svm_hlt,
	[SVM_EXIT_INVLPGA] = khv_exit_ud,	/* SVM is not offered to guests */
	[SVM_EXIT_IOIO] = svm_ioio,
	[SVM_EXIT_MSR] = svm_msr,
	[SVM_EXIT_SHUTDOWN] = svm_shutdown,
	[SVM_EXIT_VMRUN] = khv_exit_ud,
	[SVM_EXIT_VMMCALL] = svm_vmmcall,
	[SVM_EXIT_VMLOAD] = khv_exit_ud,
	[SVM_EXIT_VMSAVE] = khv_exit_ud,
	[SVM_EXIT_STGI] = khv_exit_ud,
	[SVM_EXIT_CLGI] = khv_exit_ud,
	[SVM_EXIT_SKINIT] = khv_exit_ud,
	[SVM_EXIT_MONITOR] = khv_exit_ud,	/* MONITOR/MWAIT are not offered */
	[SVM_EXIT_MWAIT] = khv_exit_ud,
	[SVM_EXIT_MWAIT_COND] = khv_exit_ud,
	[SVM_EXIT_XSETBV] = svm_xsetbv,
	[SVM_EXIT_NPF] = svm_npf,
};

/*
 * The statistics reason of each exit code, plus one so that the codes
 * left out read as 0 and count as KHV_STAT_OTHER.  MSR and NPF are split
 * further by svm_describe_exit.
 */
#define STAT(r)	((r) + 1)

static const u8 svm_exit_stat[SVM_EXIT_MAX] = {
	[SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR0 + 7] = STAT(KHV_STAT_DR),
	[SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR0 + 7] = STAT(KHV_STAT_DR),
	[SVM_EXIT_EXCP_BASE + 1] = STAT(KHV_STAT_EXCEPTION),
	[SVM_EXIT_EXCP_BASE + 17] = STAT(KHV_STAT_EXCEPTION),
	[SVM_EXIT_INTR] = STAT(KHV_STAT_INTR),
	[SVM_EXIT_NMI] = STAT(KHV_STAT_NMI),
	[SVM_EXIT_VINTR] = STAT(KHV_STAT_VINTR),
	[SVM_EXIT_RDPMC] = STAT(KHV_STAT_REFUSED),
	[SVM_EXIT_CPUID] = STAT(KHV_STAT_CPUID),
	[SVM_EXIT_HLT] = STAT(KHV_STAT_HLT),
	[SVM_EXIT_INVLPGA] = STAT(KHV_STAT_REFUSED),
	[SVM_EXIT_IOIO] = STAT(KHV_STAT_IO),
	[SVM_EXIT_MSR] = STAT(KHV_STAT_MSR_READ),
	[SVM_EXIT_SHUTDOWN] = STAT(KHV_STAT_SHUTDOWN),
	[SVM_EXIT_VMRUN] = STAT(KHV_STAT_REFUSED),
	[SVM_EXIT_VMMCALL] = STAT(KHV_STAT_HYPERCALL),
	[SVM_EXIT_VMLOAD ... SVM_EXIT_SKINIT] = STAT(KHV_STAT_REFUSED),
	[SVM_EXIT_MONITOR ... SVM_EXIT_MWAIT_COND] = STAT(KHV_STAT_REFUSED),
	[SVM_EXIT_XSETBV] = STAT(KHV_STAT_XSETBV),
	[SVM_EXIT_NPF] = STAT(KHV_STAT_NPF),
};

#undef STAT

/* The vendor op describe_exit: read-only, called before svm_handle_exit. */
bool svm_describe_exit(struct khv_vcpu *vcpu, struct khv_exit_info *info)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;
	u64 code = c->exit_code;

	if (to_svm(vcpu)->skipped_entry)
		return false;
	info->code = code;
	info->qual = c->exit_info1;
	info->info2 = c->exit_info2;
	info->gpa = 0;
	info->port = 0;
	if ((code & SVM_EXIT_INVALID_LO) == SVM_EXIT_INVALID_LO) {
		info->reason = KHV_STAT_FAIL_ENTRY;
		return true;
	}
	info->reason = code < SVM_EXIT_MAX && svm_exit_stat[code] ?
		       svm_exit_stat[code] - 1 : KHV_STAT_OTHER;
	switch (info->reason) {
	case KHV_STAT_MSR_READ:		/* EXITINFO1 = 1 for WRMSR */
		if (c->exit_info1 & 1)
			info->reason = KHV_STAT_MSR_WRITE;
		break;
	case KHV_STAT_IO:
		info->port = c->exit_info1 >> SVM_IOIO_PORT_SHIFT;
		break;
	case KHV_STAT_NPF:
		info->gpa = c->exit_info2;
		if (!svm_npf_ram_slot(vcpu, info->gpa, c->exit_info1))
			info->reason = KHV_STAT_MMIO;
		break;
	}
	return true;
}

static int svm_entry_failed(struct khv_vcpu *vcpu)
{
	struct khv_run *run = vcpu->run;
	u64 value = 0;
	const char *why = svm_check_guest_state(vcpu, &value);

	run->exit_reason = KHV_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason =
		to_svm(vcpu)->vmcb->control.exit_code;
	run->fail_entry.cpu = raw_smp_processor_id();
	snprintf(run->fail_entry.description,
		 sizeof(run->fail_entry.description),
		 "VMRUN failed (VMEXIT_INVALID): %s (value %#llx)",
		 why ? why : "no broken rule found by khv's checks", value);
	return 0;
}

int svm_handle_exit(struct khv_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;
	u64 code = c->exit_code;
	u64 data[5];

	if (to_svm(vcpu)->skipped_entry)
		return 1;
	if ((code & SVM_EXIT_INVALID_LO) == SVM_EXIT_INVALID_LO)
		return svm_entry_failed(vcpu);

	if (code < SVM_EXIT_MAX && svm_exit_handlers[code])
		return svm_exit_handlers[code](vcpu);

	data[0] = code;
	data[1] = c->exit_info1;
	data[2] = c->exit_info2;
	data[3] = c->exit_int_info;
	data[4] = vcpu->rip;
	return khv_internal_error(vcpu, KHV_INTERNAL_UNKNOWN_EXIT, data, 5);
}
