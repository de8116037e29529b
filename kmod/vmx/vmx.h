/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv/vmx: definitions shared by the VMX backend's files.
 */
#ifndef KHV_VMX_H
#define KHV_VMX_H

#include <linux/list.h>
#include <linux/preempt.h>
#include "../khv.h"
#include "vmcs.h"

/*
 * What the capability MSRs allow (SDM Vol. 3D, Appendix A) and the
 * controls khv settled on at probe time.  *_cap hold the MSR used for a
 * control field (the TRUE_* one when IA32_VMX_BASIC[55] is set): bits
 * 31:0 are the allowed 0-settings (1: must be 1), bits 63:32 the allowed
 * 1-settings (0: must be 0) (Appendix A.3 - A.5).
 */
/* The longest stretch of guest execution without an exit, in ms. */
#define KHV_VMX_SLICE_MS	10

struct vmx_caps {
	u64 basic;
	u64 misc;
	u64 ept_vpid;
	u64 pin_cap, proc_cap, proc2_cap, exit_cap, entry_cap;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u32 pin, proc, proc2, exit, entry;
	u64 eptp_flags;		/* memory type, walk length, A/D */
	int invept_type;	/* 0: INVEPT not offered */
	int invvpid_type;	/* 0: no VPID */
	bool vnmi;
	/* VMX-preemption timer value of one slice, 0 without the timer. */
	u32 preempt_slice;
	bool msr_bitmaps;
};

extern struct vmx_caps vmx_caps;

/* An entry of a VM-entry/exit MSR area (SDM Vol. 3C, 26.7.2, Table 26-14). */
struct vmx_msr_entry {
	u32 index;
	u32 reserved;
	u64 value;
} __aligned(16);

/*
 * MSRs that VMX does not switch but a guest uses without an exit:
 * SYSCALL's MSRs and the SWAPGS target.  The guest's values are loaded
 * by VM entry and stored by VM exit through the same area; the host's
 * are loaded by VM exit.
 */
enum {
	VMX_MSR_STAR, VMX_MSR_LSTAR, VMX_MSR_CSTAR, VMX_MSR_SFMASK,
	VMX_MSR_KGS_BASE, VMX_NR_AUTO_MSRS
};

/* What the last vcpu_run did, for handle_exit. */
enum vmx_entry_result {
	VMX_ENTERED,		/* VM exit: exit_reason is valid */
	VMX_SKIPPED,		/* VMX off on this CPU: run again */
	VMX_VMFAIL,		/* VMLAUNCH/VMRESUME failed: insn_error */
	VMX_CHECK_FAILED,	/* refused by vmx_check_entry() */
};

/* A broken VM-entry rule, as vmx_check.c names it. */
struct vmx_check_result {
	const char *field;
	u64 value;
	const char *rule;
	const char *section;
};

struct vmx_vcpu {
	void *vmcs;
	u64 vmcs_pa;
	/* The CPU the VMCS is active on, or -1; its per-CPU list entry. */
	int cpu;
	struct list_head loaded_link;
	bool launched;
	u16 vpid;
	bool flush_tlb;		/* INVEPT before the next entry */
	bool checked;		/* the entry checks passed for this state */

	/* The guest's CR2 and TPR, which the VMCS does not hold. */
	u64 cr2;
	u64 cr8;
	u32 proc_ctls;		/* primary controls, windows included */
	u32 proc_ctls_vmcs;	/* what the VMCS holds */

	/* VM-entry load / VM-exit store area, and VM-exit load area. */
	struct vmx_msr_entry *guest_msrs;
	struct vmx_msr_entry *host_msrs;

	/* Exit information, read right after the exit. */
	enum vmx_entry_result result;
	u32 exit_reason;
	u64 exit_qual;
	u32 exit_insn_len;
	u32 idt_vectoring;
	u32 exit_intr_info;
	u64 exit_gpa;
	u32 insn_error;
	struct vmx_check_result check;

	/* An event cut short by the exit, to deliver again. */
	u32 reinject_info;
	u32 reinject_err;
};

static inline struct vmx_vcpu *to_vmx(struct khv_vcpu *vcpu)
{
	return vcpu->vendor;
}

/* VMREAD/VMWRITE on the current VMCS (SDM Vol. 3C, 32.3). */
static inline u64 vmcs_read(u32 field)
{
	u64 value;

	asm volatile("vmread %[field], %[value]"
		     : [value] "=r"(value) : [field] "r"((u64)field) : "cc");
	return value;
}

void vmcs_write_error(u32 field, u64 value);

static inline void vmcs_write(u32 field, u64 value)
{
	bool fail;

	asm volatile("vmwrite %[value], %[field]; setna %[fail]"
		     : [fail] "=qm"(fail)
		     : [value] "rm"(value), [field] "r"((u64)field)
		     : "cc");
	if (unlikely(fail))
		vmcs_write_error(field, value);
}

/*
 * Make the vCPU's VMCS current on this CPU; preemption off.  From process
 * context, vmx_vmread()/vmx_vmwrite() wrap it.
 */
void vmx_vcpu_load(struct khv_vcpu *vcpu);

static inline u64 vmx_vmread(struct khv_vcpu *vcpu, u32 field)
{
	u64 value;

	preempt_disable();
	vmx_vcpu_load(vcpu);
	value = vmcs_read(field);
	preempt_enable();
	return value;
}

static inline void vmx_vmwrite(struct khv_vcpu *vcpu, u32 field, u64 value)
{
	preempt_disable();
	vmx_vcpu_load(vcpu);
	vmcs_write(field, value);
	preempt_enable();
}

/* Per-CPU VMX state (vmx.c). */
struct vmx_cpu {
	bool vmxon;
	void *vmxon_region;
	void *current_vmcs;		/* the VMCS last VMPTRLDed here */
	struct list_head loaded;	/* struct vmx_vcpu active here */
};

DECLARE_PER_CPU(struct vmx_cpu, vmx_cpu);

/* Host selectors saved around an entry (vmx.c). */
struct vmx_host_segs {
	u16 ds, es, fs, gs, ldt;
	u64 fs_base;
};

/*
 * The VMX instructions (SDM Vol. 3C, 32.3).  They report failure in
 * RFLAGS: CF (VMfailInvalid) or ZF (VMfailValid); "setna" catches both.
 */
static inline bool vmx_vmxon(u64 pa)
{
	bool fail;

	asm volatile("vmxon %[pa]; setna %[fail]"
		     : [fail] "=qm"(fail) : [pa] "m"(pa) : "cc", "memory");
	return fail;
}

static inline void vmx_vmxoff(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}

static inline void vmx_vmclear(u64 pa)
{
	asm volatile("vmclear %[pa]" : : [pa] "m"(pa) : "cc", "memory");
}

static inline void vmx_vmptrld(u64 pa)
{
	asm volatile("vmptrld %[pa]" : : [pa] "m"(pa) : "cc", "memory");
}

/* INVEPT / INVVPID descriptors: 128 bits (32.3, "INVEPT", "INVVPID"). */
static inline void vmx_invept(int type, u64 eptp)
{
	struct { u64 eptp, zero; } desc = { eptp, 0 };

	if (type)
		asm volatile("invept %[desc], %[type]"
			     : : [desc] "m"(desc), [type] "r"((u64)type)
			     : "cc", "memory");
}

/* Without all-context INVEPT, every first load on a CPU flushes anyway. */
static inline void vmx_invept_all(void)
{
	if (vmx_caps.ept_vpid & EPT_CAP_INVEPT_ALL)
		vmx_invept(INVEPT_ALL, 0);
}

static inline void vmx_invvpid_all(void)
{
	struct { u64 vpid, addr; } desc = { 0, 0 };

	if (vmx_caps.ept_vpid & VPID_CAP_INVVPID_ALL)
		asm volatile("invvpid %[desc], %[type]"
			     : : [desc] "m"(desc), [type] "r"((u64)INVVPID_ALL)
			     : "cc", "memory");
}

extern const struct khv_npt_format vmx_ept_format;

/* vmx_setup.c: the probe and everything computed from the capabilities */
int vmx_feature_control_enable(void);
void vmx_setup_vmcs(struct khv_vcpu *vcpu, void *msr_bitmap);
u64 vmx_cr0_host_bits(void);
u64 vmx_cr4_host_bits(void);

/* vmx.c */
int vmx_hardware_enable(void);
void vmx_hardware_disable(void);
const struct khv_vendor_ops *vmx_ops_init(void);

int khv_vmx_vmenter(u64 *gprs, bool launched);
void khv_vmx_vmexit(void);

/* vmx_state.c */
void vmx_get_sregs(struct khv_vcpu *vcpu, struct khv_sregs *s);
int vmx_set_sregs(struct khv_vcpu *vcpu, const struct khv_sregs *s);
int vmx_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data);
int vmx_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data);
int vmx_get_cpl(struct khv_vcpu *vcpu);
u64 vmx_get_cr(struct khv_vcpu *vcpu, int cr);
void vmx_set_cr2(struct khv_vcpu *vcpu, u64 cr2);
u64 vmx_get_efer(struct khv_vcpu *vcpu);
u64 vmx_get_seg_base(struct khv_vcpu *vcpu, int seg);
int vmx_code_size(struct khv_vcpu *vcpu);
int vmx_set_cr0(struct khv_vcpu *vcpu, u64 cr0);
int vmx_set_cr4(struct khv_vcpu *vcpu, u64 cr4);
void vmx_load_pdptes(struct khv_vcpu *vcpu);
void vmx_reset_state(struct khv_vcpu *vcpu);

/* vmx_events.c */
void vmx_inject_pending(struct khv_vcpu *vcpu);
void vmx_save_interrupted_event(struct khv_vcpu *vcpu);
int vmx_handle_intr_window(struct khv_vcpu *vcpu);
int vmx_handle_nmi_window(struct khv_vcpu *vcpu);
void vmx_show_state(struct khv_vcpu *vcpu, struct seq_file *m);

/* vmx_exit.c */
int vmx_handle_exit(struct khv_vcpu *vcpu);
bool vmx_describe_exit(struct khv_vcpu *vcpu, struct khv_exit_info *info);
const char *vmx_exit_reason_name(u32 basic);

/* vmx_check.c */
bool vmx_check_entry(struct khv_vcpu *vcpu, struct vmx_check_result *r);
void vmx_check_entry_now(struct khv_vcpu *vcpu, struct khv_entry_check *out);
const char *vmx_insn_error_name(u32 error);

#endif /* KHV_VMX_H */
