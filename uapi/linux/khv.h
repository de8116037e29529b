/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * khv: the ioctl ABI of /dev/khv.
 *
 * Three kinds of file descriptor, each with its own range of ioctl numbers:
 *   system fd (open /dev/khv)        0x00 - 0x3f
 *   VM fd     (KHV_CREATE_VM)        0x40 - 0x7f
 *   vCPU fd   (KHV_CREATE_VCPU)      0x80 - 0xbf
 * A number is never reused.  Every ioctl is described in
 * Documentation/api.rst.
 */
#ifndef _UAPI_LINUX_KHV_H
#define _UAPI_LINUX_KHV_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KHV_API_VERSION		1

#define KHVIO			0xE6

/* Capabilities, for KHV_CHECK_CAP. */
#define KHV_CAP_READONLY_MEM	1	/* KHV_MEM_READONLY slots */
#define KHV_CAP_NR_MEMSLOTS	2	/* returns the number of slots */
#define KHV_CAP_MAX_VCPUS	3	/* returns the vCPU limit per VM */
#define KHV_CAP_NPT		4	/* nested paging (NPT or EPT) in use */
#define KHV_CAP_IMMEDIATE_EXIT	5	/* khv_run.immediate_exit honoured */
#define KHV_CAP_VENDOR		6	/* 1: AMD SVM, 2: Intel VMX */
#define KHV_CAP_LAPIC		7	/* KHV_CREATE_LAPIC, KHV_SIGNAL_MSI */
#define KHV_CAP_EXIT_TRACE	8	/* KHV_TRACE, khv_run.user_ns */
#define KHV_CAP_ENTRY_CHECK	9	/* KHV_CHECK_ENTRY */

#define KHV_VENDOR_SVM		1
#define KHV_VENDOR_VMX		2

/* System ioctls. */
#define KHV_GET_API_VERSION	_IO(KHVIO, 0x00)
#define KHV_CREATE_VM		_IO(KHVIO, 0x01)
#define KHV_CHECK_CAP		_IO(KHVIO, 0x02)
#define KHV_GET_VCPU_MMAP_SIZE	_IO(KHVIO, 0x03)

/* VM ioctls. */
#define KHV_MEM_READONLY	(1u << 0)

struct khv_memory_region {
	__u32 slot;
	__u32 flags;		/* KHV_MEM_* */
	__u64 guest_phys_addr;	/* 4 KiB aligned */
	__u64 memory_size;	/* 4 KiB multiple; 0 deletes the slot */
	__u64 userspace_addr;	/* 4 KiB aligned */
};

/* An MSI as a device writes it: address FEEx_xxxxh, data (vector, mode). */
struct khv_msi {
	__u64 address;
	__u32 data;
	__u32 flags;		/* must be 0 */
	__u8 pad[16];
};

#define KHV_SET_MEMORY_REGION	_IOW(KHVIO, 0x40, struct khv_memory_region)
#define KHV_CREATE_VCPU		_IO(KHVIO, 0x41)
#define KHV_CREATE_LAPIC	_IO(KHVIO, 0x42)
#define KHV_SIGNAL_MSI		_IOW(KHVIO, 0x43, struct khv_msi)

/* vCPU ioctls. */
struct khv_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

struct khv_segment {
	__u64 base;
	__u32 limit;		/* in bytes, already scaled by G */
	__u16 selector;
	__u8 type, present, dpl, db, s, l, g, avl;
	__u8 unusable;
	__u8 padding;
};

struct khv_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

struct khv_sregs {
	struct khv_segment cs, ds, es, fs, gs, ss;
	struct khv_segment tr, ldt;
	struct khv_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
};

struct khv_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};

/*
 * KHV_GET_MSRS / KHV_SET_MSRS process entries in order and return the
 * number of entries processed: fewer than nmsrs means the entry at that
 * position is not supported (or its value was refused).
 */
struct khv_msrs {
	__u32 nmsrs;
	__u32 pad;
	struct khv_msr_entry entries[];
};

#define KHV_MAX_MSR_ENTRIES	256

#define KHV_CPUID_FLAG_INDEXED	(1u << 0)	/* ECX (index) is significant */

struct khv_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;		/* KHV_CPUID_FLAG_* */
	__u32 eax, ebx, ecx, edx;
	__u32 padding[3];
};

struct khv_cpuid {
	__u32 nent;
	__u32 padding;
	struct khv_cpuid_entry entries[];
};

#define KHV_MAX_CPUID_ENTRIES	256

#define KHV_INJECT_IRQ		0	/* external interrupt */
#define KHV_INJECT_EXCEPTION	1	/* exception, optional error code */
#define KHV_INJECT_NMI		2

struct khv_event {
	__u8 type;		/* KHV_INJECT_* */
	__u8 vector;
	__u8 has_error_code;
	__u8 pad;
	__u32 error_code;
};

#define KHV_RUN			_IO(KHVIO, 0x80)
#define KHV_GET_REGS		_IOR(KHVIO, 0x81, struct khv_regs)
#define KHV_SET_REGS		_IOW(KHVIO, 0x82, struct khv_regs)
#define KHV_GET_SREGS		_IOR(KHVIO, 0x83, struct khv_sregs)
#define KHV_SET_SREGS		_IOW(KHVIO, 0x84, struct khv_sregs)
#define KHV_GET_MSRS		_IOWR(KHVIO, 0x85, struct khv_msrs)
#define KHV_SET_MSRS		_IOW(KHVIO, 0x86, struct khv_msrs)
#define KHV_SET_CPUID		_IOW(KHVIO, 0x87, struct khv_cpuid)
#define KHV_INJECT		_IOW(KHVIO, 0x88, struct khv_event)

/*
 * The exit-trace ring (layout in khv_stats.h): KHV_TRACE creates it on
 * first use with nr_records (a power of two, 0 for the default) and turns
 * recording on or off; mmap it read-only at KHV_TRACE_OFFSET.
 */
#define KHV_TRACE_ON		(1u << 0)

struct khv_trace_ctl {
	__u32 flags;		/* KHV_TRACE_ON */
	__u32 nr_records;	/* in: wanted size; out: actual size */
	__u64 map_size;		/* out: bytes to mmap */
};

#define KHV_TRACE_OFFSET	0x100000	/* mmap offset on the vCPU fd */

#define KHV_TRACE		_IOWR(KHVIO, 0x89, struct khv_trace_ctl)

/*
 * KHV_CHECK_ENTRY: check the vCPU's current state against the VM-entry
 * rules khv knows (the SDM's checks on VMX controls and guest state, the
 * APM's VMRUN consistency checks): the ones khv also applies before a
 * vCPU's first entry and after a failed one.
 */
struct khv_entry_check {
	__u32 broken;		/* 1: the rule below is broken; 0: none found */
	__u32 padding;
	__u64 value;		/* the value that breaks it */
	char field[32];		/* the state field, "" when the rule names it */
	char rule[160];		/* the rule, NUL-terminated */
};

#define KHV_CHECK_ENTRY		_IOR(KHVIO, 0x8a, struct khv_entry_check)

/* Exit reasons, in khv_run.exit_reason. */
#define KHV_EXIT_UNKNOWN	0
#define KHV_EXIT_IO		1
#define KHV_EXIT_MMIO		2
#define KHV_EXIT_HLT		3
#define KHV_EXIT_HYPERCALL	4
#define KHV_EXIT_SHUTDOWN	5
#define KHV_EXIT_FAIL_ENTRY	6
#define KHV_EXIT_INTERNAL_ERROR	7
#define KHV_EXIT_INTR		8	/* run returned -EINTR */
#define KHV_EXIT_EOI		9	/* EOI of a level-triggered vector */

#define KHV_EXIT_IO_IN		0
#define KHV_EXIT_IO_OUT		1

/* Sub-reasons of KHV_EXIT_INTERNAL_ERROR. */
#define KHV_INTERNAL_UNKNOWN_EXIT	1	/* no handler for the exit code */
#define KHV_INTERNAL_EMULATION		2	/* instruction not decodable */
#define KHV_INTERNAL_BAD_GUEST_STATE	3	/* guest state khv cannot run */
#define KHV_INTERNAL_PAGE_WALK		4	/* a page table outside RAM */

#define KHV_RUN_DATA_OFFSET	1024	/* where port I/O data lives */

/*
 * The run page, mmap'd from the vCPU fd at offset 0 (size from
 * KHV_GET_VCPU_MMAP_SIZE).  Fields marked "in" are written by userspace
 * before KHV_RUN; all others are written by khv when KHV_RUN returns.
 */
struct khv_run {
	/* in */
	__u8 immediate_exit;	/* nonzero: return -EINTR before entry */
	__u8 padding1[7];

	/* out */
	__u32 exit_reason;	/* KHV_EXIT_* */
	__u8 if_flag;		/* guest RFLAGS.IF at exit */
	__u8 padding2[3];
	__u64 exit_count;	/* exits of this vCPU since creation */

	union {
		/* KHV_EXIT_IO: data for all count elements at data_offset */
		struct {
			__u8 direction;		/* KHV_EXIT_IO_IN / _OUT */
			__u8 size;		/* 1, 2 or 4 */
			__u16 port;
			__u32 count;		/* elements (rep string I/O) */
			__u64 data_offset;	/* from the start of the page */
		} io;
		/* KHV_EXIT_MMIO: for a read, fill data before KHV_RUN */
		struct {
			__u64 phys_addr;
			__u8 data[8];
			__u32 len;		/* 1, 2, 4 or 8 */
			__u8 is_write;
			__u8 pad[3];
		} mmio;
		/* KHV_EXIT_HYPERCALL: VMMCALL / VMCALL; ret goes to RAX */
		struct {
			__u64 nr;		/* RAX */
			__u64 args[4];		/* RBX, RCX, RDX, RSI */
			__u64 ret;
		} hypercall;
		/* KHV_EXIT_FAIL_ENTRY */
		struct {
			__u64 hardware_entry_failure_reason;
			__u32 cpu;
			__u32 pad;
			char description[128];
		} fail_entry;
		/* KHV_EXIT_EOI: for the launcher's IOAPIC (remote IRR) */
		struct {
			__u8 vector;
		} eoi;
		/* KHV_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;		/* KHV_INTERNAL_* */
			__u32 ndata;
			__u64 data[16];		/* exit code, info, RIP, bytes */
		} internal;
		char padding[256];
	};

	/*
	 * in: nanoseconds userspace spent on the previous exit, from the
	 * return of KHV_RUN to this call (0: not measured).  khv adds it to
	 * that exit's reason in the statistics and clears it.
	 */
	__u64 user_ns;
};

#endif /* _UAPI_LINUX_KHV_H */
