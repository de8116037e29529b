// SPDX-License-Identifier: GPL-2.0
/* Addressing forms, prefixes, segments, faults and undecodable bytes. */
#include <string.h>

#include "harness.h"
#include "test.h"

#define RAX	KHV_REG_RAX
#define RCX	KHV_REG_RCX
#define RDX	KHV_REG_RDX
#define RBX	KHV_REG_RBX
#define RSP	KHV_REG_RSP
#define RBP	KHV_REG_RBP
#define RSI	KHV_REG_RSI
#define RDI	KHV_REG_RDI

/* Run a store and return the linear address it wrote (~0 if none). */
static u64 addr_of(struct env *e, const u8 *insn, unsigned int n)
{
	e->last_addr = ~0ULL;
	if (emu_step(e, insn, n) > KHV_EMU_DONE_MMIO_WRITE)
		return ~0ULL;
	return e->last_addr;
}

#define ADDR(e, ...)	addr_of(e, BYTES(__VA_ARGS__), \
				sizeof(BYTES(__VA_ARGS__)))

/* 16-bit forms of SDM Vol. 2 Table 2-1, in real mode. */
TEST(addressing_16bit_table_2_1)
{
	struct env *e = env_reset(KHV_MODE_REAL);
	static const u16 sum[8] = {
		0x100 + 0x30, 0x100 + 0x4, 0x200 + 0x30, 0x200 + 0x4,
		0x30, 0x4, 0x200, 0x100,
	};
	unsigned int rm;

	e->vcpu.seg_base[KHV_SEG_DS] = 0xa0000;
	e->vcpu.seg_base[KHV_SEG_SS] = 0xb0000;
	e->vcpu.gpr[RBX] = 0xffff0100;	/* upper bits must not count */
	e->vcpu.gpr[RBP] = 0x200;
	e->vcpu.gpr[RSI] = 0x30;
	e->vcpu.gpr[RDI] = 0x4;
	for (rm = 0; rm < 8; rm++) {
		u64 seg = (rm == 2 || rm == 3 || rm == 6) ? 0xb0000 : 0xa0000;

		/* mod 1: disp8 -1 */
		CHECK_EQ(ADDR(e, 0x89, 0x40 | rm, 0xff),
			 seg + ((sum[rm] - 1) & 0xffff));
		/* mod 2: disp16 */
		CHECK_EQ(ADDR(e, 0x89, 0x80 | rm, 0x00, 0x10),
			 seg + ((sum[rm] + 0x1000) & 0xffff));
		if (rm != 6)
			CHECK_EQ(ADDR(e, 0x89, rm), seg + sum[rm]);
	}
	/* mod 0, rm 6: disp16 alone, DS. */
	CHECK_EQ(ADDR(e, 0x89, 0x06, 0x34, 0x12), 0xa1234);
	CHECK_EQ(e->last.len, 4);
	/* 16-bit wrap. */
	e->vcpu.gpr[RBX] = 0xffff;
	CHECK_EQ(ADDR(e, 0x89, 0x47, 0x02), 0xa0001);
	/* Overrides. */
	e->vcpu.gpr[RBX] = 0x100;
	CHECK_EQ(ADDR(e, 0x36, 0x89, 0x07), 0xb0100);
	CHECK_EQ(ADDR(e, 0x3e, 0x89, 0x46, 0x00), 0xa0200);
	/* 67 in 16-bit mode: 32-bit forms. */
	e->vcpu.gpr[RAX] = 0x10;
	CHECK_EQ(ADDR(e, 0x67, 0x89, 0x04, 0x43), 0xa0100 + 0x10 * 2);
}

/* 32-bit forms, SDM Vol. 2 Tables 2-2 and 2-3. */
TEST(addressing_32bit_modrm_sib)
{
	struct env *e = env_reset(KHV_MODE_PROT32);

	e->vcpu.seg_base[KHV_SEG_DS] = MMIO_BASE;
	e->vcpu.seg_base[KHV_SEG_SS] = LOW_MMIO_BASE;
	e->vcpu.gpr[RAX] = 0x10;
	e->vcpu.gpr[RBX] = 0x100;
	e->vcpu.gpr[RCX] = 0x3;
	e->vcpu.gpr[RSP] = 0x800;
	e->vcpu.gpr[RBP] = 0x900;
	/* [ebx+ecx*4] */
	CHECK_EQ(ADDR(e, 0x89, 0x04, 0x8b), MMIO_BASE + 0x10c);
	/* [ecx*8+disp32]: base 5 with mod 0 is no base. */
	CHECK_EQ(ADDR(e, 0x89, 0x04, 0xcd, 0x00, 0x02, 0, 0),
		 MMIO_BASE + 0x218);
	/* index 4 is none: [disp32] */
	CHECK_EQ(ADDR(e, 0x89, 0x04, 0x25, 0x40, 0, 0, 0), MMIO_BASE + 0x40);
	/* [esp+8] and [ebp-4] default to SS. */
	CHECK_EQ(ADDR(e, 0x89, 0x44, 0x24, 0x08), LOW_MMIO_BASE + 0x808);
	CHECK_EQ(ADDR(e, 0x89, 0x45, 0xfc), LOW_MMIO_BASE + 0x8fc);
	/* [ebp+ecx*1] via SIB with mod 1 also SS. */
	CHECK_EQ(ADDR(e, 0x89, 0x44, 0x0d, 0x00), LOW_MMIO_BASE + 0x903);
	/* mod 0 rm 5: disp32, not RIP-relative outside 64-bit mode. */
	CHECK_EQ(ADDR(e, 0x89, 0x05, 0x00, 0x01, 0, 0), MMIO_BASE + 0x100);
	/* [eax+ecx*2+disp32] */
	CHECK_EQ(ADDR(e, 0x89, 0x84, 0x48, 0x00, 0x10, 0, 0),
		 MMIO_BASE + 0x1016);
	/* 32-bit wrap of ea and of linear address. */
	e->vcpu.gpr[RBX] = 0xffffffff;
	CHECK_EQ(ADDR(e, 0x89, 0x43, 0x11), MMIO_BASE + 0x10);
	e->vcpu.seg_base[KHV_SEG_DS] = 0xffffff00;
	e->vcpu.gpr[RBX] = 0x200;
	CHECK_EQ(ADDR(e, 0x89, 0x03), 0x100);
	/* 67: 16-bit forms in 32-bit mode. */
	e->vcpu.seg_base[KHV_SEG_DS] = MMIO_BASE;
	e->vcpu.gpr[RBX] = 0x12340040;
	CHECK_EQ(ADDR(e, 0x67, 0x89, 0x07), MMIO_BASE + 0x40);
}

TEST(addressing_64bit_rex_and_special_cases)
{
	struct env *e = env_reset(KHV_MODE_LONG64);

	e->vcpu.gpr[RAX] = MMIO_BASE;
	e->vcpu.gpr[12] = 0x40;
	e->vcpu.gpr[13] = MMIO_BASE + 0x80;
	/* [rax+r12]: REX.X makes index 4 (r12) valid. */
	CHECK_EQ(ADDR(e, 0x42, 0x89, 0x0c, 0x20), MMIO_BASE + 0x40);
	/* [r12] needs a SIB; r12 as base. */
	e->vcpu.gpr[12] = MMIO_BASE + 0x20;
	CHECK_EQ(ADDR(e, 0x41, 0x89, 0x0c, 0x24), MMIO_BASE + 0x20);
	/* [r13] needs mod 1. */
	CHECK_EQ(ADDR(e, 0x41, 0x89, 0x4d, 0x00), MMIO_BASE + 0x80);
	/* SIB base 5 (r13 with REX.B), mod 0: disp32, no base. */
	CHECK_EQ(ADDR(e, 0x41, 0x89, 0x0c, 0x25, 0x10, 0x00, 0x0a, 0x00),
		 LOW_MMIO_BASE + 0x10);
	/* [r12*8+disp32] */
	e->vcpu.gpr[12] = 2;
	CHECK_EQ(ADDR(e, 0x4a, 0x89, 0x0c, 0xe5, 0x00, 0x00, 0x0a, 0x00),
		 LOW_MMIO_BASE + 0x10);
	/* disp32 is sign-extended to 64 bits: this is not MMIO_BASE. */
	CHECK_EQ(ADDR(e, 0x89, 0x0c, 0x25, 0x00, 0x00, 0x00, 0xd0), ~0ULL);
	CHECK_EQ(e->last.fault.address, 0xffffffffd0000000ULL);
	/* Negative displacement with a 64-bit base. */
	e->vcpu.gpr[RBX] = MMIO_BASE + 0x100;
	CHECK_EQ(ADDR(e, 0x89, 0x8b, 0x00, 0xff, 0xff, 0xff),
		 MMIO_BASE);
	/* 67: 32-bit effective address. */
	e->vcpu.gpr[RSI] = 0xffffffff00000000ULL | (MMIO_BASE + 4);
	CHECK_EQ(ADDR(e, 0x67, 0x89, 0x0e), MMIO_BASE + 4);
	CHECK_EQ(e->last.ad_size, 4);
}

TEST(addressing_rip_relative)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.rip = MMIO_BASE - 0x1000;
	/* mov [rip+0x1000], ecx: 6 bytes */
	CHECK_EQ(ADDR(e, 0x89, 0x0d, 0x00, 0x10, 0x00, 0x00),
		 MMIO_BASE + 6);
	/* RIP advanced by 6: relative to the end of the instruction. */
	CHECK_EQ(e->vcpu.rip, MMIO_BASE - 0x1000 + 6);
	/* With an immediate after the displacement: 10 bytes. */
	e->vcpu.rip = MMIO_BASE - 0x1000;
	rc = RUN(e, 0xc7, 0x05, 0xf6, 0x0f, 0x00, 0x00, 0x78, 0x56, 0x34,
		 0x12);
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[e->nr_log - 1].addr, MMIO_BASE);
	CHECK_EQ(e->log[e->nr_log - 1].data, 0x12345678);
	CHECK(e->last.rip_relative);
	/* Negative displacement, and with a group-1 immediate. */
	e->vcpu.rip = MMIO_BASE + 0x100;
	env_queue_read(e, 1);
	rc = RUN(e, 0x83, 0x05, 0xf9, 0xfe, 0xff, 0xff, 0x01);
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[e->nr_log - 1].addr, MMIO_BASE);
	CHECK_EQ(e->log[e->nr_log - 1].data, 2);
	/* 67: EIP-relative, wraps at 4 GiB. */
	e->vcpu.rip = 0x100000000ULL | (MMIO_BASE - 0x10);
	CHECK_EQ(ADDR(e, 0x67, 0x89, 0x0d, 0x09, 0x00, 0x00, 0x00),
		 MMIO_BASE + 0x0);
	/* mod 0 rm 5 via SIB is absolute, not RIP-relative. */
	CHECK_EQ(ADDR(e, 0x89, 0x0c, 0x25, 0x08, 0x00, 0x0a, 0x00),
		 LOW_MMIO_BASE + 8);
}

TEST(segments_in_64bit_mode)
{
	struct env *e = env_reset(KHV_MODE_LONG64);

	e->vcpu.seg_base[KHV_SEG_DS] = 0x1000;
	e->vcpu.seg_base[KHV_SEG_ES] = 0x1000;
	e->vcpu.seg_base[KHV_SEG_SS] = 0x1000;
	e->vcpu.seg_base[KHV_SEG_FS] = MMIO_BASE;
	e->vcpu.seg_base[KHV_SEG_GS] = MMIO_BASE + 0x100;
	e->vcpu.gpr[RSI] = MMIO_BASE;
	e->vcpu.gpr[RSP] = MMIO_BASE + 0x8;
	/* No base for DS, SS; CS/DS/ES/SS overrides are ignored. */
	CHECK_EQ(ADDR(e, 0x89, 0x06), MMIO_BASE);
	CHECK_EQ(ADDR(e, 0x89, 0x04, 0x24), MMIO_BASE + 0x8);
	CHECK_EQ(ADDR(e, 0x26, 0x89, 0x06), MMIO_BASE);
	CHECK_EQ(ADDR(e, 0x3e, 0x89, 0x06), MMIO_BASE);
	/* FS and GS bases apply. */
	e->vcpu.gpr[RSI] = 0x10;
	CHECK_EQ(ADDR(e, 0x64, 0x89, 0x06), MMIO_BASE + 0x10);
	CHECK_EQ(ADDR(e, 0x65, 0x89, 0x06), MMIO_BASE + 0x110);
	CHECK_EQ(ADDR(e, 0x65, 0x48, 0x89, 0x04, 0x25, 0x08, 0, 0, 0),
		 MMIO_BASE + 0x108);
}

TEST(prefix_order_and_operand_size)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.gpr[RSI] = MMIO_BASE;
	e->vcpu.gpr[RAX] = 0x1122334455667788ULL;
	/* 66 REX.W: REX.W wins (SDM Vol. 2 2.2.1.2). */
	rc = RUN(e, 0x66, 0x48, 0x89, 0x06);
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[e->nr_log - 1].len, 8);
	/* REX then 66: the REX is not last, so it is ignored. */
	rc = RUN(e, 0x48, 0x66, 0x89, 0x06);
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[e->nr_log - 1].len, 2);
	/* Ignored REX also loses REX.B: [rsi], not [r14]. */
	e->vcpu.gpr[14] = 0x5000;
	rc = RUN(e, 0x41, 0x66, 0x89, 0x06);
	CHECK_EQ(e->log[e->nr_log - 1].addr, MMIO_BASE);
	/* Two REX prefixes: only the last counts. */
	rc = RUN(e, 0x48, 0x40, 0x89, 0x06);
	CHECK_EQ(e->log[e->nr_log - 1].len, 4);
	/* F3 on a MOV is ignored (XRELEASE hint). */
	rc = RUN(e, 0xf3, 0x89, 0x06);
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	/* 16-bit mode: 66 selects 32-bit operands. */
	e = env_reset(KHV_MODE_PROT16);
	e->vcpu.seg_base[KHV_SEG_DS] = LOW_MMIO_BASE;
	e->vcpu.gpr[RAX] = 0x11223344;
	rc = RUN(e, 0x66, 0x89, 0x06, 0x00, 0x01);
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[0].len, 4);
	CHECK_EQ(e->log[0].addr, LOW_MMIO_BASE + 0x100);
	rc = RUN(e, 0x89, 0x06, 0x00, 0x01);
	CHECK_EQ(e->log[1].len, 2);
}

TEST(unhandled_instructions_touch_nothing)
{
	static const struct {
		u8 b[8];
		unsigned int n;
	} bad[] = {
		{ { 0x0f, 0x0b }, 2 },				/* UD2 */
		{ { 0xc5, 0xf8, 0x77 }, 3 },			/* VZEROUPPER */
		{ { 0xc4, 0xe2, 0x79, 0x18, 0x06 }, 5 },	/* VEX3 */
		{ { 0x62, 0xf1, 0x7c, 0x48, 0x10, 0x06 }, 6 },	/* EVEX */
		{ { 0x0f, 0x10, 0x06 }, 3 },			/* MOVUPS */
		{ { 0x66, 0x0f, 0x6f, 0x06 }, 4 },		/* MOVDQA */
		{ { 0xf3, 0x0f, 0x6f, 0x06 }, 4 },		/* MOVDQU */
		{ { 0x0f, 0x11, 0x06 }, 3 },			/* MOVUPS st */
		{ { 0x90 }, 1 },				/* NOP */
		{ { 0xff, 0x06 }, 2 },				/* INC m32 */
		{ { 0x8f, 0x06 }, 2 },				/* POP m */
		{ { 0x82, 0x06, 0x01 }, 3 },		/* invalid in 64 */
		{ { 0xa6 }, 1 },				/* CMPSB */
		{ { 0xae }, 1 },				/* SCASB */
		{ { 0x0f, 0xb0, 0x0e }, 3 },			/* CMPXCHG */
		{ { 0x0f, 0xc1, 0x0e }, 3 },			/* XADD */
		{ { 0x48, 0x89 }, 2 },			/* truncated ModRM */
		{ { 0xc7, 0x06, 0x78, 0x56 }, 4 },	/* truncated imm */
		{ { 0x89, 0x04 }, 2 },			/* truncated SIB */
		{ { 0x89, 0x80, 0x00 }, 3 },		/* truncated disp */
		{ { 0x48 }, 1 },			/* REX alone */
		{ { 0x0f }, 1 },			/* escape alone */
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct env *e = env_reset(KHV_MODE_LONG64);
		int rc;

		e->vcpu.gpr[RSI] = MMIO_BASE;
		e->vcpu.gpr[RAX] = MMIO_BASE;
		rc = emu_step(e, bad[i].b, bad[i].n);
		if (rc != KHV_EMU_UNHANDLED) {
			test_fail(__FILE__, __LINE__,
				  "case %u (%02x %02x): rc %d", i,
				  bad[i].b[0], bad[i].b[1], rc);
			return;
		}
		CHECK_EQ(e->nr_log, 0);
		CHECK_EQ(e->ram_accesses, 0);
		CHECK_EQ(e->vcpu.rip, 0x1000);
	}
}

TEST(instruction_longer_than_15_bytes_is_gp)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	u8 b[15];
	int rc;

	memset(b, 0x66, sizeof(b));
	rc = emu_step(e, b, sizeof(b));
	CHECK_EQ(rc, KHV_EMU_FAULT);
	CHECK_EQ(e->last.fault.vector, KHV_VEC_GP);
	CHECK_EQ(e->last.fault.error_code, 0);
}

TEST(fetch_callback_supplies_missing_bytes)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->use_fetch = true;
	e->vcpu.gpr[RSI] = MMIO_BASE;
	e->vcpu.gpr[RAX] = 0x99;
	ram_write(e, 0x1000, 0x12345678068948ULL, 7);	/* 48 89 06 */
	rc = emu_step(e, NULL, 0);
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[0].len, 8);
	CHECK_EQ(e->vcpu.rip, 0x1003);
	/* Partly given: the rest comes from CS:RIP+n. */
	e->vcpu.rip = 0x1000;
	ram_write(e, 0x1002, 0x12345678, 4);		/* c7 06 imm32 */
	rc = emu_step(e, BYTES(0xc7, 0x06), 2);
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[1].data, 0x12345678);

	/* 32-bit mode: CS base applies. */
	e = env_reset(KHV_MODE_PROT32);
	e->use_fetch = true;
	e->vcpu.seg_base[KHV_SEG_CS] = 0x2000;
	e->vcpu.rip = 0x10;
	e->vcpu.gpr[RSI] = MMIO_BASE;
	ram_write(e, 0x2010, 0x0689, 2);
	rc = emu_step(e, NULL, 0);
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);

	/* A fetch fault is reported as such. */
	e = env_reset(KHV_MODE_LONG64);
	e->use_fetch = true;
	e->vcpu.rip = RAM_SIZE - 1;
	ram_write(e, RAM_SIZE - 1, 0x89, 1);
	rc = emu_step(e, NULL, 0);
	CHECK_EQ(rc, KHV_EMU_FAULT);
	CHECK_EQ(e->last.fault.vector, KHV_VEC_PF);
	CHECK_EQ(e->last.fault.address, RAM_SIZE);
}

TEST(memory_faults_are_passed_through)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.gpr[RSI] = 0x12345678;
	rc = RUN(e, 0x89, 0x06);
	CHECK_EQ(rc, KHV_EMU_FAULT);
	CHECK_EQ(e->last.fault.vector, KHV_VEC_PF);
	CHECK_EQ(e->last.fault.address, 0x12345678);
	CHECK_EQ(e->last.fault.error_code, 2);
	CHECK_EQ(e->vcpu.rip, 0x1000);
	/* RMW: the fault on the read leaves the destination alone. */
	rc = RUN(e, 0x01, 0x06);
	CHECK_EQ(rc, KHV_EMU_FAULT);
	CHECK_EQ(e->last.fault.error_code, 0);
	/* MOVS: fault on the write after a good read: nothing committed. */
	e->vcpu.gpr[RSI] = 0x2000;
	e->vcpu.gpr[RDI] = 0x12345678;
	rc = RUN(e, 0xa4);
	CHECK_EQ(rc, KHV_EMU_FAULT);
	CHECK_EQ(e->vcpu.gpr[RSI], 0x2000);
}

TEST(non_canonical_is_gp_or_ss)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.gpr[RSI] = 0x0000800000000000ULL;
	rc = RUN(e, 0x89, 0x06);
	CHECK_EQ(rc, KHV_EMU_FAULT);
	CHECK_EQ(e->last.fault.vector, KHV_VEC_GP);
	CHECK_EQ(e->last.fault.error_code, 0);
	e->vcpu.gpr[RSP] = 0x0000800000000000ULL;
	rc = RUN(e, 0x89, 0x04, 0x24);
	CHECK_EQ(rc, KHV_EMU_FAULT);
	CHECK_EQ(e->last.fault.vector, KHV_VEC_SS);
	/* Straddling the top of the lower half. */
	e->vcpu.gpr[RSI] = 0x00007ffffffffffcULL;
	rc = RUN(e, 0x48, 0x89, 0x06);
	CHECK_EQ(rc, KHV_EMU_FAULT);
	CHECK_EQ(e->last.fault.vector, KHV_VEC_GP);
	/* With LA57 the address is canonical: the callback decides. */
	e->vcpu.la57 = true;
	e->vcpu.gpr[RSI] = 0x0000800000000000ULL;
	rc = RUN(e, 0x89, 0x06);
	CHECK_EQ(rc, KHV_EMU_FAULT);
	CHECK_EQ(e->last.fault.vector, KHV_VEC_PF);
	e->vcpu.gpr[RSI] = 0x0100000000000000ULL;
	rc = RUN(e, 0x89, 0x06);
	CHECK_EQ(e->last.fault.vector, KHV_VEC_GP);
	/* FS base counts toward the check. */
	e = env_reset(KHV_MODE_LONG64);
	e->vcpu.seg_base[KHV_SEG_FS] = 0x7ffffffffff0ULL;
	e->vcpu.gpr[RSI] = 0x20;
	rc = RUN(e, 0x64, 0x89, 0x06);
	CHECK_EQ(e->last.fault.vector, KHV_VEC_GP);
}
