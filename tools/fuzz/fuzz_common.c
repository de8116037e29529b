// SPDX-License-Identifier: GPL-2.0
/* What khv-fuzz and khv-chaos share: see fuzz_common.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <linux/khv_stats.h>

#include "fuzz_common.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

long fuzz_module_refcnt(void)
{
	FILE *f = fopen("/sys/module/khv/refcnt", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

long fuzz_mem_free_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int nl_send(int fd, uint16_t type, uint16_t flags, uint8_t cmd,
		   const char *name)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		char attrs[64];
	} req = { 0 };
	struct nlattr *a = (struct nlattr *)req.attrs;

	req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req.n.nlmsg_type = type;
	req.n.nlmsg_flags = NLM_F_REQUEST | flags;
	req.n.nlmsg_seq = 1;
	req.g.cmd = cmd;
	req.g.version = 1;
	if (name) {
		a->nla_type = CTRL_ATTR_FAMILY_NAME;
		a->nla_len = NLA_HDRLEN + strlen(name) + 1;
		memcpy((char *)a + NLA_HDRLEN, name, strlen(name) + 1);
		req.n.nlmsg_len += NLA_ALIGN(a->nla_len);
	}
	return send(fd, &req, req.n.nlmsg_len, 0) < 0 ? -1 : 0;
}

int fuzz_nl_vm_count(void)
{
	static char buf[65536];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, len, family = -1, count = 0;
	struct nlmsghdr *h;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	if (nl_send(fd, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, KHV_GENL_NAME))
		goto fail;
	len = recv(fd, buf, sizeof(buf), 0);
	for (h = (void *)buf; len > 0 && NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		struct nlattr *a = (void *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
		int alen = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

		if (h->nlmsg_type != GENL_ID_CTRL)
			goto fail;
		for (; alen >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
		       a->nla_len <= alen;
		     alen -= NLA_ALIGN(a->nla_len),
		     a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
			if (a->nla_type == CTRL_ATTR_FAMILY_ID)
				family = *(uint16_t *)((char *)a + NLA_HDRLEN);
	}
	if (family < 0 || nl_send(fd, family, NLM_F_DUMP, KHV_CMD_GET_VM, NULL))
		goto fail;
	for (;;) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len <= 0)
			goto fail;
		for (h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				close(fd);
				return count;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				goto fail;
			count++;
		}
	}
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * A soft lockup, an RCU stall or a hung task does not crash the lab (only
 * an oops or a WARN does), so the log is searched for them.
 */
static int kmsg_fd = -1;

void fuzz_kmsg_start(void)
{
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

int fuzz_kmsg_scan(unsigned int max_print)
{
	static const char *const bad[] = {
		"soft lockup", "detected stall", "blocked for more than",
		"BUG:", "WARNING:", "Oops", "general protection", "khv: ",
	};
	char rec[2048];
	unsigned int found = 0, context = 0, i;
	ssize_t n;

	if (kmsg_fd < 0)
		return -1;
	while ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0 ||
	       (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;	/* overwritten records: read on */
		rec[n] = 0;
		/*
		 * What follows the first report says where it happened (an
		 * RCU stall's backtrace of the stalled CPU, for one), at a
		 * log level the lab's quiet console does not show.
		 */
		if (context) {
			context--;
			printf("kernel:   %s", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
		}
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			if (!strstr(rec, bad[i]))
				continue;
			/* khv's own messages are fine unless they say more. */
			if (i == ARRAY_SIZE(bad) - 1 && !strstr(rec, "fail") &&
			    !strstr(rec, "leak"))
				continue;
			if (++found <= max_print)
				printf("kernel: %s", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
			if (found == 1)
				context = 40;
			break;
		}
	}
	return found;
}

void fuzz_pin(pthread_t t, int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(t, sizeof(set), &set);
}
