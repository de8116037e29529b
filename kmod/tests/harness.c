// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test.h"

static struct env the_env;

struct env *env_reset(int mode)
{
	struct env *e = &the_env;

	memset(e, 0, sizeof(*e));
	e->vcpu.mode = mode;
	e->vcpu.rip = 0x1000;
	e->vcpu.rflags = 0x2;
	return e;
}

void env_queue_read(struct env *e, u64 val)
{
	e->reads[e->nr_reads++] = val;
}

u64 ram_read(struct env *e, u64 addr, unsigned int len)
{
	u64 v = 0;

	memcpy(&v, &e->ram[addr], len);
	return v;
}

void ram_write(struct env *e, u64 addr, u64 val, unsigned int len)
{
	memcpy(&e->ram[addr], &val, len);
}

static bool in(u64 la, unsigned int len, u64 base, u64 size)
{
	return la >= base && la + len <= base + size && la + len > la;
}

static bool is_mmio(u64 la, unsigned int len)
{
	return in(la, len, MMIO_BASE, MMIO_SIZE) ||
	       in(la, len, LOW_MMIO_BASE, LOW_MMIO_SIZE);
}

static int page_fault(struct khv_emu_fault *f, u64 la, u32 code)
{
	f->vector = KHV_VEC_PF;
	f->has_error_code = true;
	f->error_code = code;
	f->address = la;
	return KHV_EMU_FAULT;
}

static void log_access(struct env *e, u64 la, unsigned int len, u64 data,
		       bool is_write)
{
	struct mmio_access a = { la, len, data, is_write };

	if (e->nr_log < 64)
		e->log[e->nr_log++] = a;
	e->exit = a;
}

static int fake_read(void *opaque, u64 la, void *buf, unsigned int len,
		     struct khv_emu_fault *f)
{
	struct env *e = opaque;

	e->last_addr = la;
	if (in(la, len, 0, RAM_SIZE)) {
		memcpy(buf, &e->ram[la], len);
		e->ram_accesses++;
		return 0;
	}
	if (!is_mmio(la, len))
		return page_fault(f, la, 0);
	if (e->done_read.valid && e->done_read.addr == la &&
	    e->done_read.len == len) {
		e->done_read.valid = false;
		memcpy(buf, &e->done_read.data, len);
		return 0;
	}
	e->exit.addr = la;
	e->exit.len = len;
	e->exit.is_write = false;
	return KHV_EMU_MMIO_EXIT;
}

static int fake_write(void *opaque, u64 la, const void *buf, unsigned int len,
		      struct khv_emu_fault *f)
{
	struct env *e = opaque;
	u64 v = 0;

	e->last_addr = la;
	if (in(la, len, 0, RAM_SIZE)) {
		memcpy(&e->ram[la], buf, len);
		e->ram_accesses++;
		return 0;
	}
	if (!is_mmio(la, len))
		return page_fault(f, la, 2);
	memcpy(&v, buf, len);
	log_access(e, la, len, v, true);
	return KHV_EMU_MMIO_EXIT;
}

static int fake_fetch(void *opaque, u64 la, void *buf, unsigned int len,
		      struct khv_emu_fault *f)
{
	struct env *e = opaque;

	if (!in(la, len, 0, RAM_SIZE))
		return page_fault(f, la, 0x10);
	memcpy(buf, &e->ram[la], len);
	return 0;
}

static const struct khv_emu_ops ops = {
	.read = fake_read,
	.write = fake_write,
	.fetch = fake_fetch,
};

static const struct khv_emu_ops ops_nofetch = {
	.read = fake_read,
	.write = fake_write,
};

int emu_step(struct env *e, const u8 *insn, unsigned int n)
{
	int tries, rc = -1;

	for (tries = 0; tries < 4; tries++) {
		struct khv_emu_ctxt c = e->vcpu;

		if (n)
			memcpy(c.insn, insn, n);
		c.insn_len = n;
		rc = khv_emulate_insn(&c, e->use_fetch ? &ops : &ops_nofetch,
				      e);
		e->runs++;
		e->last = c;
		if (rc != KHV_EMU_MMIO_EXIT)
			break;
		if (memcmp(c.gpr, e->vcpu.gpr, sizeof(c.gpr)) ||
		    c.rip != e->vcpu.rip || c.rflags != e->vcpu.rflags) {
			e->broke_restart = true;
			test_fail(__FILE__, __LINE__,
				  "registers changed on a read exit");
		}
		e->exits++;
		if (e->exit.is_write || e->read_pos >= e->nr_reads)
			return -1;
		/* Userspace completes the read; the guest re-enters. */
		e->done_read.valid = true;
		e->done_read.addr = e->exit.addr;
		e->done_read.len = e->exit.len;
		e->done_read.data = e->reads[e->read_pos++];
		log_access(e, e->exit.addr, e->exit.len, e->done_read.data,
			   false);
	}
	if (rc == KHV_EMU_DONE || rc == KHV_EMU_DONE_MMIO_WRITE) {
		memcpy(e->vcpu.gpr, e->last.gpr, sizeof(e->vcpu.gpr));
		e->vcpu.rip = e->last.rip;
		e->vcpu.rflags = e->last.rflags;
	}
	if (rc == KHV_EMU_DONE_MMIO_WRITE)
		e->exits++;
	return rc;
}

#define HOST_OP(insn, type)						\
	asm volatile("sub $128, %%rsp\n\tpush %[fin]\n\tpopf\n\t"	\
		     insn " %[y], %[x]\n\t"				\
		     "pushf\n\tpop %[fout]\n\tadd $128, %%rsp"		\
		     : [x] "+r" (x##type), [fout] "=&r" (fout)		\
		     : [y] "r" (y##type), [fin] "r" (fin)		\
		     : "cc", "memory")

#define HOST_SIZED(insn)						\
	do {								\
		switch (size) {						\
		case 1: HOST_OP(insn, 8); res = x8; break;		\
		case 2: HOST_OP(insn, 16); res = x16; break;		\
		case 4: HOST_OP(insn, 32); res = x32; break;		\
		default: HOST_OP(insn, 64); res = x64; break;		\
		}							\
	} while (0)

u64 host_alu(int op, u64 a, u64 b, unsigned int size, u64 cf_in,
	     u64 *flags)
{
	u8 x8 = a, y8 = b;
	u16 x16 = a, y16 = b;
	u32 x32 = a, y32 = b;
	u64 x64 = a, y64 = b;
	u64 fin = 0x202 | (cf_in & 1), fout = 0, res = 0;

	switch (op) {
	case KHV_ALU_ADD: HOST_SIZED("add"); break;
	case KHV_ALU_OR: HOST_SIZED("or"); break;
	case KHV_ALU_ADC: HOST_SIZED("adc"); break;
	case KHV_ALU_SBB: HOST_SIZED("sbb"); break;
	case KHV_ALU_AND: HOST_SIZED("and"); break;
	case KHV_ALU_SUB: HOST_SIZED("sub"); break;
	case KHV_ALU_XOR: HOST_SIZED("xor"); break;
	default: HOST_SIZED("cmp"); break;
	}
	*flags = fout;
	return res;
}
