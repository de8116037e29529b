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

/*
 * Leaves missing from the table read as zero, as on a CPU whose maximum
 * leaf is below them.  The OSXSAVE bit mirrors the guest's CR4.OSXSAVE
 * (SDM Vol. 2, CPUID, leaf 01H ECX bit 27).
 */
void khv_emulate_cpuid(struct khv_vcpu *vcpu)
{
	u64 *g = vcpu->gpr;
	u32 fn = g[KHV_RAX], index = g[KHV_RCX];
	const struct khv_cpuid_entry *e;
	u32 eax = 0, ebx = 0, ecx = 0, edx = 0;

	e = khv_cpuid_find(vcpu->cpuid, fn, index);
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
