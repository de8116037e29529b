// SPDX-License-Identifier: GPL-2.0
/*
 * khv-nltest: checks of the "khv" generic netlink family that need raw
 * netlink (bad input on purpose) and a change of identity (permissions).
 * Runs as root in the lab, from scripts/stats-check.sh:
 *
 *   khv-nltest            the checks; "PASS: ..." / "FAIL: ..." lines
 *   khv-nltest events N   print the multicast events of the next N seconds
 *
 * Deliberately libnl-free: it builds malformed messages byte by byte and
 * reads the extended ack itself, so it tests the kernel, not the library.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <linux/khv.h>
#include <linux/khv_stats.h>

#include "check.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

#define NOBODY		65534
#define BUF_SIZE	65536

static int family, mcgrp = -1;
static unsigned int seq = 1;


/* A request under construction. */
struct req {
	union {
		struct nlmsghdr nlh;
		char buf[1024];
	};
};

static struct genlmsghdr *req_init(struct req *r, int type, int cmd,
				   int flags)
{
	struct genlmsghdr *g;

	memset(r, 0, sizeof(*r));
	r->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->nlh.nlmsg_type = type;
	r->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	r->nlh.nlmsg_seq = seq++;
	g = NLMSG_DATA(&r->nlh);
	g->cmd = cmd;
	g->version = 1;
	return g;
}

static void req_put(struct req *r, int type, const void *data, int len)
{
	struct nlattr *a = (struct nlattr *)(r->buf + NLMSG_ALIGN(r->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->nlh.nlmsg_len = NLMSG_ALIGN(r->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void req_u32(struct req *r, int type, unsigned int v)
{
	req_put(r, type, &v, sizeof(v));
}

/* What came back: the error (0 = none), its extack, the replies. */
struct resp {
	int error;
	char msg[256];
	int miss_type;		/* -1: none */
	bool has_offs;
	int nr;			/* replies kept in tb[] */
	struct nlattr *tb[16][KHV_A_MAX + 1];
	unsigned char cmd[16];
	char buf[BUF_SIZE];
};

static void parse_attrs(struct nlattr **tb, int max, void *data, int len)
{
	struct nlattr *a;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	for (a = data; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	     a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if ((a->nla_type & NLA_TYPE_MASK) <= max)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
}

static unsigned int attr_u32(struct nlattr *a)
{
	unsigned int v = 0;

	if (a)
		memcpy(&v, (char *)a + NLA_HDRLEN, sizeof(v));
	return v;
}

static void parse_error(struct resp *p, struct nlmsghdr *h)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int off = NLMSG_HDRLEN + sizeof(*e);

	p->error = e->error;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	if (off >= (int)h->nlmsg_len)
		return;
	parse_attrs(tb, NLMSGERR_ATTR_MAX, (char *)h + off, h->nlmsg_len - off);
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(p->msg, sizeof(p->msg), "%s",
			 (char *)tb[NLMSGERR_ATTR_MSG] + NLA_HDRLEN);
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		p->miss_type = attr_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	p->has_offs = tb[NLMSGERR_ATTR_OFFS] != NULL;
}

/*
 * Send, then read until the reply, the error or the end of the dump.
 * Each datagram goes after the previous one, since tb[] points into them.
 */
static int transact(int fd, struct req *r, struct resp *p)
{
	size_t used = 0;
	int len;

	memset(p, 0, offsetof(struct resp, buf));
	p->miss_type = -1;
	if (send(fd, r, r->nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *h;
		bool more = false;

		if (used + 16384 > sizeof(p->buf))
			return -ENOBUFS;
		len = recv(fd, p->buf + used, 16384, 0);
		if (len < 0)
			return -errno;
		for (h = (void *)(p->buf + used); NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != r->nlh.nlmsg_seq)
				continue;	/* e.g. a multicast event */
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				parse_error(p, h);
				return 0;
			}
			if (p->nr < 16) {
				struct genlmsghdr *g = NLMSG_DATA(h);

				p->cmd[p->nr] = g->cmd;
				parse_attrs(p->tb[p->nr++], KHV_A_MAX,
					    (char *)g + GENL_HDRLEN,
					    h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
			}
			more = h->nlmsg_flags & NLM_F_MULTI;
		}
		used += 16384;	/* one slot per datagram */
		if (!more)
			return 0;
	}
}

static int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
				 NETLINK_GENERIC);

	if (fd < 0) {
		perror("khv-nltest: socket");
		exit(2);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/*
	 * Bind now: a socket without a port id is skipped by multicast
	 * delivery (its id 0 is the kernel's, the sender's).
	 */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("khv-nltest: bind");
		exit(2);
	}
	return fd;
}

/* Family id and the "events" group id from the controller. */
static int resolve(int fd)
{
	static struct resp p;
	struct nlattr *tb[CTRL_ATTR_MAX + 1], *g, *gtb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct nlmsghdr *h;
	struct req r;
	int len;

	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	req_put(&r, CTRL_ATTR_FAMILY_NAME, KHV_GENL_NAME,
		sizeof(KHV_GENL_NAME));
	if (transact(fd, &r, &p) || p.error || !p.nr)
		return -1;
	/* p.tb was parsed with khv's numbering: reparse as the controller's. */
	h = (void *)p.buf;
	parse_attrs(tb, CTRL_ATTR_MAX, (char *)NLMSG_DATA(h) + GENL_HDRLEN,
		    h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
	if (!tb[CTRL_ATTR_FAMILY_ID])
		return -1;
	memcpy(&family, (char *)tb[CTRL_ATTR_FAMILY_ID] + NLA_HDRLEN, 2);
	family &= 0xffff;
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	len = tb[CTRL_ATTR_MCAST_GROUPS]->nla_len - NLA_HDRLEN;
	for (g = (void *)((char *)tb[CTRL_ATTR_MCAST_GROUPS] + NLA_HDRLEN);
	     len >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN && g->nla_len <= len;
	     len -= NLA_ALIGN(g->nla_len),
	     g = (void *)((char *)g + NLA_ALIGN(g->nla_len))) {
		parse_attrs(gtb, CTRL_ATTR_MCAST_GRP_MAX, (char *)g + NLA_HDRLEN,
			    g->nla_len - NLA_HDRLEN);
		if (gtb[CTRL_ATTR_MCAST_GRP_NAME] && gtb[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp((char *)gtb[CTRL_ATTR_MCAST_GRP_NAME] + NLA_HDRLEN,
			    KHV_GENL_MCGRP_EVENTS))
			mcgrp = attr_u32(gtb[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return 0;
}

static const char *event_name(int cmd)
{
	switch (cmd) {
	case KHV_CMD_EVENT_VM_CREATED: return "vm_created";
	case KHV_CMD_EVENT_VM_DESTROYED: return "vm_destroyed";
	case KHV_CMD_EVENT_ENTRY_FAILED: return "entry_failed";
	case KHV_CMD_EVENT_SHUTDOWN: return "shutdown";
	}
	return "unknown";
}

/*
 * Wait up to @ms for an event @cmd about VM @vm_id (0: any); print the
 * events seen if @print.  true if it came.
 */
static bool wait_event(int fd, int cmd, unsigned int vm_id, int ms, bool print)
{
	static char buf[BUF_SIZE];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (poll(&pfd, 1, ms) > 0) {
		int len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len <= 0)
			return false;
		for (h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			struct genlmsghdr *g = NLMSG_DATA(h);
			struct nlattr *tb[KHV_A_MAX + 1];

			if (h->nlmsg_type != family)
				continue;
			parse_attrs(tb, KHV_A_MAX, (char *)g + GENL_HDRLEN,
				    h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
			if (print) {
				printf("event %s vm=%u pid=%u", event_name(g->cmd),
				       attr_u32(tb[KHV_A_VM_ID]),
				       attr_u32(tb[KHV_A_PID]));
				if (tb[KHV_A_VCPU_ID])
					printf(" vcpu=%u", attr_u32(tb[KHV_A_VCPU_ID]));
				printf("\n");
				fflush(stdout);
			}
			if (g->cmd == cmd &&
			    (!vm_id || attr_u32(tb[KHV_A_VM_ID]) == vm_id))
				return true;
		}
	}
	return false;
}

static int subscribe(int fd)
{
	return setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &mcgrp,
			  sizeof(mcgrp));
}

/* The id of our newest VM in the dump (matched by pid), or 0. */
static unsigned int find_vm(int fd, unsigned int pid, unsigned int *uid,
			    unsigned int not_id)
{
	static struct resp p;
	unsigned int id = 0;
	struct req r;
	int i;

	req_init(&r, family, KHV_CMD_GET_VM, NLM_F_DUMP);
	if (transact(fd, &r, &p) || p.error)
		return 0;
	for (i = 0; i < p.nr; i++) {
		if (attr_u32(p.tb[i][KHV_A_PID]) != pid ||
		    attr_u32(p.tb[i][KHV_A_VM_ID]) == not_id)
			continue;
		id = attr_u32(p.tb[i][KHV_A_VM_ID]);
		if (uid)
			*uid = attr_u32(p.tb[i][KHV_A_UID]);
	}
	return id;
}

static bool listed(int fd, unsigned int vm_id)
{
	static struct resp p;
	struct req r;
	int i;

	req_init(&r, family, KHV_CMD_GET_VM, NLM_F_DUMP);
	if (transact(fd, &r, &p) || p.error)
		return false;
	for (i = 0; i < p.nr; i++)
		if (attr_u32(p.tb[i][KHV_A_VM_ID]) == vm_id)
			return true;
	return false;
}

/* One bad request: expect @err and an extack message. */
static void expect_error(int fd, struct req *r, int err, const char *what)
{
	static struct resp p;
	int ret = transact(fd, r, &p);
	bool ok = !ret && p.error == -err && p.msg[0];

	check(ok,
	      "%s: error %d (want %d), extack \"%s\"", what, p.error, -err,
	      p.msg);
}

static void bad_input(int fd, unsigned int vm_id)
{
	struct req r;
	unsigned char byte = 1;

	req_init(&r, family, KHV_CMD_GET_STATS, 0);
	expect_error(fd, &r, EINVAL, "GET_STATS without VM_ID");

	req_init(&r, family, KHV_CMD_GET_STATS, 0);
	req_put(&r, KHV_A_VM_ID, &byte, 1);
	expect_error(fd, &r, EINVAL, "VM_ID of 1 byte");

	req_init(&r, family, KHV_CMD_GET_STATS, 0);
	req_u32(&r, KHV_A_VM_ID, 0);
	expect_error(fd, &r, ERANGE, "VM_ID 0 (policy minimum 1)");

	req_init(&r, family, KHV_CMD_GET_STATS, 0);
	req_u32(&r, KHV_A_VM_ID, vm_id);
	req_u32(&r, KHV_A_VCPU_ID, 999);
	expect_error(fd, &r, ERANGE, "VCPU_ID 999 (policy maximum 15)");

	req_init(&r, family, KHV_CMD_GET_STATS, 0);
	req_u32(&r, KHV_A_VM_ID, vm_id);
	req_u32(&r, KHV_A_STATS_FLAGS, 0x80);
	expect_error(fd, &r, EINVAL, "unknown STATS_FLAGS bit");

	req_init(&r, family, KHV_CMD_GET_STATS, 0);
	req_u32(&r, KHV_A_VM_ID, vm_id);
	req_u32(&r, KHV_A_MAX + 5, 1);
	expect_error(fd, &r, EINVAL, "attribute beyond KHV_A_MAX");

	req_init(&r, family, KHV_CMD_GET_STATS, 0);
	req_u32(&r, KHV_A_VM_ID, vm_id);
	req_u32(&r, KHV_A_PID, 1);
	expect_error(fd, &r, EINVAL, "reply-only attribute PID in a request");

	req_init(&r, family, KHV_CMD_GET_STATS, 0);
	req_u32(&r, KHV_A_VM_ID, vm_id);
	req_u32(&r, KHV_A_VCPU_ID, 0);
	expect_error(fd, &r, ENOENT, "vCPU 0 of a VM without vCPUs");

	req_init(&r, family, KHV_CMD_GET_VM, 0);
	req_u32(&r, KHV_A_VM_ID, 0x7ffffff0);
	expect_error(fd, &r, ENOENT, "GET_VM of an unknown VM");
}

static void command_errors(int fd)
{
	static struct resp p;
	struct genlmsghdr *g;
	struct req r;
	int ret;

	req_init(&r, family, KHV_CMD_EVENT_VM_CREATED, 0);
	ret = transact(fd, &r, &p);
	check(!ret && p.error == -EOPNOTSUPP,
	      "an event command as a request: error %d (want %d)", p.error,
	      -EOPNOTSUPP);

	g = req_init(&r, family, KHV_CMD_GET_VERSION, 0);
	g->reserved = 1;
	ret = transact(fd, &r, &p);
	check(!ret && p.error == -EINVAL,
	      "reserved genl header field set: error %d (want %d)", p.error,
	      -EINVAL);
}

/* The exits of reason @id in a GET_STATS reply (the first message). */
static unsigned long long reason_count(struct resp *p, unsigned int id)
{
	struct nlmsghdr *h = (struct nlmsghdr *)p->buf;
	int len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	struct nlattr *a = (void *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	unsigned long long n = 0;

	for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	     a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		struct nlattr *r[KHV_R_MAX + 1];

		if ((a->nla_type & NLA_TYPE_MASK) != KHV_A_REASON)
			continue;
		parse_attrs(r, KHV_R_MAX, (char *)a + NLA_HDRLEN,
			    a->nla_len - NLA_HDRLEN);
		if (r[KHV_R_ID] && attr_u32(r[KHV_R_ID]) == id &&
		    r[KHV_R_COUNT])
			memcpy(&n, (char *)r[KHV_R_COUNT] + NLA_HDRLEN,
			       sizeof(n));
	}
	return n;
}

/*
 * A vCPU whose fd is closed before its VM's: its exits stay in the VM's
 * totals.  The guest, in real mode at 0x1000: three CPUIDs, then HLT
 * (which, without an in-kernel local APIC, exits to userspace).
 */
static void retired_vcpu(int fd, int dev, unsigned int other)
{
	static const unsigned char code[] = {
		0x0f, 0xa2, 0x0f, 0xa2, 0x0f, 0xa2, 0xf4,
	};
	static struct resp p;
	struct khv_memory_region mr = { 0 };
	struct khv_sregs sr;
	struct khv_regs regs = { .rip = 0x1000, .rflags = 2 };
	unsigned int uid, id;
	int vm, cpu, ret, size = ioctl(dev, KHV_GET_VCPU_MMAP_SIZE, 0);
	struct khv_run *run;
	struct req r;
	char *mem;

	vm = ioctl(dev, KHV_CREATE_VM, 0);
	id = find_vm(fd, getpid(), &uid, other);
	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || !id || mem == MAP_FAILED || size <= 0) {
		check(false, "retired vCPU: VM, memory (%s)", strerror(errno));
		return;
	}
	memcpy(mem + 0x1000, code, sizeof(code));
	mr.memory_size = 0x10000;
	mr.userspace_addr = (unsigned long)mem;
	cpu = ioctl(vm, KHV_SET_MEMORY_REGION, &mr) ? -1 :
	      ioctl(vm, KHV_CREATE_VCPU, 0);
	run = cpu < 0 ? MAP_FAILED :
	      mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
	ret = run == MAP_FAILED || ioctl(cpu, KHV_GET_SREGS, &sr) ? -1 : 0;
	if (!ret) {
		/* One leaf: the guest's CPUIDs need a table, not its content. */
		static union {
			struct khv_cpuid c;
			char b[sizeof(struct khv_cpuid) +
			       sizeof(struct khv_cpuid_entry)];
		} cpuid = { .c.nent = 1 };

		sr.cs.base = 0;
		sr.cs.selector = 0;
		ret = ioctl(cpu, KHV_SET_CPUID, &cpuid.c) ||
		      ioctl(cpu, KHV_SET_SREGS, &sr) ||
		      ioctl(cpu, KHV_SET_REGS, &regs) ||
		      ioctl(cpu, KHV_RUN, 0) ? -1 : 0;
	}
	check(!ret && run->exit_reason == KHV_EXIT_HLT,
	      "retired vCPU: the guest ran to its HLT (exit %u, %s)",
	      ret ? 0 : run->exit_reason, ret ? strerror(errno) : "ok");
	if (run != MAP_FAILED)
		munmap(run, size);
	close(cpu);

	req_init(&r, family, KHV_CMD_GET_STATS, 0);
	req_u32(&r, KHV_A_VM_ID, id);
	ret = transact(fd, &r, &p);
	check(!ret && !p.error && p.nr == 1 &&
	      reason_count(&p, KHV_STAT_CPUID) == 3,
	      "VM %u keeps the 3 CPUID exits of its closed vCPU (%llu)", id,
	      ret || p.error ? 0 : reason_count(&p, KHV_STAT_CPUID));
	close(vm);
	munmap(mem, 0x10000);
}

static int drop_privileges(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY)) {
		perror("khv-nltest: dropping to uid 65534");
		return -1;
	}
	return 0;
}

static int run_checks(void)
{
	static struct resp p;
	int fd = nl_open(), ev = nl_open(), dev, vm_fd, own_fd;
	unsigned int pid = getpid(), vm_id, own_id, uid = 1;
	struct req r;
	bool ok;
	int ret;

	ret = resolve(fd);
	check(!ret, "family \"%s\" resolved (id %d)", KHV_GENL_NAME, family);
	if (!family)
		return 1;
	check(mcgrp >= 0, "multicast group \"%s\" (id %d)",
	      KHV_GENL_MCGRP_EVENTS, mcgrp);

	req_init(&r, family, KHV_CMD_GET_VERSION, 0);
	ret = transact(fd, &r, &p);
	check(!ret && !p.error && p.nr == 1 &&
	      attr_u32(p.tb[0][KHV_A_VERSION]) == KHV_GENL_VERSION &&
	      attr_u32(p.tb[0][KHV_A_NR_REASONS]) == KHV_STAT_NR,
	      "GET_VERSION: version %u, %u reasons",
	      attr_u32(p.tb[0][KHV_A_VERSION]),
	      attr_u32(p.tb[0][KHV_A_NR_REASONS]));

	ret = subscribe(ev);
	check(!ret, "root joins the events group");

	dev = open("/dev/khv", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror("khv-nltest: /dev/khv");
		return 1;
	}
	vm_fd = ioctl(dev, KHV_CREATE_VM, 0);
	vm_id = find_vm(fd, pid, &uid, 0);
	check(vm_fd >= 0 && vm_id && uid == 0,
	      "root's VM listed: id %u, pid %u, uid %u", vm_id, pid, uid);
	ok = wait_event(ev, KHV_CMD_EVENT_VM_CREATED, vm_id, 2000, false);
	check(ok, "event vm_created for VM %u", vm_id);

	bad_input(fd, vm_id);
	command_errors(fd);
	retired_vcpu(fd, dev, vm_id);

	if (drop_privileges())
		return 1;
	ok = listed(fd, vm_id);
	check(!ok, "uid %d does not see root's VM %u in the dump",
	      NOBODY, vm_id);
	req_init(&r, family, KHV_CMD_GET_VM, 0);
	req_u32(&r, KHV_A_VM_ID, vm_id);
	expect_error(fd, &r, ENOENT, "uid 65534: GET_VM of root's VM");
	req_init(&r, family, KHV_CMD_GET_STATS, 0);
	req_u32(&r, KHV_A_VM_ID, vm_id);
	expect_error(fd, &r, ENOENT, "uid 65534: GET_STATS of root's VM");
	{
		int fd2 = nl_open();

		ret = subscribe(fd2) < 0 ? errno : 0;
		check(ret == EPERM,
		      "uid 65534 may not join the events group (%s)",
		      strerror(ret));
		close(fd2);
	}

	/* /dev/khv stays open across the change: a VM of nobody's own. */
	own_fd = ioctl(dev, KHV_CREATE_VM, 0);
	own_id = find_vm(fd, pid, &uid, vm_id);
	check(own_fd >= 0 && own_id && uid == NOBODY,
	      "uid 65534 sees its own VM %u (uid %u)", own_id, uid);
	req_init(&r, family, KHV_CMD_GET_STATS, 0);
	req_u32(&r, KHV_A_VM_ID, own_id);
	ret = transact(fd, &r, &p);
	check(!ret && !p.error && p.nr == 1,
	      "uid 65534 reads its own VM's counters (error %d)", p.error);

	close(vm_fd);
	ok = wait_event(ev, KHV_CMD_EVENT_VM_DESTROYED, vm_id, 2000, false);
	check(ok, "event vm_destroyed for VM %u", vm_id);
	close(own_fd);
	close(dev);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "events")) {
		int fd = nl_open();
		time_t end = time(NULL) + atoi(argv[2]);

		if (resolve(fd) || mcgrp < 0 || subscribe(fd)) {
			fprintf(stderr, "khv-nltest: cannot join khv events: %s\n",
				strerror(errno));
			return 1;
		}
		printf("listening\n");
		fflush(stdout);
		while (time(NULL) < end)
			wait_event(fd, -1, 0, 200, true);
		return 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: khv-nltest [events SECONDS]\n");
		return 2;
	}
	return run_checks();
}
