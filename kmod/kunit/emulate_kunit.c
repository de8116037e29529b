// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the instruction emulator (emulate.c): decoding, operand
 * sizes, the MMIO read-exit/restart protocol, faults and RFLAGS of the ALU
 * operations, against a fake guest with RAM at linear [RAM_BASE,
 * RAM_BASE + RAM_SIZE) and an MMIO window at MMIO_BASE.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <asm/msr-index.h>

#include "emulate.h"

#define RAM_BASE	0x1000ULL
#define RAM_SIZE	0x1000ULL
#define MMIO_BASE	0xd0000000ULL
#define MMIO_SIZE	0x1000ULL

struct fake_guest {
	u8 ram[RAM_SIZE];
	/* Userspace's answer to the next MMIO read, once it has one. */
	bool data_ready;
	u64 data;
	/* The last MMIO access. */
	unsigned int mmio_accesses;
	u64 mmio_addr;
	unsigned int mmio_len;
	u64 mmio_wdata;
	bool mmio_write;
};

static bool in_window(u64 la, unsigned int len, u64 base, u64 size)
{
	return la >= base && la - base < size && len <= size - (la - base);
}

static int fake_pf(u64 la, struct khv_emu_fault *fault)
{
	fault->vector = KHV_VEC_PF;
	fault->has_error_code = true;
	fault->error_code = 0;
	fault->address = la;
	return KHV_EMU_FAULT;
}

static int fake_read(void *opaque, u64 la, void *buf, unsigned int len,
		     struct khv_emu_fault *fault)
{
	struct fake_guest *g = opaque;

	if (in_window(la, len, RAM_BASE, RAM_SIZE)) {
		memcpy(buf, &g->ram[la - RAM_BASE], len);
		return 0;
	}
	if (!in_window(la, len, MMIO_BASE, MMIO_SIZE))
		return fake_pf(la, fault);
	g->mmio_accesses++;
	g->mmio_addr = la;
	g->mmio_len = len;
	g->mmio_write = false;
	if (!g->data_ready)
		return KHV_EMU_MMIO_EXIT;
	memcpy(buf, &g->data, len);
	return 0;
}

static int fake_write(void *opaque, u64 la, const void *buf, unsigned int len,
		      struct khv_emu_fault *fault)
{
	struct fake_guest *g = opaque;

	if (in_window(la, len, RAM_BASE, RAM_SIZE)) {
		memcpy(&g->ram[la - RAM_BASE], buf, len);
		return 0;
	}
	if (!in_window(la, len, MMIO_BASE, MMIO_SIZE))
		return fake_pf(la, fault);
	g->mmio_accesses++;
	g->mmio_addr = la;
	g->mmio_len = len;
	g->mmio_wdata = 0;
	memcpy(&g->mmio_wdata, buf, len);
	g->mmio_write = true;
	return KHV_EMU_MMIO_EXIT;
}

static const struct khv_emu_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
};

struct emu_env {
	struct fake_guest *g;
	struct khv_emu_ctxt *c;
};

static void env_init(struct kunit *test, struct emu_env *e, int mode,
		     const u8 *insn, unsigned int n)
{
	e->g = kunit_kzalloc(test, sizeof(*e->g), GFP_KERNEL);
	e->c = kunit_kzalloc(test, sizeof(*e->c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e->g);
	KUNIT_ASSERT_NOT_NULL(test, e->c);
	KUNIT_ASSERT_LE(test, n, (unsigned int)KHV_MAX_INSN_LEN);
	e->c->mode = mode;
	e->c->rip = 0x100;
	e->c->rflags = 0x2;
	memcpy(e->c->insn, insn, n);
	e->c->insn_len = n;
}

static int emu(struct emu_env *e)
{
	return khv_emulate_insn(e->c, &fake_ops, e->g);
}

/* env_init() with the instruction bytes given inline. */
#define ENV_INIT(test, e, mode, ...)					\
	env_init(test, e, mode, (const u8[]){ __VA_ARGS__ },		\
		 sizeof((const u8[]){ __VA_ARGS__ }))

static void emu_mode_from_state(struct kunit *test)
{
	const u64 lma = EFER_LMA;

	KUNIT_EXPECT_EQ(test, khv_emu_mode(0, 2, 0, false, false),
			KHV_MODE_REAL);
	/* Virtual-8086 mode decodes like real mode. */
	KUNIT_EXPECT_EQ(test, khv_emu_mode(1, KHV_FLAG_VM | 2, 0, false, true),
			KHV_MODE_REAL);
	KUNIT_EXPECT_EQ(test, khv_emu_mode(1, 2, 0, false, false),
			KHV_MODE_PROT16);
	KUNIT_EXPECT_EQ(test, khv_emu_mode(1, 2, 0, false, true),
			KHV_MODE_PROT32);
	KUNIT_EXPECT_EQ(test, khv_emu_mode(1, 2, lma, true, false),
			KHV_MODE_LONG64);
	/* CS.L without EFER.LMA, and compatibility mode, are not 64-bit. */
	KUNIT_EXPECT_EQ(test, khv_emu_mode(1, 2, 0, true, true),
			KHV_MODE_PROT32);
	KUNIT_EXPECT_EQ(test, khv_emu_mode(1, 2, lma, false, true),
			KHV_MODE_PROT32);
}

static void emu_alu_flags(struct kunit *test)
{
	const u64 keep = KHV_FLAG_DF | 0x2;
	u64 fl;

	/* 0xff + 1 (byte) = 0: carry, zero, half carry, even parity. */
	fl = keep;
	KUNIT_EXPECT_EQ(test, khv_emu_alu(KHV_ALU_ADD, 0xff, 1, 1, &fl), 0ULL);
	KUNIT_EXPECT_EQ(test, fl, keep | KHV_FLAG_CF | KHV_FLAG_ZF |
			KHV_FLAG_AF | KHV_FLAG_PF);
	/* 0x7f + 1 = 0x80: signed overflow, sign, odd parity. */
	fl = keep;
	KUNIT_EXPECT_EQ(test, khv_emu_alu(KHV_ALU_ADD, 0x7f, 1, 1, &fl), 0x80ULL);
	KUNIT_EXPECT_EQ(test, fl, keep | KHV_FLAG_OF | KHV_FLAG_SF |
			KHV_FLAG_AF);
	/* ADC adds the carry in: 0xfe + 1 + CF = 0x100 -> 0. */
	fl = keep | KHV_FLAG_CF;
	KUNIT_EXPECT_EQ(test, khv_emu_alu(KHV_ALU_ADC, 0xfe, 1, 1, &fl), 0ULL);
	KUNIT_EXPECT_EQ(test, fl, keep | KHV_FLAG_CF | KHV_FLAG_ZF |
			KHV_FLAG_AF | KHV_FLAG_PF);
	/* 0 - 1 (dword) borrows: 0xffffffff. */
	fl = keep;
	KUNIT_EXPECT_EQ(test, khv_emu_alu(KHV_ALU_SUB, 0, 1, 4, &fl),
			0xffffffffULL);
	KUNIT_EXPECT_EQ(test, fl, keep | KHV_FLAG_CF | KHV_FLAG_SF |
			KHV_FLAG_AF | KHV_FLAG_PF);
	/* 0x8000 - 1 (word): signed overflow to 0x7fff. */
	fl = keep;
	KUNIT_EXPECT_EQ(test, khv_emu_alu(KHV_ALU_CMP, 0x8000, 1, 2, &fl),
			0x7fffULL);
	KUNIT_EXPECT_EQ(test, fl, keep | KHV_FLAG_OF | KHV_FLAG_AF |
			KHV_FLAG_PF);
	/* Logical ops clear CF, OF and AF whatever they were. */
	fl = keep | KHV_FLAG_CF | KHV_FLAG_OF | KHV_FLAG_AF;
	KUNIT_EXPECT_EQ(test, khv_emu_alu(KHV_ALU_XOR, 0x1234, 0x1234, 8, &fl),
			0ULL);
	KUNIT_EXPECT_EQ(test, fl, keep | KHV_FLAG_ZF | KHV_FLAG_PF);
	/* Only the low @size bytes take part. */
	fl = keep;
	KUNIT_EXPECT_EQ(test, khv_emu_alu(KHV_ALU_OR, 0xff00, 0x0100, 1, &fl),
			0ULL);
	KUNIT_EXPECT_EQ(test, fl, keep | KHV_FLAG_ZF | KHV_FLAG_PF);
}

static void emu_mmio_write(struct kunit *test)
{
	struct emu_env e;

	/* mov [rbx], eax */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0x89, 0x03);
	e.c->gpr[KHV_REG_RAX] = 0x1122334455667788ULL;
	e.c->gpr[KHV_REG_RBX] = MMIO_BASE + 0x10;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_DONE_MMIO_WRITE);
	KUNIT_EXPECT_TRUE(test, e.g->mmio_write);
	KUNIT_EXPECT_EQ(test, e.g->mmio_addr, MMIO_BASE + 0x10);
	KUNIT_EXPECT_EQ(test, e.g->mmio_len, 4U);
	KUNIT_EXPECT_EQ(test, e.g->mmio_wdata, 0x55667788ULL);
	KUNIT_EXPECT_EQ(test, e.c->rip, 0x102ULL);
	KUNIT_EXPECT_EQ(test, e.c->len, 2U);
}

static void emu_operand_sizes(struct kunit *test)
{
	struct emu_env e;

	/* REX.W: 8 bytes. */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0x48, 0x89, 0x03);
	e.c->gpr[KHV_REG_RAX] = 0x1122334455667788ULL;
	e.c->gpr[KHV_REG_RBX] = MMIO_BASE;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_DONE_MMIO_WRITE);
	KUNIT_EXPECT_EQ(test, e.g->mmio_len, 8U);
	KUNIT_EXPECT_EQ(test, e.g->mmio_wdata, 0x1122334455667788ULL);
	KUNIT_EXPECT_EQ(test, e.c->rip, 0x103ULL);

	/* 66: 2 bytes in 64-bit mode ... */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0x66, 0x89, 0x03);
	e.c->gpr[KHV_REG_RAX] = 0xabcdULL;
	e.c->gpr[KHV_REG_RBX] = MMIO_BASE;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_DONE_MMIO_WRITE);
	KUNIT_EXPECT_EQ(test, e.g->mmio_len, 2U);
	KUNIT_EXPECT_EQ(test, e.g->mmio_wdata, 0xabcdULL);

	/* ... and 4 bytes in real mode, where the default is 2. */
	ENV_INIT(test, &e, KHV_MODE_REAL, 0x66, 0x89, 0x07);
	e.c->gpr[KHV_REG_RAX] = 0x11223344ULL;
	e.c->gpr[KHV_REG_RBX] = 0x20;
	e.c->seg_base[KHV_SEG_DS] = RAM_BASE;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_DONE);
	KUNIT_EXPECT_EQ(test, e.g->mmio_accesses, 0U);
	KUNIT_EXPECT_EQ(test, e.g->ram[0x20], 0x44);
	KUNIT_EXPECT_EQ(test, e.g->ram[0x23], 0x11);
	KUNIT_EXPECT_EQ(test, e.c->rip, 0x103ULL);
}

static void emu_mmio_read_restart(struct kunit *test)
{
	struct emu_env e;

	/* mov eax, [rbx]: the first run exits and changes nothing. */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0x8b, 0x03);
	e.c->gpr[KHV_REG_RAX] = ~0ULL;
	e.c->gpr[KHV_REG_RBX] = MMIO_BASE + 0x40;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_MMIO_EXIT);
	KUNIT_EXPECT_FALSE(test, e.g->mmio_write);
	KUNIT_EXPECT_EQ(test, e.g->mmio_addr, MMIO_BASE + 0x40);
	KUNIT_EXPECT_EQ(test, e.g->mmio_len, 4U);
	KUNIT_EXPECT_EQ(test, e.c->gpr[KHV_REG_RAX], ~0ULL);
	KUNIT_EXPECT_EQ(test, e.c->rip, 0x100ULL);
	/* Rerun with the data: a 32-bit load zero-extends into RAX. */
	e.g->data_ready = true;
	e.g->data = 0xaabbccddULL;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_DONE);
	KUNIT_EXPECT_EQ(test, e.c->gpr[KHV_REG_RAX], 0xaabbccddULL);
	KUNIT_EXPECT_EQ(test, e.c->rip, 0x102ULL);
}

static void emu_movzx_movsx(struct kunit *test)
{
	struct emu_env e;

	/* movzx eax, byte [rbx] */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0x0f, 0xb6, 0x03);
	e.c->gpr[KHV_REG_RAX] = ~0ULL;
	e.c->gpr[KHV_REG_RBX] = MMIO_BASE;
	e.g->data_ready = true;
	e.g->data = 0x80;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_DONE);
	KUNIT_EXPECT_EQ(test, e.g->mmio_len, 1U);
	KUNIT_EXPECT_EQ(test, e.c->gpr[KHV_REG_RAX], 0x80ULL);

	/* movsx rax, byte [rbx] */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0x48, 0x0f, 0xbe, 0x03);
	e.c->gpr[KHV_REG_RBX] = MMIO_BASE;
	e.g->data_ready = true;
	e.g->data = 0x80;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_DONE);
	KUNIT_EXPECT_EQ(test, e.c->gpr[KHV_REG_RAX], 0xffffffffffffff80ULL);
	KUNIT_EXPECT_EQ(test, e.c->rip, 0x104ULL);
}

static void emu_alu_on_mmio(struct kunit *test)
{
	struct emu_env e;

	/* add dword [rbx], 5: read exit, then the sum is written back. */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0x83, 0x03, 0x05);
	e.c->gpr[KHV_REG_RBX] = MMIO_BASE + 8;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_MMIO_EXIT);
	e.g->data_ready = true;
	e.g->data = 0xfffffffeULL;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_DONE_MMIO_WRITE);
	KUNIT_EXPECT_TRUE(test, e.g->mmio_write);
	KUNIT_EXPECT_EQ(test, e.g->mmio_wdata, 3ULL);
	KUNIT_EXPECT_EQ(test, e.c->rflags & KHV_FLAGS_ARITH,
			KHV_FLAG_CF | KHV_FLAG_AF | KHV_FLAG_PF);
	KUNIT_EXPECT_EQ(test, e.c->rip, 0x103ULL);

	/* cmp dword [rbx], 5 reads and never writes. */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0x83, 0x3b, 0x05);
	e.c->gpr[KHV_REG_RBX] = MMIO_BASE + 8;
	e.g->data_ready = true;
	e.g->data = 5;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_DONE);
	KUNIT_EXPECT_FALSE(test, e.g->mmio_write);
	KUNIT_EXPECT_EQ(test, e.c->rflags & KHV_FLAGS_ARITH,
			KHV_FLAG_ZF | KHV_FLAG_PF);
}

static void emu_segments_and_faults(struct kunit *test)
{
	struct emu_env e;

	/* 32-bit protected mode adds the DS base and wraps at 4 GiB. */
	ENV_INIT(test, &e, KHV_MODE_PROT32, 0x89, 0x03);
	e.c->seg_base[KHV_SEG_DS] = MMIO_BASE;
	e.c->gpr[KHV_REG_RBX] = 0x20;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_DONE_MMIO_WRITE);
	KUNIT_EXPECT_EQ(test, e.g->mmio_addr, MMIO_BASE + 0x20);

	/* The callback's #PF comes back as a fault, RIP unchanged. */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0x8b, 0x03);
	e.c->gpr[KHV_REG_RBX] = 0x5000000;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_FAULT);
	KUNIT_EXPECT_EQ(test, e.c->fault.vector, KHV_VEC_PF);
	KUNIT_EXPECT_EQ(test, e.c->fault.address, 0x5000000ULL);
	KUNIT_EXPECT_EQ(test, e.c->rip, 0x100ULL);

	/* A non-canonical address is #GP(0) without any access ... */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0x8b, 0x03);
	e.c->gpr[KHV_REG_RBX] = 0x0000800000000000ULL;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_FAULT);
	KUNIT_EXPECT_EQ(test, e.c->fault.vector, KHV_VEC_GP);
	KUNIT_EXPECT_EQ(test, e.c->fault.error_code, 0U);
	KUNIT_EXPECT_EQ(test, e.g->mmio_accesses, 0U);
	/* ... and #SS(0) through SS (base RBP). */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0x8b, 0x45, 0x00);
	e.c->gpr[KHV_REG_RBP] = 0x0000800000000000ULL;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_FAULT);
	KUNIT_EXPECT_EQ(test, e.c->fault.vector, KHV_VEC_SS);
}

static void emu_unhandled(struct kunit *test)
{
	struct emu_env e;

	/* UD2 is not an MMIO instruction. */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0x0f, 0x0b);
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_UNHANDLED);
	/* Truncated bytes and no fetch callback. */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0x8b);
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_UNHANDLED);
	/* LOCK on a plain MOV is #UD, not a locked store. */
	ENV_INIT(test, &e, KHV_MODE_LONG64, 0xf0, 0x89, 0x03);
	e.c->gpr[KHV_REG_RBX] = MMIO_BASE;
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_UNHANDLED);
	KUNIT_EXPECT_EQ(test, e.g->mmio_accesses, 0U);
	/* MOVSXD is ARPL outside 64-bit mode. */
	ENV_INIT(test, &e, KHV_MODE_PROT32, 0x63, 0x03);
	KUNIT_EXPECT_EQ(test, emu(&e), KHV_EMU_UNHANDLED);
}

static struct kunit_case khv_emulate_cases[] = {
	KUNIT_CASE(emu_mode_from_state),
	KUNIT_CASE(emu_alu_flags),
	KUNIT_CASE(emu_mmio_write),
	KUNIT_CASE(emu_operand_sizes),
	KUNIT_CASE(emu_mmio_read_restart),
	KUNIT_CASE(emu_movzx_movsx),
	KUNIT_CASE(emu_alu_on_mmio),
	KUNIT_CASE(emu_segments_and_faults),
	KUNIT_CASE(emu_unhandled),
	{}
};

static struct kunit_suite khv_emulate_suite = {
	.name = "khv_emulate",
	.test_cases = khv_emulate_cases,
};
kunit_test_suite(khv_emulate_suite);
