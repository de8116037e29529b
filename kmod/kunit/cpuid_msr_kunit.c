// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the CPUID and MSR policy of common code (cpuid.c,
 * msr.c): how CPUID answers from the table userspace set (SDM Vol. 2,
 * CPUID), and which MSRs khv_get_msr()/khv_set_msr() handle, which
 * values they refuse (the guest's WRMSR then raises #GP: SDM Vol. 2,
 * WRMSR) and how RDMSR/WRMSR exits are emulated and counted.
 *
 * The vendor backend and the local APIC are stand-ins here: a fake
 * khv_vendor whose get_cr() answers CR4 from the test and whose MSR hooks
 * claim one MSR of the test's choosing, and fake khv_lapic_*() hooks that
 * do the same, so that the order msr.c asks them in can be seen.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <asm/msr-index.h>

#include "khv.h"
#include "lapic.h"

#define CR4_OSXSAVE		BIT_ULL(18)	/* SDM Vol. 3A, 2.5 */
#define CPUID1_ECX_OSXSAVE	BIT(27)	/* SDM Vol. 2, Table 3-10 */
#define NO_MSR			0xffffffffu	/* claimed by nobody */
#define UNKNOWN_MSR		0x198u	/* IA32_PERF_STATUS */

/* The MTRRs (SDM Vol. 3A, 12.11.2; their indexes: Vol. 4, Table 2-2). */
#define MTRR_PHYSBASE0		0x200u
#define MTRR_PHYSMASK0		0x201u
#define MTRR_FIX64K_00000	0x250u
#define MTRR_DEF_TYPE		0x2ffu

struct fake_cpu {
	struct khv_vcpu vcpu;
	u64 cr4;
	/* The MSR the backend claims, what it answers, what it was given. */
	u32 vendor_msr;
	int vendor_ret;
	u64 vendor_val, vendor_written;
	/* The same for the local APIC. */
	u32 lapic_msr;
	int lapic_ret;
	u64 lapic_val, lapic_written;
	/* khv_lapic_set_base(): calls, last argument, what it returns. */
	int set_base_calls;
	u64 set_base_arg;
	int set_base_ret;
};

static struct fake_cpu *to_fake(struct khv_vcpu *vcpu)
{
	return container_of(vcpu, struct fake_cpu, vcpu);
}

static u64 fake_get_cr(struct khv_vcpu *vcpu, int cr)
{
	return cr == 4 ? to_fake(vcpu)->cr4 : 0;
}

static int fake_vendor_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data)
{
	struct fake_cpu *f = to_fake(vcpu);

	if (index != f->vendor_msr)
		return -ENOENT;
	if (!f->vendor_ret)
		*data = f->vendor_val;
	return f->vendor_ret;
}

static int fake_vendor_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data)
{
	struct fake_cpu *f = to_fake(vcpu);

	if (index != f->vendor_msr)
		return -ENOENT;
	f->vendor_written = data;
	return f->vendor_ret;
}

/* Only what cpuid.c and msr.c call; the rest stays NULL. */
static const struct khv_vendor_ops fake_vendor = {
	.get_cr = fake_get_cr,
	.get_msr = fake_vendor_get_msr,
	.set_msr = fake_vendor_set_msr,
};

/* The common code under test reaches the backend through this. */
const struct khv_vendor_ops *khv_vendor = &fake_vendor;

int khv_lapic_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data)
{
	struct fake_cpu *f = to_fake(vcpu);

	if (index != f->lapic_msr)
		return -ENOENT;
	if (!f->lapic_ret)
		*data = f->lapic_val;
	return f->lapic_ret;
}

int khv_lapic_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data)
{
	struct fake_cpu *f = to_fake(vcpu);

	if (index != f->lapic_msr)
		return -ENOENT;
	f->lapic_written = data;
	return f->lapic_ret;
}

int khv_lapic_set_base(struct khv_vcpu *vcpu, u64 base)
{
	struct fake_cpu *f = to_fake(vcpu);

	f->set_base_calls++;
	f->set_base_arg = base;
	if (!f->set_base_ret)
		vcpu->apic_base = base;
	return f->set_base_ret;
}

static struct fake_cpu *fake_alloc(struct kunit *test)
{
	struct fake_cpu *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->vcpu.cpuid = kunit_kzalloc(test, sizeof(*f->vcpu.cpuid),
				      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->vcpu.cpuid);
	f->vendor_msr = NO_MSR;
	f->lapic_msr = NO_MSR;
	return f;
}

static void add_leaf(struct fake_cpu *f, u32 fn, u32 index, u32 flags,
		     u32 eax, u32 ebx, u32 ecx, u32 edx)
{
	struct khv_cpuid_table *t = f->vcpu.cpuid;
	struct khv_cpuid_entry *e = &t->entries[t->nent++];

	e->function = fn;
	e->index = index;
	e->flags = flags;
	e->eax = eax;
	e->ebx = ebx;
	e->ecx = ecx;
	e->edx = edx;
}

/*
 * CPUID with RAX = @rax and RCX = @rcx; the other GPRs start as all ones
 * so that a register CPUID forgets to write shows.
 */
static void run_cpuid(struct fake_cpu *f, u64 rax, u64 rcx)
{
	u64 *g = f->vcpu.gpr;

	g[KHV_RAX] = rax;
	g[KHV_RCX] = rcx;
	g[KHV_RBX] = ~0ULL;
	g[KHV_RDX] = ~0ULL;
	khv_emulate_cpuid(&f->vcpu);
}

static void expect_regs(struct kunit *test, struct fake_cpu *f, u64 eax,
			u64 ebx, u64 ecx, u64 edx)
{
	u64 *g = f->vcpu.gpr;

	KUNIT_EXPECT_EQ(test, g[KHV_RAX], eax);
	KUNIT_EXPECT_EQ(test, g[KHV_RBX], ebx);
	KUNIT_EXPECT_EQ(test, g[KHV_RCX], ecx);
	KUNIT_EXPECT_EQ(test, g[KHV_RDX], edx);
}

static void cpuid_lookup(struct kunit *test)
{
	struct fake_cpu *f = fake_alloc(test);

	add_leaf(f, 0, 0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69);
	add_leaf(f, 0x80000008, 0, 0, 0x3030, 0, 0, 0);
	run_cpuid(f, 0, 0);
	expect_regs(test, f, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69);
	/*
	 * The leaf is EAX, not RAX; ECX does not matter to a leaf that is
	 * not indexed; CPUID clears bits 63:32 of all four (SDM Vol. 1,
	 * 3.4.1.1: a 32-bit result zero-extends in 64-bit mode).
	 */
	run_cpuid(f, 0xdeadbeef00000000ULL, 0x1234);
	expect_regs(test, f, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69);
	run_cpuid(f, 0x80000008, 0);
	expect_regs(test, f, 0x3030, 0, 0, 0);

	/* With two entries for one leaf, the first one answers. */
	add_leaf(f, 0x40000000, 0, 0, 1, 2, 3, 4);
	add_leaf(f, 0x40000000, 0, 0, 5, 6, 7, 8);
	run_cpuid(f, 0x40000000, 0);
	expect_regs(test, f, 1, 2, 3, 4);
}

static void cpuid_indexed(struct kunit *test)
{
	struct fake_cpu *f = fake_alloc(test);

	/* Leaf 7 with sub-leaves 0 and 1 (SDM Vol. 2, CPUID, EAX = 07H). */
	add_leaf(f, 7, 0, KHV_CPUID_FLAG_INDEXED, 1, 0x219c07ab, 0x4, 0);
	add_leaf(f, 7, 1, KHV_CPUID_FLAG_INDEXED, 0x10, 0, 0, 0);
	run_cpuid(f, 7, 0);
	expect_regs(test, f, 1, 0x219c07ab, 0x4, 0);
	run_cpuid(f, 7, 1);
	expect_regs(test, f, 0x10, 0, 0, 0);
	/* The index is ECX, not RCX. */
	run_cpuid(f, 7, 0xffffffff00000001ULL);
	expect_regs(test, f, 0x10, 0, 0, 0);
	/* A sub-leaf the table lacks reads as zero. */
	run_cpuid(f, 7, 2);
	expect_regs(test, f, 0, 0, 0, 0);

	/* An entry without the flag answers the indexes those before miss. */
	add_leaf(f, 4, 0, KHV_CPUID_FLAG_INDEXED, 0x121, 0, 0, 0);
	add_leaf(f, 4, 0, 0, 0x77, 0, 0, 0);
	run_cpuid(f, 4, 0);
	expect_regs(test, f, 0x121, 0, 0, 0);
	run_cpuid(f, 4, 3);
	expect_regs(test, f, 0x77, 0, 0, 0);
}

static void cpuid_missing_leaf(struct kunit *test)
{
	struct fake_cpu *f = fake_alloc(test);

	/* An empty table: every leaf reads as zero. */
	run_cpuid(f, 0, 0);
	expect_regs(test, f, 0, 0, 0, 0);
	run_cpuid(f, 0x80000000, 0);
	expect_regs(test, f, 0, 0, 0, 0);

	/* Only the first nent entries count. */
	add_leaf(f, 0x80000000, 0, 0, 0x80000008, 0, 0, 0);
	add_leaf(f, 0x80000001, 0, 0, 0, 0, 0x1, 0x20000000);
	f->vcpu.cpuid->nent = 1;
	run_cpuid(f, 0x80000000, 0);
	expect_regs(test, f, 0x80000008, 0, 0, 0);
	run_cpuid(f, 0x80000001, 0);
	expect_regs(test, f, 0, 0, 0, 0);
	/* A leaf between two present ones, and one far above. */
	run_cpuid(f, 0x8000, 0);
	expect_regs(test, f, 0, 0, 0, 0);
	run_cpuid(f, 0xffffffff, 0);
	expect_regs(test, f, 0, 0, 0, 0);
}

/*
 * A leaf above its range's maximum: the highest basic leaf on Intel
 * (same subleaf), zero on AMD (SDM Vol. 2A and APM Vol. 3, CPUID).
 */
static const struct {
	u32 fn, index, eax, ebx, ecx;
} out_of_range_intel[] = {
	{ 8, 0, 1, 0x219c07ab, 0x4 },		/* basic: leaf 7.0 */
	{ 0x3fffffff, 1, 0x10, 0, 0 },		/* basic: leaf 7.1 */
	{ 0x80000009, 0, 1, 0x219c07ab, 0x4 },	/* extended: leaf 7.0 */
	{ 5, 0, 0, 0, 0 },			/* missing but in range */
	{ 0x80000005, 0, 0, 0, 0 },
	{ 0x40000001, 0, 0, 0, 0 },		/* outside both ranges */
	{ 0xc0000000, 0, 0, 0, 0 },
};

static void cpuid_out_of_range(struct kunit *test)
{
	struct fake_cpu *f = fake_alloc(test);
	unsigned int i;

	/* GenuineIntel, max basic leaf 7 (two subleaves), max extended 8. */
	add_leaf(f, 0, 0, 0, 7, 0x756e6547, 0x6c65746e, 0x49656e69);
	add_leaf(f, 7, 0, KHV_CPUID_FLAG_INDEXED, 1, 0x219c07ab, 0x4, 0);
	add_leaf(f, 7, 1, KHV_CPUID_FLAG_INDEXED, 0x10, 0, 0, 0);
	add_leaf(f, 0x80000000, 0, 0, 0x80000008, 0, 0, 0);
	add_leaf(f, 0x40000000, 0, 0, 0x40000000, 1, 2, 3);
	for (i = 0; i < ARRAY_SIZE(out_of_range_intel); i++) {
		run_cpuid(f, out_of_range_intel[i].fn,
			  out_of_range_intel[i].index);
		expect_regs(test, f, out_of_range_intel[i].eax,
			    out_of_range_intel[i].ebx,
			    out_of_range_intel[i].ecx, 0);
	}

	/* AuthenticAMD: zero above the maximum. */
	f = fake_alloc(test);
	add_leaf(f, 0, 0, 0, 7, 0x68747541, 0x444d4163, 0x69746e65);
	add_leaf(f, 7, 0, KHV_CPUID_FLAG_INDEXED, 1, 0x219c07ab, 0x4, 0);
	run_cpuid(f, 8, 0);
	expect_regs(test, f, 0, 0, 0, 0);
}

/* CPUID.01H:ECX.OSXSAVE[27] reflects CR4.OSXSAVE (SDM Vol. 2, CPUID). */
static void cpuid_osxsave(struct kunit *test)
{
	struct fake_cpu *f = fake_alloc(test);
	u32 ecx = 0xfffa3203 | CPUID1_ECX_OSXSAVE;

	add_leaf(f, 1, 0, 0, 0x806f8, 0x800, ecx, 0x178bfbff);
	add_leaf(f, 7, 0, KHV_CPUID_FLAG_INDEXED, 0, 0, CPUID1_ECX_OSXSAVE, 0);

	/* Userspace's bit is not what the guest sees: CR4 decides. */
	f->cr4 = 0;
	run_cpuid(f, 1, 0);
	expect_regs(test, f, 0x806f8, 0x800, ecx & ~CPUID1_ECX_OSXSAVE,
		    0x178bfbff);
	f->cr4 = CR4_OSXSAVE;
	run_cpuid(f, 1, 0);
	expect_regs(test, f, 0x806f8, 0x800, ecx, 0x178bfbff);
	/* Set in CR4 but clear in the table: still set. */
	f->vcpu.cpuid->entries[0].ecx &= ~CPUID1_ECX_OSXSAVE;
	run_cpuid(f, 0x100000001ULL, 0);
	expect_regs(test, f, 0x806f8, 0x800, ecx, 0x178bfbff);
	/* Other CR4 bits do not set it. */
	f->cr4 = ~CR4_OSXSAVE;
	run_cpuid(f, 1, 0);
	KUNIT_EXPECT_EQ(test, f->vcpu.gpr[KHV_RCX],
			(u64)(ecx & ~CPUID1_ECX_OSXSAVE));
	/* Bit 27 of ECX in another leaf is left alone either way. */
	f->cr4 = 0;
	run_cpuid(f, 7, 0);
	expect_regs(test, f, 0, 0, CPUID1_ECX_OSXSAVE, 0);
}

static u64 get(struct kunit *test, struct fake_cpu *f, u32 index)
{
	u64 v = 0xdead;

	KUNIT_EXPECT_EQ_MSG(test, khv_get_msr(&f->vcpu, index, &v), 0,
			    "RDMSR %#x", index);
	return v;
}

static void msr_common_regs(struct kunit *test)
{
	struct fake_cpu *f = fake_alloc(test);
	u64 v;

	/* Storage MSRs keep any value. */
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MSR_IA32_MISC_ENABLE,
					  0x850089), 0);
	KUNIT_EXPECT_EQ(test, get(test, f, MSR_IA32_MISC_ENABLE), 0x850089ULL);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MSR_K7_HWCR,
					  0xfedcba9876543210ULL), 0);
	KUNIT_EXPECT_EQ(test, get(test, f, MSR_K7_HWCR), 0xfedcba9876543210ULL);
	KUNIT_EXPECT_EQ(test, get(test, f, MSR_IA32_MISC_ENABLE), 0x850089ULL);

	/*
	 * MTRRcap: 8 variable ranges, fixed ranges and WC supported (SDM
	 * Vol. 3A, 12.11.1, Figure 12-5); read-only.
	 */
	KUNIT_EXPECT_EQ(test, get(test, f, MSR_MTRRcap), 0x508ULL);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MSR_MTRRcap, 0x508),
			-ENOENT);

	/* The microcode revision reads 0; writing it (before CPUID) works. */
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MSR_IA32_UCODE_REV,
					  0x1234ULL << 32), 0);
	KUNIT_EXPECT_EQ(test, get(test, f, MSR_IA32_UCODE_REV), 0ULL);

	/*
	 * No machine-check banks: MCG_CAP reads 0 and is read-only;
	 * MCG_STATUS reads 0 and takes only 0 (SDM Vol. 3B, 16.3.1).
	 */
	KUNIT_EXPECT_EQ(test, get(test, f, MSR_IA32_MCG_CAP), 0ULL);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MSR_IA32_MCG_CAP, 0),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, get(test, f, MSR_IA32_MCG_STATUS), 0ULL);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MSR_IA32_MCG_STATUS, 0), 0);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MSR_IA32_MCG_STATUS, 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MSR_IA32_MCG_STATUS,
					  BIT_ULL(63)), -EINVAL);

	/* What nobody handles. */
	v = 0x5a5a;
	KUNIT_EXPECT_EQ(test, khv_get_msr(&f->vcpu, UNKNOWN_MSR, &v), -ENOENT);
	KUNIT_EXPECT_EQ(test, v, 0x5a5aULL);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, UNKNOWN_MSR, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, khv_get_msr(&f->vcpu, 0x40000000, &v), -ENOENT);
}

/* A different valid value for each fixed-range MTRR: types in bytes 1:0. */
static u64 fixed_value(u32 i)
{
	static const u8 types[] = { 0, 1, 4, 5, 6 };

	return 0x0606060606060000ULL | types[i / 5] << 8 | types[i % 5];
}

/*
 * The MTRRs (SDM Vol. 3A, 12.11.2): IA32_MTRR_PHYSBASE0/PHYSMASK0 ...
 * PHYSBASE7/PHYSMASK7 at 200h-20Fh (MTRRcap.VCNT = 8), the eleven
 * fixed-range MTRRs at 250h, 258h, 259h, 268h-26Fh, and MTRRdefType at
 * 2FFh, each its own register.
 */
static void msr_mtrr_registers(struct kunit *test)
{
	static const u32 fixed[] = {
		0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c,
		0x26d, 0x26e, 0x26f,
	};
	static const u32 not_mtrrs[] = {
		0x1ff, 0x210, 0x24f, 0x251, 0x257, 0x25a, 0x267, 0x270, 0x2fe,
	};
	struct fake_cpu *f = fake_alloc(test);
	u64 v;
	u32 i;

	/* Distinct valid values everywhere, then read them all back. */
	for (i = 0; i < 16; i += 2) {
		KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MTRR_PHYSBASE0 + i,
						  (0x100000ULL << i) | 6), 0);
		KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MTRR_PHYSMASK0 + i,
						  0xffff000000ULL | BIT(11) |
						  (i << 12)), 0);
	}
	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, fixed[i],
						  fixed_value(i)), 0);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MTRR_DEF_TYPE, 0xc06), 0);

	for (i = 0; i < 16; i += 2) {
		KUNIT_EXPECT_EQ(test, get(test, f, MTRR_PHYSBASE0 + i),
				(0x100000ULL << i) | 6);
		KUNIT_EXPECT_EQ(test, get(test, f, MTRR_PHYSMASK0 + i),
				0xffff000000ULL | BIT(11) | (i << 12));
	}
	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		KUNIT_EXPECT_EQ(test, get(test, f, fixed[i]), fixed_value(i));
	KUNIT_EXPECT_EQ(test, get(test, f, MTRR_DEF_TYPE), 0xc06ULL);

	/* Next to them: not MTRRs, not khv's. */
	for (i = 0; i < ARRAY_SIZE(not_mtrrs); i++) {
		KUNIT_EXPECT_EQ_MSG(test, khv_get_msr(&f->vcpu, not_mtrrs[i],
						      &v), -ENOENT,
				    "RDMSR %#x", not_mtrrs[i]);
		KUNIT_EXPECT_EQ_MSG(test, khv_set_msr(&f->vcpu, not_mtrrs[i],
						      0), -ENOENT,
				    "WRMSR %#x", not_mtrrs[i]);
	}
}

/*
 * Values an MTRR cannot hold: WRMSR raises #GP for a reserved memory
 * type (2, 3, 7 and up: Table 12-8) or a reserved bit (12.11.2.1 -
 * 12.11.2.3), and the register keeps its value.
 */
static void msr_mtrr_invalid(struct kunit *test)
{
	static const struct {
		u32 index;
		u64 value;
	} bad[] = {
		{ MTRR_DEF_TYPE, 2 },		/* reserved types */
		{ MTRR_DEF_TYPE, 3 },
		{ MTRR_DEF_TYPE, 7 },
		{ MTRR_DEF_TYPE, 0x16 },
		{ MTRR_DEF_TYPE, 0x800 | BIT(8) },	/* bits 9:8 */
		{ MTRR_DEF_TYPE, 0x800 | BIT(12) },	/* bits 63:12 */
		{ MTRR_DEF_TYPE, BIT_ULL(63) | 6 },
		{ MTRR_PHYSBASE0, 0x100000 | 2 },
		{ MTRR_PHYSBASE0 + 14, 0x100000 | 0x80 },
		{ MTRR_PHYSBASE0, 0x100000 | BIT(8) | 6 },	/* 11:8 */
		{ MTRR_PHYSBASE0, BIT_ULL(52) | 6 },	/* > MAXPHYADDR */
		{ MTRR_PHYSMASK0, BIT(11) | BIT(0) },	/* bits 10:0 */
		{ MTRR_PHYSMASK0 + 14, BIT(11) | BIT(10) },
		{ MTRR_PHYSMASK0, BIT_ULL(63) | BIT(11) },
		{ MTRR_FIX64K_00000, 0x0206060606060606ULL },	/* PA7 */
		{ MTRR_FIX64K_00000, 0x0606060606060603ULL },	/* PA0 */
		{ 0x26f, 0x0606060608060606ULL },
	};
	struct fake_cpu *f = fake_alloc(test);
	u32 i;

	/* The valid types and flags, kept as the register to compare. */
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MTRR_DEF_TYPE, 0xc01), 0);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MTRR_DEF_TYPE, 0x405), 0);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MTRR_DEF_TYPE, 0x804), 0);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MTRR_DEF_TYPE, 0), 0);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MTRR_PHYSBASE0,
					  0x000ffffffffff000ULL | 5), 0);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MTRR_PHYSMASK0,
					  0x000ffffffffff800ULL), 0);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MTRR_FIX64K_00000,
					  0x0001040506000104ULL), 0);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MTRR_DEF_TYPE, 0xc06), 0);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		u64 before = get(test, f, bad[i].index);

		KUNIT_EXPECT_EQ_MSG(test, khv_set_msr(&f->vcpu, bad[i].index,
						      bad[i].value), -EINVAL,
				    "WRMSR %#x <- %#llx", bad[i].index,
				    bad[i].value);
		KUNIT_EXPECT_EQ_MSG(test, get(test, f, bad[i].index), before,
				    "MSR %#x changed", bad[i].index);
	}
}

/*
 * IA32_APIC_BASE (SDM Vol. 3A, 11.4.4, Figure 11-5): bits 7:0, 9 and
 * those above MAXPHYADDR are reserved; msr.c refuses them (up to bit 52)
 * and hands the rest to the local APIC, whose answer is the result.
 */
static void msr_apic_base(struct kunit *test)
{
	static const u64 reserved[] = {
		BIT_ULL(0), BIT_ULL(7), BIT_ULL(9), BIT_ULL(52), BIT_ULL(63),
	};
	struct fake_cpu *f = fake_alloc(test);
	u32 i;

	f->vcpu.apic_base = 0xfee00900;
	KUNIT_EXPECT_EQ(test, get(test, f, MSR_IA32_APICBASE), 0xfee00900ULL);

	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MSR_IA32_APICBASE,
					  0xfec00d00), 0);
	KUNIT_EXPECT_EQ(test, f->set_base_calls, 1);
	KUNIT_EXPECT_EQ(test, f->set_base_arg, 0xfec00d00ULL);
	KUNIT_EXPECT_EQ(test, get(test, f, MSR_IA32_APICBASE), 0xfec00d00ULL);
	/* The highest base bit below 52 is an address bit. */
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MSR_IA32_APICBASE,
					  BIT_ULL(51) | 0x800), 0);
	KUNIT_EXPECT_EQ(test, f->set_base_calls, 2);

	for (i = 0; i < ARRAY_SIZE(reserved); i++) {
		KUNIT_EXPECT_EQ_MSG(test, khv_set_msr(&f->vcpu,
						      MSR_IA32_APICBASE,
						      0xfee00800 | reserved[i]),
				    -EINVAL, "bit %#llx", reserved[i]);
	}
	KUNIT_EXPECT_EQ(test, f->set_base_calls, 2);
	KUNIT_EXPECT_EQ(test, get(test, f, MSR_IA32_APICBASE),
			BIT_ULL(51) | 0x800);

	/* The APIC's refusal (say x2APIC back to xAPIC) is the result. */
	f->set_base_ret = -EINVAL;
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MSR_IA32_APICBASE,
					  0xfee00800), -EINVAL);
	KUNIT_EXPECT_EQ(test, f->set_base_calls, 3);
}

/*
 * The backend is asked first, then the local APIC, then common code; an
 * error from either is the result, not a reason to try the next.
 */
static void msr_order(struct kunit *test)
{
	struct fake_cpu *f = fake_alloc(test);
	u64 v;

	f->vcpu.misc_enable = 1;
	f->vendor_msr = MSR_IA32_MISC_ENABLE;
	f->vendor_val = 0x42;
	KUNIT_EXPECT_EQ(test, get(test, f, MSR_IA32_MISC_ENABLE), 0x42ULL);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MSR_IA32_MISC_ENABLE, 7),
			0);
	KUNIT_EXPECT_EQ(test, f->vendor_written, 7ULL);
	KUNIT_EXPECT_EQ(test, f->vcpu.misc_enable, 1ULL);
	f->vendor_ret = -EINVAL;
	KUNIT_EXPECT_EQ(test, khv_get_msr(&f->vcpu, MSR_IA32_MISC_ENABLE, &v),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MSR_IA32_MISC_ENABLE, 8),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, f->vcpu.misc_enable, 1ULL);

	/* The APIC's MSR, and the backend before it for the same index. */
	f->vendor_msr = NO_MSR;
	f->vendor_ret = 0;
	f->lapic_msr = 0x808;		/* x2APIC TPR */
	f->lapic_val = 0x20;
	KUNIT_EXPECT_EQ(test, get(test, f, 0x808), 0x20ULL);
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, 0x808, 0x30), 0);
	KUNIT_EXPECT_EQ(test, f->lapic_written, 0x30ULL);
	f->lapic_ret = -EINVAL;
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, 0x808, 0x40), -EINVAL);
	f->vendor_msr = 0x808;
	f->vendor_val = 0x99;
	KUNIT_EXPECT_EQ(test, get(test, f, 0x808), 0x99ULL);

	/* Even an MTRR is the backend's if it claims it. */
	f->vendor_msr = MTRR_DEF_TYPE;
	f->vendor_ret = -EINVAL;
	KUNIT_EXPECT_EQ(test, khv_set_msr(&f->vcpu, MTRR_DEF_TYPE, 0xc06),
			-EINVAL);
	f->vendor_msr = NO_MSR;
	KUNIT_EXPECT_EQ(test, get(test, f, MTRR_DEF_TYPE), 0ULL);
}

/*
 * RDMSR/WRMSR exits (SDM Vol. 2, RDMSR, WRMSR): ECX selects the MSR,
 * EDX:EAX hold the value, bits 63:32 of RAX, RCX and RDX are ignored and
 * RDMSR clears them.  A failure leaves the registers alone and counts.
 */
static void msr_emulate_exits(struct kunit *test)
{
	struct fake_cpu *f = fake_alloc(test);
	u64 *g = f->vcpu.gpr;

	g[KHV_RCX] = 0xffffffff00000000ULL | MSR_IA32_MISC_ENABLE;
	g[KHV_RAX] = 0xaaaaaaaa00000089ULL;
	g[KHV_RDX] = 0xbbbbbbbb00000001ULL;
	KUNIT_EXPECT_EQ(test, khv_emulate_wrmsr(&f->vcpu), 0);
	KUNIT_EXPECT_EQ(test, f->vcpu.misc_enable, 0x100000089ULL);

	g[KHV_RAX] = ~0ULL;
	g[KHV_RDX] = ~0ULL;
	KUNIT_EXPECT_EQ(test, khv_emulate_rdmsr(&f->vcpu), 0);
	KUNIT_EXPECT_EQ(test, g[KHV_RAX], 0x89ULL);
	KUNIT_EXPECT_EQ(test, g[KHV_RDX], 1ULL);
	KUNIT_EXPECT_EQ(test, f->vcpu.stat.unknown_msr, 0ULL);

	/* An MSR nobody handles: an error (#GP for the guest), counted. */
	g[KHV_RCX] = UNKNOWN_MSR;
	g[KHV_RAX] = 0x1111;
	g[KHV_RDX] = 0x2222;
	KUNIT_EXPECT_EQ(test, khv_emulate_rdmsr(&f->vcpu), -EINVAL);
	KUNIT_EXPECT_EQ(test, g[KHV_RAX], 0x1111ULL);
	KUNIT_EXPECT_EQ(test, g[KHV_RDX], 0x2222ULL);
	KUNIT_EXPECT_EQ(test, f->vcpu.stat.unknown_msr, 1ULL);
	KUNIT_EXPECT_EQ(test, khv_emulate_wrmsr(&f->vcpu), -EINVAL);
	KUNIT_EXPECT_EQ(test, f->vcpu.stat.unknown_msr, 2ULL);

	/* A value the MSR cannot hold: refused and counted the same way. */
	g[KHV_RCX] = MTRR_DEF_TYPE;
	g[KHV_RAX] = 2;
	g[KHV_RDX] = 0;
	KUNIT_EXPECT_EQ(test, khv_emulate_wrmsr(&f->vcpu), -EINVAL);
	KUNIT_EXPECT_EQ(test, f->vcpu.stat.unknown_msr, 3ULL);
	KUNIT_EXPECT_EQ(test, f->vcpu.mtrr_def_type, 0ULL);
	/* The same register, a valid value: only bits 31:0 of RAX count. */
	g[KHV_RAX] = 0xffffffff00000c06ULL;
	KUNIT_EXPECT_EQ(test, khv_emulate_wrmsr(&f->vcpu), 0);
	KUNIT_EXPECT_EQ(test, f->vcpu.mtrr_def_type, 0xc06ULL);
	KUNIT_EXPECT_EQ(test, f->vcpu.stat.unknown_msr, 3ULL);
}

static struct kunit_case khv_cpuid_msr_cases[] = {
	KUNIT_CASE(cpuid_lookup),
	KUNIT_CASE(cpuid_indexed),
	KUNIT_CASE(cpuid_missing_leaf),
	KUNIT_CASE(cpuid_out_of_range),
	KUNIT_CASE(cpuid_osxsave),
	KUNIT_CASE(msr_common_regs),
	KUNIT_CASE(msr_mtrr_registers),
	KUNIT_CASE(msr_mtrr_invalid),
	KUNIT_CASE(msr_apic_base),
	KUNIT_CASE(msr_order),
	KUNIT_CASE(msr_emulate_exits),
	{}
};

static struct kunit_suite khv_cpuid_msr_suite = {
	.name = "khv_cpuid_msr",
	.test_cases = khv_cpuid_msr_cases,
};
kunit_test_suite(khv_cpuid_msr_suite);
