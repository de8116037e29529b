// SPDX-License-Identifier: GPL-2.0
/*
 * khv/vmx: name the rule a VM entry breaks.
 *
 * VM entry checks the VMX controls (VMfailValid, error 7), the host state
 * (error 8) and the guest state (an exit with reason 33), but never says
 * which rule failed.  Before the first VMLAUNCH of a vCPU (and after any
 * failed entry) khv checks the rules of SDM Vol. 3C, 28.2.1 "Checks on
 * VMX Controls" and 28.3.1 "Checks on the Guest-State Area", in the
 * manual's order, and reports the first broken one: field, value, rule,
 * section.  (Section numbers of the 2023 and later SDMs; older editions
 * call these 26.2.1 and 26.3.1.)  Host state is khv's own and not
 * checked here.
 */
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "vmx.h"

#define S_EXEC		"SDM 28.2.1.1"
#define S_EXIT		"SDM 28.2.1.2"
#define S_ENTRY		"SDM 28.2.1.3"
#define S_CRS		"SDM 28.3.1.1"
#define S_SEGS		"SDM 28.3.1.2"
#define S_DTRS		"SDM 28.3.1.3"
#define S_RIP		"SDM 28.3.1.4"
#define S_NONREG	"SDM 28.3.1.5"
#define S_PDPTE		"SDM 28.3.1.6"

static const char * const seg_names[8] = {
	"ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR",
};

/*
 * What the checks read, taken from the VMCS in one go, and what they
 * compare it with: the capability MSRs and the physical-address width.
 * The checks see nothing else, so they can be run on a state built by
 * hand (kmod/kunit/vmx_check_kunit.c).
 */
struct vmx_state {
	u32 pin, proc, proc2, exit, entry;
	u32 intr_info, intr_err, insn_len;
	u32 vpid, cr3_count, block, activity;
	u32 exit_store_n, exit_load_n, entry_load_n;
	u64 exit_store, exit_load, entry_load, msr_bitmap;
	u64 eptp, link;
	u64 cr0, cr3, cr4, dr7, debugctl, pat, efer;
	u64 sysenter_esp, sysenter_eip, rip, rflags, pending_dbg;
	u64 gdtr_base, idtr_base;
	u32 gdtr_limit, idtr_limit;
	u64 pdpte[4];
	struct {
		u16 sel;
		u64 base;
		u32 limit, ar;
	} seg[8];
	bool ia32e, unrestricted;
	int maxphy;
	const struct vmx_caps *caps;
};

static bool fail(struct vmx_check_result *r, const char *field, u64 value,
		 const char *rule, const char *section)
{
	r->field = field;
	r->value = value;
	r->rule = rule;
	r->section = section;
	return false;
}

static bool canonical(u64 a)
{
	return ((s64)a << 16 >> 16) == (s64)a;
}

static bool beyond_maxphy(const struct vmx_state *s, u64 a)
{
	return s->maxphy < 64 && (a >> s->maxphy);
}

static void vmx_read_state(struct vmx_state *s)
{
	int i;

	s->pin = vmcs_read(VMCS_PIN_CTLS);
	s->proc = vmcs_read(VMCS_PROC_CTLS);
	s->proc2 = s->proc & PROC_SECONDARY ? vmcs_read(VMCS_PROC_CTLS2) : 0;
	s->exit = vmcs_read(VMCS_EXIT_CTLS);
	s->entry = vmcs_read(VMCS_ENTRY_CTLS);
	s->intr_info = vmcs_read(VMCS_ENTRY_INTR_INFO);
	s->intr_err = vmcs_read(VMCS_ENTRY_EXC_ERROR_CODE);
	s->insn_len = vmcs_read(VMCS_ENTRY_INSN_LEN);
	s->vpid = s->proc2 & PROC2_VPID ? vmcs_read(VMCS_VPID) : 0;
	s->cr3_count = vmcs_read(VMCS_CR3_TARGET_COUNT);
	s->block = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	s->activity = vmcs_read(VMCS_GUEST_ACTIVITY);
	s->exit_store_n = vmcs_read(VMCS_EXIT_MSR_STORE_COUNT);
	s->exit_load_n = vmcs_read(VMCS_EXIT_MSR_LOAD_COUNT);
	s->entry_load_n = vmcs_read(VMCS_ENTRY_MSR_LOAD_COUNT);
	s->exit_store = vmcs_read(VMCS_EXIT_MSR_STORE_ADDR);
	s->exit_load = vmcs_read(VMCS_EXIT_MSR_LOAD_ADDR);
	s->entry_load = vmcs_read(VMCS_ENTRY_MSR_LOAD_ADDR);
	s->msr_bitmap = s->proc & PROC_MSR_BITMAPS ?
			vmcs_read(VMCS_MSR_BITMAP) : 0;
	s->eptp = s->proc2 & PROC2_EPT ? vmcs_read(VMCS_EPT_POINTER) : 0;
	s->link = vmcs_read(VMCS_LINK_POINTER);
	s->cr0 = vmcs_read(VMCS_GUEST_CR0);
	s->cr3 = vmcs_read(VMCS_GUEST_CR3);
	s->cr4 = vmcs_read(VMCS_GUEST_CR4);
	s->dr7 = vmcs_read(VMCS_GUEST_DR7);
	s->debugctl = vmcs_read(VMCS_GUEST_DEBUGCTL);
	s->pat = s->entry & ENTRY_LOAD_PAT ? vmcs_read(VMCS_GUEST_PAT) : 0;
	s->efer = s->entry & ENTRY_LOAD_EFER ? vmcs_read(VMCS_GUEST_EFER) : 0;
	s->sysenter_esp = vmcs_read(VMCS_GUEST_SYSENTER_ESP);
	s->sysenter_eip = vmcs_read(VMCS_GUEST_SYSENTER_EIP);
	s->rip = vmcs_read(VMCS_GUEST_RIP);
	s->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	s->pending_dbg = vmcs_read(VMCS_GUEST_PENDING_DBG);
	s->gdtr_base = vmcs_read(VMCS_GUEST_GDTR_BASE);
	s->gdtr_limit = vmcs_read(VMCS_GUEST_GDTR_LIMIT);
	s->idtr_base = vmcs_read(VMCS_GUEST_IDTR_BASE);
	s->idtr_limit = vmcs_read(VMCS_GUEST_IDTR_LIMIT);
	for (i = 0; i < 4; i++)
		s->pdpte[i] = vmcs_read(VMCS_GUEST_PDPTE0 + 2 * i);
	for (i = 0; i < 8; i++) {
		s->seg[i].sel = vmcs_read(VMCS_SEG_SEL(i));
		s->seg[i].base = vmcs_read(VMCS_SEG_BASE(i));
		s->seg[i].limit = vmcs_read(VMCS_SEG_LIMIT(i));
		s->seg[i].ar = vmcs_read(VMCS_SEG_AR(i));
	}
	s->ia32e = s->entry & ENTRY_IA32E_MODE;
	s->unrestricted = s->proc2 & PROC2_UNRESTRICTED_GUEST;
	s->maxphy = boot_cpu_data.x86_phys_bits;
	s->caps = &vmx_caps;
}

/* Appendix A.3: bits 31:0 allowed 0-settings, 63:32 allowed 1-settings. */
static bool check_ctl(struct vmx_check_result *r, const char *name, u32 v,
		      u64 cap, const char *section)
{
	if ((v & (u32)cap) != (u32)cap)
		return fail(r, name, v, "a control the capability MSR requires to be 1 is 0",
			    section);
	if (v & ~(u32)(cap >> 32))
		return fail(r, name, v, "a control the capability MSR does not allow is 1",
			    section);
	return true;
}

static bool check_msr_area(struct vmx_check_result *r,
			   const struct vmx_state *s, const char *name,
			   u64 addr, u32 n, const char *section)
{
	if (!n)
		return true;
	if (addr & 0xf)
		return fail(r, name, addr, "bits 3:0 must be 0", section);
	if (beyond_maxphy(s, addr) || beyond_maxphy(s, addr + n * 16 - 1))
		return fail(r, name, addr, "area beyond the physical-address width",
			    section);
	return true;
}

static bool check_controls(struct vmx_check_result *r,
			   const struct vmx_state *s)
{
	const struct vmx_caps *c = s->caps;
	u32 type = s->intr_info & INTR_INFO_TYPE_MASK;
	u32 vector = s->intr_info & INTR_INFO_VECTOR_MASK;
	bool errcode;

	/* 28.2.1.1: VM-execution control fields. */
	if (!check_ctl(r, "pin-based controls", s->pin, c->pin_cap, S_EXEC) ||
	    !check_ctl(r, "primary processor-based controls", s->proc,
		       c->proc_cap, S_EXEC) ||
	    ((s->proc & PROC_SECONDARY) &&
	     !check_ctl(r, "secondary processor-based controls", s->proc2,
			c->proc2_cap, S_EXEC)))
		return false;
	if (s->cr3_count > VMXCAP_MISC_CR3_TARGETS(c->misc))
		return fail(r, "CR3-target count", s->cr3_count,
			    "must not exceed IA32_VMX_MISC[24:16]", S_EXEC);
	if ((s->proc & PROC_MSR_BITMAPS) &&
	    ((s->msr_bitmap & 0xfff) || beyond_maxphy(s, s->msr_bitmap)))
		return fail(r, "MSR-bitmap address", s->msr_bitmap,
			    "must be 4K-aligned and within the physical-address width",
			    S_EXEC);
	if (!(s->proc & PROC_TPR_SHADOW) &&
	    (s->proc2 & (PROC2_VIRT_X2APIC | PROC2_APIC_REG_VIRT |
			 PROC2_VIRT_INTR_DELIVERY)))
		return fail(r, "secondary processor-based controls", s->proc2,
			    "APIC virtualization needs \"use TPR shadow\"", S_EXEC);
	if (!(s->pin & PIN_NMI_EXITING) && (s->pin & PIN_VIRTUAL_NMIS))
		return fail(r, "pin-based controls", s->pin,
			    "\"virtual NMIs\" needs \"NMI exiting\"", S_EXEC);
	if (!(s->pin & PIN_VIRTUAL_NMIS) && (s->proc & PROC_NMI_WINDOW_EXITING))
		return fail(r, "primary processor-based controls", s->proc,
			    "\"NMI-window exiting\" needs \"virtual NMIs\"",
			    S_EXEC);
	if ((s->proc2 & PROC2_VPID) && !s->vpid)
		return fail(r, "VPID", s->vpid, "must not be 0 with \"enable VPID\"",
			    S_EXEC);
	if (s->proc2 & PROC2_EPT) {
		u64 mt = s->eptp & 7;

		if (!((mt == EPTP_MT_UC && (c->ept_vpid & EPT_CAP_UC)) ||
		      (mt == EPTP_MT_WB && (c->ept_vpid & EPT_CAP_WB))))
			return fail(r, "EPT pointer", s->eptp,
				    "memory type not supported by IA32_VMX_EPT_VPID_CAP",
				    S_EXEC);
		if ((s->eptp & 0x38) != EPTP_WALK_4)
			return fail(r, "EPT pointer", s->eptp,
				    "bits 5:3 must be 3 (4-level walk)", S_EXEC);
		if ((s->eptp & EPTP_AD) && !(c->ept_vpid & EPT_CAP_AD))
			return fail(r, "EPT pointer", s->eptp,
				    "bit 6 (A/D) set but not supported", S_EXEC);
		if ((s->eptp & GENMASK_ULL(11, 7)) ||
		    beyond_maxphy(s, s->eptp))
			return fail(r, "EPT pointer", s->eptp,
				    "reserved bits 11:7 or beyond the physical-address width set",
				    S_EXEC);
	}
	if ((s->proc2 & PROC2_UNRESTRICTED_GUEST) && !(s->proc2 & PROC2_EPT))
		return fail(r, "secondary processor-based controls", s->proc2,
			    "\"unrestricted guest\" needs \"enable EPT\"", S_EXEC);

	/* 28.2.1.2: VM-exit control fields. */
	if (!check_ctl(r, "VM-exit controls", s->exit, c->exit_cap, S_EXIT))
		return false;
	if (!(s->pin & PIN_PREEMPTION_TIMER) &&
	    (s->exit & EXIT_SAVE_PREEMPTION_TIMER))
		return fail(r, "VM-exit controls", s->exit,
			    "saving the preemption timer needs it active", S_EXIT);
	if (!check_msr_area(r, s, "VM-exit MSR-store address", s->exit_store,
			    s->exit_store_n, S_EXIT) ||
	    !check_msr_area(r, s, "VM-exit MSR-load address", s->exit_load,
			    s->exit_load_n, S_EXIT))
		return false;

	/* 28.2.1.3: VM-entry control fields. */
	if (!check_ctl(r, "VM-entry controls", s->entry, c->entry_cap, S_ENTRY))
		return false;
	if (s->entry & (ENTRY_SMM | ENTRY_DEACT_DUAL_MONITOR))
		return fail(r, "VM-entry controls", s->entry,
			    "SMM controls must be 0 outside SMM", S_ENTRY);
	if (s->intr_info & INTR_INFO_VALID) {
		if (type == (1u << INTR_INFO_TYPE_SHIFT) || type == INTR_TYPE_OTHER)
			return fail(r, "VM-entry interruption information",
				    s->intr_info, "reserved interruption type",
				    S_ENTRY);
		if ((type == INTR_TYPE_NMI && vector != 2) ||
		    (type == INTR_TYPE_HARD_EXC && vector > 31))
			return fail(r, "VM-entry interruption information",
				    s->intr_info, "vector does not fit the type (NMI: 2, exception: 0-31)",
				    S_ENTRY);
		errcode = (!s->unrestricted || (s->cr0 & X86_CR0_PE)) &&
			  type == INTR_TYPE_HARD_EXC &&
			  (vector == 8 || (vector >= 10 && vector <= 14) ||
			   vector == 17 || vector == 21);
		if (!!(s->intr_info & INTR_INFO_ERROR_CODE) != errcode)
			return fail(r, "VM-entry interruption information",
				    s->intr_info, "deliver-error-code must be 1 iff a protected-mode exception with an error code",
				    S_ENTRY);
		if (s->intr_info & GENMASK(30, 12))
			return fail(r, "VM-entry interruption information",
				    s->intr_info, "reserved bits 30:12 must be 0",
				    S_ENTRY);
		if ((s->intr_info & INTR_INFO_ERROR_CODE) &&
		    (s->intr_err & GENMASK(31, 16)))
			return fail(r, "VM-entry exception error code",
				    s->intr_err, "bits 31:16 must be 0", S_ENTRY);
		if ((type == INTR_TYPE_SOFT_INTR ||
		     type == INTR_TYPE_PRIV_SOFT_EXC ||
		     type == INTR_TYPE_SOFT_EXC) &&
		    (s->insn_len < 1 || s->insn_len > 15))
			return fail(r, "VM-entry instruction length",
				    s->insn_len, "must be 1-15 for software events",
				    S_ENTRY);
	}
	return check_msr_area(r, s, "VM-entry MSR-load address",
			      s->entry_load, s->entry_load_n, S_ENTRY);
}

/* 28.3.1.1: control registers, debug registers and MSRs. */
static bool check_guest_crs(struct vmx_check_result *r,
			    const struct vmx_state *s)
{
	const struct vmx_caps *c = s->caps;
	u64 fixed0 = c->cr0_fixed0;
	int i;

	if (s->unrestricted)
		fixed0 &= ~(u64)(X86_CR0_PE | X86_CR0_PG);
	if ((s->cr0 & fixed0) != fixed0 || (s->cr0 & ~c->cr0_fixed1))
		return fail(r, "guest CR0", s->cr0,
			    "violates IA32_VMX_CR0_FIXED0/FIXED1", S_CRS);
	if ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE))
		return fail(r, "guest CR0", s->cr0, "PG set needs PE set", S_CRS);
	if ((s->cr4 & c->cr4_fixed0) != c->cr4_fixed0 ||
	    (s->cr4 & ~c->cr4_fixed1))
		return fail(r, "guest CR4", s->cr4,
			    "violates IA32_VMX_CR4_FIXED0/FIXED1", S_CRS);
	if (s->entry & ENTRY_LOAD_DEBUG_CTLS) {
		if (s->debugctl & (GENMASK_ULL(5, 2) | GENMASK_ULL(63, 16)))
			return fail(r, "guest IA32_DEBUGCTL", s->debugctl,
				    "reserved bits must be 0", S_CRS);
		if (s->dr7 >> 32)
			return fail(r, "guest DR7", s->dr7,
				    "bits 63:32 must be 0", S_CRS);
	}
	if (s->ia32e && (!(s->cr0 & X86_CR0_PG) || !(s->cr4 & X86_CR4_PAE)))
		return fail(r, "guest CR0/CR4",
			    s->cr0 & X86_CR0_PG ? s->cr4 : s->cr0,
			    "IA-32e mode guest needs CR0.PG and CR4.PAE", S_CRS);
	if (!s->ia32e && (s->cr4 & X86_CR4_PCIDE))
		return fail(r, "guest CR4", s->cr4,
			    "PCIDE needs IA-32e mode guest", S_CRS);
	if (beyond_maxphy(s, s->cr3))
		return fail(r, "guest CR3", s->cr3,
			    "bits beyond the physical-address width", S_CRS);
	if (!canonical(s->sysenter_esp))
		return fail(r, "guest IA32_SYSENTER_ESP", s->sysenter_esp,
			    "must be canonical", S_CRS);
	if (!canonical(s->sysenter_eip))
		return fail(r, "guest IA32_SYSENTER_EIP", s->sysenter_eip,
			    "must be canonical", S_CRS);
	if (s->entry & ENTRY_LOAD_PAT) {
		for (i = 0; i < 8; i++) {
			u8 t = s->pat >> (8 * i);

			if (t == 2 || t == 3 || t > 7)
				return fail(r, "guest IA32_PAT", s->pat,
					    "each entry must be 0, 1, 4, 5, 6 or 7",
					    S_CRS);
		}
	}
	if (s->entry & ENTRY_LOAD_EFER) {
		if (s->efer & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
			return fail(r, "guest IA32_EFER", s->efer,
				    "reserved bits must be 0", S_CRS);
		if (!!(s->efer & EFER_LMA) != s->ia32e)
			return fail(r, "guest IA32_EFER", s->efer,
				    "LMA must equal \"IA-32e mode guest\"", S_CRS);
		if ((s->cr0 & X86_CR0_PG) &&
		    !!(s->efer & EFER_LMA) != !!(s->efer & EFER_LME))
			return fail(r, "guest IA32_EFER", s->efer,
				    "with CR0.PG, LMA must equal LME", S_CRS);
	}
	return true;
}

static bool limit_g_ok(u32 limit, u32 ar)
{
	if ((limit & 0xfff) != 0xfff && (ar & VMCS_AR_G))
		return false;
	if ((limit & GENMASK(31, 20)) && !(ar & VMCS_AR_G))
		return false;
	return true;
}

static bool check_v8086_segs(struct vmx_check_result *r,
			     const struct vmx_state *s)
{
	int i;

	for (i = KHV_ES; i <= KHV_GS; i++) {
		if (s->seg[i].base != (u64)s->seg[i].sel << 4)
			return fail(r, seg_names[i], s->seg[i].base,
				    "virtual-8086: base must be selector << 4",
				    S_SEGS);
		if (s->seg[i].limit != 0xffff)
			return fail(r, seg_names[i], s->seg[i].limit,
				    "virtual-8086: limit must be FFFFh", S_SEGS);
		if (s->seg[i].ar != 0xf3)
			return fail(r, seg_names[i], s->seg[i].ar,
				    "virtual-8086: access rights must be F3h",
				    S_SEGS);
	}
	return true;
}

/* 28.3.1.2: access rights of CS, SS, DS, ES, FS, GS outside v8086. */
static bool check_seg_ar(struct vmx_check_result *r,
			 const struct vmx_state *s, int i)
{
	u32 ar = s->seg[i].ar, type = ar & VMCS_AR_TYPE_MASK;
	u32 dpl = (ar >> VMCS_AR_DPL_SHIFT) & 3;
	u32 ss_dpl = (s->seg[KHV_SS].ar >> VMCS_AR_DPL_SHIFT) & 3;
	u32 cs_type = s->seg[KHV_CS].ar & VMCS_AR_TYPE_MASK;
	const char *n = seg_names[i];

	if (i != KHV_CS && (ar & VMCS_AR_UNUSABLE))
		return true;
	if (i == KHV_CS && (ar & VMCS_AR_UNUSABLE))
		return fail(r, "CS access rights", ar, "CS must be usable", S_SEGS);
	if (i == KHV_CS && !(type == 9 || type == 11 || type == 13 ||
			     type == 15 || (s->unrestricted && type == 3)))
		return fail(r, "CS access rights", ar,
			    "type must be 9, 11, 13, 15 (or 3 with unrestricted guest)",
			    S_SEGS);
	if (i == KHV_SS && type != 3 && type != 7)
		return fail(r, "SS access rights", ar, "type must be 3 or 7",
			    S_SEGS);
	if (i != KHV_CS && i != KHV_SS &&
	    (!(type & 1) || ((type & 8) && !(type & 2))))
		return fail(r, n, ar, "must be accessed, and readable if code",
			    S_SEGS);
	if (!(ar & VMCS_AR_S))
		return fail(r, n, ar, "S (code/data) must be 1", S_SEGS);
	if (i == KHV_CS) {
		if (type == 3 && dpl != 0)
			return fail(r, "CS access rights", ar,
				    "DPL must be 0 for type 3", S_SEGS);
		if ((type == 9 || type == 11) && dpl != ss_dpl)
			return fail(r, "CS access rights", ar,
				    "non-conforming code: DPL must equal SS.DPL",
				    S_SEGS);
		if ((type == 13 || type == 15) && dpl > ss_dpl)
			return fail(r, "CS access rights", ar,
				    "conforming code: DPL must not exceed SS.DPL",
				    S_SEGS);
	}
	if (i == KHV_SS) {
		if (!s->unrestricted && dpl != (s->seg[KHV_SS].sel & 3))
			return fail(r, "SS access rights", ar,
				    "DPL must equal the selector's RPL", S_SEGS);
		if ((cs_type == 3 || !(s->cr0 & X86_CR0_PE)) && dpl != 0)
			return fail(r, "SS access rights", ar,
				    "DPL must be 0 in real mode or with CS type 3",
				    S_SEGS);
	}
	if (i != KHV_CS && i != KHV_SS && !s->unrestricted && type <= 11 &&
	    dpl < (s->seg[i].sel & 3))
		return fail(r, n, ar, "DPL must not be below the RPL", S_SEGS);
	if (!(ar & VMCS_AR_P))
		return fail(r, n, ar, "P must be 1", S_SEGS);
	if (ar & VMCS_AR_RESERVED)
		return fail(r, n, ar, "reserved bits 11:8, 31:17 must be 0",
			    S_SEGS);
	if (i == KHV_CS && s->ia32e && (ar & VMCS_AR_L) && (ar & VMCS_AR_DB))
		return fail(r, "CS access rights", ar,
			    "D must be 0 with L in IA-32e mode", S_SEGS);
	if (!limit_g_ok(s->seg[i].limit, ar))
		return fail(r, n, s->seg[i].limit,
			    "limit and G disagree", S_SEGS);
	return true;
}

static bool check_system_seg(struct vmx_check_result *r,
			     const struct vmx_state *s, int i)
{
	u32 ar = s->seg[i].ar, type = ar & VMCS_AR_TYPE_MASK;
	bool tr = i == VMCS_SEG_TR;

	if (!tr && (ar & VMCS_AR_UNUSABLE))
		return true;
	if (tr && (ar & VMCS_AR_UNUSABLE))
		return fail(r, "TR access rights", ar, "TR must be usable",
			    S_SEGS);
	if (tr && !(type == 11 || (!s->ia32e && type == 3)))
		return fail(r, "TR access rights", ar,
			    "type must be 11 (busy TSS; or 3 outside IA-32e mode)",
			    S_SEGS);
	if (!tr && type != 2)
		return fail(r, "LDTR access rights", ar, "type must be 2",
			    S_SEGS);
	if (ar & VMCS_AR_S)
		return fail(r, seg_names[i], ar, "S must be 0", S_SEGS);
	if (!(ar & VMCS_AR_P))
		return fail(r, seg_names[i], ar, "P must be 1", S_SEGS);
	if (ar & VMCS_AR_RESERVED)
		return fail(r, seg_names[i], ar,
			    "reserved bits 11:8, 31:17 must be 0", S_SEGS);
	if (!limit_g_ok(s->seg[i].limit, ar))
		return fail(r, seg_names[i], s->seg[i].limit,
			    "limit and G disagree", S_SEGS);
	if (s->seg[i].sel & 4)
		return fail(r, seg_names[i], s->seg[i].sel,
			    "selector TI flag must be 0", S_SEGS);
	if (!canonical(s->seg[i].base))
		return fail(r, seg_names[i], s->seg[i].base,
			    "base must be canonical", S_SEGS);
	return true;
}

static bool check_guest_segs(struct vmx_check_result *r,
			     const struct vmx_state *s)
{
	bool v8086 = s->rflags & X86_EFLAGS_VM;
	int i;

	if (!check_system_seg(r, s, VMCS_SEG_TR) ||
	    !check_system_seg(r, s, VMCS_SEG_LDTR))
		return false;
	if (!v8086 && !s->unrestricted &&
	    (s->seg[KHV_SS].sel & 3) != (s->seg[KHV_CS].sel & 3))
		return fail(r, "SS selector", s->seg[KHV_SS].sel,
			    "RPL must equal CS's RPL", S_SEGS);
	for (i = KHV_FS; i <= KHV_GS; i++)
		if (!canonical(s->seg[i].base))
			return fail(r, seg_names[i], s->seg[i].base,
				    "base must be canonical", S_SEGS);
	for (i = KHV_ES; i <= KHV_DS; i++)
		if ((i == KHV_CS || !(s->seg[i].ar & VMCS_AR_UNUSABLE)) &&
		    (s->seg[i].base >> 32))
			return fail(r, seg_names[i], s->seg[i].base,
				    "base bits 63:32 must be 0", S_SEGS);
	if (v8086)
		return check_v8086_segs(r, s);
	for (i = KHV_ES; i <= KHV_GS; i++)
		if (!check_seg_ar(r, s, i))
			return false;
	return true;
}

/* 28.3.1.3 and 28.3.1.4. */
static bool check_guest_dtrs_rip(struct vmx_check_result *r,
				 const struct vmx_state *s)
{
	bool cs_l = s->seg[KHV_CS].ar & VMCS_AR_L;

	if (!canonical(s->gdtr_base) || (s->gdtr_limit >> 16))
		return fail(r, "guest GDTR", s->gdtr_base,
			    "base must be canonical, limit below 64K", S_DTRS);
	if (!canonical(s->idtr_base) || (s->idtr_limit >> 16))
		return fail(r, "guest IDTR", s->idtr_base,
			    "base must be canonical, limit below 64K", S_DTRS);
	if ((!s->ia32e || !cs_l) && (s->rip >> 32))
		return fail(r, "guest RIP", s->rip,
			    "bits 63:32 must be 0 outside 64-bit mode", S_RIP);
	if (s->ia32e && cs_l && !canonical(s->rip))
		return fail(r, "guest RIP", s->rip,
			    "must be canonical in 64-bit mode", S_RIP);
	if ((s->rflags & (GENMASK_ULL(63, 22) | BIT(15) | BIT(5) | BIT(3))) ||
	    !(s->rflags & BIT(1)))
		return fail(r, "guest RFLAGS", s->rflags,
			    "reserved bits must be 0 and bit 1 must be 1", S_RIP);
	if ((s->rflags & X86_EFLAGS_VM) &&
	    (s->ia32e || !(s->cr0 & X86_CR0_PE)))
		return fail(r, "guest RFLAGS", s->rflags,
			    "VM must be 0 in IA-32e mode or real mode", S_RIP);
	if ((s->intr_info & (INTR_INFO_VALID | INTR_INFO_TYPE_MASK)) ==
	    (INTR_INFO_VALID | INTR_TYPE_EXT_INTR) &&
	    !(s->rflags & X86_EFLAGS_IF))
		return fail(r, "guest RFLAGS", s->rflags,
			    "IF must be 1 to inject an external interrupt",
			    S_RIP);
	return true;
}

/* 28.3.1.5 and 28.3.1.6. */
static bool check_guest_nonreg(struct vmx_check_result *r,
			       const struct vmx_state *s)
{
	u32 type = s->intr_info & INTR_INFO_TYPE_MASK;
	bool inject = s->intr_info & INTR_INFO_VALID;
	bool tf = s->rflags & X86_EFLAGS_TF, btf = s->debugctl & BIT(1);
	int i;

	if (s->activity > ACTIVITY_WAIT_SIPI ||
	    (s->activity &&
	     !(s->caps->misc & BIT_ULL(5 + s->activity))))
		return fail(r, "guest activity state", s->activity,
			    "must be 0-3 and supported by IA32_VMX_MISC", S_NONREG);
	if (s->activity == ACTIVITY_HLT &&
	    ((s->seg[KHV_SS].ar >> VMCS_AR_DPL_SHIFT) & 3))
		return fail(r, "guest activity state", s->activity,
			    "HLT needs SS.DPL 0", S_NONREG);
	if (s->block & GENMASK(31, 5))
		return fail(r, "guest interruptibility state", s->block,
			    "reserved bits 31:5 must be 0", S_NONREG);
	if ((s->block & INTR_BLOCK_STI) && (s->block & INTR_BLOCK_MOV_SS))
		return fail(r, "guest interruptibility state", s->block,
			    "STI and MOV SS blocking cannot both be set",
			    S_NONREG);
	if ((s->block & INTR_BLOCK_STI) && !(s->rflags & X86_EFLAGS_IF))
		return fail(r, "guest interruptibility state", s->block,
			    "STI blocking needs RFLAGS.IF 1", S_NONREG);
	if (inject && type == INTR_TYPE_EXT_INTR &&
	    (s->block & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)))
		return fail(r, "guest interruptibility state", s->block,
			    "no STI/MOV SS blocking when injecting an interrupt",
			    S_NONREG);
	if (inject && type == INTR_TYPE_NMI && (s->block & INTR_BLOCK_MOV_SS))
		return fail(r, "guest interruptibility state", s->block,
			    "no MOV SS blocking when injecting an NMI", S_NONREG);
	if (s->block & INTR_BLOCK_SMI)
		return fail(r, "guest interruptibility state", s->block,
			    "SMI blocking must be 0 outside SMM", S_NONREG);
	if (inject && type == INTR_TYPE_NMI && (s->pin & PIN_VIRTUAL_NMIS) &&
	    (s->block & INTR_BLOCK_NMI))
		return fail(r, "guest interruptibility state", s->block,
			    "no NMI blocking when injecting an NMI with virtual NMIs",
			    S_NONREG);
	if (s->pending_dbg & (GENMASK_ULL(11, 4) | BIT_ULL(13) | BIT_ULL(15) |
			      GENMASK_ULL(63, 17)))
		return fail(r, "guest pending debug exceptions", s->pending_dbg,
			    "reserved bits must be 0", S_NONREG);
	if ((s->block & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)) ||
	    s->activity == ACTIVITY_HLT) {
		bool bs = s->pending_dbg & BIT_ULL(14);

		if (tf && !btf && !bs)
			return fail(r, "guest pending debug exceptions",
				    s->pending_dbg, "BS must be 1 when TF=1 and BTF=0 under blocking",
				    S_NONREG);
		if ((!tf || btf) && bs)
			return fail(r, "guest pending debug exceptions",
				    s->pending_dbg, "BS must be 0 when TF=0 or BTF=1 under blocking",
				    S_NONREG);
	}
	if (!(s->proc2 & PROC2_VMCS_SHADOWING) && s->link != ~0ULL)
		return fail(r, "VMCS link pointer", s->link,
			    "must be FFFFFFFF_FFFFFFFFh", S_NONREG);

	if ((s->proc2 & PROC2_EPT) && (s->cr0 & X86_CR0_PG) &&
	    (s->cr4 & X86_CR4_PAE) && !s->ia32e) {
		for (i = 0; i < 4; i++) {
			u64 e = s->pdpte[i];

			/*
			 * Bits 2:1, 8:5 and MAXPHYADDR-63 are reserved: a
			 * PAE PDPTE has no XD bit (SDM Vol. 3A, 4.4.1,
			 * Table 4-8).
			 */
			if ((e & 1) && ((e & (GENMASK_ULL(2, 1) |
					      GENMASK_ULL(8, 5))) ||
					beyond_maxphy(s, e)))
				return fail(r, "guest PDPTE", e,
					    "reserved bits set in a present PDPTE",
					    S_PDPTE);
		}
	}
	return true;
}

/* true: no broken rule found.  false: *r names the first one. */
static bool vmx_check_state(struct vmx_check_result *r,
			    const struct vmx_state *s)
{
	return check_controls(r, s) && check_guest_crs(r, s) &&
	       check_guest_segs(r, s) && check_guest_dtrs_rip(r, s) &&
	       check_guest_nonreg(r, s);
}

/*
 * The checks on the vCPU's VMCS.  Callable from process context or from
 * vcpu_run.
 */
bool vmx_check_entry(struct khv_vcpu *vcpu, struct vmx_check_result *r)
{
	struct vmx_state s;

	preempt_disable();
	vmx_vcpu_load(vcpu);
	vmx_read_state(&s);
	preempt_enable();
	return vmx_check_state(r, &s);
}

/*
 * KHV_CHECK_ENTRY: RSP, RIP and RFLAGS go into the VMCS only before an
 * entry; write them now so that the checks see what the entry would.
 */
void vmx_check_entry_now(struct khv_vcpu *vcpu, struct khv_entry_check *out)
{
	struct vmx_check_result r = { 0 };

	preempt_disable();
	vmx_vcpu_load(vcpu);
	vmcs_write(VMCS_GUEST_RSP, vcpu->gpr[KHV_RSP]);
	vmcs_write(VMCS_GUEST_RIP, vcpu->rip);
	vmcs_write(VMCS_GUEST_RFLAGS, vcpu->rflags);
	preempt_enable();

	memset(out, 0, sizeof(*out));
	if (vmx_check_entry(vcpu, &r))
		return;
	out->broken = 1;
	out->value = r.value;
	strscpy(out->field, r.field ?: "", sizeof(out->field));
	snprintf(out->rule, sizeof(out->rule), "%s (%s)", r.rule ?: "",
		 r.section ?: "");
}

/* VM-instruction error numbers (SDM Vol. 3C, 32.4, Table 32-1). */
const char *vmx_insn_error_name(u32 error)
{
	static const char * const names[] = {
		[1] = "VMCALL executed in VMX root operation",
		[2] = "VMCLEAR with invalid physical address",
		[3] = "VMCLEAR with VMXON pointer",
		[4] = "VMLAUNCH with non-clear VMCS",
		[5] = "VMRESUME with non-launched VMCS",
		[6] = "VMRESUME after VMXOFF",
		[7] = "VM entry with invalid control field(s)",
		[8] = "VM entry with invalid host-state field(s)",
		[9] = "VMPTRLD with invalid physical address",
		[10] = "VMPTRLD with VMXON pointer",
		[11] = "VMPTRLD with incorrect VMCS revision identifier",
		[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
		[13] = "VMWRITE to read-only VMCS component",
		[15] = "VMXON executed in VMX root operation",
		[16] = "VM entry with invalid executive-VMCS pointer",
		[17] = "VM entry with non-launched executive VMCS",
		[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
		[26] = "VM entry with events blocked by MOV SS",
		[28] = "Invalid operand to INVEPT/INVVPID",
	};

	if (error < ARRAY_SIZE(names) && names[error])
		return names[error];
	return "VMfail (unlisted VM-instruction error)";
}
