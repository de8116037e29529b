// SPDX-License-Identifier: GPL-2.0
/*
 * khv/vmx: the Intel VT-x backend: per-CPU VMXON, the VMCS of a vCPU,
 * its life on a moving vCPU thread, and the entry into the guest.
 * Probing and the VMCS setup live in vmx_setup.c.
 *
 * A VMCS is "active" on at most one CPU and "current" on that CPU after
 * VMPTRLD (SDM Vol. 3C, 26.1 "Overview", 26.11.1).  Before it may be
 * loaded on another CPU it must be VMCLEARed on the CPU where it is
 * active, which also writes its cached contents back to memory (26.11.3
 * "Initializing a VMCS").  Each CPU keeps the list of VMCSs active on it,
 * so that turning VMX off there (CPU offline, last VM gone) clears them.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/idr.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "vmx.h"

DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu);

/* VPIDs 1 - 65535 (0 is the host's: SDM Vol. 3C, 30.1 "VPID"). */
static DEFINE_IDA(vmx_vpids);

/* One MSR bitmap page, all ones: every RDMSR and WRMSR exits (26.6.9). */
static void *vmx_msr_bitmap;

void vmcs_write_error(u32 field, u64 value)
{
	pr_err_ratelimited("khv: VMWRITE of field %#x = %#llx failed (VM-instruction error %llu)\n",
			   field, value, vmcs_read(VMCS_INSN_ERROR));
}

/*
 * Turn VMX on in this CPU: CR4.VMXE, then VMXON with a region holding the
 * VMCS revision identifier (SDM Vol. 3C, 25.7 "Enabling and Entering VMX
 * Operation"; 25.8 "Restrictions on VMX Operation": CR0 and CR4 must
 * satisfy the FIXED0/FIXED1 MSRs).
 */
int vmx_hardware_enable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	u64 cr0 = read_cr0(), cr4 = __read_cr4();
	int ret;

	if (cr4 & X86_CR4_VMXE) {
		pr_err("khv: VMX is in use by another hypervisor on CPU %d (CR4.VMXE set; is kvm_intel loaded?)\n",
		       smp_processor_id());
		return -EBUSY;
	}
	ret = vmx_feature_control_enable();
	if (ret)
		return ret;
	if ((cr0 & vmx_caps.cr0_fixed0) != vmx_caps.cr0_fixed0 ||
	    (cr0 & ~vmx_caps.cr0_fixed1) ||
	    ((cr4 | X86_CR4_VMXE) & ~vmx_caps.cr4_fixed1)) {
		pr_err("khv: CPU %d: host CR0 %#llx / CR4 %#llx violate the VMX fixed bits\n",
		       smp_processor_id(), cr0, cr4);
		return -EIO;
	}
	if (!vc->vmxon_region) {
		vc->vmxon_region = (void *)get_zeroed_page(GFP_KERNEL);
		if (!vc->vmxon_region)
			return -ENOMEM;
	}
	*(u32 *)vc->vmxon_region = VMXCAP_BASIC_REVISION(vmx_caps.basic);
	INIT_LIST_HEAD(&vc->loaded);
	vc->current_vmcs = NULL;

	cr4_set_bits(X86_CR4_VMXE);
	if (vmx_vmxon(__pa(vc->vmxon_region))) {
		cr4_clear_bits(X86_CR4_VMXE);
		pr_err("khv: VMXON failed on CPU %d\n", smp_processor_id());
		return -EIO;
	}
	vc->vmxon = true;
	/* Mappings cached under an earlier owner of VMX must go (30.4.3.1). */
	vmx_invept_all();
	vmx_invvpid_all();
	return 0;
}

static void vmx_clear_local(struct vmx_vcpu *vmx)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

	vmx_vmclear(vmx->vmcs_pa);
	if (vc->current_vmcs == vmx->vmcs)
		vc->current_vmcs = NULL;
	list_del(&vmx->loaded_link);
	vmx->launched = false;
	/* The list removal before the CPU number: see vmx_vcpu_load(). */
	smp_wmb();
	WRITE_ONCE(vmx->cpu, -1);
}

void vmx_hardware_disable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	struct vmx_vcpu *vmx, *tmp;
	unsigned long flags;

	if (!vc->vmxon)
		return;
	local_irq_save(flags);
	list_for_each_entry_safe(vmx, tmp, &vc->loaded, loaded_link)
		vmx_clear_local(vmx);
	vmx_vmxoff();
	vc->vmxon = false;
	cr4_clear_bits(X86_CR4_VMXE);
	local_irq_restore(flags);
	free_page((unsigned long)vc->vmxon_region);
	vc->vmxon_region = NULL;
}

/* Runs on the CPU where the VMCS is active (an IPI, IRQs off). */
static void vmx_clear_remote(void *data)
{
	struct vmx_vcpu *vmx = data;

	if (READ_ONCE(vmx->cpu) == smp_processor_id())
		vmx_clear_local(vmx);
}

/*
 * Host state that differs between CPUs (SDM Vol. 3C, 26.5 "Host-State
 * Area"): Linux gives each CPU its own GDT, TSS, GS base (per-CPU data)
 * and SYSENTER stack.  Written whenever the VMCS arrives on a CPU.
 */
static void vmx_write_host_percpu(struct vmx_vcpu *vmx)
{
	struct desc_ptr gdt, idt;
	u64 tss, v;
	struct ldttss_desc *d;

	native_store_gdt(&gdt);
	store_idt(&idt);
	d = (struct ldttss_desc *)(gdt.address + GDT_ENTRY_TSS * 8);
	tss = get_desc_base((struct desc_struct *)d) | ((u64)d->base3 << 32);
	vmcs_write(VMCS_HOST_TR_BASE, tss);
	vmcs_write(VMCS_HOST_GDTR_BASE, gdt.address);
	vmcs_write(VMCS_HOST_IDTR_BASE, idt.address);
	rdmsrl(MSR_GS_BASE, v);
	vmcs_write(VMCS_HOST_GS_BASE, v);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, v);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write(VMCS_HOST_SYSENTER_CS, v);
}

/*
 * Make this vCPU's VMCS current here; preemption off.  When the vCPU
 * thread moved, the VMCS is first VMCLEARed on its old CPU.  The run loop
 * calls this with IRQs off, but a cross-CPU call that waits needs them
 * on: they are enabled for that moment only (the CPU cannot change, as
 * preemption stays off).
 */
void vmx_vcpu_load(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	int cpu = smp_processor_id(), old = READ_ONCE(vmx->cpu);
	unsigned long flags;

	if (old == cpu) {
		if (vc->current_vmcs != vmx->vmcs) {
			vmx_vmptrld(vmx->vmcs_pa);
			vc->current_vmcs = vmx->vmcs;
		}
		return;
	}
	if (old >= 0) {
		bool irqs_off = irqs_disabled();

		if (irqs_off)
			local_irq_enable();
		/* -ENXIO: that CPU went offline and cleared it already. */
		smp_call_function_single(old, vmx_clear_remote, vmx, 1);
		if (irqs_off)
			local_irq_disable();
	}
	/* Pairs with vmx_clear_local(): the list entry is gone by now. */
	smp_rmb();
	WARN_ON_ONCE(READ_ONCE(vmx->cpu) != -1);

	local_irq_save(flags);
	list_add(&vmx->loaded_link, &vc->loaded);
	vmx->cpu = cpu;
	local_irq_restore(flags);
	vmx_vmptrld(vmx->vmcs_pa);
	vc->current_vmcs = vmx->vmcs;
	vmx_write_host_percpu(vmx);
	/* This CPU may hold stale translations tagged for this guest. */
	vmx->flush_tlb = true;
}

static const char *vmx_name(void)
{
	return "vmx";
}

static u32 vmx_vendor_id(void)
{
	return KHV_VENDOR_VMX;
}

static int vmx_vm_init(struct khv_vm *vm)
{
	return 0;
}

static void vmx_invept_all_cb(void *unused)
{
	if (this_cpu_ptr(&vmx_cpu)->vmxon)
		vmx_invept_all();
}

/*
 * The EPT root page goes back to the allocator: a later VM may get the
 * same page and so the same EPTP, and must not find this VM's cached
 * guest-physical mappings (SDM Vol. 3C, 30.4.3.1).
 */
static void vmx_vm_destroy(struct khv_vm *vm)
{
	on_each_cpu(vmx_invept_all_cb, NULL, 1);
}

static int vmx_vcpu_create(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx;
	int vpid = 0;

	vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	vmx->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vmx->guest_msrs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (vmx_caps.invvpid_type)
		vpid = ida_alloc_range(&vmx_vpids, 1, 0xffff, GFP_KERNEL);
	if (!vmx->vmcs || !vmx->guest_msrs || vpid < 0) {
		if (vpid > 0)
			ida_free(&vmx_vpids, vpid);
		free_page((unsigned long)vmx->guest_msrs);
		free_page((unsigned long)vmx->vmcs);
		kfree(vmx);
		return vpid < 0 ? vpid : -ENOMEM;
	}
	/* Both areas share one page: 16-byte entries (26.7.2). */
	vmx->host_msrs = vmx->guest_msrs + VMX_NR_AUTO_MSRS;
	vmx->vpid = vpid;
	vmx->vmcs_pa = __pa(vmx->vmcs);
	vmx->cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);
	/* The first 32 bits of a VMCS: the revision identifier (26.2). */
	*(u32 *)vmx->vmcs = VMXCAP_BASIC_REVISION(vmx_caps.basic);
	vcpu->vendor = vmx;

	preempt_disable();
	vmx_vmclear(vmx->vmcs_pa);	/* launch state "clear" (26.11.3) */
	vmx_vcpu_load(vcpu);
	vmx_setup_vmcs(vcpu, vmx_msr_bitmap);
	vmx_reset_state(vcpu);
	preempt_enable();
	return 0;
}

static void vmx_vcpu_free(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long flags;
	int cpu;

	if (!vmx)
		return;
	preempt_disable();
	cpu = READ_ONCE(vmx->cpu);
	if (cpu == smp_processor_id()) {
		/* The per-CPU list is also changed by cross calls: IRQs off. */
		local_irq_save(flags);
		vmx_clear_remote(vmx);
		local_irq_restore(flags);
	} else if (cpu >= 0) {
		smp_call_function_single(cpu, vmx_clear_remote, vmx, 1);
	}
	preempt_enable();
	if (vmx->vpid)
		ida_free(&vmx_vpids, vmx->vpid);
	free_page((unsigned long)vmx->guest_msrs);
	free_page((unsigned long)vmx->vmcs);
	kfree(vmx);
	vcpu->vendor = NULL;
}

/*
 * Host state that can change between two entries of the same thread:
 * CR3 (its PCID), CR4 (per-CPU shadow), the FS base and the user GS base
 * (IA32_KERNEL_GS_BASE while in the kernel).  Selectors with RPL or TI
 * set cannot be host selectors (SDM Vol. 3C, 28.2.3): those are loaded as
 * null by the exit and restored by hand in vmx_restore_host_segments().
 */
static void vmx_write_host_thread(struct vmx_vcpu *vmx,
				  struct vmx_host_segs *h)
{
	u64 v;

	vmcs_write(VMCS_HOST_CR3, __read_cr3());
	vmcs_write(VMCS_HOST_CR4, cr4_read_shadow());
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	asm volatile("sldt %0" : "=r"(h->ldt));
	vmcs_write(VMCS_HOST_FS_SEL, h->fs & 7 ? 0 : h->fs);
	vmcs_write(VMCS_HOST_GS_SEL, h->gs & 7 ? 0 : h->gs);
	rdmsrl(MSR_FS_BASE, h->fs_base);
	vmcs_write(VMCS_HOST_FS_BASE, h->fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, v);
	vmx->host_msrs[VMX_MSR_KGS_BASE].value = v;
}

/*
 * A VM exit leaves DS, ES (and FS, GS when their selectors were not
 * usable as host selectors) null, LDTR null, the GDTR and IDTR limits at
 * FFFFh and the TR limit at 67h (SDM Vol. 3C, 29.5.2 "Loading Host
 * Segment and Descriptor-Table Registers"): put Linux's values back.
 */
static void vmx_restore_host_segments(struct vmx_vcpu *vmx,
				      const struct vmx_host_segs *h)
{
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	if (h->fs & 7) {
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	if (h->gs & 7) {
		load_gs_index(h->gs);
		wrmsrl(MSR_KERNEL_GS_BASE,
		       vmx->host_msrs[VMX_MSR_KGS_BASE].value);
	}
	if (h->ldt)
		asm volatile("lldt %0" : : "r"(h->ldt));
	load_fixmap_gdt(smp_processor_id());
	invalidate_tss_limit();
}

static void vmx_flush_tlb(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int gen = atomic_read(&vcpu->vm->tlb_gen);

	if (!vmx->flush_tlb && vcpu->tlb_gen_seen == gen)
		return;
	/*
	 * INVEPT single-context drops the guest-physical and combined
	 * mappings of this EPTP, for every VPID (SDM Vol. 3C, 30.4.3.1).
	 */
	vmx_invept(vmx_caps.invept_type,
		   vmcs_read(VMCS_EPT_POINTER));
	vcpu->tlb_gen_seen = gen;
	vmx->flush_tlb = false;
}

static void vmx_vcpu_run(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_host_segs host;
	bool fail;

	/*
	 * A CPU going offline turns VMX off before its last tasks migrate
	 * away: entering would fault there, so try again elsewhere.
	 */
	if (!this_cpu_ptr(&vmx_cpu)->vmxon) {
		vmx->result = VMX_SKIPPED;
		return;
	}
	vmx_vcpu_load(vcpu);
	vmx_flush_tlb(vcpu);
	vmx_inject_pending(vcpu);
	if (vmx->proc_ctls != vmx->proc_ctls_vmcs) {
		vmcs_write(VMCS_PROC_CTLS, vmx->proc_ctls);
		vmx->proc_ctls_vmcs = vmx->proc_ctls;
	}
	vmcs_write(VMCS_GUEST_RSP, vcpu->gpr[KHV_RSP]);
	vmcs_write(VMCS_GUEST_RIP, vcpu->rip);
	vmcs_write(VMCS_GUEST_RFLAGS, vcpu->rflags);
	if (vmx_caps.preempt_slice)
		vmcs_write(VMCS_PREEMPTION_TIMER, vmx_caps.preempt_slice);

	if (!vmx->launched && !vmx->checked) {
		if (!vmx_check_entry(vcpu, &vmx->check)) {
			vmx->result = VMX_CHECK_FAILED;
			return;
		}
		vmx->checked = true;
	}

	vmx_write_host_thread(vmx, &host);
	/* CR2 is not part of the VMCS (SDM Vol. 3C, 26.4.1). */
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);
	fail = khv_vmx_vmenter(vcpu->gpr, vmx->launched);
	vmx->cr2 = native_read_cr2();
	vmx_restore_host_segments(vmx, &host);
	/* A VM exit sets DR7 to 400h (SDM Vol. 3C, 29.5.1): restore ours. */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();

	if (fail) {
		/* VMfailValid: the error number is in the VMCS (32.2). */
		vmx->insn_error = vmcs_read(VMCS_INSN_ERROR);
		vmx->result = VMX_VMFAIL;
		return;
	}
	vmx->result = VMX_ENTERED;
	vmx->exit_reason = vmcs_read(VMCS_EXIT_REASON);
	/* A failed VM entry leaves the VMCS "clear" (28.7, 28.8). */
	vmx->launched = !(vmx->exit_reason & EXIT_REASON_FAILED_ENTRY);
	vmx->exit_qual = vmcs_read(VMCS_EXIT_QUAL);
	vmx->exit_insn_len = vmcs_read(VMCS_EXIT_INSN_LEN);
	vmx->idt_vectoring = vmcs_read(VMCS_IDT_VECTORING_INFO);
	vmx->exit_intr_info = vmcs_read(VMCS_EXIT_INTR_INFO);
	vmx->exit_gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
	vcpu->gpr[KHV_RSP] = vmcs_read(VMCS_GUEST_RSP);
	vcpu->rip = vmcs_read(VMCS_GUEST_RIP);
	vcpu->rflags = vmcs_read(VMCS_GUEST_RFLAGS);

	/*
	 * An NMI that arrived in the guest exited instead of reaching Linux;
	 * the exit leaves NMIs blocked.  Hand it to Linux's NMI handler now,
	 * before anything else runs: INT 2 goes through IDT vector 2 like a
	 * real NMI, and the handler's IRET ends the blocking (SDM Vol. 3A,
	 * 6.7.1 "Handling Multiple NMIs").  See Documentation/vmx.rst.
	 */
	if ((u16)vmx->exit_reason == EXIT_EXCEPTION_NMI &&
	    (vmx->exit_intr_info & (INTR_INFO_VALID | INTR_INFO_TYPE_MASK)) ==
	    (INTR_INFO_VALID | INTR_TYPE_NMI))
		asm volatile("int $2");
}

static void vmx_unload(void)
{
	free_page((unsigned long)vmx_msr_bitmap);
	vmx_msr_bitmap = NULL;
}

static const struct khv_npt_format *vmx_npt_format(void)
{
	return &vmx_ept_format;
}

static const struct khv_vendor_ops vmx_ops = {
	.name = vmx_name,
	.vendor_id = vmx_vendor_id,
	.npt_format = vmx_npt_format,
	.unload = vmx_unload,
	.hardware_enable = vmx_hardware_enable,
	.hardware_disable = vmx_hardware_disable,
	.vm_init = vmx_vm_init,
	.vm_destroy = vmx_vm_destroy,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_run = vmx_vcpu_run,
	.handle_exit = vmx_handle_exit,
	.get_sregs = vmx_get_sregs,
	.set_sregs = vmx_set_sregs,
	.get_msr = vmx_get_msr,
	.set_msr = vmx_set_msr,
	.get_cpl = vmx_get_cpl,
	.get_cr = vmx_get_cr,
	.set_cr2 = vmx_set_cr2,
	.get_efer = vmx_get_efer,
	.get_seg_base = vmx_get_seg_base,
	.code_size = vmx_code_size,
	.describe_exit = vmx_describe_exit,
	.check_entry = vmx_check_entry_now,
	.show_state = vmx_show_state,
};

const struct khv_vendor_ops *vmx_ops_init(void)
{
	vmx_msr_bitmap = (void *)__get_free_page(GFP_KERNEL);
	if (!vmx_msr_bitmap)
		return ERR_PTR(-ENOMEM);
	memset(vmx_msr_bitmap, 0xff, PAGE_SIZE);
	return &vmx_ops;
}
