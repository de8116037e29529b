// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "accel.h"

static const struct accel_ops *const accels[] = {
	&accel_khv_ops,
	&accel_kvm_ops,
};

static bool accel_ops_complete(const struct accel_ops *o)
{
	return o->name && o->open && o->add_ram && o->create_vcpu &&
	       o->get_cpuid && o->set_cpuid && o->get_regs && o->set_regs &&
	       o->get_sregs && o->set_sregs && o->set_msr && o->run && o->close &&
	       o->create_irqchip && o->signal_msi && o->level_route &&
	       o->extint_ready &&
	       o->inject_extint && o->request_irq_window;
}

const struct accel_ops *accel_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(accels); i++) {
		if (strcmp(accels[i]->name, name))
			continue;
		if (!accel_ops_complete(accels[i])) {
			pr_err("accelerator %s lacks mandatory ops", name);
			return NULL;
		}
		return accels[i];
	}
	return NULL;
}

void accel_init(struct accel *a, const struct accel_ops *ops)
{
	memset(a, 0, sizeof(*a));
	a->ops = ops;
	a->sys_fd = a->vm_fd = a->vcpu_fd = -1;
}

int accel_ioctl_failed(const char *name)
{
	pr_err("%s: %s", name, strerror(errno));
	return -1;
}

static void dump_seg(const char *name, const struct khv_segment *s)
{
	fprintf(stderr, "khv:   %-3s sel 0x%04x base 0x%016llx limit 0x%08x "
		"type 0x%x p %u dpl %u db %u s %u l %u g %u\n", name,
		s->selector, (unsigned long long)s->base, s->limit, s->type,
		s->present, s->dpl, s->db, s->s, s->l, s->g);
}

void accel_dump_regs(struct accel *a)
{
	struct khv_regs r;
	struct khv_sregs s;

	if (a->ops->get_regs(a, &r) || a->ops->get_sregs(a, &s))
		return;

#define X(v) ((unsigned long long)(v))
	fprintf(stderr,
		"khv:   rip 0x%016llx rflags 0x%016llx rsp 0x%016llx\n"
		"khv:   rax 0x%016llx rbx 0x%016llx rcx 0x%016llx rdx 0x%016llx\n"
		"khv:   rsi 0x%016llx rdi 0x%016llx rbp 0x%016llx\n"
		"khv:   r8  0x%016llx r9  0x%016llx r10 0x%016llx r11 0x%016llx\n"
		"khv:   r12 0x%016llx r13 0x%016llx r14 0x%016llx r15 0x%016llx\n"
		"khv:   cr0 0x%016llx cr2 0x%016llx cr3 0x%016llx cr4 0x%016llx\n"
		"khv:   efer 0x%llx apic_base 0x%llx\n"
		"khv:   gdt base 0x%llx limit 0x%x idt base 0x%llx limit 0x%x\n",
		X(r.rip), X(r.rflags), X(r.rsp),
		X(r.rax), X(r.rbx), X(r.rcx), X(r.rdx),
		X(r.rsi), X(r.rdi), X(r.rbp),
		X(r.r8), X(r.r9), X(r.r10), X(r.r11),
		X(r.r12), X(r.r13), X(r.r14), X(r.r15),
		X(s.cr0), X(s.cr2), X(s.cr3), X(s.cr4),
		X(s.efer), X(s.apic_base),
		X(s.gdt.base), s.gdt.limit, X(s.idt.base), s.idt.limit);
#undef X
	dump_seg("cs", &s.cs);
	dump_seg("ss", &s.ss);
	dump_seg("ds", &s.ds);
	dump_seg("tr", &s.tr);
}
