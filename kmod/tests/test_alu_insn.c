// SPDX-License-Identifier: GPL-2.0
/* ALU, TEST, XCHG instructions with MMIO operands; LOCK rules. */
#include "harness.h"
#include "test.h"

#define RAX	KHV_REG_RAX
#define RCX	KHV_REG_RCX
#define RSI	KHV_REG_RSI

static const u64 vals[][2] = {
	{ 0, 0 }, { 1, 1 }, { 0x7f, 1 }, { 0x80, 0x80 }, { 0xff, 1 },
	{ 0x7fff, 0xffff }, { 0x80000000, 1 }, { 0xffffffff, 0xffffffff },
	{ 0x8000000000000000ULL, 1 }, { 0x123456789abcdef0ULL, 0xf0f0f0f0 },
};

static u64 mask_of(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static u64 flags_mask(int op)
{
	if (op == KHV_ALU_OR || op == KHV_ALU_AND || op == KHV_ALU_XOR)
		return KHV_FLAGS_ARITH & ~KHV_FLAG_AF;
	return KHV_FLAGS_ARITH;
}

/* Build "[prefix] opcode modrm [imm]" for size; returns the length. */
static unsigned int build(u8 *buf, unsigned int size, u8 op8, u8 op, u8 modrm)
{
	unsigned int n = 0;

	if (size == 2)
		buf[n++] = 0x66;
	if (size == 8)
		buf[n++] = 0x48;
	buf[n++] = size == 1 ? op8 : op;
	buf[n++] = modrm;
	return n;
}

static void put_imm(u8 *buf, unsigned int *n, u64 v, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		buf[(*n)++] = v >> (8 * i);
}

/* op r/m, reg with the memory side on MMIO: read exit, then write exit. */
TEST(alu_rm_reg_forms_memory_destination)
{
	unsigned int s, i, n;
	u8 buf[15];
	int op, rc;

	for (op = 0; op < 8; op++)
		for (s = 1; s <= 8; s *= 2)
			for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
				struct env *e = env_reset(KHV_MODE_LONG64);
				u64 a = vals[i][0], b = vals[i][1], hf, res;
				u64 cin = i & 1;

				e->vcpu.gpr[RSI] = MMIO_BASE + 0x100;
				e->vcpu.gpr[RCX] = b;
				e->vcpu.rflags = 0x2 | cin;
				env_queue_read(e, a & mask_of(s));
				n = build(buf, s, op * 8, op * 8 + 1, 0x0e);
				rc = emu_step(e, buf, n);
				res = host_alu(op, a, b, s, cin, &hf);
				CHECK(!e->broke_restart);
				CHECK_EQ(e->vcpu.rflags & flags_mask(op),
					 hf & flags_mask(op));
				CHECK_EQ(e->vcpu.rip, 0x1000 + n);
				CHECK_EQ(e->log[0].len, s);
				if (op == KHV_ALU_CMP) {
					CHECK_EQ(rc, KHV_EMU_DONE);
					CHECK_EQ(e->nr_log, 1);
					continue;
				}
				CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
				CHECK_EQ(e->exits, 2);
				CHECK_EQ(e->nr_log, 2);
				CHECK(e->log[1].is_write);
				CHECK_EQ(e->log[1].addr, MMIO_BASE + 0x100);
				CHECK_EQ(e->log[1].data, res & mask_of(s));
			}
}

/* op reg, r/m: a read exit, then the register and flags. */
TEST(alu_reg_rm_forms_memory_source)
{
	unsigned int s, i, n;
	u8 buf[15];
	int op, rc;

	for (op = 0; op < 8; op++)
		for (s = 1; s <= 8; s *= 2)
			for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
				struct env *e = env_reset(KHV_MODE_LONG64);
				u64 a = vals[i][0], b = vals[i][1], hf, res;
				u64 old = 0xa5a5a5a5a5a5a5a5ULL, want;

				e->vcpu.gpr[RSI] = MMIO_BASE;
				e->vcpu.gpr[RCX] = (old & ~mask_of(s)) |
						   (a & mask_of(s));
				old = e->vcpu.gpr[RCX];
				env_queue_read(e, b & mask_of(s));
				n = build(buf, s, op * 8 + 2, op * 8 + 3, 0x0e);
				rc = emu_step(e, buf, n);
				res = host_alu(op, a, b, s, 0, &hf);
				CHECK_EQ(rc, KHV_EMU_DONE);
				CHECK_EQ(e->exits, 1);
				CHECK_EQ(e->vcpu.rflags & flags_mask(op),
					 hf & flags_mask(op));
				if (op == KHV_ALU_CMP)
					want = old;
				else if (s == 4)
					want = res & 0xffffffff;
				else
					want = (old & ~mask_of(s)) |
					       (res & mask_of(s));
				CHECK_EQ(e->vcpu.gpr[RCX], want);
			}
}

/* 80, 81, 83 group 1 with an MMIO destination. */
TEST(alu_group1_immediates)
{
	static const struct {
		u8 opc;
		unsigned int size, imm_len;
		u64 imm, eff;	/* the immediate as bytes and as used */
	} f[] = {
		{ 0x80, 1, 1, 0x81, 0x81 },
		{ 0x81, 2, 2, 0x8001, 0x8001 },
		{ 0x81, 4, 4, 0x80000001, 0x80000001 },
		{ 0x81, 8, 4, 0x80000001, 0xffffffff80000001ULL },
		{ 0x83, 2, 1, 0xff, 0xffff },
		{ 0x83, 4, 1, 0x80, 0xffffff80 },
		{ 0x83, 8, 1, 0xfe, ~1ULL },
	};
	unsigned int k, n;
	u8 buf[15];
	int op, rc;

	for (op = 0; op < 8; op++)
		for (k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
			struct env *e = env_reset(KHV_MODE_LONG64);
			u64 a = 0x7ffffffffffffff0ULL & mask_of(f[k].size);
			u64 hf, res;

			e->vcpu.gpr[RSI] = MMIO_BASE;
			env_queue_read(e, a);
			n = build(buf, f[k].size, f[k].opc, f[k].opc,
				  0x06 | (op << 3));
			put_imm(buf, &n, f[k].imm, f[k].imm_len);
			rc = emu_step(e, buf, n);
			res = host_alu(op, a, f[k].eff, f[k].size, 0, &hf);
			CHECK_EQ(e->vcpu.rip, 0x1000 + n);
			CHECK_EQ(e->vcpu.rflags & flags_mask(op),
				 hf & flags_mask(op));
			if (op == KHV_ALU_CMP) {
				CHECK_EQ(rc, KHV_EMU_DONE);
				continue;
			}
			CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
			CHECK_EQ(e->log[1].len, f[k].size);
			CHECK_EQ(e->log[1].data, res & mask_of(f[k].size));
		}
}

TEST(alu_accumulator_immediate_and_register_forms)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.gpr[RAX] = 0xffffffffffffff00ULL;
	rc = RUN(e, 0x04, 0xff);			/* add al, ff */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RAX], 0xffffffffffffffffULL);
	rc = RUN(e, 0x48, 0x2d, 0x01, 0, 0, 0);		/* sub rax, 1 */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RAX], 0xfffffffffffffffeULL);
	CHECK_EQ(e->vcpu.rflags & KHV_FLAG_SF, KHV_FLAG_SF);
	e->vcpu.gpr[RCX] = 2;
	rc = RUN(e, 0x01, 0xc8);			/* add eax, ecx */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RAX], 0);
	CHECK_EQ(e->vcpu.rflags & (KHV_FLAG_ZF | KHV_FLAG_CF),
		 KHV_FLAG_ZF | KHV_FLAG_CF);
	CHECK_EQ(e->exits, 0);
}

TEST(adc_sbb_use_carry_in)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.gpr[RSI] = MMIO_BASE;
	e->vcpu.rflags = 0x2 | KHV_FLAG_CF;
	env_queue_read(e, 5);
	rc = RUN(e, 0x83, 0x16, 0x01);			/* adc dword [rsi], 1 */
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[1].data, 7);
	CHECK_EQ(e->vcpu.rflags & KHV_FLAG_CF, 0);
	e->vcpu.rflags |= KHV_FLAG_CF;
	env_queue_read(e, 5);
	rc = RUN(e, 0x83, 0x1e, 0x01);			/* sbb dword [rsi], 1 */
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[3].data, 3);
}

TEST(test_instruction_forms_do_not_write)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	u64 hf;
	int rc;

	e->vcpu.gpr[RSI] = MMIO_BASE;
	e->vcpu.gpr[RCX] = 0x80;
	env_queue_read(e, 0x80);
	rc = RUN(e, 0x84, 0x0e);			/* test [rsi], cl */
	CHECK_EQ(rc, KHV_EMU_DONE);
	host_alu(KHV_ALU_AND, 0x80, 0x80, 1, 0, &hf);
	CHECK_EQ(e->vcpu.rflags & KHV_FLAGS_ARITH & ~KHV_FLAG_AF,
		 hf & KHV_FLAGS_ARITH & ~KHV_FLAG_AF);
	CHECK_EQ(e->nr_log, 1);

	e->vcpu.rflags = 0x2 | KHV_FLAG_CF | KHV_FLAG_OF;
	env_queue_read(e, 0x0f0f0f0f0f0f0f0fULL);
	rc = RUN(e, 0x48, 0x85, 0x0e);			/* test [rsi], rcx */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.rflags & KHV_FLAGS_ARITH, KHV_FLAG_ZF |
		 KHV_FLAG_PF);

	env_queue_read(e, 0x40);
	rc = RUN(e, 0xf6, 0x06, 0x40);			/* test byte [rsi], 40 */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.rflags & KHV_FLAG_ZF, 0);
	CHECK_EQ(e->vcpu.rip, 0x1000 + 2 + 3 + 3);

	env_queue_read(e, 0x80000000);
	rc = RUN(e, 0xf7, 0x06, 0, 0, 0, 0x80);	/* test dword, imm32 */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.rflags & (KHV_FLAG_SF | KHV_FLAG_ZF), KHV_FLAG_SF);

	env_queue_read(e, 0x8000);
	rc = RUN(e, 0x66, 0xf7, 0x06, 0x00, 0x80);	/* test word, imm16 */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.rflags & KHV_FLAG_SF, KHV_FLAG_SF);
	CHECK_EQ(e->exits, 5);
	CHECK_EQ(e->nr_log, 5);
	/* F6 /2 is NOT, F7 /6 DIV: not emulated. */
	CHECK_EQ(RUN(e, 0xf6, 0x16), KHV_EMU_UNHANDLED);
	CHECK_EQ(RUN(e, 0xf7, 0x36), KHV_EMU_UNHANDLED);
}

TEST(xchg_memory_is_read_then_write)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.gpr[RSI] = MMIO_BASE;
	e->vcpu.gpr[RAX] = 0xffffffff00002222ULL;
	env_queue_read(e, 0x1111);
	rc = RUN(e, 0x87, 0x06);			/* xchg [rsi], eax */
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK(!e->broke_restart);
	CHECK_EQ(e->exits, 2);
	CHECK_EQ(e->log[1].data, 0x2222);
	CHECK_EQ(e->log[1].len, 4);
	CHECK_EQ(e->vcpu.gpr[RAX], 0x1111);

	e->vcpu.gpr[RAX] = 0xab00;
	env_queue_read(e, 0xcd);
	rc = RUN(e, 0x86, 0x26);			/* xchg [rsi], ah */
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[3].data, 0xab);
	CHECK_EQ(e->vcpu.gpr[RAX], 0xcd00);

	env_queue_read(e, 0x0123456789abcdefULL);
	rc = RUN(e, 0xf0, 0x48, 0x87, 0x06);		/* lock xchg [rsi], rax */
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[5].data, 0xcd00);
	CHECK_EQ(e->vcpu.gpr[RAX], 0x0123456789abcdefULL);
	CHECK_EQ(e->vcpu.rip, 0x1000 + 2 + 2 + 4);

	e->vcpu.gpr[RCX] = 7;
	rc = RUN(e, 0x87, 0xc8);			/* xchg eax, ecx */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RCX], 0x89abcdef);
	CHECK_EQ(e->vcpu.gpr[RAX], 7);
}

TEST(lock_prefix_rules)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.gpr[RSI] = MMIO_BASE;
	e->vcpu.gpr[RCX] = 1;
	env_queue_read(e, 1);
	rc = RUN(e, 0xf0, 0x01, 0x0e);			/* lock add [rsi], ecx */
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[1].data, 2);
	env_queue_read(e, 1);
	rc = RUN(e, 0xf0, 0x83, 0x2e, 0x01);		/* lock sub [rsi], 1 */
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[3].data, 0);
	e->nr_log = 0;
	CHECK_EQ(RUN(e, 0xf0, 0x39, 0x0e), KHV_EMU_UNHANDLED);	/* cmp */
	CHECK_EQ(RUN(e, 0xf0, 0x83, 0x3e, 1), KHV_EMU_UNHANDLED);	/* cmp */
	CHECK_EQ(RUN(e, 0xf0, 0x89, 0x0e), KHV_EMU_UNHANDLED);	/* mov */
	CHECK_EQ(RUN(e, 0xf0, 0x03, 0x0e), KHV_EMU_UNHANDLED);	/* reg dst */
	CHECK_EQ(RUN(e, 0xf0, 0x01, 0xc8), KHV_EMU_UNHANDLED);	/* reg/reg */
	CHECK_EQ(RUN(e, 0xf0, 0x85, 0x0e), KHV_EMU_UNHANDLED);	/* test */
	CHECK_EQ(RUN(e, 0xf0, 0xa5), KHV_EMU_UNHANDLED);		/* movs */
	CHECK_EQ(e->nr_log, 0);
}

TEST(alu_on_ram_needs_no_exit)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.gpr[RSI] = 0x4000;
	e->vcpu.gpr[RCX] = 0x10;
	ram_write(e, 0x4000, 0xfffffff8, 4);
	rc = RUN(e, 0x01, 0x0e);			/* add [rsi], ecx */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->exits, 0);
	CHECK_EQ(ram_read(e, 0x4000, 4), 8);
	CHECK_EQ(e->vcpu.rflags & KHV_FLAG_CF, KHV_FLAG_CF);
}
