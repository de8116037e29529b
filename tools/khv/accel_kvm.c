// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM backend: /dev/kvm through <linux/kvm.h>, so that every guest and
 * device can be developed on a machine without khv.ko.  Multiboot guests
 * get no in-kernel irqchip: HLT, like every device access, exits to
 * userspace exactly as it does with khv.  Linux guests get KVM's split
 * irqchip (create_irqchip): local APICs in the kernel, like khv's, and
 * the PIC, IOAPIC and PIT in the launcher, which raises IOAPIC interrupts
 * with KVM_SIGNAL_MSI and the PIC's ExtINT with KVM_INTERRUPT.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/kvm_para.h>

#include "accel.h"
#include "irq.h"

#define KVM_DEVICE	"/dev/kvm"
#define KVM_API		12
/*
 * Three pages KVM needs on VMX without unrestricted guest, to run real
 * mode; placed in the MMIO hole below 4 GiB, where no RAM or device is.
 */
#define KVM_TSS_ADDR	0xfffbd000UL

/*
 * KVM answers hypercalls in the kernel; with KVM_CAP_EXIT_HYPERCALL it
 * hands KVM_HC_MAP_GPA_RANGE to userspace instead.  Asking for that makes
 * this hypercall reach the launcher on KVM as every hypercall does on
 * khv, so the two can be compared (make bench).  Optional: older kernels
 * lack the capability, and nothing else depends on it.
 */
static void kvm_enable_hypercall_exit(struct accel *a)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_EXIT_HYPERCALL,
		.args[0] = 1ULL << KVM_HC_MAP_GPA_RANGE,
	};
	int mask = ioctl(a->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXIT_HYPERCALL);

	if (mask > 0 && (mask & (1 << KVM_HC_MAP_GPA_RANGE)))
		ioctl(a->vm_fd, KVM_ENABLE_CAP, &cap);
}

static int kvm_open(struct accel *a)
{
	int ver;

	a->sys_fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (a->sys_fd < 0) {
		pr_err("cannot open %s: %s (is kvm loaded and %s accessible?)",
		       KVM_DEVICE, strerror(errno), KVM_DEVICE);
		return -1;
	}
	ver = ioctl(a->sys_fd, KVM_GET_API_VERSION, 0);
	if (ver < 0)
		return accel_ioctl_failed("KVM_GET_API_VERSION");
	if (ver != KVM_API) {
		pr_err("%s speaks API version %d, this launcher needs %d",
		       KVM_DEVICE, ver, KVM_API);
		return -1;
	}
	a->vm_fd = ioctl(a->sys_fd, KVM_CREATE_VM, 0);
	if (a->vm_fd < 0)
		return accel_ioctl_failed("KVM_CREATE_VM");
	if (ioctl(a->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0)
		return accel_ioctl_failed("KVM_SET_TSS_ADDR");
	kvm_enable_hypercall_exit(a);
	return 0;
}

static int kvm_add_ram(struct accel *a, u32 slot, u64 gpa, u64 size,
		       void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (unsigned long)hva,
	};

	if (ioctl(a->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return accel_ioctl_failed("KVM_SET_USER_MEMORY_REGION");
	return 0;
}

static int kvm_create_vcpu(struct accel *a)
{
	struct kvm_run *run;
	int size;

	a->vcpu_fd = ioctl(a->vm_fd, KVM_CREATE_VCPU, 0);
	if (a->vcpu_fd < 0)
		return accel_ioctl_failed("KVM_CREATE_VCPU");
	size = ioctl(a->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		return accel_ioctl_failed("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   a->vcpu_fd, 0);
	if (run == MAP_FAILED)
		return accel_ioctl_failed("mmap of the kvm_run page");
	a->run = run;
	a->run_size = size;
	if (ioctl(a->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) > 0)
		a->immediate_exit = &run->immediate_exit;
	return 0;
}

static int kvm_get_cpuid(struct accel *a, struct khv_cpuid_entry *e,
			 unsigned int *nent, unsigned int max)
{
	struct kvm_cpuid2 *c;
	unsigned int i;

	c = calloc(1, sizeof(*c) + max * sizeof(c->entries[0]));
	if (!c) {
		errno = ENOMEM;
		return accel_ioctl_failed("KVM_GET_SUPPORTED_CPUID");
	}
	c->nent = max;
	if (ioctl(a->sys_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		free(c);
		return accel_ioctl_failed("KVM_GET_SUPPORTED_CPUID");
	}
	for (i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *k = &c->entries[i];

		e[i] = (struct khv_cpuid_entry) {
			.function = k->function,
			.index = k->index,
			.flags = (k->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ?
				 KHV_CPUID_FLAG_INDEXED : 0,
			.eax = k->eax, .ebx = k->ebx,
			.ecx = k->ecx, .edx = k->edx,
		};
	}
	*nent = c->nent;
	free(c);
	return 0;
}

static int kvm_set_cpuid(struct accel *a, const struct khv_cpuid_entry *e,
			 unsigned int nent)
{
	struct kvm_cpuid2 *c;
	unsigned int i;
	int ret;

	c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
	if (!c) {
		errno = ENOMEM;
		return accel_ioctl_failed("KVM_SET_CPUID2");
	}
	c->nent = nent;
	for (i = 0; i < nent; i++) {
		c->entries[i] = (struct kvm_cpuid_entry2) {
			.function = e[i].function,
			.index = e[i].index,
			.flags = (e[i].flags & KHV_CPUID_FLAG_INDEXED) ?
				 KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
			.eax = e[i].eax, .ebx = e[i].ebx,
			.ecx = e[i].ecx, .edx = e[i].edx,
		};
	}
	ret = ioctl(a->vcpu_fd, KVM_SET_CPUID2, c);
	free(c);
	if (ret < 0)
		return accel_ioctl_failed("KVM_SET_CPUID2");
	return 0;
}

static int kvm_get_regs(struct accel *a, struct khv_regs *r)
{
	struct kvm_regs k;

	if (ioctl(a->vcpu_fd, KVM_GET_REGS, &k) < 0)
		return accel_ioctl_failed("KVM_GET_REGS");
	*r = (struct khv_regs) {
		.rax = k.rax, .rbx = k.rbx, .rcx = k.rcx, .rdx = k.rdx,
		.rsi = k.rsi, .rdi = k.rdi, .rsp = k.rsp, .rbp = k.rbp,
		.r8 = k.r8, .r9 = k.r9, .r10 = k.r10, .r11 = k.r11,
		.r12 = k.r12, .r13 = k.r13, .r14 = k.r14, .r15 = k.r15,
		.rip = k.rip, .rflags = k.rflags,
	};
	return 0;
}

static int kvm_set_regs(struct accel *a, const struct khv_regs *r)
{
	struct kvm_regs k = {
		.rax = r->rax, .rbx = r->rbx, .rcx = r->rcx, .rdx = r->rdx,
		.rsi = r->rsi, .rdi = r->rdi, .rsp = r->rsp, .rbp = r->rbp,
		.r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11,
		.r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15,
		.rip = r->rip, .rflags = r->rflags,
	};

	if (ioctl(a->vcpu_fd, KVM_SET_REGS, &k) < 0)
		return accel_ioctl_failed("KVM_SET_REGS");
	return 0;
}

static void seg_from_kvm(struct khv_segment *d, const struct kvm_segment *s)
{
	*d = (struct khv_segment) {
		.base = s->base, .limit = s->limit, .selector = s->selector,
		.type = s->type, .present = s->present, .dpl = s->dpl,
		.db = s->db, .s = s->s, .l = s->l, .g = s->g, .avl = s->avl,
		.unusable = s->unusable,
	};
}

static void seg_to_kvm(struct kvm_segment *d, const struct khv_segment *s)
{
	*d = (struct kvm_segment) {
		.base = s->base, .limit = s->limit, .selector = s->selector,
		.type = s->type, .present = s->present, .dpl = s->dpl,
		.db = s->db, .s = s->s, .l = s->l, .g = s->g, .avl = s->avl,
		.unusable = s->unusable,
	};
}

static int kvm_get_sregs(struct accel *a, struct khv_sregs *s)
{
	struct kvm_sregs k;

	if (ioctl(a->vcpu_fd, KVM_GET_SREGS, &k) < 0)
		return accel_ioctl_failed("KVM_GET_SREGS");
	seg_from_kvm(&s->cs, &k.cs);
	seg_from_kvm(&s->ds, &k.ds);
	seg_from_kvm(&s->es, &k.es);
	seg_from_kvm(&s->fs, &k.fs);
	seg_from_kvm(&s->gs, &k.gs);
	seg_from_kvm(&s->ss, &k.ss);
	seg_from_kvm(&s->tr, &k.tr);
	seg_from_kvm(&s->ldt, &k.ldt);
	s->gdt = (struct khv_dtable) { .base = k.gdt.base, .limit = k.gdt.limit };
	s->idt = (struct khv_dtable) { .base = k.idt.base, .limit = k.idt.limit };
	s->cr0 = k.cr0;
	s->cr2 = k.cr2;
	s->cr3 = k.cr3;
	s->cr4 = k.cr4;
	s->cr8 = k.cr8;
	s->efer = k.efer;
	s->apic_base = k.apic_base;
	return 0;
}

static int kvm_set_sregs(struct accel *a, const struct khv_sregs *s)
{
	struct kvm_sregs k;

	/* Read first: interrupt_bitmap has no khv counterpart to fill in. */
	if (ioctl(a->vcpu_fd, KVM_GET_SREGS, &k) < 0)
		return accel_ioctl_failed("KVM_GET_SREGS");
	seg_to_kvm(&k.cs, &s->cs);
	seg_to_kvm(&k.ds, &s->ds);
	seg_to_kvm(&k.es, &s->es);
	seg_to_kvm(&k.fs, &s->fs);
	seg_to_kvm(&k.gs, &s->gs);
	seg_to_kvm(&k.ss, &s->ss);
	seg_to_kvm(&k.tr, &s->tr);
	seg_to_kvm(&k.ldt, &s->ldt);
	k.gdt.base = s->gdt.base;
	k.gdt.limit = s->gdt.limit;
	k.idt.base = s->idt.base;
	k.idt.limit = s->idt.limit;
	k.cr0 = s->cr0;
	k.cr2 = s->cr2;
	k.cr3 = s->cr3;
	k.cr4 = s->cr4;
	k.cr8 = s->cr8;
	k.efer = s->efer;
	k.apic_base = s->apic_base;
	if (ioctl(a->vcpu_fd, KVM_SET_SREGS, &k) < 0)
		return accel_ioctl_failed("KVM_SET_SREGS");
	return 0;
}

static int kvm_set_msr(struct accel *a, u32 index, u64 value)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = {
		.hdr.nmsrs = 1,
		.e = { .index = index, .data = value },
	};

	/* Returns the number of MSRs set: 0 means refused. */
	if (ioctl(a->vcpu_fd, KVM_SET_MSRS, &m) != 1) {
		if (!errno)
			errno = EINVAL;
		return accel_ioctl_failed("KVM_SET_MSRS");
	}
	return 0;
}

static const char *kvm_internal_name(u32 suberror)
{
	switch (suberror) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "instruction emulation failed";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "exit while delivering an event";
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
		return "unexpected hardware exit";
	}
	return "unknown suberror";
}

static void kvm_decode_exit(struct accel *a, struct kvm_run *run,
			    struct accel_exit *exit)
{
	exit->raw_reason = run->exit_reason;
	exit->if_flag = run->if_flag;

	switch (run->exit_reason) {
	case KVM_EXIT_IO: {
		u64 bytes = (u64)run->io.size * run->io.count;

		if (run->io.data_offset > a->run_size ||
		    bytes > a->run_size - run->io.data_offset)
			break;
		exit->reason = ACCEL_EXIT_IO;
		exit->io.out = run->io.direction == KVM_EXIT_IO_OUT;
		exit->io.size = run->io.size;
		exit->io.port = run->io.port;
		exit->io.count = run->io.count;
		exit->io.data = (u8 *)run + run->io.data_offset;
		return;
	}
	case KVM_EXIT_MMIO:
		exit->reason = ACCEL_EXIT_MMIO;
		exit->mmio.addr = run->mmio.phys_addr;
		exit->mmio.data = run->mmio.data;
		exit->mmio.len = run->mmio.len;
		exit->mmio.write = run->mmio.is_write;
		return;
	case KVM_EXIT_HLT:
		exit->reason = ACCEL_EXIT_HLT;
		return;
	case KVM_EXIT_HYPERCALL:
		exit->reason = ACCEL_EXIT_HYPERCALL;
		exit->hypercall.nr = run->hypercall.nr;
		memcpy(exit->hypercall.args, run->hypercall.args,
		       sizeof(exit->hypercall.args));
		exit->hypercall.ret = (u64 *)&run->hypercall.ret;
		return;
	case KVM_EXIT_SHUTDOWN:
		exit->reason = ACCEL_EXIT_SHUTDOWN;
		return;
	case KVM_EXIT_FAIL_ENTRY:
		exit->reason = ACCEL_EXIT_FAIL_ENTRY;
		exit->fail_entry.reason =
			run->fail_entry.hardware_entry_failure_reason;
		exit->fail_entry.cpu = run->fail_entry.cpu;
		return;
	case KVM_EXIT_INTERNAL_ERROR:
		exit->reason = ACCEL_EXIT_INTERNAL_ERROR;
		exit->internal.suberror = run->internal.suberror;
		exit->internal.name = kvm_internal_name(run->internal.suberror);
		exit->internal.ndata = run->internal.ndata < 16 ?
				       run->internal.ndata : 16;
		exit->internal.data = (const u64 *)run->internal.data;
		return;
	case KVM_EXIT_INTR:
		exit->reason = ACCEL_EXIT_INTR;
		return;
	case KVM_EXIT_IOAPIC_EOI:
		exit->reason = ACCEL_EXIT_EOI;
		exit->eoi.vector = run->eoi.vector;
		return;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		exit->reason = ACCEL_EXIT_IRQ_WINDOW;
		return;
	}
	exit->reason = ACCEL_EXIT_UNKNOWN;
}

static int kvm_run(struct accel *a, struct accel_exit *exit)
{
	memset(exit, 0, sizeof(*exit));
	if (ioctl(a->vcpu_fd, KVM_RUN, 0) < 0) {
		if (errno == EINTR || errno == EAGAIN) {
			exit->reason = ACCEL_EXIT_INTR;
			exit->raw_reason = KVM_EXIT_INTR;
			return 0;
		}
		return accel_ioctl_failed("KVM_RUN");
	}
	kvm_decode_exit(a, a->run, exit);
	return 0;
}

static void kvm_close(struct accel *a)
{
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
 * KVM_CAP_SPLIT_IRQCHIP (api.rst 7.8): LAPICs in the kernel; args[0] is
 * the number of IOAPIC pins whose routes KVM reserves for userspace.
 */
static int kvm_create_irqchip(struct accel *a)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_SPLIT_IRQCHIP,
		.args = { 24 },
	};

	if (ioctl(a->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return accel_ioctl_failed("KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP)");
	return 0;
}

static int kvm_signal_msi(struct accel *a, u64 addr, u32 data)
{
	struct kvm_msi msi = {
		.address_lo = (u32)addr,
		.address_hi = addr >> 32,
		.data = data,
	};

	/* 0 means the interrupt was blocked (e.g. no such APIC): not fatal. */
	if (ioctl(a->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
		return accel_ioctl_failed("KVM_SIGNAL_MSI");
	return 0;
}

/*
 * With a split irqchip, KVM exits with KVM_EXIT_IOAPIC_EOI on the EOI of
 * a vector only if an MSI route of one of the reserved IOAPIC GSIs
 * (KVM_CAP_SPLIT_IRQCHIP's args[0]) sends it level-triggered: it scans
 * those routes for its EOI-exit vectors.  So each level-triggered pin
 * gets the route of its own GSI number, and the table is set whole
 * (KVM_SET_GSI_ROUTING replaces it).  One VM per launcher process.
 */
static struct {
	bool on;
	u64 addr;
	u32 data;
} kvm_level_pins[IOAPIC_NR_PINS];

static int kvm_level_route(struct accel *a, unsigned int pin, u64 addr,
			   u32 data, bool on)
{
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[IOAPIC_NR_PINS];
	} r;
	unsigned int i, n = 0;

	if (pin >= IOAPIC_NR_PINS)
		return -1;
	if (kvm_level_pins[pin].on == on && (!on ||
	    (kvm_level_pins[pin].addr == addr &&
	     kvm_level_pins[pin].data == data)))
		return 0;
	kvm_level_pins[pin].on = on;
	kvm_level_pins[pin].addr = addr;
	kvm_level_pins[pin].data = data;
	memset(&r, 0, sizeof(r));
	for (i = 0; i < IOAPIC_NR_PINS; i++) {
		if (!kvm_level_pins[i].on)
			continue;
		r.e[n].gsi = i;
		r.e[n].type = KVM_IRQ_ROUTING_MSI;
		r.e[n].u.msi.address_lo = (u32)kvm_level_pins[i].addr;
		r.e[n].u.msi.address_hi = kvm_level_pins[i].addr >> 32;
		r.e[n].u.msi.data = kvm_level_pins[i].data;
		n++;
	}
	r.hdr.nr = n;
	if (ioctl(a->vm_fd, KVM_SET_GSI_ROUTING, &r) < 0)
		return accel_ioctl_failed("KVM_SET_GSI_ROUTING");
	return 0;
}

/*
 * With a split irqchip, ready_for_interrupt_injection is set only when
 * the LAPIC accepts a PIC interrupt and the vCPU can take it now; KVM
 * exits with KVM_EXIT_IRQ_WINDOW_OPEN when that becomes true while
 * request_interrupt_window is set (api.rst, KVM_INTERRUPT and kvm_run).
 */
static bool kvm_extint_ready(struct accel *a)
{
	struct kvm_run *run = a->run;

	return run->ready_for_interrupt_injection;
}

static int kvm_inject_extint(struct accel *a, u8 vector)
{
	struct kvm_interrupt irq = { .irq = vector };

	if (ioctl(a->vcpu_fd, KVM_INTERRUPT, &irq) < 0)
		return accel_ioctl_failed("KVM_INTERRUPT");
	return 0;
}

static void kvm_request_irq_window(struct accel *a, bool on)
{
	struct kvm_run *run = a->run;

	run->request_interrupt_window = on;
}

const struct accel_ops accel_kvm_ops = {
	.name		= "kvm",
	.khv_cpuid_leaf	= false,	/* KVM keeps its own KVMKVMKVM leaves */
	.open		= kvm_open,
	.add_ram	= kvm_add_ram,
	.create_vcpu	= kvm_create_vcpu,
	.get_cpuid	= kvm_get_cpuid,
	.set_cpuid	= kvm_set_cpuid,
	.get_regs	= kvm_get_regs,
	.set_regs	= kvm_set_regs,
	.get_sregs	= kvm_get_sregs,
	.set_sregs	= kvm_set_sregs,
	.set_msr	= kvm_set_msr,
	.run		= kvm_run,
	.close		= kvm_close,
	.create_irqchip	= kvm_create_irqchip,
	.signal_msi	= kvm_signal_msi,
	.level_route	= kvm_level_route,
	.extint_ready	= kvm_extint_ready,
	.inject_extint	= kvm_inject_extint,
	.request_irq_window = kvm_request_irq_window,
};
