// SPDX-License-Identifier: GPL-2.0
/*
 * khv: port I/O, which always goes to userspace.
 *
 * The vendor decodes the exit into a struct khv_pio_pending; this file
 * moves the data between the guest and the run page.  String forms (INS,
 * OUTS) move up to a run page's worth of elements per exit; with a REP
 * prefix, RIP stays on the instruction until RCX reaches zero, so the
 * guest takes interrupts between chunks as it would between iterations
 * (SDM Vol. 2, REP: "interruptible").
 */
#include <linux/mm.h>
#include <asm/processor-flags.h>

#include "khv.h"

#define PIO_DATA_MAX	(PAGE_SIZE - KHV_RUN_DATA_OFFSET)

static u8 *pio_data(struct khv_vcpu *vcpu)
{
	return (u8 *)vcpu->run + KHV_RUN_DATA_OFFSET;
}

static u64 addr_mask(int addr_size)
{
	return addr_size == 8 ? ~0ULL : BIT_ULL(addr_size * 8) - 1;
}

/* Add to a register as an address-size operand: the rest is kept, or
 * zeroed for 32-bit results (SDM Vol. 1, 3.4.1.1).
 */
static void reg_add(u64 *reg, s64 delta, int addr_size)
{
	u64 mask = addr_mask(addr_size);

	if (addr_size == 4)
		*reg = (u32)(*reg + delta);
	else
		*reg = (*reg & ~mask) | ((*reg + delta) & mask);
}

/* Segment base for a string operand: only FS and GS count in 64-bit mode. */
static u64 string_seg_base(struct khv_vcpu *vcpu, int seg)
{
	if (khv_vendor->code_size(vcpu) == 64 && seg != KHV_FS &&
	    seg != KHV_GS)
		return 0;
	return khv_vendor->get_seg_base(vcpu, seg);
}

static int pio_string_copy(struct khv_vcpu *vcpu, struct khv_pio_pending *p,
			   int seg, u64 reg, bool to_guest)
{
	s64 step = (vcpu->rflags & X86_EFLAGS_DF) ? -(s64)p->size : p->size;
	u64 base = string_seg_base(vcpu, seg), mask = addr_mask(p->addr_size);
	u8 *data = pio_data(vcpu);
	u32 i;
	int ret;

	for (i = 0; i < p->count; i++) {
		u64 la = base + ((reg + i * step) & mask);

		if (khv_vendor->code_size(vcpu) != 64)
			la = (u32)la;
		ret = to_guest ?
			khv_write_linear(vcpu, la, data + i * p->size, p->size) :
			khv_read_linear(vcpu, la, data + i * p->size, p->size);
		if (ret)
			return ret;
	}
	return 0;
}

/* After moving p->count elements: step the index register and RCX. */
static void pio_string_advance(struct khv_vcpu *vcpu,
			       struct khv_pio_pending *p, int reg)
{
	s64 step = (vcpu->rflags & X86_EFLAGS_DF) ? -(s64)p->size : p->size;

	reg_add(&vcpu->gpr[reg], step * p->count, p->addr_size);
	if (p->rep)
		reg_add(&vcpu->gpr[KHV_RCX], -(s64)p->count, p->addr_size);
	if (!p->rep || !(vcpu->gpr[KHV_RCX] & addr_mask(p->addr_size)))
		vcpu->rip = p->next_rip;
}

static int pio_emulation_failed(struct khv_vcpu *vcpu, int err)
{
	u64 data[2] = { vcpu->rip, (u64)(s64)err };

	return khv_internal_error(vcpu, KHV_INTERNAL_EMULATION, data, 2);
}

int khv_handle_pio(struct khv_vcpu *vcpu, struct khv_pio_pending *p)
{
	struct khv_run *run = vcpu->run;
	int ret;

	p->count = 1;
	if (p->string) {
		u64 n = p->rep ? vcpu->gpr[KHV_RCX] & addr_mask(p->addr_size)
			       : 1;

		if (!n) {
			vcpu->rip = p->next_rip;
			return 1;
		}
		p->count = min_t(u64, n, PIO_DATA_MAX / p->size);
		if (!p->in) {
			ret = pio_string_copy(vcpu, p, p->seg,
					      vcpu->gpr[KHV_RSI], false);
			if (ret)
				return pio_emulation_failed(vcpu, ret);
			pio_string_advance(vcpu, p, KHV_RSI);
		}
	} else if (!p->in) {
		memcpy(pio_data(vcpu), &vcpu->gpr[KHV_RAX], p->size);
		vcpu->rip = p->next_rip;
	}

	run->io.direction = p->in ? KHV_EXIT_IO_IN : KHV_EXIT_IO_OUT;
	run->io.size = p->size;
	run->io.port = p->port;
	run->io.count = p->count;
	run->io.data_offset = KHV_RUN_DATA_OFFSET;
	/* Only an IN has anything left to do once userspace answers. */
	vcpu->pio = *p;
	vcpu->pio.active = p->in;
	return khv_exit_to_user(vcpu, KHV_EXIT_IO);
}

int khv_complete_pio(struct khv_vcpu *vcpu)
{
	struct khv_pio_pending *p = &vcpu->pio;
	u64 *rax = &vcpu->gpr[KHV_RAX];
	int ret;

	p->active = false;
	if (p->string) {
		ret = pio_string_copy(vcpu, p, KHV_ES, vcpu->gpr[KHV_RDI], true);
		if (ret)
			return pio_emulation_failed(vcpu, ret);
		pio_string_advance(vcpu, p, KHV_RDI);
		return 1;
	}

	switch (p->size) {
	case 1:
		*rax = (*rax & ~0xffULL) | pio_data(vcpu)[0];
		break;
	case 2:
		*rax = (*rax & ~0xffffULL) | *(u16 *)pio_data(vcpu);
		break;
	default:
		/* A 32-bit destination zero-extends into RAX. */
		*rax = *(u32 *)pio_data(vcpu);
	}
	vcpu->rip = p->next_rip;
	return 1;
}
