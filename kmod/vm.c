// SPDX-License-Identifier: GPL-2.0
/*
 * khv: the VM file descriptor.
 *
 * A VM lives as long as its fd or any of its vCPU fds: each vCPU holds a
 * reference.  The VM belongs to the address space that created it; guest
 * memory is that process's memory.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "khv.h"
#include "lapic.h"
#include "stats.h"

static void khv_vm_release_ref(struct kref *ref)
{
	struct khv_vm *vm = container_of(ref, struct khv_vm, ref);

	khv_vm_unregister(vm);
	khv_vendor->vm_destroy(vm);
	khv_npt_destroy(&vm->npt);
	khv_stats_vm_free(vm);
	mmdrop(vm->mm);
	kfree(vm);
	khv_hw_put();
}

void khv_vm_put(struct khv_vm *vm)
{
	kref_put(&vm->ref, khv_vm_release_ref);
}

static int khv_vm_release(struct inode *inode, struct file *filp)
{
	khv_vm_put(filp->private_data);
	return 0;
}

/* The in-kernel local APIC: for every vCPU, so before the first one. */
static int khv_vm_create_lapic(struct khv_vm *vm)
{
	int ret = 0;

	mutex_lock(&vm->lock);
	if (vm->lapic_in_kernel)
		ret = -EEXIST;
	else if (vm->nr_vcpus)
		ret = -EBUSY;
	else
		vm->lapic_in_kernel = true;
	mutex_unlock(&vm->lock);
	return ret;
}

static long khv_vm_ioctl(struct file *filp, unsigned int cmd,
			 unsigned long arg)
{
	struct khv_vm *vm = filp->private_data;
	struct khv_memory_region mr;
	struct khv_msi msi;

	if (vm->mm != current->mm)
		return -EIO;

	switch (cmd) {
	case KHV_SET_MEMORY_REGION:
		if (copy_from_user(&mr, (void __user *)arg, sizeof(mr)))
			return -EFAULT;
		return khv_set_memory_region(vm, &mr);
	case KHV_CREATE_VCPU:
		return khv_vcpu_create(vm, arg);
	case KHV_CREATE_LAPIC:
		return arg ? -EINVAL : khv_vm_create_lapic(vm);
	case KHV_SIGNAL_MSI:
		if (copy_from_user(&msi, (void __user *)arg, sizeof(msi)))
			return -EFAULT;
		if (msi.flags || memchr_inv(msi.pad, 0, sizeof(msi.pad)))
			return -EINVAL;
		if (!vm->lapic_in_kernel)
			return -ENXIO;
		return khv_signal_msi(vm, msi.address, msi.data);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations khv_vm_fops = {
	.owner = THIS_MODULE,
	.release = khv_vm_release,
	.unlocked_ioctl = khv_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

int khv_vm_create(void)
{
	struct khv_vm *vm;
	int ret, fd;

	ret = khv_hw_get();
	if (ret)
		return ret;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		khv_hw_put();
		return -ENOMEM;
	}
	kref_init(&vm->ref);
	init_rwsem(&vm->slots_lock);
	mutex_init(&vm->lock);
	atomic_set(&vm->tlb_gen, 0);
	vm->mm = current->mm;
	mmgrab(vm->mm);

	ret = khv_stats_vm_init(vm);
	if (ret)
		goto fail;
	ret = khv_npt_init(&vm->npt);
	if (ret)
		goto fail;
	ret = khv_vendor->vm_init(vm);
	if (ret) {
		khv_npt_destroy(&vm->npt);
		goto fail;
	}

	ret = khv_vm_register(vm);
	if (ret) {
		khv_vm_put(vm);
		return ret;
	}
	fd = anon_inode_getfd("khv-vm", &khv_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		khv_vm_put(vm);
	return fd;

fail:
	khv_stats_vm_free(vm);
	mmdrop(vm->mm);
	kfree(vm);
	khv_hw_put();
	return ret;
}
