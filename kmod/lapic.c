// SPDX-License-Identifier: GPL-2.0
/*
 * khv: the local APIC's registers, priorities and EOI, reached through
 * the xAPIC MMIO page or the x2APIC MSRs (SDM Vol. 3A, chapter 11).
 */
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <asm/msr-index.h>

#include "khv.h"
#include "lapic.h"

/* Version 14h (integrated APIC), max LVT entry 5 (SDM Vol. 3A, 11.4.8). */
#define KHV_APIC_VERSION	0x00050014
#define KHV_ICR_BUSY		BIT(12)
#define X2APIC_MSR_BASE		0x800
#define X2APIC_MSR_LAST		0x8ff

/* The end of the registers regs[] holds (Table 11-1 ends at 3F0h). */
#define APIC_REGS_END		(ARRAY_SIZE(((struct khv_lapic *)0)->regs) << 4)

static bool x2apic_mode(struct khv_lapic *apic)
{
	return apic->vcpu->apic_base & KHV_APIC_BASE_EXTD;
}

static bool hw_enabled(struct khv_lapic *apic)
{
	return apic->vcpu->apic_base & KHV_APIC_BASE_ENABLE;
}

static bool sw_enabled(struct khv_lapic *apic)
{
	return LAPIC_REG(apic, APIC_REG_SVR) & KHV_SVR_ENABLE;
}

/* The state after RESET or INIT (SDM Vol. 3A, 11.4.7.1). */
static void lapic_reset(struct khv_lapic *apic)
{
	int off;

	memset(apic->regs, 0, sizeof(apic->regs));
	bitmap_zero(apic->irr, 256);
	bitmap_zero(apic->isr, 256);
	bitmap_zero(apic->tmr, 256);
	LAPIC_REG(apic, APIC_REG_ID) = apic->vcpu->id << 24;
	LAPIC_REG(apic, APIC_REG_VERSION) = KHV_APIC_VERSION;
	LAPIC_REG(apic, APIC_REG_DFR) = 0xffffffff;
	LAPIC_REG(apic, APIC_REG_SVR) = 0xff;
	for (off = APIC_REG_LVT_TIMER; off <= APIC_REG_LVT_ERROR; off += 0x10)
		LAPIC_REG(apic, off) = KHV_LVT_MASKED;
	LAPIC_REG(apic, APIC_REG_LVT_CMCI) = KHV_LVT_MASKED;
	apic->eoi_exit_vector = -1;
	apic->tsc_deadline = 0;
}

int khv_lapic_create(struct khv_vcpu *vcpu)
{
	struct khv_lapic *apic;

	apic = kzalloc(sizeof(*apic), GFP_KERNEL_ACCOUNT);
	if (!apic)
		return -ENOMEM;
	apic->vcpu = vcpu;
	khv_lapic_timer_init(apic);
	lapic_reset(apic);
	vcpu->lapic = apic;
	return 0;
}

void khv_lapic_free(struct khv_vcpu *vcpu)
{
	if (!vcpu->lapic)
		return;
	khv_lapic_timer_cancel(vcpu->lapic);
	kfree(vcpu->lapic);
	vcpu->lapic = NULL;
}

static int highest(const unsigned long *map)
{
	int bit = find_last_bit(map, 256);

	return bit < 256 ? bit : -1;
}

/* PPR: the higher of TPR and the class of the highest in-service vector
 * (SDM Vol. 3A, 11.8.3.1).
 */
static u32 lapic_ppr(struct khv_lapic *apic)
{
	u32 tpr = LAPIC_REG(apic, APIC_REG_TPR) & 0xff;
	int isrv = highest(apic->isr);
	u32 isr_class = isrv < 0 ? 0 : isrv & 0xf0;

	return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

/*
 * The vector to deliver next, or -1: the highest requested one whose
 * priority class is above the processor priority (SDM Vol. 3A, 11.8.3).
 */
int khv_lapic_next_vector(struct khv_vcpu *vcpu)
{
	struct khv_lapic *apic = vcpu->lapic;
	int v;

	if (!apic || !hw_enabled(apic))
		return -1;
	v = highest(apic->irr);
	if (v < 0 || (v & 0xf0) <= (lapic_ppr(apic) & 0xf0))
		return -1;
	return v;
}

/*
 * Whether the highest requested vector waits only for TPR: a guest that
 * lowers TPR[7:4] to below its class lets it in at once (11.8.3.1), and
 * a vendor whose CR8 writes do not exit must intercept them until then.
 */
bool khv_lapic_tpr_blocks(struct khv_vcpu *vcpu)
{
	struct khv_lapic *apic = vcpu->lapic;
	int v, isrv;

	if (!apic || !hw_enabled(apic))
		return false;
	v = highest(apic->irr);
	isrv = highest(apic->isr);
	return v >= 0 && (isrv < 0 || (v & 0xf0) > (isrv & 0xf0)) &&
	       (v & 0xf0) <= (LAPIC_REG(apic, APIC_REG_TPR) & 0xf0);
}

/* The vector was injected: it moves from IRR to ISR (11.8.4). */
void khv_lapic_accept(struct khv_vcpu *vcpu, int vector)
{
	struct khv_lapic *apic = vcpu->lapic;

	clear_bit(vector, apic->irr);
	__set_bit(vector, apic->isr);
}

/* EOI retires the highest in-service vector (11.8.5). */
static void lapic_eoi(struct khv_lapic *apic)
{
	int v = highest(apic->isr);

	if (v < 0)
		return;
	__clear_bit(v, apic->isr);
	/* A level-triggered source must hear of it: the IOAPIC is in
	 * userspace, so the next exit tells the launcher.
	 */
	if (test_bit(v, apic->tmr))
		apic->eoi_exit_vector = v;
}

u8 khv_lapic_get_tpr(struct khv_vcpu *vcpu)
{
	return LAPIC_REG(vcpu->lapic, APIC_REG_TPR);
}

void khv_lapic_set_tpr(struct khv_vcpu *vcpu, u8 tpr)
{
	LAPIC_REG(vcpu->lapic, APIC_REG_TPR) = tpr;
}

/* For debugfs.c: the APIC's state as text, read without stopping it. */
void khv_lapic_show(struct seq_file *m, struct khv_vcpu *vcpu)
{
	struct khv_lapic *apic = vcpu->lapic;
	u32 lvtt = READ_ONCE(LAPIC_REG(apic, APIC_REG_LVT_TIMER));

	seq_printf(m, "  apic: base %#llx svr %#x tpr %#x ppr %#x next %d eoi-exit %d\n",
		   vcpu->apic_base, LAPIC_REG(apic, APIC_REG_SVR),
		   LAPIC_REG(apic, APIC_REG_TPR), lapic_ppr(apic),
		   khv_lapic_next_vector(vcpu), READ_ONCE(apic->eoi_exit_vector));
	seq_printf(m, "  apic irr: %*pbl\n", 256, apic->irr);
	seq_printf(m, "  apic isr: %*pbl\n", 256, apic->isr);
	seq_printf(m, "  apic tmr: %*pbl\n", 256, apic->tmr);
	seq_printf(m, "  apic timer: lvt %#x (mode %u%s) icr %u dcr %#x ccr %u period %lluns deadline %llu, hrtimer %s, fires in %lldns\n",
		   lvtt, (lvtt >> 17) & 3, lvtt & KHV_LVT_MASKED ? ", masked" : "",
		   LAPIC_REG(apic, APIC_REG_TIMER_ICR), LAPIC_REG(apic, APIC_REG_TIMER_DCR),
		   khv_lapic_timer_ccr(apic), READ_ONCE(apic->timer_period_ns),
		   READ_ONCE(apic->tsc_deadline),
		   hrtimer_active(&apic->timer) ? "armed" : "idle",
		   ktime_to_ns(hrtimer_get_remaining(&apic->timer)));
}

/* ISR, TMR and IRR: eight registers of 32 vectors each, 16 bytes apart. */
static u32 map_reg(const unsigned long *map, u32 rel)
{
	u32 word = rel >> 4;

	BUILD_BUG_ON(BITS_PER_LONG != 64);
	return map[word / 2] >> (32 * (word % 2));
}

static u32 lapic_read(struct khv_lapic *apic, u32 off)
{
	/* Reserved offsets of the page read as 0, not past regs[]. */
	if (off >= APIC_REGS_END)
		return 0;
	switch (off) {
	case APIC_REG_PPR:
		return lapic_ppr(apic);
	case APIC_REG_TIMER_CCR:
		return khv_lapic_timer_ccr(apic);
	case APIC_REG_ICR_LO:
		return LAPIC_REG(apic, off) & ~KHV_ICR_BUSY;	/* sent at once */
	case APIC_REG_ISR ... APIC_REG_ISR + 0x70:
		return map_reg(apic->isr, off - APIC_REG_ISR);
	case APIC_REG_TMR ... APIC_REG_TMR + 0x70:
		return map_reg(apic->tmr, off - APIC_REG_TMR);
	case APIC_REG_IRR ... APIC_REG_IRR + 0x70:
		return map_reg(apic->irr, off - APIC_REG_IRR);
	}
	return LAPIC_REG(apic, off);
}

/* Send the IPI the ICR describes (SDM Vol. 3A, 11.6.1). */
static void lapic_send_ipi(struct khv_lapic *apic, u32 lo, u32 hi)
{
	u32 dest = x2apic_mode(apic) ? hi : hi >> 24;

	khv_apic_send(apic->vcpu->vm, apic->vcpu, dest, lo & BIT(11),
		      (lo >> 18) & 3, (lo >> 8) & 7, lo & 0xff, lo & BIT(15));
}

static void lapic_set_svr(struct khv_lapic *apic, u32 val)
{
	int off;

	LAPIC_REG(apic, APIC_REG_SVR) = val & 0x3ff;
	if (val & KHV_SVR_ENABLE)
		return;
	/* Software disable masks every LVT entry (11.4.7.2). */
	for (off = APIC_REG_LVT_TIMER; off <= APIC_REG_LVT_ERROR; off += 0x10)
		LAPIC_REG(apic, off) |= KHV_LVT_MASKED;
	LAPIC_REG(apic, APIC_REG_LVT_CMCI) |= KHV_LVT_MASKED;
	khv_lapic_timer_cancel(apic);
}

/* Writable bits of each LVT entry (11.5.1, Figure 11-8). */
static u32 lvt_mask(u32 off)
{
	switch (off) {
	case APIC_REG_LVT_TIMER:
		return 0x700ff | KHV_LVT_MASKED;
	case APIC_REG_LVT_LINT0:
	case APIC_REG_LVT_LINT1:
		return 0x0a7ff | KHV_LVT_MASKED;
	case APIC_REG_LVT_ERROR:
		return 0x000ff | KHV_LVT_MASKED;
	default:
		return 0x007ff | KHV_LVT_MASKED;
	}
}

/* Returns 0, or -EINVAL for a write the x2APIC answers with #GP. */
static int lapic_write(struct khv_lapic *apic, u32 off, u32 val)
{
	switch (off) {
	case APIC_REG_ID:
		if (x2apic_mode(apic))
			return -EINVAL;
		LAPIC_REG(apic, off) = val & 0xff000000;
		break;
	case APIC_REG_TPR:
		LAPIC_REG(apic, off) = val & 0xff;
		break;
	case APIC_REG_EOI:
		lapic_eoi(apic);
		break;
	case APIC_REG_LDR:
		if (x2apic_mode(apic))
			return -EINVAL;
		LAPIC_REG(apic, off) = val & 0xff000000;
		break;
	case APIC_REG_DFR:
		if (x2apic_mode(apic))
			return -EINVAL;
		LAPIC_REG(apic, off) = val | 0x0fffffff;
		break;
	case APIC_REG_SVR:
		lapic_set_svr(apic, val);
		break;
	case APIC_REG_ESR:
		LAPIC_REG(apic, off) = 0;	/* a write clears it (11.5.3) */
		break;
	case APIC_REG_ICR_LO:
		LAPIC_REG(apic, off) = val & ~KHV_ICR_BUSY;
		lapic_send_ipi(apic, val, LAPIC_REG(apic, APIC_REG_ICR_HI));
		break;
	case APIC_REG_ICR_HI:
		LAPIC_REG(apic, off) = val;
		break;
	case APIC_REG_LVT_TIMER:
		if (((LAPIC_REG(apic, off) ^ val) >> 17) & 3)
			khv_lapic_timer_cancel(apic);	/* mode change */
		fallthrough;
	case APIC_REG_LVT_CMCI:
	case APIC_REG_LVT_THERMAL ... APIC_REG_LVT_ERROR:
		if (!sw_enabled(apic))
			val |= KHV_LVT_MASKED;
		LAPIC_REG(apic, off) = val & lvt_mask(off);
		break;
	case APIC_REG_TIMER_ICR:
		khv_lapic_timer_set_icr(apic, val);
		break;
	case APIC_REG_TIMER_DCR:
		LAPIC_REG(apic, off) = val & 0xb;
		break;
	case APIC_REG_SELF_IPI:
		if (!x2apic_mode(apic))
			return 0;
		khv_deliver_irq(apic->vcpu, val & 0xff, false);
		break;
	default:
		/* Read-only and reserved registers ignore writes in xAPIC
		 * mode; the x2APIC raises #GP (11.12.1.2).
		 */
		return x2apic_mode(apic) ? -EINVAL : 0;
	}
	return 0;
}

/*
 * An access to the xAPIC page, from the MMIO emulator.  Returns false
 * when the address is not this vCPU's APIC page (the access is then an
 * ordinary MMIO exit).  Registers are 32 bits at 16-byte boundaries;
 * other accesses read as zero and are dropped (11.4.1).
 */
bool khv_lapic_mmio(struct khv_vcpu *vcpu, u64 gpa, void *buf,
		    unsigned int len, bool write)
{
	struct khv_lapic *apic = vcpu->lapic;
	u32 off = gpa & 0xfff, val = 0;

	if (!apic || !hw_enabled(apic) || x2apic_mode(apic) ||
	    (gpa & PAGE_MASK) != (vcpu->apic_base & PAGE_MASK))
		return false;
	if (write) {
		memcpy(&val, buf, min(len, 4u));
		if (!(off & 0xf) && len == 4)
			lapic_write(apic, off, val);
		return true;
	}
	if (!(off & 0xf) && len == 4)
		val = lapic_read(apic, off);
	memset(buf, 0, len);
	memcpy(buf, &val, min(len, 4u));
	return true;
}

static u32 x2apic_ldr(struct khv_vcpu *vcpu)
{
	/* Derived from the ID in x2APIC mode (11.12.10.2). */
	return ((vcpu->id >> 4) << 16) | BIT(vcpu->id & 0xf);
}

/*
 * Does a destination name this APIC?  Physical: the APIC ID, or the
 * broadcast ID.  Logical: the LDR against the flat or cluster model of
 * the DFR (11.6.2.2), or the x2APIC cluster scheme (11.12.10).
 */
bool khv_lapic_match(struct khv_vcpu *vcpu, u32 dest, bool logical)
{
	struct khv_lapic *apic = vcpu->lapic;
	u32 ldr;

	if (x2apic_mode(apic)) {
		if (dest == 0xffffffff)
			return true;
		if (!logical)
			return dest == vcpu->id;
		ldr = x2apic_ldr(vcpu);
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (!logical)
		return dest == LAPIC_REG(apic, APIC_REG_ID) >> 24;
	ldr = LAPIC_REG(apic, APIC_REG_LDR) >> 24;
	if ((LAPIC_REG(apic, APIC_REG_DFR) >> 28) == 0xf)
		return ldr & dest;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

/* x2APIC registers as MSRs 800h + offset/16 (11.12.1). */
int khv_lapic_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data)
{
	struct khv_lapic *apic = vcpu->lapic;
	u32 off = (index - X2APIC_MSR_BASE) << 4;

	if (!apic)
		return -ENOENT;
	if (index == MSR_IA32_TSC_DEADLINE) {
		*data = apic->tsc_deadline;
		return 0;
	}
	if (index < X2APIC_MSR_BASE || index > X2APIC_MSR_LAST)
		return -ENOENT;
	/* 840h-8FFh name no register: #GP, as reserved ones (11.12.1.2). */
	if (!x2apic_mode(apic) || off >= APIC_REGS_END || off == APIC_REG_EOI ||
	    off == APIC_REG_SELF_IPI || off == APIC_REG_DFR)
		return -EINVAL;
	switch (off) {
	case APIC_REG_ID:
		*data = vcpu->id;
		break;
	case APIC_REG_LDR:
		*data = x2apic_ldr(vcpu);
		break;
	case APIC_REG_ICR_LO:
		*data = lapic_read(apic, off) |
			(u64)LAPIC_REG(apic, APIC_REG_ICR_HI) << 32;
		break;
	default:
		*data = lapic_read(apic, off);
	}
	return 0;
}

int khv_lapic_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data)
{
	struct khv_lapic *apic = vcpu->lapic;
	u32 off = (index - X2APIC_MSR_BASE) << 4;

	if (!apic)
		return -ENOENT;
	if (index == MSR_IA32_TSC_DEADLINE) {
		khv_lapic_set_deadline(apic, data);
		return 0;
	}
	if (index < X2APIC_MSR_BASE || index > X2APIC_MSR_LAST)
		return -ENOENT;
	if (!x2apic_mode(apic) || off >= APIC_REGS_END)
		return -EINVAL;
	if (off == APIC_REG_ICR_LO) {
		LAPIC_REG(apic, APIC_REG_ICR_HI) = data >> 32;
		return lapic_write(apic, off, (u32)data);
	}
	/* Only ICR is 64 bits; the rest have reserved high halves. */
	if (data >> 32)
		return -EINVAL;
	return lapic_write(apic, off, data);
}

/*
 * IA32_APIC_BASE (SDM Vol. 3A, 11.4.4 and 11.12.5): x2APIC mode needs
 * the APIC enabled, and cannot go back to xAPIC mode directly.
 */
int khv_lapic_set_base(struct khv_vcpu *vcpu, u64 base)
{
	struct khv_lapic *apic = vcpu->lapic;
	u64 old = vcpu->apic_base;

	if ((base & KHV_APIC_BASE_EXTD) && !(base & KHV_APIC_BASE_ENABLE))
		return -EINVAL;
	if ((old & KHV_APIC_BASE_EXTD) && (base & KHV_APIC_BASE_ENABLE) &&
	    !(base & KHV_APIC_BASE_EXTD))
		return -EINVAL;
	vcpu->apic_base = base;
	if (apic && (old & KHV_APIC_BASE_ENABLE) && !(base & KHV_APIC_BASE_ENABLE)) {
		khv_lapic_timer_cancel(apic);
		lapic_reset(apic);
	}
	return 0;
}
