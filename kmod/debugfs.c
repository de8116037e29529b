// SPDX-License-Identifier: GPL-2.0
/*
 * khv: /sys/kernel/debug/khv/vcpus, the state of every vCPU as text.
 *
 * For people who want to see why a guest stands still: whether its vCPU
 * sleeps in HLT, what its local APIC holds and waits for, and what the
 * vendor backend last asked the CPU for (an interrupt window, an event to
 * inject).  The values are read while the vCPUs run, without stopping
 * them: each line is a snapshot that may be a little stale or mixed from
 * two moments, never a lock a vCPU waits for (vm->lock only keeps the
 * vCPUs from being freed).  debugfs is root-only.
 */
#include <linux/debugfs.h>
#include <linux/pid.h>
#include <linux/seq_file.h>

#include "khv.h"
#include "lapic.h"
#include "stats.h"

static struct dentry *khv_debugfs_dir;

static void khv_show_vcpu(struct seq_file *m, struct khv_vcpu *vcpu)
{
	seq_printf(m, "vm %u vcpu %d: %s%s, exits %llu, rip %#llx rflags %#llx\n",
		   vcpu->vm->id, vcpu->id,
		   READ_ONCE(vcpu->task) ? "in KHV_RUN" : "not in KHV_RUN",
		   READ_ONCE(vcpu->halted) ? ", halted" : "",
		   READ_ONCE(vcpu->stat.exits), READ_ONCE(vcpu->rip),
		   READ_ONCE(vcpu->rflags));
	seq_printf(m, "  pending: nmi %d, queued event %d (vector %u)\n",
		   READ_ONCE(vcpu->nmi_pending), READ_ONCE(vcpu->event_queued),
		   vcpu->event.vector);
	if (vcpu->lapic)
		khv_lapic_show(m, vcpu);
	khv_vendor->show_state(vcpu, m);
}

/* Called by khv_show_vms(), which keeps @vm alive. */
void khv_show_vm(struct seq_file *m, struct khv_vm *vm)
{
	int i;

	mutex_lock(&vm->lock);
	seq_printf(m, "vm %u: pid %d, %d vCPUs, in-kernel APIC %s\n", vm->id,
		   pid_nr(vm->owner), vm->nr_vcpus,
		   vm->lapic_in_kernel ? "yes" : "no");
	for (i = 0; i < KHV_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			khv_show_vcpu(m, vm->vcpus[i]);
	mutex_unlock(&vm->lock);
}

static int khv_vcpus_show(struct seq_file *m, void *unused)
{
	khv_show_vms(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(khv_vcpus);

void khv_debugfs_init(void)
{
	/* Without debugfs khv works the same: errors are not fatal. */
	khv_debugfs_dir = debugfs_create_dir("khv", NULL);
	debugfs_create_file("vcpus", 0400, khv_debugfs_dir, NULL,
			    &khv_vcpus_fops);
}

void khv_debugfs_exit(void)
{
	debugfs_remove_recursive(khv_debugfs_dir);
}
