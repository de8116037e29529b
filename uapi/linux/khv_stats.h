/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * khv: exit statistics and exit tracing, the part of the ABI that is not
 * an ioctl: the exit reasons both vendors map their exit codes to, the
 * "khv" generic netlink family, and the layout of the exit-trace ring
 * (mmap'd from a vCPU fd, see KHV_TRACE in khv.h).  Documentation/stats.rst
 * describes all of it.
 */
#ifndef _UAPI_LINUX_KHV_STATS_H
#define _UAPI_LINUX_KHV_STATS_H

#include <linux/types.h>

/*
 * Exit reasons, vendor-neutral.  A number is never reused; new reasons
 * are added before KHV_STAT_NR, so readers size their tables from
 * KHV_A_NR_REASONS rather than from this header.
 */
enum khv_stat_reason {
	KHV_STAT_CPUID,
	KHV_STAT_MSR_READ,
	KHV_STAT_MSR_WRITE,
	KHV_STAT_IO,		/* port I/O, in the kernel or in userspace */
	KHV_STAT_MMIO,		/* nested page fault outside RAM (or on ROM) */
	KHV_STAT_NPF,		/* nested page fault that mapped a RAM page */
	KHV_STAT_HLT,		/* time includes the sleep of a blocking HLT */
	KHV_STAT_INTR,		/* a physical interrupt */
	KHV_STAT_NMI,
	KHV_STAT_VINTR,		/* the guest opened its interrupt window */
	KHV_STAT_HYPERCALL,
	KHV_STAT_SHUTDOWN,	/* triple fault */
	KHV_STAT_XSETBV,
	KHV_STAT_DR,		/* MOV to or from a debug register */
	KHV_STAT_EXCEPTION,	/* an intercepted guest exception */
	KHV_STAT_REFUSED,	/* an instruction answered with #UD or #GP */
	KHV_STAT_FAIL_ENTRY,	/* the entry itself failed */
	KHV_STAT_OTHER,
	KHV_STAT_NR
};

/* Names used by the tools, in the order of enum khv_stat_reason. */
#define KHV_STAT_NAMES {						\
	"cpuid", "msr_read", "msr_write", "io", "mmio", "npf", "hlt",	\
	"intr", "nmi", "vintr", "hypercall", "shutdown", "xsetbv", "dr",\
	"exception", "refused", "fail_entry", "other" }

/* Latency histograms: bucket i counts [2^i, 2^(i+1)) ns; bucket 0 [0, 2). */
#define KHV_STAT_HIST_BUCKETS	32

/* ------------------------------------------------------------------ */
/* Generic netlink family "khv". */

#define KHV_GENL_NAME		"khv"
#define KHV_GENL_VERSION	1
#define KHV_GENL_MCGRP_EVENTS	"events"

enum khv_genl_cmd {
	KHV_CMD_UNSPEC,
	KHV_CMD_GET_VERSION,		/* reply: VERSION, NR_REASONS */
	KHV_CMD_GET_VM,			/* doit: VM_ID; dump: visible VMs */
	KHV_CMD_GET_STATS,		/* VM_ID [VCPU_ID] [STATS_FLAGS] */
	/* Multicast on "events" (CAP_SYS_ADMIN to join). */
	KHV_CMD_EVENT_VM_CREATED,	/* VM attributes */
	KHV_CMD_EVENT_VM_DESTROYED,	/* VM_ID, PID */
	KHV_CMD_EVENT_ENTRY_FAILED,	/* VM_ID, PID, VCPU_ID, EXIT_CODE */
	KHV_CMD_EVENT_SHUTDOWN,		/* VM_ID, PID, VCPU_ID */
	__KHV_CMD_MAX
};
#define KHV_CMD_MAX	(__KHV_CMD_MAX - 1)

enum khv_genl_attr {
	KHV_A_UNSPEC,
	KHV_A_PAD,
	KHV_A_VERSION,		/* u32: KHV_GENL_VERSION */
	KHV_A_NR_REASONS,	/* u32: KHV_STAT_NR of the module */
	KHV_A_VM_ID,		/* u32, never 0 */
	KHV_A_VCPU_ID,		/* u32 */
	KHV_A_PID,		/* u32: thread group of the VM's creator */
	KHV_A_UID,		/* u32: its effective uid (in the caller's ns) */
	KHV_A_NR_VCPUS,		/* u32 */
	KHV_A_NR_SLOTS,		/* u32: memory slots in use */
	KHV_A_MEM_BYTES,	/* u64: guest memory in all slots */
	KHV_A_STATS_FLAGS,	/* u32: KHV_STATS_F_* */
	KHV_A_REASON,		/* nest of KHV_R_*, one per reason seen */
	KHV_A_KEY,		/* nest of KHV_K_*, one per key seen */
	KHV_A_EXIT_CODE,	/* u64: the vendor's raw exit code */
	__KHV_A_MAX
};
#define KHV_A_MAX	(__KHV_A_MAX - 1)

#define KHV_STATS_F_HIST	(1u << 0)	/* add the two histograms */
#define KHV_STATS_F_ALL		KHV_STATS_F_HIST

/* Inside KHV_A_REASON. */
enum khv_genl_reason_attr {
	KHV_R_UNSPEC,
	KHV_R_PAD,
	KHV_R_ID,		/* u32: KHV_STAT_* */
	KHV_R_COUNT,		/* u64: exits */
	KHV_R_KERNEL_NS,	/* u64: time in the kernel's exit handler */
	KHV_R_USER_COUNT,	/* u64: exits whose userspace share came back */
	KHV_R_USER_NS,		/* u64: time userspace reported for them */
	KHV_R_KERNEL_HIST,	/* binary: __u64[KHV_STAT_HIST_BUCKETS] */
	KHV_R_USER_HIST,	/* binary: __u64[KHV_STAT_HIST_BUCKETS] */
	__KHV_R_MAX
};
#define KHV_R_MAX	(__KHV_R_MAX - 1)

/* What a key counts. */
#define KHV_KEY_PORT		0	/* I/O port */
#define KHV_KEY_MSR		1	/* MSR index, reads and writes */
#define KHV_KEY_CPUID		2	/* CPUID leaf (EAX) */
#define KHV_KEY_NR		3

/* Inside KHV_A_KEY.  An entry without KHV_K_KEY counts the keys that
 * did not fit in the table (the first KHV_KEY_SLOTS keys seen stay).
 */
enum khv_genl_key_attr {
	KHV_K_UNSPEC,
	KHV_K_PAD,
	KHV_K_KIND,		/* u32: KHV_KEY_* */
	KHV_K_KEY,		/* u32 */
	KHV_K_COUNT,		/* u64 */
	__KHV_K_MAX
};
#define KHV_K_MAX	(__KHV_K_MAX - 1)

#define KHV_KEY_SLOTS		32

/* ------------------------------------------------------------------ */
/* The exit-trace ring: KHV_TRACE turns it on, mmap at KHV_TRACE_OFFSET. */

#define KHV_TRACE_VERSION	1

/*
 * The first page of the mapping.  head counts the records written since
 * the ring was created; record i lives at index i % nr_records.  khv
 * writes a record, then head (with release semantics): read head, then
 * the records below it, then head again; records more than nr_records
 * below the second head may have been overwritten.
 */
struct khv_trace_header {
	__u32 version;		/* KHV_TRACE_VERSION */
	__u32 record_size;	/* sizeof(struct khv_trace_record) */
	__u32 nr_records;	/* a power of two */
	__u32 records_offset;	/* from the start of the mapping */
	__u64 head;
	__u64 tsc_khz;		/* to turn tsc into time; 0 if unknown */
};

struct khv_trace_record {
	__u64 tsc;		/* host TSC when khv saw the exit */
	__u64 exit_code;	/* the vendor's raw exit code */
	__u64 qual;		/* EXITINFO1 / exit qualification */
	__u64 info2;		/* EXITINFO2 / second vendor word */
	__u64 rip;		/* guest RIP of the exiting instruction */
	__u64 gpa;		/* guest physical address, NPF/EPT only */
	__u32 key;		/* port, MSR index or CPUID leaf, else 0 */
	__u16 reason;		/* KHV_STAT_* */
	__u16 vcpu;
	__u32 handle_ns;	/* time in the kernel's handler, saturated */
	__u32 pad;
};

#endif /* _UAPI_LINUX_KHV_STATS_H */
