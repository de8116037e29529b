/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_ACCEL_H
#define KHV_ACCEL_H

#include <linux/khv.h>

#include "util.h"

/*
 * The accelerator contract.  khv's uapi structs (khv_regs, khv_sregs,
 * khv_cpuid_entry) double as the launcher's neutral types: they mirror
 * KVM's, so the KVM backend converts field by field and the khv backend
 * passes them through.  Exits are translated into struct accel_exit, whose
 * data pointers point into the backend's run page: a handler that fills
 * io.data, mmio.data or *hypercall.ret is answering the guest.
 */

enum accel_exit_reason {
	ACCEL_EXIT_UNKNOWN,
	ACCEL_EXIT_IO,
	ACCEL_EXIT_MMIO,
	ACCEL_EXIT_HLT,
	ACCEL_EXIT_HYPERCALL,
	ACCEL_EXIT_SHUTDOWN,
	ACCEL_EXIT_FAIL_ENTRY,
	ACCEL_EXIT_INTERNAL_ERROR,
	ACCEL_EXIT_INTR,
	ACCEL_EXIT_IRQ_WINDOW,	/* requested: the vCPU can take an ExtINT */
	ACCEL_EXIT_EOI,		/* EOI of a level-triggered vector */
};

struct accel_exit {
	enum accel_exit_reason reason;
	u32 raw_reason;		/* the backend's own exit code */
	bool if_flag;		/* guest RFLAGS.IF at exit */
	union {
		struct {
			bool out;
			u8 size;	/* 1, 2 or 4 */
			u16 port;
			u32 count;	/* > 1 for rep ins/outs */
			u8 *data;	/* count * size bytes */
		} io;
		struct {
			u64 addr;
			u8 *data;
			u32 len;	/* 1, 2, 4 or 8 */
			bool write;
		} mmio;
		struct {
			u64 nr;
			u64 args[4];
			u64 *ret;
		} hypercall;
		struct {
			u64 reason;
			u32 cpu;
			const char *description;	/* may be NULL */
		} fail_entry;
		struct {
			u8 vector;
		} eoi;
		struct {
			u32 suberror;		/* the backend's own number */
			const char *name;	/* what it means, never NULL */
			u32 ndata;
			const u64 *data;
		} internal;
	};
};

struct accel;

/*
 * Every op is mandatory (accel_find() checks); each returns 0 or -1 after
 * printing one "khv: IOCTL_NAME: strerror" line.
 */
struct accel_ops {
	const char *name;
	/* true: the launcher installs khv's 0x40000000 signature leaf */
	bool khv_cpuid_leaf;

	int (*open)(struct accel *a);	/* open the device, create the VM */
	int (*add_ram)(struct accel *a, u32 slot, u64 gpa, u64 size,
		       void *hva);
	int (*create_vcpu)(struct accel *a);
	int (*get_cpuid)(struct accel *a, struct khv_cpuid_entry *e,
			 unsigned int *nent, unsigned int max);
	int (*set_cpuid)(struct accel *a, const struct khv_cpuid_entry *e,
			 unsigned int nent);
	int (*get_regs)(struct accel *a, struct khv_regs *regs);
	int (*set_regs)(struct accel *a, const struct khv_regs *regs);
	int (*get_sregs)(struct accel *a, struct khv_sregs *sregs);
	int (*set_sregs)(struct accel *a, const struct khv_sregs *sregs);
	/* Write one MSR as the guest would (WRMSR semantics). */
	int (*set_msr)(struct accel *a, u32 index, u64 value);
	/* Enter the guest; -EINTR becomes ACCEL_EXIT_INTR, not an error. */
	int (*run)(struct accel *a, struct accel_exit *exit);
	void (*close)(struct accel *a);

	/*
	 * Interrupts of the PC platform (Linux guests): the local APIC is
	 * the accelerator's, the PIC, IOAPIC and timers are the launcher's.
	 *
	 * create_irqchip: give every vCPU created afterwards a local APIC
	 * (then HLT blocks in the kernel until an interrupt is due).
	 */
	int (*create_irqchip)(struct accel *a);
	/* Raise an MSI (SDM Vol. 3A 11.11); callable from any thread. */
	int (*signal_msi)(struct accel *a, u64 addr, u32 data);
	/*
	 * IOAPIC pin @pin sends this level-triggered message (on), or no
	 * longer does: its EOI must end the run as ACCEL_EXIT_EOI so that
	 * the IOAPIC can clear its remote IRR.
	 */
	int (*level_route)(struct accel *a, unsigned int pin, u64 addr,
			   u32 data, bool on);
	/*
	 * ExtINT, the PIC's INTR through LINT0; vCPU thread, between runs.
	 * extint_ready: the vCPU would take one at the next entry (IF = 1,
	 * LINT0 in ExtINT mode, nothing else queued).  Otherwise the loop
	 * asks for an ACCEL_EXIT_IRQ_WINDOW exit with request_irq_window.
	 */
	bool (*extint_ready)(struct accel *a);
	int (*inject_extint)(struct accel *a, u8 vector);
	void (*request_irq_window)(struct accel *a, bool on);
};

struct accel {
	const struct accel_ops *ops;
	int sys_fd;
	int vm_fd;
	int vcpu_fd;
	void *run;
	size_t run_size;
	/*
	 * The run page's immediate_exit byte, if the backend honours it: a
	 * signal handler sets it so a signal that lands just before the run
	 * ioctl still makes it return -EINTR at once.
	 */
	volatile u8 *immediate_exit;
};

extern const struct accel_ops accel_khv_ops;
extern const struct accel_ops accel_kvm_ops;

/* NULL if the name is unknown or the backend misses an op. */
const struct accel_ops *accel_find(const char *name);

void accel_init(struct accel *a, const struct accel_ops *ops);

/* Print "khv: NAME: strerror(errno)" and return -1. */
int accel_ioctl_failed(const char *name);

/* Print the register dump used by triple fault and error exits. */
void accel_dump_regs(struct accel *a);

#endif
