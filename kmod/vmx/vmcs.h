/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv/vmx: VMCS field encodings, control bits and exit reasons.
 *
 * Section numbers are those of the Intel SDM editions in which "VM
 * Entries" is chapter 28 of Vol. 3C (2023 and later); older editions
 * number the VMX chapters two lower (VM entries: chapter 26).
 *   field encodings:   Vol. 3D, Appendix B "Field Encoding in VMCS"
 *   control bits:      Vol. 3C, 26.6 - 26.8 ("VM-Execution/-Exit/-Entry
 *                      Control Fields")
 *   capability MSRs:   Vol. 3D, Appendix A "VMX Capability Reporting"
 *   exit reasons:      Vol. 3D, Appendix C "VMX Basic Exit Reasons"
 */
#ifndef KHV_VMX_VMCS_H
#define KHV_VMX_VMCS_H

#include <linux/bits.h>

/* 16-bit fields (Appendix B.1). */
#define VMCS_VPID			0x0000
#define VMCS_GUEST_ES_SEL		0x0800	/* ES, CS, SS, DS, FS, GS, */
#define VMCS_GUEST_LDTR_SEL		0x080c	/* LDTR, TR: 2 apart */
#define VMCS_GUEST_TR_SEL		0x080e
#define VMCS_HOST_ES_SEL		0x0c00
#define VMCS_HOST_CS_SEL		0x0c02
#define VMCS_HOST_SS_SEL		0x0c04
#define VMCS_HOST_DS_SEL		0x0c06
#define VMCS_HOST_FS_SEL		0x0c08
#define VMCS_HOST_GS_SEL		0x0c0a
#define VMCS_HOST_TR_SEL		0x0c0c

/* 64-bit fields (Appendix B.2). */
#define VMCS_IO_BITMAP_A		0x2000
#define VMCS_IO_BITMAP_B		0x2002
#define VMCS_MSR_BITMAP			0x2004
#define VMCS_EXIT_MSR_STORE_ADDR	0x2006
#define VMCS_EXIT_MSR_LOAD_ADDR		0x2008
#define VMCS_ENTRY_MSR_LOAD_ADDR	0x200a
#define VMCS_TSC_OFFSET			0x2010
#define VMCS_EPT_POINTER		0x201a
#define VMCS_GUEST_PHYS_ADDR		0x2400	/* read-only */
#define VMCS_LINK_POINTER		0x2800
#define VMCS_GUEST_DEBUGCTL		0x2802
#define VMCS_GUEST_PAT			0x2804
#define VMCS_GUEST_EFER			0x2806
#define VMCS_GUEST_PDPTE0		0x280a	/* PDPTE0-3: 2 apart */
#define VMCS_HOST_PAT			0x2c00
#define VMCS_HOST_EFER			0x2c02

/* 32-bit fields (Appendix B.3). */
#define VMCS_PIN_CTLS			0x4000
#define VMCS_PROC_CTLS			0x4002
#define VMCS_EXCEPTION_BITMAP		0x4004
#define VMCS_PF_ERR_MASK		0x4006
#define VMCS_PF_ERR_MATCH		0x4008
#define VMCS_CR3_TARGET_COUNT		0x400a
#define VMCS_EXIT_CTLS			0x400c
#define VMCS_EXIT_MSR_STORE_COUNT	0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT	0x4010
#define VMCS_ENTRY_CTLS			0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT	0x4014
#define VMCS_ENTRY_INTR_INFO		0x4016
#define VMCS_ENTRY_EXC_ERROR_CODE	0x4018
#define VMCS_ENTRY_INSN_LEN		0x401a
#define VMCS_PROC_CTLS2			0x401e
#define VMCS_INSN_ERROR			0x4400	/* read-only from here */
#define VMCS_EXIT_REASON		0x4402
#define VMCS_EXIT_INTR_INFO		0x4404
#define VMCS_EXIT_INTR_ERROR_CODE	0x4406
#define VMCS_IDT_VECTORING_INFO		0x4408
#define VMCS_IDT_VECTORING_ERROR_CODE	0x440a
#define VMCS_EXIT_INSN_LEN		0x440c
#define VMCS_EXIT_INSN_INFO		0x440e
#define VMCS_GUEST_ES_LIMIT		0x4800	/* ES ... TR: 2 apart */
#define VMCS_GUEST_LDTR_LIMIT		0x480c
#define VMCS_GUEST_TR_LIMIT		0x480e
#define VMCS_GUEST_GDTR_LIMIT		0x4810
#define VMCS_GUEST_IDTR_LIMIT		0x4812
#define VMCS_GUEST_ES_AR		0x4814	/* ES ... TR: 2 apart */
#define VMCS_GUEST_LDTR_AR		0x4820
#define VMCS_GUEST_TR_AR		0x4822
#define VMCS_GUEST_INTERRUPTIBILITY	0x4824
#define VMCS_GUEST_ACTIVITY		0x4826
#define VMCS_GUEST_SYSENTER_CS		0x482a
#define VMCS_PREEMPTION_TIMER		0x482e
#define VMCS_HOST_SYSENTER_CS		0x4c00

/* Natural-width fields (Appendix B.4). */
#define VMCS_CR0_MASK			0x6000
#define VMCS_CR4_MASK			0x6002
#define VMCS_CR0_SHADOW			0x6004
#define VMCS_CR4_SHADOW			0x6006
#define VMCS_EXIT_QUAL			0x6400	/* read-only */
#define VMCS_GUEST_LINEAR_ADDR		0x640a	/* read-only */
#define VMCS_GUEST_CR0			0x6800
#define VMCS_GUEST_CR3			0x6802
#define VMCS_GUEST_CR4			0x6804
#define VMCS_GUEST_ES_BASE		0x6806	/* ES ... TR: 2 apart */
#define VMCS_GUEST_LDTR_BASE		0x6812
#define VMCS_GUEST_TR_BASE		0x6814
#define VMCS_GUEST_GDTR_BASE		0x6816
#define VMCS_GUEST_IDTR_BASE		0x6818
#define VMCS_GUEST_DR7			0x681a
#define VMCS_GUEST_RSP			0x681c
#define VMCS_GUEST_RIP			0x681e
#define VMCS_GUEST_RFLAGS		0x6820
#define VMCS_GUEST_PENDING_DBG		0x6822
#define VMCS_GUEST_SYSENTER_ESP		0x6824
#define VMCS_GUEST_SYSENTER_EIP		0x6826
#define VMCS_HOST_CR0			0x6c00
#define VMCS_HOST_CR3			0x6c02
#define VMCS_HOST_CR4			0x6c04
#define VMCS_HOST_FS_BASE		0x6c06
#define VMCS_HOST_GS_BASE		0x6c08
#define VMCS_HOST_TR_BASE		0x6c0a
#define VMCS_HOST_GDTR_BASE		0x6c0c
#define VMCS_HOST_IDTR_BASE		0x6c0e
#define VMCS_HOST_SYSENTER_ESP		0x6c10
#define VMCS_HOST_SYSENTER_EIP		0x6c12
#define VMCS_HOST_RSP			0x6c14
#define VMCS_HOST_RIP			0x6c16

/* Segment fields by register: khv_seg order ES, CS, SS, DS, FS, GS. */
#define VMCS_SEG_LDTR			6
#define VMCS_SEG_TR			7
#define VMCS_SEG_SEL(s)			(VMCS_GUEST_ES_SEL + 2 * (s))
#define VMCS_SEG_LIMIT(s)		(VMCS_GUEST_ES_LIMIT + 2 * (s))
#define VMCS_SEG_AR(s)			(VMCS_GUEST_ES_AR + 2 * (s))
#define VMCS_SEG_BASE(s)		(VMCS_GUEST_ES_BASE + 2 * (s))

/* Pin-based VM-execution controls (26.6.1, Table 26-5). */
#define PIN_EXT_INTR_EXITING		BIT(0)
#define PIN_NMI_EXITING			BIT(3)
#define PIN_VIRTUAL_NMIS		BIT(5)
#define PIN_PREEMPTION_TIMER		BIT(6)
#define PIN_POSTED_INTR			BIT(7)

/* Primary processor-based VM-execution controls (26.6.2, Table 26-6). */
#define PROC_INTR_WINDOW_EXITING	BIT(2)
#define PROC_TSC_OFFSETTING		BIT(3)
#define PROC_HLT_EXITING		BIT(7)
#define PROC_INVLPG_EXITING		BIT(9)
#define PROC_MWAIT_EXITING		BIT(10)
#define PROC_RDPMC_EXITING		BIT(11)
#define PROC_RDTSC_EXITING		BIT(12)
#define PROC_CR3_LOAD_EXITING		BIT(15)
#define PROC_CR3_STORE_EXITING		BIT(16)
#define PROC_CR8_LOAD_EXITING		BIT(19)
#define PROC_CR8_STORE_EXITING		BIT(20)
#define PROC_TPR_SHADOW			BIT(21)
#define PROC_NMI_WINDOW_EXITING		BIT(22)
#define PROC_MOV_DR_EXITING		BIT(23)
#define PROC_UNCOND_IO_EXITING		BIT(24)
#define PROC_IO_BITMAPS			BIT(25)
#define PROC_MTF			BIT(27)
#define PROC_MSR_BITMAPS		BIT(28)
#define PROC_MONITOR_EXITING		BIT(29)
#define PROC_PAUSE_EXITING		BIT(30)
#define PROC_SECONDARY			BIT(31)

/* Secondary processor-based VM-execution controls (26.6.2, Table 26-7). */
#define PROC2_VIRT_APIC_ACCESS		BIT(0)
#define PROC2_EPT			BIT(1)
#define PROC2_DESC_TABLE_EXITING	BIT(2)
#define PROC2_RDTSCP			BIT(3)
#define PROC2_VIRT_X2APIC		BIT(4)
#define PROC2_VPID			BIT(5)
#define PROC2_WBINVD_EXITING		BIT(6)
#define PROC2_UNRESTRICTED_GUEST	BIT(7)
#define PROC2_APIC_REG_VIRT		BIT(8)
#define PROC2_VIRT_INTR_DELIVERY	BIT(9)
#define PROC2_INVPCID			BIT(12)
#define PROC2_VMCS_SHADOWING		BIT(14)
#define PROC2_PML			BIT(17)
#define PROC2_EPT_VE			BIT(18)
#define PROC2_XSAVES			BIT(20)

/* VM-exit controls (26.7.1, Table 26-13). */
#define EXIT_SAVE_DEBUG_CTLS		BIT(2)
#define EXIT_HOST_ADDR_SPACE_SIZE	BIT(9)
#define EXIT_LOAD_PERF_GLOBAL		BIT(12)
#define EXIT_ACK_INTR_ON_EXIT		BIT(15)
#define EXIT_SAVE_PAT			BIT(18)
#define EXIT_LOAD_PAT			BIT(19)
#define EXIT_SAVE_EFER			BIT(20)
#define EXIT_LOAD_EFER			BIT(21)
#define EXIT_SAVE_PREEMPTION_TIMER	BIT(22)

/* VM-entry controls (26.8.1, Table 26-15). */
#define ENTRY_LOAD_DEBUG_CTLS		BIT(2)
#define ENTRY_IA32E_MODE		BIT(9)
#define ENTRY_SMM			BIT(10)
#define ENTRY_DEACT_DUAL_MONITOR	BIT(11)
#define ENTRY_LOAD_PERF_GLOBAL		BIT(13)
#define ENTRY_LOAD_PAT			BIT(14)
#define ENTRY_LOAD_EFER			BIT(15)

/*
 * Event injection and exit interruption information (26.8.3, Table 26-16
 * and 26.9.2, Table 26-19): vector 7:0, type 10:8, error code 11, valid 31.
 */
#define INTR_INFO_VECTOR_MASK		0xffu
#define INTR_INFO_TYPE_SHIFT		8
#define INTR_INFO_TYPE_MASK		(7u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_EXT_INTR		(0u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_NMI			(2u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_HARD_EXC		(3u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_SOFT_INTR		(4u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_PRIV_SOFT_EXC		(5u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_SOFT_EXC		(6u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_OTHER			(7u << INTR_INFO_TYPE_SHIFT)
#define INTR_INFO_ERROR_CODE		BIT(11)
#define INTR_INFO_NMI_UNBLOCK		BIT(12)	/* exit info only */
#define INTR_INFO_VALID			BIT(31)

/* Guest interruptibility state (26.4.2, Table 26-3). */
#define INTR_BLOCK_STI			BIT(0)
#define INTR_BLOCK_MOV_SS		BIT(1)
#define INTR_BLOCK_SMI			BIT(2)
#define INTR_BLOCK_NMI			BIT(3)

/* Guest activity states (26.4.2). */
#define ACTIVITY_ACTIVE			0
#define ACTIVITY_HLT			1
#define ACTIVITY_SHUTDOWN		2
#define ACTIVITY_WAIT_SIPI		3

/* Segment access rights in the VMCS (26.4.1, Table 26-2). */
#define VMCS_AR_TYPE_MASK			0xfu
#define VMCS_AR_S				BIT(4)
#define VMCS_AR_DPL_SHIFT			5
#define VMCS_AR_P				BIT(7)
#define VMCS_AR_AVL				BIT(12)
#define VMCS_AR_L				BIT(13)
#define VMCS_AR_DB				BIT(14)
#define VMCS_AR_G				BIT(15)
#define VMCS_AR_UNUSABLE			BIT(16)
#define VMCS_AR_RESERVED			(GENMASK(11, 8) | GENMASK(31, 17))

/* EPT pointer (26.6.11, Table 26-9) and EPT entries (30.3.2). */
#define EPTP_MT_UC			0ULL
#define EPTP_MT_WB			6ULL
#define EPTP_WALK_4			(3ULL << 3)
#define EPTP_AD				BIT_ULL(6)
#define EPT_R				BIT_ULL(0)
#define EPT_W				BIT_ULL(1)
#define EPT_X				BIT_ULL(2)
#define EPT_MT_WB			(6ULL << 3)

/* IA32_VMX_BASIC (Appendix A.1). */
#define VMXCAP_BASIC_REVISION(b)		((u32)(b) & 0x7fffffff)
#define VMXCAP_BASIC_SIZE(b)		(((b) >> 32) & 0x1fff)
#define VMXCAP_BASIC_32BIT_ADDR		BIT_ULL(48)
#define VMXCAP_BASIC_MEMTYPE(b)		(((b) >> 50) & 0xf)
#define VMXCAP_BASIC_INOUT_INFO		BIT_ULL(54)
#define VMXCAP_BASIC_TRUE_CTLS		BIT_ULL(55)

/* IA32_VMX_MISC (Appendix A.6). */
#define VMXCAP_MISC_CR3_TARGETS(m)		(((m) >> 16) & 0x1ff)
#define VMXCAP_MISC_MAX_MSRS(m)		(512 * ((((m) >> 25) & 7) + 1))
#define VMXCAP_MISC_ACTIVITY_HLT		BIT_ULL(6)

/* IA32_VMX_EPT_VPID_CAP (Appendix A.10). */
#define EPT_CAP_WALK_4			BIT_ULL(6)
#define EPT_CAP_UC			BIT_ULL(8)
#define EPT_CAP_WB			BIT_ULL(14)
#define EPT_CAP_INVEPT			BIT_ULL(20)
#define EPT_CAP_AD			BIT_ULL(21)
#define EPT_CAP_INVEPT_SINGLE		BIT_ULL(25)
#define EPT_CAP_INVEPT_ALL		BIT_ULL(26)
#define VPID_CAP_INVVPID		BIT_ULL(32)
#define VPID_CAP_INVVPID_SINGLE		BIT_ULL(41)
#define VPID_CAP_INVVPID_ALL		BIT_ULL(42)

/* INVEPT and INVVPID types (Vol. 3C, 32.3 "INVEPT", "INVVPID"). */
#define INVEPT_SINGLE			1
#define INVEPT_ALL			2
#define INVVPID_SINGLE			1
#define INVVPID_ALL			2

/* Basic exit reasons (Appendix C), bits 15:0 of the exit reason. */
#define EXIT_REASON_FAILED_ENTRY	BIT(31)
#define EXIT_EXCEPTION_NMI		0
#define EXIT_EXT_INTR			1
#define EXIT_TRIPLE_FAULT		2
#define EXIT_INIT			3
#define EXIT_SIPI			4
#define EXIT_IO_SMI			5
#define EXIT_OTHER_SMI			6
#define EXIT_INTR_WINDOW		7
#define EXIT_NMI_WINDOW			8
#define EXIT_TASK_SWITCH		9
#define EXIT_CPUID			10
#define EXIT_GETSEC			11
#define EXIT_HLT			12
#define EXIT_INVD			13
#define EXIT_INVLPG			14
#define EXIT_RDPMC			15
#define EXIT_RDTSC			16
#define EXIT_RSM			17
#define EXIT_VMCALL			18
#define EXIT_VMCLEAR			19
#define EXIT_VMLAUNCH			20
#define EXIT_VMPTRLD			21
#define EXIT_VMPTRST			22
#define EXIT_VMREAD			23
#define EXIT_VMRESUME			24
#define EXIT_VMWRITE			25
#define EXIT_VMXOFF			26
#define EXIT_VMXON			27
#define EXIT_CR_ACCESS			28
#define EXIT_DR_ACCESS			29
#define EXIT_IO				30
#define EXIT_RDMSR			31
#define EXIT_WRMSR			32
#define EXIT_INVALID_GUEST_STATE	33
#define EXIT_MSR_LOADING		34
#define EXIT_MWAIT			36
#define EXIT_MTF			37
#define EXIT_MONITOR			39
#define EXIT_PAUSE			40
#define EXIT_MACHINE_CHECK		41
#define EXIT_TPR_BELOW_THRESHOLD	43
#define EXIT_APIC_ACCESS		44
#define EXIT_GDTR_IDTR			46
#define EXIT_LDTR_TR			47
#define EXIT_EPT_VIOLATION		48
#define EXIT_EPT_MISCONFIG		49
#define EXIT_INVEPT			50
#define EXIT_RDTSCP			51
#define EXIT_PREEMPTION_TIMER		52
#define EXIT_INVVPID			53
#define EXIT_WBINVD			54
#define EXIT_XSETBV			55
#define EXIT_RDRAND			57
#define EXIT_INVPCID			58
#define EXIT_VMFUNC			59
#define EXIT_RDSEED			61
#define EXIT_XSAVES			63
#define EXIT_XRSTORS			64
#define EXIT_REASON_MAX			70

/* Exit qualifications (29.2.1, Tables 29-1 to 29-7). */
#define QUAL_DB_BITS			(GENMASK(3, 0) | BIT(13) | BIT(14))
#define QUAL_CR_NUM(q)			((q) & 0xf)
#define QUAL_CR_TYPE(q)			(((q) >> 4) & 3)
#define QUAL_CR_GPR(q)			(((q) >> 8) & 0xf)
#define QUAL_CR_LMSW_DATA(q)		(((q) >> 16) & 0xffff)
#define QUAL_DR_NUM(q)			((q) & 7)
#define QUAL_DR_READ			BIT(4)
#define QUAL_DR_GPR(q)			(((q) >> 8) & 0xf)
#define QUAL_IO_SIZE(q)			(((q) & 7) + 1)
#define QUAL_IO_IN			BIT(3)
#define QUAL_IO_STRING			BIT(4)
#define QUAL_IO_REP			BIT(5)
#define QUAL_IO_PORT(q)			(((q) >> 16) & 0xffff)
#define QUAL_EPT_READ			BIT(0)
#define QUAL_EPT_WRITE			BIT(1)
#define QUAL_EPT_FETCH			BIT(2)
#define QUAL_EPT_PERMS			GENMASK(5, 3)
#define QUAL_EPT_NMI_UNBLOCK		BIT(12)

/* VM-exit instruction information for INS/OUTS (29.2.5, Table 29-8). */
#define INSN_INFO_ADDR_SIZE(i)		(((i) >> 7) & 7)
#define INSN_INFO_SEG(i)		(((i) >> 15) & 7)

#endif /* KHV_VMX_VMCS_H */
