// SPDX-License-Identifier: GPL-2.0
/*
 * khv: module entry, the /dev/khv misc device and the system ioctls.
 *
 * Virtualization is switched on in every online CPU only while at least
 * one VM exists (khv_hw_get/khv_hw_put), so that khv and another
 * hypervisor can be used one after the other without a reboot.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/cpuhotplug.h>
#include <linux/mutex.h>

#include "khv.h"
#include "stats.h"

const struct khv_vendor_ops *khv_vendor;

static DEFINE_MUTEX(khv_hw_lock);
static int khv_hw_users;
static enum cpuhp_state khv_hp_state;

static int khv_cpu_online(unsigned int cpu)
{
	return khv_vendor->hardware_enable();
}

static int khv_cpu_offline(unsigned int cpu)
{
	khv_vendor->hardware_disable();
	return 0;
}

/*
 * Enable virtualization on all online CPUs, and on every CPU that comes
 * online later, while the count is nonzero.  The hotplug core runs the
 * callbacks on the CPU concerned and undoes a partial setup itself.
 */
int khv_hw_get(void)
{
	int ret = 0;

	mutex_lock(&khv_hw_lock);
	if (khv_hw_users == 0) {
		ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "khv:online",
					khv_cpu_online, khv_cpu_offline);
		if (ret < 0)
			goto out;
		khv_hp_state = ret;
		ret = 0;
	}
	khv_hw_users++;
out:
	mutex_unlock(&khv_hw_lock);
	return ret;
}

void khv_hw_put(void)
{
	mutex_lock(&khv_hw_lock);
	if (--khv_hw_users == 0)
		cpuhp_remove_state(khv_hp_state);
	mutex_unlock(&khv_hw_lock);
}

static long khv_check_cap(unsigned long cap)
{
	switch (cap) {
	case KHV_CAP_READONLY_MEM:
	case KHV_CAP_NPT:
	case KHV_CAP_IMMEDIATE_EXIT:
	case KHV_CAP_LAPIC:
	case KHV_CAP_EXIT_TRACE:
	case KHV_CAP_ENTRY_CHECK:
		return 1;
	case KHV_CAP_NR_MEMSLOTS:
		return KHV_NR_MEMSLOTS;
	case KHV_CAP_MAX_VCPUS:
		return KHV_MAX_VCPUS;
	case KHV_CAP_VENDOR:
		return khv_vendor->vendor_id();
	default:
		return 0;
	}
}

static long khv_dev_ioctl(struct file *filp, unsigned int cmd,
			  unsigned long arg)
{
	switch (cmd) {
	case KHV_GET_API_VERSION:
		return arg ? -EINVAL : KHV_API_VERSION;
	case KHV_CREATE_VM:
		return arg ? -EINVAL : khv_vm_create();
	case KHV_CHECK_CAP:
		return khv_check_cap(arg);
	case KHV_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : PAGE_SIZE;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations khv_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = khv_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice khv_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "khv",
	.fops = &khv_dev_fops,
	.mode = 0600,
};

static int khv_vendor_check(const struct khv_vendor_ops *ops)
{
	typedef void (*khv_fn)(void);
	const khv_fn *fn = (const khv_fn *)ops;
	size_t i;

	BUILD_BUG_ON(sizeof(*ops) % sizeof(khv_fn));
	for (i = 0; i < sizeof(*ops) / sizeof(khv_fn); i++) {
		if (!fn[i]) {
			pr_err("khv: vendor backend leaves member %zu of struct khv_vendor_ops empty\n",
			       i);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * KVM's vendor modules register with kvm.ko through kvm_init().  While
 * kvm.ko is loaded, KVM may take SVM or VMX at any moment (on 6.1 when it
 * creates a VM, from 6.12 on as soon as kvm_amd/kvm_intel loads), and two
 * hypervisors cannot share them: refuse to load rather than fail later.
 */
static bool khv_kvm_loaded(void)
{
	void *sym = __symbol_get("kvm_init");

	if (!sym)
		return false;
	symbol_put_addr(sym);
	return true;
}

static int __init khv_init(void)
{
	const struct khv_vendor_ops *ops;
	int ret;

	if (khv_kvm_loaded()) {
		pr_err("khv: KVM is loaded (kvm.ko) and owns SVM/VMX: unload kvm_amd or kvm_intel and kvm first\n");
		return -EBUSY;
	}

	/* A probe logs why it failed, unless the CPU lacks its extension. */
	ops = khv_svm_probe();
	if (PTR_ERR_OR_ZERO(ops) == -ENODEV)
		ops = khv_vmx_probe();
	if (PTR_ERR_OR_ZERO(ops) == -ENODEV) {
		pr_err("khv: CPU has neither AMD SVM (AMD-V) nor Intel VMX (VT-x): cannot load\n");
		return -ENODEV;
	}
	if (IS_ERR(ops))
		return PTR_ERR(ops);
	ret = khv_vendor_check(ops);
	if (ret)
		goto fail;
	khv_vendor = ops;

	ret = khv_fpu_init();
	if (ret)
		goto fail;

	ret = khv_genl_init();
	if (ret) {
		pr_err("khv: cannot register the khv netlink family: %d\n", ret);
		goto fail;
	}
	khv_debugfs_init();
	ret = misc_register(&khv_dev);
	if (ret) {
		pr_err("khv: cannot register /dev/khv: %d\n", ret);
		khv_debugfs_exit();
		khv_genl_exit();
		goto fail;
	}
	pr_info("khv: loaded, backend %s\n", ops->name());
	return 0;

fail:
	if (ops->unload)
		ops->unload();
	return ret;
}

static void __exit khv_exit(void)
{
	misc_deregister(&khv_dev);
	khv_debugfs_exit();
	khv_genl_exit();
	khv_vendor->unload();
}

module_init(khv_init);
module_exit(khv_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("khv: a small hypervisor for learning and measuring");
MODULE_AUTHOR("khv developers");
