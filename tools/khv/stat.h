/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv stat: the "khv" generic netlink family through libnl-genl-3
 * (stat_nl.c) and the command that shows it (stat.c).
 */
#ifndef KHV_STAT_H
#define KHV_STAT_H

#include <linux/khv_stats.h>

#include "util.h"

/* More than this module's KHV_STAT_NR: a newer module may add reasons. */
#define STAT_MAX_REASONS	64
#define STAT_MAX_KEYS		(KHV_KEY_NR * (KHV_KEY_SLOTS + 1))
#define STAT_MAX_VMS		256

struct stat_vm {
	u32 id, pid, uid, nr_vcpus, nr_slots;
	u64 mem_bytes;
};

struct stat_reason {
	u64 count, kernel_ns, user_count, user_ns;
	u64 kernel_hist[KHV_STAT_HIST_BUCKETS];
	u64 user_hist[KHV_STAT_HIST_BUCKETS];
};

struct stat_key {
	u32 kind;
	bool has_key;		/* false: keys that found no slot */
	u32 key;
	u64 count;
};

struct stat_sample {
	u32 nr_reasons;		/* as the module reports */
	struct stat_reason reason[STAT_MAX_REASONS];
	unsigned int nr_keys;
	struct stat_key keys[STAT_MAX_KEYS];
};

struct khv_nl;

/* NULL after printing why (khv.ko not loaded, ...). */
struct khv_nl *khv_nl_open(void);
void khv_nl_close(struct khv_nl *nl);

/* The number of VMs put in vms[], or -1 after a message. */
int khv_nl_list_vms(struct khv_nl *nl, struct stat_vm *vms, int max);

/*
 * One VM's counters, summed over its vCPUs, or vCPU @vcpu's (>= 0).
 * 0, or -errno with the kernel's extended-ack message in nl_error().
 */
int khv_nl_get_stats(struct khv_nl *nl, u32 vm_id, int vcpu, bool hist,
		     struct stat_sample *s);

/* The last error's extended-ack message, or "". */
const char *khv_nl_error(struct khv_nl *nl);

int cmd_stat(int argc, char **argv);

#endif
