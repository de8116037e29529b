// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the guest page-table walker (pagewalk.c): page tables
 * are built in a small fake guest memory and every translation or fault
 * is compared with what the SDM (Vol. 3A chapter 4) says the processor
 * does.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/msr-index.h>

#include "pagewalk.h"

#define GMEM_SIZE	0x10000
#define P		0x1ULL
#define RW		0x2ULL
#define US		0x4ULL
#define PS		0x80ULL
#define NX		BIT_ULL(63)

#define CR0_WP		BIT_ULL(16)
#define CR0_PG		BIT_ULL(31)
#define CR4_PSE		BIT_ULL(4)
#define CR4_PAE		BIT_ULL(5)
#define CR4_LA57	BIT_ULL(12)
#define CR4_SMEP	BIT_ULL(20)
#define CR4_SMAP	BIT_ULL(21)

#define LM_CR0		(CR0_PG | CR0_WP | 1)	/* PG, WP, PE */
#define LM_EFER		(EFER_LMA | EFER_LME)

struct gmem {
	u8 bytes[GMEM_SIZE];
	unsigned int reads;
};

static int gmem_read(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	struct gmem *m = opaque;

	m->reads++;
	if (gpa >= GMEM_SIZE || len > GMEM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, &m->bytes[gpa], len);
	return 0;
}

static void put64(struct gmem *m, u64 gpa, u64 v)
{
	memcpy(&m->bytes[gpa], &v, sizeof(v));
}

static void put32(struct gmem *m, u64 gpa, u32 v)
{
	memcpy(&m->bytes[gpa], &v, sizeof(v));
}

struct walk_out {
	u64 gpa;
	u32 err;
};

static int do_walk(struct gmem *m, const struct khv_walk_regs *r, u64 gva,
		   unsigned int acc, struct walk_out *o)
{
	o->gpa = ~0ULL;
	o->err = ~0U;
	return khv_gva_to_gpa(r, gva, acc, gmem_read, m, &o->gpa, &o->err);
}

/*
 * 4-level tables at 0x1000 (PML4), 0x2000 (PDPT), 0x3000 (PD) and 0x4000
 * (PT): PT[5] maps 0x9000, PD[1] is a 2 MiB page at 0x400000.
 */
static struct gmem *four_level(struct kunit *test, u64 pte_flags)
{
	struct gmem *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	put64(m, 0x1000, 0x2000 | P | RW | US);
	put64(m, 0x2000, 0x3000 | P | RW | US);
	put64(m, 0x3000, 0x4000 | P | RW | US);
	put64(m, 0x3000 + 8, 0x400000 | P | RW | US | PS);
	put64(m, 0x4000 + 5 * 8, 0x9000 | pte_flags);
	return m;
}

static const struct khv_walk_regs lm_regs = {
	.cr0 = LM_CR0, .cr3 = 0x1000, .cr4 = CR4_PAE, .efer = LM_EFER,
};

static void pw_paging_off(struct kunit *test)
{
	struct khv_walk_regs r = { .cr0 = 1 };
	struct gmem *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct walk_out o;

	KUNIT_ASSERT_NOT_NULL(test, m);
	/* Without paging, linear is physical, truncated to 32 bits. */
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x123456789ULL, KHV_ACC_WRITE, &o), 0);
	KUNIT_EXPECT_EQ(test, o.gpa, 0x23456789ULL);
	KUNIT_EXPECT_EQ(test, m->reads, 0U);
}

static void pw_four_level_4k(struct kunit *test)
{
	struct gmem *m = four_level(test, P | RW | US);
	struct walk_out o;

	KUNIT_EXPECT_EQ(test, do_walk(m, &lm_regs, 0x5123, KHV_ACC_USER |
				      KHV_ACC_WRITE, &o), 0);
	KUNIT_EXPECT_EQ(test, o.gpa, 0x9123ULL);
	KUNIT_EXPECT_EQ(test, m->reads, 4U);
	/* CR3's low 12 bits are flags (PCD, PWT or a PCID), not address. */
	m->reads = 0;
	{
		struct khv_walk_regs r = lm_regs;

		r.cr3 |= 0x18;
		KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x5fff, 0, &o), 0);
		KUNIT_EXPECT_EQ(test, o.gpa, 0x9fffULL);
	}
}

static void pw_two_mib_page(struct kunit *test)
{
	struct gmem *m = four_level(test, P);
	struct walk_out o;

	KUNIT_EXPECT_EQ(test, do_walk(m, &lm_regs, 0x212345, 0, &o), 0);
	KUNIT_EXPECT_EQ(test, o.gpa, 0x412345ULL);
	KUNIT_EXPECT_EQ(test, m->reads, 3U);
	/* Bits 20:13 of a 2 MiB PDE are reserved. */
	put64(m, 0x3000 + 8, 0x400000 | BIT_ULL(13) | P | PS);
	KUNIT_EXPECT_EQ(test, do_walk(m, &lm_regs, 0x212345, 0, &o),
			KHV_WALK_PF);
	KUNIT_EXPECT_EQ(test, o.err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
	/* So are the bits above MAXPHYADDR. */
	{
		struct khv_walk_regs r = lm_regs;

		r.maxphyaddr = 40;
		put64(m, 0x3000 + 8, BIT_ULL(41) | 0x400000 | P | PS);
		KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x212345, 0, &o),
				KHV_WALK_PF);
		KUNIT_EXPECT_EQ(test, o.err,
				KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
	}
}

static void pw_not_present(struct kunit *test)
{
	struct gmem *m = four_level(test, 0);
	struct walk_out o;

	KUNIT_EXPECT_EQ(test, do_walk(m, &lm_regs, 0x5000, 0, &o), KHV_WALK_PF);
	KUNIT_EXPECT_EQ(test, o.err, 0U);
	KUNIT_EXPECT_EQ(test, do_walk(m, &lm_regs, 0x5000, KHV_ACC_WRITE |
				      KHV_ACC_USER, &o), KHV_WALK_PF);
	KUNIT_EXPECT_EQ(test, o.err, KHV_PFERR_WRITE | KHV_PFERR_USER);
	/* A missing PML4 entry stops the walk at the first read. */
	m->reads = 0;
	KUNIT_EXPECT_EQ(test, do_walk(m, &lm_regs, 1ULL << 39, 0, &o),
			KHV_WALK_PF);
	KUNIT_EXPECT_EQ(test, m->reads, 1U);
}

static void pw_write_protect(struct kunit *test)
{
	struct gmem *m = four_level(test, P | US);
	struct khv_walk_regs r = lm_regs;
	struct walk_out o;

	/* CR0.WP=1: a supervisor write to a read-only page faults. */
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x5000, KHV_ACC_WRITE, &o),
			KHV_WALK_PF);
	KUNIT_EXPECT_EQ(test, o.err, KHV_PFERR_PRESENT | KHV_PFERR_WRITE);
	/* CR0.WP=0: it does not; a user write still does. */
	r.cr0 &= ~CR0_WP;
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x5000, KHV_ACC_WRITE, &o), 0);
	KUNIT_EXPECT_EQ(test, o.gpa, 0x9000ULL);
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x5000, KHV_ACC_WRITE |
				      KHV_ACC_USER, &o), KHV_WALK_PF);
	KUNIT_EXPECT_EQ(test, o.err, KHV_PFERR_PRESENT | KHV_PFERR_WRITE |
			KHV_PFERR_USER);
	/* R/W=0 at a higher level is enough to deny the write. */
	put64(m, 0x4000 + 5 * 8, 0x9000 | P | RW | US);
	put64(m, 0x2000, 0x3000 | P | US);
	KUNIT_EXPECT_EQ(test, do_walk(m, &lm_regs, 0x5000, KHV_ACC_WRITE, &o),
			KHV_WALK_PF);
	KUNIT_EXPECT_EQ(test, o.err, KHV_PFERR_PRESENT | KHV_PFERR_WRITE);
}

static void pw_execute_disable(struct kunit *test)
{
	struct gmem *m = four_level(test, P | RW | NX);
	struct khv_walk_regs r = lm_regs;
	struct walk_out o;

	/* Without EFER.NXE, bit 63 is reserved. */
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x5000, 0, &o), KHV_WALK_PF);
	KUNIT_EXPECT_EQ(test, o.err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
	r.efer |= EFER_NX;
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x5000, 0, &o), 0);
	KUNIT_EXPECT_EQ(test, o.gpa, 0x9000ULL);
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x5000, KHV_ACC_FETCH, &o),
			KHV_WALK_PF);
	KUNIT_EXPECT_EQ(test, o.err, KHV_PFERR_PRESENT | KHV_PFERR_FETCH);
}

static void pw_smep_smap(struct kunit *test)
{
	struct gmem *m = four_level(test, P | RW | US);
	struct khv_walk_regs r = lm_regs;
	struct walk_out o;

	r.cr4 |= CR4_SMEP | CR4_SMAP;
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x5000, KHV_ACC_FETCH, &o),
			KHV_WALK_PF);
	KUNIT_EXPECT_EQ(test, o.err, KHV_PFERR_PRESENT | KHV_PFERR_FETCH);
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x5000, 0, &o), KHV_WALK_PF);
	KUNIT_EXPECT_EQ(test, o.err, KHV_PFERR_PRESENT);
	/* EFLAGS.AC=1 lifts SMAP for explicit supervisor accesses. */
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x5000, KHV_ACC_SMAP_AC, &o), 0);
	KUNIT_EXPECT_EQ(test, o.gpa, 0x9000ULL);
	/* User accesses to user pages are not affected. */
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x5000, KHV_ACC_USER |
				      KHV_ACC_FETCH, &o), 0);
}

static void pw_canonical_and_unreadable(struct kunit *test)
{
	struct gmem *m = four_level(test, P);
	struct khv_walk_regs r = lm_regs;
	struct walk_out o;

	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x0000800000000000ULL, 0, &o),
			KHV_WALK_GP);
	KUNIT_EXPECT_EQ(test, m->reads, 0U);
	/* LA57 widens the canonical range: the same address now walks. */
	r.cr4 |= CR4_LA57;
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x0000800000000000ULL, 0, &o),
			KHV_WALK_PF);
	KUNIT_EXPECT_EQ(test, o.err, 0U);
	/* A paging structure outside guest memory is -EFAULT, not a #PF. */
	r = lm_regs;
	r.cr3 = 0x100000;
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x5000, 0, &o), -EFAULT);
}

static void pw_legacy_modes(struct kunit *test)
{
	struct gmem *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct khv_walk_regs r = { .cr0 = CR0_PG | 1, .cr3 = 0x1000 };
	struct walk_out o;

	KUNIT_ASSERT_NOT_NULL(test, m);
	/* 32-bit paging, 4 KiB: PDE 1 -> PT at 0x2000, PTE 2 -> 0x5000. */
	put32(m, 0x1000 + 1 * 4, 0x2000 | P | RW);
	put32(m, 0x2000 + 2 * 4, 0x5000 | P | RW);
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x402123, 0, &o), 0);
	KUNIT_EXPECT_EQ(test, o.gpa, 0x5123ULL);
	/* With CR4.PSE, a PS PDE maps 4 MiB; PSE-36 bits give bits 39:32. */
	r.cr4 = CR4_PSE;
	put32(m, 0x1000 + 3 * 4, 0x00c00000 | (0x5 << 13) | P | PS);
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, (3 << 22) | 0x12345, 0, &o), 0);
	KUNIT_EXPECT_EQ(test, o.gpa, 0x500c12345ULL);

	/* PAE: the PDPT at CR3[31:5]; its reserved bits 2:1 fault. */
	r.cr4 = CR4_PAE;
	r.cr3 = 0x3020;
	put64(m, 0x3020, 0x6000 | P);
	put64(m, 0x6000, 0x7000 | P | RW);
	put64(m, 0x7000 + 8, 0x8000 | P | RW);
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x1abc, KHV_ACC_WRITE, &o), 0);
	KUNIT_EXPECT_EQ(test, o.gpa, 0x8abcULL);
	put64(m, 0x3020, 0x6000 | RW | P);
	KUNIT_EXPECT_EQ(test, do_walk(m, &r, 0x1abc, 0, &o), KHV_WALK_PF);
	KUNIT_EXPECT_EQ(test, o.err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
}

static struct kunit_case khv_pagewalk_cases[] = {
	KUNIT_CASE(pw_paging_off),
	KUNIT_CASE(pw_four_level_4k),
	KUNIT_CASE(pw_two_mib_page),
	KUNIT_CASE(pw_not_present),
	KUNIT_CASE(pw_write_protect),
	KUNIT_CASE(pw_execute_disable),
	KUNIT_CASE(pw_smep_smap),
	KUNIT_CASE(pw_canonical_and_unreadable),
	KUNIT_CASE(pw_legacy_modes),
	{}
};

static struct kunit_suite khv_pagewalk_suite = {
	.name = "khv_pagewalk",
	.test_cases = khv_pagewalk_cases,
};
kunit_test_suite(khv_pagewalk_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of khv's pure logic");
