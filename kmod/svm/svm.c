// SPDX-License-Identifier: GPL-2.0
/*
 * khv/svm: the AMD SVM backend: probing, per-CPU enable, the VMCB of a
 * vCPU and the entry into the guest.
 */
#include <linux/build_bug.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/io.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>

#include "svm.h"
#include "../lapic.h"

u32 svm_features;
static u32 svm_max_asid;

/* One I/O and one MSR permission map, all ones: intercept everything. */
static void *svm_iopm;
static void *svm_msrpm;
#define SVM_IOPM_ORDER	2	/* 12 KiB used (APM Vol. 2, 15.10.1) */
#define SVM_MSRPM_ORDER	1	/* 8 KiB (APM Vol. 2, 15.11) */

struct svm_cpu {
	struct page *hsave;	/* VM_HSAVE_PA: VMRUN's host save area */
	struct page *host_save;	/* VMSAVE/VMLOAD area for the host */
	u64 asid_gen;
	u32 next_asid;
	bool flush_all;
	/* The VMCB this CPU last ran: the one its clean-bit cache holds. */
	struct vmcb *last_vmcb;
};

static DEFINE_PER_CPU(struct svm_cpu, svm_cpu);

static inline void svm_clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

static inline void svm_stgi(void)
{
	asm volatile("stgi" ::: "memory");
}

static const char *svm_name(void)
{
	return "svm";
}

static u32 svm_vendor_id(void)
{
	return KHV_VENDOR_SVM;
}

/*
 * AMD's nested page table has the format of a long-mode page table
 * (APM Vol. 2, 15.25.5 "Nested Table Walk").  Nested walks are user
 * accesses, so every level has U/S set as well as P and R/W.
 */
static const struct khv_npt_format svm_npt = {
	.table = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER,
	.leaf_rw = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER,
	.leaf_ro = _PAGE_PRESENT | _PAGE_USER,
	.present_mask = _PAGE_PRESENT,
};

static const struct khv_npt_format *svm_npt_format(void)
{
	return &svm_npt;
}

static int svm_hardware_enable(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err("khv: SVM is in use by another hypervisor on CPU %d (is kvm_amd loaded?)\n",
		       smp_processor_id());
		return -EBUSY;
	}
	sd->hsave = alloc_page(GFP_KERNEL | __GFP_ZERO);
	sd->host_save = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!sd->hsave || !sd->host_save) {
		__free_page(sd->hsave);
		__free_page(sd->host_save);
		sd->hsave = NULL;
		sd->host_save = NULL;
		return -ENOMEM;
	}
	/* EFER.SVME enables the SVM instructions (APM Vol. 2, 15.4). */
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sd->hsave));
	/* Fresh ASIDs; the TLB may hold another hypervisor's entries. */
	sd->last_vmcb = NULL;
	sd->asid_gen++;
	sd->next_asid = 1;
	sd->flush_all = true;
	return 0;
}

static void svm_hardware_disable(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	u64 efer;

	if (!sd->hsave)
		return;
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	__free_page(sd->hsave);
	__free_page(sd->host_save);
	sd->hsave = NULL;
	sd->host_save = NULL;
}

static int svm_vm_init(struct khv_vm *vm)
{
	return 0;
}

static void svm_vm_destroy(struct khv_vm *vm)
{
}

/* Intercepts every vCPU starts with; see svm_handle_exit for each. */
static void svm_init_vmcb(struct khv_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;

	/*
	 * Debug registers are emulated, never loaded: the host's hardware
	 * breakpoints stay the host's.  #DB and #AC are intercepted so that
	 * a guest cannot hold the CPU in an endless exception loop inside
	 * microcode (the host never gets an interrupt window otherwise).
	 */
	c->intercept_dr = 0x00ff00ff;
	c->intercept_exceptions = BIT(1) | BIT(17);
	c->intercept_misc1 = VMCB_INTERCEPT_INTR | VMCB_INTERCEPT_NMI |
			     VMCB_INTERCEPT_SMI | VMCB_INTERCEPT_INIT |
			     VMCB_INTERCEPT_RDPMC | VMCB_INTERCEPT_CPUID |
			     VMCB_INTERCEPT_INVD | VMCB_INTERCEPT_HLT |
			     VMCB_INTERCEPT_INVLPGA | VMCB_INTERCEPT_IOIO |
			     VMCB_INTERCEPT_MSR | VMCB_INTERCEPT_SHUTDOWN;
	/* VMRUN must be intercepted or VMRUN fails (APM Vol. 2, 15.5.1). */
	c->intercept_misc2 = VMCB_INTERCEPT_VMRUN | VMCB_INTERCEPT_VMMCALL |
			     VMCB_INTERCEPT_VMLOAD | VMCB_INTERCEPT_VMSAVE |
			     VMCB_INTERCEPT_STGI | VMCB_INTERCEPT_CLGI |
			     VMCB_INTERCEPT_SKINIT | VMCB_INTERCEPT_MONITOR |
			     VMCB_INTERCEPT_MWAIT | VMCB_INTERCEPT_MWAIT_COND |
			     VMCB_INTERCEPT_XSETBV;
	c->iopm_base_pa = __pa(svm_iopm);
	c->msrpm_base_pa = __pa(svm_msrpm);
	/* The guest's TSC starts near zero. */
	c->tsc_offset = -rdtsc();
	/*
	 * V_INTR_MASKING: the guest's RFLAGS.IF and CR8 govern only virtual
	 * interrupts; physical ones stay the host's (APM Vol. 2, 15.21.1).
	 */
	c->int_ctl = VMCB_V_INTR_MASKING;
	c->nested_ctl = VMCB_NP_ENABLE;
	c->n_cr3 = khv_npt_root_pa(&vcpu->vm->npt);
	c->clean = 0;
}

static int svm_vcpu_create(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm;
	struct page *page;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->entry_save = kmalloc(SVM_SAVE_USED, GFP_KERNEL_ACCOUNT);
	if (!svm->entry_save) {
		__free_page(page);
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm->asid_cpu = -1;
	svm->vmcb_cpu = -1;
	svm->virq = -1;
	svm->vmcb_dirty = ~0U;
	vcpu->vendor = svm;

	svm_init_vmcb(vcpu);
	svm_reset_state(vcpu);
	vcpu->state_from_user = true;
	return 0;
}

static void svm_vcpu_free(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	int cpu;

	if (!svm)
		return;
	/* A new VMCB at this address must not meet this one's cache. */
	for_each_possible_cpu(cpu)
		cmpxchg(&per_cpu(svm_cpu, cpu).last_vmcb, svm->vmcb, NULL);
	free_page((unsigned long)svm->vmcb);
	kfree(svm->entry_save);
	kfree(svm);
	vcpu->vendor = NULL;
}

/*
 * ASIDs tag the TLB entries of a guest (APM Vol. 2, 15.16).  They are
 * handed out per CPU: a vCPU that moves to another CPU gets a fresh ASID
 * there, so it can never hit stale entries; one whose nested mappings
 * were taken away flushes its ASID where the CPU can (flush-by-ASID),
 * else gets a fresh one too.  When a CPU runs out, a new generation
 * starts and the whole TLB is flushed once.
 */
static void svm_assign_asid(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	struct vmcb_control *c = &svm->vmcb->control;
	int cpu = smp_processor_id();
	int gen = atomic_read(&vcpu->vm->tlb_gen);

	if (svm->asid_cpu == cpu && svm->asid_gen == sd->asid_gen) {
		if (vcpu->tlb_gen_seen == gen)
			return;
		/*
		 * Nested mappings went away: with flush-by-ASID, TLB_CONTROL
		 * 03h flushes this guest's entries only (APM Vol. 2, 15.16.1,
		 * CPUID Fn8000_000A EDX[6]); the vCPU keeps its ASID.
		 */
		if (svm_has(SVM_FEAT_FLUSH_ASID)) {
			vcpu->tlb_gen_seen = gen;
			c->tlb_control = VMCB_TLB_FLUSH_ASID;
			return;
		}
	}

	vcpu->tlb_gen_seen = gen;
	if (sd->next_asid >= svm_max_asid) {
		sd->asid_gen++;
		sd->next_asid = 1;
		sd->flush_all = true;
	}
	if (sd->flush_all) {
		c->tlb_control = VMCB_TLB_FLUSH_ALL;
		sd->flush_all = false;
	}
	svm->asid = sd->next_asid++;
	svm->asid_gen = sd->asid_gen;
	svm->asid_cpu = cpu;
	c->asid = svm->asid;
	svm->vmcb_dirty |= VMCB_CLEAN_ASID;
}

/*
 * VMCB clean bits (APM Vol. 2, 15.15): only when this CPU's last VMRUN
 * was of this same VMCB, and this VMCB's last VMRUN was on this CPU, may
 * the unchanged groups be marked clean.  The second half matters after a
 * migration there and back: the CPU may still cache the VMCB as it was
 * before another CPU ran it and wrote new guest state into it.
 */
static void svm_set_clean_bits(struct svm_vcpu *svm, struct svm_cpu *sd,
			       int cpu)
{
	struct vmcb_control *c = &svm->vmcb->control;

	if (svm_has(SVM_FEAT_VMCB_CLEAN) && sd->last_vmcb == svm->vmcb &&
	    svm->vmcb_cpu == cpu)
		c->clean = VMCB_CLEAN_KHV & ~svm->vmcb_dirty;
	else
		c->clean = 0;
	svm->vmcb_dirty = 0;
	svm->vmcb_cpu = cpu;
	sd->last_vmcb = svm->vmcb;
}

/*
 * VMRUN refuses an illegal guest state with VMEXIT_INVALID (APM Vol. 2,
 * 15.5.1), and an emulated SVM may then have written its own state into
 * the save area: QEMU's does, so KHV_GET_SREGS would hand the host's
 * segment, control and descriptor-table registers to userspace.  The
 * area is kept before the entries that can fail, those after userspace
 * set registers (a guest cannot reach an illegal state by itself: the
 * instructions that change it check it), and put back when one fails,
 * so userspace sees the state that was refused.
 */
static void svm_keep_entry_state(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->entry_save_kept = vcpu->state_from_user;
	if (svm->entry_save_kept)
		memcpy(svm->entry_save, &svm->vmcb->save, SVM_SAVE_USED);
	vcpu->state_from_user = false;
}

static void svm_restore_entry_state(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	if ((svm->vmcb->control.exit_code & SVM_EXIT_INVALID_LO) !=
	    SVM_EXIT_INVALID_LO)
		return;
	if (svm->entry_save_kept)
		memcpy(&svm->vmcb->save, svm->entry_save, SVM_SAVE_USED);
	else	/* not expected; whatever is there is not the guest's */
		memset(&svm->vmcb->save, 0, SVM_SAVE_USED);
	/* The refused state stays: the next entry fails alike, keep it. */
	vcpu->state_from_user = true;
	svm_mark_dirty(vcpu, ~0U);
}

static void svm_vcpu_run(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);

	/*
	 * A CPU going offline has SVM turned off before its last tasks
	 * migrate away: VMRUN would fault there, so try again elsewhere.
	 */
	svm->skipped_entry = !sd->hsave;
	if (svm->skipped_entry)
		return;

	svm_assign_asid(vcpu);
	svm_inject_pending(vcpu);

	/* CR8 is the APIC's TPR[7:4] (SDM Vol. 3A, 11.8.6.1). */
	if (vcpu->lapic &&
	    (vmcb->control.int_ctl & VMCB_V_TPR_MASK) !=
	    khv_lapic_get_tpr(vcpu) >> 4) {
		vmcb->control.int_ctl = (vmcb->control.int_ctl &
					 ~VMCB_V_TPR_MASK) |
					(khv_lapic_get_tpr(vcpu) >> 4);
		svm->vmcb_dirty |= VMCB_CLEAN_TPR;
	}
	svm_set_clean_bits(svm, sd, smp_processor_id());
	vmcb->save.rax = vcpu->gpr[KHV_RAX];
	vmcb->save.rsp = vcpu->gpr[KHV_RSP];
	vmcb->save.rip = vcpu->rip;
	vmcb->save.rflags = vcpu->rflags;
	svm_keep_entry_state(vcpu);

	/*
	 * GIF=0 holds off interrupts and NMIs until the host state is back;
	 * with RFLAGS.IF=1 at VMRUN, a physical interrupt arriving in the
	 * guest causes an INTR exit.
	 */
	svm_clgi();
	local_irq_enable();
	khv_svm_vmrun(svm->vmcb_pa, vcpu->gpr, page_to_phys(sd->host_save));
	local_irq_disable();
	svm_stgi();
	svm_complete_events(vcpu);

	/* #VMEXIT leaves DR7 at 0x400 (APM Vol. 2, 15.5.1): restore ours. */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	svm_restore_entry_state(vcpu);

	vcpu->gpr[KHV_RAX] = vmcb->save.rax;
	vcpu->gpr[KHV_RSP] = vmcb->save.rsp;
	vcpu->rip = vmcb->save.rip;
	vcpu->rflags = vmcb->save.rflags;
	vmcb->control.tlb_control = VMCB_TLB_NOTHING;
	if (vcpu->lapic &&
	    (vmcb->control.int_ctl & 0xf) != khv_lapic_get_tpr(vcpu) >> 4)
		khv_lapic_set_tpr(vcpu, (vmcb->control.int_ctl & 0xf) << 4);
}

static void svm_free_maps(void)
{
	if (svm_iopm)
		free_pages((unsigned long)svm_iopm, SVM_IOPM_ORDER);
	if (svm_msrpm)
		free_pages((unsigned long)svm_msrpm, SVM_MSRPM_ORDER);
	svm_iopm = NULL;
	svm_msrpm = NULL;
}

static void svm_unload(void)
{
	svm_free_maps();
}

static const struct khv_vendor_ops svm_ops = {
	.name = svm_name,
	.vendor_id = svm_vendor_id,
	.npt_format = svm_npt_format,
	.unload = svm_unload,
	.hardware_enable = svm_hardware_enable,
	.hardware_disable = svm_hardware_disable,
	.vm_init = svm_vm_init,
	.vm_destroy = svm_vm_destroy,
	.vcpu_create = svm_vcpu_create,
	.vcpu_free = svm_vcpu_free,
	.vcpu_run = svm_vcpu_run,
	.handle_exit = svm_handle_exit,
	.get_sregs = svm_get_sregs,
	.set_sregs = svm_set_sregs,
	.get_msr = svm_get_msr,
	.set_msr = svm_set_msr,
	.get_cpl = svm_get_cpl,
	.get_cr = svm_get_cr,
	.set_cr2 = svm_set_cr2,
	.get_efer = svm_get_efer,
	.get_seg_base = svm_get_seg_base,
	.code_size = svm_code_size,
	.describe_exit = svm_describe_exit,
	.check_entry = svm_check_entry,
	.show_state = svm_show_state,
};

static void svm_check_efer(void *busy)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		*(bool *)busy = true;
}

/*
 * Decide whether khv can use SVM here (APM Vol. 2, 15.4 "Enabling SVM"):
 * CPUID Fn8000_0001 ECX.SVM, VM_CR.SVMDIS clear, and nested paging
 * (Fn8000_000A EDX.NP), which khv requires.  Log one line naming the
 * reason when it cannot.
 */
const struct khv_vendor_ops *khv_svm_probe(void)
{
	unsigned int eax, ebx, ecx, edx;
	bool busy = false;
	u64 vm_cr;

	BUILD_BUG_ON(offsetof(struct vmcb, save) != 0x400);
	BUILD_BUG_ON(offsetof(struct vmcb_control, exit_code) != 0x70);
	BUILD_BUG_ON(offsetof(struct vmcb_control, insn_bytes) != 0xd1);
	BUILD_BUG_ON(offsetof(struct vmcb_save, efer) != 0xd0);
	BUILD_BUG_ON(offsetof(struct vmcb_save, cr4) != 0x148);
	BUILD_BUG_ON(offsetof(struct vmcb_save, rsp) != 0x1d8);
	BUILD_BUG_ON(offsetof(struct vmcb_save, rax) != 0x1f8);
	BUILD_BUG_ON(offsetof(struct vmcb_save, g_pat) != 0x268);
	BUILD_BUG_ON(sizeof(struct vmcb) != PAGE_SIZE);

	/* No message: main.c tries VMX next and names both if neither. */
	if (!boot_cpu_has(X86_FEATURE_SVM))
		return ERR_PTR(-ENODEV);
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVMDIS) {
		pr_err("khv: SVM is disabled by firmware (VM_CR.SVMDIS set): enable it in the BIOS setup\n");
		return ERR_PTR(-EPERM);
	}
	cpuid(0x8000000a, &eax, &ebx, &ecx, &edx);
	svm_features = edx;
	svm_max_asid = ebx;
	if (!svm_has(SVM_FEAT_NPT)) {
		pr_err("khv: CPU lacks SVM nested paging (NPT), which khv requires\n");
		return ERR_PTR(-ENODEV);
	}
	if (svm_max_asid < 2) {
		pr_err("khv: CPU offers no ASID for guests\n");
		return ERR_PTR(-ENODEV);
	}
	on_each_cpu(svm_check_efer, &busy, 1);
	if (busy) {
		pr_err("khv: SVM is already in use by another hypervisor (EFER.SVME set; is kvm_amd loaded?)\n");
		return ERR_PTR(-EBUSY);
	}

	svm_iopm = (void *)__get_free_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	svm_msrpm = (void *)__get_free_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm) {
		svm_free_maps();
		return ERR_PTR(-ENOMEM);
	}
	memset(svm_iopm, 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(svm_msrpm, 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);

	pr_info("khv: SVM: NPT yes, NRIP save %s, VMCB clean bits %s, flush by ASID %s, decode assists %s, %u ASIDs\n",
		svm_has(SVM_FEAT_NRIPS) ? "yes" : "no",
		svm_has(SVM_FEAT_VMCB_CLEAN) ? "yes" : "no",
		svm_has(SVM_FEAT_FLUSH_ASID) ? "yes" : "no",
		svm_has(SVM_FEAT_DECODE_ASSISTS) ? "yes" : "no",
		svm_max_asid);
	return &svm_ops;
}

