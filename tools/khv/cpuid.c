// SPDX-License-Identifier: GPL-2.0
#include <cpuid.h>
#include <errno.h>
#include <string.h>

#include "cpuid.h"

struct khv_cpuid_entry *cpuid_find(struct khv_cpuid_entry *e,
				   unsigned int nent, u32 function, u32 index)
{
	unsigned int i;

	for (i = 0; i < nent; i++) {
		if (e[i].function != function)
			continue;
		if (!(e[i].flags & KHV_CPUID_FLAG_INDEXED) || e[i].index == index)
			return &e[i];
	}
	return NULL;
}

int cpuid_filter(struct khv_cpuid_entry *e, unsigned int *nent,
		 unsigned int max, bool add_khv_leaf, bool lapic)
{
	unsigned int i, n = 0;

	for (i = 0; i < *nent; i++) {
		struct khv_cpuid_entry *c = &e[i];

		if (add_khv_leaf && (c->function & 0xf0000000u) ==
		    CPUID_LEAF_HYPERVISOR)
			continue;	/* dropped: khv's own leaf replaces it */

		switch (c->function) {
		case 1:
			/*
			 * No nested virtualization, no MONITOR/MWAIT.  x2APIC
			 * and the TSC-deadline timer are features of the
			 * accelerator's in-kernel local APIC, which emulates
			 * both whatever the host CPU has; without it, neither.
			 */
			c->ecx &= ~(CPUID_1_ECX_VMX | CPUID_1_ECX_MONITOR |
				    CPUID_1_ECX_X2APIC |
				    CPUID_1_ECX_TSC_DEADLINE);
			if (lapic)
				c->ecx |= CPUID_1_ECX_X2APIC |
					  CPUID_1_ECX_TSC_DEADLINE;
			c->ecx |= CPUID_1_ECX_HYPERVISOR;
			break;
		case CPUID_LEAF_PERFMON:
			/* Version 0: no architectural PMU to program. */
			c->eax = c->ebx = c->ecx = c->edx = 0;
			break;
		case 0x80000001:
			c->ecx &= ~CPUID_80000001_ECX_SVM;
			break;
		}
		e[n++] = *c;
	}

	if (add_khv_leaf) {
		struct khv_cpuid_entry *h;

		if (n >= max) {
			*nent = n;
			return -ENOSPC;
		}
		h = &e[n++];
		memset(h, 0, sizeof(*h));
		h->function = CPUID_LEAF_HYPERVISOR;
		h->eax = CPUID_LEAF_HYPERVISOR;	/* highest hypervisor leaf */
		memcpy(&h->ebx, "KHVK", 4);
		memcpy(&h->ecx, "HVKH", 4);
		memcpy(&h->edx, "VKHV", 4);
	}
	*nent = n;
	return 0;
}

/* How many subleaves of an indexed leaf to take from the host. */
static bool cpuid_subleaf_valid(u32 leaf, u32 sub, const u32 *r,
				u32 max_sub)
{
	switch (leaf) {
	case 4:
	case 0x8000001d:
		return (r[0] & 0x1f) != 0;	/* cache type "null" ends it */
	case 0xb:
	case 0x1f:
		return sub == 0 || (r[2] & 0xff00) != 0;	/* level type */
	case 0xd:
		return sub < 2 || r[0] != 0;	/* components with a size */
	case 0xf:
		return sub < 2;
	case 0x10:
		return sub < 4;
	case 0x12:
		return sub < 2 || (r[0] & 0xf) != 0;	/* EPC sections */
	default:
		/* 7, 0x14, 0x17, 0x18, 0x1d: subleaf 0 EAX is the maximum. */
		return sub <= max_sub;
	}
}

static bool cpuid_leaf_indexed(u32 leaf)
{
	switch (leaf) {
	case 4: case 7: case 0xb: case 0xd: case 0xf: case 0x10: case 0x12:
	case 0x14: case 0x17: case 0x18: case 0x1d: case 0x1e: case 0x1f:
	case 0x8000001d:
		return true;
	}
	return false;
}

static unsigned int cpuid_add_leaf(struct khv_cpuid_entry *e, unsigned int n,
				   unsigned int max, u32 leaf)
{
	u32 r[4], sub, max_sub = 0;

	if (!cpuid_leaf_indexed(leaf)) {
		if (n >= max)
			return n;
		__cpuid_count(leaf, 0, r[0], r[1], r[2], r[3]);
		e[n] = (struct khv_cpuid_entry) {
			.function = leaf,
			.eax = r[0], .ebx = r[1], .ecx = r[2], .edx = r[3],
		};
		return n + 1;
	}

	/* 64 subleaves is more than any leaf defines today. */
	for (sub = 0; sub < 64 && n < max; sub++) {
		__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
		if (sub == 0)
			max_sub = leaf == 0x1e ? 0 : r[0];
		if (!cpuid_subleaf_valid(leaf, sub, r, max_sub))
			break;
		e[n++] = (struct khv_cpuid_entry) {
			.function = leaf, .index = sub,
			.flags = KHV_CPUID_FLAG_INDEXED,
			.eax = r[0], .ebx = r[1], .ecx = r[2], .edx = r[3],
		};
	}
	return n;
}

/*
 * CPUID.(EAX=0DH,ECX=0):EDX:EAX lists the components XCR0 may enable on
 * this CPU (SDM Vol. 1, 13.2); the host kernel may have enabled fewer,
 * and khv's XSETBV gives #GP for anything the host did not: a guest told
 * otherwise dies at its first XSETBV.  Subleaves 2-63 describe one
 * component each; those with ECX bit 0 set are supervisor components,
 * governed by IA32_XSS rather than XCR0, and are left alone.  A host
 * that runs without XSAVE (XCR0 unreadable: 0) can give the guest none:
 * leaf 0xd goes and CPUID.1 loses XSAVE, OSXSAVE and AVX, whose state
 * only XSAVE manages (SDM Vol. 1, 13.1).
 */
unsigned int cpuid_mask_xsave(struct khv_cpuid_entry *e, unsigned int n,
			      u64 xcr0)
{
	unsigned int i, out = 0;

	for (i = 0; i < n; i++) {
		struct khv_cpuid_entry *c = &e[i];

		if (c->function == 1 && !xcr0) {
			c->ecx &= ~(CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE |
				    CPUID_1_ECX_AVX);
		} else if (c->function == 0xd && !xcr0) {
			continue;
		} else if (c->function == 0xd && c->index == 0) {
			c->eax &= (u32)xcr0;
			c->edx &= (u32)(xcr0 >> 32);
		} else if (c->function == 0xd && c->index >= 2 &&
			   c->index < 64 && !(c->ecx & 1) &&
			   !(xcr0 & (1ULL << c->index))) {
			continue;
		}
		e[out++] = *c;
	}
	return out;
}

/* XCR0 as the host kernel set it; 0 without OSXSAVE (SDM Vol. 2, XGETBV). */
static u64 host_xcr0(void)
{
	u32 r[4], lo, hi;

	__cpuid(1, r[0], r[1], r[2], r[3]);
	if (!(r[2] & CPUID_1_ECX_OSXSAVE))
		return 0;
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((u64)hi << 32) | lo;
}

unsigned int cpuid_host_table(struct khv_cpuid_entry *e, unsigned int max)
{
	unsigned int n = 0, i;
	u32 leaf, top, r[4];

	__cpuid(0, r[0], r[1], r[2], r[3]);
	top = r[0];
	for (leaf = 0; leaf <= top; leaf++)
		n = cpuid_add_leaf(e, n, max, leaf);

	__cpuid(0x80000000, r[0], r[1], r[2], r[3]);
	top = r[0];
	if (top > 0x80000000 + 0xff)	/* garbage on very old CPUs */
		top = 0x80000000;
	for (leaf = 0x80000000; leaf <= top; leaf++)
		n = cpuid_add_leaf(e, n, max, leaf);

	/* The guest's only vCPU is APIC ID 0, whatever host CPU we ran on. */
	for (i = 0; i < n; i++) {
		if (e[i].function == 1)
			e[i].ebx &= 0x00ffffff;
		if (e[i].function == 0xb || e[i].function == 0x1f)
			e[i].edx = 0;
	}
	return cpuid_mask_xsave(e, n, host_xcr0());
}
