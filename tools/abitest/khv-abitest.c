// SPDX-License-Identifier: GPL-2.0
/*
 * khv-abitest: checks of /dev/khv's vCPU ABI that no guest can make on
 * its own, run as root in the lab (scripts/lab-check.sh):
 *
 *   - KHV_CHECK_ENTRY finds no broken rule in a vCPU's reset state;
 *   - a long-mode state with CS.L and CS.D both set, which both vendors'
 *     manuals forbid (SDM Vol. 3C 28.3.1.2: in IA-32e mode a CS with L
 *     set must have D/B clear; APM Vol. 2 15.5.1: VMRUN fails when
 *     EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D are all set), is named by
 *     KHV_CHECK_ENTRY, and KHV_RUN on it ends in KHV_EXIT_FAIL_ENTRY
 *     with a description that names it too, and KHV_GET_SREGS then
 *     returns the state that was refused (nothing of the host's);
 *   - the same after CR0.NW = 1 with CD = 0 where the vendor refuses it;
 *   - the vCPU runs again once the state is fixed;
 *   - with CR3 outside guest RAM, KHV_RUN ends in an internal error
 *     (KHV_INTERNAL_PAGE_WALK) that names the page-table address, rather
 *     than looping in the kernel (an alarm ends a loop: a failure);
 *   - in x2APIC mode, the MSRs past the APIC's registers (840h-8FFh,
 *     reserved: SDM Vol. 3A 11.12.1.2) are refused by KHV_GET_MSRS and
 *     KHV_SET_MSRS, while the APIC ID (802h) reads (khv once read them
 *     from past its register array).
 *
 * Prints "PASS: ..." / "FAIL: ..." lines and "N passed, N failed".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/khv.h>

#include "check.h"

#define MEM_SIZE	0x10000
#define CODE		0x1000
#define PML4		0x2000
#define PDPT		0x3000
#define PD		0x4000
#define GDT		0x5000
#define IDT		0x6000



static void seg(struct khv_segment *s, unsigned short sel, unsigned char type,
		bool l, bool db)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = l;
	s->db = db;
}

/*
 * Long mode with identity-mapped 2 MiB pages for the first 2 MiB (SDM
 * Vol. 3A 5.5), CS 64-bit (L = 1, D = @cs_d).
 */
static void long_mode(struct khv_sregs *sr, unsigned char *mem, bool cs_d)
{
	unsigned long long *pml4 = (void *)(mem + PML4);
	unsigned long long *pdpt = (void *)(mem + PDPT);
	unsigned long long *pd = (void *)(mem + PD);

	pml4[0] = PDPT | 3;
	pdpt[0] = PD | 3;
	pd[0] = 0x83;		/* present, writable, 2 MiB */
	seg(&sr->cs, 0x8, 0xb, true, cs_d);
	seg(&sr->ds, 0x10, 0x3, false, true);
	sr->es = sr->fs = sr->gs = sr->ss = sr->ds;
	sr->cr0 = 0x80000011;	/* PG, ET, PE */
	sr->cr3 = PML4;
	sr->cr4 = 0x20;		/* PAE */
	sr->efer = 0x500;	/* LME, LMA */
	sr->gdt.base = GDT;	/* never read: no segment is loaded */
	sr->gdt.limit = 0x17;
	sr->idt.base = IDT;
	sr->idt.limit = 0xfff;
}

/* After a failed entry, the vCPU's state is the one that was refused. */
static void refused_state_kept(int cpu, struct khv_run *run,
			       const struct khv_sregs *sr, const char *what)
{
	struct khv_sregs got;
	int ret = ioctl(cpu, KHV_GET_SREGS, &got);

	check(!ret && got.cs.selector == sr->cs.selector &&
	      got.cs.l == sr->cs.l && got.cs.db == sr->cs.db &&
	      got.cr0 == sr->cr0 && got.cr3 == sr->cr3 &&
	      got.gdt.base == sr->gdt.base && got.idt.base == sr->idt.base,
	      "%s: after the failed entry (%s) KHV_GET_SREGS shows the refused state (CS %#x, CR0 %#llx, CR3 %#llx, GDT %#llx)",
	      what, run->fail_entry.description, got.cs.selector,
	      (unsigned long long)got.cr0, (unsigned long long)got.cr3,
	      (unsigned long long)got.gdt.base);
}

static void on_alarm(int sig)
{
	(void)sig;	/* only interrupts KHV_RUN */
}

/*
 * Long mode with CR3 outside the 64 KiB of RAM: the processor's walk for
 * the first fetch reads the PML4 entry at CR3 + 0 (SDM Vol. 3A 4.5.4).
 */
static void page_tables_outside_ram(int cpu, struct khv_run *run,
				    unsigned char *mem,
				    const struct khv_regs *regs)
{
	const unsigned long long cr3 = 0x7fff0000;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct khv_sregs sr;
	int ret;

	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: EINTR */
	ret = ioctl(cpu, KHV_GET_SREGS, &sr);
	long_mode(&sr, mem, false);
	sr.cr3 = cr3;
	ret = ret ?: ioctl(cpu, KHV_SET_SREGS, &sr);
	ret = ret ?: ioctl(cpu, KHV_SET_REGS, regs);
	alarm(10);
	ret = ret ?: ioctl(cpu, KHV_RUN, 0);
	alarm(0);
	check(!ret && run->exit_reason == KHV_EXIT_INTERNAL_ERROR &&
	      run->internal.suberror == KHV_INTERNAL_PAGE_WALK &&
	      run->internal.ndata >= 3 && run->internal.data[0] == cr3 &&
	      run->internal.data[2] == cr3,
	      "CR3 outside RAM: KHV_RUN ends in KHV_INTERNAL_PAGE_WALK naming %#llx (%s; exit %u, suberror %u, data %#llx %#llx %#llx)",
	      cr3, ret ? strerror(errno) : "ok", run->exit_reason,
	      run->internal.suberror,
	      (unsigned long long)run->internal.data[0],
	      (unsigned long long)run->internal.data[1],
	      (unsigned long long)run->internal.data[2]);
}

/* KHV_GET_MSRS / KHV_SET_MSRS of one MSR: the number processed. */
static int one_msr(int cpu, unsigned long req, unsigned int index,
		   unsigned long long *data)
{
	struct {
		struct khv_msrs h;
		struct khv_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = index, .e.data = *data };
	int ret = ioctl(cpu, req, &m);

	*data = m.e.data;
	return ret;
}

static void x2apic_reserved_msrs(int dev)
{
	static const unsigned int reserved[] = { 0x840, 0x8ff };
	static union {
		struct khv_cpuid c;
		char b[sizeof(struct khv_cpuid) + sizeof(struct khv_cpuid_entry)];
	} cpuid = { .c.nent = 1 };
	/* Enabled, x2APIC mode, BSP, at the default base (11.4.4). */
	unsigned long long base = 0xfee00000ULL | 1 << 11 | 1 << 10 | 1 << 8;
	unsigned long long data;
	int vm, cpu, ret;
	unsigned int i;

	vm = ioctl(dev, KHV_CREATE_VM, 0);
	cpu = vm < 0 || ioctl(vm, KHV_CREATE_LAPIC, 0) ? -1 :
	      ioctl(vm, KHV_CREATE_VCPU, 0);
	if (cpu < 0 || ioctl(cpu, KHV_SET_CPUID, &cpuid.c) ||
	    one_msr(cpu, KHV_SET_MSRS, 0x1b, &base) != 1) {
		check(false, "a vCPU with its APIC in x2APIC mode (%s)",
		      strerror(errno));
		goto out;
	}
	data = ~0ULL;
	ret = one_msr(cpu, KHV_GET_MSRS, 0x802, &data);
	check(ret == 1 && data == 0, "x2APIC ID (MSR 802h) reads %#llx", data);
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		data = 0;
		ret = one_msr(cpu, KHV_GET_MSRS, reserved[i], &data);
		check(ret == 0, "reserved x2APIC MSR %#x: KHV_GET_MSRS reads none (%d)",
		      reserved[i], ret);
		data = 0;
		ret = one_msr(cpu, KHV_SET_MSRS, reserved[i], &data);
		check(ret == 0, "reserved x2APIC MSR %#x: KHV_SET_MSRS writes none (%d)",
		      reserved[i], ret);
	}
out:
	if (cpu >= 0)
		close(cpu);
	if (vm >= 0)
		close(vm);
}

int main(void)
{
	/* OUT to port 0x80, then HLT: the run stops at the port exit. */
	static const unsigned char code[] = { 0xe6, 0x80, 0xf4 };
	static union {
		struct khv_cpuid c;
		char b[sizeof(struct khv_cpuid) + sizeof(struct khv_cpuid_entry)];
	} cpuid = { .c.nent = 1 };
	struct khv_memory_region mr = { .memory_size = MEM_SIZE };
	struct khv_regs regs = { .rip = CODE, .rflags = 2, .rsp = 0x8000 };
	struct khv_entry_check ec;
	char text[sizeof(ec.field) + sizeof(ec.rule) + 2];
	struct khv_sregs sr;
	struct khv_run *run;
	int dev, vm, cpu, size, ret;
	unsigned char *mem;

	dev = open("/dev/khv", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror("khv-abitest: /dev/khv");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	check(ioctl(dev, KHV_CHECK_CAP, KHV_CAP_ENTRY_CHECK) > 0,
	      "KHV_CAP_ENTRY_CHECK offered");
	size = ioctl(dev, KHV_GET_VCPU_MMAP_SIZE, 0);
	vm = ioctl(dev, KHV_CREATE_VM, 0);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mr.userspace_addr = (unsigned long)mem;
	cpu = vm < 0 || mem == MAP_FAILED ||
	      ioctl(vm, KHV_SET_MEMORY_REGION, &mr) ? -1 :
	      ioctl(vm, KHV_CREATE_VCPU, 0);
	run = cpu < 0 || size <= 0 ? MAP_FAILED :
	      mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
	if (run == MAP_FAILED || ioctl(cpu, KHV_SET_CPUID, &cpuid.c)) {
		check(false, "a VM with a vCPU (%s)", strerror(errno));
		goto out;
	}
	memcpy(mem + CODE, code, sizeof(code));

	memset(&ec, 0xff, sizeof(ec));
	ret = ioctl(cpu, KHV_CHECK_ENTRY, &ec);
	check(!ret && !ec.broken,
	      "reset state: no broken entry rule (ret %d, broken %u: %s %s)",
	      ret, ec.broken, ec.field, ec.rule);
	ret = ioctl(cpu, KHV_CHECK_ENTRY, (void *)8);
	check(ret < 0 && errno == EFAULT, "a bad pointer gets EFAULT");

	ret = ioctl(cpu, KHV_GET_SREGS, &sr);
	long_mode(&sr, mem, true);
	ret = ret ?: ioctl(cpu, KHV_SET_SREGS, &sr);
	ret = ret ?: ioctl(cpu, KHV_SET_REGS, &regs);
	check(!ret, "long mode with CS.L = CS.D = 1 accepted by SET_SREGS (%s)",
	      ret ? strerror(errno) : "ok");
	memset(&ec, 0, sizeof(ec));
	ret = ioctl(cpu, KHV_CHECK_ENTRY, &ec);
	/* SVM names it in the rule, VMX in field and rule. */
	snprintf(text, sizeof(text), "%s %s", ec.field, ec.rule);
	check(!ret && ec.broken && strstr(text, "CS") &&
	      (strstr(text, "CS.D") || strstr(text, "D must be 0")),
	      "KHV_CHECK_ENTRY names the CS.L/CS.D rule: %s%s%s (value %#llx)",
	      ec.field, ec.field[0] ? ": " : "", ec.rule,
	      (unsigned long long)ec.value);
	ret = ioctl(cpu, KHV_RUN, 0);
	check(!ret && run->exit_reason == KHV_EXIT_FAIL_ENTRY &&
	      strstr(run->fail_entry.description, "CS"),
	      "KHV_RUN ends in KHV_EXIT_FAIL_ENTRY (exit %u, reason %#llx): %s",
	      run->exit_reason,
	      (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
	      run->fail_entry.description);
	refused_state_kept(cpu, run, &sr, "CS.L = CS.D = 1");

	/*
	 * CR0.NW = 1 with CD = 0: APM Vol. 2 15.5.1 makes VMRUN fail; an
	 * emulated VMRUN may refuse it before it loads any guest state.  VM
	 * entry does not check NW and CD (SDM Vol. 3C 28.3.1.1).
	 */
	long_mode(&sr, mem, false);
	sr.cr0 |= 1u << 29;
	ret = ioctl(cpu, KHV_SET_SREGS, &sr) ?: ioctl(cpu, KHV_SET_REGS, &regs);
	ret = ret ?: ioctl(cpu, KHV_RUN, 0);
	if (!ret && run->exit_reason == KHV_EXIT_FAIL_ENTRY)
		refused_state_kept(cpu, run, &sr, "CR0.NW = 1, CD = 0");
	else
		check(!ret, "CR0.NW = 1, CD = 0 entered (exit %u): no entry check on this vendor",
		      run->exit_reason);

	long_mode(&sr, mem, false);
	ret = ioctl(cpu, KHV_SET_SREGS, &sr) ?: ioctl(cpu, KHV_SET_REGS, &regs);
	memset(&ec, 0xff, sizeof(ec));
	ret = ret ?: ioctl(cpu, KHV_CHECK_ENTRY, &ec);
	check(!ret && !ec.broken, "CS.D = 0: no broken rule (%s)", ec.rule);
	ret = ioctl(cpu, KHV_RUN, 0);
	check(!ret && run->exit_reason == KHV_EXIT_IO && run->io.port == 0x80,
	      "the fixed vCPU runs to its OUT (exit %u)", run->exit_reason);
	page_tables_outside_ram(cpu, run, mem, &regs);
	x2apic_reserved_msrs(dev);
out:
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
