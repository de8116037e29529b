/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_REPORT_H
#define KHV_REPORT_H

#include "util.h"

struct vm;

/*
 * The launcher's own memory: VmRSS minus the resident part of guest RAM
 * (the Rss of the VMAs inside the RAM mapping, from /proc/self/smaps).
 * Memory the accelerator allocates inside the kernel (page tables, vCPU
 * state) is in neither number.  All values in KiB; returns 0 or -errno.
 */
struct mem_report {
	u64 vm_rss_kb;
	u64 ram_rss_kb;
	u64 overhead_kb;
};

int mem_report(const struct vm *vm, struct mem_report *r);

/*
 * Sum the "Rss:" lines of the smaps VMAs that lie inside [start, end).
 * Pure: the unit tests feed it text.
 */
u64 smaps_rss_kb(const char *smaps, unsigned long start, unsigned long end);

#endif
