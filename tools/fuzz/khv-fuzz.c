// SPDX-License-Identifier: GPL-2.0
/*
 * khv-fuzz: a seeded, reproducible fuzzer of the /dev/khv ioctl ABI, and
 * the guest isolation tests.  Runs as root in the lab (scripts/labvm):
 *
 *   khv-fuzz [--seed N] [--calls M] [--no-isolation] [--isolation-only]
 *            [--no-exhaust] [--rmmod] [--verbose] [--trace]
 *
 * --calls M     M random steps (most are one ioctl; a KHV_RUN step may
 *               run the vCPU up to 16 times); default 10000
 * --rmmod       at the end, rmmod khv must work
 * --trace       print every call, and the state of each vCPU before it
 *               runs, to stderr: to find the call that hangs
 *
 * Every call is checked against Documentation/api.rst: it succeeds or
 * fails with an errno its "Errors" list names.  The same seed gives the
 * same sequence of calls (what the kernel answers may still differ, e.g.
 * how far a guest got before a timer signal).  The end checks that
 * closing everything gave back the module references, the VMs listed by
 * the "khv" netlink family and, roughly, the memory.
 *
 * With two CPUs or more it runs on the last one, and a thread on CPU 0
 * signals it when a KHV_RUN takes more than 10 ms, and sends NMIs when
 * one takes more than a second (the "kicker": the lab's QEMU has guest
 * states in which its CPU takes no interrupt).  The end-of-run checks and
 * the lab's guest-state workarounds are shared with khv-chaos
 * (fuzz_common.[ch]).
 *
 * Output: "PASS: ..." / "FAIL: ..." lines, then "N passed, N failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/khv.h>
#include <linux/khv_stats.h>

#include "check.h"
#include "fuzz_common.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		4096UL

static bool verbose;


/* xorshift64*: small, and the same sequence on every machine. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* A second stream, for what depends on the kernel's answers (op_run). */
static uint64_t answer_rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_swap(uint64_t state)
{
	uint64_t old = rng_state;

	rng_state = state;
	return old;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return rnd_below(100) < percent;
}

static void rnd_fill(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len--)
		*p++ = rnd();
}

/* Values at the edges: where range checks go wrong. */
static uint64_t rnd_value(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 0xf, 0x10, 0xff, 0x100, 0xfff, 0x1000, 0x1001,
		0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ULL, 0xfffff000ULL, 0xfee00000ULL, 0xffff0000ULL,
		1ULL << 47, (1ULL << 47) - PAGE, 1ULL << 48, (1ULL << 48) - PAGE,
		0x7fffffffffffffffULL, 0x8000000000000000ULL,
		0xfffffffffffff000ULL, 0xffffffffffffffffULL,
		0xffff800000000000ULL, 0xffffffff80000000ULL,
	};

	switch (rnd_below(4)) {
	case 0:
		return edges[rnd_below(ARRAY_SIZE(edges))];
	case 1:
		return edges[rnd_below(ARRAY_SIZE(edges))] + rnd_below(3) - 1;
	case 2:
		return rnd_below(0x10000);
	default:
		return rnd();
	}
}

/*
 * Which errno each ioctl may fail with, from the "Errors" lists of
 * Documentation/api.rst.  EIO (another process) applies to every VM and
 * vCPU ioctl; ENOTTY to a number the fd does not have; EBADF to a closed
 * fd (the VFS answers, khv is not asked).
 */
#define E(x)	(1ULL << (x))

enum fd_kind { FD_SYS, FD_VM, FD_VCPU, FD_NR };

static const char *const kind_name[FD_NR] = { "system", "VM", "vCPU" };

static const struct ioctl_desc {
	const char *name;
	unsigned long cmd;
	enum fd_kind kind;
	uint64_t errs;
} ioctls[] = {
	{ "KHV_GET_API_VERSION", KHV_GET_API_VERSION, FD_SYS, E(EINVAL) },
	{ "KHV_CREATE_VM", KHV_CREATE_VM, FD_SYS,
	  E(EINVAL) | E(EBUSY) | E(ENOMEM) | E(EMFILE) | E(ENFILE) },
	{ "KHV_CHECK_CAP", KHV_CHECK_CAP, FD_SYS, 0 },
	{ "KHV_GET_VCPU_MMAP_SIZE", KHV_GET_VCPU_MMAP_SIZE, FD_SYS, E(EINVAL) },
	{ "KHV_SET_MEMORY_REGION", KHV_SET_MEMORY_REGION, FD_VM,
	  E(EINVAL) | E(EFAULT) | E(EEXIST) | E(EINTR) },
	{ "KHV_CREATE_VCPU", KHV_CREATE_VCPU, FD_VM,
	  E(EINVAL) | E(EEXIST) | E(ENOMEM) | E(EMFILE) | E(ENFILE) },
	{ "KHV_CREATE_LAPIC", KHV_CREATE_LAPIC, FD_VM,
	  E(EINVAL) | E(EEXIST) | E(EBUSY) },
	{ "KHV_SIGNAL_MSI", KHV_SIGNAL_MSI, FD_VM,
	  E(ENXIO) | E(EINVAL) | E(EFAULT) },
	{ "KHV_RUN", KHV_RUN, FD_VCPU,
	  E(EINTR) | E(ENOEXEC) | E(EIO) | E(EFAULT) | E(ENOMEM) | E(EINVAL) },
	{ "KHV_GET_REGS", KHV_GET_REGS, FD_VCPU, E(EFAULT) },
	{ "KHV_SET_REGS", KHV_SET_REGS, FD_VCPU, E(EFAULT) },
	{ "KHV_GET_SREGS", KHV_GET_SREGS, FD_VCPU, E(EFAULT) },
	{ "KHV_SET_SREGS", KHV_SET_SREGS, FD_VCPU, E(EFAULT) | E(EINVAL) },
	{ "KHV_GET_MSRS", KHV_GET_MSRS, FD_VCPU, E(E2BIG) | E(EFAULT) },
	{ "KHV_SET_MSRS", KHV_SET_MSRS, FD_VCPU, E(E2BIG) | E(EFAULT) },
	{ "KHV_SET_CPUID", KHV_SET_CPUID, FD_VCPU,
	  E(E2BIG) | E(EINVAL) | E(EFAULT) | E(ENOMEM) },
	{ "KHV_INJECT", KHV_INJECT, FD_VCPU, E(EINVAL) | E(EBUSY) | E(EFAULT) },
	{ "KHV_TRACE", KHV_TRACE, FD_VCPU,
	  E(EINVAL) | E(EBUSY) | E(ENOMEM) | E(EFAULT) },
#ifdef KHV_CHECK_ENTRY
	{ "KHV_CHECK_ENTRY", KHV_CHECK_ENTRY, FD_VCPU, E(EFAULT) | E(ENOMEM) },
#endif
};

static struct {
	unsigned long calls, ok;
	uint64_t errs_seen;
} ioctl_stat[ARRAY_SIZE(ioctls) + 1];	/* the last: numbers that do not exist */

static unsigned long total_calls, bad_errnos;

/*
 * Check one result.  A number the fd kind lacks must give ENOTTY; a
 * closed fd EBADF; everything else what the ioctl's list allows.
 */
static void check_result(int fd_kind, bool fd_closed, unsigned long cmd,
			 long ret, int err, bool other_process)
{
	unsigned int i;
	uint64_t allowed = 0;
	const char *name = "(no such ioctl)";
	int idx = ARRAY_SIZE(ioctls);

	for (i = 0; i < ARRAY_SIZE(ioctls); i++) {
		if (ioctls[i].cmd == cmd) {
			name = ioctls[i].name;
			idx = i;
			if ((int)ioctls[i].kind == fd_kind)
				allowed = ioctls[i].errs;
			else
				allowed = E(ENOTTY);
			break;
		}
	}
	if (idx == (int)ARRAY_SIZE(ioctls))
		allowed = E(ENOTTY);
	if (fd_kind != FD_SYS)
		allowed |= E(EIO);
	if (fd_closed)
		allowed = E(EBADF);
	if (other_process && fd_kind != FD_SYS)
		allowed = E(EIO);

	total_calls++;
	ioctl_stat[idx].calls++;
	if (ret >= 0) {
		if (fd_closed || other_process) {
			bad_errnos++;
			if (bad_errnos <= 20)
				printf("FAIL: call %lu: %s on a %s fd succeeded (%ld), expected %s\n",
				       total_calls, name,
				       fd_closed ? "closed" : kind_name[fd_kind],
				       ret, fd_closed ? "EBADF" : "EIO");
		}
		ioctl_stat[idx].ok++;
		return;
	}
	if (err < 64)
		ioctl_stat[idx].errs_seen |= E(err);
	if (err < 64 && (allowed & E(err)))
		return;
	bad_errnos++;
	if (bad_errnos <= 20)
		printf("FAIL: call %lu: %s (0x%lx) on a %s%s fd: errno %d (%s) is not documented\n",
		       total_calls, name, cmd, fd_closed ? "closed " : "",
		       kind_name[fd_kind], err, strerror(err));
}

static bool trace_calls;

static long do_ioctl(int fd, int kind, unsigned long cmd, unsigned long arg)
{
	long ret;
	int err;

	if (trace_calls) {
		fprintf(stderr, "call %lu: fd %d (%s) cmd 0x%lx arg 0x%lx\n",
			total_calls + 1, fd, kind_name[kind], cmd, arg);
	}
	ret = ioctl(fd, cmd, arg);
	err = errno;

	check_result(kind, false, cmd, ret, err, false);
	errno = err;
	return ret;
}

/* ---- state: VMs, vCPUs, host memory ---- */

#define MAX_VMS		6
#define MAX_VCPUS	16	/* KHV_CAP_MAX_VCPUS, checked at start */

struct vcpu {
	int fd;
	struct khv_run *run;	/* MAP_SHARED run page, or NULL */
	bool cpuid_set;
};

struct vm {
	int fd;
	struct vcpu vcpus[MAX_VCPUS];
};

static int sys_fd = -1;
static struct vm vms[MAX_VMS];
static int stale_fds[16];
static unsigned int nr_stale;

/* Host memory the slots point into: a few kinds a launcher could pass. */
#define NR_BUFS		4
#define BUF_SIZE	(64 * 1024)
static uint8_t *bufs[NR_BUFS];		/* read-write, filled randomly */
static uint8_t *ro_buf;			/* PROT_READ */
static uint8_t *hole;			/* never mapped */

static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
	(void)sig;
	signals_seen++;
}

/*
 * SIGALRM every us microseconds: stops a guest that spins.  Periodic, so
 * that a signal handled between two KHV_RUN calls does not leave the
 * next one without any.
 */
static void arm_timer(long us)
{
	struct itimerval it = {
		.it_value = { .tv_sec = us / 1000000, .tv_usec = us % 1000000 },
		.it_interval = { .tv_sec = us / 1000000, .tv_usec = us % 1000000 },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_timer(void)
{
	struct itimerval it = { 0 };

	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * The kicker.  In a guest that never exits by itself, the timer signal
 * that ends KHV_RUN needs a host interrupt to reach the vCPU's CPU, so
 * with two CPUs or more the fuzzing runs on the last one and a thread
 * on CPU 0 signals it whenever a KHV_RUN has taken more than 10 ms.
 *
 * The lab's QEMU 7.2 has guest states in which its emulated CPU takes
 * no interrupt at all, while NMIs still cause their exit
 * (Documentation/reliability.rst, "Guest chaos", flaw 3): the signals
 * pile up in the local APIC and the CPU keeps running the guest until
 * an RCU stall report.  Hardware always exits on an intercepted
 * interrupt (APM Vol. 2, 15.21.1), so a KHV_RUN that outlives a second
 * of signals is in that state, or its thread was starved by a loaded
 * host (the count is an upper bound): the kicker then writes "l" to
 * /proc/sysrq-trigger, whose backtrace request is an NMI to every busy
 * CPU.  The NMI exit lets khv see the pending signal, and KHV_RUN ends
 * with EINTR.  Such runs are counted and reported.
 */
static pthread_t main_thread;
static _Atomic unsigned long long run_since_us;	/* 0: no KHV_RUN */
static _Atomic unsigned long long_runs, nmi_kicks;

static unsigned long long mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static void nmi_all_cpus(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, "l", 1) == 1)
		atomic_fetch_add(&nmi_kicks, 1);
	close(fd);
}

static void *kicker(void *arg)
{
	unsigned long long nmi_for = 0;	/* the run already sent an NMI */

	(void)arg;
	fuzz_pin(pthread_self(), 0);
	for (;;) {
		unsigned long long since = atomic_load(&run_since_us);
		unsigned long long age = since ? mono_us() - since : 0;

		if (age > 10000)
			pthread_kill(main_thread, SIGALRM);
		if (age > 1000000 && since != nmi_for) {
			nmi_for = since;
			atomic_fetch_add(&long_runs, 1);
			nmi_all_cpus();
		}
		usleep(5000);
	}
	return NULL;
}

static void start_kicker(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t t;

	if (cpus < 2)
		return;
	main_thread = pthread_self();
	fuzz_pin(main_thread, cpus - 1);
	if (pthread_create(&t, NULL, kicker, NULL) == 0)
		pthread_detach(t);
}

static void remember_stale(int fd)
{
	stale_fds[nr_stale++ % ARRAY_SIZE(stale_fds)] = fd;
}

static void vcpu_close(struct vcpu *c)
{
	if (c->run)
		munmap(c->run, PAGE);
	c->run = NULL;
	if (c->fd >= 0) {
		close(c->fd);
		remember_stale(c->fd);
	}
	c->fd = -1;
	c->cpuid_set = false;
}

static void vm_close(struct vm *vm, bool vcpus_too)
{
	unsigned int i;

	if (vcpus_too)
		for (i = 0; i < MAX_VCPUS; i++)
			vcpu_close(&vm->vcpus[i]);
	if (vm->fd >= 0) {
		close(vm->fd);
		remember_stale(vm->fd);
	}
	vm->fd = -1;
}

static struct vm *pick_vm(void)
{
	unsigned int i, start = rnd_below(MAX_VMS);

	for (i = 0; i < MAX_VMS; i++)
		if (vms[(start + i) % MAX_VMS].fd >= 0)
			return &vms[(start + i) % MAX_VMS];
	return NULL;
}

/* Any vCPU, even of a VM whose fd is closed: the vCPU keeps it alive. */
static struct vcpu *pick_vcpu(void)
{
	unsigned int i, start = rnd_below(MAX_VMS * MAX_VCPUS);

	for (i = 0; i < MAX_VMS * MAX_VCPUS; i++) {
		unsigned int n = (start + i) % (MAX_VMS * MAX_VCPUS);
		struct vcpu *c = &vms[n / MAX_VCPUS].vcpus[n % MAX_VCPUS];

		if (c->fd >= 0)
			return c;
	}
	return NULL;
}

/* A VM entry can be reused once its fd and all its vCPUs are closed. */
static bool vm_free(const struct vm *vm)
{
	unsigned int i;

	if (vm->fd >= 0)
		return false;
	for (i = 0; i < MAX_VCPUS; i++)
		if (vm->vcpus[i].fd >= 0)
			return false;
	return true;
}

/*
 * Pointers the kernel must refuse to copy through: NULL, unmapped,
 * read-only (for output), kernel, non-canonical, and a struct whose
 * tail crosses into an unmapped page.
 */
static uint8_t *edge_page;	/* followed by an unmapped page */

static unsigned long bad_ptr(size_t size)
{
	switch (rnd_below(7)) {
	case 0:
		return 0;
	case 1:
		return (unsigned long)hole;
	case 2:
		return (unsigned long)ro_buf;
	case 3:
		return 0xffff888000000000UL;
	case 4:
		return 0x8000000000000000UL;
	case 5:
		return (unsigned long)edge_page + PAGE - size / 2;
	default:
		return rnd();
	}
}

static void op_create_vm(void)
{
	unsigned int i;
	long fd;

	for (i = 0; i < MAX_VMS; i++)
		if (vm_free(&vms[i]))
			break;
	fd = do_ioctl(sys_fd, FD_SYS, KHV_CREATE_VM,
		      chance(90) ? 0 : rnd_value());
	if (fd < 0)
		return;
	if (i == MAX_VMS) {
		close(fd);
		return;
	}
	vms[i].fd = fd;
}

static void op_close(void)
{
	struct vm *vm = pick_vm();
	struct vcpu *c;

	if (chance(50) && (c = pick_vcpu())) {
		vcpu_close(c);
		return;
	}
	if (vm)
		vm_close(vm, chance(50));
}

static void op_system(void)
{
	switch (rnd_below(3)) {
	case 0:
		do_ioctl(sys_fd, FD_SYS, KHV_GET_API_VERSION,
			 chance(50) ? 0 : rnd_value());
		break;
	case 1:
		do_ioctl(sys_fd, FD_SYS, KHV_CHECK_CAP, rnd_value());
		break;
	default:
		do_ioctl(sys_fd, FD_SYS, KHV_GET_VCPU_MMAP_SIZE,
			 chance(50) ? 0 : rnd_value());
	}
}

/* Any khv-type number on any fd: most do not exist for that fd. */
static void op_wrong_cmd(void)
{
	struct vm *vm = pick_vm();
	struct vcpu *c = pick_vcpu();
	unsigned long cmd, arg = chance(50) ? 0 : bad_ptr(64);
	int kind = rnd_below(FD_NR), fd;

	if (chance(60))
		cmd = ioctls[rnd_below(ARRAY_SIZE(ioctls))].cmd;
	else
		cmd = _IOC(rnd_below(4), KHVIO, rnd_below(256),
			   rnd_below(512));
	/* Never an ioctl that would change state with a valid pointer. */
	if (kind == FD_SYS) {
		fd = sys_fd;
		if (cmd == KHV_CREATE_VM)
			return;
	} else if (kind == FD_VM && vm) {
		fd = vm->fd;
	} else if (kind == FD_VCPU && c) {
		fd = c->fd;
		if (cmd == KHV_RUN)
			return;
	} else {
		return;
	}
	if (cmd == KHV_CREATE_VCPU || cmd == KHV_CREATE_LAPIC)
		return;
	do_ioctl(fd, kind, cmd, arg);
}

/* A closed fd: the VFS says EBADF before khv is asked. */
static void op_stale_fd(void)
{
	int fd, kind = rnd_below(FD_NR);
	unsigned long cmd = ioctls[rnd_below(ARRAY_SIZE(ioctls))].cmd;
	long ret;

	if (!nr_stale)
		return;
	fd = stale_fds[rnd_below(nr_stale < ARRAY_SIZE(stale_fds) ?
				 nr_stale : ARRAY_SIZE(stale_fds))];
	if (fcntl(fd, F_GETFD) >= 0)
		return;		/* reused since */
	ret = ioctl(fd, cmd, 0);
	check_result(kind, true, cmd, ret, errno, false);
}

static const uint64_t interesting_gpas[] = {
	0, 0x1000, 0xa0000, 0xf0000, 0x100000, 0xfee00000, 0xffff0000,
	0xfffff000, 0x100000000ULL, (1ULL << 48) - PAGE, 1ULL << 48,
	(1ULL << 48) - 0x10000, 0xfffffffffffff000ULL,
};

static uint64_t rnd_uaddr(void)
{
	switch (rnd_below(10)) {
	case 0:
		return (unsigned long)ro_buf;
	case 1:
		return (unsigned long)hole;
	case 2:
		return rnd_value();
	case 3:
		return 0xffff888000000000UL;
	case 4:
		return (unsigned long)bufs[rnd_below(NR_BUFS)] + 1;
	default:
		return (unsigned long)bufs[rnd_below(NR_BUFS)] +
		       rnd_below(BUF_SIZE / PAGE) * PAGE;
	}
}

static uint64_t rnd_size(void)
{
	switch (rnd_below(8)) {
	case 0:
		return 0;			/* delete */
	case 1:
		return rnd_value();
	case 2:
		return 1ULL << (20 + rnd_below(28));	/* up to 2^47 */
	case 3:
		return PAGE * (1 + rnd_below(4)) + rnd_below(2);
	default:
		return PAGE * (1 + rnd_below(BUF_SIZE / PAGE));
	}
}

static void op_memory_region(void)
{
	struct vm *vm = pick_vm();
	struct khv_memory_region mr = { 0 };
	unsigned long arg = (unsigned long)&mr;

	if (!vm)
		return;
	mr.slot = chance(90) ? rnd_below(34) : rnd_value();
	mr.flags = chance(70) ? 0 : chance(80) ? KHV_MEM_READONLY : rnd();
	mr.guest_phys_addr = chance(60) ?
		interesting_gpas[rnd_below(ARRAY_SIZE(interesting_gpas))] :
		chance(50) ? rnd_below(0x100000) * PAGE : rnd_value();
	mr.memory_size = rnd_size();
	mr.userspace_addr = rnd_uaddr();
	if (chance(3))
		arg = bad_ptr(sizeof(mr));
	if (trace_calls)
		fprintf(stderr, "  slot %u flags 0x%x gpa 0x%llx size 0x%llx uaddr 0x%llx\n",
			mr.slot, mr.flags,
			(unsigned long long)mr.guest_phys_addr,
			(unsigned long long)mr.memory_size,
			(unsigned long long)mr.userspace_addr);
	do_ioctl(vm->fd, FD_VM, KHV_SET_MEMORY_REGION, arg);
}

/* A new vCPU's state (architectural reset), for op_sregs. */
static struct khv_sregs reset_sregs;
static bool have_reset_sregs;

static void op_create_vcpu(void)
{
	static const uint64_t ids[] = { 0, 1, 15, 16, 17, 255, 0xffffffff,
					0x100000000ULL, ~0ULL };
	struct vm *vm = pick_vm();
	uint64_t id;
	long fd;

	if (!vm)
		return;
	id = chance(80) ? rnd_below(MAX_VCPUS) : ids[rnd_below(ARRAY_SIZE(ids))];
	fd = do_ioctl(vm->fd, FD_VM, KHV_CREATE_VCPU, id);
	if (fd < 0)
		return;
	if (id >= MAX_VCPUS || vm->vcpus[id].fd >= 0) {
		check(false, "KHV_CREATE_VCPU id %" PRIu64 " succeeded twice or out of range",
		      id);
		close(fd);
		return;
	}
	vm->vcpus[id].fd = fd;
	if (!have_reset_sregs && !ioctl(fd, KHV_GET_SREGS, &reset_sregs))
		have_reset_sregs = true;
}

static void op_lapic_msi(void)
{
	struct vm *vm = pick_vm();
	struct khv_msi msi = { 0 };
	unsigned long arg = (unsigned long)&msi;

	if (!vm)
		return;
	if (chance(30)) {
		do_ioctl(vm->fd, FD_VM, KHV_CREATE_LAPIC,
			 chance(80) ? 0 : rnd_value());
		return;
	}
	msi.address = chance(70) ? 0xfee00000 | (rnd_below(256) << 12) |
				   (rnd_below(2) << 2) : rnd_value();
	msi.data = chance(70) ? (rnd_below(8) << 8) | rnd_below(256) |
				(chance(20) ? 1 << 15 : 0) : rnd();
	if (chance(10))
		msi.flags = rnd();
	if (chance(10))
		msi.pad[rnd_below(16)] = rnd() | 1;
	if (chance(5))
		arg = bad_ptr(sizeof(msi));
	do_ioctl(vm->fd, FD_VM, KHV_SIGNAL_MSI, arg);
}

static void op_regs(struct vcpu *c)
{
	struct khv_regs r;
	unsigned long arg = (unsigned long)&r;

	if (chance(10))
		arg = bad_ptr(sizeof(r));
	if (chance(40)) {
		do_ioctl(c->fd, FD_VCPU, KHV_GET_REGS, arg);
		return;
	}
	rnd_fill(&r, sizeof(r));
	if (chance(50))
		r.rip = rnd_below(0x10000);
	if (chance(50))
		r.rflags = 2 | (chance(30) ? 0x200 : 0);
	do_ioctl(c->fd, FD_VCPU, KHV_SET_REGS, arg);
}

static void rnd_segment(struct khv_segment *s)
{
	if (chance(50)) {
		rnd_fill(s, sizeof(*s));
		s->present = chance(80);
		s->unusable = chance(10);
		return;
	}
	switch (rnd_below(3)) {
	case 0:
		s->base = rnd_value();
		break;
	case 1:
		s->limit = rnd_value();
		break;
	default:
		s->type = rnd_below(16);
		s->dpl = rnd_below(4);
		s->db = rnd_below(2);
		s->l = rnd_below(2);
		s->s = rnd_below(2);
		s->g = rnd_below(2);
	}
}

/*
 * QEMU 7.2's emulated SVM (the lab's CPU) never gets control back from a
 * guest that runs with EFER.LME set and CR0.PG clear: not even the host's
 * timer interrupt ends it, and the lab's CPU is lost for good (RCU stall).
 * Real hardware runs that state (it is a step of entering long mode), so
 * khv must accept it; the fuzzer avoids it rather than wedge the lab.
 */
static void op_sregs(struct vcpu *c)
{
	struct khv_sregs s;
	unsigned long arg = (unsigned long)&s;
	struct khv_segment *segs[] = { &s.cs, &s.ds, &s.es, &s.fs, &s.gs,
				       &s.ss, &s.tr, &s.ldt };
	unsigned int i;

	if (chance(10))
		arg = bad_ptr(sizeof(s));
	/*
	 * Back to the reset state now and then: broken state is sticky (every
	 * run fails the entry checks), and the guests should run their bytes.
	 */
	if (have_reset_sregs && chance(25)) {
		do_ioctl(c->fd, FD_VCPU, KHV_SET_SREGS, (unsigned long)&reset_sregs);
		return;
	}
	if (chance(30) || ioctl(c->fd, KHV_GET_SREGS, &s) < 0) {
		do_ioctl(c->fd, FD_VCPU, KHV_GET_SREGS, arg);
		return;
	}
	total_calls++;
	for (i = rnd_below(4); i; i--)
		rnd_segment(segs[rnd_below(ARRAY_SIZE(segs))]);
	switch (rnd_below(8)) {
	case 0:
		s.cr0 = chance(50) ? rnd_value() : (s.cr0 ^ (1ULL << rnd_below(64)));
		break;
	case 1:
		s.cr4 = chance(50) ? rnd_value() : (s.cr4 ^ (1ULL << rnd_below(64)));
		break;
	case 2:
		s.efer = chance(50) ? rnd_value() : (s.efer ^ (1ULL << rnd_below(16)));
		break;
	case 3:
		s.cr3 = rnd_value();
		break;
	case 4:
		s.cr8 = chance(50) ? rnd_below(20) : rnd_value();
		break;
	case 5:
		s.apic_base = rnd_value();
		break;
	case 6:
		s.gdt.base = rnd_value();
		s.idt.limit = rnd();
		break;
	default:
		if (chance(20))
			rnd_fill(&s, sizeof(s));
	}
	s.efer = lab_safe_efer(s.efer, s.cr0);
	lab_safe_tr(&s.tr, s.efer);
	do_ioctl(c->fd, FD_VCPU, KHV_SET_SREGS, arg);
}

static const uint32_t msr_indices[] = {
	0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
	0xc0000100, 0xc0000101, 0xc0000102, 0x174, 0x175, 0x176, 0x277,
	0x10, 0x1d9, 0x1b, 0x1a0, 0xfe, 0x2ff, 0x200, 0x20f, 0x250, 0x258,
	0x259, 0x268, 0x26f, 0x8b, 0x179, 0x17a, 0xc0010015, 0x6e0,
	0x800, 0x808, 0x830, 0x8ff, 0, 0xffffffff, 0xc0010114,
};

static struct {
	struct khv_msrs h;
	struct khv_msr_entry e[KHV_MAX_MSR_ENTRIES + 8];
} msrbuf;

static void op_msrs(struct vcpu *c)
{
	unsigned long arg = (unsigned long)&msrbuf;
	uint32_t n, i;
	long ret;
	bool set = chance(50);

	n = chance(90) ? rnd_below(8) : chance(50) ? KHV_MAX_MSR_ENTRIES +
		rnd_below(8) - 4 : rnd();
	if (n > KHV_MAX_MSR_ENTRIES + 8 && chance(90))
		n = KHV_MAX_MSR_ENTRIES + 1;
	msrbuf.h.nmsrs = n;
	for (i = 0; i < ARRAY_SIZE(msrbuf.e); i++) {
		msrbuf.e[i].index = chance(80) ?
			msr_indices[rnd_below(ARRAY_SIZE(msr_indices))] : rnd();
		msrbuf.e[i].data = rnd_value();
		if (msrbuf.e[i].index == 0xc0000080)
			msrbuf.e[i].data = lab_safe_efer(msrbuf.e[i].data, 0);
	}
	if (chance(5))
		arg = bad_ptr(sizeof(msrbuf.h));
	ret = do_ioctl(c->fd, FD_VCPU, set ? KHV_SET_MSRS : KHV_GET_MSRS, arg);
	if (ret > (long)n)
		check(false, "KHV_%s_MSRS returned %ld for %u entries",
		      set ? "SET" : "GET", ret, n);
}

static struct {
	struct khv_cpuid h;
	struct khv_cpuid_entry e[KHV_MAX_CPUID_ENTRIES + 8];
} cpuidbuf;

static void op_cpuid(struct vcpu *c)
{
	unsigned long arg = (unsigned long)&cpuidbuf;
	uint32_t n, i;
	long ret;

	n = chance(90) ? rnd_below(16) : chance(50) ?
		KHV_MAX_CPUID_ENTRIES + rnd_below(8) - 4 : rnd();
	cpuidbuf.h.nent = n;
	for (i = 0; i < ARRAY_SIZE(cpuidbuf.e); i++) {
		rnd_fill(&cpuidbuf.e[i], sizeof(cpuidbuf.e[i]));
		cpuidbuf.e[i].function = chance(50) ? rnd_below(0x20) :
					 0x80000000 + rnd_below(0x20);
		if (chance(95))
			cpuidbuf.e[i].flags &= KHV_CPUID_FLAG_INDEXED;
	}
	if (chance(5))
		arg = bad_ptr(sizeof(cpuidbuf.h));
	ret = do_ioctl(c->fd, FD_VCPU, KHV_SET_CPUID, arg);
	if (ret == 0)
		c->cpuid_set = true;
}

static void op_inject(struct vcpu *c)
{
	struct khv_event ev;
	unsigned long arg = (unsigned long)&ev;

	rnd_fill(&ev, sizeof(ev));
	if (chance(80))
		ev.type = rnd_below(4);
	if (chance(70))
		ev.vector = rnd_below(40);
	if (chance(80))
		ev.has_error_code = rnd_below(2);
	if (chance(5))
		arg = bad_ptr(sizeof(ev));
	do_ioctl(c->fd, FD_VCPU, KHV_INJECT, arg);
}

static void op_trace(struct vcpu *c)
{
	struct khv_trace_ctl t = { 0 };
	unsigned long arg = (unsigned long)&t;
	int prot;
	void *p;

	t.flags = chance(80) ? (chance(50) ? KHV_TRACE_ON : 0) : rnd();
	t.nr_records = chance(50) ? 0 : chance(50) ? 1u << rnd_below(20) :
		       rnd_value();
	if (chance(5))
		arg = bad_ptr(sizeof(t));
	prot = chance(70) ? PROT_READ : PROT_READ | PROT_WRITE;
	if (do_ioctl(c->fd, FD_VCPU, KHV_TRACE, arg) < 0 || arg != (unsigned long)&t)
		return;
	if (!t.map_size || t.map_size > (64u << 20))
		return;
	/* The ring is read-only: a writable mapping must be refused. */
	p = mmap(NULL, t.map_size, prot, MAP_SHARED, c->fd, KHV_TRACE_OFFSET);
	if (p != MAP_FAILED) {
		volatile uint8_t sink = *(volatile uint8_t *)p;

		(void)sink;
		munmap(p, t.map_size);
	} else if (errno != EPERM && errno != EINVAL && errno != ENODEV) {
		check(false, "mmap of the trace ring: errno %d (%s)", errno,
		      strerror(errno));
	}
}

/* The run page: mmap with odd sizes, offsets, protections and flags. */
static void op_mmap(struct vcpu *c)
{
	static const size_t sizes[] = { 1, PAGE - 1, PAGE, PAGE + 1, 2 * PAGE,
					1 << 20 };
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_WRITE, PROT_NONE,
				     PROT_READ | PROT_EXEC };
	size_t size = sizes[rnd_below(ARRAY_SIZE(sizes))];
	off_t off = chance(70) ? 0 : chance(50) ? PAGE * rnd_below(4) :
		    KHV_TRACE_OFFSET;
	int prot = prots[rnd_below(ARRAY_SIZE(prots))];
	int flags = chance(80) ? MAP_SHARED : MAP_PRIVATE;
	size_t at = rnd_below(size);
	uint8_t v = chance(90) ? 0 : 1;
	volatile uint8_t *p;

	p = mmap(NULL, size, prot, flags, c->fd, off);
	if (p == MAP_FAILED) {
		if (errno != EINVAL && errno != ENODEV && errno != EPERM &&
		    errno != EACCES)
			check(false, "mmap vCPU fd size %zu off 0x%lx: errno %d (%s)",
			      size, (long)off, errno, strerror(errno));
		return;
	}
	if (off == 0 && size <= PAGE) {
		if (prot & PROT_READ)
			(void)p[at];
		if (prot & PROT_WRITE)
			p[0] = v;	/* immediate_exit */
		if (!c->run && flags == MAP_SHARED && size >= PAGE &&
		    prot == (PROT_READ | PROT_WRITE)) {
			c->run = (struct khv_run *)p;
			return;
		}
	}
	munmap((void *)p, size);
}

static unsigned long run_page_errors;

static void check_run_page(const struct khv_run *run)
{
	bool ok = true;

	switch (run->exit_reason) {
	case KHV_EXIT_IO:
		ok = run->io.direction <= KHV_EXIT_IO_OUT &&
		     (run->io.size == 1 || run->io.size == 2 ||
		      run->io.size == 4) && run->io.count >= 1 &&
		     run->io.data_offset >= sizeof(*run) &&
		     run->io.data_offset + (uint64_t)run->io.count * run->io.size <= PAGE;
		break;
	case KHV_EXIT_MMIO:
		ok = run->mmio.len == 1 || run->mmio.len == 2 ||
		     run->mmio.len == 4 || run->mmio.len == 8;
		break;
	case KHV_EXIT_FAIL_ENTRY:
		ok = memchr(run->fail_entry.description, 0,
			    sizeof(run->fail_entry.description)) != NULL;
		break;
	case KHV_EXIT_INTERNAL_ERROR:
		ok = run->internal.ndata <= 16;
		break;
	case KHV_EXIT_HLT:
	case KHV_EXIT_HYPERCALL:
	case KHV_EXIT_SHUTDOWN:
	case KHV_EXIT_EOI:
		break;
	default:
		ok = false;
	}
	if (!ok && ++run_page_errors <= 10)
		printf("FAIL: KHV_RUN returned 0 with a malformed run page: exit_reason %u\n",
		       run->exit_reason);
}

static unsigned long exits_seen[16];

static void trace_seg(const char *n, const struct khv_segment *g)
{
	fprintf(stderr, " %s=%04x/%llx/%x/t%x p%u d%u s%u l%u db%u g%u u%u", n,
		g->selector, (unsigned long long)g->base, g->limit, g->type,
		g->present, g->dpl, g->s, g->l, g->db, g->g, g->unusable);
}

/* With --trace: the state a vCPU is about to run with. */
static void trace_vcpu(struct vcpu *c)
{
	struct khv_sregs s;
	struct khv_regs r;

	if (ioctl(c->fd, KHV_GET_SREGS, &s) || ioctl(c->fd, KHV_GET_REGS, &r))
		return;
	fprintf(stderr, "  rip %llx rflags %llx rsp %llx rcx %llx cr0 %llx cr3 %llx cr4 %llx efer %llx cr8 %llx apic %llx\n ",
		(unsigned long long)r.rip, (unsigned long long)r.rflags,
		(unsigned long long)r.rsp, (unsigned long long)r.rcx,
		(unsigned long long)s.cr0, (unsigned long long)s.cr3,
		(unsigned long long)s.cr4, (unsigned long long)s.efer,
		(unsigned long long)s.cr8, (unsigned long long)s.apic_base);
	trace_seg("cs", &s.cs);
	trace_seg("ss", &s.ss);
	trace_seg("ds", &s.ds);
	trace_seg("tr", &s.tr);
	fprintf(stderr, " gdt %llx/%x idt %llx/%x\n",
		(unsigned long long)s.gdt.base, s.gdt.limit,
		(unsigned long long)s.idt.base, s.idt.limit);
}

/* Run a vCPU for a few exits; a timer signal stops a spinning guest. */
static void op_run(struct vcpu *c)
{
	unsigned int i, n;
	bool immediate;
	long ret;

	if (!c->run) {
		void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			       c->fd, 0);

		if (p != MAP_FAILED)
			c->run = p;
	}
	if (!c->cpuid_set && chance(90)) {
		cpuidbuf.h.nent = 0;
		if (ioctl(c->fd, KHV_SET_CPUID, &cpuidbuf) == 0)
			c->cpuid_set = true;
	}
	immediate = chance(3);
	if (c->run)
		c->run->immediate_exit = immediate;
	arm_timer(1000 + rnd_below(4000));
	n = 1 + rnd_below(16);
	for (i = 0; i < n; i++) {
		uint64_t saved;

		if (trace_calls)
			trace_vcpu(c);
		atomic_store(&run_since_us, mono_us());
		ret = do_ioctl(c->fd, FD_VCPU, KHV_RUN, chance(99) ? 0 : 1);
		atomic_store(&run_since_us, 0);
		if (trace_calls && c->run)
			fprintf(stderr, "  -> %ld exit %u\n", ret, c->run->exit_reason);
		if (ret < 0 || !c->run)
			break;
		check_run_page(c->run);
		exits_seen[c->run->exit_reason & 15]++;
		/*
		 * The answers come from a stream of their own: how many exits
		 * a guest made before its timer signal varies from run to
		 * run, and must not change the calls that follow.
		 */
		saved = rng_swap(answer_rng);
		/* Answer reads with noise; the next RUN completes them. */
		if (c->run->exit_reason == KHV_EXIT_IO &&
		    c->run->io.direction == KHV_EXIT_IO_IN &&
		    c->run->io.data_offset < PAGE)
			rnd_fill((uint8_t *)c->run + c->run->io.data_offset,
				 PAGE - c->run->io.data_offset < 64 ?
				 PAGE - c->run->io.data_offset : 64);
		else if (c->run->exit_reason == KHV_EXIT_MMIO)
			rnd_fill(c->run->mmio.data, 8);
		else if (c->run->exit_reason == KHV_EXIT_HYPERCALL)
			c->run->hypercall.ret = rnd_value();
		if (chance(2))
			rnd_fill(c->run, 64);	/* a launcher scribbling */
		answer_rng = rng_swap(saved);
		if (c->run->exit_reason == KHV_EXIT_SHUTDOWN)
			break;
	}
	disarm_timer();
}

/*
 * Give a VM memory a guest can run from: RAM at 0 and at the reset
 * vector, full of random bytes (or bytes salted with I/O, MMIO and
 * HLT opcodes, so that exits of every kind come up).
 */
static void op_guest_memory(void)
{
	struct vm *vm = pick_vm();
	struct khv_memory_region mr = { 0 };
	uint8_t *b = bufs[rnd_below(NR_BUFS)];
	static const uint8_t salt[] = { 0xe4, 0xe6, 0xec, 0xee, 0xf4, 0x6c,
					0x6e, 0xa1, 0xa3, 0x0f, 0x01, 0xd9,
					0x67, 0x66, 0xf3, 0xa5, 0xcd, 0xfa };
	size_t i;

	rnd_fill(b, BUF_SIZE);
	if (chance(50))
		for (i = 0; i < BUF_SIZE; i += 1 + rnd_below(4))
			b[i] = salt[rnd_below(ARRAY_SIZE(salt))];
	if (!vm)
		return;
	mr.slot = rnd_below(4);
	mr.guest_phys_addr = chance(50) ? 0xffff0000 : 0;
	mr.memory_size = BUF_SIZE;
	mr.userspace_addr = (unsigned long)b;
	mr.flags = chance(10) ? KHV_MEM_READONLY : 0;
	do_ioctl(vm->fd, FD_VM, KHV_SET_MEMORY_REGION, (unsigned long)&mr);
}

/* Another process (a fork) must get EIO on every VM and vCPU ioctl. */
static void op_fork(void)
{
	struct vm *vm = pick_vm();
	struct vcpu *c = pick_vcpu();
	int status, bad = 0;
	pid_t pid;

	if (!vm && !c)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct khv_regs r;

		if (vm && ioctl(vm->fd, KHV_CREATE_VCPU, 0) >= 0)
			bad++;
		else if (vm && errno != EIO)
			bad++;
		if (c && (ioctl(c->fd, KHV_RUN, 0) >= 0 || errno != EIO))
			bad++;
		if (c && (ioctl(c->fd, KHV_GET_REGS, &r) >= 0 || errno != EIO))
			bad++;
		_exit(bad);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return;
	total_calls += 3;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		bad_errnos++;
		printf("FAIL: a forked child's VM/vCPU ioctls did not all fail with EIO (status 0x%x)\n",
		       status);
	}
}

static void fuzz_one(void)
{
	struct vcpu *c;
	unsigned int op = rnd_below(100);

	if (op < 3) {
		op_create_vm();
	} else if (op < 5) {
		op_close();
	} else if (op < 8) {
		op_system();
	} else if (op < 12) {
		op_wrong_cmd();
	} else if (op < 14) {
		op_stale_fd();
	} else if (op < 24) {
		op_memory_region();
	} else if (op < 28) {
		op_guest_memory();
	} else if (op < 33) {
		op_create_vcpu();
	} else if (op < 36) {
		op_lapic_msi();
	} else if (op == 36 && chance(20)) {
		op_fork();
	} else if ((c = pick_vcpu())) {
		switch (rnd_below(10)) {
		case 0:
			op_regs(c);
			break;
		case 1:
			op_sregs(c);
			break;
		case 2:
			op_msrs(c);
			break;
		case 3:
			op_cpuid(c);
			break;
		case 4:
			op_inject(c);
			break;
		case 5:
			op_trace(c);
			break;
		case 6:
			op_mmap(c);
			break;
#ifdef KHV_CHECK_ENTRY
		case 7:
			/* Read-only: any state, any pointer. */
			do_ioctl(c->fd, FD_VCPU, KHV_CHECK_ENTRY, chance(80) ?
				 (unsigned long)&msrbuf : bad_ptr(64));
			break;
#endif
		default:
			op_run(c);
		}
	} else {
		op_create_vcpu();
	}
}

static void close_all(void)
{
	unsigned int i;

	for (i = 0; i < MAX_VMS; i++)
		vm_close(&vms[i], true);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- a tiny real-mode guest driven by hand ---- */

#define RAM_SIZE	(64 * 1024)

struct tiny {
	int vm, vcpu;
	struct khv_run *run;
	uint8_t *ram;		/* RAM_SIZE, then a canary page */
};

static uint8_t canary_byte(size_t i)
{
	return 0xc3 ^ (i * 7);
}

/*
 * A VM with RAM at 0 (a host buffer followed by a canary page the guest
 * must never reach), the code at 1000h, CS base 0, and DS base 0 with a
 * 4 GiB limit ("unreal" mode), so 32-bit addresses work from 16-bit code.
 */
static int tiny_create(struct tiny *t, const uint8_t *code, size_t len)
{
	struct khv_memory_region mr = { 0 };
	struct khv_sregs s;
	struct khv_regs r = { .rip = 0x1000, .rflags = 2 };
	size_t i;

	memset(t, 0, sizeof(*t));
	t->vm = t->vcpu = -1;
	t->ram = mmap(NULL, RAM_SIZE + PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->ram == MAP_FAILED)
		return -1;
	memset(t->ram, 0xf4, RAM_SIZE);		/* HLT everywhere */
	for (i = 0; i < PAGE; i++)
		t->ram[RAM_SIZE + i] = canary_byte(i);
	memcpy(t->ram + 0x1000, code, len);
	t->vm = ioctl(sys_fd, KHV_CREATE_VM, 0);
	if (t->vm < 0)
		return -1;
	mr.memory_size = RAM_SIZE;
	mr.userspace_addr = (unsigned long)t->ram;
	if (ioctl(t->vm, KHV_SET_MEMORY_REGION, &mr))
		return -1;
	t->vcpu = ioctl(t->vm, KHV_CREATE_VCPU, 0);
	if (t->vcpu < 0)
		return -1;
	t->run = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, t->vcpu, 0);
	if (t->run == MAP_FAILED)
		return -1;
	cpuidbuf.h.nent = 0;
	if (ioctl(t->vcpu, KHV_SET_CPUID, &cpuidbuf) ||
	    ioctl(t->vcpu, KHV_GET_SREGS, &s))
		return -1;
	s.cs.base = 0;
	s.cs.selector = 0;
	s.ds.base = 0;
	s.ds.selector = 0;
	s.ds.limit = 0xffffffff;
	if (ioctl(t->vcpu, KHV_SET_SREGS, &s) || ioctl(t->vcpu, KHV_SET_REGS, &r))
		return -1;
	return 0;
}

static void tiny_destroy(struct tiny *t)
{
	if (t->run && t->run != MAP_FAILED)
		munmap(t->run, PAGE);
	if (t->vcpu >= 0)
		close(t->vcpu);
	if (t->vm >= 0)
		close(t->vm);
	if (t->ram && t->ram != MAP_FAILED)
		munmap(t->ram, RAM_SIZE + PAGE);
}

static bool canary_intact(const struct tiny *t)
{
	size_t i;

	for (i = 0; i < PAGE; i++)
		if (t->ram[RAM_SIZE + i] != canary_byte(i))
			return false;
	return true;
}

static int tiny_run(struct tiny *t)
{
	int ret;

	arm_timer(2000000);	/* a guest gone wrong must not hang the test */
	ret = ioctl(t->vcpu, KHV_RUN, 0);
	disarm_timer();
	return ret < 0 ? -errno : 0;
}

static bool mmio_is(const struct tiny *t, uint64_t gpa, uint32_t len,
		    bool write)
{
	return t->run->exit_reason == KHV_EXIT_MMIO &&
	       t->run->mmio.phys_addr == gpa && t->run->mmio.len == len &&
	       !!t->run->mmio.is_write == write;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

#define MOV_EAX_IMM(v)	0x66, 0xb8, (v) & 0xff, ((v) >> 8) & 0xff, \
			((v) >> 16) & 0xff, ((v) >> 24) & 0xff
/* mov [moffs32], eax and mov eax, [moffs32] with 32-bit addressing. */
#define STORE(a)	0x66, 0x67, 0xa3, (a) & 0xff, ((a) >> 8) & 0xff, \
			((a) >> 16) & 0xff, ((a) >> 24) & 0xff
#define LOAD(a)		0x66, 0x67, 0xa1, (a) & 0xff, ((a) >> 8) & 0xff, \
			((a) >> 16) & 0xff, ((a) >> 24) & 0xff
#define HLT		0xf4

/*
 * Guest accesses outside its slots must become MMIO exits, never reach
 * host memory; writes to a read-only slot exit as MMIO writes and leave
 * the slot's memory as it was; a deleted slot is MMIO from then on.
 */
static void isolation_tests(void)
{
	static const uint8_t code[] = {
		MOV_EAX_IMM(0x11223344),
		STORE(0x20010),		/* read-only slot */
		LOAD(0x30000),		/* no slot: MMIO read */
		STORE(0x8000),
		STORE(0x7fff0000),	/* far outside RAM */
		STORE(0x10000),		/* the first byte after RAM */
		LOAD(0x20010),		/* reading read-only memory works */
		STORE(0x8004),
		LOAD(0x40000),		/* slot 2, deleted later */
		STORE(0x8008),
		HLT,
		LOAD(0x40000),
		HLT,
	};
	static const uint8_t host_ro_code[] = {
		MOV_EAX_IMM(0x55667788), STORE(0x50000), HLT,
	};
	static const uint8_t hole_code[] = { LOAD(0x60000), HLT };
	struct khv_memory_region mr = { 0 };
	struct tiny t;
	uint8_t *ro, *slot2;
	size_t i;
	bool same;
	int ret;

	ro = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED) {
		check(false, "isolation: mmap");
		return;
	}
	memset(ro, 0x5a, PAGE);
	slot2 = ro + PAGE;
	memset(slot2, 0x77, PAGE);

	if (tiny_create(&t, code, sizeof(code))) {
		check(false, "isolation: set up the guest: %s", strerror(errno));
		goto out;
	}
	mr.slot = 1;
	mr.flags = KHV_MEM_READONLY;
	mr.guest_phys_addr = 0x20000;
	mr.memory_size = PAGE;
	mr.userspace_addr = (unsigned long)ro;
	ret = ioctl(t.vm, KHV_SET_MEMORY_REGION, &mr);
	mr.slot = 2;
	mr.flags = 0;
	mr.guest_phys_addr = 0x40000;
	mr.userspace_addr = (unsigned long)slot2;
	ret |= ioctl(t.vm, KHV_SET_MEMORY_REGION, &mr);
	check(!ret, "isolation: a read-only slot at 20000h and a slot at 40000h");

	ret = tiny_run(&t);
	check(!ret && mmio_is(&t, 0x20010, 4, true) &&
	      le32(t.run->mmio.data) == 0x11223344,
	      "isolation: a write to a read-only slot exits as an MMIO write (exit %u at 0x%llx)",
	      t.run->exit_reason, (unsigned long long)t.run->mmio.phys_addr);
	for (same = true, i = 0; i < PAGE; i++)
		same &= ro[i] == 0x5a;
	check(same, "isolation: the read-only slot's memory is unchanged");

	ret = tiny_run(&t);
	check(!ret && mmio_is(&t, 0x30000, 4, false),
	      "isolation: a read outside every slot exits as an MMIO read");
	memcpy(t.run->mmio.data, "\xbe\xba\xfe\xca", 4);

	ret = tiny_run(&t);
	check(!ret && mmio_is(&t, 0x7fff0000, 4, true) &&
	      le32(t.run->mmio.data) == 0xcafebabe,
	      "isolation: a write at 7fff0000h exits as MMIO with the value read before");
	check(le32(t.ram + 0x8000) == 0xcafebabe,
	      "isolation: the MMIO read's value reached guest RAM");

	ret = tiny_run(&t);
	check(!ret && mmio_is(&t, 0x10000, 4, true),
	      "isolation: a write just past RAM exits as MMIO (exit %u at 0x%llx)",
	      t.run->exit_reason, (unsigned long long)t.run->mmio.phys_addr);
	check(canary_intact(&t),
	      "isolation: the host page after the slot's memory is untouched");

	ret = tiny_run(&t);
	check(!ret && t.run->exit_reason == KHV_EXIT_HLT &&
	      le32(t.ram + 0x8004) == 0x5a5a5a5a &&
	      le32(t.ram + 0x8008) == 0x77777777,
	      "isolation: the guest read the read-only slot and slot 2 as RAM");

	mr.memory_size = 0;
	check(!ioctl(t.vm, KHV_SET_MEMORY_REGION, &mr), "isolation: delete slot 2");
	ret = tiny_run(&t);
	check(!ret && mmio_is(&t, 0x40000, 4, false),
	      "isolation: after deleting slot 2 its guest range is MMIO (exit %u)",
	      t.run->exit_reason);
	ret = tiny_run(&t);
	check(!ret && t.run->exit_reason == KHV_EXIT_HLT,
	      "isolation: the guest halts at the end");
	tiny_destroy(&t);

	/*
	 * A slot over host memory the launcher may only read, without
	 * KHV_MEM_READONLY: the guest's write cannot pin the page, KHV_RUN
	 * fails, and the host memory stays as it was.
	 */
	mprotect(ro, PAGE, PROT_READ);
	if (tiny_create(&t, host_ro_code, sizeof(host_ro_code))) {
		check(false, "isolation: set up the second guest");
		goto out;
	}
	mr.slot = 3;
	mr.flags = 0;
	mr.guest_phys_addr = 0x50000;
	mr.memory_size = PAGE;
	mr.userspace_addr = (unsigned long)ro;
	ret = ioctl(t.vm, KHV_SET_MEMORY_REGION, &mr);
	ret = ret ? -errno : tiny_run(&t);
	for (same = true, i = 0; i < PAGE; i++)
		same &= ro[i] == 0x5a;
	check(ret == -EFAULT && same,
	      "isolation: a guest write to host read-only memory fails KHV_RUN with EFAULT (%d), memory unchanged",
	      ret);
	tiny_destroy(&t);

	/* A slot over an unmapped host range: EFAULT, not a host oops. */
	if (tiny_create(&t, hole_code, sizeof(hole_code))) {
		check(false, "isolation: set up the third guest");
		goto out;
	}
	mr.slot = 4;
	mr.guest_phys_addr = 0x60000;
	mr.userspace_addr = (unsigned long)hole;
	ret = ioctl(t.vm, KHV_SET_MEMORY_REGION, &mr);
	ret = ret ? -errno : tiny_run(&t);
	check(ret == -EFAULT,
	      "isolation: a guest read of a slot over unmapped host memory fails KHV_RUN with EFAULT (%d)",
	      ret);
	tiny_destroy(&t);
out:
	munmap(ro, 2 * PAGE);
}

/*
 * Slots may be as large as the address space: nothing is pinned until
 * the guest touches a page, so replacing or deleting an untouched huge
 * slot must cost no more than a small one.
 */
static void huge_slot(void)
{
	struct khv_memory_region mr = { .slot = 0, .guest_phys_addr = 0,
					.memory_size = 1ULL << 46,
					.userspace_addr = 0x10000 };
	double t0;
	int vm, ret;

	vm = ioctl(sys_fd, KHV_CREATE_VM, 0);
	if (vm < 0) {
		check(false, "huge slot: KHV_CREATE_VM: %s", strerror(errno));
		return;
	}
	ret = ioctl(vm, KHV_SET_MEMORY_REGION, &mr);
	t0 = now_s();
	mr.memory_size = 0;
	ret |= ioctl(vm, KHV_SET_MEMORY_REGION, &mr);
	check(!ret && now_s() - t0 < 2,
	      "huge slot: a 64 TiB slot is created and deleted (delete took %.3f s)",
	      now_s() - t0);
	close(vm);
}

/* ---- a VM closed under a running vCPU ---- */

static struct {
	int vcpu;
	volatile bool stop;
	unsigned long runs, eintr, other;
	int other_errno;
} runner;

static void *runner_thread(void *arg)
{
	(void)arg;
	while (!runner.stop) {
		long ret = ioctl(runner.vcpu, KHV_RUN, 0);

		runner.runs++;
		if (ret < 0 && errno == EINTR) {
			runner.eintr++;
		} else if (!(ret < 0 && errno == EBADF)) {
			runner.other++;
			runner.other_errno = ret < 0 ? errno : 0;
		}
	}
	return NULL;
}

static void close_while_running(void)
{
	static const uint8_t spin[] = { 0xeb, 0xfe };	/* jmp $ */
	struct khv_memory_region mr = { .slot = 7, .guest_phys_addr = 0x100000,
					.memory_size = BUF_SIZE };
	pthread_t th;
	struct tiny t;
	unsigned long before;
	int i, ret;

	if (tiny_create(&t, spin, sizeof(spin))) {
		check(false, "close-while-running: set up the guest");
		tiny_destroy(&t);
		return;
	}
	memset(&runner, 0, sizeof(runner));
	runner.vcpu = t.vcpu;
	if (pthread_create(&th, NULL, runner_thread, NULL)) {
		check(false, "close-while-running: pthread_create");
		tiny_destroy(&t);
		return;
	}
	usleep(100000);
	/* Slot changes take the spinning vCPU out of KHV_RUN, with EINTR. */
	before = runner.eintr;
	for (ret = 0, i = 0; i < 5; i++) {
		mr.userspace_addr = (unsigned long)bufs[i % NR_BUFS];
		ret |= ioctl(t.vm, KHV_SET_MEMORY_REGION, &mr);
		usleep(20000);
	}
	check(!ret && runner.eintr > before,
	      "close-while-running: 5 slot changes while the vCPU spins succeed (vCPU saw %lu EINTR)",
	      runner.eintr - before);

	close(t.vm);
	t.vm = -1;
	usleep(50000);
	munmap(t.run, PAGE);
	t.run = NULL;
	usleep(50000);
	close(t.vcpu);
	t.vcpu = -1;
	usleep(50000);
	runner.stop = true;
	/* The thread may be back in KHV_RUN: signal it until it ends. */
	for (i = 0; i < 200; i++) {
		pthread_kill(th, SIGUSR1);
		if (!pthread_timedjoin_np(th, NULL, &(struct timespec){
				.tv_sec = time(NULL) + 1 }))
			break;
	}
	check(i < 200 && !runner.other,
	      "close-while-running: VM fd closed, run page unmapped, vCPU fd closed under KHV_RUN; %lu runs all ended with EINTR/EBADF (other: %lu, errno %d)",
	      runner.runs, runner.other, runner.other_errno);
	tiny_destroy(&t);
}

/* ---- running out of file descriptors and memory ---- */

/*
 * In a child (so its limits and its death stay there): create VMs and
 * vCPUs until the kernel says no; the refusal must be documented.  With
 * cgroup v2 the child runs in a small memory cgroup, so the kernel's
 * accounted allocations (GFP_KERNEL_ACCOUNT) fail with ENOMEM or the
 * cgroup's OOM killer ends the child, whose fds are then all closed.
 */
static int exhaust_child(void)
{
	struct rlimit rl = { 4096, 4096 };
	unsigned long vms_made = 0, vcpus_made = 0;
	int vm = -1, id = MAX_VCPUS, fd, err;

	setrlimit(RLIMIT_NOFILE, &rl);
	for (;;) {
		if (id == MAX_VCPUS) {
			vm = ioctl(sys_fd, KHV_CREATE_VM, 0);
			if (vm < 0) {
				err = errno;
				printf("exhaust: %lu VMs, %lu vCPUs, then KHV_CREATE_VM: %s\n",
				       vms_made, vcpus_made, strerror(err));
				return err != EMFILE && err != ENFILE &&
				       err != ENOMEM;
			}
			vms_made++;
			id = 0;
		}
		fd = ioctl(vm, KHV_CREATE_VCPU, id++);
		if (fd < 0) {
			err = errno;
			printf("exhaust: %lu VMs, %lu vCPUs, then KHV_CREATE_VCPU: %s\n",
			       vms_made, vcpus_made, strerror(err));
			return err != EMFILE && err != ENFILE && err != ENOMEM;
		}
		vcpus_made++;
	}
}

static void mount_cgroup2(void)
{
	mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL);
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return false;
	fputs(text, f);
	return fclose(f) == 0;
}

static bool memcg_setup(char *dir, size_t len)
{
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK))
		mount_cgroup2();
	if (!write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory"))
		return false;
	snprintf(dir, len, "/sys/fs/cgroup/khv-fuzz-%d", getpid());
	if (mkdir(dir, 0755) && errno != EEXIST)
		return false;
	return true;
}

static void exhaust(bool memcg)
{
	char dir[128], path[160], pid[32];
	bool in_cg = false;
	int status;
	pid_t child;

	if (memcg && memcg_setup(dir, sizeof(dir))) {
		snprintf(path, sizeof(path), "%s/memory.max", dir);
		in_cg = write_file(path, "24M");
	}
	fflush(stdout);
	child = fork();
	if (child == 0) {
		if (in_cg) {
			snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
			snprintf(pid, sizeof(pid), "%d", getpid());
			if (!write_file(path, pid))
				_exit(3);
		}
		_exit(exhaust_child());
	}
	if (child < 0 || waitpid(child, &status, 0) != child) {
		check(false, "exhaust: fork");
		return;
	}
	if (in_cg) {
		check((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
		      (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
		      "exhaust: VMs and vCPUs in a 24 MiB memory cgroup until refused (documented errno) or OOM-killed (status 0x%x)",
		      status);
		rmdir(dir);
	} else {
		check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "exhaust: VMs and vCPUs until the %s runs out, refused with a documented errno (status 0x%x)",
		      memcg ? "fd limit (no memory cgroup)" : "fd limit", status);
	}
}

/* ---- what must come back after everything is closed ---- */

static void kmsg_check(void)
{
	int found = fuzz_kmsg_scan(5);

	if (found < 0) {
		check(false, "kernel log: cannot read /dev/kmsg");
		return;
	}
	check(!found,
	      "kernel log: no lockup, RCU stall, hung task, BUG or WARN during the run (%d found)",
	      found);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: khv-fuzz [--seed N] [--calls M] [--no-isolation] [--isolation-only]\n"
		"                [--no-exhaust] [--rmmod] [--verbose] [--trace]\n");
	exit(64);
}


int main(int argc, char **argv)
{
	unsigned long long seed = 0, calls = 10000, n;
	bool isolation = true, fuzz = true, do_exhaust = true, do_rmmod = false;
	bool have_seed = false;
	long ref0, ref1, free0, free1;
	int vms0, vms1, i;
	struct sigaction sa = { .sa_handler = on_signal };
	double t0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0);
			have_seed = true;
		} else if (!strcmp(argv[i], "--calls") && i + 1 < argc) {
			calls = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--no-isolation")) {
			isolation = false;
		} else if (!strcmp(argv[i], "--isolation-only")) {
			fuzz = false;
			do_exhaust = false;
		} else if (!strcmp(argv[i], "--no-exhaust")) {
			do_exhaust = false;
		} else if (!strcmp(argv[i], "--rmmod")) {
			do_rmmod = true;
		} else if (!strcmp(argv[i], "--trace")) {
			trace_calls = true;
		} else if (!strcmp(argv[i], "--verbose")) {
			verbose = true;
		} else {
			usage();
		}
	}
	if (!have_seed)
		seed = (unsigned long long)time(NULL) ^ getpid();
	printf("khv-fuzz: seed %llu, %llu calls\n", seed, calls);
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;

	/* No SA_RESTART: the signal must end KHV_RUN with EINTR. */
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	start_kicker();
	signal(SIGPIPE, SIG_IGN);

	fuzz_kmsg_start();
	ref0 = fuzz_module_refcnt();
	vms0 = fuzz_nl_vm_count();
	free0 = fuzz_mem_free_kb();

	sys_fd = open("/dev/khv", O_RDWR | O_CLOEXEC);
	if (sys_fd < 0) {
		check(false, "open /dev/khv: %s", strerror(errno));
		printf("%d passed, %d failed\n", passed, failed);
		return 1;
	}
	check(ioctl(sys_fd, KHV_GET_API_VERSION, 0) == KHV_API_VERSION &&
	      ioctl(sys_fd, KHV_CHECK_CAP, KHV_CAP_MAX_VCPUS) == MAX_VCPUS &&
	      ioctl(sys_fd, KHV_GET_VCPU_MMAP_SIZE, 0) == (long)PAGE,
	      "API version %d, %d vCPUs per VM, a %lu-byte run page",
	      KHV_API_VERSION, MAX_VCPUS, PAGE);

	for (i = 0; i < NR_BUFS; i++) {
		bufs[i] = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (bufs[i] == MAP_FAILED)
			return 2;
		memset(bufs[i], 0xf4, BUF_SIZE);
	}
	ro_buf = mmap(NULL, BUF_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	/*
	 * Unmapped host memory: an address mmap() never hands out by itself
	 * (it allocates downwards from below the stack), so that it stays
	 * unmapped while the test maps and unmaps other buffers.
	 */
	hole = (uint8_t *)0x200000000000UL;
	if (msync(hole, BUF_SIZE, MS_ASYNC) == 0 || errno != ENOMEM)
		check(false, "0x200000000000 is mapped: cannot test unmapped slots");
	edge_page = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(edge_page + PAGE, PAGE);
	for (i = 0; i < MAX_VMS; i++) {
		int j;

		vms[i].fd = -1;
		for (j = 0; j < MAX_VCPUS; j++)
			vms[i].vcpus[j].fd = -1;
	}

	if (isolation) {
		isolation_tests();
		close_while_running();
		huge_slot();
	}

	if (fuzz) {
		t0 = now_s();
		for (n = 0; n < calls; n++) {
			fuzz_one();
			if (verbose && n && n % 10000 == 0)
				fprintf(stderr, "khv-fuzz: %llu steps, %lu ioctls, %.1f s\n",
					n, total_calls, now_s() - t0);
		}
		close_all();
		printf("khv-fuzz: %llu steps, %lu ioctls in %.1f s; exits:", calls,
		       total_calls, now_s() - t0);
		for (i = 0; i < 10; i++)
			printf(" %lu", exits_seen[i]);
		printf("\n");
		for (i = 0; i <= (int)ARRAY_SIZE(ioctls); i++) {
			int e;

			if (!ioctl_stat[i].calls)
				continue;
			printf("  %-24s %8lu calls, %8lu ok, errnos:",
			       i < (int)ARRAY_SIZE(ioctls) ? ioctls[i].name :
			       "(other numbers)", ioctl_stat[i].calls,
			       ioctl_stat[i].ok);
			for (e = 1; e < 64; e++)
				if (ioctl_stat[i].errs_seen & E(e))
					printf(" %s", strerrorname_np(e) ?: "?");
			printf("\n");
		}
		check(!bad_errnos,
		      "seed %llu: every result was a success or a documented errno (%lu undocumented)",
		      seed, bad_errnos);
		check(!run_page_errors,
		      "seed %llu: every successful KHV_RUN left a well-formed run page (%lu not)",
		      seed, run_page_errors);
	}

	if (do_exhaust) {
		exhaust(false);
		exhaust(true);
	}

	close(sys_fd);
	/* Releases may finish after close() returns (RCU, work items). */
	for (i = 0; i < 50; i++) {
		ref1 = fuzz_module_refcnt();
		vms1 = fuzz_nl_vm_count();
		if (ref1 == ref0 && vms1 == vms0)
			break;
		usleep(100000);
	}
	free1 = fuzz_mem_free_kb();
	check(ref1 == ref0, "module refcount back to %ld (now %ld)", ref0, ref1);
	check(vms1 == vms0 && vms0 >= 0,
	      "netlink lists as many VMs as at start (%d, now %d)", vms0, vms1);
	/* Rough: page cache and slab come and go; a pinning leak is large. */
	check(free1 > free0 - 32 * 1024,
	      "free memory roughly back (%ld kB at start, %ld kB now)",
	      free0, free1);
	if (atomic_load(&long_runs))
		printf("kicker: %lu KHV_RUN calls outlasted a second of signals; NMIs sent for %lu (the lab's QEMU, flaw 3; none without /proc/sysrq-trigger)\n",
		       atomic_load(&long_runs), atomic_load(&nmi_kicks));
	kmsg_check();
	if (do_rmmod) {
		fflush(stdout);
		check(system("rmmod khv") == 0 &&
		      access("/sys/module/khv", F_OK) != 0,
		      "rmmod khv after the fuzzing");
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
