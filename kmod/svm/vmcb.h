/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv/svm: the Virtual Machine Control Block, as laid out in
 * APM Vol. 2, Appendix B "Layout of VMCB" (Tables B-1 and B-2).
 * Offsets are checked at build time in svm.c.
 */
#ifndef KHV_SVM_VMCB_H
#define KHV_SVM_VMCB_H

#include <linux/types.h>
#include <linux/bits.h>

/* Control area, offset 000h - 3FFh (Table B-1). */
struct vmcb_control {
	u32 intercept_cr;		/* 000h: reads 15:0, writes 31:16 */
	u32 intercept_dr;		/* 004h: reads 15:0, writes 31:16 */
	u32 intercept_exceptions;	/* 008h: one bit per vector */
	u32 intercept_misc1;		/* 00Ch: INTR ... SHUTDOWN */
	u32 intercept_misc2;		/* 010h: VMRUN ... XSETBV */
	u32 intercept_misc3;		/* 014h */
	u8 reserved1[0x03c - 0x018];
	u16 pause_filter_threshold;	/* 03Ch */
	u16 pause_filter_count;		/* 03Eh */
	u64 iopm_base_pa;		/* 040h */
	u64 msrpm_base_pa;		/* 048h */
	u64 tsc_offset;			/* 050h */
	u32 asid;			/* 058h */
	u8 tlb_control;			/* 05Ch */
	u8 reserved2[3];
	u64 int_ctl;			/* 060h: V_TPR, V_IRQ, ... */
	u64 int_state;			/* 068h: interrupt shadow */
	u64 exit_code;			/* 070h */
	u64 exit_info1;			/* 078h */
	u64 exit_info2;			/* 080h */
	u64 exit_int_info;		/* 088h */
	u64 nested_ctl;			/* 090h: NP_ENABLE */
	u64 avic_vapic_bar;		/* 098h */
	u64 ghcb_gpa;			/* 0A0h */
	u64 event_inj;			/* 0A8h */
	u64 n_cr3;			/* 0B0h */
	u64 virt_ext;			/* 0B8h */
	u32 clean;			/* 0C0h: VMCB clean bits */
	u32 reserved3;
	u64 next_rip;			/* 0C8h: with NRIP save */
	u8 insn_len;			/* 0D0h: with decode assists */
	u8 insn_bytes[15];
	u8 reserved4[0x400 - 0x0e0];
} __packed;

struct vmcb_seg {
	u16 selector;
	u16 attrib;	/* descriptor bits 47:40 in 7:0, 55:52 in 11:8 */
	u32 limit;
	u64 base;
} __packed;

/* State save area, offset 400h (Table B-2, offsets relative to 400h). */
struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;	/* 000h */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 060h */
	u8 reserved1[0x0cb - 0x0a0];
	u8 cpl;					/* 0CBh */
	u32 reserved2;
	u64 efer;				/* 0D0h */
	u8 reserved3[0x148 - 0x0d8];
	u64 cr4;				/* 148h */
	u64 cr3;
	u64 cr0;
	u64 dr7;
	u64 dr6;
	u64 rflags;
	u64 rip;				/* 178h */
	u8 reserved4[0x1d8 - 0x180];
	u64 rsp;				/* 1D8h */
	u8 reserved5[0x1f8 - 0x1e0];
	u64 rax;				/* 1F8h */
	u64 star;				/* 200h */
	u64 lstar;
	u64 cstar;
	u64 sfmask;
	u64 kernel_gs_base;
	u64 sysenter_cs;
	u64 sysenter_esp;
	u64 sysenter_eip;
	u64 cr2;				/* 240h */
	u8 reserved6[0x268 - 0x248];
	u64 g_pat;				/* 268h */
	u64 dbgctl;
	u8 reserved7[0xc00 - 0x278];
} __packed;

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __packed;

/* intercept_cr, offset 000h: MOV to CR8 (writes are bits 31:16). */
#define VMCB_INTERCEPT_CR8_WRITE	BIT(16 + 8)

/* Intercept vector 3, offset 00Ch (Table B-1). */
#define VMCB_INTERCEPT_INTR		BIT(0)
#define VMCB_INTERCEPT_NMI		BIT(1)
#define VMCB_INTERCEPT_SMI		BIT(2)
#define VMCB_INTERCEPT_INIT		BIT(3)
#define VMCB_INTERCEPT_VINTR		BIT(4)
#define VMCB_INTERCEPT_RDPMC		BIT(15)
#define VMCB_INTERCEPT_CPUID		BIT(18)
#define VMCB_INTERCEPT_INVD		BIT(22)
#define VMCB_INTERCEPT_HLT		BIT(24)
#define VMCB_INTERCEPT_INVLPGA		BIT(26)
#define VMCB_INTERCEPT_IOIO		BIT(27)
#define VMCB_INTERCEPT_MSR		BIT(28)
#define VMCB_INTERCEPT_TASK_SWITCH	BIT(29)
#define VMCB_INTERCEPT_SHUTDOWN		BIT(31)
/* Intercept vector 4, offset 010h. */
#define VMCB_INTERCEPT_VMRUN		BIT(0)
#define VMCB_INTERCEPT_VMMCALL		BIT(1)
#define VMCB_INTERCEPT_VMLOAD		BIT(2)
#define VMCB_INTERCEPT_VMSAVE		BIT(3)
#define VMCB_INTERCEPT_STGI		BIT(4)
#define VMCB_INTERCEPT_CLGI		BIT(5)
#define VMCB_INTERCEPT_SKINIT		BIT(6)
#define VMCB_INTERCEPT_MONITOR		BIT(10)
#define VMCB_INTERCEPT_MWAIT		BIT(11)
#define VMCB_INTERCEPT_MWAIT_COND	BIT(12)
#define VMCB_INTERCEPT_XSETBV		BIT(13)

/* int_ctl, offset 060h. */
#define VMCB_V_TPR_MASK			0xffULL
#define VMCB_V_IRQ			BIT_ULL(8)
#define VMCB_V_INTR_PRIO_SHIFT		16
#define VMCB_V_INTR_PRIO_MASK		(0xfULL << VMCB_V_INTR_PRIO_SHIFT)
#define VMCB_V_IGN_TPR			BIT_ULL(20)
#define VMCB_V_INTR_MASKING		BIT_ULL(24)
/* V_INTR_VECTOR, offset 064h: bits 39:32 of the quadword at 060h. */
#define VMCB_V_INTR_VECTOR_SHIFT	32
#define VMCB_V_INTR_VECTOR_MASK		(0xffULL << VMCB_V_INTR_VECTOR_SHIFT)
/* Everything of int_ctl that asks for a virtual interrupt. */
#define VMCB_V_IRQ_REQUEST		(VMCB_V_IRQ | VMCB_V_IGN_TPR | \
					 VMCB_V_INTR_PRIO_MASK | \
					 VMCB_V_INTR_VECTOR_MASK)

#define VMCB_INT_SHADOW			BIT_ULL(0)

#define VMCB_NP_ENABLE			BIT_ULL(0)

/*
 * VMCB clean bits, offset 0C0h (APM Vol. 2, 15.15.3, Table 15-9): a set
 * bit lets VMRUN reuse its cached copy of that group of fields, so it
 * must be clear whenever software changed one of them since the last
 * VMRUN of this VMCB on this CPU.  khv claims only groups 0-9.
 */
#define VMCB_CLEAN_I			BIT(0)	/* intercepts, TSC offset */
#define VMCB_CLEAN_IOPM			BIT(1)	/* IOPM/MSRPM bases */
#define VMCB_CLEAN_ASID			BIT(2)
#define VMCB_CLEAN_TPR			BIT(3)	/* int_ctl: V_TPR, V_IRQ... */
#define VMCB_CLEAN_NP			BIT(4)	/* nested paging, G_PAT */
#define VMCB_CLEAN_CRX			BIT(5)	/* CR0, CR3, CR4, EFER */
#define VMCB_CLEAN_DRX			BIT(6)	/* DR6, DR7 */
#define VMCB_CLEAN_DT			BIT(7)	/* GDTR, IDTR */
#define VMCB_CLEAN_SEG			BIT(8)	/* CS, DS, SS, ES, CPL */
#define VMCB_CLEAN_CR2			BIT(9)
#define VMCB_CLEAN_KHV			0x3ffU	/* the groups above */

/* tlb_control, offset 05Ch (APM Vol. 2, 15.16.1). */
#define VMCB_TLB_NOTHING		0
#define VMCB_TLB_FLUSH_ALL		1
#define VMCB_TLB_FLUSH_ASID		3

/*
 * EVENTINJ and EXITINTINFO share one format (APM Vol. 2, 15.20):
 * vector 7:0, type 10:8, error code valid 11, valid 31, error code 63:32.
 */
#define VMCB_EVT_VECTOR_MASK		0xffULL
#define VMCB_EVT_TYPE_SHIFT		8
#define VMCB_EVT_TYPE_INTR		(0ULL << VMCB_EVT_TYPE_SHIFT)
#define VMCB_EVT_TYPE_NMI		(2ULL << VMCB_EVT_TYPE_SHIFT)
#define VMCB_EVT_TYPE_EXC		(3ULL << VMCB_EVT_TYPE_SHIFT)
#define VMCB_EVT_TYPE_SOFT		(4ULL << VMCB_EVT_TYPE_SHIFT)
#define VMCB_EVT_TYPE_MASK		(7ULL << VMCB_EVT_TYPE_SHIFT)
#define VMCB_EVT_ERR_VALID		BIT_ULL(11)
#define VMCB_EVT_VALID			BIT_ULL(31)

/* Exit codes (APM Vol. 2, Appendix C). */
#define SVM_EXIT_WRITE_CR8		0x018
#define SVM_EXIT_READ_DR0		0x020
#define SVM_EXIT_WRITE_DR0		0x030
#define SVM_EXIT_EXCP_BASE		0x040
#define SVM_EXIT_INTR			0x060
#define SVM_EXIT_NMI			0x061
#define SVM_EXIT_SMI			0x062
#define SVM_EXIT_INIT			0x063
#define SVM_EXIT_VINTR			0x064
#define SVM_EXIT_RDPMC			0x06f
#define SVM_EXIT_CPUID			0x072
#define SVM_EXIT_INVD			0x076
#define SVM_EXIT_HLT			0x078
#define SVM_EXIT_INVLPGA		0x07a
#define SVM_EXIT_IOIO			0x07b
#define SVM_EXIT_MSR			0x07c
#define SVM_EXIT_TASK_SWITCH		0x07d
#define SVM_EXIT_SHUTDOWN		0x07f
#define SVM_EXIT_VMRUN			0x080
#define SVM_EXIT_VMMCALL		0x081
#define SVM_EXIT_VMLOAD			0x082
#define SVM_EXIT_VMSAVE			0x083
#define SVM_EXIT_STGI			0x084
#define SVM_EXIT_CLGI			0x085
#define SVM_EXIT_SKINIT			0x086
#define SVM_EXIT_MONITOR		0x08a
#define SVM_EXIT_MWAIT			0x08b
#define SVM_EXIT_MWAIT_COND		0x08c
#define SVM_EXIT_XSETBV			0x08d
#define SVM_EXIT_NPF			0x400
#define SVM_EXIT_MAX			0x401
/*
 * VMEXIT_INVALID is -1 (APM Vol. 2, Appendix C); QEMU's emulated SVM
 * stores only 0xffffffff, so compare the low 32 bits.
 */
#define SVM_EXIT_INVALID_LO		0xffffffffULL

/* IOIO EXITINFO1 (APM Vol. 2, 15.10.2, Figure 15-2). */
#define SVM_IOIO_TYPE_IN		BIT_ULL(0)
#define SVM_IOIO_STR			BIT_ULL(2)
#define SVM_IOIO_REP			BIT_ULL(3)
#define SVM_IOIO_SZ_SHIFT		4	/* SZ8, SZ16, SZ32: bits 4-6 */
#define SVM_IOIO_ASZ_SHIFT		7	/* A16, A32, A64: bits 7-9 */
#define SVM_IOIO_SEG_SHIFT		10	/* bits 12:10, with decode assists */
#define SVM_IOIO_PORT_SHIFT		16

/* VM_CR MSR C001_0114h: SVMDIS, set by firmware to lock SVM off (15.30.1). */
#define SVM_VM_CR_SVMDIS		BIT_ULL(4)

/* Attribute bits in vmcb_seg.attrib. */
#define VMCB_SEG_TYPE_MASK		0x0f
#define VMCB_SEG_S			BIT(4)
#define VMCB_SEG_DPL_SHIFT		5
#define VMCB_SEG_P			BIT(7)
#define VMCB_SEG_AVL			BIT(8)
#define VMCB_SEG_L			BIT(9)
#define VMCB_SEG_DB			BIT(10)
#define VMCB_SEG_G			BIT(11)

#endif /* KHV_SVM_VMCB_H */
