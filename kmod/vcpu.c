// SPDX-License-Identifier: GPL-2.0
/*
 * khv: the vCPU file descriptor, its ioctls and its run page.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "khv.h"
#include "lapic.h"
#include "stats.h"

/* RFLAGS bits a guest may hold; bit 1 always reads as 1 (SDM Vol. 1, 3.4.3). */
#define KHV_RFLAGS_MASK		0x3f7fd5ULL
#define KHV_RFLAGS_FIXED	0x2ULL

static void khv_get_regs(struct khv_vcpu *vcpu, struct khv_regs *r)
{
	const u64 *g = vcpu->gpr;

	r->rax = g[KHV_RAX]; r->rbx = g[KHV_RBX];
	r->rcx = g[KHV_RCX]; r->rdx = g[KHV_RDX];
	r->rsi = g[KHV_RSI]; r->rdi = g[KHV_RDI];
	r->rsp = g[KHV_RSP]; r->rbp = g[KHV_RBP];
	r->r8 = g[KHV_R8]; r->r9 = g[KHV_R9];
	r->r10 = g[KHV_R10]; r->r11 = g[KHV_R11];
	r->r12 = g[KHV_R12]; r->r13 = g[KHV_R13];
	r->r14 = g[KHV_R14]; r->r15 = g[KHV_R15];
	r->rip = vcpu->rip;
	r->rflags = vcpu->rflags;
}

static void khv_set_regs(struct khv_vcpu *vcpu, const struct khv_regs *r)
{
	u64 *g = vcpu->gpr;

	g[KHV_RAX] = r->rax; g[KHV_RBX] = r->rbx;
	g[KHV_RCX] = r->rcx; g[KHV_RDX] = r->rdx;
	g[KHV_RSI] = r->rsi; g[KHV_RDI] = r->rdi;
	g[KHV_RSP] = r->rsp; g[KHV_RBP] = r->rbp;
	g[KHV_R8] = r->r8; g[KHV_R9] = r->r9;
	g[KHV_R10] = r->r10; g[KHV_R11] = r->r11;
	g[KHV_R12] = r->r12; g[KHV_R13] = r->r13;
	g[KHV_R14] = r->r14; g[KHV_R15] = r->r15;
	vcpu->rip = r->rip;
	vcpu->rflags = (r->rflags & KHV_RFLAGS_MASK) | KHV_RFLAGS_FIXED;
	vcpu->state_from_user = true;
}

static long khv_vcpu_ioctl_locked(struct khv_vcpu *vcpu, unsigned int cmd,
				  void __user *argp)
{
	union {
		struct khv_regs regs;
		struct khv_sregs sregs;
		struct khv_event ev;
		struct khv_entry_check check;
	} *u;
	long ret;

	switch (cmd) {
	case KHV_RUN:
		return argp ? -EINVAL : khv_vcpu_run(vcpu);
	case KHV_GET_MSRS:
		return khv_msrs_ioctl(vcpu, argp, false);
	case KHV_SET_MSRS:
		vcpu->state_from_user = true;
		return khv_msrs_ioctl(vcpu, argp, true);
	case KHV_SET_CPUID:
		return khv_set_cpuid(vcpu, argp);
	case KHV_TRACE:
		return khv_trace_ioctl(vcpu, argp);
	}

	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;

	switch (cmd) {
	case KHV_GET_REGS:
		khv_get_regs(vcpu, &u->regs);
		ret = copy_to_user(argp, &u->regs, sizeof(u->regs)) ?
			-EFAULT : 0;
		break;
	case KHV_SET_REGS:
		ret = -EFAULT;
		if (!copy_from_user(&u->regs, argp, sizeof(u->regs))) {
			khv_set_regs(vcpu, &u->regs);
			ret = 0;
		}
		break;
	case KHV_GET_SREGS:
		khv_vendor->get_sregs(vcpu, &u->sregs);
		u->sregs.apic_base = vcpu->apic_base;
		ret = copy_to_user(argp, &u->sregs, sizeof(u->sregs)) ?
			-EFAULT : 0;
		break;
	case KHV_SET_SREGS:
		ret = -EFAULT;
		if (!copy_from_user(&u->sregs, argp, sizeof(u->sregs))) {
			ret = khv_vendor->set_sregs(vcpu, &u->sregs);
			vcpu->state_from_user = true;
			if (!ret) {
				vcpu->apic_base = u->sregs.apic_base;
				vcpu->shut_down = false;
			}
		}
		break;
	case KHV_INJECT:
		ret = -EFAULT;
		if (!copy_from_user(&u->ev, argp, sizeof(u->ev)))
			ret = khv_queue_event(vcpu, &u->ev);
		break;
	case KHV_CHECK_ENTRY:
		khv_vendor->check_entry(vcpu, &u->check);
		ret = copy_to_user(argp, &u->check, sizeof(u->check)) ?
			-EFAULT : 0;
		break;
	default:
		ret = -ENOTTY;
	}
	kfree(u);
	return ret;
}

static long khv_vcpu_ioctl(struct file *filp, unsigned int cmd,
			   unsigned long arg)
{
	struct khv_vcpu *vcpu = filp->private_data;
	long ret;

	/* Guest memory is the creator's memory: no other process may run it. */
	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	ret = khv_vcpu_ioctl_locked(vcpu, cmd, (void __user *)arg);
	mutex_unlock(&vcpu->mutex);
	return ret;
}

static vm_fault_t khv_run_page_fault(struct vm_fault *vmf)
{
	struct khv_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(vcpu->run);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct khv_run_vm_ops = {
	.fault = khv_run_page_fault,
};

static int khv_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff == KHV_TRACE_OFFSET >> PAGE_SHIFT)
		return khv_trace_mmap(filp->private_data, vma);
	if (vma->vm_pgoff != 0 || vma->vm_end - vma->vm_start > PAGE_SIZE)
		return -EINVAL;
	vma->vm_ops = &khv_run_vm_ops;
	return 0;
}

static int khv_vcpu_release(struct inode *inode, struct file *filp)
{
	khv_vcpu_destroy(filp->private_data);
	return 0;
}

static const struct file_operations khv_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = khv_vcpu_release,
	.unlocked_ioctl = khv_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = khv_vcpu_mmap,
	.llseek = noop_llseek,
};

void khv_vcpu_destroy(struct khv_vcpu *vcpu)
{
	struct khv_vm *vm = vcpu->vm;

	mutex_lock(&vm->lock);
	vm->vcpus[vcpu->id] = NULL;
	vm->nr_vcpus--;
	khv_stats_vcpu_retire(vcpu);
	mutex_unlock(&vm->lock);

	khv_vendor->vcpu_free(vcpu);
	khv_lapic_free(vcpu);
	khv_fpu_free(vcpu->fpu);
	khv_stats_vcpu_free(vcpu);
	kvfree(vcpu->cpuid);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
	khv_vm_put(vm);
}

/* Architectural reset values (SDM Vol. 3A, 10.1.1; APM Vol. 2, 14.1.3). */
static void khv_vcpu_reset(struct khv_vcpu *vcpu)
{
	vcpu->rflags = KHV_RFLAGS_FIXED;
	vcpu->rip = 0xfff0;
	vcpu->apic_base = 0xfee00000ULL | BIT_ULL(11) |
			  (vcpu->id == 0 ? BIT_ULL(8) : 0);
	/* PEBS and BTS unavailable, as a guest without a PMU must see. */
	vcpu->misc_enable = BIT_ULL(11) | BIT_ULL(12);
	vcpu->xcr0 = 1;		/* x87 state always enabled (SDM Vol. 1, 13.3) */
	vcpu->dr6 = 0xffff0ff0;
	vcpu->dr7 = 0x400;
}

int khv_vcpu_create(struct khv_vm *vm, unsigned long id)
{
	struct khv_vcpu *vcpu;
	int ret, fd;

	if (id >= KHV_MAX_VCPUS)
		return -EINVAL;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->mutex);
	init_waitqueue_head(&vcpu->wq);
	vcpu->tlb_gen_seen = atomic_read(&vm->tlb_gen);
	khv_vcpu_reset(vcpu);

	ret = -ENOMEM;
	vcpu->run = (struct khv_run *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->fpu = khv_fpu_alloc();
	if (!vcpu->run || !vcpu->fpu || khv_stats_vcpu_init(vcpu))
		goto fail_free;

	mutex_lock(&vm->lock);
	if (vm->vcpus[id]) {
		mutex_unlock(&vm->lock);
		ret = -EEXIST;
		goto fail_free;
	}
	if (vm->lapic_in_kernel) {
		ret = khv_lapic_create(vcpu);
		if (ret) {
			mutex_unlock(&vm->lock);
			goto fail_free;
		}
	}
	vm->vcpus[id] = vcpu;
	vm->nr_vcpus++;
	mutex_unlock(&vm->lock);

	ret = khv_vendor->vcpu_create(vcpu);
	if (ret)
		goto fail_unlist;

	kref_get(&vm->ref);
	fd = anon_inode_getfd("khv-vcpu", &khv_vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		khv_vcpu_destroy(vcpu);
	return fd;

fail_unlist:
	mutex_lock(&vm->lock);
	vm->vcpus[id] = NULL;
	vm->nr_vcpus--;
	mutex_unlock(&vm->lock);
fail_free:
	khv_lapic_free(vcpu);
	khv_fpu_free(vcpu->fpu);
	khv_stats_vcpu_free(vcpu);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
	return ret;
}
