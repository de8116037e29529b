/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vendor contract: everything common code needs from a hardware
 * backend (AMD SVM today, Intel VMX next).  The members are listed once,
 * here; a backend fills a struct khv_vendor_ops with designated
 * initializers and khv_vendor_check() refuses, at load, a backend that
 * leaves a member empty.  Vendors decode exits; common code emulates.
 */
#ifndef KHV_VENDOR_H
#define KHV_VENDOR_H

#include <linux/types.h>

struct khv_vm;
struct khv_vcpu;
struct khv_sregs;
struct khv_event;
struct seq_file;

/*
 * The bits of a nested page table entry, which differ between AMD's NPT
 * (a long-mode page table: P, R/W, U/S) and Intel's EPT (R, W, X and the
 * memory type).  npt.c builds the same 4-level table with either.
 */
struct khv_npt_format {
	u64 table;		/* a non-leaf entry's flags */
	u64 leaf_rw;		/* a writable guest page */
	u64 leaf_ro;		/* a read-only guest page */
	u64 present_mask;	/* any of these set: the entry is present */
};

/* What describe_exit reports about one exit (statistics, exit trace). */
struct khv_exit_info {
	u16 reason;		/* KHV_STAT_* (uapi/linux/khv_stats.h) */
	u16 port;		/* KHV_STAT_IO only */
	u64 code;		/* the raw exit code */
	u64 qual;		/* EXITINFO1 / exit qualification */
	u64 info2;		/* EXITINFO2 / a second word, or 0 */
	u64 gpa;		/* KHV_STAT_NPF and KHV_STAT_MMIO, else 0 */
};

/*
 * Every member is mandatory.  khv_vendor_check() walks the struct as an
 * array of function pointers, so every member must be one.
 */
struct khv_vendor_ops {
	/* Name for messages, e.g. "svm". */
	const char *(*name)(void);
	/* KHV_VENDOR_SVM or KHV_VENDOR_VMX, for KHV_CAP_VENDOR. */
	u32 (*vendor_id)(void);
	/* The entry format of the nested page table. */
	const struct khv_npt_format *(*npt_format)(void);
	/* Free what the probe allocated, at unload. */
	void (*unload)(void);
	/* Per-CPU enable/disable, run on the CPU concerned. */
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);
	int (*vm_init)(struct khv_vm *vm);
	void (*vm_destroy)(struct khv_vm *vm);
	int (*vcpu_create)(struct khv_vcpu *vcpu);
	void (*vcpu_free)(struct khv_vcpu *vcpu);
	/*
	 * Enter the guest once; IRQs and preemption off.  Loads RAX, RSP,
	 * RIP and RFLAGS from vcpu->gpr/rip/rflags and stores them back at
	 * the exit, so common code only sees struct khv_vcpu.
	 */
	void (*vcpu_run)(struct khv_vcpu *vcpu);
	/*
	 * 1: resume the guest; 0: khv_run says what userspace must do;
	 * <0: error for the run ioctl.  Preemption and IRQs on.
	 */
	int (*handle_exit)(struct khv_vcpu *vcpu);
	void (*get_sregs)(struct khv_vcpu *vcpu, struct khv_sregs *s);
	int (*set_sregs)(struct khv_vcpu *vcpu, const struct khv_sregs *s);
	/* MSRs whose state the hardware keeps; -ENOENT if not one. */
	int (*get_msr)(struct khv_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct khv_vcpu *vcpu, u32 index, u64 data);
	int (*get_cpl)(struct khv_vcpu *vcpu);
	u64 (*get_cr)(struct khv_vcpu *vcpu, int cr);
	/* CR2 before a #PF is injected. */
	void (*set_cr2)(struct khv_vcpu *vcpu, u64 cr2);
	u64 (*get_efer)(struct khv_vcpu *vcpu);
	u64 (*get_seg_base)(struct khv_vcpu *vcpu, int seg);
	/* Code size of the current instruction: 16, 32 or 64. */
	int (*code_size)(struct khv_vcpu *vcpu);
	/*
	 * Classify the exit vcpu_run returned from, before handle_exit
	 * runs, without side effects: fill @info (every field).  false if
	 * the guest did not run, so there is no exit to count.  Called on
	 * every exit: keep it a table lookup plus a few VMCB/VMCS reads.
	 */
	bool (*describe_exit)(struct khv_vcpu *vcpu,
			      struct khv_exit_info *info);
	/*
	 * KHV_CHECK_ENTRY: the entry rules on the state the next entry
	 * would load (RIP, RSP, RFLAGS and RAX from vcpu included); fill
	 * every field of @out.  Process context, vcpu->mutex held.
	 */
	void (*check_entry)(struct khv_vcpu *vcpu, struct khv_entry_check *out);
	/*
	 * debugfs: what the backend holds about events (interrupt window
	 * requested, event to inject, the last exit), as text lines
	 * indented by two spaces.  Called from another thread while the
	 * vCPU may run: read only memory, never the CPU's VMCS.
	 */
	void (*show_state)(struct khv_vcpu *vcpu, struct seq_file *m);
};

extern const struct khv_vendor_ops *khv_vendor;

/*
 * Implemented by each backend: the ops, or ERR_PTR(-ENODEV) without a
 * message when the CPU lacks the vendor's extension altogether, or
 * another error after logging why it cannot be used.
 */
const struct khv_vendor_ops *khv_svm_probe(void);
const struct khv_vendor_ops *khv_vmx_probe(void);

#endif /* KHV_VENDOR_H */
