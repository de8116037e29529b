// SPDX-License-Identifier: GPL-2.0
/*
 * khv: MMIO, through the instruction emulator.
 *
 * A nested page fault outside guest RAM (or a write to a read-only slot)
 * means the guest touched a device.  The instruction at CS:RIP is fetched
 * from guest memory, decoded and emulated (emulate.c); its accesses to
 * non-RAM addresses become KHV_EXIT_MMIO exits.  A read restarts the
 * emulation once userspace has supplied the data; a write is the last
 * action of an instruction, which is finished before the exit.
 */
#include <linux/mm.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "khv.h"
#include "lapic.h"
#include "emulate.h"
#include "pagewalk.h"

#define EXC_GP	13
#define EXC_PF	14

static int walk_read_gpa(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	struct khv_vcpu *vcpu = opaque;

	if (!khv_read_guest(vcpu, gpa, buf, len))
		return 0;
	vcpu->mmio.walk_gpa = gpa;
	return -EFAULT;
}

/* Translate a guest linear address with the vCPU's paging state. */
static int khv_translate(struct khv_vcpu *vcpu, u64 gva, unsigned int access,
			 u64 *gpa, u32 *pf_err)
{
	struct khv_walk_regs r = {
		.cr0 = khv_vendor->get_cr(vcpu, 0),
		.cr3 = khv_vendor->get_cr(vcpu, 3),
		.cr4 = khv_vendor->get_cr(vcpu, 4),
		.efer = khv_vendor->get_efer(vcpu),
		/* The nested walk enforces the host's address width. */
		.maxphyaddr = boot_cpu_data.x86_phys_bits,
	};

	if (khv_vendor->get_cpl(vcpu) == 3)
		access |= KHV_ACC_USER;
	else if (vcpu->rflags & X86_EFLAGS_AC)
		access |= KHV_ACC_SMAP_AC;	/* SDM Vol. 3A, 4.6.1 */
	return khv_gva_to_gpa(&r, gva, access, walk_read_gpa, vcpu, gpa,
			      pf_err);
}

int khv_gva_to_gpa_vcpu(struct khv_vcpu *vcpu, u64 gva, unsigned int access,
			u64 *gpa)
{
	u32 pf_err;

	return khv_translate(vcpu, gva, access, gpa, &pf_err) ? -EFAULT : 0;
}

/* Guest RAM by linear address, page by page (string port I/O). */
static int khv_linear_copy(struct khv_vcpu *vcpu, u64 la, void *buf,
			   unsigned int len, bool write)
{
	while (len) {
		unsigned int chunk = min_t(unsigned int, len,
					   PAGE_SIZE - offset_in_page(la));
		u64 gpa;
		int ret;

		ret = khv_gva_to_gpa_vcpu(vcpu, la,
					  write ? KHV_ACC_WRITE : 0, &gpa);
		if (!ret)
			ret = write ? khv_write_guest(vcpu, gpa, buf, chunk) :
				      khv_read_guest(vcpu, gpa, buf, chunk);
		if (ret)
			return ret;
		la += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

int khv_read_linear(struct khv_vcpu *vcpu, u64 la, void *buf,
		    unsigned int len)
{
	return khv_linear_copy(vcpu, la, buf, len, false);
}

int khv_write_linear(struct khv_vcpu *vcpu, u64 la, const void *buf,
		     unsigned int len)
{
	return khv_linear_copy(vcpu, la, (void *)buf, len, true);
}

static int emu_translate(struct khv_vcpu *vcpu, u64 linear,
			 unsigned int access, u64 *gpa,
			 struct khv_emu_fault *fault)
{
	u32 pf_err = 0;
	int ret = khv_translate(vcpu, linear, access, gpa, &pf_err);

	if (!ret)
		return 0;
	if (ret == KHV_WALK_PF) {
		*fault = (struct khv_emu_fault){ .vector = EXC_PF,
			.has_error_code = true, .error_code = pf_err,
			.address = linear };
	} else if (ret == KHV_WALK_GP) {
		/* Non-canonical (SDM Vol. 3A 3.3.7.1). */
		*fault = (struct khv_emu_fault){ .vector = EXC_GP,
			.has_error_code = true };
	} else {
		/*
		 * A page table outside RAM.  The processor would read the
		 * device there; khv does not emulate page walks through
		 * MMIO, and a fault injected instead would only bring the
		 * guest back here (its handler is reached through the same
		 * tables): stop with an internal error naming the address.
		 */
		vcpu->mmio.walk_failed = true;
		return KHV_EMU_UNHANDLED;
	}
	return KHV_EMU_FAULT;
}

/*
 * An access that crosses a page boundary goes to RAM piecewise; one that
 * reaches MMIO is sent whole to the device at its first byte's address.
 */
static int emu_access(struct khv_vcpu *vcpu, u64 linear, void *buf,
		      unsigned int len, bool write,
		      struct khv_emu_fault *fault)
{
	struct khv_mmio_pending *m = &vcpu->mmio;
	struct khv_memslot *slot;
	u64 gpa;
	int ret;

	ret = emu_translate(vcpu, linear, write ? KHV_ACC_WRITE : 0, &gpa,
			    fault);
	if (ret)
		return ret;
	slot = khv_memslot_find(vcpu->vm, gpa);
	if (slot && !(write && (slot->flags & KHV_MEM_READONLY)) &&
	    !(write ? khv_write_linear(vcpu, linear, buf, len) :
		      khv_read_linear(vcpu, linear, buf, len)))
		return 0;

	if (khv_lapic_mmio(vcpu, gpa, buf, len, write))
		return 0;
	if (!write && m->done && m->gpa == gpa && m->len == len) {
		memcpy(buf, m->data, len);
		m->done = false;
		return 0;
	}
	m->is_write = write;
	m->gpa = gpa;
	m->len = len;
	m->done = false;
	if (write)
		memcpy(m->data, buf, len);
	return KHV_EMU_MMIO_EXIT;
}

static int emu_read(void *opaque, u64 linear, void *buf, unsigned int len,
		    struct khv_emu_fault *fault)
{
	return emu_access(opaque, linear, buf, len, false, fault);
}

static int emu_write(void *opaque, u64 linear, const void *buf,
		     unsigned int len, struct khv_emu_fault *fault)
{
	return emu_access(opaque, linear, (void *)buf, len, true, fault);
}

static int emu_fetch(void *opaque, u64 linear, void *buf, unsigned int len,
		     struct khv_emu_fault *fault)
{
	struct khv_vcpu *vcpu = opaque;
	u64 gpa;
	int ret;

	ret = emu_translate(vcpu, linear, KHV_ACC_FETCH, &gpa, fault);
	if (ret)
		return ret;
	if (khv_read_linear(vcpu, linear, buf, len)) {
		/* Code outside RAM: khv does not execute from MMIO. */
		*fault = (struct khv_emu_fault){ .vector = EXC_GP,
			.has_error_code = true };
		return KHV_EMU_FAULT;
	}
	return 0;
}

static const struct khv_emu_ops khv_emu_ops = {
	.read = emu_read,
	.write = emu_write,
	.fetch = emu_fetch,
};

static u64 khv_cs_linear(struct khv_vcpu *vcpu)
{
	u64 la = vcpu->rip;

	if (khv_vendor->code_size(vcpu) != 64)
		la = (u32)(la + khv_vendor->get_seg_base(vcpu, KHV_CS));
	return la;
}

/*
 * Fetch up to *len instruction bytes at CS:RIP; stop early at a page
 * that cannot be read.  *len is set to the number of bytes read.
 */
int khv_fetch_insn(struct khv_vcpu *vcpu, u8 *buf, unsigned int *len)
{
	u64 la = khv_cs_linear(vcpu);
	unsigned int got = 0, want = *len;

	while (got < want) {
		unsigned int chunk = min_t(unsigned int, want - got,
					   PAGE_SIZE - offset_in_page(la + got));
		u64 gpa;

		if (khv_gva_to_gpa_vcpu(vcpu, la + got, KHV_ACC_FETCH, &gpa) ||
		    khv_read_guest(vcpu, gpa, buf + got, chunk))
			break;
		got += chunk;
	}
	*len = got;
	return got ? 0 : -EFAULT;
}

static int khv_emu_mode_of(struct khv_vcpu *vcpu)
{
	switch (khv_vendor->code_size(vcpu)) {
	case 64:
		return KHV_MODE_LONG64;
	case 32:
		return KHV_MODE_PROT32;
	}
	if (!(khv_vendor->get_cr(vcpu, 0) & X86_CR0_PE) ||
	    (vcpu->rflags & X86_EFLAGS_VM))
		return KHV_MODE_REAL;
	return KHV_MODE_PROT16;
}

static int khv_mmio_failed(struct khv_vcpu *vcpu, u64 gpa,
			   const struct khv_emu_ctxt *c)
{
	u64 data[5] = { gpa, vcpu->rip, c->insn_len };

	if (vcpu->mmio.walk_failed) {
		data[0] = vcpu->mmio.walk_gpa;
		data[2] = khv_vendor->get_cr(vcpu, 3);
		return khv_internal_error(vcpu, KHV_INTERNAL_PAGE_WALK, data,
					  3);
	}
	memcpy(&data[3], c->insn, sizeof(c->insn));
	return khv_internal_error(vcpu, KHV_INTERNAL_EMULATION, data, 5);
}

static void khv_inject_fault(struct khv_vcpu *vcpu,
			     const struct khv_emu_fault *f)
{
	struct khv_event ev = { .type = KHV_INJECT_EXCEPTION,
				.vector = f->vector,
				.has_error_code = f->has_error_code,
				.error_code = f->error_code };

	if (f->vector == EXC_PF)
		khv_vendor->set_cr2(vcpu, f->address);
	khv_queue_event(vcpu, &ev);
}

/* Hand the access the emulator recorded to userspace. */
static int khv_mmio_exit(struct khv_vcpu *vcpu)
{
	struct khv_mmio_pending *m = &vcpu->mmio;
	struct khv_run *run = vcpu->run;

	run->mmio.phys_addr = m->gpa;
	run->mmio.len = m->len;
	run->mmio.is_write = m->is_write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (m->is_write)
		memcpy(run->mmio.data, m->data, m->len);
	/* Only a read has anything left to do once userspace answers. */
	m->active = !m->is_write;
	vcpu->stat.mmio_exits++;
	return khv_exit_to_user(vcpu, KHV_EXIT_MMIO);
}

int khv_handle_mmio(struct khv_vcpu *vcpu, u64 gpa, const u8 *insn,
		    unsigned int insn_len)
{
	struct khv_mmio_pending *m = &vcpu->mmio;
	struct khv_emu_ctxt *c = &vcpu->emu;
	int i, ret;

	memset(c, 0, sizeof(*c));
	m->walk_failed = false;
	memcpy(c->gpr, vcpu->gpr, sizeof(c->gpr));
	c->rip = vcpu->rip;
	c->rflags = vcpu->rflags;
	c->mode = khv_emu_mode_of(vcpu);
	c->la57 = khv_vendor->get_cr(vcpu, 4) & X86_CR4_LA57;
	for (i = 0; i < KHV_NR_SEGS; i++)
		c->seg_base[i] = khv_vendor->get_seg_base(vcpu, i);
	if (insn_len) {
		c->insn_len = min_t(unsigned int, insn_len, sizeof(c->insn));
		memcpy(c->insn, insn, c->insn_len);
	} else {
		c->insn_len = sizeof(c->insn);
		if (khv_fetch_insn(vcpu, c->insn, &c->insn_len))
			c->insn_len = 0;
	}

	ret = khv_emulate_insn(c, &khv_emu_ops, vcpu);
	m->done = false;
	switch (ret) {
	case KHV_EMU_DONE:
	case KHV_EMU_DONE_MMIO_WRITE:
		memcpy(vcpu->gpr, c->gpr, sizeof(c->gpr));
		vcpu->rip = c->rip;
		vcpu->rflags = c->rflags;
		ret = ret == KHV_EMU_DONE ? 1 : khv_mmio_exit(vcpu);
		break;
	case KHV_EMU_MMIO_EXIT:
		ret = khv_mmio_exit(vcpu);
		break;
	case KHV_EMU_FAULT:
		khv_inject_fault(vcpu, &c->fault);
		ret = 1;
		break;
	default:
		ret = khv_mmio_failed(vcpu, gpa, c);
	}
	return ret;
}

/* Userspace answered a read: run the instruction again with the data. */
int khv_complete_mmio(struct khv_vcpu *vcpu)
{
	struct khv_mmio_pending *m = &vcpu->mmio;

	m->active = false;
	memcpy(m->data, vcpu->run->mmio.data, m->len);
	m->done = true;
	return khv_handle_mmio(vcpu, m->gpa, NULL, 0);
}
