// SPDX-License-Identifier: GPL-2.0
/* khv_gva_to_gpa() over page tables built in a fake guest memory. */
#include <errno.h>
#include <string.h>

#include "pagewalk.h"
#include "test.h"

#define GMEM_SIZE	0x400000ULL

#define P		0x1ULL
#define RW		0x2ULL
#define US		0x4ULL
#define PS		0x80ULL
#define NX		(1ULL << 63)

#define CR0_PE		0x1ULL
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define CR4_SMEP	(1ULL << 20)
#define CR4_SMAP	(1ULL << 21)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)

static u8 gmem[GMEM_SIZE];
static int pte_reads;

static int read_gpa(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	(void)opaque;
	pte_reads++;
	if (gpa >= GMEM_SIZE || gpa + len > GMEM_SIZE)
		return -EFAULT;
	memcpy(buf, &gmem[gpa], len);
	return 0;
}

static void put64(u64 gpa, u64 v)
{
	memcpy(&gmem[gpa], &v, 8);
}

static void put32(u64 gpa, u32 v)
{
	memcpy(&gmem[gpa], &v, 4);
}

static u64 out_gpa;
static u32 out_err;

static int walk(const struct khv_walk_regs *r, u64 gva, unsigned int acc)
{
	out_gpa = ~0ULL;
	out_err = ~0U;
	return khv_gva_to_gpa(r, gva, acc, read_gpa, NULL, &out_gpa, &out_err);
}

static void reset(void)
{
	memset(gmem, 0, sizeof(gmem));
	pte_reads = 0;
}

TEST(pw_paging_off_is_identity)
{
	struct khv_walk_regs r = { .cr0 = CR0_PE };

	reset();
	CHECK_EQ(walk(&r, 0x123456789ULL, KHV_ACC_WRITE), 0);
	CHECK_EQ(out_gpa, 0x23456789);
	CHECK_EQ(pte_reads, 0);
}

TEST(pw_32bit_4k_and_4m_pages)
{
	struct khv_walk_regs r = { .cr0 = CR0_PE | CR0_PG | CR0_WP,
				   .cr3 = 0x1000 };
	u64 gva = (1ULL << 22) | (2 << 12) | 0x123;

	reset();
	put32(0x1000 + 1 * 4, 0x2000 | P | RW | US);
	put32(0x2000 + 2 * 4, 0x5000 | P | RW | US);
	CHECK_EQ(walk(&r, gva, KHV_ACC_USER | KHV_ACC_WRITE), 0);
	CHECK_EQ(out_gpa, 0x5123);
	/* CR3 low bits are flags, not address. */
	r.cr3 = 0x1018;
	CHECK_EQ(walk(&r, gva, 0), 0);
	CHECK_EQ(out_gpa, 0x5123);

	/* A PS PDE without CR4.PSE points to a page table. */
	put32(0x1000 + 3 * 4, 0x3000 | P | RW | PS);
	put32(0x3000 + 0x12 * 4, 0x7000 | P);
	CHECK_EQ(walk(&r, (3 << 22) | 0x12345, 0), 0);
	CHECK_EQ(out_gpa, 0x7345);
	/* ... so bit 21 is an address bit there, not a reserved one. */
	put32(0x1000 + 4 * 4, 0x203000 | P | PS);
	put32(0x203000 + 0x12 * 4, 0x8000 | P);
	CHECK_EQ(walk(&r, (4 << 22) | 0x12345, 0), 0);
	CHECK_EQ(out_gpa, 0x8345);
	/* With PSE: a 4 MiB page. */
	r.cr4 = CR4_PSE;
	put32(0x1000 + 3 * 4, 0x00c00000 | P | RW | PS);
	CHECK_EQ(walk(&r, (3 << 22) | 0x12345, 0), 0);
	CHECK_EQ(out_gpa, 0xc12345);
	/* PSE-36: PDE bits 20:13 are address bits 39:32. */
	put32(0x1000 + 3 * 4, 0x00c00000 | (0x5 << 13) | P | PS);
	CHECK_EQ(walk(&r, (3 << 22) | 0x12345, 0), 0);
	CHECK_EQ(out_gpa, 0x500c12345ULL);
	/* Bit 21 is reserved; so are PSE-36 bits above MAXPHYADDR. */
	put32(0x1000 + 3 * 4, 0x00c00000 | (1 << 21) | P | PS);
	CHECK_EQ(walk(&r, (3 << 22), 0), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
	r.maxphyaddr = 36;
	put32(0x1000 + 3 * 4, 0x00c00000 | (0x10 << 13) | P | PS);
	CHECK_EQ(walk(&r, (3 << 22), 0), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
	put32(0x1000 + 3 * 4, 0x00c00000 | (0x8 << 13) | P | PS);
	CHECK_EQ(walk(&r, (3 << 22), 0), 0);
	/* No NX in 32-bit paging: fetches are fine, no I/D bit. */
	put32(0x2000 + 2 * 4, 0x5000);
	CHECK_EQ(walk(&r, gva, KHV_ACC_FETCH), KHV_WALK_PF);
	CHECK_EQ(out_err, 0);
}

TEST(pw_pae_paging)
{
	struct khv_walk_regs r = { .cr0 = CR0_PE | CR0_PG | CR0_WP,
				   .cr3 = 0x3020, .cr4 = CR4_PAE,
				   .maxphyaddr = 40 };
	u64 gva = (1ULL << 30) | (2 << 21) | (3 << 12) | 0x45;

	reset();
	put64(0x3020 + 1 * 8, 0x4000 | P);
	put64(0x4000 + 2 * 8, 0x5000 | P | RW);
	put64(0x5000 + 3 * 8, 0x6000 | P | RW);
	CHECK_EQ(walk(&r, gva, KHV_ACC_WRITE), 0);
	CHECK_EQ(out_gpa, 0x6045);
	/* 2 MiB page. */
	put64(0x4000 + 4 * 8, 0x200000 | P | PS);
	CHECK_EQ(walk(&r, (1ULL << 30) | (4 << 21) | 0x1234, 0), 0);
	CHECK_EQ(out_gpa, 0x201234);
	/* 2 MiB page: bits 20:13 reserved. */
	put64(0x4000 + 4 * 8, 0x200000 | (1 << 13) | P | PS);
	CHECK_EQ(walk(&r, (1ULL << 30) | (4 << 21), 0), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
	/* High physical addresses above 4 GiB within MAXPHYADDR. */
	put64(0x5000 + 3 * 8, 0xab00006000ULL | P | RW);
	CHECK_EQ(walk(&r, gva, 0), 0);
	CHECK_EQ(out_gpa, 0xab00006045ULL);
	/* ... and beyond it (bit 40 with MAXPHYADDR 40). */
	put64(0x5000 + 3 * 8, (1ULL << 40) | 0x6000 | P | RW);
	CHECK_EQ(walk(&r, gva, KHV_ACC_WRITE), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD |
		 KHV_PFERR_WRITE);
	/* PAE: bits 62:52 are reserved too. */
	put64(0x5000 + 3 * 8, (1ULL << 60) | 0x6000 | P | RW);
	CHECK_EQ(walk(&r, gva, 0), KHV_WALK_PF);
	put64(0x5000 + 3 * 8, 0x6000 | P | RW);
	/* PDPTE: RW/US bits are reserved; not-present is P=0. */
	put64(0x3020 + 1 * 8, 0x4000 | P | RW);
	CHECK_EQ(walk(&r, gva, 0), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
	put64(0x3020 + 1 * 8, 0x4000);
	CHECK_EQ(walk(&r, gva, KHV_ACC_USER), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_USER);
	put64(0x3020 + 1 * 8, 0x4000 | P);
	/* XD without EFER.NXE is a reserved bit. */
	put64(0x5000 + 3 * 8, 0x6000 | P | RW | NX);
	CHECK_EQ(walk(&r, gva, 0), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
	/* With NXE: data is fine, a fetch faults with I/D. */
	r.efer = EFER_NXE;
	CHECK_EQ(walk(&r, gva, 0), 0);
	CHECK_EQ(walk(&r, gva, KHV_ACC_FETCH), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_FETCH);
	/* The address is 32-bit. */
	put64(0x5000 + 3 * 8, 0x6000 | P | RW);
	CHECK_EQ(walk(&r, 0xf00000000ULL | gva, 0), 0);
	CHECK_EQ(out_gpa, 0x6045);
}

/* PML4 at 0x10000; the chain for gva in the upper half. */
static struct khv_walk_regs long_regs(void)
{
	struct khv_walk_regs r = {
		.cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = 0x10000,
		.cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA | EFER_NXE,
		.maxphyaddr = 46,
	};
	return r;
}

#define GVA4(l4, l3, l2, l1, off)					\
	(0xffff000000000000ULL | ((u64)(l4) << 39) | ((u64)(l3) << 30) | \
	 ((u64)(l2) << 21) | ((u64)(l1) << 12) | (off))

static void build_long(void)
{
	reset();
	put64(0x10000 + 256 * 8, 0x11000 | P | RW | US);
	put64(0x11000 + 1 * 8, 0x12000 | P | RW | US);
	put64(0x12000 + 2 * 8, 0x13000 | P | RW | US);
	put64(0x13000 + 3 * 8, 0x123456000ULL | P | RW | US);
}

TEST(pw_4level_4k_2m_1g)
{
	struct khv_walk_regs r = long_regs();

	build_long();
	CHECK_EQ(walk(&r, GVA4(256, 1, 2, 3, 0xabc), KHV_ACC_WRITE), 0);
	CHECK_EQ(out_gpa, 0x123456abcULL);
	CHECK_EQ(pte_reads, 4);
	/* 2 MiB page. */
	put64(0x12000 + 5 * 8, 0x40000000ULL | P | RW | PS);
	CHECK_EQ(walk(&r, GVA4(256, 1, 5, 7, 0x123), 0), 0);
	CHECK_EQ(out_gpa, 0x40007123ULL);
	/* 1 GiB page. */
	put64(0x11000 + 3 * 8, 0x1c0000000ULL | P | RW | PS);
	CHECK_EQ(walk(&r, GVA4(256, 3, 0x1ff, 0x1ff, 0xfff), 0), 0);
	CHECK_EQ(out_gpa, 0x1ffffffffULL);
	/* 1 GiB page: bits 29:13 are reserved. */
	put64(0x11000 + 3 * 8, 0x1c0000000ULL | (1 << 20) | P | PS);
	CHECK_EQ(walk(&r, GVA4(256, 3, 0, 0, 0), 0), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
	/* PS in a PML4E is reserved. */
	put64(0x10000 + 7 * 8, 0x11000 | P | RW | PS);
	CHECK_EQ(walk(&r, 7ULL << 39, 0), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
	/* Bits 62:52 are not reserved in 4-level paging. */
	put64(0x13000 + 3 * 8, (0x7fULL << 52) | 0x123456000ULL | P | RW);
	CHECK_EQ(walk(&r, GVA4(256, 1, 2, 3, 0), 0), 0);
	CHECK_EQ(out_gpa, 0x123456000ULL);
	/* A paging structure outside memory. */
	put64(0x13000 + 3 * 8, 0x123456000ULL | P | RW);
	put64(0x12000 + 2 * 8, 0x40000000ULL | P | RW);
	CHECK_EQ(walk(&r, GVA4(256, 1, 2, 3, 0), 0), -EFAULT);
}

TEST(pw_non_canonical_is_gp)
{
	struct khv_walk_regs r = long_regs();

	build_long();
	CHECK_EQ(walk(&r, 0x0000800000000000ULL, 0), KHV_WALK_GP);
	CHECK_EQ(walk(&r, 0xfff0000000000000ULL, 0), KHV_WALK_GP);
	CHECK_EQ(pte_reads, 0);
	/* Canonical but unmapped is a #PF. */
	CHECK_EQ(walk(&r, 0x00007ffffffff000ULL, 0), KHV_WALK_PF);
	r.cr4 |= CR4_LA57;
	CHECK_EQ(walk(&r, 0x0100000000000000ULL, 0), KHV_WALK_GP);
}

TEST(pw_5level)
{
	struct khv_walk_regs r = long_regs();
	u64 gva = (0x1ffULL << 48) | GVA4(256, 1, 2, 3, 0x77);

	build_long();
	r.cr4 |= CR4_LA57;
	r.cr3 = 0x20000;
	put64(0x20000 + 0x1ff * 8, 0x10000 | P | RW);
	CHECK_EQ(walk(&r, gva, 0), 0);
	CHECK_EQ(out_gpa, 0x123456077ULL);
	CHECK_EQ(pte_reads, 5);
	/* Beyond 48 bits, canonical with 57: PML5 index 1. */
	put64(0x20000 + 1 * 8, 0x10000 | P | RW);
	put64(0x10000 + 0, 0x11000 | P | RW);
	put64(0x11000 + 0, 0x80000000ULL | P | RW | PS);
	CHECK_EQ(walk(&r, 0x0001000000001234ULL, 0), 0);
	CHECK_EQ(out_gpa, 0x80001234ULL);
	/* PS in a PML5E is reserved. */
	put64(0x20000 + 2 * 8, 0x10000 | P | RW | PS);
	CHECK_EQ(walk(&r, 0x0002000000000000ULL, 0), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
}

TEST(pw_error_codes_sdm_4_7)
{
	struct khv_walk_regs r = long_regs();
	u64 gva = GVA4(256, 1, 2, 3, 0);

	build_long();
	/* Not present: P=0, W and U from the access. */
	put64(0x13000 + 3 * 8, 0x123456000ULL);
	CHECK_EQ(walk(&r, gva, 0), KHV_WALK_PF);
	CHECK_EQ(out_err, 0);
	CHECK_EQ(walk(&r, gva, KHV_ACC_WRITE | KHV_ACC_USER), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_WRITE | KHV_PFERR_USER);
	/* I/D on a not-present fetch with NXE. */
	CHECK_EQ(walk(&r, gva, KHV_ACC_FETCH), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_FETCH);

	/* Read-only PDE: supervisor write faults with WP=1 only. */
	put64(0x13000 + 3 * 8, 0x123456000ULL | P | RW | US);
	put64(0x12000 + 2 * 8, 0x13000 | P | US);
	CHECK_EQ(walk(&r, gva, KHV_ACC_WRITE), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_WRITE);
	CHECK_EQ(walk(&r, gva, 0), 0);
	r.cr0 &= ~CR0_WP;
	CHECK_EQ(walk(&r, gva, KHV_ACC_WRITE), 0);
	/* A user write faults whatever WP says. */
	CHECK_EQ(walk(&r, gva, KHV_ACC_WRITE | KHV_ACC_USER), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_WRITE |
		 KHV_PFERR_USER);
	r.cr0 |= CR0_WP;

	/* Supervisor-only PDPTE: user access faults. */
	put64(0x12000 + 2 * 8, 0x13000 | P | RW | US);
	put64(0x11000 + 1 * 8, 0x12000 | P | RW);
	CHECK_EQ(walk(&r, gva, KHV_ACC_USER), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_USER);
	CHECK_EQ(walk(&r, gva, 0), 0);
	put64(0x11000 + 1 * 8, 0x12000 | P | RW | US);

	/* NX in the PML4E: fetch faults, user fetch too. */
	put64(0x10000 + 256 * 8, 0x11000 | P | RW | US | NX);
	CHECK_EQ(walk(&r, gva, KHV_ACC_FETCH), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_FETCH);
	CHECK_EQ(walk(&r, gva, KHV_ACC_FETCH | KHV_ACC_USER), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_FETCH |
		 KHV_PFERR_USER);
	CHECK_EQ(walk(&r, gva, KHV_ACC_WRITE | KHV_ACC_USER), 0);
	/* Without NXE bit 63 is reserved. */
	r.efer &= ~EFER_NXE;
	CHECK_EQ(walk(&r, gva, 0), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
	/* ... and the I/D bit is then not reported. */
	CHECK_EQ(walk(&r, gva, KHV_ACC_FETCH), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
	r.efer |= EFER_NXE;
	put64(0x10000 + 256 * 8, 0x11000 | P | RW | US);

	/* Reserved address bit (bit 46 with MAXPHYADDR 46) in the PTE. */
	put64(0x13000 + 3 * 8, (1ULL << 46) | 0x123456000ULL | P | RW);
	CHECK_EQ(walk(&r, gva, KHV_ACC_WRITE), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD |
		 KHV_PFERR_WRITE);
	/* Reserved beats not-present at a lower level: walk stops there. */
	put64(0x12000 + 2 * 8, (1ULL << 50) | 0x13000 | P | RW);
	CHECK_EQ(walk(&r, gva, 0), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_RSVD);
	/* MAXPHYADDR 52: bit 50 is an address bit. */
	r.maxphyaddr = 0;
	put64(0x12000 + 2 * 8, 0x13000 | P | RW);
	put64(0x13000 + 3 * 8, (1ULL << 50) | 0x123456000ULL | P | RW);
	CHECK_EQ(walk(&r, gva, 0), 0);
	CHECK_EQ(out_gpa, (1ULL << 50) | 0x123456000ULL);
}

TEST(pw_smep_smap)
{
	struct khv_walk_regs r = long_regs();
	u64 gva = GVA4(256, 1, 2, 3, 0);

	build_long();
	r.cr4 |= CR4_SMEP | CR4_SMAP;
	/* Supervisor fetch from a user page. */
	CHECK_EQ(walk(&r, gva, KHV_ACC_FETCH), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT | KHV_PFERR_FETCH);
	/* Supervisor data access to a user page, unless EFLAGS.AC. */
	CHECK_EQ(walk(&r, gva, 0), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_PRESENT);
	CHECK_EQ(walk(&r, gva, KHV_ACC_SMAP_AC | KHV_ACC_WRITE), 0);
	/* User accesses are not affected. */
	CHECK_EQ(walk(&r, gva, KHV_ACC_USER | KHV_ACC_FETCH), 0);
	/* I/D with SMEP even without NXE. */
	r.efer &= ~EFER_NXE;
	put64(0x13000 + 3 * 8, 0);
	CHECK_EQ(walk(&r, gva, KHV_ACC_FETCH), KHV_WALK_PF);
	CHECK_EQ(out_err, KHV_PFERR_FETCH);
}
