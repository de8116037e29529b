// SPDX-License-Identifier: GPL-2.0
/*
 * khv: the VM registry and the "khv" generic netlink family.
 *
 * Every VM gets an id in khv_vms from creation until its last reference
 * goes.  khv_vms_lock guards more than the xarray: the release path takes
 * it to unlist a VM before freeing anything, so a reader that holds it
 * may use any VM it finds there without taking a reference.  (A reference
 * would not do: dropping the last one under the lock would deadlock.)
 * Lock order: khv_vms_lock, then vm->lock (which keeps the vCPUs, and so
 * their counters, alive).
 *
 * Unprivileged callers see the VMs created under their own effective
 * uid; CAP_SYS_ADMIN sees all.  A VM one may not see answers exactly like
 * one that does not exist.
 */
#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <net/genetlink.h>

#include "khv.h"
#include "stats.h"

static DEFINE_MUTEX(khv_vms_lock);
static DEFINE_XARRAY_ALLOC1(khv_vms);
static u32 khv_vms_next;

static struct genl_family khv_genl_family;

enum { KHV_MCGRP_EVENTS };

static const struct genl_multicast_group khv_genl_mcgrps[] = {
	[KHV_MCGRP_EVENTS] = {
		.name = KHV_GENL_MCGRP_EVENTS,
#ifdef GENL_MCAST_CAP_SYS_ADMIN
		/* Events name other users' VMs: for the administrator only. */
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
#endif
	},
};

static bool khv_vm_visible(const struct khv_vm *vm, struct sk_buff *req)
{
	return uid_eq(vm->owner_uid, current_euid()) ||
	       netlink_capable(req, CAP_SYS_ADMIN);
}

static void khv_vm_memory(struct khv_vm *vm, u32 *nr_slots, u64 *bytes)
{
	int i;

	*nr_slots = 0;
	*bytes = 0;
	/* Unlocked: a slot that changes meanwhile shows old or new size. */
	for (i = 0; i < KHV_NR_MEMSLOTS; i++) {
		u64 npages = READ_ONCE(vm->slots[i].npages);

		if (npages) {
			(*nr_slots)++;
			*bytes += npages << PAGE_SHIFT;
		}
	}
}

/* @global: ids as seen from the initial namespaces, for multicast. */
static int khv_put_vm(struct sk_buff *skb, struct khv_vm *vm, bool global)
{
	u32 nr_slots;
	u64 bytes;
	pid_t pid = global ? pid_nr(vm->owner) : pid_vnr(vm->owner);
	uid_t uid = from_kuid_munged(global ? &init_user_ns :
				     current_user_ns(), vm->owner_uid);

	khv_vm_memory(vm, &nr_slots, &bytes);
	if (nla_put_u32(skb, KHV_A_VM_ID, vm->id) ||
	    nla_put_u32(skb, KHV_A_PID, pid) ||
	    nla_put_u32(skb, KHV_A_UID, uid) ||
	    nla_put_u32(skb, KHV_A_NR_VCPUS, READ_ONCE(vm->nr_vcpus)) ||
	    nla_put_u32(skb, KHV_A_NR_SLOTS, nr_slots) ||
	    nla_put_u64_64bit(skb, KHV_A_MEM_BYTES, bytes, KHV_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int khv_fill_vm(struct sk_buff *skb, struct khv_vm *vm, u32 portid,
		       u32 seq, int flags)
{
	void *hdr = genlmsg_put(skb, portid, seq, &khv_genl_family, flags,
				KHV_CMD_GET_VM);

	if (!hdr)
		return -EMSGSIZE;
	if (khv_put_vm(skb, vm, false)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Multicast on "events"; @vcpu_id < 0 and @code == 0 are left out. */
static void khv_genl_event(struct khv_vm *vm, u8 cmd, int vcpu_id, u64 code)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&khv_genl_family, &init_net,
				KHV_MCGRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &khv_genl_family, 0, cmd);
	if (!hdr ||
	    khv_put_vm(skb, vm, true) ||
	    (vcpu_id >= 0 && nla_put_u32(skb, KHV_A_VCPU_ID, vcpu_id)) ||
	    (code && nla_put_u64_64bit(skb, KHV_A_EXIT_CODE, code,
				       KHV_A_PAD))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&khv_genl_family, skb, 0, KHV_MCGRP_EVENTS,
			  GFP_KERNEL);
}

void khv_genl_vcpu_event(struct khv_vcpu *vcpu, u8 cmd, u64 code)
{
	khv_genl_event(vcpu->vm, cmd, vcpu->id, code);
}

/* At creation, once the VM is complete, before its fd exists. */
int khv_vm_register(struct khv_vm *vm)
{
	u32 id;
	int ret;

	vm->owner = get_task_pid(current, PIDTYPE_TGID);
	vm->owner_uid = current_euid();
	mutex_lock(&khv_vms_lock);
	ret = xa_alloc_cyclic(&khv_vms, &id, vm, XA_LIMIT(1, INT_MAX),
			      &khv_vms_next, GFP_KERNEL);
	if (ret >= 0)
		vm->id = id;
	mutex_unlock(&khv_vms_lock);
	if (ret < 0)
		return ret;
	khv_genl_event(vm, KHV_CMD_EVENT_VM_CREATED, -1, 0);
	return 0;
}

/* First thing of the release: after it, no reader can reach the VM. */
void khv_vm_unregister(struct khv_vm *vm)
{
	if (vm->id) {
		mutex_lock(&khv_vms_lock);
		xa_erase(&khv_vms, vm->id);
		mutex_unlock(&khv_vms_lock);
		khv_genl_event(vm, KHV_CMD_EVENT_VM_DESTROYED, -1, 0);
	}
	put_pid(vm->owner);
	vm->owner = NULL;
}

/*
 * debugfs: show every registered VM, under khv_vms_lock (so each VM stays
 * alive while it is shown, see above).
 */
void khv_show_vms(struct seq_file *m)
{
	unsigned long id;
	struct khv_vm *vm;

	mutex_lock(&khv_vms_lock);
	xa_for_each(&khv_vms, id, vm)
		khv_show_vm(m, vm);
	mutex_unlock(&khv_vms_lock);
}

/* The missing-attribute TLV for programs, a message for people. */
static bool khv_require_vm_id(struct genl_info *info)
{
	if (!GENL_REQ_ATTR_CHECK(info, KHV_A_VM_ID))
		return false;
	GENL_SET_ERR_MSG(info, "KHV_A_VM_ID is required");
	return true;
}

/* Under khv_vms_lock. */
static struct khv_vm *khv_vm_lookup(struct sk_buff *req,
				    struct genl_info *info)
{
	struct nlattr *attr = info->attrs[KHV_A_VM_ID];
	struct khv_vm *vm = xa_load(&khv_vms, nla_get_u32(attr));

	if (!vm || !khv_vm_visible(vm, req)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such VM");
		return NULL;
	}
	return vm;
}

static int khv_genl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &khv_genl_family, 0,
				KHV_CMD_GET_VERSION);
	if (!hdr || nla_put_u32(msg, KHV_A_VERSION, KHV_GENL_VERSION) ||
	    nla_put_u32(msg, KHV_A_NR_REASONS, KHV_STAT_NR)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int khv_genl_get_vm(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct khv_vm *vm;
	int ret;

	if (khv_require_vm_id(info))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&khv_vms_lock);
	vm = khv_vm_lookup(skb, info);
	ret = vm ? khv_fill_vm(msg, vm, info->snd_portid, info->snd_seq, 0) :
		   -ENOENT;
	mutex_unlock(&khv_vms_lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* cb->args[0]: the id to continue from in the next part of the dump. */
static int khv_genl_dump_vms(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long id;
	struct khv_vm *vm;

	mutex_lock(&khv_vms_lock);
	xa_for_each_start(&khv_vms, id, vm, cb->args[0]) {
		if (!khv_vm_visible(vm, cb->skb))
			continue;
		if (khv_fill_vm(skb, vm, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, NLM_F_MULTI))
			break;
		cb->args[0] = id + 1;
	}
	mutex_unlock(&khv_vms_lock);
	return skb->len;
}

static int khv_put_reason(struct sk_buff *msg, int i,
			  const struct khv_reason_stats *r, bool hist)
{
	struct nlattr *nest = nla_nest_start(msg, KHV_A_REASON);

	if (!nest ||
	    nla_put_u32(msg, KHV_R_ID, i) ||
	    nla_put_u64_64bit(msg, KHV_R_COUNT, r->count, KHV_R_PAD) ||
	    nla_put_u64_64bit(msg, KHV_R_KERNEL_NS, r->kernel_ns, KHV_R_PAD) ||
	    nla_put_u64_64bit(msg, KHV_R_USER_COUNT, r->user_count,
			      KHV_R_PAD) ||
	    nla_put_u64_64bit(msg, KHV_R_USER_NS, r->user_ns, KHV_R_PAD))
		return -EMSGSIZE;
	if (hist &&
	    (nla_put(msg, KHV_R_KERNEL_HIST, sizeof(r->kernel_hist),
		     r->kernel_hist) ||
	     nla_put(msg, KHV_R_USER_HIST, sizeof(r->user_hist),
		     r->user_hist)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* @has_key false: the count of the keys that found no slot. */
static int khv_put_key(struct sk_buff *msg, u32 kind, bool has_key, u32 key,
		       u64 count)
{
	struct nlattr *nest = nla_nest_start(msg, KHV_A_KEY);

	if (!nest || nla_put_u32(msg, KHV_K_KIND, kind) ||
	    (has_key && nla_put_u32(msg, KHV_K_KEY, key)) ||
	    nla_put_u64_64bit(msg, KHV_K_COUNT, count, KHV_K_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int khv_put_stats(struct sk_buff *msg, const struct khv_vcpu_stats *s,
			 bool hist)
{
	int i, k;

	if (nla_put_u32(msg, KHV_A_NR_REASONS, KHV_STAT_NR))
		return -EMSGSIZE;
	for (i = 0; i < KHV_STAT_NR; i++) {
		const struct khv_reason_stats *r = &s->reason[i];

		if ((r->count || r->user_count) &&
		    khv_put_reason(msg, i, r, hist))
			return -EMSGSIZE;
	}
	for (k = 0; k < KHV_KEY_NR; k++) {
		const struct khv_key_table *t = &s->keys[k];

		for (i = 0; i < t->used; i++)
			if (khv_put_key(msg, k, true, t->key[i], t->count[i]))
				return -EMSGSIZE;
		if (t->other && khv_put_key(msg, k, false, 0, t->other))
			return -EMSGSIZE;
	}
	return 0;
}

/* Room for every reason with histograms and every key slot. */
static size_t khv_stats_msg_size(void)
{
	size_t reason = nla_total_size(0) + nla_total_size(sizeof(u32)) +
			4 * nla_total_size_64bit(sizeof(u64)) +
			2 * nla_total_size(KHV_STAT_HIST_BUCKETS * sizeof(u64));
	size_t key = nla_total_size(0) + 2 * nla_total_size(sizeof(u32)) +
		     nla_total_size_64bit(sizeof(u64));

	return 3 * nla_total_size(sizeof(u32)) + KHV_STAT_NR * reason +
	       KHV_KEY_NR * (KHV_KEY_SLOTS + 1) * key;
}

/* Sum the VM's vCPUs, or take the one VCPU_ID names, into @sum. */
static int khv_collect_stats(struct sk_buff *skb, struct genl_info *info,
			     struct khv_vcpu_stats *sum)
{
	struct nlattr *vcpu_attr = info->attrs[KHV_A_VCPU_ID];
	struct khv_vcpu *vcpu;
	struct khv_vm *vm;
	int i, ret = 0;

	mutex_lock(&khv_vms_lock);
	vm = khv_vm_lookup(skb, info);
	if (!vm) {
		ret = -ENOENT;
		goto out;
	}
	mutex_lock(&vm->lock);
	if (vcpu_attr) {
		vcpu = vm->vcpus[nla_get_u32(vcpu_attr)];
		if (vcpu) {
			khv_stats_sum(sum, vcpu->stats);
		} else {
			NL_SET_ERR_MSG_ATTR(info->extack, vcpu_attr,
					    "no such vCPU");
			ret = -ENOENT;
		}
	} else {
		khv_stats_sum(sum, vm->retired);
		for (i = 0; i < KHV_MAX_VCPUS; i++)
			if (vm->vcpus[i])
				khv_stats_sum(sum, vm->vcpus[i]->stats);
	}
	mutex_unlock(&vm->lock);
out:
	mutex_unlock(&khv_vms_lock);
	return ret;
}

static int khv_genl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *flags_attr = info->attrs[KHV_A_STATS_FLAGS];
	bool hist = flags_attr &&
		    (nla_get_u32(flags_attr) & KHV_STATS_F_HIST);
	struct khv_vcpu_stats *sum;
	struct sk_buff *msg = NULL;
	void *hdr;
	int ret;

	if (khv_require_vm_id(info))
		return -EINVAL;
	sum = kvzalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	ret = khv_collect_stats(skb, info, sum);
	if (ret)
		goto out;

	ret = -ENOMEM;
	msg = genlmsg_new(khv_stats_msg_size(), GFP_KERNEL);
	if (!msg)
		goto out;
	ret = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &khv_genl_family, 0,
				KHV_CMD_GET_STATS);
	if (!hdr ||
	    nla_put_u32(msg, KHV_A_VM_ID,
			nla_get_u32(info->attrs[KHV_A_VM_ID])) ||
	    (info->attrs[KHV_A_VCPU_ID] &&
	     nla_put_u32(msg, KHV_A_VCPU_ID,
			 nla_get_u32(info->attrs[KHV_A_VCPU_ID]))) ||
	    khv_put_stats(msg, sum, hist))
		goto out;
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
	msg = NULL;
out:
	nlmsg_free(msg);
	kvfree(sum);
	return ret;
}

static const struct nla_policy khv_genl_policy[KHV_A_MAX + 1] = {
	[KHV_A_VM_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KHV_A_VCPU_ID] = NLA_POLICY_MAX(NLA_U32, KHV_MAX_VCPUS - 1),
	[KHV_A_STATS_FLAGS] = NLA_POLICY_MASK(NLA_U32, KHV_STATS_F_ALL),
};

static const struct genl_ops khv_genl_ops[] = {
	{
		.cmd = KHV_CMD_GET_VERSION,
		.doit = khv_genl_get_version,
	},
	{
		.cmd = KHV_CMD_GET_VM,
		.doit = khv_genl_get_vm,
		.dumpit = khv_genl_dump_vms,
	},
	{
		.cmd = KHV_CMD_GET_STATS,
		.doit = khv_genl_get_stats,
	},
};

/*
 * resv_start_op stays 0: every command gets strict validation, so an
 * attribute the policy does not list, a wrong length or a set reserved
 * header byte is refused with an extended-ack message.
 */
static struct genl_family khv_genl_family __ro_after_init = {
	.name = KHV_GENL_NAME,
	.version = KHV_GENL_VERSION,
	.maxattr = KHV_A_MAX,
	.policy = khv_genl_policy,
	.module = THIS_MODULE,
	.ops = khv_genl_ops,
	.n_ops = ARRAY_SIZE(khv_genl_ops),
	.mcgrps = khv_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(khv_genl_mcgrps),
};

int khv_genl_init(void)
{
	return genl_register_family(&khv_genl_family);
}

void khv_genl_exit(void)
{
	genl_unregister_family(&khv_genl_family);
}
