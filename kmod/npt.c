// SPDX-License-Identifier: GPL-2.0
/*
 * khv: the nested page table, built on demand.
 *
 * AMD's nested page table has the format of a long-mode page table
 * (APM Vol. 2, 15.25.5 "Nested Table Walk"): four levels of 512 8-byte
 * entries.  Nested walks are user accesses, so every level must have the
 * U/S bit set as well as P and R/W.  A leaf maps one 4 KiB guest page to
 * a page of the launcher's memory that is pinned while it is mapped.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/io.h>

#include "khv.h"

#define NPT_P		BIT_ULL(0)
#define NPT_RW		BIT_ULL(1)
#define NPT_US		BIT_ULL(2)
#define NPT_TABLE	(NPT_P | NPT_RW | NPT_US)
#define NPT_ADDR_MASK	GENMASK_ULL(51, 12)
#define NPT_LEVELS	4

static unsigned int npt_index(u64 gpa, int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

static u64 *npt_table(u64 entry)
{
	return __va(entry & NPT_ADDR_MASK);
}

int khv_npt_init(struct khv_npt *npt)
{
	mutex_init(&npt->lock);
	npt->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!npt->root)
		return -ENOMEM;
	npt->tables = 1;
	return 0;
}

u64 khv_npt_root_pa(struct khv_npt *npt)
{
	return __pa(npt->root);
}

static void npt_unpin(u64 leaf)
{
	struct page *page = pfn_to_page((leaf & NPT_ADDR_MASK) >> PAGE_SHIFT);

	unpin_user_pages_dirty_lock(&page, 1, leaf & NPT_RW);
}

/* Find the leaf entry for gpa, allocating tables on the way if asked. */
static u64 *npt_leaf(struct khv_npt *npt, u64 gpa, bool alloc)
{
	u64 *table = npt->root;
	int level;

	for (level = NPT_LEVELS; level > 1; level--) {
		u64 *e = &table[npt_index(gpa, level)];

		if (!(*e & NPT_P)) {
			u64 *next;

			if (!alloc)
				return NULL;
			next = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
			if (!next)
				return NULL;
			npt->tables++;
			*e = __pa(next) | NPT_TABLE;
		}
		table = npt_table(*e);
	}
	return &table[npt_index(gpa, 1)];
}

int khv_npt_map(struct khv_vm *vm, struct khv_memslot *slot, u64 gpa,
		bool write)
{
	struct khv_npt *npt = &vm->npt;
	bool writable = !(slot->flags & KHV_MEM_READONLY);
	unsigned long uaddr;
	struct page *page;
	u64 *leaf;
	int ret;

	gpa &= PAGE_MASK;
	uaddr = slot->uaddr + (gpa - slot->gpa);
	ret = pin_user_pages_fast(uaddr, 1,
				  FOLL_LONGTERM | (writable ? FOLL_WRITE : 0),
				  &page);
	if (ret != 1)
		return ret < 0 ? ret : -EFAULT;

	mutex_lock(&npt->lock);
	leaf = npt_leaf(npt, gpa, true);
	if (!leaf) {
		ret = -ENOMEM;
	} else if (*leaf & NPT_P) {
		ret = 0;	/* another vCPU mapped it first */
	} else {
		*leaf = page_to_phys(page) | NPT_P | NPT_US |
			(writable ? NPT_RW : 0);
		npt->pinned++;
		page = NULL;
		ret = 0;
	}
	mutex_unlock(&npt->lock);
	if (page)
		unpin_user_page(page);
	return ret;
}

void khv_npt_zap(struct khv_npt *npt, u64 gpa, u64 npages)
{
	mutex_lock(&npt->lock);
	for (; npages; npages--, gpa += PAGE_SIZE) {
		u64 *leaf = npt_leaf(npt, gpa, false);

		if (leaf && (*leaf & NPT_P)) {
			npt_unpin(*leaf);
			*leaf = 0;
			npt->pinned--;
		}
	}
	mutex_unlock(&npt->lock);
}

static void npt_free_table(struct khv_npt *npt, u64 *table, int level)
{
	int i;

	for (i = 0; i < 512; i++) {
		if (!(table[i] & NPT_P))
			continue;
		if (level == 1) {
			npt_unpin(table[i]);
			npt->pinned--;
		} else {
			npt_free_table(npt, npt_table(table[i]), level - 1);
		}
	}
	free_page((unsigned long)table);
	npt->tables--;
}

void khv_npt_destroy(struct khv_npt *npt)
{
	if (npt->root)
		npt_free_table(npt, npt->root, NPT_LEVELS);
	npt->root = NULL;
	WARN_ON(npt->pinned || npt->tables);
}
