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

/*
 * Every member is mandatory.  khv_vendor_check() walks the struct as an
 * array of function pointers, so every member must be one.
 */
struct khv_vendor_ops {
	/* Name for messages, e.g. "svm". */
	const char *(*name)(void);
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
	/* Queue an event for the next entry; -EBUSY if one is queued. */
	int (*inject_event)(struct khv_vcpu *vcpu,
			    const struct khv_event *ev);
	int (*get_cpl)(struct khv_vcpu *vcpu);
	u64 (*get_cr)(struct khv_vcpu *vcpu, int cr);
	/* CR2 before a #PF is injected. */
	void (*set_cr2)(struct khv_vcpu *vcpu, u64 cr2);
	u64 (*get_efer)(struct khv_vcpu *vcpu);
	u64 (*get_seg_base)(struct khv_vcpu *vcpu, int seg);
	/* Code size of the current instruction: 16, 32 or 64. */
	int (*code_size)(struct khv_vcpu *vcpu);
};

extern const struct khv_vendor_ops *khv_vendor;

/* Implemented by each backend. */
const struct khv_vendor_ops *khv_svm_probe(void);

#endif /* KHV_VENDOR_H */
