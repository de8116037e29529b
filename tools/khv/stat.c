// SPDX-License-Identifier: GPL-2.0
/*
 * khv stat: exits of running khv VMs, from the kernel's counters.
 *
 *   khv stat                  live view, refreshed every second (q quits)
 *   khv stat --list           the VMs this user may see
 *   khv stat --once [--json]  one sample, for scripts
 *   khv stat --hist REASON    latency histogram of one exit reason
 *
 * --vm ID, --pid PID and --vcpu N narrow the selection.  Without a
 * terminal the live view prints one block per interval instead of
 * redrawing.  Documentation/stats.rst has the details.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "stat.h"

static const char *const reason_names[] = KHV_STAT_NAMES;
static const char *const key_names[KHV_KEY_NR] = {
	"ports", "msrs", "cpuid_leaves"
};

struct stat_opts {
	bool list, once, json, user;
	const char *hist;
	long vm_id, pid, vcpu;
	int interval;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: khv stat [--vm ID | --pid PID] [--vcpu N] [options]\n"
		"\n"
		"  (none)          live exits per second by reason (q or Ctrl-C quits)\n"
		"  --list          list the VMs (id, pid, uid, vCPUs, memory)\n"
		"  --once          print one sample and exit\n"
		"  --json          with --once or --list: JSON, one VM per line\n"
		"  --hist REASON   log2 histogram of the time khv spent on REASON\n"
		"  --user          with --hist: the time userspace reported instead\n"
		"  --vm ID         only this VM\n"
		"  --pid PID       only the VMs created by this process\n"
		"  --vcpu N        only this vCPU (with --vm or --pid)\n"
		"  --interval SECS live view refresh period (default 1)\n");
}

static const char *reason_name(unsigned int i)
{
	return i < ARRAY_SIZE(reason_names) ? reason_names[i] : "unknown";
}

static int reason_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reason_names); i++)
		if (!strcmp(reason_names[i], name))
			return i;
	return -1;
}

static int parse_long(const char *opt, const char *s, long min, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 0);
	if (errno || !*s || *end || *out < min) {
		pr_err("%s %s: expected a number >= %ld", opt, s, min);
		return -1;
	}
	return 0;
}

enum { O_LIST = 256, O_ONCE, O_JSON, O_HIST, O_USER, O_VM, O_PID, O_VCPU,
       O_INTERVAL, O_HELP };

static const struct option stat_longopts[] = {
	{ "list", no_argument, NULL, O_LIST },
	{ "once", no_argument, NULL, O_ONCE },
	{ "json", no_argument, NULL, O_JSON },
	{ "hist", required_argument, NULL, O_HIST },
	{ "user", no_argument, NULL, O_USER },
	{ "vm", required_argument, NULL, O_VM },
	{ "pid", required_argument, NULL, O_PID },
	{ "vcpu", required_argument, NULL, O_VCPU },
	{ "interval", required_argument, NULL, O_INTERVAL },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

/* 0, 1 after --help, -1 after a message. */
static int parse_stat_options(int argc, char **argv, struct stat_opts *o)
{
	long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->vm_id = o->pid = o->vcpu = -1;
	o->interval = 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", stat_longopts, NULL)) != -1) {
		switch (c) {
		case O_LIST: o->list = true; break;
		case O_ONCE: o->once = true; break;
		case O_JSON: o->json = true; break;
		case O_USER: o->user = true; break;
		case O_HIST:
			if (reason_by_name(optarg) < 0) {
				pr_err("--hist %s: unknown reason (one of cpuid, io, mmio, msr_read, ...)",
				       optarg);
				return -1;
			}
			o->hist = optarg;
			break;
		case O_VM:
			if (parse_long("--vm", optarg, 1, &o->vm_id))
				return -1;
			break;
		case O_PID:
			if (parse_long("--pid", optarg, 1, &o->pid))
				return -1;
			break;
		case O_VCPU:
			if (parse_long("--vcpu", optarg, 0, &o->vcpu))
				return -1;
			break;
		case O_INTERVAL:
			if (parse_long("--interval", optarg, 1, &v))
				return -1;
			o->interval = v;
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			return 1;
		case ':':
			pr_err("%s needs an argument", argv[optind - 1]);
			return -1;
		default:
			pr_err("unknown option %s (try khv stat --help)",
			       argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		pr_err("unexpected argument '%s' (try khv stat --help)",
		       argv[optind]);
		return -1;
	}
	if (o->json && !o->once && !o->list) {
		pr_err("--json goes with --once or --list");
		return -1;
	}
	if (o->user && !o->hist) {
		pr_err("--user goes with --hist");
		return -1;
	}
	return 0;
}

/* The visible VMs that --vm and --pid select; -1 after a message. */
static int select_vms(struct khv_nl *nl, const struct stat_opts *o,
		      struct stat_vm *vms)
{
	int i, n, kept = 0;

	n = khv_nl_list_vms(nl, vms, STAT_MAX_VMS);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if ((o->vm_id >= 0 && vms[i].id != o->vm_id) ||
		    (o->pid >= 0 && vms[i].pid != o->pid))
			continue;
		vms[kept++] = vms[i];
	}
	return kept;
}

static void sample_add(struct stat_sample *sum, const struct stat_sample *s)
{
	unsigned int i, j, b;

	if (s->nr_reasons > sum->nr_reasons)
		sum->nr_reasons = s->nr_reasons;
	for (i = 0; i < STAT_MAX_REASONS; i++) {
		struct stat_reason *d = &sum->reason[i];
		const struct stat_reason *r = &s->reason[i];

		d->count += r->count;
		d->kernel_ns += r->kernel_ns;
		d->user_count += r->user_count;
		d->user_ns += r->user_ns;
		for (b = 0; b < KHV_STAT_HIST_BUCKETS; b++) {
			d->kernel_hist[b] += r->kernel_hist[b];
			d->user_hist[b] += r->user_hist[b];
		}
	}
	for (i = 0; i < s->nr_keys; i++) {
		const struct stat_key *k = &s->keys[i];

		for (j = 0; j < sum->nr_keys; j++) {
			struct stat_key *d = &sum->keys[j];

			if (d->kind == k->kind && d->has_key == k->has_key &&
			    d->key == k->key) {
				d->count += k->count;
				break;
			}
		}
		if (j == sum->nr_keys && sum->nr_keys < STAT_MAX_KEYS)
			sum->keys[sum->nr_keys++] = *k;
	}
}

/*
 * Sum the selected VMs' counters into @sum; a VM that went away since
 * the listing is skipped.  Returns the number of VMs summed, or -1.
 */
static int sample_vms(struct khv_nl *nl, const struct stat_opts *o,
		      const struct stat_vm *vms, int n, bool hist,
		      struct stat_sample *sum, struct stat_sample *tmp)
{
	int i, ret, got = 0;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < n; i++) {
		ret = khv_nl_get_stats(nl, vms[i].id, o->vcpu, hist, tmp);
		if (ret == -ENOENT && o->vcpu < 0)
			continue;
		if (ret) {
			pr_err("VM %u: %s%s%s", vms[i].id, strerror(-ret),
			       *khv_nl_error(nl) ? ": " : "",
			       khv_nl_error(nl));
			return -1;
		}
		sample_add(sum, tmp);
		got++;
	}
	return got;
}

static void print_vm_json(const struct stat_vm *vm)
{
	printf("{\"id\": %u, \"pid\": %u, \"uid\": %u, \"vcpus\": %u, \"slots\": %u, \"mem_bytes\": %llu",
	       vm->id, vm->pid, vm->uid, vm->nr_vcpus, vm->nr_slots,
	       (unsigned long long)vm->mem_bytes);
}

static void print_sample_json(const struct stat_sample *s)
{
	unsigned int i, k;
	const char *sep = "";

	printf(", \"exits\": {");
	for (i = 0; i < STAT_MAX_REASONS; i++) {
		const struct stat_reason *r = &s->reason[i];

		if (!r->count && !r->user_count)
			continue;
		printf("%s\"%s\": {\"count\": %llu, \"kernel_ns\": %llu, \"user_count\": %llu, \"user_ns\": %llu}",
		       sep, reason_name(i), (unsigned long long)r->count,
		       (unsigned long long)r->kernel_ns,
		       (unsigned long long)r->user_count,
		       (unsigned long long)r->user_ns);
		sep = ", ";
	}
	printf("}");
	for (k = 0; k < KHV_KEY_NR; k++) {
		unsigned long long other = 0;

		sep = "";
		printf(", \"%s\": {", key_names[k]);
		for (i = 0; i < s->nr_keys; i++) {
			const struct stat_key *key = &s->keys[i];

			if (key->kind != k)
				continue;
			if (!key->has_key) {
				other += key->count;
				continue;
			}
			printf("%s\"0x%x\": %llu", sep, key->key,
			       (unsigned long long)key->count);
			sep = ", ";
		}
		printf("}, \"%s_other\": %llu", key_names[k], other);
	}
}

static int cmd_list(struct khv_nl *nl, const struct stat_opts *o)
{
	struct stat_vm vms[STAT_MAX_VMS];
	int i, n = select_vms(nl, o, vms);

	if (n < 0)
		return 1;
	if (!o->json)
		printf("%6s %8s %6s %6s %6s %12s\n", "VM", "PID", "UID",
		       "VCPUS", "SLOTS", "MEMORY");
	for (i = 0; i < n; i++) {
		if (o->json) {
			print_vm_json(&vms[i]);
			printf("}\n");
			continue;
		}
		printf("%6u %8u %6u %6u %6u %11lluM\n", vms[i].id, vms[i].pid,
		       vms[i].uid, vms[i].nr_vcpus, vms[i].nr_slots,
		       (unsigned long long)(vms[i].mem_bytes >> 20));
	}
	return 0;
}

static int cmd_once_json(struct khv_nl *nl, const struct stat_opts *o,
			 const struct stat_vm *vms, int n,
			 struct stat_sample *s)
{
	int i, ret;

	printf("{\"version\": %d, \"vms\": [\n", KHV_GENL_VERSION);
	for (i = 0; i < n; i++) {
		ret = khv_nl_get_stats(nl, vms[i].id, o->vcpu, false, s);
		if (ret) {
			pr_err("VM %u: %s%s%s", vms[i].id, strerror(-ret),
			       *khv_nl_error(nl) ? ": " : "",
			       khv_nl_error(nl));
			return 1;
		}
		print_vm_json(&vms[i]);
		print_sample_json(s);
		printf("}%s\n", i + 1 < n ? "," : "");
	}
	printf("]}\n");
	return 0;
}

static unsigned long long avg(u64 total, u64 n)
{
	return n ? total / n : 0;
}

/* One table: totals, rates against @prev (NULL: none yet), averages. */
static void print_table(const struct stat_sample *s,
			const struct stat_sample *prev, double secs)
{
	unsigned int order[STAT_MAX_REASONS], n = 0, i, j;
	double rate[STAT_MAX_REASONS] = { 0 };

	for (i = 0; i < STAT_MAX_REASONS; i++) {
		const struct stat_reason *r = &s->reason[i];

		if (!r->count && !r->user_count)
			continue;
		if (prev && secs > 0 && r->count >= prev->reason[i].count)
			rate[i] = (r->count - prev->reason[i].count) / secs;
		/* Insertion sort: busiest now first, then most in total. */
		for (j = n; j > 0; j--) {
			unsigned int o = order[j - 1];

			if (rate[o] > rate[i] ||
			    (rate[o] == rate[i] &&
			     s->reason[o].count >= r->count))
				break;
			order[j] = o;
		}
		order[j] = i;
		n++;
	}
	printf("%-12s %14s %10s %14s %14s\n", "REASON", "TOTAL", "PER_SEC",
	       "KERNEL_AVG_NS", "USER_AVG_NS");
	for (j = 0; j < n; j++) {
		const struct stat_reason *r = &s->reason[order[j]];

		printf("%-12s %14llu %10.0f %14llu ", reason_name(order[j]),
		       (unsigned long long)r->count, rate[order[j]],
		       avg(r->kernel_ns, r->count));
		if (r->user_count)
			printf("%14llu\n", avg(r->user_ns, r->user_count));
		else
			printf("%14s\n", "-");
	}
	if (!n)
		printf("(no exits yet)\n");
}

static void print_hist(const struct stat_sample *s, int reason, bool user)
{
	const struct stat_reason *r = &s->reason[reason];
	const u64 *h = user ? r->user_hist : r->kernel_hist;
	u64 max = 0, total = 0;
	int b, first = -1, last = -1;

	for (b = 0; b < KHV_STAT_HIST_BUCKETS; b++) {
		total += h[b];
		if (h[b] > max)
			max = h[b];
		if (h[b]) {
			if (first < 0)
				first = b;
			last = b;
		}
	}
	printf("%s: time %s, %llu samples\n", reason_name(reason),
	       user ? "userspace reported" : "in the kernel's handler",
	       (unsigned long long)total);
	if (first < 0)
		return;
	printf("%24s %12s\n", "NS", "COUNT");
	for (b = first; b <= last; b++) {
		int bar = max ? (int)(h[b] * 40 / max) : 0;

		printf("[%10llu, %10llu) %12llu |%.*s\n",
		       b ? 1ULL << b : 0ULL, 1ULL << (b + 1),
		       (unsigned long long)h[b], bar,
		       "########################################");
	}
}

static struct termios saved_tty;
static bool tty_raw;

static void tty_restore(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_raw = false;
}

/* Keys without Enter, no echo; the terminal comes back on every exit. */
static void tty_setup(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	t = saved_tty;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &t)) {
		tty_raw = true;
		atexit(tty_restore);
	}
}

/* Sleep up to @ms; true if the user asked to quit. */
static bool wait_for_quit(int ms, bool keys)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	u64 end = now_ns() + (u64)ms * 1000000;
	char c;

	while (!stop) {
		u64 now = now_ns();

		if (now >= end)
			return false;
		if (!keys) {
			struct timespec ts = { .tv_sec = 0, .tv_nsec = 0 };
			u64 left = end - now;

			ts.tv_sec = left / NSEC_PER_SEC;
			ts.tv_nsec = left % NSEC_PER_SEC;
			nanosleep(&ts, NULL);
			continue;
		}
		if (poll(&p, 1, (end - now) / 1000000 + 1) > 0) {
			if (read(STDIN_FILENO, &c, 1) == 1 &&
			    (c == 'q' || c == 'Q'))
				return true;
		}
	}
	return true;
}

static int cmd_live(struct khv_nl *nl, const struct stat_opts *o,
		    struct stat_sample *cur, struct stat_sample *prev,
		    struct stat_sample *tmp)
{
	bool tty = isatty(STDOUT_FILENO), keys = tty && isatty(STDIN_FILENO);
	struct stat_vm vms[STAT_MAX_VMS];
	u64 start = now_ns(), last = 0;
	bool have_prev = false;
	int n, got, i;

	if (keys)
		tty_setup();
	do {
		u64 t = now_ns();

		n = select_vms(nl, o, vms);
		if (n < 0)
			return 1;
		got = sample_vms(nl, o, vms, n, false, cur, tmp);
		if (got < 0)
			return 1;
		if (tty)
			printf("\033[H\033[2J");
		else
			printf("--- %.1f s\n", (t - start) / 1e9);
		printf("khv stat: %d VM%s", got, got == 1 ? "" : "s");
		for (i = 0; i < n && i < 8; i++)
			printf("%s%u (pid %u)", i ? ", " : " ", vms[i].id,
			       vms[i].pid);
		printf("%s; every %d s%s\n\n", n > 8 ? ", ..." : "",
		       o->interval, keys ? ", q quits" : "");
		print_table(cur, have_prev ? prev : NULL,
			    have_prev ? (t - last) / 1e9 : 0);
		if (!tty)
			printf("\n");
		fflush(stdout);
		memcpy(prev, cur, sizeof(*prev));
		have_prev = true;
		last = t;
	} while (!wait_for_quit(o->interval * 1000, keys));
	tty_restore();
	return 0;
}

int cmd_stat(int argc, char **argv)
{
	struct stat_sample *s[3] = { NULL, NULL, NULL };
	struct stat_vm vms[STAT_MAX_VMS];
	struct sigaction sa;
	struct stat_opts o;
	struct khv_nl *nl;
	int ret = 1, n;

	ret = parse_stat_options(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : KHV_EXIT_USAGE;
	if (o.vcpu >= 0 && o.vm_id < 0 && o.pid < 0) {
		pr_err("--vcpu needs --vm or --pid");
		return KHV_EXIT_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll must return */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	nl = khv_nl_open();
	if (!nl)
		return 1;
	ret = 1;
	s[0] = calloc(1, sizeof(*s[0]));
	s[1] = calloc(1, sizeof(*s[1]));
	s[2] = calloc(1, sizeof(*s[2]));
	if (!s[0] || !s[1] || !s[2]) {
		pr_err("out of memory");
		goto out;
	}
	if (o.list) {
		ret = cmd_list(nl, &o);
		goto out;
	}
	if (!o.once && !o.hist) {
		ret = cmd_live(nl, &o, s[0], s[1], s[2]);
		goto out;
	}
	n = select_vms(nl, &o, vms);
	if (n < 0)
		goto out;
	if (o.once && o.json) {
		ret = cmd_once_json(nl, &o, vms, n, s[0]);
		goto out;
	}
	if (sample_vms(nl, &o, vms, n, o.hist != NULL, s[0], s[1]) < 0)
		goto out;
	if (o.hist)
		print_hist(s[0], reason_by_name(o.hist), o.user);
	else
		print_table(s[0], NULL, 0);
	ret = 0;
out:
	free(s[0]);
	free(s[1]);
	free(s[2]);
	khv_nl_close(nl);
	return ret;
}
