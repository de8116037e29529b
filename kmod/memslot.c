// SPDX-License-Identifier: GPL-2.0
/*
 * khv: guest memory slots.
 *
 * A slot maps a range of guest physical addresses onto the launcher's
 * own memory.  Nothing is pinned here: the nested page table maps a page
 * when the guest first touches it (npt.c).  Guest physical addresses
 * outside every slot are MMIO.
 */
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "khv.h"

int khv_set_memory_region(struct khv_vm *vm,
			  const struct khv_memory_region *mr)
{
	struct khv_memslot *slot;
	int ret;

	if (mr->slot >= KHV_NR_MEMSLOTS)
		return -EINVAL;

	/*
	 * vCPUs leave KHV_RUN at their next exit when they see this flag, so
	 * the write lock below is not held off by a busy guest for long.
	 */
	WRITE_ONCE(vm->slots_changing, true);
	khv_kick_all(vm);
	ret = down_write_killable(&vm->slots_lock);
	if (ret) {
		WRITE_ONCE(vm->slots_changing, false);
		return ret;
	}

	if (mr->memory_size) {
		ret = khv_memslot_check(vm, mr);
		if (ret)
			goto out;
	}

	slot = &vm->slots[mr->slot];
	if (slot->npages) {
		khv_npt_zap(&vm->npt, slot->gpa, slot->npages);
		atomic_inc(&vm->tlb_gen);
		memset(slot, 0, sizeof(*slot));
	}
	if (mr->memory_size) {
		slot->flags = mr->flags;
		slot->gpa = mr->guest_phys_addr;
		slot->npages = mr->memory_size >> PAGE_SHIFT;
		slot->uaddr = mr->userspace_addr;
	}
out:
	up_write(&vm->slots_lock);
	WRITE_ONCE(vm->slots_changing, false);
	return ret;
}

/*
 * Copy to or from guest physical memory through the slots, page by page.
 * Called in the vCPU thread, whose address space is the VM's.
 */
static int khv_guest_copy(struct khv_vcpu *vcpu, u64 gpa, void *buf,
			  unsigned int len, bool write)
{
	while (len) {
		struct khv_memslot *s = khv_memslot_find(vcpu->vm, gpa);
		unsigned int chunk = min_t(unsigned int, len,
					   PAGE_SIZE - offset_in_page(gpa));
		void __user *u;

		if (!s)
			return -ENOENT;
		if (write && (s->flags & KHV_MEM_READONLY))
			return -EPERM;
		u = (void __user *)(unsigned long)(s->uaddr + gpa - s->gpa);
		if (write ? copy_to_user(u, buf, chunk) :
			    copy_from_user(buf, u, chunk))
			return -EFAULT;
		gpa += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

int khv_read_guest(struct khv_vcpu *vcpu, u64 gpa, void *buf, unsigned int len)
{
	return khv_guest_copy(vcpu, gpa, buf, len, false);
}

int khv_write_guest(struct khv_vcpu *vcpu, u64 gpa, const void *buf,
		    unsigned int len)
{
	return khv_guest_copy(vcpu, gpa, (void *)buf, len, true);
}
