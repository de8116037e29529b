/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv/svm: definitions shared by the SVM backend's files.
 */
#ifndef KHV_SVM_H
#define KHV_SVM_H

#include "../khv.h"
#include "vmcb.h"

/* CPUID Fn8000_000A EDX: optional SVM features (APM Vol. 3, E.4.9). */
#define SVM_FEAT_NPT		BIT(0)
#define SVM_FEAT_NRIPS		BIT(3)
#define SVM_FEAT_VMCB_CLEAN	BIT(5)
#define SVM_FEAT_FLUSH_ASID	BIT(6)
#define SVM_FEAT_DECODE_ASSISTS	BIT(7)

extern u32 svm_features;

struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;

	/* VMCB field groups changed since the last VMRUN (VMCB_CLEAN_*). */
	u32 vmcb_dirty;
	/* The CPU of the last VMRUN of this VMCB, -1 before the first. */
	int vmcb_cpu;

	/* ASID and the CPU and generation it was handed out on. */
	u32 asid;
	int asid_cpu;
	u64 asid_gen;

	/* An event cut short by the exit, to deliver again (EXITINTINFO). */
	u64 reinject;
	/* The APIC vector offered through V_IRQ at the last entry, or -1. */
	int virq;
	/* The last vcpu_run found SVM off on its CPU and did not enter. */
	bool skipped_entry;

	/*
	 * The save area as VMRUN was given it, kept for entries that follow
	 * a state change by userspace (svm_vcpu_run): the only entries that
	 * can fail VMRUN's consistency checks.
	 */
	u8 *entry_save;
	bool entry_save_kept;
};

/* The architectural part of the save area (APM Vol. 2, Table B-2). */
#define SVM_SAVE_USED	offsetof(struct vmcb_save, reserved7)

static inline struct svm_vcpu *to_svm(struct khv_vcpu *vcpu)
{
	return vcpu->vendor;
}

/* Software changed VMCB fields: VMRUN must not use its cached copy. */
static inline void svm_mark_dirty(struct khv_vcpu *vcpu, u32 groups)
{
	to_svm(vcpu)->vmcb_dirty |= groups;
}

static inline bool svm_has(u32 feature)
{
	return svm_features & feature;
}

void khv_svm_vmrun(u64 vmcb_pa, u64 *gprs, u64 host_save_pa);

/* svm_state.c */
void svm_get_sregs(struct khv_vcpu *vcpu, struct khv_sregs *s);
int svm_set_sregs(struct khv_vcpu *vcpu, const struct khv_sregs *s);
int svm_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data);
int svm_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data);
int svm_get_cpl(struct khv_vcpu *vcpu);
u64 svm_get_cr(struct khv_vcpu *vcpu, int cr);
void svm_set_cr2(struct khv_vcpu *vcpu, u64 cr2);
u64 svm_get_efer(struct khv_vcpu *vcpu);
u64 svm_get_seg_base(struct khv_vcpu *vcpu, int seg);
int svm_code_size(struct khv_vcpu *vcpu);
void svm_reset_state(struct khv_vcpu *vcpu);

/* svm_events.c */
void svm_inject_pending(struct khv_vcpu *vcpu);
void svm_complete_events(struct khv_vcpu *vcpu);
int svm_handle_vintr(struct khv_vcpu *vcpu);

/* svm_exit.c */
int svm_handle_exit(struct khv_vcpu *vcpu);
bool svm_describe_exit(struct khv_vcpu *vcpu, struct khv_exit_info *info);

/* svm_check.c */
const char *svm_check_guest_state(struct khv_vcpu *vcpu, u64 *value);
void svm_check_entry(struct khv_vcpu *vcpu, struct khv_entry_check *out);
void svm_show_state(struct khv_vcpu *vcpu, struct seq_file *m);

#endif /* KHV_SVM_H */
