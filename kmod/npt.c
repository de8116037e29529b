// SPDX-License-Identifier: GPL-2.0
/*
 * khv: the nested page table, built on demand.
 *
 * Both AMD's nested page table and Intel's EPT are four levels of 512
 * 8-byte entries indexed like a long-mode page table (APM Vol. 2, 15.25.5;
 * SDM Vol. 3C, 30.3.2); only the flag bits differ, and the vendor names
 * them (struct khv_npt_format).  A leaf maps one 4 KiB guest page to a
 * page of the launcher's memory that is pinned while it is mapped.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/io.h>

#include "khv.h"

#define NPT_ADDR_MASK	GENMASK_ULL(51, 12)
#define NPT_LEVELS	4

static const struct khv_npt_format *npt_fmt(void)
{
	return khv_vendor->npt_format();
}

static bool npt_present(u64 entry)
{
	return entry & npt_fmt()->present_mask;
}

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

	const struct khv_npt_format *f = npt_fmt();

	/* The bits a writable leaf has over a read-only one. */
	unpin_user_pages_dirty_lock(&page, 1, leaf & f->leaf_rw & ~f->leaf_ro);
}

/* Find the leaf entry for gpa, allocating tables on the way if asked. */
static u64 *npt_leaf(struct khv_npt *npt, u64 gpa, bool alloc)
{
	u64 *table = npt->root;
	int level;

	for (level = NPT_LEVELS; level > 1; level--) {
		u64 *e = &table[npt_index(gpa, level)];

		if (!npt_present(*e)) {
			u64 *next;

			if (!alloc)
				return NULL;
			next = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
			if (!next)
				return NULL;
			npt->tables++;
			*e = __pa(next) | npt_fmt()->table;
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
	} else if (npt_present(*leaf)) {
		ret = 0;	/* another vCPU mapped it first */
	} else {
		*leaf = page_to_phys(page) | (writable ? npt_fmt()->leaf_rw :
							      npt_fmt()->leaf_ro);
		npt->pinned++;
		page = NULL;
		ret = 0;
	}
	mutex_unlock(&npt->lock);
	if (page)
		unpin_user_page(page);
	return ret;
}

/*
 * The leaf entry for gpa; or NULL when a table on the way is missing, with
 * *skip set to the bytes from gpa to the end of what that table would map.
 */
static u64 *npt_leaf_or_skip(struct khv_npt *npt, u64 gpa, u64 *skip)
{
	u64 *table = npt->root;
	int level;

	for (level = NPT_LEVELS; level > 1; level--) {
		u64 e = table[npt_index(gpa, level)];

		if (!npt_present(e)) {
			u64 span = 1ULL << (PAGE_SHIFT + 9 * (level - 1));

			*skip = span - (gpa & (span - 1));
			return NULL;
		}
		table = npt_table(e);
	}
	*skip = PAGE_SIZE;
	return &table[npt_index(gpa, 1)];
}

/*
 * A slot may cover most of the 48-bit guest space while the guest touched
 * a few of its pages: skip each missing table whole, and stop once nothing
 * is pinned, rather than walk every page (a 64 TiB slot kept the CPU busy
 * for minutes, a soft lockup found by khv-fuzz).
 */
void khv_npt_zap(struct khv_npt *npt, u64 gpa, u64 npages)
{
	u64 end = gpa + (npages << PAGE_SHIFT), skip;

	mutex_lock(&npt->lock);
	while (gpa < end && npt->pinned) {
		u64 *leaf = npt_leaf_or_skip(npt, gpa, &skip);

		if (leaf && npt_present(*leaf)) {
			npt_unpin(*leaf);
			*leaf = 0;
			npt->pinned--;
		}
		gpa += skip;
	}
	mutex_unlock(&npt->lock);
}

static void npt_free_table(struct khv_npt *npt, u64 *table, int level)
{
	int i;

	for (i = 0; i < 512; i++) {
		if (!npt_present(table[i]))
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
