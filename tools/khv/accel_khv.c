// SPDX-License-Identifier: GPL-2.0
/*
 * The khv backend: /dev/khv through uapi/linux/khv.h.  The launcher's
 * neutral types are khv's own, so this file is mostly ioctl plumbing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel.h"
#include "cpuid.h"
#include "exit_trace.h"

#define KHV_DEVICE	"/dev/khv"

static int khv_open(struct accel *a)
{
	int ver;

	a->sys_fd = open(KHV_DEVICE, O_RDWR | O_CLOEXEC);
	if (a->sys_fd < 0) {
		pr_err("cannot open %s: %s (is khv.ko loaded?)", KHV_DEVICE,
		       strerror(errno));
		return -1;
	}
	ver = ioctl(a->sys_fd, KHV_GET_API_VERSION, 0);
	if (ver < 0)
		return accel_ioctl_failed("KHV_GET_API_VERSION");
	if (ver != KHV_API_VERSION) {
		pr_err("%s speaks API version %d, this launcher needs %d",
		       KHV_DEVICE, ver, KHV_API_VERSION);
		return -1;
	}
	a->vm_fd = ioctl(a->sys_fd, KHV_CREATE_VM, 0);
	if (a->vm_fd < 0)
		return accel_ioctl_failed("KHV_CREATE_VM");
	return 0;
}

static int khv_add_ram(struct accel *a, u32 slot, u64 gpa, u64 size,
		       void *hva)
{
	struct khv_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (unsigned long)hva,
	};

	if (ioctl(a->vm_fd, KHV_SET_MEMORY_REGION, &r) < 0)
		return accel_ioctl_failed("KHV_SET_MEMORY_REGION");
	return 0;
}

static int khv_create_vcpu(struct accel *a)
{
	struct khv_run *run;
	int size;

	a->vcpu_fd = ioctl(a->vm_fd, KHV_CREATE_VCPU, 0);
	if (a->vcpu_fd < 0)
		return accel_ioctl_failed("KHV_CREATE_VCPU");
	size = ioctl(a->sys_fd, KHV_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		return accel_ioctl_failed("KHV_GET_VCPU_MMAP_SIZE");
	if ((size_t)size < sizeof(struct khv_run)) {
		pr_err("KHV_GET_VCPU_MMAP_SIZE: %d is smaller than struct khv_run",
		       size);
		return -1;
	}
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   a->vcpu_fd, 0);
	if (run == MAP_FAILED)
		return accel_ioctl_failed("mmap of the khv_run page");
	a->run = run;
	a->run_size = size;
	if (ioctl(a->sys_fd, KHV_CHECK_CAP, KHV_CAP_IMMEDIATE_EXIT) > 0)
		a->immediate_exit = &run->immediate_exit;
	if (exit_trace_wanted() && exit_trace_start(a->vcpu_fd))
		return -1;
	return 0;
}

static int khv_get_cpuid(struct accel *a, struct khv_cpuid_entry *e,
			 unsigned int *nent, unsigned int max)
{
	/* khv has no "supported CPUID" ioctl: start from the host's. */
	(void)a;
	*nent = cpuid_host_table(e, max);
	return 0;
}

static int khv_set_cpuid(struct accel *a, const struct khv_cpuid_entry *e,
			 unsigned int nent)
{
	struct khv_cpuid *c;
	int ret;

	c = calloc(1, sizeof(*c) + nent * sizeof(*e));
	if (!c) {
		errno = ENOMEM;
		return accel_ioctl_failed("KHV_SET_CPUID");
	}
	c->nent = nent;
	memcpy(c->entries, e, nent * sizeof(*e));
	ret = ioctl(a->vcpu_fd, KHV_SET_CPUID, c);
	free(c);
	if (ret < 0)
		return accel_ioctl_failed("KHV_SET_CPUID");
	return 0;
}

static int khv_get_regs(struct accel *a, struct khv_regs *regs)
{
	if (ioctl(a->vcpu_fd, KHV_GET_REGS, regs) < 0)
		return accel_ioctl_failed("KHV_GET_REGS");
	return 0;
}

static int khv_set_regs(struct accel *a, const struct khv_regs *regs)
{
	if (ioctl(a->vcpu_fd, KHV_SET_REGS, regs) < 0)
		return accel_ioctl_failed("KHV_SET_REGS");
	return 0;
}

static int khv_get_sregs(struct accel *a, struct khv_sregs *sregs)
{
	if (ioctl(a->vcpu_fd, KHV_GET_SREGS, sregs) < 0)
		return accel_ioctl_failed("KHV_GET_SREGS");
	return 0;
}

static int khv_set_sregs(struct accel *a, const struct khv_sregs *sregs)
{
	if (ioctl(a->vcpu_fd, KHV_SET_SREGS, sregs) < 0)
		return accel_ioctl_failed("KHV_SET_SREGS");
	return 0;
}

static int khv_set_msr(struct accel *a, u32 index, u64 value)
{
	struct {
		struct khv_msrs hdr;
		struct khv_msr_entry e;
	} m = {
		.hdr.nmsrs = 1,
		.e = { .index = index, .data = value },
	};

	/* Returns the number of entries processed: 0 means refused. */
	if (ioctl(a->vcpu_fd, KHV_SET_MSRS, &m) != 1) {
		if (!errno)
			errno = EINVAL;
		return accel_ioctl_failed("KHV_SET_MSRS");
	}
	return 0;
}

static const char *khv_internal_name(u32 suberror)
{
	switch (suberror) {
	case KHV_INTERNAL_UNKNOWN_EXIT:
		return "no handler for the hardware exit";
	case KHV_INTERNAL_EMULATION:
		return "instruction emulation failed";
	case KHV_INTERNAL_BAD_GUEST_STATE:
		return "guest state khv cannot run";
	case KHV_INTERNAL_PAGE_WALK:
		return "a guest page table is outside guest RAM";
	}
	return "unknown suberror";
}

/* Turn a khv_run exit into the neutral form; the module is trusted less. */
static void khv_decode_exit(struct accel *a, struct khv_run *run,
			    struct accel_exit *exit)
{
	exit->raw_reason = run->exit_reason;
	exit->if_flag = run->if_flag;

	switch (run->exit_reason) {
	case KHV_EXIT_IO: {
		u64 bytes = (u64)run->io.size * run->io.count;

		if ((run->io.size != 1 && run->io.size != 2 &&
		     run->io.size != 4) || !run->io.count ||
		    run->io.data_offset > a->run_size ||
		    bytes > a->run_size - run->io.data_offset)
			break;	/* malformed: reported as unknown */
		exit->reason = ACCEL_EXIT_IO;
		exit->io.out = run->io.direction == KHV_EXIT_IO_OUT;
		exit->io.size = run->io.size;
		exit->io.port = run->io.port;
		exit->io.count = run->io.count;
		exit->io.data = (u8 *)run + run->io.data_offset;
		return;
	}
	case KHV_EXIT_MMIO:
		if (run->mmio.len != 1 && run->mmio.len != 2 &&
		    run->mmio.len != 4 && run->mmio.len != 8)
			break;
		exit->reason = ACCEL_EXIT_MMIO;
		exit->mmio.addr = run->mmio.phys_addr;
		exit->mmio.data = run->mmio.data;
		exit->mmio.len = run->mmio.len;
		exit->mmio.write = run->mmio.is_write;
		return;
	case KHV_EXIT_HLT:
		exit->reason = ACCEL_EXIT_HLT;
		return;
	case KHV_EXIT_HYPERCALL:
		exit->reason = ACCEL_EXIT_HYPERCALL;
		exit->hypercall.nr = run->hypercall.nr;
		memcpy(exit->hypercall.args, run->hypercall.args,
		       sizeof(exit->hypercall.args));
		exit->hypercall.ret = (u64 *)&run->hypercall.ret;
		return;
	case KHV_EXIT_SHUTDOWN:
		exit->reason = ACCEL_EXIT_SHUTDOWN;
		return;
	case KHV_EXIT_FAIL_ENTRY:
		exit->reason = ACCEL_EXIT_FAIL_ENTRY;
		exit->fail_entry.reason =
			run->fail_entry.hardware_entry_failure_reason;
		exit->fail_entry.cpu = run->fail_entry.cpu;
		run->fail_entry.description[sizeof(run->fail_entry.description) - 1] = 0;
		exit->fail_entry.description = run->fail_entry.description;
		return;
	case KHV_EXIT_INTERNAL_ERROR:
		exit->reason = ACCEL_EXIT_INTERNAL_ERROR;
		exit->internal.suberror = run->internal.suberror;
		exit->internal.name = khv_internal_name(run->internal.suberror);
		exit->internal.ndata = run->internal.ndata < 16 ?
				       run->internal.ndata : 16;
		exit->internal.data = (const u64 *)run->internal.data;
		return;
	case KHV_EXIT_INTR:
		exit->reason = ACCEL_EXIT_INTR;
		return;
	case KHV_EXIT_EOI:
		exit->reason = ACCEL_EXIT_EOI;
		exit->eoi.vector = run->eoi.vector;
		return;
	}
	exit->reason = ACCEL_EXIT_UNKNOWN;
}

/*
 * When this vCPU thread last came back from KHV_RUN: the time until the
 * next KHV_RUN is the launcher's share of that exit, which khv.ko adds
 * to its statistics (khv_run.user_ns, Documentation/stats.rst).
 */
static __thread u64 khv_user_since;

static int khv_run(struct accel *a, struct accel_exit *exit)
{
	struct khv_run *run = a->run;
	int ret;

	memset(exit, 0, sizeof(*exit));
	if (khv_user_since)
		run->user_ns = now_ns() - khv_user_since;
	ret = ioctl(a->vcpu_fd, KHV_RUN, 0);
	khv_user_since = now_ns();
	exit_trace_drain();
	if (ret < 0) {
		if (errno == EINTR || errno == EAGAIN) {
			exit->reason = ACCEL_EXIT_INTR;
			exit->raw_reason = KHV_EXIT_INTR;
			return 0;
		}
		return accel_ioctl_failed("KHV_RUN");
	}
	khv_decode_exit(a, a->run, exit);
	return 0;
}

static void khv_close(struct accel *a)
{
	exit_trace_close();
	if (a->run)
		munmap(a->run, a->run_size);
	if (a->vcpu_fd >= 0)
		close(a->vcpu_fd);
	if (a->vm_fd >= 0)
		close(a->vm_fd);
	if (a->sys_fd >= 0)
		close(a->sys_fd);
	a->run = NULL;
	a->immediate_exit = NULL;
	a->sys_fd = a->vm_fd = a->vcpu_fd = -1;
}

/*
 * The PC platform needs khv.ko's in-kernel local APIC (KHV_CAP_LAPIC):
 * without it Linux guests are refused here, before any vCPU exists.
 */
static int khv_create_irqchip(struct accel *a)
{
	if (ioctl(a->sys_fd, KHV_CHECK_CAP, KHV_CAP_LAPIC) <= 0) {
		pr_err("khv.ko has no in-kernel APIC yet: Linux guests need --accel kvm");
		return -1;
	}
	if (ioctl(a->vm_fd, KHV_CREATE_LAPIC, 0) < 0)
		return accel_ioctl_failed("KHV_CREATE_LAPIC");
	return 0;
}

static int khv_signal_msi(struct accel *a, u64 addr, u32 data)
{
	struct khv_msi msi = { .address = addr, .data = data };

	if (ioctl(a->vm_fd, KHV_SIGNAL_MSI, &msi) < 0)
		return accel_ioctl_failed("KHV_SIGNAL_MSI");
	return 0;
}

/*
 * khv.ko's local APIC reports the EOI of every vector delivered
 * level-triggered (KHV_EXIT_EOI, Documentation/api.rst): no route.
 */
static int khv_level_route(struct accel *a, unsigned int pin, u64 addr,
			   u32 data, bool on)
{
	(void)a, (void)pin, (void)addr, (void)data, (void)on;
	return 0;
}

/*
 * KHV_INJECT queues an external interrupt that waits for the guest's
 * interrupt window in the kernel, so the vCPU is always "ready".
 */
static bool khv_extint_ready(struct accel *a)
{
	(void)a;
	return true;
}

static int khv_inject_extint(struct accel *a, u8 vector)
{
	struct khv_event ev = { .type = KHV_INJECT_IRQ, .vector = vector };

	if (ioctl(a->vcpu_fd, KHV_INJECT, &ev) < 0) {
		/* One is already queued: this edge merges with it. */
		if (errno == EBUSY)
			return 0;
		return accel_ioctl_failed("KHV_INJECT");
	}
	return 0;
}

static void khv_request_irq_window(struct accel *a, bool on)
{
	(void)a;
	(void)on;
}

const struct accel_ops accel_khv_ops = {
	.name		= "khv",
	.khv_cpuid_leaf	= true,
	.open		= khv_open,
	.add_ram	= khv_add_ram,
	.create_vcpu	= khv_create_vcpu,
	.get_cpuid	= khv_get_cpuid,
	.set_cpuid	= khv_set_cpuid,
	.get_regs	= khv_get_regs,
	.set_regs	= khv_set_regs,
	.get_sregs	= khv_get_sregs,
	.set_sregs	= khv_set_sregs,
	.set_msr	= khv_set_msr,
	.run		= khv_run,
	.close		= khv_close,
	.create_irqchip	= khv_create_irqchip,
	.signal_msi	= khv_signal_msi,
	.level_route	= khv_level_route,
	.extint_ready	= khv_extint_ready,
	.inject_extint	= khv_inject_extint,
	.request_irq_window = khv_request_irq_window,
};
