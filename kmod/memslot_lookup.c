// SPDX-License-Identifier: GPL-2.0
/*
 * khv: finding and checking memory slots.
 *
 * Pure logic over vm->slots, apart from memslot.c (which changes the
 * slots and copies guest memory), so that kmod/kunit/ can test it.
 */
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "khv.h"

/* 4-level nested paging translates 48-bit guest physical addresses. */
#define KHV_GPA_LIMIT	(1ULL << 48)

/* The slot that maps @gpa, or NULL: then @gpa is MMIO. */
struct khv_memslot *khv_memslot_find(struct khv_vm *vm, u64 gpa)
{
	int i;

	for (i = 0; i < KHV_NR_MEMSLOTS; i++) {
		struct khv_memslot *s = &vm->slots[i];

		if (s->npages && gpa >= s->gpa &&
		    gpa - s->gpa < s->npages << PAGE_SHIFT)
			return s;
	}
	return NULL;
}

/*
 * Whether @mr (with a non-zero size) may become slot mr->slot: known flags,
 * 4 KiB alignment, guest addresses below KHV_GPA_LIMIT, a user range that
 * neither wraps nor reaches kernel addresses, and no overlap with another
 * slot (the slot being replaced does not count).
 */
int khv_memslot_check(struct khv_vm *vm, const struct khv_memory_region *mr)
{
	u64 end = mr->guest_phys_addr + mr->memory_size;
	int i;

	if (mr->flags & ~KHV_MEM_READONLY)
		return -EINVAL;
	if (!PAGE_ALIGNED(mr->guest_phys_addr) ||
	    !PAGE_ALIGNED(mr->memory_size) ||
	    !PAGE_ALIGNED(mr->userspace_addr))
		return -EINVAL;
	if (end < mr->guest_phys_addr || end > KHV_GPA_LIMIT)
		return -EINVAL;
	if (mr->userspace_addr + mr->memory_size < mr->userspace_addr ||
	    !access_ok((void __user *)(unsigned long)mr->userspace_addr,
		       mr->memory_size))
		return -EFAULT;

	for (i = 0; i < KHV_NR_MEMSLOTS; i++) {
		const struct khv_memslot *s = &vm->slots[i];
		u64 s_end = s->gpa + (s->npages << PAGE_SHIFT);

		if (i == mr->slot || !s->npages)
			continue;
		if (mr->guest_phys_addr < s_end && s->gpa < end)
			return -EEXIST;
	}
	return 0;
}
