/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv: the local APIC emulated in the kernel, one per vCPU.
 *
 * Register offsets and behaviour follow SDM Vol. 3A, chapter 11
 * "Advanced Programmable Interrupt Controller (APIC)"; x2APIC MSRs follow
 * 11.12.  Interrupts are held in 256-bit IRR/ISR/TMR bitmaps: the IRR is
 * set atomically from any context (timers, other vCPUs, the launcher's
 * MSIs); ISR and TMR only change in the vCPU's own thread.
 */
#ifndef KHV_LAPIC_H
#define KHV_LAPIC_H

#include <linux/types.h>
#include <linux/bitmap.h>
#include <linux/hrtimer.h>

struct khv_vcpu;
struct seq_file;
struct khv_vm;

/* Register offsets in the APIC page (SDM Vol. 3A, Table 11-1). */
#define APIC_REG_ID		0x020
#define APIC_REG_VERSION	0x030
#define APIC_REG_TPR		0x080
#define APIC_REG_APR		0x090
#define APIC_REG_PPR		0x0a0
#define APIC_REG_EOI		0x0b0
#define APIC_REG_RRD		0x0c0
#define APIC_REG_LDR		0x0d0
#define APIC_REG_DFR		0x0e0
#define APIC_REG_SVR		0x0f0
#define APIC_REG_ISR		0x100
#define APIC_REG_TMR		0x180
#define APIC_REG_IRR		0x200
#define APIC_REG_ESR		0x280
#define APIC_REG_LVT_CMCI	0x2f0
#define APIC_REG_ICR_LO		0x300
#define APIC_REG_ICR_HI		0x310
#define APIC_REG_LVT_TIMER	0x320
#define APIC_REG_LVT_THERMAL	0x330
#define APIC_REG_LVT_PERF	0x340
#define APIC_REG_LVT_LINT0	0x350
#define APIC_REG_LVT_LINT1	0x360
#define APIC_REG_LVT_ERROR	0x370
#define APIC_REG_TIMER_ICR	0x380
#define APIC_REG_TIMER_CCR	0x390
#define APIC_REG_TIMER_DCR	0x3e0
#define APIC_REG_SELF_IPI	0x3f0	/* x2APIC only */

#define KHV_LVT_MASKED		BIT(16)
#define KHV_SVR_ENABLE		BIT(8)

#define KHV_APIC_BASE_BSP		BIT_ULL(8)
#define KHV_APIC_BASE_EXTD		BIT_ULL(10)	/* x2APIC mode */
#define KHV_APIC_BASE_ENABLE	BIT_ULL(11)

struct khv_lapic {
	struct khv_vcpu *vcpu;
	u32 regs[64];		/* one u32 per 16-byte register slot */
	DECLARE_BITMAP(irr, 256);
	DECLARE_BITMAP(isr, 256);
	DECLARE_BITMAP(tmr, 256);

	struct hrtimer timer;
	ktime_t timer_start;
	u64 timer_period_ns;	/* 0: not running (APIC-timer modes) */
	u64 tsc_deadline;	/* guest TSC; 0: not armed */

	int eoi_exit_vector;	/* level EOI for userspace, or -1 */
};

/* The register at offset OFF of the APIC page (an lvalue). */
#define LAPIC_REG(apic, off)	((apic)->regs[(off) >> 4])

/* lapic.c */
int khv_lapic_create(struct khv_vcpu *vcpu);
void khv_lapic_free(struct khv_vcpu *vcpu);
bool khv_lapic_mmio(struct khv_vcpu *vcpu, u64 gpa, void *buf,
		    unsigned int len, bool write);
int khv_lapic_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data);
int khv_lapic_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data);
int khv_lapic_set_base(struct khv_vcpu *vcpu, u64 base);
int khv_lapic_next_vector(struct khv_vcpu *vcpu);
bool khv_lapic_tpr_blocks(struct khv_vcpu *vcpu);
void khv_lapic_accept(struct khv_vcpu *vcpu, int vector);
bool khv_lapic_match(struct khv_vcpu *vcpu, u32 dest, bool logical);
u8 khv_lapic_get_tpr(struct khv_vcpu *vcpu);
void khv_lapic_set_tpr(struct khv_vcpu *vcpu, u8 tpr);
void khv_lapic_show(struct seq_file *m, struct khv_vcpu *vcpu);

/* lapic_timer.c */
void khv_lapic_timer_init(struct khv_lapic *apic);
void khv_lapic_timer_cancel(struct khv_lapic *apic);
void khv_lapic_timer_set_icr(struct khv_lapic *apic, u32 val);
u32 khv_lapic_timer_ccr(struct khv_lapic *apic);
void khv_lapic_set_deadline(struct khv_lapic *apic, u64 deadline);

/* irq.c: delivery to vCPUs */
void khv_deliver_irq(struct khv_vcpu *vcpu, int vector, bool level);
void khv_deliver_nmi(struct khv_vcpu *vcpu);
void khv_vcpu_kick(struct khv_vcpu *vcpu);
int khv_apic_send(struct khv_vm *vm, struct khv_vcpu *src, u32 dest,
		  bool logical, u32 shorthand, u32 mode, int vector,
		  bool level);
int khv_signal_msi(struct khv_vm *vm, u64 address, u32 data);

#endif /* KHV_LAPIC_H */
