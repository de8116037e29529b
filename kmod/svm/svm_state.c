// SPDX-License-Identifier: GPL-2.0
/*
 * khv/svm: guest state kept in the VMCB: segments, control registers,
 * EFER and the MSRs that VMRUN/VMLOAD switch.
 */
#include <asm/msr-index.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>

#include "svm.h"

#define KHV_EFER_ALLOWED	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)
/* The power-on PAT: WB, WT, UC-, UC, repeated (SDM Vol. 3A, 13.12.4). */
#define KHV_PAT_DEFAULT		0x0007040600070406ULL

static void seg_to_vmcb(struct vmcb_seg *v, const struct khv_segment *s)
{
	v->selector = s->selector;
	v->base = s->base;
	v->limit = s->limit;
	v->attrib = (s->type & VMCB_SEG_TYPE_MASK) |
		    (s->s ? VMCB_SEG_S : 0) |
		    ((s->dpl & 3) << VMCB_SEG_DPL_SHIFT) |
		    (s->present && !s->unusable ? VMCB_SEG_P : 0) |
		    (s->avl ? VMCB_SEG_AVL : 0) |
		    (s->l ? VMCB_SEG_L : 0) |
		    (s->db ? VMCB_SEG_DB : 0) |
		    (s->g ? VMCB_SEG_G : 0);
}

static void seg_from_vmcb(struct khv_segment *s, const struct vmcb_seg *v)
{
	memset(s, 0, sizeof(*s));
	s->selector = v->selector;
	s->base = v->base;
	s->limit = v->limit;
	s->type = v->attrib & VMCB_SEG_TYPE_MASK;
	s->s = !!(v->attrib & VMCB_SEG_S);
	s->dpl = (v->attrib >> VMCB_SEG_DPL_SHIFT) & 3;
	s->present = !!(v->attrib & VMCB_SEG_P);
	s->avl = !!(v->attrib & VMCB_SEG_AVL);
	s->l = !!(v->attrib & VMCB_SEG_L);
	s->db = !!(v->attrib & VMCB_SEG_DB);
	s->g = !!(v->attrib & VMCB_SEG_G);
	s->unusable = !s->present;
}

void svm_get_sregs(struct khv_vcpu *vcpu, struct khv_sregs *s)
{
	struct vmcb_save *v = &to_svm(vcpu)->vmcb->save;

	seg_from_vmcb(&s->cs, &v->cs);
	seg_from_vmcb(&s->ds, &v->ds);
	seg_from_vmcb(&s->es, &v->es);
	seg_from_vmcb(&s->fs, &v->fs);
	seg_from_vmcb(&s->gs, &v->gs);
	seg_from_vmcb(&s->ss, &v->ss);
	seg_from_vmcb(&s->tr, &v->tr);
	seg_from_vmcb(&s->ldt, &v->ldtr);
	memset(&s->gdt, 0, sizeof(s->gdt));
	memset(&s->idt, 0, sizeof(s->idt));
	s->gdt.base = v->gdtr.base;
	s->gdt.limit = v->gdtr.limit;
	s->idt.base = v->idtr.base;
	s->idt.limit = v->idtr.limit;
	s->cr0 = v->cr0;
	s->cr2 = v->cr2;
	s->cr3 = v->cr3;
	s->cr4 = v->cr4;
	s->cr8 = to_svm(vcpu)->vmcb->control.int_ctl & 0xf;
	s->efer = v->efer & ~EFER_SVME;
}

/*
 * The state is taken as given: what the hardware refuses, VMRUN reports
 * as VMEXIT_INVALID and svm_check_guest_state() names the broken rule.
 */
int svm_set_sregs(struct khv_vcpu *vcpu, const struct khv_sregs *s)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save *v = &svm->vmcb->save;

	if (s->cr8 > 0xf)
		return -EINVAL;
	seg_to_vmcb(&v->cs, &s->cs);
	seg_to_vmcb(&v->ds, &s->ds);
	seg_to_vmcb(&v->es, &s->es);
	seg_to_vmcb(&v->fs, &s->fs);
	seg_to_vmcb(&v->gs, &s->gs);
	seg_to_vmcb(&v->ss, &s->ss);
	seg_to_vmcb(&v->tr, &s->tr);
	seg_to_vmcb(&v->ldtr, &s->ldt);
	v->gdtr.base = s->gdt.base;
	v->gdtr.limit = s->gdt.limit;
	v->idtr.base = s->idt.base;
	v->idtr.limit = s->idt.limit;
	/* The CPL is the DPL of SS (APM Vol. 2, 15.5.1, VMRUN). */
	v->cpl = s->ss.dpl & 3;
	v->cr0 = s->cr0;
	v->cr2 = s->cr2;
	v->cr3 = s->cr3;
	v->cr4 = s->cr4;
	v->efer = s->efer | EFER_SVME;
	svm->vmcb->control.int_ctl =
		(svm->vmcb->control.int_ctl & ~VMCB_V_TPR_MASK) | s->cr8;
	svm->vmcb_dirty = ~0U;
	return 0;
}

static bool is_canonical(u64 addr)
{
	return ((s64)addr << 16 >> 16) == (s64)addr;
}

static bool pat_valid(u64 pat)
{
	int i;

	/* Types 2 and 3 and values above 7 are reserved (SDM Vol. 3A, 13.12.2). */
	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

int svm_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmcb_save *v = &to_svm(vcpu)->vmcb->save;

	switch (index) {
	case MSR_EFER:
		*data = v->efer & ~EFER_SVME;
		break;
	case MSR_STAR:
		*data = v->star;
		break;
	case MSR_LSTAR:
		*data = v->lstar;
		break;
	case MSR_CSTAR:
		*data = v->cstar;
		break;
	case MSR_SYSCALL_MASK:
		*data = v->sfmask;
		break;
	case MSR_KERNEL_GS_BASE:
		*data = v->kernel_gs_base;
		break;
	case MSR_FS_BASE:
		*data = v->fs.base;
		break;
	case MSR_GS_BASE:
		*data = v->gs.base;
		break;
	case MSR_IA32_SYSENTER_CS:
		*data = v->sysenter_cs;
		break;
	case MSR_IA32_SYSENTER_ESP:
		*data = v->sysenter_esp;
		break;
	case MSR_IA32_SYSENTER_EIP:
		*data = v->sysenter_eip;
		break;
	case MSR_IA32_CR_PAT:
		*data = v->g_pat;
		break;
	case MSR_IA32_TSC:
		*data = rdtsc() + to_svm(vcpu)->vmcb->control.tsc_offset;
		break;
	case MSR_IA32_DEBUGCTLMSR:
		*data = 0;
		break;
	default:
		return -ENOENT;
	}
	return 0;
}

/* EFER rules: APM Vol. 2, 3.1.7 and 14.6.1 (LME with paging on: #GP). */
static int svm_set_efer(struct khv_vcpu *vcpu, struct vmcb_save *v, u64 data)
{
	if (data & ~KHV_EFER_ALLOWED)
		return -EINVAL;
	if ((v->cr0 & X86_CR0_PG) && ((data ^ v->efer) & EFER_LME))
		return -EINVAL;
	/* LMA is the processor's to set; writes leave it alone. */
	data = (data & ~EFER_LMA) | (v->efer & EFER_LMA);
	v->efer = data | EFER_SVME;
	svm_mark_dirty(vcpu, VMCB_CLEAN_CRX);
	return 0;
}

int svm_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data)
{
	struct vmcb_save *v = &to_svm(vcpu)->vmcb->save;

	switch (index) {
	case MSR_EFER:
		return svm_set_efer(vcpu, v, data);
	case MSR_STAR:
		v->star = data;
		return 0;
	case MSR_SYSCALL_MASK:
		v->sfmask = data;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		v->sysenter_cs = data;
		return 0;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(data))
			return -EINVAL;
		v->g_pat = data;
		svm_mark_dirty(vcpu, VMCB_CLEAN_NP);
		return 0;
	case MSR_IA32_TSC:
		to_svm(vcpu)->vmcb->control.tsc_offset = data - rdtsc();
		svm_mark_dirty(vcpu, VMCB_CLEAN_I);
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		return data ? -EINVAL : 0;
	}

	/* The rest hold addresses, which must be canonical (#GP otherwise). */
	switch (index) {
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!is_canonical(data))
			return -EINVAL;
		break;
	default:
		return -ENOENT;
	}
	switch (index) {
	case MSR_LSTAR:
		v->lstar = data;
		break;
	case MSR_CSTAR:
		v->cstar = data;
		break;
	case MSR_KERNEL_GS_BASE:
		v->kernel_gs_base = data;
		break;
	case MSR_FS_BASE:
		v->fs.base = data;
		break;
	case MSR_GS_BASE:
		v->gs.base = data;
		break;
	case MSR_IA32_SYSENTER_ESP:
		v->sysenter_esp = data;
		break;
	case MSR_IA32_SYSENTER_EIP:
		v->sysenter_eip = data;
		break;
	}
	return 0;
}

int svm_get_cpl(struct khv_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cpl;
}

u64 svm_get_cr(struct khv_vcpu *vcpu, int cr)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	switch (cr) {
	case 0:
		return vmcb->save.cr0;
	case 2:
		return vmcb->save.cr2;
	case 3:
		return vmcb->save.cr3;
	case 4:
		return vmcb->save.cr4;
	case 8:
		return vmcb->control.int_ctl & 0xf;
	}
	return 0;
}

void svm_set_cr2(struct khv_vcpu *vcpu, u64 cr2)
{
	to_svm(vcpu)->vmcb->save.cr2 = cr2;
	svm_mark_dirty(vcpu, VMCB_CLEAN_CR2);
}

u64 svm_get_efer(struct khv_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.efer & ~EFER_SVME;
}

u64 svm_get_seg_base(struct khv_vcpu *vcpu, int seg)
{
	struct vmcb_save *v = &to_svm(vcpu)->vmcb->save;
	/* ES, CS, SS, DS, FS, GS sit in that order in the save area. */
	const struct vmcb_seg *segs = &v->es;

	return seg >= KHV_ES && seg <= KHV_GS ? segs[seg].base : 0;
}

/* Default operand and address size of the code segment (SDM Vol. 1, 3.6). */
int svm_code_size(struct khv_vcpu *vcpu)
{
	struct vmcb_save *v = &to_svm(vcpu)->vmcb->save;

	if (!(v->cr0 & X86_CR0_PE) || (vcpu->rflags & X86_EFLAGS_VM))
		return 16;
	if ((v->efer & EFER_LMA) && (v->cs.attrib & VMCB_SEG_L))
		return 64;
	return v->cs.attrib & VMCB_SEG_DB ? 32 : 16;
}

/*
 * The state after RESET (APM Vol. 2, 14.1.3, Table 14-1): real mode,
 * CS:IP = F000:FFF0 with CS.base FFFF0000, caches disabled.
 */
void svm_reset_state(struct khv_vcpu *vcpu)
{
	struct vmcb_save *v = &to_svm(vcpu)->vmcb->save;
	struct vmcb_seg data = { .attrib = 0x93, .limit = 0xffff };

	svm_mark_dirty(vcpu, ~0U);
	v->es = data;
	v->ss = data;
	v->ds = data;
	v->fs = data;
	v->gs = data;
	v->cs = (struct vmcb_seg){ .selector = 0xf000, .attrib = 0x9b,
				   .limit = 0xffff, .base = 0xffff0000 };
	v->gdtr = (struct vmcb_seg){ .limit = 0xffff };
	v->idtr = (struct vmcb_seg){ .limit = 0xffff };
	v->ldtr = (struct vmcb_seg){ .attrib = 0x82, .limit = 0xffff };
	v->tr = (struct vmcb_seg){ .attrib = 0x8b, .limit = 0xffff };
	v->cpl = 0;
	v->cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW;
	v->cr2 = 0;
	v->cr3 = 0;
	v->cr4 = 0;
	v->efer = EFER_SVME;
	v->dr6 = 0xffff0ff0;
	v->dr7 = 0x400;
	v->g_pat = KHV_PAT_DEFAULT;
}
