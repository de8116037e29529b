// SPDX-License-Identifier: GPL-2.0
/*
 * khv-chaos: random guests in every CPU mode, beside a bystander VM.
 * Runs as root in the lab (scripts/labvm; scripts/chaos-check.sh):
 *
 *   khv-chaos [--seed S] [--count N | --case N] [--ms T] [--exits E]
 *             [--code-len L] [--repeat K] [--set WHAT=VALUE]...
 *             [--probe P] [--idle S] [--no-bystander] [--rmmod]
 *             [--trace] [--dry-run] [--kmsg]
 *
 * Each case creates a VM through /dev/khv with 1-4 MiB of RAM full of
 * random bytes (often salted with I/O, MMIO, HLT, VMMCALL and
 * mode-switching instructions), gives its vCPU a random, mostly valid
 * state of one CPU mode (real mode, 16- or 32-bit protected mode with a
 * GDT in RAM, virtual-8086 mode, long or compatibility mode with page
 * tables in RAM, some entries broken) and runs it for T ms of wall clock
 * (default 150) or E exits (default 400), answering I/O and MMIO reads
 * with random data.  Clean ends: any exit reason Documentation/api.rst
 * documents, or EINTR from the signal that bounds the case.  Failures: an
 * errno the api does not list, a malformed run page, a KHV_RUN that does
 * not return within 5 s of the signals (the vCPU cannot be stopped), a
 * kernel log report during the case, the bystander stalling or computing
 * wrong, and at the end the module's references and VM count not coming
 * back.
 *
 * Everything a case does derives from the seed and the case number, so
 * "--seed S --case N" replays exactly case N (what the guest does before
 * the signal may still vary with timing); --trace prints its state and
 * its exits to stderr, --dry-run only prints it.  To shrink a case:
 * --code-len L keeps only L bytes at the first instruction and fills the
 * rest of the code with HLT, --set overrides part of its state, --repeat
 * runs it again and again.  --probe runs one of the hand-made guests that
 * tell the lab's QEMU flaws apart (Documentation/reliability.rst, "Guest
 * chaos").
 *
 * Output: "PASS: ..." / "FAIL: ..." lines, then "N passed, N failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/khv.h>

#include "chaos.h"
#include "check.h"
#include "fuzz_common.h"

/* How long a KHV_RUN may take once the signals that end it have started. */
#define WEDGE_MS	5000
/* The longest the bystander may go without reporting. */
#define STALL_MS	3000

static bool trace, dry_run;
static int sys_fd = -1, progress_fd = -1;

/*
 * --set WHAT=VALUE: override one part of a case after it is generated
 * (lapic, cr0, cr4, efer, cr3, rflags), to find which part matters.
 */
static struct {
	bool lapic_set, cr0_set, cr4_set, efer_set, cr3_set, rflags_set;
	bool lapic;
	uint64_t cr0, cr4, efer, cr3, rflags;
} force;


static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void on_signal(int sig)
{
	(void)sig;
}

static struct {
	struct khv_cpuid h;
	struct khv_cpuid_entry e[1];
} no_cpuid;


/* ---- running a case, and the watchdog that bounds it ---- */

static pthread_t main_thread;
/* When the current KHV_RUN must end (ns, 0: none running). */
static _Atomic uint64_t run_deadline;
static _Atomic uint64_t run_started;
static _Atomic uint64_t case_now;
static _Atomic bool wedge_reported;
static _Atomic bool done;

static unsigned long nr_runs, nr_exits[16], nr_eintr, nr_other_errno;
static unsigned long bad_errno, bad_page, wedges;

static bool run_page_ok(const struct khv_run *run)
{
	switch (run->exit_reason) {
	case KHV_EXIT_IO:
		return run->io.direction <= KHV_EXIT_IO_OUT &&
		       (run->io.size == 1 || run->io.size == 2 ||
			run->io.size == 4) && run->io.count >= 1 &&
		       run->io.data_offset >= sizeof(*run) &&
		       run->io.data_offset + (uint64_t)run->io.count * run->io.size <= PAGE;
	case KHV_EXIT_MMIO:
		return run->mmio.len == 1 || run->mmio.len == 2 ||
		       run->mmio.len == 4 || run->mmio.len == 8;
	case KHV_EXIT_FAIL_ENTRY:
		return memchr(run->fail_entry.description, 0,
			      sizeof(run->fail_entry.description)) &&
		       run->fail_entry.description[0];
	case KHV_EXIT_INTERNAL_ERROR:
		return run->internal.ndata <= 16 &&
		       run->internal.suberror >= KHV_INTERNAL_UNKNOWN_EXIT &&
		       run->internal.suberror <= KHV_INTERNAL_PAGE_WALK;
	case KHV_EXIT_HLT:
	case KHV_EXIT_HYPERCALL:
	case KHV_EXIT_SHUTDOWN:
	case KHV_EXIT_EOI:
		return true;
	default:
		return false;
	}
}

static void fill(struct rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len--)
		*p++ = rnd(r);
}

/*
 * Build case n and run it.  Returns false when it failed (the reason is
 * printed).
 */
static bool run_case(uint64_t seed, uint64_t n, unsigned int ms,
		     unsigned int max_exits, long code_len)
{
	struct chaos_case c = { .seed = seed, .n = n };
	struct khv_memory_region mr = { 0 };
	struct khv_run *run = MAP_FAILED;
	int vm = -1, vcpu = -1, found;
	bool ok = true, end = false;
	unsigned int exits = 0;
	uint64_t deadline;
	const char *why = NULL;

	c.rng.s = mix(seed, n, 1);
	c.answers.s = mix(seed, n, 2);
	c.mode = below(&c.rng, NR_MODES);
	c.ram_size = (const size_t[]){ 1, 2, 4 }[below(&c.rng, 3)] * MIB;
	c.lapic = chance(&c.rng, 30);
	c.rom = chance(&c.rng, 30);
	c.ram = mmap(NULL, c.ram_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c.ram == MAP_FAILED) {
		printf("FAIL: case %llu: mmap of %zu bytes: %s\n",
		       (unsigned long long)n, c.ram_size, strerror(errno));
		return false;
	}
	c.tbl = (PAGE + below(&c.rng, c.ram_size - (TBL_PAGES + 2) * PAGE)) & ~(PAGE - 1);
	fill_code(&c);
	build_tables(&c);
	set_state(&c);
	shrink_code(&c, code_len);
	if (force.lapic_set)
		c.lapic = force.lapic;
	if (force.cr0_set)
		c.sregs.cr0 = force.cr0;
	if (force.cr4_set)
		c.sregs.cr4 = force.cr4;
	if (force.efer_set)
		c.sregs.efer = force.efer;
	if (force.cr3_set)
		c.sregs.cr3 = force.cr3;
	if (force.rflags_set)
		c.regs.rflags = force.rflags;
	if (trace)
		trace_case(&c);
	if (dry_run) {
		uint32_t pde;
		uint64_t e;

		memcpy(&pde, c.ram + c.tbl + 0x7000 + (c.code_pa >> 22) * 4, 4);
		memcpy(&e, c.ram + c.tbl + 0x5000 + ((c.code_pa >> 21) & 511) * 8, 8);
		fprintf(stderr, "  32-bit PDE for the code %08x, PAE/long PDE %016llx\n",
			pde, (unsigned long long)e);
		munmap(c.ram, c.ram_size);
		return true;
	}

	atomic_store(&case_now, n);
	/*
	 * --kmsg: name the case in the kernel log first.  When the lab's
	 * QEMU wedges a CPU (reliability.rst, "Guest chaos"), the other CPU
	 * soon waits for it too and no process output reaches the console
	 * any more, but the kernel's own messages still do.
	 */
	if (progress_fd >= 0) {
		char line[96];
		int len = snprintf(line, sizeof(line),
				   "<3>khv-chaos: seed %llu case %llu (%s)\n",
				   (unsigned long long)seed,
				   (unsigned long long)n, mode_name[c.mode]);

		/* One write() is one record of the kernel log. */
		if (write(progress_fd, line, len) != len) {
			fprintf(stderr, "khv-chaos: --kmsg: %s\n", strerror(errno));
			close(progress_fd);
			progress_fd = -1;
		}
	}
	vm = ioctl(sys_fd, KHV_CREATE_VM, 0);
	if (vm < 0) {
		why = "KHV_CREATE_VM";
		goto fail_errno;
	}
	if (c.lapic && ioctl(vm, KHV_CREATE_LAPIC, 0)) {
		why = "KHV_CREATE_LAPIC";
		goto fail_errno;
	}
	mr.memory_size = c.ram_size;
	mr.userspace_addr = (unsigned long)c.ram;
	if (ioctl(vm, KHV_SET_MEMORY_REGION, &mr)) {
		why = "KHV_SET_MEMORY_REGION";
		goto fail_errno;
	}
	/* The last 64 KiB of RAM again, read-only, below 4 GiB: a ROM. */
	if (c.rom) {
		mr.slot = 1;
		mr.flags = KHV_MEM_READONLY;
		mr.guest_phys_addr = 0xffff0000;
		mr.memory_size = 0x10000;
		mr.userspace_addr = (unsigned long)c.ram + c.ram_size - 0x10000;
		if (ioctl(vm, KHV_SET_MEMORY_REGION, &mr)) {
			why = "KHV_SET_MEMORY_REGION (read-only)";
			goto fail_errno;
		}
	}
	vcpu = ioctl(vm, KHV_CREATE_VCPU, 0);
	if (vcpu < 0) {
		why = "KHV_CREATE_VCPU";
		goto fail_errno;
	}
	run = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		why = "mmap of the run page";
		goto fail_errno;
	}
	if (ioctl(vcpu, KHV_SET_CPUID, &no_cpuid)) {
		why = "KHV_SET_CPUID";
		goto fail_errno;
	}
	if (ioctl(vcpu, KHV_SET_SREGS, &c.sregs)) {
		why = "KHV_SET_SREGS";
		goto fail_errno;
	}
	if (ioctl(vcpu, KHV_SET_REGS, &c.regs)) {
		why = "KHV_SET_REGS";
		goto fail_errno;
	}

	deadline = now_ns() + ms * 1000000ULL;
	while (!end && exits < max_exits) {
		long ret;

		atomic_store(&run_started, now_ns());
		atomic_store(&run_deadline, deadline);
		ret = ioctl(vcpu, KHV_RUN, 0);
		atomic_store(&run_deadline, 0);
		nr_runs++;
		if (ret < 0) {
			int e = errno;

			if (e == EINTR) {
				nr_eintr++;
				if (trace) {
					struct khv_regs r;
					struct khv_sregs sr;

					ioctl(vcpu, KHV_GET_REGS, &r);
					ioctl(vcpu, KHV_GET_SREGS, &sr);
					fprintf(stderr, "  -> EINTR after %llu exits in all: rip %llx rsp %llx rflags %llx cr0 %llx cr2 %llx cr4 %llx efer %llx cs %x\n",
						(unsigned long long)run->exit_count,
						(unsigned long long)r.rip,
						(unsigned long long)r.rsp,
						(unsigned long long)r.rflags,
						(unsigned long long)sr.cr0,
						(unsigned long long)sr.cr2,
						(unsigned long long)sr.cr4,
						(unsigned long long)sr.efer,
						sr.cs.selector);
				}
				if (now_ns() >= deadline)
					break;
				continue;
			}
			/* Documented, but the slots here are all good memory. */
			if (e == EFAULT || e == ENOMEM) {
				nr_other_errno++;
				if (trace)
					fprintf(stderr, "  -> %s\n", strerrorname_np(e));
				break;
			}
			bad_errno++;
			printf("FAIL: case %llu (seed %llu, %s): KHV_RUN failed with %s, which api.rst does not list here\n",
			       (unsigned long long)n, (unsigned long long)seed,
			       mode_name[c.mode], strerrorname_np(e) ?: "?");
			ok = false;
			break;
		}
		exits++;
		if (!run_page_ok(run)) {
			bad_page++;
			printf("FAIL: case %llu (seed %llu, %s): malformed run page, exit_reason %u\n",
			       (unsigned long long)n, (unsigned long long)seed,
			       mode_name[c.mode], run->exit_reason);
			ok = false;
			break;
		}
		nr_exits[run->exit_reason & 15]++;
		if (trace) {
			struct khv_regs r;

			ioctl(vcpu, KHV_GET_REGS, &r);
			fprintf(stderr, "  -> exit %u rip %llx", run->exit_reason,
				(unsigned long long)r.rip);
			if (run->exit_reason == KHV_EXIT_IO)
				fprintf(stderr, " io %s port %x size %u count %u",
					run->io.direction ? "out" : "in",
					run->io.port, run->io.size, run->io.count);
			else if (run->exit_reason == KHV_EXIT_MMIO)
				fprintf(stderr, " mmio %s %llx len %u",
					run->mmio.is_write ? "write" : "read",
					(unsigned long long)run->mmio.phys_addr,
					run->mmio.len);
			else if (run->exit_reason == KHV_EXIT_FAIL_ENTRY)
				fprintf(stderr, " %s", run->fail_entry.description);
			else if (run->exit_reason == KHV_EXIT_INTERNAL_ERROR)
				fprintf(stderr, " suberror %u", run->internal.suberror);
			fprintf(stderr, "\n");
		}
		switch (run->exit_reason) {
		case KHV_EXIT_IO:
			if (run->io.direction == KHV_EXIT_IO_IN)
				fill(&c.answers, (uint8_t *)run + run->io.data_offset,
				     run->io.count * run->io.size);
			break;
		case KHV_EXIT_MMIO:
			if (!run->mmio.is_write)
				fill(&c.answers, run->mmio.data, 8);
			break;
		case KHV_EXIT_HYPERCALL:
			run->hypercall.ret = rnd(&c.answers);
			break;
		case KHV_EXIT_HLT:
		case KHV_EXIT_EOI:
			break;
		default:	/* shutdown, failed entry, internal error */
			end = true;
		}
		if (now_ns() >= deadline)
			break;
	}
	goto out;

fail_errno:
	printf("FAIL: case %llu (seed %llu): %s: %s\n", (unsigned long long)n,
	       (unsigned long long)seed, why, strerror(errno));
	ok = false;
out:
	if (run != MAP_FAILED)
		munmap(run, PAGE);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	munmap(c.ram, c.ram_size);
	/* The kernel log, case by case: a stall names the case behind it. */
	found = fuzz_kmsg_scan(5);
	if (found > 0) {
		printf("FAIL: case %llu (seed %llu, %s): %d kernel log reports (replay: khv-chaos --seed %llu --case %llu --trace)\n",
		       (unsigned long long)n, (unsigned long long)seed,
		       mode_name[c.mode], found, (unsigned long long)seed,
		       (unsigned long long)n);
		ok = false;
	}
	fflush(stdout);
	return ok;
}

/*
 * With two CPUs or more, the cases run on the last one and the bystander
 * and the watchdog on CPU 0: a wedged CPU must not hold the thread (or
 * the sleep timer) that reports it, and the bystander shows that the
 * other CPUs go on.
 */
static int nr_cpus;

/* ---- the bystander: a VM that counts, whatever the others do ---- */

/*
 * Real mode, at 1000h:
 *	xor eax, eax; xor ebx, ebx
 * 1:	inc eax; add ebx, eax
 *	out 10h, eax; xchg eax, ebx; out 11h, eax; xchg eax, ebx
 *	mov cx, 1000; 2: loop 2b
 *	jmp 1b
 * Port 10h reports n, port 11h n(n+1)/2: each report checks the last.
 */
static const uint8_t bystander_code[] = {
	0x66, 0x31, 0xc0, 0x66, 0x31, 0xdb,
	0x66, 0x40, 0x66, 0x01, 0xc3,
	0x66, 0xe7, 0x10, 0x66, 0x93, 0x66, 0xe7, 0x11, 0x66, 0x93,
	0xb9, 0xe8, 0x03, 0xe2, 0xfe,
	0xeb, 0xea,
};

static struct {
	pthread_t thread;
	_Atomic uint64_t reports;
	_Atomic uint64_t last_ns;	/* the last report */
	_Atomic uint64_t max_gap_ns;
	_Atomic uint64_t gap_case;	/* the case running at the longest gap */
	unsigned long wrong, anomalies;
	char error[320];
} by;

static void *bystander(void *arg)
{
	struct khv_memory_region mr = { .memory_size = 64 * 1024 };
	struct khv_regs r = { .rip = 0x1000, .rflags = 2 };
	struct khv_sregs s;
	struct khv_run *run;
	uint32_t n = 0, expect_n = 1, sum = 0;
	uint8_t *ram;
	int vm, vcpu;
	sigset_t set;

	(void)arg;
	fuzz_pin(pthread_self(), 0);
	/* Only the main thread takes the case's signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	ram = mmap(NULL, mr.memory_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(ram, 0xf4, mr.memory_size);
	memcpy(ram + 0x1000, bystander_code, sizeof(bystander_code));
	mr.userspace_addr = (unsigned long)ram;
	vm = ioctl(sys_fd, KHV_CREATE_VM, 0);
	if (vm < 0 || ioctl(vm, KHV_SET_MEMORY_REGION, &mr) ||
	    (vcpu = ioctl(vm, KHV_CREATE_VCPU, 0)) < 0 ||
	    (run = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu,
			0)) == MAP_FAILED ||
	    ioctl(vcpu, KHV_SET_CPUID, &no_cpuid) ||
	    ioctl(vcpu, KHV_GET_SREGS, &s)) {
		snprintf(by.error, sizeof(by.error), "setting up: %s", strerror(errno));
		return NULL;
	}
	s.cs.selector = 0;
	s.cs.base = 0;
	if (ioctl(vcpu, KHV_SET_SREGS, &s) || ioctl(vcpu, KHV_SET_REGS, &r)) {
		snprintf(by.error, sizeof(by.error), "setting up: %s", strerror(errno));
		return NULL;
	}
	atomic_store(&by.last_ns, now_ns());
	while (!atomic_load(&done)) {
		uint32_t v;

		if (ioctl(vcpu, KHV_RUN, 0)) {
			if (errno == EINTR)
				continue;
			snprintf(by.error, sizeof(by.error), "KHV_RUN: %s",
				 strerror(errno));
			break;
		}
		if (run->exit_reason != KHV_EXIT_IO || run->io.size != 4 ||
		    run->io.direction != KHV_EXIT_IO_OUT) {
			struct khv_regs g;

			/*
			 * Say where it went and start it again: how often
			 * this happens matters as much as that it did.
			 */
			size_t k, changed = 0, first_changed = 0;

			ioctl(vcpu, KHV_GET_REGS, &g);
			ioctl(vcpu, KHV_GET_SREGS, &s);
			/* Did anything write to its memory? */
			for (k = 0; k < mr.memory_size; k++) {
				uint8_t want = k >= 0x1000 && k < 0x1000 + sizeof(bystander_code) ?
					       bystander_code[k - 0x1000] : 0xf4;

				if (ram[k] != want && !changed++)
					first_changed = k;
			}
			printf("khv-chaos: bystander: exit %u instead of its OUT after %llu reports, during case %llu: rip %llx rax %llx rbx %llx rcx %llx rflags %llx; %zu bytes of its RAM changed (first at %zx)\n",
			       run->exit_reason,
			       (unsigned long long)atomic_load(&by.reports),
			       (unsigned long long)atomic_load(&case_now),
			       (unsigned long long)g.rip, (unsigned long long)g.rax,
			       (unsigned long long)g.rbx, (unsigned long long)g.rcx,
			       (unsigned long long)g.rflags, changed, first_changed);
			fflush(stdout);
			if (changed)
				memcpy(ram + 0x1000, bystander_code, sizeof(bystander_code));
			if (!by.anomalies++)
				snprintf(by.error, sizeof(by.error),
					 "exit %u instead of its OUT after %llu reports, during case %llu: rip %llx cs %x/%llx rax %llx rbx %llx rcx %llx rflags %llx cr0 %llx",
					 run->exit_reason,
					 (unsigned long long)atomic_load(&by.reports),
					 (unsigned long long)atomic_load(&case_now),
					 (unsigned long long)g.rip, s.cs.selector,
					 (unsigned long long)s.cs.base,
					 (unsigned long long)g.rax,
					 (unsigned long long)g.rbx,
					 (unsigned long long)g.rcx,
					 (unsigned long long)g.rflags,
					 (unsigned long long)s.cr0);
			s.cs.selector = 0;
			s.cs.base = 0;
			r.rip = 0x1000;
			r.rflags = 2;
			if (by.anomalies > 100 || ioctl(vcpu, KHV_SET_SREGS, &s) ||
			    ioctl(vcpu, KHV_SET_REGS, &r))
				break;
			expect_n = 1;
			sum = 0;
			continue;
		}
		memcpy(&v, (uint8_t *)run + run->io.data_offset, 4);
		if (run->io.port == 0x10) {
			n = v;
			if (n != expect_n)
				by.wrong++;
			expect_n = n + 1;
			sum += n;
		} else if (run->io.port == 0x11) {
			uint64_t t = now_ns(), gap;

			if (v != sum)
				by.wrong++;
			gap = t - atomic_load(&by.last_ns);
			if (gap > atomic_load(&by.max_gap_ns)) {
				atomic_store(&by.max_gap_ns, gap);
				atomic_store(&by.gap_case, atomic_load(&case_now));
			}
			atomic_store(&by.last_ns, t);
			atomic_fetch_add(&by.reports, 1);
		} else {
			by.wrong++;
		}
	}
	munmap(run, PAGE);
	close(vcpu);
	close(vm);
	munmap(ram, mr.memory_size);
	return NULL;
}

/*
 * The watchdog: signals the main thread from a case's deadline on, every
 * 10 ms, until its KHV_RUN returns; reports one that does not return
 * within WEDGE_MS.  If it never does, the run cannot finish: print the
 * counts and leave (the stuck thread keeps the process alive).
 */
static uint64_t cur_seed;

static void *watchdog(void *arg)
{
	(void)arg;
	fuzz_pin(pthread_self(), 0);
	while (!atomic_load(&done)) {
		uint64_t d = atomic_load(&run_deadline), t = now_ns();

		if (d && t >= d) {
			pthread_kill(main_thread, SIGUSR1);
			if (t - d > WEDGE_MS * 1000000ULL &&
			    !atomic_exchange(&wedge_reported, true)) {
				wedges++;
				printf("FAIL: case %llu (seed %llu): KHV_RUN has not returned %d ms after the signals began: the vCPU cannot be stopped (replay: khv-chaos --seed %llu --case %llu --trace)\n",
				       (unsigned long long)atomic_load(&case_now),
				       (unsigned long long)cur_seed, WEDGE_MS,
				       (unsigned long long)cur_seed,
				       (unsigned long long)atomic_load(&case_now));
				fflush(stdout);
			}
			if (t - d > 120 * 1000000000ULL) {
				printf("khv-chaos: the vCPU of case %llu has been stuck for 120 s; giving up\n",
				       (unsigned long long)atomic_load(&case_now));
				printf("%d passed, %d failed\n", passed, failed + 1);
				fflush(stdout);
				_exit(1);
			}
		}
		usleep(10000);
	}
	return NULL;
}

/*
 * --probe N: one hand-made guest that tells apart what wedges the lab's
 * CPU (Documentation/reliability.rst, "Guest chaos"); it runs for a
 * second under the watchdog, then the usual end checks follow.
 *   1  real mode, EFER.LME set by KHV_SET_SREGS, CR4.PAE clear: jmp $
 *   2  the same with CR4.PAE set
 *   3  compatibility mode; the guest clears CR0.PG, then CR4.PAE: jmp $
 *   4  the same without clearing CR4.PAE
 *   5  32-bit paging whose page directory points at a page table outside
 *      guest memory: every fetch is a nested page fault khv cannot
 *      resolve (20 s)
 *   6  real mode, CPUID in a loop: exits handled in the kernel (20 s)
 *   7  real mode, jmp $: host interrupts only (20 s)
 */
static bool run_probe(unsigned int probe)
{
	static const uint8_t leave_lm[] = {
		0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
		0x25, 0xff, 0xff, 0xff, 0x7f,		/* and eax, ~PG */
		0x0f, 0x22, 0xc0,			/* mov cr0, eax */
		0x0f, 0x20, 0xe0,			/* mov eax, cr4 */
		0x25, 0xdf, 0xff, 0xff, 0xff,		/* and eax, ~PAE */
		0x0f, 0x22, 0xe0,			/* mov cr4, eax */
		0xeb, 0xfe,				/* jmp $ */
	};
	struct chaos_case c = { .seed = 0, .n = 0 };
	struct khv_memory_region mr = { 0 };
	struct khv_run *run;
	uint64_t *gdt;
	int vm, vcpu;
	long ret;

	c.ram_size = MIB;
	c.ram = mmap(NULL, c.ram_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(c.ram, 0xf4, c.ram_size);
	c.rng.s = 1;
	c.tbl = 0x10000;
	build_tables(&c);
	gdt = (uint64_t *)(c.ram + c.tbl);
	c.sregs.gdt.base = c.tbl;
	c.sregs.gdt.limit = GDT_ENTRIES * 8 - 1;
	c.sregs.idt.limit = 0x3ff;
	c.regs.rip = 0x1000;
	c.regs.rflags = 2;
	c.regs.rsp = 0x8000;
	seg_from(&c.sregs.tr, SEL_TSS, gdt[SEL_TSS / 8]);
	seg_from(&c.sregs.ldt, SEL_LDT, gdt[SEL_LDT / 8]);
	c.sregs.apic_base = 0xfee00900;
	if (probe <= 2 || probe >= 6) {
		static const uint8_t cpuid_loop[] = { 0x0f, 0xa2, 0xeb, 0xfc };

		if (probe == 6) {
			memcpy(c.ram + 0x1000, cpuid_loop, sizeof(cpuid_loop));
		} else {
			c.ram[0x1000] = 0xeb;
			c.ram[0x1001] = 0xfe;
		}
		real_seg(&c.sregs.cs, 0, 0xb);
		real_seg(&c.sregs.ss, 0, 3);
		real_seg(&c.sregs.ds, 0, 3);
		c.sregs.cr0 = 0x60000010;
		c.sregs.cr4 = probe == 2 ? 0x20 : 0;
		c.sregs.efer = probe <= 2 ? EFER_LME : 0;
	} else if (probe == 5) {
		uint32_t pde = 0xf0000007;

		memcpy(c.ram + c.tbl + 0x7000, &pde, 4);
		seg_from(&c.sregs.cs, SEL_CODE32, gdt[SEL_CODE32 / 8]);
		seg_from(&c.sregs.ss, SEL_DATA, gdt[SEL_DATA / 8]);
		seg_from(&c.sregs.ds, SEL_DATA, gdt[SEL_DATA / 8]);
		c.sregs.cr0 = 0x80000011;
		c.sregs.cr3 = c.tbl + 0x7000;
		c.sregs.cr4 = 0x10;
		c.sregs.tr.type = 0x9;
	} else {
		memcpy(c.ram + 0x1000, leave_lm, sizeof(leave_lm));
		if (probe == 4)
			memset(c.ram + 0x1000 + 11, 0x90, 11);	/* nop */
		seg_from(&c.sregs.cs, SEL_CODE32, gdt[SEL_CODE32 / 8]);
		seg_from(&c.sregs.ss, SEL_DATA, gdt[SEL_DATA / 8]);
		seg_from(&c.sregs.ds, SEL_DATA, gdt[SEL_DATA / 8]);
		c.sregs.cr0 = 0x80000011;
		c.sregs.cr3 = c.tbl + 0x3000;
		c.sregs.cr4 = 0x20;
		c.sregs.efer = EFER_LME | EFER_LMA;
		c.sregs.tr.type = 0xb;
	}
	c.sregs.es = c.sregs.fs = c.sregs.gs = c.sregs.ds;
	printf("khv-chaos: probe %u: cr0 %llx cr4 %llx efer %llx\n", probe,
	       (unsigned long long)c.sregs.cr0, (unsigned long long)c.sregs.cr4,
	       (unsigned long long)c.sregs.efer);
	fflush(stdout);

	mr.memory_size = c.ram_size;
	mr.userspace_addr = (unsigned long)c.ram;
	vm = ioctl(sys_fd, KHV_CREATE_VM, 0);
	if (vm < 0 || ioctl(vm, KHV_SET_MEMORY_REGION, &mr) ||
	    (vcpu = ioctl(vm, KHV_CREATE_VCPU, 0)) < 0 ||
	    (run = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu,
			0)) == MAP_FAILED ||
	    ioctl(vcpu, KHV_SET_CPUID, &no_cpuid) ||
	    ioctl(vcpu, KHV_SET_SREGS, &c.sregs) ||
	    ioctl(vcpu, KHV_SET_REGS, &c.regs)) {
		printf("FAIL: probe %u: setting up: %s\n", probe, strerror(errno));
		return false;
	}
	{
		uint64_t until = now_ns() + (probe >= 5 ? 20 : 1) * 1000000000ULL;
		unsigned long runs = 0;

		do {
			atomic_store(&run_started, now_ns());
			atomic_store(&run_deadline, now_ns() + 200000000ULL);
			ret = ioctl(vcpu, KHV_RUN, 0);
			atomic_store(&run_deadline, 0);
			runs++;
		} while (now_ns() < until &&
			 ((ret < 0 && errno == EINTR) ||
			  (ret == 0 && run->exit_reason == KHV_EXIT_HLT)));
		printf("khv-chaos: probe %u: %lu runs, %llu exits\n", probe, runs,
		       (unsigned long long)run->exit_count);
	}
	printf("khv-chaos: probe %u: KHV_RUN returned %ld (%s), exit %u, after %.2f s\n",
	       probe, ret, ret ? strerrorname_np(errno) : "-", run->exit_reason,
	       (now_ns() - atomic_load(&run_started)) / 1e9);
	if (ret == 0 && run->exit_reason == KHV_EXIT_FAIL_ENTRY)
		printf("khv-chaos: probe %u: %s\n", probe, run->fail_entry.description);
	munmap(run, PAGE);
	close(vcpu);
	close(vm);
	munmap(c.ram, c.ram_size);
	return true;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: khv-chaos [--seed S] [--count N | --case N] [--ms T] [--exits E]\n"
		"                 [--code-len L] [--repeat K] [--set WHAT=VALUE]...\n"
		"                 [--probe P] [--idle S] [--kmsg] [--dry-run]\n"
		"                 [--no-bystander]\n"
		"                 [--rmmod]\n"
		"                 [--trace]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	unsigned long long seed = 0, count = 200, first = 0, n, case_fail = 0;
	unsigned int ms = 150, max_exits = 400, i, probe = 0, idle_s = 0;
	unsigned int repeat = 1, k;
	bool have_seed = false, one = false, with_bystander = true;
	bool do_rmmod = false;
	long code_len = -1, ref0, ref1 = -1;
	int vms0, vms1 = -1, found;
	struct sigaction sa = { .sa_handler = on_signal };
	pthread_t wd;
	uint64_t t0, reports0;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < (unsigned int)argc) {
			seed = strtoull(argv[++i], NULL, 0);
			have_seed = true;
		} else if (!strcmp(argv[i], "--count") && i + 1 < (unsigned int)argc) {
			count = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--case") && i + 1 < (unsigned int)argc) {
			first = strtoull(argv[++i], NULL, 0);
			count = 1;
			one = true;
		} else if (!strcmp(argv[i], "--ms") && i + 1 < (unsigned int)argc) {
			ms = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--exits") && i + 1 < (unsigned int)argc) {
			max_exits = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--code-len") && i + 1 < (unsigned int)argc) {
			code_len = strtol(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--probe") && i + 1 < (unsigned int)argc) {
			probe = strtoul(argv[++i], NULL, 0);
			count = 0;
		} else if (!strcmp(argv[i], "--set") && i + 1 < (unsigned int)argc) {
			char *a = argv[++i], *eq = strchr(a, '=');
			uint64_t v;

			if (!eq)
				usage();
			*eq = 0;
			v = strtoull(eq + 1, NULL, 0);
			if (!strcmp(a, "lapic"))
				force.lapic_set = true, force.lapic = v;
			else if (!strcmp(a, "cr0"))
				force.cr0_set = true, force.cr0 = v;
			else if (!strcmp(a, "cr4"))
				force.cr4_set = true, force.cr4 = v;
			else if (!strcmp(a, "efer"))
				force.efer_set = true, force.efer = v;
			else if (!strcmp(a, "cr3"))
				force.cr3_set = true, force.cr3 = v;
			else if (!strcmp(a, "rflags"))
				force.rflags_set = true, force.rflags = v;
			else
				usage();
		} else if (!strcmp(argv[i], "--repeat") && i + 1 < (unsigned int)argc) {
			repeat = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--idle") && i + 1 < (unsigned int)argc) {
			idle_s = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--no-bystander")) {
			with_bystander = false;
		} else if (!strcmp(argv[i], "--rmmod")) {
			do_rmmod = true;
		} else if (!strcmp(argv[i], "--kmsg")) {
			int fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY);

			/* Writes to /dev/kmsg are rate-limited by default. */
			if (fd >= 0) {
				if (write(fd, "on\n", 3) != 3)
					fprintf(stderr, "khv-chaos: printk_devkmsg stays rate-limited\n");
				close(fd);
			}
			progress_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
		} else if (!strcmp(argv[i], "--dry-run")) {
			/* Print the cases with --trace; run nothing. */
			dry_run = true;
			trace = true;
		} else if (!strcmp(argv[i], "--trace")) {
			trace = true;
		} else {
			usage();
		}
	}
	if (!have_seed)
		seed = (unsigned long long)time(NULL) ^ getpid();
	cur_seed = seed;
	if (one)
		printf("khv-chaos: seed %llu, case %llu, %u ms, %u exits\n",
		       seed, first, ms, max_exits);
	else
		printf("khv-chaos: seed %llu, %llu cases, %u ms, %u exits each\n",
		       seed, count, ms, max_exits);
	fflush(stdout);

	if (dry_run) {
		for (n = first; n < first + count; n++)
			run_case(seed, n, ms, max_exits, code_len);
		return 0;
	}
	/* No SA_RESTART: the signal must end KHV_RUN with EINTR. */
	sigaction(SIGUSR1, &sa, NULL);
	main_thread = pthread_self();
	nr_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	fuzz_pin(main_thread, nr_cpus - 1);
	fuzz_kmsg_start();
	ref0 = fuzz_module_refcnt();
	vms0 = fuzz_nl_vm_count();

	sys_fd = open("/dev/khv", O_RDWR | O_CLOEXEC);
	if (sys_fd < 0) {
		check(false, "open /dev/khv: %s", strerror(errno));
		printf("%d passed, %d failed\n", passed, failed);
		return 1;
	}
	if (with_bystander &&
	    pthread_create(&by.thread, NULL, bystander, NULL)) {
		check(false, "starting the bystander thread");
		with_bystander = false;
	}
	pthread_create(&wd, NULL, watchdog, NULL);
	/* Let the bystander get going. */
	usleep(200000);
	reports0 = atomic_load(&by.reports);
	atomic_store(&by.max_gap_ns, 0);

	if (probe && !run_probe(probe))
		case_fail++;
	/* --idle S: the bystander alone for S seconds, before the cases. */
	if (idle_s)
		sleep(idle_s);
	t0 = now_ns();
	for (n = first; n < first + count; n++) {
		for (k = 0; k < repeat; k++)
			if (!run_case(seed, n, ms, max_exits, code_len))
				case_fail++;
		if (atomic_load(&wedge_reported)) {
			/* It came back after all: count it once, go on. */
			atomic_store(&wedge_reported, false);
			case_fail++;
		}
	}
	printf("khv-chaos: %llu cases in %.1f s, %lu runs, %lu EINTR, %lu EFAULT/ENOMEM; exits:",
	       count, (now_ns() - t0) / 1e9, nr_runs, nr_eintr, nr_other_errno);
	for (i = 0; i < 10; i++)
		printf(" %lu", nr_exits[i]);
	printf("\n");

	check(!case_fail,
	      "seed %llu: %llu cases ended cleanly or kept running until their bound (%llu failed)",
	      seed, count, case_fail);
	check(!bad_errno && !bad_page,
	      "seed %llu: every KHV_RUN returned a documented errno and a well-formed run page (%lu errnos, %lu pages not)",
	      seed, bad_errno, bad_page);
	check(!wedges, "every vCPU stopped within %d ms of its signals (%lu did not)",
	      WEDGE_MS, wedges);
	atomic_store(&done, true);
	if (with_bystander) {
		uint64_t gap = atomic_load(&by.max_gap_ns);

		pthread_join(by.thread, NULL);
		check(!by.error[0] && !by.wrong,
		      "bystander: its results were right (%lu wrong, %lu unexpected exits)%s%s",
		      by.wrong, by.anomalies, by.error[0] ? "; first: " : "",
		      by.error);
		check(atomic_load(&by.reports) > reports0 &&
		      gap < STALL_MS * 1000000ULL,
		      "bystander: kept reporting during the chaos (%llu reports, longest gap %llu ms during case %llu, limit %d ms)",
		      (unsigned long long)(atomic_load(&by.reports) - reports0),
		      (unsigned long long)(gap / 1000000),
		      (unsigned long long)atomic_load(&by.gap_case), STALL_MS);
	}
	pthread_join(wd, NULL);

	close(sys_fd);
	/* Releases may finish after close() returns (RCU, work items). */
	for (i = 0; i < 50; i++) {
		ref1 = fuzz_module_refcnt();
		vms1 = fuzz_nl_vm_count();
		if (ref1 == ref0 && vms1 == vms0)
			break;
		usleep(100000);
	}
	check(ref1 == ref0, "module refcount back to %ld (now %ld)", ref0, ref1);
	check(vms1 == vms0 && vms0 >= 0,
	      "netlink lists as many VMs as at start (%d, now %d)", vms0, vms1);
	found = fuzz_kmsg_scan(5);
	check(!found, "kernel log: no lockup, RCU stall, hung task, BUG or WARN after the cases (%d found)",
	      found);
	if (do_rmmod) {
		fflush(stdout);
		check(system("rmmod khv") == 0 &&
		      access("/sys/module/khv", F_OK) != 0,
		      "rmmod khv after the chaos");
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
