/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv: common definitions shared by the core and the vendor backends.
 */
#ifndef KHV_H
#define KHV_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/kref.h>
#include <linux/mm_types.h>
#include <linux/wait.h>
#include <linux/uidgid.h>
#include "uapi/linux/khv.h"
#include "vendor.h"
#include "emulate.h"

#define KHV_NR_MEMSLOTS		32
#define KHV_MAX_VCPUS		16

/* Segment register numbers, in the x86 encoding (SDM Vol. 2, 3.1.1.4). */
enum khv_seg { KHV_ES, KHV_CS, KHV_SS, KHV_DS, KHV_FS, KHV_GS };

/* General-purpose register numbers, in the x86 encoding. */
enum khv_gpr {
	KHV_RAX, KHV_RCX, KHV_RDX, KHV_RBX, KHV_RSP, KHV_RBP, KHV_RSI,
	KHV_RDI, KHV_R8, KHV_R9, KHV_R10, KHV_R11, KHV_R12, KHV_R13,
	KHV_R14, KHV_R15, KHV_NR_GPRS
};

struct khv_memslot {
	u32 flags;
	u64 gpa;
	u64 npages;
	u64 uaddr;
};

/* The nested page table (AMD NPT; EPT will share the walk). */
struct khv_npt {
	struct mutex lock;
	u64 *root;		/* top-level table, 4-level */
	unsigned long pinned;	/* guest pages pinned and mapped */
	unsigned long tables;	/* table pages allocated */
};

struct khv_vm {
	struct kref ref;
	struct mm_struct *mm;
	/*
	 * Held for reading by every vCPU inside KHV_RUN, for writing while
	 * the memory map changes: so no vCPU runs on a stale mapping.
	 */
	struct rw_semaphore slots_lock;
	bool slots_changing;
	struct khv_memslot slots[KHV_NR_MEMSLOTS];
	struct khv_npt npt;
	bool lapic_in_kernel;	/* KHV_CREATE_LAPIC was called */
	/* Bumped when mappings go away: vCPUs flush their TLB tags. */
	atomic_t tlb_gen;

	struct mutex lock;	/* vCPU creation */
	struct khv_vcpu *vcpus[KHV_MAX_VCPUS];
	int nr_vcpus;
	/* Counters of the vCPUs already destroyed, under lock (stats.c). */
	struct khv_vcpu_stats *retired;

	void *vendor;		/* backend's per-VM data */

	/* For the netlink family (genl.c): registry id and creator. */
	u32 id;
	struct pid *owner;
	kuid_t owner_uid;
};

struct khv_cpuid_table {
	u32 nent;
	struct khv_cpuid_entry entries[KHV_MAX_CPUID_ENTRIES];
};

/* An MMIO access in flight between the emulator and userspace. */
struct khv_mmio_pending {
	bool active;		/* an exit for it was sent */
	bool is_write;
	bool done;		/* userspace completed a read */
	bool walk_failed;	/* a page table was outside RAM */
	u64 gpa;
	u64 walk_gpa;		/* the last page-table read that failed */
	u32 len;
	u8 data[8];
};

/* A port I/O exit waiting for userspace to complete it. */
struct khv_pio_pending {
	bool active;
	bool in;
	bool string;
	bool rep;
	u8 size;
	u16 port;
	u32 count;
	u64 next_rip;
	int addr_size;		/* 2, 4 or 8 bytes, for string forms */
	int seg;		/* source segment of OUTS */
};

struct khv_vcpu_stats;

struct khv_vcpu_stat {
	u64 exits;
	u64 unknown_msr;
	u64 npt_faults;
	u64 mmio_exits;
	u64 pio_exits;
};

struct khv_vcpu {
	struct khv_vm *vm;
	int id;
	struct mutex mutex;	/* one ioctl at a time */
	struct khv_run *run;	/* the mmap'd run page */

	/* Guest GPRs; RAX and RSP are mirrored from the VMCB/VMCS. */
	u64 gpr[KHV_NR_GPRS];
	u64 rip;
	u64 rflags;

	struct khv_cpuid_table *cpuid;

	/* MSRs emulated in common code. */
	u64 apic_base;
	u64 misc_enable;
	u64 mtrr_def_type;
	u64 mtrr_var[16];	/* base/mask pairs, 0x200 - 0x20f */
	u64 mtrr_fixed[11];
	u64 hwcr;
	u64 xcr0;

	u64 dr[4];		/* DR0-3: kept, never loaded in hardware */
	u64 dr6, dr7;

	/* Guest FPU/SSE/AVX state, swapped around every entry. */
	void *fpu;
	u32 host_pkru;		/* the host's PKRU while the guest's is in */

	struct khv_pio_pending pio;
	struct khv_mmio_pending mmio;
	/*
	 * The emulator's context, reused by every MMIO exit: an allocation
	 * per exit cost more than the emulation under a debug kernel (KASAN
	 * records a stack trace per allocation), and xAPIC guests exit for
	 * MMIO at every timer tick.
	 */
	struct khv_emu_ctxt emu;
	bool hypercall_pending;	/* khv_run.hypercall.ret goes to RAX */
	/* An event queued by KHV_INJECT or an emulator (event.c). */
	bool event_queued;
	struct khv_event event;
	bool shut_down;		/* triple fault: runs again after SET_SREGS */
	/* Userspace set registers since the last entry (or none yet ran). */
	bool state_from_user;

	/* The VM's tlb_gen at this vCPU's last TLB tag change. */
	int tlb_gen_seen;

	struct khv_vcpu_stat stat;
	struct khv_vcpu_stats *stats;	/* exit statistics, stats.c */

	struct khv_lapic *lapic;	/* NULL without KHV_CREATE_LAPIC */
	/* The thread inside KHV_RUN, for kicks; RCU-protected. */
	struct task_struct *task;
	wait_queue_head_t wq;		/* a halted vCPU sleeps here */
	bool halted;			/* in HLT with interrupts enabled */
	bool nmi_pending;

	void *vendor;		/* backend's per-vCPU data */
};

/* EDX:EAX as WRMSR and XSETBV read them: the low halves only. */
static inline u64 khv_edx_eax(const struct khv_vcpu *vcpu)
{
	return (u32)vcpu->gpr[KHV_RAX] | ((u64)(u32)vcpu->gpr[KHV_RDX] << 32);
}

/* main.c */
int khv_hw_get(void);
void khv_hw_put(void);

/* vm.c */
int khv_vm_create(void);
void khv_vm_put(struct khv_vm *vm);

/* memslot.c */
int khv_set_memory_region(struct khv_vm *vm,
			  const struct khv_memory_region *mr);
int khv_read_guest(struct khv_vcpu *vcpu, u64 gpa, void *buf, unsigned int len);
int khv_write_guest(struct khv_vcpu *vcpu, u64 gpa, const void *buf,
		    unsigned int len);

/* memslot_lookup.c */
struct khv_memslot *khv_memslot_find(struct khv_vm *vm, u64 gpa);
int khv_memslot_check(struct khv_vm *vm, const struct khv_memory_region *mr);

/* npt.c */
int khv_npt_init(struct khv_npt *npt);
void khv_npt_destroy(struct khv_npt *npt);
void khv_npt_zap(struct khv_npt *npt, u64 gpa, u64 npages);
int khv_npt_map(struct khv_vm *vm, struct khv_memslot *slot, u64 gpa,
		bool write);
u64 khv_npt_root_pa(struct khv_npt *npt);

/* vcpu.c */
int khv_vcpu_create(struct khv_vm *vm, unsigned long id);
void khv_vcpu_destroy(struct khv_vcpu *vcpu);

/* run.c */
int khv_vcpu_run(struct khv_vcpu *vcpu);

/* fpu.c */
int khv_fpu_init(void);
void *khv_fpu_alloc(void);
void khv_fpu_free(void *fpu);
void khv_fpu_enter(struct khv_vcpu *vcpu);
void khv_fpu_exit(struct khv_vcpu *vcpu);
int khv_xsetbv(struct khv_vcpu *vcpu, u32 index, u64 value);

/* cpuid.c */
int khv_set_cpuid(struct khv_vcpu *vcpu, const struct khv_cpuid __user *u);
void khv_emulate_cpuid(struct khv_vcpu *vcpu);

/* msr.c */
int khv_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data);
int khv_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data);
int khv_emulate_rdmsr(struct khv_vcpu *vcpu);
int khv_emulate_wrmsr(struct khv_vcpu *vcpu);
int khv_msrs_ioctl(struct khv_vcpu *vcpu, struct khv_msrs __user *u,
		   bool set);

/* irq.c (the rest is in lapic.h) */
bool khv_vcpu_has_event(struct khv_vcpu *vcpu);
void khv_kick_all(struct khv_vm *vm);
int khv_vcpu_halt(struct khv_vcpu *vcpu);

/* event.c */
int khv_queue_event(struct khv_vcpu *vcpu, const struct khv_event *ev);

/* exits.c: the common emulators the vendor exit tables call */
int khv_exit_to_user(struct khv_vcpu *vcpu, u32 reason);
int khv_handle_hlt(struct khv_vcpu *vcpu);
int khv_handle_hypercall(struct khv_vcpu *vcpu);
int khv_handle_shutdown(struct khv_vcpu *vcpu);
int khv_internal_error(struct khv_vcpu *vcpu, u32 suberror,
		       const u64 *data, u32 ndata);
void khv_inject_gp(struct khv_vcpu *vcpu);
int khv_exit_resume(struct khv_vcpu *vcpu);
int khv_exit_ud(struct khv_vcpu *vcpu);
int khv_exit_gp(struct khv_vcpu *vcpu);
void khv_inject_ud(struct khv_vcpu *vcpu);

/* pio.c */
int khv_handle_pio(struct khv_vcpu *vcpu, struct khv_pio_pending *p);
int khv_complete_pio(struct khv_vcpu *vcpu);

/* mmio.c */
/*
 * @insn/@insn_len: the instruction's bytes when the hardware gave them
 * with the exit (SVM decode assists), else NULL/0: fetched at CS:RIP.
 */
int khv_handle_mmio(struct khv_vcpu *vcpu, u64 gpa, const u8 *insn,
		    unsigned int insn_len);
int khv_complete_mmio(struct khv_vcpu *vcpu);
int khv_fetch_insn(struct khv_vcpu *vcpu, u8 *buf, unsigned int *len);
int khv_read_linear(struct khv_vcpu *vcpu, u64 la, void *buf,
		    unsigned int len);
int khv_write_linear(struct khv_vcpu *vcpu, u64 la, const void *buf,
		     unsigned int len);
int khv_gva_to_gpa_vcpu(struct khv_vcpu *vcpu, u64 gva, unsigned int access,
			u64 *gpa);

#endif /* KHV_H */
