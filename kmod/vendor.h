/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vendor contract: everything common code needs from a hardware
 * backend (AMD SVM today, Intel VMX next).  The members are listed once,
 * here; a backend fills a struct khv_vendor_ops with designated
 * initializers and khv_vendor_check() refuses a backend that leaves a
 * mandatory member empty.  Vendors decode exits; common code emulates.
 */
#ifndef KHV_VENDOR_H
#define KHV_VENDOR_H

#include <linux/types.h>

struct khv_vm;
struct khv_vcpu;
struct khv_sregs;
struct khv_event;

#define KHV_VENDOR_OPS(OP)						\
	/* Name for messages, e.g. "svm". */				\
	OP(const char *, name, (void))					\
	/* Free what the probe allocated, at unload. */			\
	OP(void, unload, (void))					\
	/* Per-CPU enable/disable, called with preemption off. */	\
	OP(int, hardware_enable, (void))				\
	OP(void, hardware_disable, (void))				\
	OP(int, vm_init, (struct khv_vm *vm))				\
	OP(void, vm_destroy, (struct khv_vm *vm))			\
	OP(int, vcpu_create, (struct khv_vcpu *vcpu))			\
	OP(void, vcpu_free, (struct khv_vcpu *vcpu))			\
	/*								\
	 * Enter the guest once; IRQs and preemption off.  Loads RAX,	\
	 * RSP, RIP and RFLAGS from vcpu->gpr/rip/rflags and stores them \
	 * back at the exit, so common code only sees struct khv_vcpu.	\
	 */								\
	OP(void, vcpu_run, (struct khv_vcpu *vcpu))			\
	/* 1: resume the guest; 0: khv_run says what userspace must do; \
	 * <0: error for the run ioctl.  Preemption and IRQs on. */	\
	OP(int, handle_exit, (struct khv_vcpu *vcpu))			\
	OP(void, get_sregs, (struct khv_vcpu *vcpu, struct khv_sregs *s)) \
	OP(int, set_sregs, (struct khv_vcpu *vcpu,			\
			    const struct khv_sregs *s))			\
	/* MSRs whose state the hardware keeps; -ENOENT if not one. */	\
	OP(int, get_msr, (struct khv_vcpu *vcpu, u32 index, u64 *data)) \
	OP(int, set_msr, (struct khv_vcpu *vcpu, u32 index, u64 data))	\
	/* Queue an event for the next entry; -EBUSY if one is queued. */ \
	OP(int, inject_event, (struct khv_vcpu *vcpu,			\
			       const struct khv_event *ev))		\
	OP(int, get_cpl, (struct khv_vcpu *vcpu))			\
	OP(u64, get_cr, (struct khv_vcpu *vcpu, int cr))		\
	/* CR2 before a #PF is injected. */				\
	OP(void, set_cr2, (struct khv_vcpu *vcpu, u64 cr2))		\
	OP(u64, get_efer, (struct khv_vcpu *vcpu))			\
	OP(u64, get_seg_base, (struct khv_vcpu *vcpu, int seg))		\
	/* Code size of the current instruction: 16, 32 or 64. */	\
	OP(int, code_size, (struct khv_vcpu *vcpu))

#define KHV_DECLARE_OP(ret, name, args) ret (*name)args;

struct khv_vendor_ops {
	KHV_VENDOR_OPS(KHV_DECLARE_OP)
};

#undef KHV_DECLARE_OP

extern const struct khv_vendor_ops *khv_vendor;

/* Implemented by each backend. */
const struct khv_vendor_ops *khv_svm_probe(void);

#endif /* KHV_VENDOR_H */
