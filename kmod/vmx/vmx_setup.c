// SPDX-License-Identifier: GPL-2.0
/*
 * khv/vmx: deciding whether khv can use VMX here, and everything that is
 * computed from the VMX capability MSRs: the control fields, the fixed
 * CR0/CR4 bits, the EPT pointer and the VMCS of a new vCPU.
 *
 * No control is hard-coded: each field is the OR of what khv needs, what
 * it would like when offered, and what the CPU insists on, as the
 * capability MSRs say (SDM Vol. 3D, Appendix A.3 - A.5).  When
 * IA32_VMX_BASIC[55] is set, the TRUE_* MSRs are the ones to read: they
 * let "default1" controls such as CR3-load exiting be cleared (A.2).
 */
#include <linux/mm.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tsc.h>

#include "vmx.h"

struct vmx_caps vmx_caps;

/*
 * EPT entries (SDM Vol. 3C, 30.3.2, Tables 30-1 to 30-6): read, write
 * and execute in bits 2:0 at every level, the memory type in bits 5:3 of
 * a leaf.  Guest RAM is write-back, like the host's.
 */
const struct khv_npt_format vmx_ept_format = {
	.table = EPT_R | EPT_W | EPT_X,
	.leaf_rw = EPT_R | EPT_W | EPT_X | EPT_MT_WB,
	.leaf_ro = EPT_R | EPT_X | EPT_MT_WB,
	.present_mask = EPT_R | EPT_W | EPT_X,
};

/*
 * Settle a control field: need | (want & allowed-1) | required-1.
 * Returns the bits of need the CPU cannot set.
 */
static u32 vmx_adjust(u64 cap, u32 need, u32 want, u32 *out)
{
	u32 must = (u32)cap, may = cap >> 32;

	*out = (need | (want & may) | must) & may;
	return need & ~may;
}

/*
 * IA32_FEATURE_CONTROL (SDM Vol. 3C, 25.7 "Enabling and Entering VMX
 * Operation"): VMXON outside SMX needs bit 2, and the MSR locked (bit 0).
 * Firmware normally locks it; if it did not, khv sets and locks it as
 * firmware should have.
 */
int vmx_feature_control_enable(void)
{
	u64 fc;

	rdmsrl(MSR_IA32_FEAT_CTL, fc);
	if (fc & FEAT_CTL_LOCKED) {
		if (fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)
			return 0;
		pr_err("khv: VT-x is disabled by firmware (IA32_FEATURE_CONTROL locked without VMX): enable it in the BIOS setup\n");
		return -EPERM;
	}
	wrmsrl(MSR_IA32_FEAT_CTL,
	       fc | FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX);
	return 0;
}

static void vmx_check_vmxe(void *busy)
{
	if (__read_cr4() & X86_CR4_VMXE)
		*(bool *)busy = true;
}

static int vmx_read_caps(void)
{
	struct vmx_caps *c = &vmx_caps;
	bool tru;
	u32 miss;

	rdmsrl(MSR_IA32_VMX_BASIC, c->basic);
	tru = c->basic & VMXCAP_BASIC_TRUE_CTLS;
	if (VMXCAP_BASIC_SIZE(c->basic) > PAGE_SIZE ||
	    (c->basic & VMXCAP_BASIC_32BIT_ADDR) ||
	    VMXCAP_BASIC_MEMTYPE(c->basic) != EPTP_MT_WB) {
		pr_err("khv: unsupported IA32_VMX_BASIC %#llx (VMCS size, 32-bit addresses or VMCS memory type)\n",
		       c->basic);
		return -ENODEV;
	}
	rdmsrl(MSR_IA32_VMX_MISC, c->misc);
	rdmsrl(tru ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
		     MSR_IA32_VMX_PINBASED_CTLS, c->pin_cap);
	rdmsrl(tru ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
		     MSR_IA32_VMX_PROCBASED_CTLS, c->proc_cap);
	rdmsrl(tru ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
		     MSR_IA32_VMX_EXIT_CTLS, c->exit_cap);
	rdmsrl(tru ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
		     MSR_IA32_VMX_ENTRY_CTLS, c->entry_cap);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, c->cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, c->cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, c->cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, c->cr4_fixed1);
	/* The secondary controls exist only if they can be activated. */
	if (!((c->proc_cap >> 32) & PROC_SECONDARY)) {
		pr_err("khv: CPU lacks the secondary VM-execution controls (so EPT and unrestricted guest), which khv requires\n");
		return -ENODEV;
	}
	rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS2, c->proc2_cap);
	/* Appendix A.10: exists if EPT or VPID can be enabled. */
	if ((c->proc2_cap >> 32) & (PROC2_EPT | PROC2_VPID))
		rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, c->ept_vpid);

	miss = vmx_adjust(c->proc2_cap, PROC2_EPT | PROC2_UNRESTRICTED_GUEST,
			  PROC2_VPID | PROC2_RDTSCP | PROC2_INVPCID |
			  PROC2_WBINVD_EXITING, &c->proc2);
	if (miss) {
		pr_err("khv: CPU lacks %s, which khv requires\n",
		       miss & PROC2_EPT ? "EPT" : "unrestricted guest");
		return -ENODEV;
	}
	if (!(c->ept_vpid & EPT_CAP_WALK_4) || !(c->ept_vpid & EPT_CAP_WB) ||
	    !(c->ept_vpid & EPT_CAP_INVEPT) ||
	    !(c->ept_vpid & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL))) {
		pr_err("khv: CPU's EPT lacks 4-level walks, write-back tables or INVEPT (IA32_VMX_EPT_VPID_CAP %#llx), which khv requires\n",
		       c->ept_vpid);
		return -ENODEV;
	}
	c->invept_type = c->ept_vpid & EPT_CAP_INVEPT_SINGLE ?
			 INVEPT_SINGLE : INVEPT_ALL;
	c->eptp_flags = EPTP_MT_WB | EPTP_WALK_4;
	if (c->ept_vpid & EPT_CAP_AD)
		c->eptp_flags |= EPTP_AD;
	/* VPIDs only with a way to flush them (30.4.3.3). */
	if ((c->proc2 & PROC2_VPID) && (c->ept_vpid & VPID_CAP_INVVPID) &&
	    (c->ept_vpid & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL)))
		c->invvpid_type = c->ept_vpid & VPID_CAP_INVVPID_SINGLE ?
				  INVVPID_SINGLE : INVVPID_ALL;
	else
		c->proc2 &= ~PROC2_VPID;

	/* Physical interrupts and NMIs always exit: the host's, not ours. */
	if (vmx_adjust(c->pin_cap, PIN_EXT_INTR_EXITING | PIN_NMI_EXITING,
		       PIN_VIRTUAL_NMIS | PIN_PREEMPTION_TIMER, &c->pin)) {
		pr_err("khv: CPU cannot make interrupts and NMIs exit\n");
		return -ENODEV;
	}
	c->vnmi = c->pin & PIN_VIRTUAL_NMIS;
	/*
	 * A backstop behind external-interrupt exiting: the VMX-preemption
	 * timer ends any stretch of guest execution longer than
	 * KHV_VMX_SLICE_MS, so the host gets its CPU back (pending
	 * interrupts, signals, the scheduler) even when an interrupt fails
	 * to cause its exit, as Bochs does for a guest entered with
	 * RFLAGS.IF = 0.  It counts down at the TSC rate divided by 2^X,
	 * X = IA32_VMX_MISC[4:0] (SDM Vol. 3C, 27.5.1 and Appendix A.6);
	 * the value is reloaded at every entry.
	 */
	if ((c->pin & PIN_PREEMPTION_TIMER) && tsc_khz)
		c->preempt_slice = min_t(u64, U32_MAX,
					 ((u64)tsc_khz * KHV_VMX_SLICE_MS) >>
					 (c->misc & 0x1f));
	if (!c->preempt_slice)
		c->pin &= ~PIN_PREEMPTION_TIMER;
	/*
	 * CR8 is the real TPR without a TPR shadow: intercept it.  MOV DR
	 * exits because debug registers are emulated (svm_dr's twin).
	 */
	miss = vmx_adjust(c->proc_cap, PROC_HLT_EXITING | PROC_CR8_LOAD_EXITING |
			  PROC_CR8_STORE_EXITING | PROC_MOV_DR_EXITING |
			  PROC_UNCOND_IO_EXITING | PROC_SECONDARY |
			  PROC_MWAIT_EXITING | PROC_MONITOR_EXITING |
			  PROC_RDPMC_EXITING,
			  PROC_TSC_OFFSETTING | PROC_MSR_BITMAPS, &c->proc);
	if (miss) {
		pr_err("khv: CPU lacks primary VM-execution controls %#x\n",
		       miss);
		return -ENODEV;
	}
	c->msr_bitmaps = c->proc & PROC_MSR_BITMAPS;
	/* No "acknowledge interrupt on exit": Linux takes it after IRQs on. */
	miss = vmx_adjust(c->exit_cap, EXIT_HOST_ADDR_SPACE_SIZE |
			  EXIT_SAVE_EFER | EXIT_LOAD_EFER,
			  EXIT_SAVE_PAT | EXIT_LOAD_PAT, &c->exit);
	miss |= vmx_adjust(c->entry_cap, ENTRY_LOAD_EFER,
			   c->exit & EXIT_LOAD_PAT ? ENTRY_LOAD_PAT : 0,
			   &c->entry);
	if (miss || (c->exit & EXIT_ACK_INTR_ON_EXIT) ||
	    !((c->entry_cap >> 32) & ENTRY_IA32E_MODE)) {
		pr_err("khv: CPU lacks the VM-exit/VM-entry controls for EFER and 64-bit guests\n");
		return -ENODEV;
	}
	c->entry &= ~ENTRY_IA32E_MODE;
	return 0;
}

/*
 * Decide whether khv can use VMX here.  -ENODEV without a message when
 * the CPU has no VMX at all (main.c then names both vendors); one line
 * naming the reason otherwise.
 */
const struct khv_vendor_ops *khv_vmx_probe(void)
{
	bool busy = false;
	int ret;

	/* CPUID.1:ECX.VMX[bit 5] (SDM Vol. 3C, 25.6 "Discovering Support"). */
	if (!(cpuid_ecx(1) & BIT(5)))
		return ERR_PTR(-ENODEV);
	ret = vmx_feature_control_enable();
	if (ret)
		return ERR_PTR(ret);
	ret = vmx_read_caps();
	if (ret)
		return ERR_PTR(ret);
	on_each_cpu(vmx_check_vmxe, &busy, 1);
	if (busy) {
		pr_err("khv: VMX is already in use by another hypervisor (CR4.VMXE set; is kvm_intel loaded?)\n");
		return ERR_PTR(-EBUSY);
	}
	pr_info("khv: VMX: EPT 4-level WB, A/D %s, unrestricted guest, VPID %s, virtual NMIs %s, preemption timer %s, INVEPT %s, TRUE controls %s, INS/OUTS info %s\n",
		vmx_caps.eptp_flags & EPTP_AD ? "yes" : "no",
		vmx_caps.invvpid_type ? "yes" : "no",
		vmx_caps.vnmi ? "yes" : "no",
		vmx_caps.preempt_slice ? "yes" : "no",
		vmx_caps.invept_type == INVEPT_SINGLE ? "single" : "all",
		vmx_caps.basic & VMXCAP_BASIC_TRUE_CTLS ? "yes" : "no",
		vmx_caps.basic & VMXCAP_BASIC_INOUT_INFO ? "yes" : "no");
	return vmx_ops_init();
}

/*
 * Bits of CR0 and CR4 that khv owns (SDM Vol. 3C, 26.6.6 "Guest/Host
 * Masks and Read Shadows for CR0 and CR4"): those VMX fixes (25.8; with
 * unrestricted guest, PE and PG are free: 28.3.1.1), plus CR0.PG, whose
 * changes switch EFER.LMA and the "IA-32e mode guest" control.  The guest
 * reads the shadow for these bits; writing another value exits.
 */
u64 vmx_cr0_host_bits(void)
{
	u64 fixed = (vmx_caps.cr0_fixed0 | ~vmx_caps.cr0_fixed1) &
		    ~(u64)(X86_CR0_PE | X86_CR0_PG);

	return fixed | X86_CR0_PG;
}

u64 vmx_cr4_host_bits(void)
{
	return vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1;
}

/* The VMCS of a new vCPU; it is current on this CPU. */
void vmx_setup_vmcs(struct khv_vcpu *vcpu, void *msr_bitmap)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	static const u32 auto_msrs[VMX_NR_AUTO_MSRS] = {
		[VMX_MSR_STAR] = MSR_STAR,
		[VMX_MSR_LSTAR] = MSR_LSTAR,
		[VMX_MSR_CSTAR] = MSR_CSTAR,
		[VMX_MSR_SFMASK] = MSR_SYSCALL_MASK,
		[VMX_MSR_KGS_BASE] = MSR_KERNEL_GS_BASE,
	};
	u64 v;
	int i;

	/* Must be all ones when there is no shadow VMCS (28.3.1.5). */
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);

	vmcs_write(VMCS_PIN_CTLS, vmx_caps.pin);
	vmx->proc_ctls = vmx_caps.proc;
	vmx->proc_ctls_vmcs = vmx_caps.proc;
	vmcs_write(VMCS_PROC_CTLS, vmx_caps.proc);
	vmcs_write(VMCS_PROC_CTLS2, vmx_caps.proc2);
	vmcs_write(VMCS_EXIT_CTLS, vmx_caps.exit);
	vmcs_write(VMCS_ENTRY_CTLS, vmx_caps.entry);
	/*
	 * #DB and #AC exit so that a guest cannot hold the CPU in an endless
	 * exception loop inside microcode (as on SVM).
	 */
	vmcs_write(VMCS_EXCEPTION_BITMAP, BIT(1) | BIT(17));
	vmcs_write(VMCS_PF_ERR_MASK, 0);
	vmcs_write(VMCS_PF_ERR_MATCH, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	if (vmx_caps.msr_bitmaps)
		vmcs_write(VMCS_MSR_BITMAP, __pa(msr_bitmap));
	if (vmx_caps.proc & PROC_TSC_OFFSETTING)
		vmcs_write(VMCS_TSC_OFFSET, -rdtsc());
	vmcs_write(VMCS_EPT_POINTER, khv_npt_root_pa(&vcpu->vm->npt) |
		   vmx_caps.eptp_flags);
	if (vmx->vpid)
		vmcs_write(VMCS_VPID, vmx->vpid);
	vmcs_write(VMCS_CR0_MASK, vmx_cr0_host_bits());
	vmcs_write(VMCS_CR4_MASK, vmx_cr4_host_bits());

	/* 26.7.2, 26.8.2: MSRs switched by entry and exit. */
	for (i = 0; i < VMX_NR_AUTO_MSRS; i++) {
		vmx->guest_msrs[i].index = auto_msrs[i];
		vmx->host_msrs[i].index = auto_msrs[i];
		rdmsrl(auto_msrs[i], v);
		vmx->host_msrs[i].value = v;
	}
	vmcs_write(VMCS_ENTRY_MSR_LOAD_ADDR, __pa(vmx->guest_msrs));
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, VMX_NR_AUTO_MSRS);
	vmcs_write(VMCS_EXIT_MSR_STORE_ADDR, __pa(vmx->guest_msrs));
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, VMX_NR_AUTO_MSRS);
	vmcs_write(VMCS_EXIT_MSR_LOAD_ADDR, __pa(vmx->host_msrs));
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, VMX_NR_AUTO_MSRS);

	/* Host state that is the same on every CPU (26.5, 28.2.2). */
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CS_SEL, __KERNEL_CS);
	vmcs_write(VMCS_HOST_SS_SEL, __KERNEL_DS);
	vmcs_write(VMCS_HOST_DS_SEL, 0);
	vmcs_write(VMCS_HOST_ES_SEL, 0);
	vmcs_write(VMCS_HOST_TR_SEL, GDT_ENTRY_TSS * 8);
	rdmsrl(MSR_EFER, v);
	vmcs_write(VMCS_HOST_EFER, v);
	if (vmx_caps.exit & EXIT_LOAD_PAT) {
		rdmsrl(MSR_IA32_CR_PAT, v);
		vmcs_write(VMCS_HOST_PAT, v);
	}
	vmcs_write(VMCS_HOST_RIP, (unsigned long)khv_vmx_vmexit);

	/* Debug registers are emulated: DR7 stays at its reset value. */
	vmcs_write(VMCS_GUEST_DR7, 0x400);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
}
