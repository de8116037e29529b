// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the VM-entry checks (vmx/vmx_check.c): a VMCS state
 * that VM entry accepts passes, and breaking one rule of SDM Vol. 3C,
 * 28.2.1 "Checks on VMX Controls" or 28.3.1 "Checks on the Guest-State
 * Area" at a time names that rule: the field, its value and the section.
 *
 * KUnit runs in the SVM lab, where there is no VMCS to VMREAD: the
 * states are struct vmx_state built by hand, with capability MSR values
 * of their own, and go to the pure checks (vmx_check_state()).
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "../vmx/vmx_check.c"

/*
 * vmx_check.c's VMREAD side links against these; no test calls it (its
 * callers need a VMCS).
 */
struct vmx_caps vmx_caps;

void vmx_vcpu_load(struct khv_vcpu *vcpu)
{
}

void vmcs_write_error(u32 field, u64 value)
{
}

/*
 * The controls every CPU requires to be 1 when IA32_VMX_BASIC[55] is 0
 * (the "default1" classes of SDM Vol. 3D, Appendix A.2 - A.5).
 */
#define PIN_DEFAULT1	(BIT(1) | BIT(2) | BIT(4))
#define PROC_DEFAULT1	(BIT(1) | GENMASK(6, 4) | BIT(8) | \
			 GENMASK(16, 13) | BIT(26))
#define EXIT_DEFAULT1	(GENMASK(8, 0) | BIT(10) | BIT(11) | BIT(13) | \
			 BIT(14) | BIT(16) | BIT(17))
#define ENTRY_DEFAULT1	(GENMASK(8, 0) | BIT(12))

#define CAP(allowed0, allowed1)	((u64)(allowed1) << 32 | (allowed0))

#define VAR_DATA		0x93	/* data: read/write, accessed, P */
#define VAR_CODE		0x9b	/* code: exec/read, accessed, P */
#define VAR_LDT		0x82
#define VAR_TSS_BUSY	0x8b
#define VAR_DPL3		(3 << VMCS_AR_DPL_SHIFT)

/*
 * What the capability MSRs of a CPU with EPT, VPID and unrestricted
 * guest report (Appendix A): no posted interrupts, no PML, no EPT A/D
 * flags, no wait-for-SIPI activity state, 4 CR3 targets.
 */
static void caps_init(struct vmx_caps *c)
{
	memset(c, 0, sizeof(*c));
	c->misc = (4 << 16) | VMXCAP_MISC_ACTIVITY_HLT | BIT_ULL(7);
	c->ept_vpid = EPT_CAP_WALK_4 | EPT_CAP_UC | EPT_CAP_WB |
		      EPT_CAP_INVEPT | EPT_CAP_INVEPT_ALL | VPID_CAP_INVVPID;
	c->pin_cap = CAP(PIN_DEFAULT1, GENMASK(6, 0));
	c->proc_cap = CAP(PROC_DEFAULT1, 0xfff9fffe);
	c->proc2_cap = CAP(0, GENMASK(16, 0));
	c->exit_cap = CAP(EXIT_DEFAULT1, GENMASK(22, 0));
	c->entry_cap = CAP(ENTRY_DEFAULT1, GENMASK(15, 0));
	/* PE, NE, PG must be 1; CR4.VMXE must be 1 (Appendix A.7, A.8). */
	c->cr0_fixed0 = X86_CR0_PE | X86_CR0_NE | X86_CR0_PG;
	c->cr0_fixed1 = 0xffffffff;
	c->cr4_fixed0 = X86_CR4_VMXE;
	c->cr4_fixed1 = 0x3767ff;	/* no UMIP, no LA57 */
}

static void set_seg(struct vmx_state *s, int i, u16 sel, u64 base, u32 limit,
		    u32 ar)
{
	s->seg[i].sel = sel;
	s->seg[i].base = base;
	s->seg[i].limit = limit;
	s->seg[i].ar = ar;
}

/*
 * The state khv sets up for a vCPU at reset (vmx_setup_vmcs(),
 * vmx_reset_state()): real mode at F000:FFF0 under "unrestricted guest",
 * EPT and VPID, MSR bitmaps, and the MSR areas of vmx.h.
 */
static struct vmx_state *real_state(struct kunit *test)
{
	struct vmx_state *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct vmx_caps *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, c);
	caps_init(c);
	s->caps = c;
	s->maxphy = 46;
	s->pin = PIN_DEFAULT1 | PIN_EXT_INTR_EXITING | PIN_NMI_EXITING |
		 PIN_VIRTUAL_NMIS;
	s->proc = PROC_DEFAULT1 | PROC_HLT_EXITING | PROC_MOV_DR_EXITING |
		  PROC_UNCOND_IO_EXITING | PROC_MSR_BITMAPS | PROC_SECONDARY;
	s->proc2 = PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED_GUEST;
	s->exit = EXIT_DEFAULT1 | EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_EFER |
		  EXIT_LOAD_EFER | EXIT_SAVE_PAT | EXIT_LOAD_PAT;
	s->entry = ENTRY_DEFAULT1 | ENTRY_LOAD_EFER | ENTRY_LOAD_PAT;
	s->vpid = 1;
	s->msr_bitmap = 0x10000;
	s->eptp = 0x20000 | EPTP_MT_WB | EPTP_WALK_4;
	s->exit_store = 0x30000;
	s->exit_store_n = VMX_NR_AUTO_MSRS;
	s->entry_load = 0x30000;
	s->entry_load_n = VMX_NR_AUTO_MSRS;
	s->exit_load = 0x31000;
	s->exit_load_n = VMX_NR_AUTO_MSRS;
	s->link = ~0ULL;
	s->cr0 = X86_CR0_ET | X86_CR0_NE;
	s->cr4 = X86_CR4_VMXE;
	s->dr7 = 0x400;
	s->pat = 0x0007040600070406ULL;
	s->rip = 0xfff0;
	s->rflags = X86_EFLAGS_FIXED;
	for (i = KHV_ES; i <= KHV_GS; i++)
		set_seg(s, i, 0, 0, 0xffff, VAR_DATA);
	set_seg(s, KHV_CS, 0xf000, 0xffff0000, 0xffff, VAR_CODE);
	set_seg(s, VMCS_SEG_LDTR, 0, 0, 0xffff, VAR_LDT);
	set_seg(s, VMCS_SEG_TR, 0, 0, 0xffff, VAR_TSS_BUSY);
	s->gdtr_limit = 0xffff;
	s->idtr_limit = 0xffff;
	s->unrestricted = true;
	return s;
}

/* 64-bit mode with 4 KiB-granular flat segments, CPL 0. */
static struct vmx_state *long_state(struct kunit *test)
{
	struct vmx_state *s = real_state(test);
	int i;

	s->entry |= ENTRY_IA32E_MODE;
	s->ia32e = true;
	s->efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX;
	s->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP |
		 X86_CR0_PG;
	s->cr4 = X86_CR4_PAE | X86_CR4_VMXE | X86_CR4_OSFXSR;
	s->cr3 = 0x1000;
	for (i = KHV_ES; i <= KHV_GS; i++)
		set_seg(s, i, 0x10, 0, 0xffffffff, VAR_DATA | VMCS_AR_DB |
			VMCS_AR_G);
	set_seg(s, KHV_CS, 0x08, 0, 0xffffffff, VAR_CODE | VMCS_AR_L |
		VMCS_AR_G);
	set_seg(s, VMCS_SEG_TR, 0x18, 0xffffffff81e00000ULL, 0x67,
		VAR_TSS_BUSY);
	set_seg(s, VMCS_SEG_LDTR, 0, 0, 0, VMCS_AR_UNUSABLE);
	s->gdtr_base = 0xfffffe0000001000ULL;
	s->gdtr_limit = 0x7f;
	s->idtr_base = 0xfffffe0000000000ULL;
	s->idtr_limit = 0xfff;
	s->rip = 0xffffffff81000000ULL;
	s->rflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	return s;
}

/* The same without "unrestricted guest": the CPL/RPL rules apply. */
static struct vmx_state *restricted_state(struct kunit *test)
{
	struct vmx_state *s = long_state(test);

	s->proc2 &= ~PROC2_UNRESTRICTED_GUEST;
	s->unrestricted = false;
	return s;
}

/* 32-bit protected mode with PAE paging: the PDPTEs are checked. */
static struct vmx_state *pae_state(struct kunit *test)
{
	struct vmx_state *s = long_state(test);
	int i;

	s->entry &= ~ENTRY_IA32E_MODE;
	s->ia32e = false;
	s->efer = EFER_NX;
	s->seg[KHV_CS].ar = VAR_CODE | VMCS_AR_DB | VMCS_AR_G;
	s->seg[VMCS_SEG_TR].base = 0xc1e00000;
	s->gdtr_base = 0xc1000000;
	s->idtr_base = 0xc1001000;
	s->rip = 0xc1000000;
	for (i = 0; i < 4; i++)
		s->pdpte[i] = 0x3000 + i * 0x1000 + 1;
	return s;
}

/* Segments as virtual-8086 mode wants them (28.3.1.2). */
static void vm86_segs(struct vmx_state *s)
{
	int i;

	for (i = KHV_ES; i <= KHV_GS; i++)
		set_seg(s, i, 0x1000 + i, (0x1000 + i) << 4, 0xffff, 0xf3);
}

/* Virtual-8086 mode: CR0.PE, RFLAGS.VM, the segments of 28.3.1.2. */
static struct vmx_state *vm86_state(struct kunit *test)
{
	struct vmx_state *s = restricted_state(test);

	s->entry &= ~ENTRY_IA32E_MODE;
	s->ia32e = false;
	s->efer = 0;
	s->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
	s->cr4 = X86_CR4_VMXE;
	vm86_segs(s);
	s->seg[VMCS_SEG_TR].base = 0x8000;
	s->gdtr_base = 0x9000;
	s->idtr_base = 0xa000;
	s->rip = 0x100;
	s->rflags = X86_EFLAGS_FIXED | X86_EFLAGS_VM | X86_EFLAGS_IF;
	return s;
}

/* The state must pass: report the rule it was said to break. */
static void expect_ok(struct kunit *test, const struct vmx_state *s)
{
	struct vmx_check_result r = { 0 };

	KUNIT_EXPECT_TRUE_MSG(test, vmx_check_state(&r, s),
			      "refused: %s = %#llx: %s (%s)", r.field, r.value,
			      r.rule, r.section);
}

/* The state must fail on @rule of @section, naming @field = @value. */
static void expect_broken(struct kunit *test, const struct vmx_state *s,
			  const char *field, u64 value, const char *rule,
			  const char *section)
{
	struct vmx_check_result r = { 0 };

	KUNIT_ASSERT_FALSE_MSG(test, vmx_check_state(&r, s),
			       "accepted, expected \"%s\"", rule);
	KUNIT_ASSERT_NOT_NULL(test, r.field);
	KUNIT_ASSERT_NOT_NULL(test, r.rule);
	KUNIT_ASSERT_NOT_NULL(test, r.section);
	KUNIT_EXPECT_STREQ(test, r.field, field);
	KUNIT_EXPECT_EQ(test, r.value, value);
	KUNIT_EXPECT_STREQ(test, r.rule, rule);
	KUNIT_EXPECT_STREQ(test, r.section, section);
}

static void vmx_check_valid_states(struct kunit *test)
{
	struct vmx_state *s;
	struct vmx_caps *c;

	expect_ok(test, real_state(test));
	expect_ok(test, long_state(test));
	expect_ok(test, restricted_state(test));
	expect_ok(test, pae_state(test));
	expect_ok(test, vm86_state(test));

	/* The capabilities come with the state: A/D once offered. */
	s = long_state(test);
	s->eptp |= EPTP_AD;
	c = (struct vmx_caps *)s->caps;
	c->ept_vpid |= EPT_CAP_AD;
	expect_ok(test, s);
	/* So do the allowed settings: posted interrupts once offered. */
	c->pin_cap |= (u64)PIN_POSTED_INTR << 32;
	s->pin |= PIN_POSTED_INTR;
	expect_ok(test, s);
	/* Built on the non-TRUE capabilities, it passes the TRUE ones. */
	c->proc_cap &= ~(u64)(PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING);
	expect_ok(test, s);

	/* Events that may be injected. */
	s = long_state(test);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_EXT_INTR | 0x20;
	expect_ok(test, s);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_HARD_EXC |
		       INTR_INFO_ERROR_CODE | 14;
	s->intr_err = 0xffff;
	expect_ok(test, s);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_SOFT_INTR | 0x80;
	s->insn_len = 2;
	expect_ok(test, s);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_NMI | 2;
	expect_ok(test, s);
	/* In real mode, #GP is delivered without an error code. */
	s = real_state(test);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_HARD_EXC | 13;
	expect_ok(test, s);

	/* HLT, STI blocking with IF, an unusable segment's garbage. */
	s = long_state(test);
	s->activity = ACTIVITY_HLT;
	s->block = INTR_BLOCK_STI;
	s->seg[KHV_ES].ar = VMCS_AR_UNUSABLE | 0xf00;
	s->seg[KHV_ES].base = BIT_ULL(40);
	expect_ok(test, s);
	/* The MSR areas are not checked when empty. */
	s->exit_store_n = 0;
	s->exit_store = 0x7;
	expect_ok(test, s);
}

/* 28.2.1.1: the VM-execution control fields. */
static void vmx_check_execution_controls(struct kunit *test)
{
	struct vmx_state *s;

	s = real_state(test);
	s->pin &= ~BIT(1);
	expect_broken(test, s, "pin-based controls", s->pin,
		      "a control the capability MSR requires to be 1 is 0",
		      S_EXEC);
	s = real_state(test);
	s->pin |= PIN_POSTED_INTR;
	expect_broken(test, s, "pin-based controls", s->pin,
		      "a control the capability MSR does not allow is 1",
		      S_EXEC);
	s = real_state(test);
	s->proc &= ~BIT(26);
	expect_broken(test, s, "primary processor-based controls", s->proc,
		      "a control the capability MSR requires to be 1 is 0",
		      S_EXEC);
	s = real_state(test);
	s->proc2 |= PROC2_PML;
	expect_broken(test, s, "secondary processor-based controls", s->proc2,
		      "a control the capability MSR does not allow is 1",
		      S_EXEC);

	s = real_state(test);
	s->cr3_count = 5;
	expect_broken(test, s, "CR3-target count", 5,
		      "must not exceed IA32_VMX_MISC[24:16]", S_EXEC);
	s->cr3_count = 4;
	expect_ok(test, s);

	s = real_state(test);
	s->msr_bitmap = 0x10800;
	expect_broken(test, s, "MSR-bitmap address", 0x10800,
		      "must be 4K-aligned and within the physical-address width",
		      S_EXEC);
	s->msr_bitmap = BIT_ULL(46);
	expect_broken(test, s, "MSR-bitmap address", BIT_ULL(46),
		      "must be 4K-aligned and within the physical-address width",
		      S_EXEC);
	/* Not used without "use MSR bitmaps". */
	s->proc &= ~PROC_MSR_BITMAPS;
	expect_ok(test, s);

	s = real_state(test);
	s->proc2 |= PROC2_VIRT_X2APIC;
	expect_broken(test, s, "secondary processor-based controls", s->proc2,
		      "APIC virtualization needs \"use TPR shadow\"", S_EXEC);
	s->proc |= PROC_TPR_SHADOW;
	expect_ok(test, s);

	s = real_state(test);
	s->pin &= ~PIN_NMI_EXITING;
	expect_broken(test, s, "pin-based controls", s->pin,
		      "\"virtual NMIs\" needs \"NMI exiting\"", S_EXEC);
	s = real_state(test);
	s->pin &= ~PIN_VIRTUAL_NMIS;
	s->proc |= PROC_NMI_WINDOW_EXITING;
	expect_broken(test, s, "primary processor-based controls", s->proc,
		      "\"NMI-window exiting\" needs \"virtual NMIs\"", S_EXEC);

	s = real_state(test);
	s->vpid = 0;
	expect_broken(test, s, "VPID", 0,
		      "must not be 0 with \"enable VPID\"", S_EXEC);
	s->proc2 &= ~PROC2_VPID;
	expect_ok(test, s);
}

/* 28.2.1.1: the EPT pointer and "unrestricted guest". */
static void vmx_check_ept_pointer(struct kunit *test)
{
	struct vmx_state *s;

	s = real_state(test);
	s->eptp = 0x20000 | 1 | EPTP_WALK_4;		/* WC */
	expect_broken(test, s, "EPT pointer", s->eptp,
		      "memory type not supported by IA32_VMX_EPT_VPID_CAP",
		      S_EXEC);
	s->eptp = 0x20000 | EPTP_MT_UC | EPTP_WALK_4;
	expect_ok(test, s);
	((struct vmx_caps *)s->caps)->ept_vpid &= ~EPT_CAP_UC;
	expect_broken(test, s, "EPT pointer", s->eptp,
		      "memory type not supported by IA32_VMX_EPT_VPID_CAP",
		      S_EXEC);

	s = real_state(test);
	s->eptp = 0x20000 | EPTP_MT_WB | (4 << 3);	/* 5-level */
	expect_broken(test, s, "EPT pointer", s->eptp,
		      "bits 5:3 must be 3 (4-level walk)", S_EXEC);
	s = real_state(test);
	s->eptp |= EPTP_AD;
	expect_broken(test, s, "EPT pointer", s->eptp,
		      "bit 6 (A/D) set but not supported", S_EXEC);
	s = real_state(test);
	s->eptp |= BIT(7);
	expect_broken(test, s, "EPT pointer", s->eptp,
		      "reserved bits 11:7 or beyond the physical-address width set",
		      S_EXEC);
	s = real_state(test);
	s->eptp |= BIT_ULL(46);
	expect_broken(test, s, "EPT pointer", s->eptp,
		      "reserved bits 11:7 or beyond the physical-address width set",
		      S_EXEC);
	/* The width is the state's: 47 bits make bit 46 an address bit. */
	s->maxphy = 47;
	expect_ok(test, s);

	s = real_state(test);
	s->proc2 &= ~PROC2_EPT;
	expect_broken(test, s, "secondary processor-based controls", s->proc2,
		      "\"unrestricted guest\" needs \"enable EPT\"", S_EXEC);
}

/* 28.2.1.2 and 28.2.1.3: the VM-exit and VM-entry control fields. */
static void vmx_check_exit_entry_controls(struct kunit *test)
{
	struct vmx_state *s;

	s = real_state(test);
	s->exit &= ~BIT(0);
	expect_broken(test, s, "VM-exit controls", s->exit,
		      "a control the capability MSR requires to be 1 is 0",
		      S_EXIT);
	s = real_state(test);
	s->exit |= EXIT_SAVE_PREEMPTION_TIMER;
	expect_broken(test, s, "VM-exit controls", s->exit,
		      "saving the preemption timer needs it active", S_EXIT);
	s->pin |= PIN_PREEMPTION_TIMER;
	expect_ok(test, s);

	s = real_state(test);
	s->exit_store = 0x30008;
	expect_broken(test, s, "VM-exit MSR-store address", 0x30008,
		      "bits 3:0 must be 0", S_EXIT);
	/* The last byte of the area counts: 5 entries end at +4Fh. */
	s = real_state(test);
	s->exit_load = BIT_ULL(46) - 0x40;
	expect_broken(test, s, "VM-exit MSR-load address", s->exit_load,
		      "area beyond the physical-address width", S_EXIT);
	s->exit_load = BIT_ULL(46) - 0x50;
	expect_ok(test, s);

	s = real_state(test);
	s->entry &= ~BIT(12);
	expect_broken(test, s, "VM-entry controls", s->entry,
		      "a control the capability MSR requires to be 1 is 0",
		      S_ENTRY);
	s = real_state(test);
	s->entry |= ENTRY_SMM;
	expect_broken(test, s, "VM-entry controls", s->entry,
		      "SMM controls must be 0 outside SMM", S_ENTRY);
	s = real_state(test);
	s->entry |= ENTRY_DEACT_DUAL_MONITOR;
	expect_broken(test, s, "VM-entry controls", s->entry,
		      "SMM controls must be 0 outside SMM", S_ENTRY);
	s = real_state(test);
	s->entry_load = 0x30001;
	expect_broken(test, s, "VM-entry MSR-load address", 0x30001,
		      "bits 3:0 must be 0", S_ENTRY);
}

/* 28.2.1.3: VM-entry event injection. */
static void vmx_check_event_injection(struct kunit *test)
{
	const char *info = "VM-entry interruption information";
	struct vmx_state *s;

	s = long_state(test);
	s->intr_info = INTR_INFO_VALID | (1 << INTR_INFO_TYPE_SHIFT) | 0x20;
	expect_broken(test, s, info, s->intr_info,
		      "reserved interruption type", S_ENTRY);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_OTHER;
	expect_broken(test, s, info, s->intr_info,
		      "reserved interruption type", S_ENTRY);
	/* Without the valid bit nothing is injected or checked. */
	s->intr_info = INTR_TYPE_OTHER | BIT(20);
	expect_ok(test, s);

	s->intr_info = INTR_INFO_VALID | INTR_TYPE_NMI | 3;
	expect_broken(test, s, info, s->intr_info,
		      "vector does not fit the type (NMI: 2, exception: 0-31)",
		      S_ENTRY);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_HARD_EXC | 32;
	expect_broken(test, s, info, s->intr_info,
		      "vector does not fit the type (NMI: 2, exception: 0-31)",
		      S_ENTRY);

	/* Error codes: exactly #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP. */
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_HARD_EXC | 14;
	expect_broken(test, s, info, s->intr_info,
		      "deliver-error-code must be 1 iff a protected-mode exception with an error code",
		      S_ENTRY);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_HARD_EXC |
		       INTR_INFO_ERROR_CODE | 6;
	expect_broken(test, s, info, s->intr_info,
		      "deliver-error-code must be 1 iff a protected-mode exception with an error code",
		      S_ENTRY);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_SOFT_INTR |
		       INTR_INFO_ERROR_CODE | 13;
	s->insn_len = 2;
	expect_broken(test, s, info, s->intr_info,
		      "deliver-error-code must be 1 iff a protected-mode exception with an error code",
		      S_ENTRY);
	s = real_state(test);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_HARD_EXC |
		       INTR_INFO_ERROR_CODE | 13;
	expect_broken(test, s, info, s->intr_info,
		      "deliver-error-code must be 1 iff a protected-mode exception with an error code",
		      S_ENTRY);

	s = long_state(test);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_EXT_INTR | BIT(12) | 0x20;
	expect_broken(test, s, info, s->intr_info,
		      "reserved bits 30:12 must be 0", S_ENTRY);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_HARD_EXC |
		       INTR_INFO_ERROR_CODE | 13;
	s->intr_err = 0x10000;
	expect_broken(test, s, "VM-entry exception error code", 0x10000,
		      "bits 31:16 must be 0", S_ENTRY);

	s->intr_info = INTR_INFO_VALID | INTR_TYPE_SOFT_EXC | 3;
	s->insn_len = 0;
	expect_broken(test, s, "VM-entry instruction length", 0,
		      "must be 1-15 for software events", S_ENTRY);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_PRIV_SOFT_EXC | 1;
	s->insn_len = 16;
	expect_broken(test, s, "VM-entry instruction length", 16,
		      "must be 1-15 for software events", S_ENTRY);
	s->insn_len = 15;
	expect_ok(test, s);
}

/* 28.3.1.1: control registers, debug registers and MSRs. */
static void vmx_check_guest_control_regs(struct kunit *test)
{
	struct vmx_state *s;

	s = real_state(test);
	s->cr0 &= ~X86_CR0_NE;
	expect_broken(test, s, "guest CR0", s->cr0,
		      "violates IA32_VMX_CR0_FIXED0/FIXED1", S_CRS);
	s = real_state(test);
	s->cr0 |= BIT_ULL(32);
	expect_broken(test, s, "guest CR0", s->cr0,
		      "violates IA32_VMX_CR0_FIXED0/FIXED1", S_CRS);
	/* PE and PG may be 0 only under "unrestricted guest". */
	s = restricted_state(test);
	s->cr0 &= ~(u64)(X86_CR0_PG | X86_CR0_PE);
	expect_broken(test, s, "guest CR0", s->cr0,
		      "violates IA32_VMX_CR0_FIXED0/FIXED1", S_CRS);
	s = real_state(test);
	s->cr0 |= X86_CR0_PG;
	expect_broken(test, s, "guest CR0", s->cr0, "PG set needs PE set",
		      S_CRS);

	s = real_state(test);
	s->cr4 &= ~X86_CR4_VMXE;
	expect_broken(test, s, "guest CR4", s->cr4,
		      "violates IA32_VMX_CR4_FIXED0/FIXED1", S_CRS);
	s = real_state(test);
	s->cr4 |= X86_CR4_LA57;
	expect_broken(test, s, "guest CR4", s->cr4,
		      "violates IA32_VMX_CR4_FIXED0/FIXED1", S_CRS);

	s = real_state(test);
	s->debugctl = BIT(2);
	expect_broken(test, s, "guest IA32_DEBUGCTL", BIT(2),
		      "reserved bits must be 0", S_CRS);
	s->debugctl = 0;
	s->dr7 = BIT_ULL(32) | 0x400;
	expect_broken(test, s, "guest DR7", s->dr7, "bits 63:32 must be 0",
		      S_CRS);
	/* Neither is loaded without "load debug controls". */
	s->entry &= ~ENTRY_LOAD_DEBUG_CTLS;
	((struct vmx_caps *)s->caps)->entry_cap &= ~(u64)ENTRY_LOAD_DEBUG_CTLS;
	expect_ok(test, s);

	/* An IA-32e mode guest: the value named is the register at fault. */
	s = long_state(test);
	s->cr4 &= ~X86_CR4_PAE;
	expect_broken(test, s, "guest CR0/CR4", s->cr4,
		      "IA-32e mode guest needs CR0.PG and CR4.PAE", S_CRS);
	s = long_state(test);
	s->cr0 &= ~X86_CR0_PG;
	expect_broken(test, s, "guest CR0/CR4", s->cr0,
		      "IA-32e mode guest needs CR0.PG and CR4.PAE", S_CRS);
	s = pae_state(test);
	s->cr4 |= X86_CR4_PCIDE;
	expect_broken(test, s, "guest CR4", s->cr4,
		      "PCIDE needs IA-32e mode guest", S_CRS);

	s = long_state(test);
	s->cr3 = BIT_ULL(46) | 0x1000;
	expect_broken(test, s, "guest CR3", s->cr3,
		      "bits beyond the physical-address width", S_CRS);
	s = long_state(test);
	s->sysenter_esp = BIT_ULL(47);
	expect_broken(test, s, "guest IA32_SYSENTER_ESP", BIT_ULL(47),
		      "must be canonical", S_CRS);
	s->sysenter_esp = 0xffff800000000000ULL;
	s->sysenter_eip = 0x0000800000000000ULL;
	expect_broken(test, s, "guest IA32_SYSENTER_EIP", s->sysenter_eip,
		      "must be canonical", S_CRS);
}

/* 28.3.1.1: IA32_PAT and IA32_EFER when the entry loads them. */
static void vmx_check_guest_pat_efer(struct kunit *test)
{
	struct vmx_state *s;

	s = long_state(test);
	s->pat = 0x0007040600070206ULL;		/* PA1 = 2 */
	expect_broken(test, s, "guest IA32_PAT", s->pat,
		      "each entry must be 0, 1, 4, 5, 6 or 7", S_CRS);
	s->pat = 0x0307040600070406ULL;		/* PA7 = 3 */
	expect_broken(test, s, "guest IA32_PAT", s->pat,
		      "each entry must be 0, 1, 4, 5, 6 or 7", S_CRS);
	s->pat = 0x0007040600070408ULL;		/* PA0 = 8 */
	expect_broken(test, s, "guest IA32_PAT", s->pat,
		      "each entry must be 0, 1, 4, 5, 6 or 7", S_CRS);
	s->pat = 0x0001050407060100ULL;
	expect_ok(test, s);
	s->pat = 0x0202020202020202ULL;
	s->entry &= ~ENTRY_LOAD_PAT;
	expect_ok(test, s);

	s = long_state(test);
	s->efer |= BIT_ULL(1);
	expect_broken(test, s, "guest IA32_EFER", s->efer,
		      "reserved bits must be 0", S_CRS);
	s = long_state(test);
	s->efer &= ~EFER_LMA;
	expect_broken(test, s, "guest IA32_EFER", s->efer,
		      "LMA must equal \"IA-32e mode guest\"", S_CRS);
	s = pae_state(test);
	s->efer |= EFER_LMA | EFER_LME;
	expect_broken(test, s, "guest IA32_EFER", s->efer,
		      "LMA must equal \"IA-32e mode guest\"", S_CRS);
	s = long_state(test);
	s->efer &= ~EFER_LME;
	expect_broken(test, s, "guest IA32_EFER", s->efer,
		      "with CR0.PG, LMA must equal LME", S_CRS);
	/* LME without paging is a step on the way to long mode. */
	s = real_state(test);
	s->efer = EFER_LME;
	expect_ok(test, s);
}

/* 28.3.1.2: TR and LDTR. */
static void vmx_check_guest_system_segs(struct kunit *test)
{
	struct vmx_state *s;

	s = long_state(test);
	s->seg[VMCS_SEG_TR].ar |= VMCS_AR_UNUSABLE;
	expect_broken(test, s, "TR access rights", s->seg[VMCS_SEG_TR].ar,
		      "TR must be usable", S_SEGS);
	/* A 16-bit busy TSS: only outside IA-32e mode. */
	s = long_state(test);
	s->seg[VMCS_SEG_TR].ar = 0x83;
	expect_broken(test, s, "TR access rights", 0x83,
		      "type must be 11 (busy TSS; or 3 outside IA-32e mode)",
		      S_SEGS);
	s = real_state(test);
	s->seg[VMCS_SEG_TR].ar = 0x83;
	expect_ok(test, s);
	s->seg[VMCS_SEG_TR].ar = 0x89;		/* an available TSS */
	expect_broken(test, s, "TR access rights", 0x89,
		      "type must be 11 (busy TSS; or 3 outside IA-32e mode)",
		      S_SEGS);
	s = long_state(test);
	s->seg[VMCS_SEG_TR].ar |= VMCS_AR_S;
	expect_broken(test, s, "TR", s->seg[VMCS_SEG_TR].ar, "S must be 0",
		      S_SEGS);
	s = long_state(test);
	s->seg[VMCS_SEG_TR].ar &= ~VMCS_AR_P;
	expect_broken(test, s, "TR", s->seg[VMCS_SEG_TR].ar, "P must be 1",
		      S_SEGS);
	s = long_state(test);
	s->seg[VMCS_SEG_TR].ar |= BIT(17);
	expect_broken(test, s, "TR", s->seg[VMCS_SEG_TR].ar,
		      "reserved bits 11:8, 31:17 must be 0", S_SEGS);
	s = long_state(test);
	s->seg[VMCS_SEG_TR].ar |= VMCS_AR_G;
	expect_broken(test, s, "TR", 0x67, "limit and G disagree", S_SEGS);
	s->seg[VMCS_SEG_TR].limit = 0x67fff;
	expect_ok(test, s);
	s = long_state(test);
	s->seg[VMCS_SEG_TR].limit = 0x100000;
	expect_broken(test, s, "TR", 0x100000, "limit and G disagree", S_SEGS);
	s = long_state(test);
	s->seg[VMCS_SEG_TR].sel = 0x1c;
	expect_broken(test, s, "TR", 0x1c, "selector TI flag must be 0",
		      S_SEGS);
	s = long_state(test);
	s->seg[VMCS_SEG_TR].base = 0xffff7fff81e00000ULL;
	expect_broken(test, s, "TR", s->seg[VMCS_SEG_TR].base,
		      "base must be canonical", S_SEGS);

	/* LDTR, when usable. */
	s = real_state(test);
	s->seg[VMCS_SEG_LDTR].ar = 0x83;
	expect_broken(test, s, "LDTR access rights", 0x83, "type must be 2",
		      S_SEGS);
	s->seg[VMCS_SEG_LDTR].ar = VAR_LDT;
	s->seg[VMCS_SEG_LDTR].sel = 0x24;
	expect_broken(test, s, "LDTR", 0x24, "selector TI flag must be 0",
		      S_SEGS);
	s->seg[VMCS_SEG_LDTR].ar = VMCS_AR_UNUSABLE | 0x83;
	expect_ok(test, s);
}

/* 28.3.1.2: selectors and bases, and virtual-8086 mode. */
static void vmx_check_guest_seg_bases(struct kunit *test)
{
	struct vmx_state *s;

	s = restricted_state(test);
	s->seg[KHV_SS].sel = 0x13;
	expect_broken(test, s, "SS selector", 0x13, "RPL must equal CS's RPL",
		      S_SEGS);
	/* Under "unrestricted guest" the RPLs need not match. */
	s = long_state(test);
	s->seg[KHV_SS].sel = 0x13;
	expect_ok(test, s);

	s = long_state(test);
	s->seg[KHV_FS].base = 0x0000800000000000ULL;
	expect_broken(test, s, "FS", s->seg[KHV_FS].base,
		      "base must be canonical", S_SEGS);
	s = long_state(test);
	s->seg[KHV_GS].base = 0xfffe000000000000ULL;
	s->seg[KHV_GS].ar |= VMCS_AR_UNUSABLE;
	expect_broken(test, s, "GS", s->seg[KHV_GS].base,
		      "base must be canonical", S_SEGS);
	s = long_state(test);
	s->seg[KHV_CS].base = BIT_ULL(32);
	expect_broken(test, s, "CS", BIT_ULL(32), "base bits 63:32 must be 0",
		      S_SEGS);
	s = long_state(test);
	s->seg[KHV_DS].base = BIT_ULL(40);
	expect_broken(test, s, "DS", BIT_ULL(40), "base bits 63:32 must be 0",
		      S_SEGS);
	s->seg[KHV_DS].ar |= VMCS_AR_UNUSABLE;
	expect_ok(test, s);

	s = vm86_state(test);
	s->seg[KHV_DS].base += 1;
	expect_broken(test, s, "DS", s->seg[KHV_DS].base,
		      "virtual-8086: base must be selector << 4", S_SEGS);
	s = vm86_state(test);
	s->seg[KHV_GS].limit = 0xfffff;
	expect_broken(test, s, "GS", 0xfffff,
		      "virtual-8086: limit must be FFFFh", S_SEGS);
	s = vm86_state(test);
	s->seg[KHV_CS].ar = 0xfb;
	expect_broken(test, s, "CS", 0xfb,
		      "virtual-8086: access rights must be F3h", S_SEGS);
}

/* 28.3.1.2: access rights of CS, SS, DS, ES, FS and GS. */
static void vmx_check_guest_seg_access(struct kunit *test)
{
	struct vmx_state *s;

	s = long_state(test);
	s->seg[KHV_CS].ar |= VMCS_AR_UNUSABLE;
	expect_broken(test, s, "CS access rights", s->seg[KHV_CS].ar,
		      "CS must be usable", S_SEGS);
	s = restricted_state(test);
	s->seg[KHV_CS].ar = 0x93 | VMCS_AR_G;
	expect_broken(test, s, "CS access rights", s->seg[KHV_CS].ar,
		      "type must be 9, 11, 13, 15 (or 3 with unrestricted guest)",
		      S_SEGS);
	/* Type 3 under "unrestricted guest": only with DPL 0. */
	s = real_state(test);
	s->seg[KHV_CS].ar = VAR_DATA;
	expect_ok(test, s);
	s->seg[KHV_CS].ar = VAR_DATA | VAR_DPL3;
	expect_broken(test, s, "CS access rights", s->seg[KHV_CS].ar,
		      "DPL must be 0 for type 3", S_SEGS);

	s = long_state(test);
	s->seg[KHV_SS].ar = 0x95 | VMCS_AR_DB | VMCS_AR_G;
	expect_broken(test, s, "SS access rights", s->seg[KHV_SS].ar,
		      "type must be 3 or 7", S_SEGS);
	/* A data segment not accessed, a code segment not readable. */
	s = long_state(test);
	s->seg[KHV_DS].ar = 0x92 | VMCS_AR_DB | VMCS_AR_G;
	expect_broken(test, s, "DS", s->seg[KHV_DS].ar,
		      "must be accessed, and readable if code", S_SEGS);
	s = long_state(test);
	s->seg[KHV_ES].ar = 0x99 | VMCS_AR_DB | VMCS_AR_G;
	expect_broken(test, s, "ES", s->seg[KHV_ES].ar,
		      "must be accessed, and readable if code", S_SEGS);
	s = long_state(test);
	s->seg[KHV_FS].ar &= ~VMCS_AR_S;
	expect_broken(test, s, "FS", s->seg[KHV_FS].ar,
		      "S (code/data) must be 1", S_SEGS);

	/* CS.DPL against SS.DPL, conforming or not. */
	s = long_state(test);
	s->seg[KHV_CS].ar |= VAR_DPL3;
	expect_broken(test, s, "CS access rights", s->seg[KHV_CS].ar,
		      "non-conforming code: DPL must equal SS.DPL", S_SEGS);
	s->seg[KHV_CS].ar = (s->seg[KHV_CS].ar & ~VMCS_AR_TYPE_MASK) | 15;
	expect_broken(test, s, "CS access rights", s->seg[KHV_CS].ar,
		      "conforming code: DPL must not exceed SS.DPL", S_SEGS);
	s->seg[KHV_SS].ar |= VAR_DPL3;
	expect_ok(test, s);

	s = restricted_state(test);
	s->seg[KHV_SS].ar |= VAR_DPL3;
	s->seg[KHV_CS].ar |= VAR_DPL3;
	expect_broken(test, s, "SS access rights", s->seg[KHV_SS].ar,
		      "DPL must equal the selector's RPL", S_SEGS);
	s->seg[KHV_SS].sel |= 3;
	s->seg[KHV_CS].sel |= 3;
	s->seg[KHV_DS].sel |= 3;
	expect_broken(test, s, "DS", s->seg[KHV_DS].ar,
		      "DPL must not be below the RPL", S_SEGS);
	s->seg[KHV_DS].ar |= VAR_DPL3;
	expect_ok(test, s);
	s = real_state(test);
	s->seg[KHV_SS].ar |= VAR_DPL3;
	s->seg[KHV_CS].ar |= VAR_DPL3;
	expect_broken(test, s, "SS access rights", s->seg[KHV_SS].ar,
		      "DPL must be 0 in real mode or with CS type 3", S_SEGS);

	s = long_state(test);
	s->seg[KHV_GS].ar &= ~VMCS_AR_P;
	expect_broken(test, s, "GS", s->seg[KHV_GS].ar, "P must be 1", S_SEGS);
	s = long_state(test);
	s->seg[KHV_ES].ar |= BIT(8);
	expect_broken(test, s, "ES", s->seg[KHV_ES].ar,
		      "reserved bits 11:8, 31:17 must be 0", S_SEGS);
	s = long_state(test);
	s->seg[KHV_CS].ar |= VMCS_AR_DB;
	expect_broken(test, s, "CS access rights", s->seg[KHV_CS].ar,
		      "D must be 0 with L in IA-32e mode", S_SEGS);
	s = long_state(test);
	s->seg[KHV_SS].limit = 0xffffe;
	expect_broken(test, s, "SS", 0xffffe, "limit and G disagree", S_SEGS);
	s = real_state(test);
	s->seg[KHV_DS].limit = 0x1fffff;
	expect_broken(test, s, "DS", 0x1fffff, "limit and G disagree", S_SEGS);
}

/* 28.3.1.3 and 28.3.1.4: GDTR, IDTR, RIP and RFLAGS. */
static void vmx_check_guest_dtrs_rip_rflags(struct kunit *test)
{
	struct vmx_state *s;

	s = long_state(test);
	s->gdtr_base = 0xfffe7e0000001000ULL;
	expect_broken(test, s, "guest GDTR", s->gdtr_base,
		      "base must be canonical, limit below 64K", S_DTRS);
	s = long_state(test);
	s->idtr_limit = 0x10000;
	expect_broken(test, s, "guest IDTR", s->idtr_base,
		      "base must be canonical, limit below 64K", S_DTRS);

	s = real_state(test);
	s->rip = BIT_ULL(32) | 0xfff0;
	expect_broken(test, s, "guest RIP", s->rip,
		      "bits 63:32 must be 0 outside 64-bit mode", S_RIP);
	/* Compatibility mode: IA-32e without CS.L. */
	s = long_state(test);
	s->seg[KHV_CS].ar = VAR_CODE | VMCS_AR_DB | VMCS_AR_G;
	expect_broken(test, s, "guest RIP", s->rip,
		      "bits 63:32 must be 0 outside 64-bit mode", S_RIP);
	s = long_state(test);
	s->rip = 0xff7fffff81000000ULL;
	expect_broken(test, s, "guest RIP", s->rip,
		      "must be canonical in 64-bit mode", S_RIP);

	s = long_state(test);
	s->rflags &= ~X86_EFLAGS_FIXED;
	expect_broken(test, s, "guest RFLAGS", s->rflags,
		      "reserved bits must be 0 and bit 1 must be 1", S_RIP);
	s->rflags = X86_EFLAGS_FIXED | BIT(15);
	expect_broken(test, s, "guest RFLAGS", s->rflags,
		      "reserved bits must be 0 and bit 1 must be 1", S_RIP);
	s->rflags = X86_EFLAGS_FIXED | BIT(22);
	expect_broken(test, s, "guest RFLAGS", s->rflags,
		      "reserved bits must be 0 and bit 1 must be 1", S_RIP);
	s->rflags = X86_EFLAGS_FIXED | BIT(21);		/* ID */
	expect_ok(test, s);

	/* RFLAGS.VM, with segments that virtual-8086 mode would accept. */
	s = long_state(test);
	vm86_segs(s);
	s->rip = 0x100;
	s->rflags |= X86_EFLAGS_VM;
	expect_broken(test, s, "guest RFLAGS", s->rflags,
		      "VM must be 0 in IA-32e mode or real mode", S_RIP);
	s = real_state(test);
	vm86_segs(s);
	s->rflags |= X86_EFLAGS_VM;
	expect_broken(test, s, "guest RFLAGS", s->rflags,
		      "VM must be 0 in IA-32e mode or real mode", S_RIP);

	s = long_state(test);
	s->rflags &= ~X86_EFLAGS_IF;
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_EXT_INTR | 0x30;
	expect_broken(test, s, "guest RFLAGS", s->rflags,
		      "IF must be 1 to inject an external interrupt", S_RIP);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_NMI | 2;
	expect_ok(test, s);
}

/* 28.3.1.5: activity and interruptibility state, pending debug, link. */
static void vmx_check_guest_non_register(struct kunit *test)
{
	const char *block = "guest interruptibility state";
	const char *dbg = "guest pending debug exceptions";
	struct vmx_state *s;

	s = long_state(test);
	s->activity = 4;
	expect_broken(test, s, "guest activity state", 4,
		      "must be 0-3 and supported by IA32_VMX_MISC", S_NONREG);
	s->activity = ACTIVITY_WAIT_SIPI;
	expect_broken(test, s, "guest activity state", ACTIVITY_WAIT_SIPI,
		      "must be 0-3 and supported by IA32_VMX_MISC", S_NONREG);
	((struct vmx_caps *)s->caps)->misc |= BIT_ULL(8);
	expect_ok(test, s);
	s = long_state(test);
	s->activity = ACTIVITY_HLT;
	s->seg[KHV_SS].ar |= VAR_DPL3;
	s->seg[KHV_CS].ar |= VAR_DPL3;
	expect_broken(test, s, "guest activity state", ACTIVITY_HLT,
		      "HLT needs SS.DPL 0", S_NONREG);

	s = long_state(test);
	s->block = BIT(5);
	expect_broken(test, s, block, BIT(5), "reserved bits 31:5 must be 0",
		      S_NONREG);
	s->block = INTR_BLOCK_STI | INTR_BLOCK_MOV_SS;
	expect_broken(test, s, block, s->block,
		      "STI and MOV SS blocking cannot both be set", S_NONREG);
	s->block = INTR_BLOCK_STI;
	s->rflags &= ~X86_EFLAGS_IF;
	expect_broken(test, s, block, INTR_BLOCK_STI,
		      "STI blocking needs RFLAGS.IF 1", S_NONREG);
	s = long_state(test);
	s->block = INTR_BLOCK_MOV_SS;
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_EXT_INTR | 0x30;
	expect_broken(test, s, block, INTR_BLOCK_MOV_SS,
		      "no STI/MOV SS blocking when injecting an interrupt",
		      S_NONREG);
	s->intr_info = INTR_INFO_VALID | INTR_TYPE_NMI | 2;
	expect_broken(test, s, block, INTR_BLOCK_MOV_SS,
		      "no MOV SS blocking when injecting an NMI", S_NONREG);
	s->block = INTR_BLOCK_SMI;
	expect_broken(test, s, block, INTR_BLOCK_SMI,
		      "SMI blocking must be 0 outside SMM", S_NONREG);
	s->block = INTR_BLOCK_NMI;
	expect_broken(test, s, block, INTR_BLOCK_NMI,
		      "no NMI blocking when injecting an NMI with virtual NMIs",
		      S_NONREG);
	s->pin &= ~PIN_VIRTUAL_NMIS;
	expect_ok(test, s);

	s = long_state(test);
	s->pending_dbg = BIT(4);
	expect_broken(test, s, dbg, BIT(4), "reserved bits must be 0",
		      S_NONREG);
	s->pending_dbg = BIT(12) | BIT(16) | 0xf;
	expect_ok(test, s);
	/* BS under STI blocking follows TF and IA32_DEBUGCTL.BTF. */
	s = long_state(test);
	s->block = INTR_BLOCK_STI;
	s->rflags |= X86_EFLAGS_TF;
	expect_broken(test, s, dbg, 0,
		      "BS must be 1 when TF=1 and BTF=0 under blocking",
		      S_NONREG);
	s->pending_dbg = BIT(14);
	expect_ok(test, s);
	s->debugctl = BIT(1);
	expect_broken(test, s, dbg, BIT(14),
		      "BS must be 0 when TF=0 or BTF=1 under blocking",
		      S_NONREG);
	s = long_state(test);
	s->activity = ACTIVITY_HLT;
	s->pending_dbg = BIT(14);
	expect_broken(test, s, dbg, BIT(14),
		      "BS must be 0 when TF=0 or BTF=1 under blocking",
		      S_NONREG);
	s->activity = ACTIVITY_ACTIVE;
	expect_ok(test, s);

	s = long_state(test);
	s->link = 0x40000;
	expect_broken(test, s, "VMCS link pointer", 0x40000,
		      "must be FFFFFFFF_FFFFFFFFh", S_NONREG);
	s->proc2 |= PROC2_VMCS_SHADOWING;
	expect_ok(test, s);
}

/*
 * 28.3.1.6: with EPT and PAE paging outside IA-32e mode, the PDPTEs come
 * from the VMCS; a present one has bits 2:1, 8:5 and 63:MAXPHYADDR
 * reserved (SDM Vol. 3A, 4.4.1, Table 4-8).
 */
static void vmx_check_guest_pdptes(struct kunit *test)
{
	static const u64 reserved[] = {
		BIT_ULL(1), BIT_ULL(2), BIT_ULL(5), BIT_ULL(8), BIT_ULL(46),
		BIT_ULL(63),
	};
	struct vmx_state *s;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(reserved); i++) {
		s = pae_state(test);
		s->pdpte[i % 4] |= reserved[i];
		expect_broken(test, s, "guest PDPTE", s->pdpte[i % 4],
			      "reserved bits set in a present PDPTE", S_PDPTE);
	}
	/* Not present: the rest is ignored. */
	s = pae_state(test);
	s->pdpte[3] = ~1ULL;
	expect_ok(test, s);
	/* PWT and PCD are not reserved. */
	s->pdpte[0] |= BIT(3) | BIT(4);
	expect_ok(test, s);
	/* Without EPT, or in IA-32e mode, the PDPTE fields are not used. */
	s->pdpte[1] |= BIT(1);
	s->proc2 &= ~(PROC2_EPT | PROC2_UNRESTRICTED_GUEST);
	s->unrestricted = false;
	expect_ok(test, s);
	s = long_state(test);
	s->pdpte[0] = BIT(1) | 1;
	expect_ok(test, s);
}

static struct kunit_case khv_vmx_check_cases[] = {
	KUNIT_CASE(vmx_check_valid_states),
	KUNIT_CASE(vmx_check_execution_controls),
	KUNIT_CASE(vmx_check_ept_pointer),
	KUNIT_CASE(vmx_check_exit_entry_controls),
	KUNIT_CASE(vmx_check_event_injection),
	KUNIT_CASE(vmx_check_guest_control_regs),
	KUNIT_CASE(vmx_check_guest_pat_efer),
	KUNIT_CASE(vmx_check_guest_system_segs),
	KUNIT_CASE(vmx_check_guest_seg_bases),
	KUNIT_CASE(vmx_check_guest_seg_access),
	KUNIT_CASE(vmx_check_guest_dtrs_rip_rflags),
	KUNIT_CASE(vmx_check_guest_non_register),
	KUNIT_CASE(vmx_check_guest_pdptes),
	{}
};

static struct kunit_suite khv_vmx_check_suite = {
	.name = "khv_vmx_check",
	.test_cases = khv_vmx_check_cases,
};
kunit_test_suite(khv_vmx_check_suite);
