/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv: exit statistics, the exit-trace ring and the "khv" generic netlink
 * family.  Documentation/stats.rst describes what userspace sees.
 *
 * The counters of a vCPU are written only by the thread inside its
 * KHV_RUN, without locks or atomics, so counting costs a few stores per
 * exit.  Readers (netlink) run on other CPUs and read each u64 once:
 * a value may be one exit old, never torn (aligned 64-bit loads).
 */
#ifndef KHV_STATS_H
#define KHV_STATS_H

#include <linux/types.h>
#include "uapi/linux/khv.h"
#include "uapi/linux/khv_stats.h"
#include "vendor.h"

struct khv_vm;
struct khv_vcpu;
struct vm_area_struct;
struct seq_file;

/* The first KHV_KEY_SLOTS distinct keys keep a slot; later ones, other. */
struct khv_key_table {
	u32 used;
	u32 key[KHV_KEY_SLOTS];
	u64 count[KHV_KEY_SLOTS];
	u64 other;
};

struct khv_reason_stats {
	u64 count;
	u64 kernel_ns;
	u64 user_count;
	u64 user_ns;
	u64 kernel_hist[KHV_STAT_HIST_BUCKETS];
	u64 user_hist[KHV_STAT_HIST_BUCKETS];
};

struct khv_vcpu_stats {
	struct khv_reason_stats reason[KHV_STAT_NR];
	struct khv_key_table keys[KHV_KEY_NR];
	/* The reason of the exit userspace is handling, or -1. */
	int user_reason;

	/* The exit-trace ring; created by KHV_TRACE, freed with the vCPU. */
	bool tracing;
	struct khv_trace_header *ring;
	struct khv_trace_record *records;
	u32 ring_mask;
	unsigned long ring_bytes;
	u64 head;
};

/* One exit being handled, on the run loop's stack. */
struct khv_exit_stat {
	struct khv_exit_info info;
	bool counted;
	u32 key;
	u64 start_tsc;
	struct khv_trace_record *rec;
};

/* stats.c */
int khv_stats_vcpu_init(struct khv_vcpu *vcpu);
void khv_stats_vcpu_free(struct khv_vcpu *vcpu);
void khv_stats_exit_begin(struct khv_vcpu *vcpu, struct khv_exit_stat *es);
void khv_stats_exit_end(struct khv_vcpu *vcpu, struct khv_exit_stat *es,
			int ret);
void khv_stats_user_time(struct khv_vcpu *vcpu);
void khv_stats_sum(struct khv_vcpu_stats *sum,
		   const struct khv_vcpu_stats *s);
int khv_stats_vm_init(struct khv_vm *vm);
void khv_stats_vm_free(struct khv_vm *vm);
void khv_stats_vcpu_retire(struct khv_vcpu *vcpu);

/* trace.c */
struct khv_trace_record *khv_trace_write(struct khv_vcpu *vcpu,
					 const struct khv_exit_stat *es);
void khv_trace_publish(struct khv_vcpu_stats *s, struct khv_trace_record *rec,
		       u64 ns);
long khv_trace_ioctl(struct khv_vcpu *vcpu, struct khv_trace_ctl __user *u);
int khv_trace_mmap(struct khv_vcpu *vcpu, struct vm_area_struct *vma);
void khv_trace_free(struct khv_vcpu_stats *s);

/* genl.c */
int khv_genl_init(void);
void khv_genl_exit(void);
int khv_vm_register(struct khv_vm *vm);
void khv_vm_unregister(struct khv_vm *vm);
void khv_show_vms(struct seq_file *m);
void khv_genl_vcpu_event(struct khv_vcpu *vcpu, u8 cmd, u64 code);

/* debugfs.c */
void khv_debugfs_init(void);
void khv_debugfs_exit(void);
void khv_show_vm(struct seq_file *m, struct khv_vm *vm);

#endif /* KHV_STATS_H */
