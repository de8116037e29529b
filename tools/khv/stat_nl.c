// SPDX-License-Identifier: GPL-2.0
/*
 * The client side of the "khv" generic netlink family, on libnl-genl-3.
 * Attribute layout: uapi/linux/khv_stats.h, Documentation/stats.rst.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "stat.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

struct khv_nl {
	struct nl_sock *sk;
	int family;
	int err;		/* -errno of the last NLMSG_ERROR */
	char msg[256];		/* its extended-ack message */
};

/* What the callbacks fill. */
struct reply {
	struct khv_nl *nl;
	struct stat_vm *vms;
	int nr_vms, max_vms;
	struct stat_sample *sample;
};

/*
 * libnl hands us the nlmsgerr; the extended-ack TLVs follow the echoed
 * request (or only its header with NLM_F_CAPPED).  Keep the message.
 */
static int error_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct reply *r = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	struct nlattr *a;
	int rem;

	(void)who;
	r->nl->err = e->error;
	r->nl->msg[0] = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (off >= nlh->nlmsg_len)
		return NL_STOP;
	nla_for_each_attr(a, (struct nlattr *)((char *)nlh + off),
			  nlh->nlmsg_len - off, rem) {
		if (nla_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(r->nl->msg, sizeof(r->nl->msg), "%.*s",
				 nla_len(a), (const char *)nla_data(a));
	}
	return NL_STOP;
}

struct khv_nl *khv_nl_open(void)
{
	struct khv_nl *nl = calloc(1, sizeof(*nl));
	int one = 1;

	if (!nl) {
		pr_err("out of memory");
		return NULL;
	}
	nl->sk = nl_socket_alloc();
	if (!nl->sk || genl_connect(nl->sk)) {
		pr_err("cannot open a generic netlink socket");
		goto fail;
	}
	/* Errors still come; successes carry their reply, no extra ack. */
	nl_socket_disable_auto_ack(nl->sk);
	/* Replies with histograms are larger than a page. */
	nl_socket_enable_msg_peek(nl->sk);
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, KHV_GENL_NAME);
	if (nl->family < 0) {
		pr_err("no generic netlink family \"%s\": is khv.ko loaded?",
		       KHV_GENL_NAME);
		goto fail;
	}
	return nl;
fail:
	khv_nl_close(nl);
	return NULL;
}

void khv_nl_close(struct khv_nl *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		nl_socket_free(nl->sk);
	free(nl);
}

const char *khv_nl_error(struct khv_nl *nl)
{
	return nl->msg;
}

static u32 get_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static u64 get_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static void parse_vm(struct nlattr **tb, struct stat_vm *vm)
{
	vm->id = get_u32(tb[KHV_A_VM_ID]);
	vm->pid = get_u32(tb[KHV_A_PID]);
	vm->uid = get_u32(tb[KHV_A_UID]);
	vm->nr_vcpus = get_u32(tb[KHV_A_NR_VCPUS]);
	vm->nr_slots = get_u32(tb[KHV_A_NR_SLOTS]);
	vm->mem_bytes = get_u64(tb[KHV_A_MEM_BYTES]);
}

static void parse_hist(struct nlattr *a, u64 *hist)
{
	if (a && nla_len(a) == KHV_STAT_HIST_BUCKETS * sizeof(u64))
		memcpy(hist, nla_data(a), KHV_STAT_HIST_BUCKETS * sizeof(u64));
}

static void parse_reason(struct nlattr *nest, struct stat_sample *s)
{
	struct nlattr *tb[KHV_R_MAX + 1];
	struct stat_reason *r;
	u32 id;

	if (nla_parse_nested(tb, KHV_R_MAX, nest, NULL) || !tb[KHV_R_ID])
		return;
	id = nla_get_u32(tb[KHV_R_ID]);
	if (id >= STAT_MAX_REASONS)
		return;
	r = &s->reason[id];
	r->count = get_u64(tb[KHV_R_COUNT]);
	r->kernel_ns = get_u64(tb[KHV_R_KERNEL_NS]);
	r->user_count = get_u64(tb[KHV_R_USER_COUNT]);
	r->user_ns = get_u64(tb[KHV_R_USER_NS]);
	parse_hist(tb[KHV_R_KERNEL_HIST], r->kernel_hist);
	parse_hist(tb[KHV_R_USER_HIST], r->user_hist);
}

static void parse_key(struct nlattr *nest, struct stat_sample *s)
{
	struct nlattr *tb[KHV_K_MAX + 1];
	struct stat_key *k;

	if (nla_parse_nested(tb, KHV_K_MAX, nest, NULL) || !tb[KHV_K_KIND] ||
	    s->nr_keys >= STAT_MAX_KEYS)
		return;
	k = &s->keys[s->nr_keys++];
	k->kind = nla_get_u32(tb[KHV_K_KIND]);
	k->has_key = tb[KHV_K_KEY] != NULL;
	k->key = get_u32(tb[KHV_K_KEY]);
	k->count = get_u64(tb[KHV_K_COUNT]);
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[KHV_A_MAX + 1];
	struct nlattr *a;
	int rem;

	if (genlmsg_parse(nlh, 0, tb, KHV_A_MAX, NULL))
		return NL_SKIP;
	switch (gh->cmd) {
	case KHV_CMD_GET_VM:
		if (r->vms && r->nr_vms < r->max_vms)
			parse_vm(tb, &r->vms[r->nr_vms++]);
		break;
	case KHV_CMD_GET_STATS:
		if (!r->sample)
			break;
		r->sample->nr_reasons = get_u32(tb[KHV_A_NR_REASONS]);
		/* KHV_A_REASON and KHV_A_KEY repeat: walk them all. */
		nla_for_each_attr(a, genlmsg_attrdata(gh, 0),
				  genlmsg_attrlen(gh, 0), rem) {
			if (nla_type(a) == KHV_A_REASON)
				parse_reason(a, r->sample);
			else if (nla_type(a) == KHV_A_KEY)
				parse_key(a, r->sample);
		}
		break;
	}
	return NL_OK;
}

/* Send @msg (freed here), read the reply or the dump until its end. */
static int transact(struct khv_nl *nl, struct nl_msg *msg, struct reply *r)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	nl->err = 0;
	nl->msg[0] = 0;
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, r);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, r);
	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret >= 0)
		ret = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	if (nl->err)
		return nl->err;
	return ret < 0 ? -EIO : 0;
}

static struct nl_msg *new_request(struct khv_nl *nl, u8 cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				flags, cmd, KHV_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int khv_nl_list_vms(struct khv_nl *nl, struct stat_vm *vms, int max)
{
	struct reply r = { .nl = nl, .vms = vms, .max_vms = max };
	struct nl_msg *msg = new_request(nl, KHV_CMD_GET_VM, NLM_F_DUMP);
	int ret;

	if (!msg) {
		pr_err("out of memory");
		return -1;
	}
	ret = transact(nl, msg, &r);
	if (ret) {
		pr_err("listing the VMs: %s%s%s", strerror(-ret),
		       nl->msg[0] ? ": " : "", nl->msg);
		return -1;
	}
	return r.nr_vms;
}

int khv_nl_get_stats(struct khv_nl *nl, u32 vm_id, int vcpu, bool hist,
		     struct stat_sample *s)
{
	struct reply r = { .nl = nl, .sample = s };
	struct nl_msg *msg = new_request(nl, KHV_CMD_GET_STATS, 0);

	memset(s, 0, sizeof(*s));
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, KHV_A_VM_ID, vm_id) ||
	    (vcpu >= 0 && nla_put_u32(msg, KHV_A_VCPU_ID, vcpu)) ||
	    (hist && nla_put_u32(msg, KHV_A_STATS_FLAGS, KHV_STATS_F_HIST))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return transact(nl, msg, &r);
}
