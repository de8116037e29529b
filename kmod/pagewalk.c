// SPDX-License-Identifier: GPL-2.0
/*
 * khv guest page-table walker (SDM Vol. 3A chapter 4).
 *
 * The walk translates a guest linear address for the instruction emulator
 * and checks the access rights the way the processor does, so that a
 * failing access becomes the same #PF the guest would have taken.
 *
 * Accessed and dirty bits are deliberately NOT set: hardware sets them
 * (Vol. 3A 4.8) when the guest's own walk for the faulting access runs;
 * the emulator only needs the translation.  PDPTEs of PAE
 * paging are read from memory at each walk rather than from the copy the
 * processor loaded with CR3 (4.4.1), which only differs for a guest that
 * rewrites live PDPTEs without reloading CR3.  Protection keys are not
 * checked.
 */
#include <linux/types.h>
#include <linux/errno.h>

#include "pagewalk.h"

#define CR0_WP			(1ULL << 16)
#define CR0_PG			(1ULL << 31)
#define CR4_PSE			(1ULL << 4)
#define CR4_PAE			(1ULL << 5)
#define CR4_LA57		(1ULL << 12)
#define CR4_SMEP		(1ULL << 20)
#define CR4_SMAP		(1ULL << 21)
#define EFER_LMA		(1ULL << 10)
#define EFER_NXE		(1ULL << 11)

#define PTE_P			(1ULL << 0)
#define PTE_RW			(1ULL << 1)
#define PTE_US			(1ULL << 2)
#define PTE_PS			(1ULL << 7)
#define PTE_NX			(1ULL << 63)

#define SZ_4K			0x1000ULL

/* Paging structures of one walk (Vol. 3A 4.1.1, Table 4-1). */
struct walk {
	const struct khv_walk_regs *r;
	unsigned int access;
	bool pae;		/* 8-byte entries: PAE or 4/5-level paging */
	bool lma;		/* 4/5-level paging */
	bool nx;		/* EFER.NXE in effect: bit 63 is XD */
	u64 phys_mask;		/* bits below MAXPHYADDR */
	u64 rsvd;		/* bits reserved in every 8-byte entry */
	/* Rights accumulated over the levels (Vol. 3A 4.6.1). */
	bool rw, us, xd;
};

static u64 low_bits(unsigned int n)
{
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

/*
 * Reserved bits of an entry at @level (1 = PTE) with @large set when it
 * maps a page: the entry formats of SDM Vol. 3A 4.3 (32-bit paging), 4.4
 * (PAE paging) and 4.5 (4-level and 5-level paging).
 */
static u64 rsvd_bits(const struct walk *w, unsigned int level, u64 e)
{
	bool large = level > 1 && (e & PTE_PS);
	u64 rsvd = w->rsvd;

	if (!w->pae) {
		/* 4 MiB PDE: bit 21, and PSE-36 bits above MAXPHYADDR. */
		if (level == 2 && large && (w->r->cr4 & CR4_PSE)) {
			unsigned int top = w->r->maxphyaddr ?: 52;

			rsvd = 1ULL << 21;
			if (top < 40)
				rsvd |= low_bits(21) & ~low_bits(13 + top - 32);
		}
		return rsvd;
	}
	if (!w->lma && level == 3)	/* PAE PDPTE (4.4.1) */
		return rsvd | PTE_NX | 0x1e6ULL;
	if (level >= 4)			/* PML4E, PML5E: PS is reserved */
		return rsvd | PTE_PS;
	if (large && level == 3)	/* 1 GiB page */
		return rsvd | (low_bits(30) & ~low_bits(13));
	if (large && level == 2)	/* 2 MiB page */
		return rsvd | (low_bits(21) & ~low_bits(13));
	return rsvd;
}

static int pf(const struct walk *w, u32 bits, u32 *pf_error_code)
{
	const struct khv_walk_regs *r = w->r;
	u32 code = bits;

	if (w->access & KHV_ACC_WRITE)
		code |= KHV_PFERR_WRITE;
	if (w->access & KHV_ACC_USER)
		code |= KHV_PFERR_USER;
	/* I/D is reported only with SMEP or with PAE and NXE (Vol. 3A 4.7). */
	if ((w->access & KHV_ACC_FETCH) &&
	    ((r->cr4 & CR4_SMEP) || ((r->cr4 & CR4_PAE) &&
				     (r->efer & EFER_NXE))))
		code |= KHV_PFERR_FETCH;
	*pf_error_code = code;
	return KHV_WALK_PF;
}

/* Access rights of the translation, Vol. 3A 4.6.1. */
static bool access_allowed(const struct walk *w)
{
	const struct khv_walk_regs *r = w->r;
	bool user = w->access & KHV_ACC_USER;

	if (user && !w->us)
		return false;
	if ((w->access & KHV_ACC_WRITE) && !w->rw &&
	    (user || (r->cr0 & CR0_WP)))
		return false;
	if (w->access & KHV_ACC_FETCH) {
		if (w->xd)
			return false;
		/* SMEP: no supervisor fetch from a user page. */
		if (!user && w->us && (r->cr4 & CR4_SMEP))
			return false;
	} else if (!user && w->us && (r->cr4 & CR4_SMAP) &&
		   !(w->access & KHV_ACC_SMAP_AC)) {
		return false;
	}
	return true;
}

int khv_gva_to_gpa(const struct khv_walk_regs *r, u64 gva, unsigned int access,
		   int (*read_gpa)(void *opaque, u64 gpa, void *buf,
				   unsigned int len),
		   void *opaque, u64 *gpa, u32 *pf_error_code)
{
	unsigned int maxpa = r->maxphyaddr ?: 52;
	unsigned int level, shift, esize;
	struct walk w = {
		.r = r, .access = access, .rw = true, .us = true,
	};
	u64 table, e, page_mask;

	*pf_error_code = 0;
	w.lma = r->efer & EFER_LMA;
	if (!(r->cr0 & CR0_PG)) {
		*gpa = w.lma ? gva : (u32)gva;
		return 0;
	}
	w.pae = r->cr4 & CR4_PAE;
	w.nx = w.pae && (r->efer & EFER_NXE);
	w.phys_mask = low_bits(maxpa);

	if (w.lma) {
		/* 4-level or 5-level paging (Vol. 3A 4.5); canonical check. */
		unsigned int va_bits = (r->cr4 & CR4_LA57) ? 57 : 48;
		unsigned int s = 64 - va_bits;

		if ((u64)((s64)(gva << s) >> s) != gva)
			return KHV_WALK_GP;
		level = va_bits == 57 ? 5 : 4;
		table = r->cr3 & w.phys_mask & ~(SZ_4K - 1);
		w.rsvd = low_bits(52) & ~w.phys_mask;
	} else if (w.pae) {
		/* PAE paging: CR3 bits 31:5 locate the PDPT (Vol. 3A 4.4.1). */
		gva = (u32)gva;
		level = 3;
		table = r->cr3 & 0xffffffe0ULL;
		w.rsvd = low_bits(63) & ~w.phys_mask;
	} else {
		gva = (u32)gva;
		level = 2;
		table = r->cr3 & 0xfffff000ULL;
		w.rsvd = 0;
	}
	if (w.pae && !w.nx)
		w.rsvd |= PTE_NX;
	esize = w.pae ? 8 : 4;

	for (;; level--) {
		unsigned int idx;

		if (w.pae) {
			shift = 12 + 9 * (level - 1);
			idx = (gva >> shift) & 511;
		} else {
			shift = 12 + 10 * (level - 1);
			idx = (gva >> shift) & 1023;
		}
		e = 0;
		if (read_gpa(opaque, table + idx * esize, &e, esize))
			return -EFAULT;
		if (!(e & PTE_P))
			return pf(&w, 0, pf_error_code);
		if (e & rsvd_bits(&w, level, e))
			return pf(&w, KHV_PFERR_PRESENT | KHV_PFERR_RSVD,
				  pf_error_code);
		/* A PAE PDPTE carries no access rights (4.4.1). */
		if (w.lma || level != 3) {
			w.rw &= !!(e & PTE_RW);
			w.us &= !!(e & PTE_US);
			if (w.nx && (e & PTE_NX))
				w.xd = true;
		}
		if (level == 1)
			break;
		/* PS maps a page at levels 2 and (4/5-level only) 3. */
		if ((e & PTE_PS) && (level == 2 || (level == 3 && w.lma)) &&
		    (w.pae || (r->cr4 & CR4_PSE)))
			break;
		table = w.pae ? e & w.phys_mask & ~(SZ_4K - 1) :
				e & 0xfffff000ULL;
	}

	if (!access_allowed(&w))
		return pf(&w, KHV_PFERR_PRESENT, pf_error_code);

	page_mask = low_bits(shift);
	if (!w.pae && level == 2) {
		/* 4 MiB page, PSE-36 bits 20:13 are address bits 39:32. */
		*gpa = (e & 0xffc00000ULL) | (((e >> 13) & 0xff) << 32) |
		       (gva & page_mask);
	} else if (!w.pae) {
		*gpa = (e & 0xfffff000ULL) | (gva & page_mask);
	} else {
		*gpa = (e & w.phys_mask & ~page_mask) | (gva & page_mask);
	}
	return 0;
}
