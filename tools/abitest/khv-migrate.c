// SPDX-License-Identifier: GPL-2.0
/*
 * khv-migrate: a vCPU's state follows its thread from host CPU to host
 * CPU.  Run as root in the lab (scripts/lab-check.sh).
 *
 * Two vCPUs of one VM, each run by a thread of its own.  Before every
 * KHV_RUN the thread moves to another online CPU (sched_setaffinity), so
 * the backend has to carry the vCPU's hardware state along: on VMX, a
 * VMCS is active on one CPU at a time and must be VMCLEARed there before
 * another CPU loads it with VMPTRLD (SDM Vol. 3C 25.11.1, "Software Use
 * of Virtual-Machine Control Structures"); on SVM the VMCB moves freely
 * but the new CPU's ASID and host save area must be used (APM Vol. 2
 * 15.16, 15.30.4).  Two vCPUs hopping at once also put several VMCSs on
 * each CPU's list.
 *
 * Each guest (real mode) loops: INC EAX, INC DWORD [its counter], OUT
 * 80h+index, AL.  The checks: every run ends at that OUT with the next
 * count, the register and memory counts agree at the end, a register the
 * guest never touches keeps the value of its own vCPU, and the threads
 * really ran on more than one CPU.  With a single online CPU nothing can
 * migrate: it says so and counts nothing.
 *
 * Prints "PASS: ..." / "FAIL: ..." lines and "N passed, N failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/khv.h>

#include "check.h"

#define MEM_SIZE	0x10000
#define NR_VCPUS	2
#define RUNS		2000	/* default; khv-migrate [RUNS] */
#define CODE(i)		(0x1000 + 0x100 * (i))
#define COUNTER(i)	(0x500 + 0x10 * (i))
#define MARK(i)		(0x11111111u * ((i) + 1))

struct vcpu {
	int index, fd, ncpus;
	struct khv_run *run;
	const unsigned char *mem;
	unsigned long cpus_seen;	/* bit n: ran on CPU n (n < 64) */
	char error[160];		/* first problem, empty if none */
	unsigned long long rax, rbx;
	unsigned int counter;
};

static int online[64];
static int nr_online;
static int runs = RUNS;

static void fail_once(struct vcpu *v, const char *what, int run)
{
	if (!v->error[0])
		snprintf(v->error, sizeof(v->error), "run %d: %s", run, what);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct khv_regs regs;
	cpu_set_t set;
	int i, cpu;

	for (i = 0; i < runs && !v->error[0]; i++) {
		CPU_ZERO(&set);
		CPU_SET(online[(i + v->index) % nr_online], &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fail_once(v, strerror(errno), i);
			break;
		}
		cpu = sched_getcpu();
		if (cpu >= 0 && cpu < 64)
			v->cpus_seen |= 1UL << cpu;
		if (ioctl(v->fd, KHV_RUN, 0)) {
			fail_once(v, strerror(errno), i);
			break;
		}
		if (v->run->exit_reason != KHV_EXIT_IO ||
		    v->run->io.direction != KHV_EXIT_IO_OUT ||
		    v->run->io.port != 0x80 + v->index ||
		    v->run->io.size != 1) {
			struct khv_regs r = { 0 };
			char what[120];

			ioctl(v->fd, KHV_GET_REGS, &r);
			snprintf(what, sizeof(what),
				 "exit %u (port %#x) at RIP %#llx, not the guest's OUT",
				 v->run->exit_reason, v->run->io.port,
				 (unsigned long long)r.rip);
			fail_once(v, what, i);
			break;
		}
		if (*((unsigned char *)v->run + v->run->io.data_offset) !=
		    (unsigned char)(i + 1))
			fail_once(v, "the OUT carried a wrong count", i);
	}
	if (!ioctl(v->fd, KHV_GET_REGS, &regs)) {
		v->rax = regs.rax;
		v->rbx = regs.rbx;
	}
	memcpy(&v->counter, v->mem + COUNTER(v->index), sizeof(v->counter));
	return NULL;
}

static int count_bits(unsigned long x)
{
	return __builtin_popcountl(x);
}

int main(int argc, char **argv)
{
	/*
	 * 16-bit code: 66 40 inc eax; 66 ff 06 lo hi inc dword [counter];
	 * e6 port out port, al; eb f5 jmp back to the start (-11).
	 */
	unsigned char code[] = { 0x66, 0x40, 0x66, 0xff, 0x06, 0, 0,
				 0xe6, 0, 0xeb, 0xf5 };
	static union {
		struct khv_cpuid c;
		char b[sizeof(struct khv_cpuid) + sizeof(struct khv_cpuid_entry)];
	} cpuid = { .c.nent = 1 };
	struct khv_memory_region mr = { .memory_size = MEM_SIZE };
	struct vcpu vcpus[NR_VCPUS];
	pthread_t threads[NR_VCPUS];
	unsigned long all_seen = 0;
	int dev, vm, size, i, n;
	unsigned char *mem;
	cpu_set_t set;

	if (argc > 1)
		runs = atoi(argv[1]);
	if (argc > 2 || runs < 1 || runs > 1000000) {
		fprintf(stderr, "usage: khv-migrate [RUNS] (1 to 1000000, default %d)\n",
			RUNS);
		return 64;
	}
	if (sched_getaffinity(0, sizeof(set), &set)) {
		perror("khv-migrate: sched_getaffinity");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	for (i = 0; i < 64; i++)
		if (CPU_ISSET(i, &set))
			online[nr_online++] = i;
	if (nr_online < 2) {
		printf("khv-migrate: %d CPU online: no migration to test\n",
		       nr_online);
		printf("0 passed, 0 failed\n");
		return 0;
	}

	dev = open("/dev/khv", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror("khv-migrate: /dev/khv");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	size = ioctl(dev, KHV_GET_VCPU_MMAP_SIZE, 0);
	vm = ioctl(dev, KHV_CREATE_VM, 0);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mr.userspace_addr = (unsigned long)mem;
	if (size <= 0 || vm < 0 || mem == MAP_FAILED ||
	    ioctl(vm, KHV_SET_MEMORY_REGION, &mr)) {
		check(false, "a VM with %d KiB of memory (%s)", MEM_SIZE >> 10,
		      strerror(errno));
		goto out;
	}

	for (n = 0; n < NR_VCPUS; n++) {
		struct vcpu *v = &vcpus[n];
		struct khv_regs regs = { .rflags = 2 };
		struct khv_sregs sr;

		memset(v, 0, sizeof(*v));
		v->index = n;
		v->mem = mem;
		code[5] = COUNTER(n) & 0xff;
		code[6] = COUNTER(n) >> 8;
		code[8] = 0x80 + n;
		memcpy(mem + CODE(n), code, sizeof(code));
		v->fd = ioctl(vm, KHV_CREATE_VCPU, n);
		v->run = v->fd < 0 ? MAP_FAILED :
			 mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			      v->fd, 0);
		/* Real mode at 0:CODE(n), DS = 0 (SDM Vol. 3A 20.1). */
		regs.rip = CODE(n);
		regs.rbx = MARK(n);
		if (v->run == MAP_FAILED || ioctl(v->fd, KHV_SET_CPUID, &cpuid.c) ||
		    ioctl(v->fd, KHV_GET_SREGS, &sr)) {
			check(false, "vCPU %d created (%s)", n, strerror(errno));
			goto out;
		}
		sr.cs.selector = 0;
		sr.cs.base = 0;
		sr.ds.selector = 0;
		sr.ds.base = 0;
		if (ioctl(v->fd, KHV_SET_SREGS, &sr) ||
		    ioctl(v->fd, KHV_SET_REGS, &regs)) {
			check(false, "vCPU %d set up in real mode (%s)", n,
			      strerror(errno));
			goto out;
		}
	}

	for (n = 0; n < NR_VCPUS; n++)
		if (pthread_create(&threads[n], NULL, vcpu_thread, &vcpus[n])) {
			check(false, "thread of vCPU %d started", n);
			goto out;
		}
	for (n = 0; n < NR_VCPUS; n++)
		pthread_join(threads[n], NULL);

	for (n = 0; n < NR_VCPUS; n++) {
		struct vcpu *v = &vcpus[n];

		all_seen |= v->cpus_seen;
		check(!v->error[0], "vCPU %d: %d runs, each on another CPU than the last, each ended at its OUT with the next count%s%s",
		      n, runs, v->error[0] ? ": " : "", v->error);
		check(v->rax == (unsigned int)runs && v->counter == (unsigned int)runs,
		      "vCPU %d: EAX and its memory counter both counted %d (EAX %llu, memory %u)",
		      n, runs, v->rax, v->counter);
		check(v->rbx == MARK(n),
		      "vCPU %d: EBX, untouched by the guest, kept its own value %#x (%#llx)",
		      n, MARK(n), v->rbx);
	}
	check(count_bits(all_seen) >= 2,
	      "the vCPU threads ran on %d of %d online CPUs", count_bits(all_seen),
	      nr_online);
out:
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
