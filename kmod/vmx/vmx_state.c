// SPDX-License-Identifier: GPL-2.0
/*
 * khv/vmx: guest state kept in the VMCS: segments, control registers,
 * EFER and the MSRs that VM entry and exit switch.
 *
 * These are called from process context with preemption on: each access
 * makes the VMCS current on this CPU first (vmx_get), with preemption off
 * until it is done (vmx_put).
 */
#include <asm/msr-index.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>

#include "vmx.h"
#include "../lapic.h"

#define KHV_EFER_ALLOWED	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)
/* The power-on PAT: WB, WT, UC-, UC, repeated (SDM Vol. 3A, 13.12.4). */
#define KHV_PAT_DEFAULT		0x0007040600070406ULL

static void vmx_get(struct khv_vcpu *vcpu)
{
	preempt_disable();
	vmx_vcpu_load(vcpu);
}

static void vmx_put(void)
{
	preempt_enable();
}

/* Access rights as the VMCS holds them (SDM Vol. 3C, 26.4.1, Table 26-2). */
static void seg_write(int seg, const struct khv_segment *s)
{
	u32 ar = (s->type & VMCS_AR_TYPE_MASK) | (s->s ? VMCS_AR_S : 0) |
		 ((s->dpl & 3) << VMCS_AR_DPL_SHIFT) | (s->present ? VMCS_AR_P : 0) |
		 (s->avl ? VMCS_AR_AVL : 0) | (s->l ? VMCS_AR_L : 0) |
		 (s->db ? VMCS_AR_DB : 0) | (s->g ? VMCS_AR_G : 0);

	if (s->unusable || !s->present)
		ar |= VMCS_AR_UNUSABLE;
	vmcs_write(VMCS_SEG_SEL(seg), s->selector);
	vmcs_write(VMCS_SEG_BASE(seg), s->base);
	vmcs_write(VMCS_SEG_LIMIT(seg), s->limit);
	vmcs_write(VMCS_SEG_AR(seg), ar);
}

static void seg_read(int seg, struct khv_segment *s)
{
	u32 ar = vmcs_read(VMCS_SEG_AR(seg));

	memset(s, 0, sizeof(*s));
	s->selector = vmcs_read(VMCS_SEG_SEL(seg));
	s->base = vmcs_read(VMCS_SEG_BASE(seg));
	s->limit = vmcs_read(VMCS_SEG_LIMIT(seg));
	s->type = ar & VMCS_AR_TYPE_MASK;
	s->s = !!(ar & VMCS_AR_S);
	s->dpl = (ar >> VMCS_AR_DPL_SHIFT) & 3;
	s->unusable = !!(ar & VMCS_AR_UNUSABLE);
	s->present = (ar & VMCS_AR_P) && !s->unusable;
	s->avl = !!(ar & VMCS_AR_AVL);
	s->l = !!(ar & VMCS_AR_L);
	s->db = !!(ar & VMCS_AR_DB);
	s->g = !!(ar & VMCS_AR_G);
}

/* CR0 and CR4 as the guest sees them: owned bits from the read shadow. */
static u64 cr0_read(void)
{
	u64 mask = vmx_cr0_host_bits();

	return (vmcs_read(VMCS_GUEST_CR0) & ~mask) |
	       (vmcs_read(VMCS_CR0_SHADOW) & mask);
}

static u64 cr4_read(void)
{
	u64 mask = vmx_cr4_host_bits();

	return (vmcs_read(VMCS_GUEST_CR4) & ~mask) |
	       (vmcs_read(VMCS_CR4_SHADOW) & mask);
}

/*
 * The guest's value goes to the shadow; the real register also has the
 * bits VMX requires (CR0.NE, CR4.VMXE: SDM Vol. 3C, 25.8), except PE and
 * PG, which unrestricted guest leaves free (28.3.1.1).
 */
static void cr0_write(u64 cr0)
{
	u64 fixed = vmx_caps.cr0_fixed0 & ~(u64)(X86_CR0_PE | X86_CR0_PG);

	vmcs_write(VMCS_CR0_SHADOW, cr0);
	vmcs_write(VMCS_GUEST_CR0, cr0 | fixed);
}

static void cr4_write(u64 cr4)
{
	vmcs_write(VMCS_CR4_SHADOW, cr4);
	vmcs_write(VMCS_GUEST_CR4, cr4 | vmx_caps.cr4_fixed0);
}

/* EFER.LMA and the "IA-32e mode guest" entry control agree (28.3.1.1). */
static void efer_write(u64 efer)
{
	u64 entry = vmcs_read(VMCS_ENTRY_CTLS);

	vmcs_write(VMCS_GUEST_EFER, efer);
	if (efer & EFER_LMA)
		entry |= ENTRY_IA32E_MODE;
	else
		entry &= ~(u64)ENTRY_IA32E_MODE;
	vmcs_write(VMCS_ENTRY_CTLS, entry);
}

void vmx_get_sregs(struct khv_vcpu *vcpu, struct khv_sregs *s)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_get(vcpu);
	seg_read(KHV_CS, &s->cs);
	seg_read(KHV_DS, &s->ds);
	seg_read(KHV_ES, &s->es);
	seg_read(KHV_FS, &s->fs);
	seg_read(KHV_GS, &s->gs);
	seg_read(KHV_SS, &s->ss);
	seg_read(VMCS_SEG_TR, &s->tr);
	seg_read(VMCS_SEG_LDTR, &s->ldt);
	memset(&s->gdt, 0, sizeof(s->gdt));
	memset(&s->idt, 0, sizeof(s->idt));
	s->gdt.base = vmcs_read(VMCS_GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read(VMCS_GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_read(VMCS_GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read(VMCS_GUEST_IDTR_LIMIT);
	s->cr0 = cr0_read();
	s->cr3 = vmcs_read(VMCS_GUEST_CR3);
	s->cr4 = cr4_read();
	s->efer = vmcs_read(VMCS_GUEST_EFER);
	vmx_put();
	s->cr2 = vmx->cr2;
	s->cr8 = vmx_get_cr(vcpu, 8);
}

/*
 * PAE paging outside IA-32e mode takes its four PDPTEs from the VMCS at
 * entry (SDM Vol. 3C, 28.3.2.4 "Loading Page-Directory-Pointer-Table
 * Entries"): load them from guest memory when CR0, CR3 or CR4 were set
 * other than by the guest's own MOV to CR3.
 */
void vmx_load_pdptes(struct khv_vcpu *vcpu)
{
	u64 pdpte[4] = { 0 }, cr0, cr3, cr4, efer;
	int i;

	vmx_get(vcpu);
	cr0 = cr0_read();
	cr3 = vmcs_read(VMCS_GUEST_CR3);
	cr4 = vmcs_read(VMCS_GUEST_CR4);
	efer = vmcs_read(VMCS_GUEST_EFER);
	vmx_put();
	if (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) || (efer & EFER_LMA))
		return;
	/* CR3[31:5] locate the PDPT in PAE paging (SDM Vol. 3A, 4.4.1). */
	if (khv_read_guest(vcpu, cr3 & 0xffffffe0, pdpte, sizeof(pdpte)))
		memset(pdpte, 0, sizeof(pdpte));
	vmx_get(vcpu);
	for (i = 0; i < 4; i++)
		vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
	vmx_put();
}

/*
 * The state is taken as given, except that EFER.LMA follows EFER.LME and
 * CR0.PG as the processor would set it: what VM entry refuses,
 * vmx_check_entry() names before the first VMLAUNCH.
 */
int vmx_set_sregs(struct khv_vcpu *vcpu, const struct khv_sregs *s)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 efer = s->efer & ~EFER_LMA;

	if (s->cr8 > 0xf)
		return -EINVAL;
	if ((efer & EFER_LME) && (s->cr0 & X86_CR0_PG))
		efer |= EFER_LMA;

	vmx_get(vcpu);
	seg_write(KHV_CS, &s->cs);
	seg_write(KHV_DS, &s->ds);
	seg_write(KHV_ES, &s->es);
	seg_write(KHV_FS, &s->fs);
	seg_write(KHV_GS, &s->gs);
	seg_write(KHV_SS, &s->ss);
	seg_write(VMCS_SEG_TR, &s->tr);
	seg_write(VMCS_SEG_LDTR, &s->ldt);
	vmcs_write(VMCS_GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, s->idt.base);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, s->idt.limit);
	cr0_write(s->cr0);
	vmcs_write(VMCS_GUEST_CR3, s->cr3);
	cr4_write(s->cr4);
	efer_write(efer);
	vmx_put();
	vmx->cr2 = s->cr2;
	vmx->cr8 = s->cr8;
	vmx->checked = false;
	vmx->flush_tlb = true;
	vmx_load_pdptes(vcpu);
	return 0;
}

/*
 * MOV to CR0 of the guest, for the bits khv owns (vmx_cr0_host_bits).
 * -EINVAL: the guest gets #GP (SDM Vol. 3A, 2.5 and Vol. 2, MOV-Move
 * to/from Control Registers).  Setting PG with EFER.LME enters IA-32e
 * mode, clearing it leaves (Vol. 3A, 10.8.5 "Initializing IA-32e Mode").
 */
int vmx_set_cr0(struct khv_vcpu *vcpu, u64 cr0)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 old, efer;

	if ((cr0 >> 32) || ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)) ||
	    ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE)))
		return -EINVAL;
	vmx_get(vcpu);
	old = cr0_read();
	efer = vmcs_read(VMCS_GUEST_EFER);
	if (!(old & X86_CR0_PG) && (cr0 & X86_CR0_PG) && (efer & EFER_LME)) {
		if (!(vmcs_read(VMCS_GUEST_CR4) & X86_CR4_PAE)) {
			vmx_put();
			return -EINVAL;
		}
		efer_write(efer | EFER_LMA);
	} else if ((old & X86_CR0_PG) && !(cr0 & X86_CR0_PG) &&
		   (efer & EFER_LMA)) {
		efer_write(efer & ~EFER_LMA);
	}
	cr0_write(cr0);
	vmx_put();
	/* These changes flush the TLB on real hardware (Vol. 3A, 4.10.4.1). */
	if ((old ^ cr0) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_CD))
		vmx->flush_tlb = true;
	if ((old ^ cr0) & X86_CR0_PG)
		vmx_load_pdptes(vcpu);
	return 0;
}

/*
 * MOV to CR4 exits only when it changes a bit khv owns: VMXE (nested VMX
 * is not offered) or a bit the CPU does not allow.  Those get #GP.
 */
int vmx_set_cr4(struct khv_vcpu *vcpu, u64 cr4)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 old;

	if ((cr4 & ~vmx_caps.cr4_fixed1) || (cr4 & X86_CR4_VMXE))
		return -EINVAL;
	vmx_get(vcpu);
	old = cr4_read();
	if ((vmcs_read(VMCS_GUEST_EFER) & EFER_LMA) && !(cr4 & X86_CR4_PAE)) {
		vmx_put();
		return -EINVAL;
	}
	cr4_write(cr4);
	vmx_put();
	if ((old ^ cr4) & (X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PSE |
			   X86_CR4_PCIDE | X86_CR4_SMEP)) {
		vmx->flush_tlb = true;
		vmx_load_pdptes(vcpu);
	}
	return 0;
}

static bool is_canonical(u64 addr)
{
	return ((s64)addr << 16 >> 16) == (s64)addr;
}

/* Types 2 and 3 and values above 7 are reserved (SDM Vol. 3A, 13.12.2). */
static bool pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

static int vmx_auto_msr(u32 index)
{
	switch (index) {
	case MSR_STAR:
		return VMX_MSR_STAR;
	case MSR_LSTAR:
		return VMX_MSR_LSTAR;
	case MSR_CSTAR:
		return VMX_MSR_CSTAR;
	case MSR_SYSCALL_MASK:
		return VMX_MSR_SFMASK;
	case MSR_KERNEL_GS_BASE:
		return VMX_MSR_KGS_BASE;
	}
	return -1;
}

/* The VMCS field of an MSR that lives in the guest-state area. */
static u32 vmx_msr_field(u32 index)
{
	switch (index) {
	case MSR_EFER:
		return VMCS_GUEST_EFER;
	case MSR_FS_BASE:
		return VMCS_SEG_BASE(KHV_FS);
	case MSR_GS_BASE:
		return VMCS_SEG_BASE(KHV_GS);
	case MSR_IA32_SYSENTER_CS:
		return VMCS_GUEST_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP:
		return VMCS_GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP:
		return VMCS_GUEST_SYSENTER_EIP;
	case MSR_IA32_CR_PAT:
		return VMCS_GUEST_PAT;
	case MSR_IA32_TSC:
		return VMCS_TSC_OFFSET;
	}
	return 0;
}

int vmx_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int i = vmx_auto_msr(index);
	u32 field = vmx_msr_field(index);

	if (i >= 0) {
		*data = vmx->guest_msrs[i].value;
		return 0;
	}
	if (index == MSR_IA32_DEBUGCTLMSR) {
		*data = 0;
		return 0;
	}
	if (!field)
		return -ENOENT;
	if (index == MSR_IA32_TSC) {
		*data = rdtsc();
		if (vmx_caps.proc & PROC_TSC_OFFSETTING)
			*data += vmx_vmread(vcpu, field);
		return 0;
	}
	if (index == MSR_IA32_CR_PAT && !(vmx_caps.entry & ENTRY_LOAD_PAT)) {
		*data = KHV_PAT_DEFAULT;
		return 0;
	}
	*data = vmx_vmread(vcpu, field);
	return 0;
}

/* EFER rules: SDM Vol. 3A, 2.2.1 and 10.8.5 (LME with paging on: #GP). */
static int vmx_set_efer(struct khv_vcpu *vcpu, u64 data)
{
	u64 old;

	if (data & ~KHV_EFER_ALLOWED)
		return -EINVAL;
	vmx_get(vcpu);
	old = vmcs_read(VMCS_GUEST_EFER);
	if ((cr0_read() & X86_CR0_PG) && ((data ^ old) & EFER_LME)) {
		vmx_put();
		return -EINVAL;
	}
	/* LMA is the processor's to set; writes leave it alone. */
	vmcs_write(VMCS_GUEST_EFER, (data & ~EFER_LMA) | (old & EFER_LMA));
	vmx_put();
	return 0;
}

int vmx_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int i = vmx_auto_msr(index);

	switch (index) {
	case MSR_EFER:
		return vmx_set_efer(vcpu, data);
	case MSR_IA32_DEBUGCTLMSR:
		return data ? -EINVAL : 0;
	case MSR_IA32_TSC:
		if (vmx_caps.proc & PROC_TSC_OFFSETTING)
			vmx_vmwrite(vcpu, VMCS_TSC_OFFSET, data - rdtsc());
		return 0;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(data))
			return -EINVAL;
		if (vmx_caps.entry & ENTRY_LOAD_PAT)
			vmx_vmwrite(vcpu, VMCS_GUEST_PAT, data);
		return 0;
	case MSR_STAR:
	case MSR_SYSCALL_MASK:
		vmx->guest_msrs[i].value = data;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmx_vmwrite(vcpu, VMCS_GUEST_SYSENTER_CS, (u32)data);
		return 0;
	}
	/* The rest hold addresses, which must be canonical (#GP otherwise). */
	if (i < 0 && !vmx_msr_field(index))
		return -ENOENT;
	if (!is_canonical(data))
		return -EINVAL;
	if (i >= 0)
		vmx->guest_msrs[i].value = data;
	else
		vmx_vmwrite(vcpu, vmx_msr_field(index), data);
	return 0;
}

int vmx_get_cpl(struct khv_vcpu *vcpu)
{
	/* The CPL is SS.DPL, even for an unusable SS (SDM Vol. 3C, 26.4.1). */
	return (vmx_vmread(vcpu, VMCS_SEG_AR(KHV_SS)) >> VMCS_AR_DPL_SHIFT) & 3;
}

u64 vmx_get_cr(struct khv_vcpu *vcpu, int cr)
{
	u64 v = 0;

	switch (cr) {
	case 2:
		return to_vmx(vcpu)->cr2;
	case 8:
		/* CR8 is the APIC's TPR[7:4] (SDM Vol. 3A, 11.8.6.1). */
		if (vcpu->lapic)
			return khv_lapic_get_tpr(vcpu) >> 4;
		return to_vmx(vcpu)->cr8;
	}
	vmx_get(vcpu);
	if (cr == 0)
		v = cr0_read();
	else if (cr == 3)
		v = vmcs_read(VMCS_GUEST_CR3);
	else if (cr == 4)
		v = cr4_read();
	vmx_put();
	return v;
}

void vmx_set_cr2(struct khv_vcpu *vcpu, u64 cr2)
{
	to_vmx(vcpu)->cr2 = cr2;
}

u64 vmx_get_efer(struct khv_vcpu *vcpu)
{
	return vmx_vmread(vcpu, VMCS_GUEST_EFER);
}

u64 vmx_get_seg_base(struct khv_vcpu *vcpu, int seg)
{
	if (seg < KHV_ES || seg > KHV_GS)
		return 0;
	return vmx_vmread(vcpu, VMCS_SEG_BASE(seg));
}

/* Default operand and address size of the code segment (SDM Vol. 1, 3.6). */
int vmx_code_size(struct khv_vcpu *vcpu)
{
	u64 cr0, efer;
	u32 ar;

	vmx_get(vcpu);
	cr0 = cr0_read();
	efer = vmcs_read(VMCS_GUEST_EFER);
	ar = vmcs_read(VMCS_SEG_AR(KHV_CS));
	vmx_put();
	if (!(cr0 & X86_CR0_PE) || (vcpu->rflags & X86_EFLAGS_VM))
		return 16;
	if ((efer & EFER_LMA) && (ar & VMCS_AR_L))
		return 64;
	return ar & VMCS_AR_DB ? 32 : 16;
}

/*
 * The state after RESET (SDM Vol. 3A, 10.1.1, Table 10-1): real mode,
 * CS:IP = F000:FFF0 with CS.base FFFF0000, caches disabled.  Unrestricted
 * guest runs it as it is.  Called with the VMCS current.
 */
void vmx_reset_state(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct khv_segment data = { .limit = 0xffff, .type = 3, .s = 1,
				    .present = 1 };
	struct khv_segment cs = { .selector = 0xf000, .base = 0xffff0000,
				  .limit = 0xffff, .type = 0xb, .s = 1,
				  .present = 1 };
	struct khv_segment ldt = { .limit = 0xffff, .type = 2, .present = 1 };
	struct khv_segment tr = { .limit = 0xffff, .type = 0xb, .present = 1 };
	int seg;

	for (seg = KHV_ES; seg <= KHV_GS; seg++)
		seg_write(seg, seg == KHV_CS ? &cs : &data);
	seg_write(VMCS_SEG_LDTR, &ldt);
	seg_write(VMCS_SEG_TR, &tr);
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	cr0_write(X86_CR0_ET | X86_CR0_CD | X86_CR0_NW);
	vmcs_write(VMCS_GUEST_CR3, 0);
	cr4_write(0);
	efer_write(0);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	if (vmx_caps.entry & ENTRY_LOAD_PAT)
		vmcs_write(VMCS_GUEST_PAT, KHV_PAT_DEFAULT);
	vmx->cr2 = 0;
	vmx->cr8 = 0;
}
