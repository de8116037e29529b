// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "../khv/cpuid.h"
#include "test.h"

static unsigned int sample(struct khv_cpuid_entry *e)
{
	unsigned int n = 0;

	memset(e, 0, 8 * sizeof(*e));
	e[n++] = (struct khv_cpuid_entry) { .function = 0, .eax = 0xd };
	e[n++] = (struct khv_cpuid_entry) { .function = 1,
		.ecx = CPUID_1_ECX_VMX | CPUID_1_ECX_MONITOR |
		       CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE | 0x1,
		.edx = 0x12345678 };
	e[n++] = (struct khv_cpuid_entry) { .function = 0xa,
		.eax = 0x07300805, .ebx = 1, .ecx = 2, .edx = 0x603 };
	e[n++] = (struct khv_cpuid_entry) { .function = 0x40000000,
		.eax = 0x40000001, .ebx = 0x4b4d564b };
	e[n++] = (struct khv_cpuid_entry) { .function = 0x40000001,
		.eax = 0xff };
	e[n++] = (struct khv_cpuid_entry) { .function = 0x80000001,
		.ecx = CPUID_80000001_ECX_SVM | 0x1 };
	return n;
}

TEST(cpuid_filter_khv)
{
	struct khv_cpuid_entry e[8], *c;
	unsigned int n = sample(e);
	char sig[13] = { 0 };

	CHECK(!cpuid_filter(e, &n, 8, true, false), "filter failed");
	CHECK(n == 5, "nent %u (KVM leaves should be replaced)", n);
	c = cpuid_find(e, n, 1, 0);
	CHECK(c && c->ecx == (CPUID_1_ECX_HYPERVISOR | 0x1) &&
	      c->edx == 0x12345678, "leaf 1 ecx 0x%x", c ? c->ecx : 0);
	c = cpuid_find(e, n, 0xa, 0);
	CHECK(c && !c->eax && !c->ebx && !c->ecx && !c->edx, "leaf 0xa");
	c = cpuid_find(e, n, 0x80000001, 0);
	CHECK(c && c->ecx == 0x1, "SVM not cleared");
	CHECK(!cpuid_find(e, n, 0x40000001, 0), "0x40000001 kept");
	c = cpuid_find(e, n, 0x40000000, 0);
	CHECK(c && c->eax == 0x40000000, "hypervisor leaf max");
	memcpy(sig, &c->ebx, 4);
	memcpy(sig + 4, &c->ecx, 4);
	memcpy(sig + 8, &c->edx, 4);
	CHECK(!strcmp(sig, "KHVKHVKHVKHV"), "signature '%s'", sig);
}

TEST(cpuid_filter_kvm_keeps_its_leaf)
{
	struct khv_cpuid_entry e[8], *c;
	unsigned int n = sample(e);

	CHECK(!cpuid_filter(e, &n, 8, false, false), "filter failed");
	CHECK(n == 6, "nent %u", n);
	c = cpuid_find(e, n, 0x40000000, 0);
	CHECK(c && c->ebx == 0x4b4d564b, "KVM signature lost");
	c = cpuid_find(e, n, 1, 0);
	CHECK(c && c->ecx == (CPUID_1_ECX_HYPERVISOR | 0x1), "leaf 1");
}

/* With an in-kernel APIC, x2APIC and TSC deadline are offered. */
TEST(cpuid_filter_lapic)
{
	struct khv_cpuid_entry e[8], *c;
	unsigned int n = sample(e);

	e[1].ecx &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE);
	CHECK(!cpuid_filter(e, &n, 8, true, true), "filter failed");
	c = cpuid_find(e, n, 1, 0);
	CHECK(c && c->ecx == (CPUID_1_ECX_HYPERVISOR | CPUID_1_ECX_X2APIC |
			      CPUID_1_ECX_TSC_DEADLINE | 0x1),
	      "leaf 1 ecx 0x%x", c ? c->ecx : 0);
}

TEST(cpuid_filter_full_table)
{
	struct khv_cpuid_entry e[8];
	unsigned int n = sample(e);

	/* 6 entries, 2 dropped, 1 added: needs room for 5. */
	CHECK(cpuid_filter(e, &n, 4, true, false) == -ENOSPC, "no -ENOSPC");
}

TEST(cpuid_mask_xsave)
{
	struct khv_cpuid_entry e[] = {
		{ .function = 0xd, .index = 0, .flags = KHV_CPUID_FLAG_INDEXED,
		  .eax = 0xe7, .ebx = 0x340, .ecx = 0xa88, .edx = 0x2 },
		{ .function = 0xd, .index = 1, .flags = KHV_CPUID_FLAG_INDEXED,
		  .eax = 0xf },
		{ .function = 0xd, .index = 2, .flags = KHV_CPUID_FLAG_INDEXED,
		  .eax = 0x100, .ebx = 0x240 },
		{ .function = 0xd, .index = 5, .flags = KHV_CPUID_FLAG_INDEXED,
		  .eax = 0x40, .ebx = 0x440 },
		{ .function = 0xd, .index = 8, .flags = KHV_CPUID_FLAG_INDEXED,
		  .eax = 0x80, .ecx = 1 },	/* supervisor (PT) */
		{ .function = 0xd, .index = 33, .flags = KHV_CPUID_FLAG_INDEXED,
		  .eax = 0x40, .ebx = 0x900 },	/* an upper-half component */
		{ .function = 7, .ebx = 0x10000 },
	};
	unsigned int n = cpuid_mask_xsave(e, 7, 0x7);

	CHECK(n == 5, "%u entries left, want 5", n);
	CHECK(e[0].eax == 0x7 && e[0].edx == 0, "subleaf 0: %#x:%#x",
	      e[0].edx, e[0].eax);
	CHECK(e[0].ebx == 0x340 && e[0].ecx == 0xa88, "sizes kept");
	CHECK(e[1].index == 1 && e[2].index == 2, "subleaves 1 and 2 kept");
	CHECK(e[3].index == 8, "the supervisor component kept");
	CHECK(e[4].function == 7, "other leaves kept");
	CHECK(!cpuid_find(e, n, 0xd, 5) && !cpuid_find(e, n, 0xd, 33),
	      "components outside XCR0 dropped");
}

/* A host kernel that turned XSAVE off (XCR0 0) offers the guest none. */
TEST(cpuid_mask_xsave_host_without_xsave)
{
	struct khv_cpuid_entry e[] = {
		{ .function = 1, .ecx = 0x1c000001 | (1u << 25) },
		{ .function = 0xd, .index = 0, .flags = KHV_CPUID_FLAG_INDEXED,
		  .eax = 0x7 },
		{ .function = 0xd, .index = 1, .flags = KHV_CPUID_FLAG_INDEXED,
		  .eax = 0xf },
		{ .function = 7, .ebx = 0x20 },
	};
	unsigned int n = cpuid_mask_xsave(e, 4, 0);

	CHECK(n == 2, "%u entries left, want 2", n);
	CHECK(e[0].function == 1 && e[0].ecx == (0x1 | (1u << 25)),
	      "leaf 1 ECX %#x: XSAVE, OSXSAVE, AVX must go, AES stays",
	      e[0].ecx);
	CHECK(e[1].function == 7, "leaf 7 kept");
}

TEST(cpuid_host_table)
{
	struct khv_cpuid_entry e[KHV_MAX_CPUID_ENTRIES], *c;
	unsigned int n = cpuid_host_table(e, KHV_MAX_CPUID_ENTRIES), i;

	CHECK(n > 2, "only %u entries", n);
	c = cpuid_find(e, n, 0, 0);
	CHECK(c && c->eax >= 1, "leaf 0");
	CHECK(cpuid_find(e, n, 0x80000000, 0), "leaf 0x80000000");
	c = cpuid_find(e, n, 1, 0);
	CHECK(c && !(c->ebx >> 24), "APIC ID not 0");
	for (i = 0; i < n; i++) {
		bool indexed = e[i].flags & KHV_CPUID_FLAG_INDEXED;

		if (e[i].function == 4 || e[i].function == 7 ||
		    e[i].function == 0xd)
			CHECK(indexed, "leaf 0x%x not indexed", e[i].function);
		if (e[i].function == 1 || e[i].function == 0x80000000)
			CHECK(!indexed, "leaf 0x%x indexed", e[i].function);
	}
	CHECK(n < 4 || !cpuid_find(e, n, 0, 0) ||
	      cpuid_find(e, n, 0, 0)->eax < 0xd || cpuid_find(e, n, 0xd, 1),
	      "leaf 0xd subleaf 1 missing");
}
