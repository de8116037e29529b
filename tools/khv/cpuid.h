/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_CPUID_H
#define KHV_CPUID_H

#include <linux/khv.h>

#include "util.h"

#define CPUID_1_ECX_MONITOR		(1u << 3)
#define CPUID_1_ECX_VMX			(1u << 5)
#define CPUID_1_ECX_X2APIC		(1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE	(1u << 24)
#define CPUID_1_ECX_XSAVE		(1u << 26)
#define CPUID_1_ECX_OSXSAVE		(1u << 27)
#define CPUID_1_ECX_AVX			(1u << 28)
#define CPUID_1_ECX_HYPERVISOR		(1u << 31)
#define CPUID_80000001_ECX_SVM		(1u << 2)

#define CPUID_LEAF_PERFMON		0xa
#define CPUID_LEAF_HYPERVISOR		0x40000000u

/*
 * The one place that decides what the guest sees, for both accelerators:
 * hide features the launcher does not emulate yet (VMX, SVM, MONITOR,
 * perfmon), offer x2APIC and the TSC-deadline timer exactly when the
 * accelerator has an in-kernel local APIC (lapic), set the hypervisor
 * bit, and, when add_khv_leaf, replace any 0x4000xxxx leaves by khv's
 * own signature leaf.
 * Returns 0, or -ENOSPC if the table has no room for that leaf.
 */
int cpuid_filter(struct khv_cpuid_entry *e, unsigned int *nent,
		 unsigned int max, bool add_khv_leaf, bool lapic);

/*
 * Fill a table from the host CPU's CPUID instruction, for backends that
 * have no "supported CPUID" query of their own.  Returns the number of
 * entries (at most max).
 */
unsigned int cpuid_host_table(struct khv_cpuid_entry *e, unsigned int max);

/*
 * Leaf 0xd of a host table: offer only the user state components the
 * host enabled in xcr0, since those are all a guest's XSETBV may enable.
 * Drops the subleaves of the others; with xcr0 0 (a host without XSAVE)
 * all of leaf 0xd and XSAVE/AVX in leaf 1.  Returns the new entry count.
 */
unsigned int cpuid_mask_xsave(struct khv_cpuid_entry *e, unsigned int n,
			      u64 xcr0);

struct khv_cpuid_entry *cpuid_find(struct khv_cpuid_entry *e,
				   unsigned int nent, u32 function, u32 index);

#endif
