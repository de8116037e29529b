// SPDX-License-Identifier: GPL-2.0
/*
 * khv: CPUID, answered in the kernel from the table userspace set.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "khv.h"

#define CR4_OSXSAVE		BIT_ULL(18)
#define CPUID1_ECX_OSXSAVE	BIT(27)

int khv_set_cpuid(struct khv_vcpu *vcpu, const struct khv_cpuid __user *u)
{
	struct khv_cpuid_table *t;
	u32 nent, i;

	if (get_user(nent, &u->nent))
		return -EFAULT;
	if (nent > KHV_MAX_CPUID_ENTRIES)
		return -E2BIG;

	t = kvzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	t->nent = nent;
	if (copy_from_user(t->entries, u->entries,
			   nent * sizeof(t->entries[0]))) {
		kvfree(t);
		return -EFAULT;
	}
	for (i = 0; i < nent; i++) {
		if (t->entries[i].flags & ~KHV_CPUID_FLAG_INDEXED) {
			kvfree(t);
			return -EINVAL;
		}
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = t;
	return 0;
}

static const struct khv_cpuid_entry *khv_cpuid_find(struct khv_cpuid_table *t,
						    u32 fn, u32 index)
{
	u32 i;

	for (i = 0; i < t->nent; i++) {
		const struct khv_cpuid_entry *e = &t->entries[i];

		if (e->function != fn)
			continue;
		if ((e->flags & KHV_CPUID_FLAG_INDEXED) && e->index != index)
			continue;
		return e;
	}
	return NULL;
}

/* "GenuineIntel" in leaf 0's EBX, EDX, ECX. */
static bool khv_cpuid_intel(const struct khv_cpuid_entry *e0)
{
	return e0->ebx == 0x756e6547 && e0->edx == 0x49656e69 &&
	       e0->ecx == 0x6c65746e;
}

/*
 * A leaf missing from the table and above the highest of its range,
 * basic (below 4000_0000h) or extended (8000_0000h-8FFF_FFFFh), reads on
 * an Intel CPU as the highest basic leaf, same subleaf (SDM Vol. 2A,
 * CPUID: "If a value entered for CPUID.EAX is higher than the maximum
 * input value for basic or extended function for that processor then
 * the data for the highest basic information leaf is returned"), and as
 * zero on an AMD one.  The guest's vendor is the table's.  Returns the
 * leaf to read instead, or fn.
 */
static u32 khv_cpuid_out_of_range(struct khv_cpuid_table *t, u32 fn)
{
	const struct khv_cpuid_entry *e0 = khv_cpuid_find(t, 0, 0), *x0;
	u32 max;

	if (!e0 || !khv_cpuid_intel(e0))
		return fn;
	if (fn < 0x40000000) {
		max = e0->eax;
	} else if (fn >= 0x80000000 && fn <= 0x8fffffff) {
		x0 = khv_cpuid_find(t, 0x80000000, 0);
		max = x0 ? x0->eax : 0;
	} else {
		return fn;
	}
	return fn > max ? e0->eax : fn;
}

/*
 * Leaves missing from the table read as zero, as on a CPU whose maximum
 * leaf is below them, but for Intel's rule above.  The OSXSAVE bit
 * mirrors the guest's CR4.OSXSAVE (SDM Vol. 2, CPUID, leaf 01H ECX bit
 * 27).
 */
void khv_emulate_cpuid(struct khv_vcpu *vcpu)
{
	u64 *g = vcpu->gpr;
	u32 fn = g[KHV_RAX], index = g[KHV_RCX];
	const struct khv_cpuid_entry *e;
	u32 eax = 0, ebx = 0, ecx = 0, edx = 0;

	e = khv_cpuid_find(vcpu->cpuid, fn, index);
	if (!e) {
		u32 alt = khv_cpuid_out_of_range(vcpu->cpuid, fn);

		if (alt != fn) {
			fn = alt;
			e = khv_cpuid_find(vcpu->cpuid, fn, index);
		}
	}
	if (e) {
		eax = e->eax;
		ebx = e->ebx;
		ecx = e->ecx;
		edx = e->edx;
	}
	if (fn == 1) {
		ecx &= ~CPUID1_ECX_OSXSAVE;
		if (khv_vendor->get_cr(vcpu, 4) & CR4_OSXSAVE)
			ecx |= CPUID1_ECX_OSXSAVE;
	}
	/* CPUID writes the low 32 bits and clears the high ones. */
	g[KHV_RAX] = eax;
	g[KHV_RBX] = ebx;
	g[KHV_RCX] = ecx;
	g[KHV_RDX] = edx;
}
