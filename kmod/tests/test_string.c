// SPDX-License-Identifier: GPL-2.0
/* MOVS, STOS, LODS: one iteration per call, REP, DF, address sizes. */
#include "harness.h"
#include "test.h"

#define RAX	KHV_REG_RAX
#define RCX	KHV_REG_RCX
#define RSI	KHV_REG_RSI
#define RDI	KHV_REG_RDI

TEST(movsb_ram_to_mmio_no_rep)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	ram_write(e, 0x2000, 'x', 1);
	e->vcpu.gpr[RSI] = 0x2000;
	e->vcpu.gpr[RDI] = MMIO_BASE;
	e->vcpu.gpr[RCX] = 5;
	rc = RUN(e, 0xa4);
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[0].data, 'x');
	CHECK_EQ(e->log[0].addr, MMIO_BASE);
	CHECK_EQ(e->vcpu.gpr[RSI], 0x2001);
	CHECK_EQ(e->vcpu.gpr[RDI], MMIO_BASE + 1);
	CHECK_EQ(e->vcpu.gpr[RCX], 5);			/* no REP */
	CHECK_EQ(e->vcpu.rip, 0x1001);
}

TEST(rep_movsd_iterates_one_element_per_call)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int i, rc;

	for (i = 0; i < 3; i++)
		ram_write(e, 0x2000 + 4 * i, 0x11111111 * (i + 1), 4);
	e->vcpu.gpr[RSI] = 0x2000;
	e->vcpu.gpr[RDI] = MMIO_BASE + 0x100;
	e->vcpu.gpr[RCX] = 3;
	for (i = 0; i < 3; i++) {
		rc = RUN(e, 0xf3, 0xa5);
		CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
		CHECK_EQ(e->log[i].addr, MMIO_BASE + 0x100 + 4 * i);
		CHECK_EQ(e->log[i].len, 4);
		CHECK_EQ(e->log[i].data, 0x11111111ULL * (i + 1));
		CHECK_EQ(e->vcpu.gpr[RCX], 2 - i);
		CHECK_EQ(e->vcpu.gpr[RSI], 0x2000 + 4 * (i + 1));
		/* RIP stays on the instruction until RCX reaches 0. */
		CHECK_EQ(e->vcpu.rip, i < 2 ? 0x1000 : 0x1002);
	}
}

TEST(rep_movs_df_set_goes_down)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.rflags |= KHV_FLAG_DF;
	e->vcpu.gpr[RSI] = 0x2008;
	e->vcpu.gpr[RDI] = MMIO_BASE + 0x108;
	e->vcpu.gpr[RCX] = 2;
	ram_write(e, 0x2008, 0xaabbccddeeff0011ULL, 8);
	rc = RUN(e, 0xf3, 0x48, 0xa5);			/* rep movsq */
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[0].len, 8);
	CHECK_EQ(e->log[0].data, 0xaabbccddeeff0011ULL);
	CHECK_EQ(e->vcpu.gpr[RSI], 0x2000);
	CHECK_EQ(e->vcpu.gpr[RDI], MMIO_BASE + 0x100);
	CHECK_EQ(e->vcpu.gpr[RCX], 1);
	CHECK_EQ(e->vcpu.rip, 0x1000);
	rc = RUN(e, 0xf3, 0x48, 0xa5);
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->vcpu.gpr[RSI], 0x1ff8);
	CHECK_EQ(e->vcpu.gpr[RCX], 0);
	CHECK_EQ(e->vcpu.rip, 0x1003);
}

TEST(movs_mmio_to_ram_and_mmio_to_mmio)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.gpr[RSI] = MMIO_BASE;
	e->vcpu.gpr[RDI] = 0x3000;
	env_queue_read(e, 0x55aa);
	rc = RUN(e, 0x66, 0xa5);			/* movsw */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK(!e->broke_restart);
	CHECK_EQ(e->exits, 1);
	CHECK_EQ(ram_read(e, 0x3000, 4), 0x55aa);
	CHECK_EQ(e->vcpu.gpr[RSI], MMIO_BASE + 2);
	CHECK_EQ(e->vcpu.gpr[RDI], 0x3002);

	e->vcpu.gpr[RDI] = MMIO_BASE + 0x800;
	env_queue_read(e, 0x12345678);
	rc = RUN(e, 0xa5);				/* movsd */
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->exits, 3);
	CHECK_EQ(e->log[1].addr, MMIO_BASE + 2);
	CHECK(!e->log[1].is_write);
	CHECK_EQ(e->log[2].addr, MMIO_BASE + 0x800);
	CHECK_EQ(e->log[2].data, 0x12345678);
}

TEST(rep_with_zero_count_is_a_nop)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.gpr[RSI] = MMIO_BASE;
	e->vcpu.gpr[RDI] = MMIO_BASE;
	e->vcpu.gpr[RCX] = 0;
	rc = RUN(e, 0xf3, 0xa4);
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->nr_log, 0);
	CHECK_EQ(e->vcpu.rip, 0x1002);
	CHECK_EQ(e->vcpu.gpr[RSI], MMIO_BASE);
	/* With a 32-bit address size only ECX counts. */
	e->vcpu.gpr[RCX] = 0x100000000ULL;
	rc = RUN(e, 0xf3, 0x67, 0xab);
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->nr_log, 0);
}

TEST(rep_stos_like_memset_io)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int i, rc;

	e->vcpu.gpr[RAX] = 0x0101010101010101ULL;
	e->vcpu.gpr[RDI] = MMIO_BASE + 0x10;
	e->vcpu.gpr[RCX] = 2;
	for (i = 0; i < 2; i++) {
		rc = RUN(e, 0xf3, 0x48, 0xab);		/* rep stosq */
		CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
		CHECK_EQ(e->log[i].addr, MMIO_BASE + 0x10 + 8 * i);
		CHECK_EQ(e->log[i].data, 0x0101010101010101ULL);
	}
	CHECK_EQ(e->vcpu.gpr[RDI], MMIO_BASE + 0x20);
	CHECK_EQ(e->vcpu.rip, 0x1003);
	rc = RUN(e, 0xaa);				/* stosb */
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[2].len, 1);
	rc = RUN(e, 0x66, 0xab);			/* stosw */
	CHECK_EQ(e->log[3].len, 2);
	CHECK_EQ(e->log[3].addr, MMIO_BASE + 0x21);
	CHECK_EQ(e->vcpu.gpr[RDI], MMIO_BASE + 0x23);
}

TEST(lods_loads_the_accumulator)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.gpr[RAX] = ~0ULL;
	e->vcpu.gpr[RSI] = MMIO_BASE;
	env_queue_read(e, 0x87654321);
	rc = RUN(e, 0xad);				/* lodsd */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RAX], 0x87654321);
	CHECK_EQ(e->vcpu.gpr[RSI], MMIO_BASE + 4);
	env_queue_read(e, 0x99);
	e->vcpu.gpr[RCX] = 1;
	rc = RUN(e, 0xf3, 0xac);			/* rep lodsb */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RAX], 0x87654399);
	CHECK_EQ(e->vcpu.gpr[RCX], 0);
	CHECK_EQ(e->vcpu.rip, 0x1003);
	CHECK(!e->broke_restart);
}

TEST(string_16bit_address_size_wraps_and_keeps_upper_bits)
{
	struct env *e = env_reset(KHV_MODE_PROT32);
	int rc;

	e->vcpu.seg_base[KHV_SEG_DS] = 0x10000;
	e->vcpu.seg_base[KHV_SEG_ES] = MMIO_BASE;
	e->vcpu.gpr[RSI] = 0x1230ffff;
	e->vcpu.gpr[RDI] = 0x4560fffe;
	e->vcpu.gpr[RCX] = 0xabcd0002;
	ram_write(e, 0x1ffff, 0x42, 1);
	rc = RUN(e, 0x67, 0xf3, 0x66, 0xa4);		/* rep movsb, a16 */
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[0].addr, MMIO_BASE + 0xfffe);
	CHECK_EQ(e->log[0].data, 0x42);
	CHECK_EQ(e->vcpu.gpr[RSI], 0x12300000);
	CHECK_EQ(e->vcpu.gpr[RDI], 0x4560ffff);
	CHECK_EQ(e->vcpu.gpr[RCX], 0xabcd0001);
	CHECK_EQ(e->vcpu.rip, 0x1000);
}

TEST(string_32bit_address_size_in_64bit_mode)
{
	struct env *e = env_reset(KHV_MODE_LONG64);
	int rc;

	e->vcpu.gpr[RSI] = 0xffffffff00002000ULL;
	e->vcpu.gpr[RDI] = 0x12300000000ULL | MMIO_BASE;
	ram_write(e, 0x2000, 0x77, 1);
	rc = RUN(e, 0x67, 0xa4);
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[0].addr, MMIO_BASE);
	/* 32-bit register updates zero-extend. */
	CHECK_EQ(e->vcpu.gpr[RSI], 0x2001);
	CHECK_EQ(e->vcpu.gpr[RDI], MMIO_BASE + 1);
}

TEST(string_real_mode_rep_uses_cx)
{
	struct env *e = env_reset(KHV_MODE_REAL);
	int rc;

	e->vcpu.seg_base[KHV_SEG_DS] = 0x5000;
	e->vcpu.seg_base[KHV_SEG_ES] = 0xa0000;
	e->vcpu.gpr[RSI] = 0x10;
	e->vcpu.gpr[RDI] = 0x20;
	e->vcpu.gpr[RCX] = 0x10001;
	ram_write(e, 0x5010, 0xbeef, 2);
	rc = RUN(e, 0xf3, 0xa5);			/* rep movsw */
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[0].addr, 0xa0020);
	CHECK_EQ(e->log[0].len, 2);
	CHECK_EQ(e->log[0].data, 0xbeef);
	CHECK_EQ(e->vcpu.gpr[RCX], 0x10000);
	CHECK_EQ(e->vcpu.rip, 0x1002);
	CHECK_EQ(e->vcpu.gpr[RSI], 0x12);
}

TEST(string_segments_source_override_only)
{
	struct env *e = env_reset(KHV_MODE_PROT32);
	int rc;

	e->vcpu.seg_base[KHV_SEG_DS] = 0x100;
	e->vcpu.seg_base[KHV_SEG_CS] = 0x200;
	e->vcpu.seg_base[KHV_SEG_ES] = MMIO_BASE;
	e->vcpu.gpr[RSI] = 0x1000;
	e->vcpu.gpr[RDI] = 0x10;
	ram_write(e, 0x1200, 0x31, 1);
	rc = RUN(e, 0x2e, 0xa4);			/* movsb cs:[esi] */
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[0].addr, MMIO_BASE + 0x10);
	CHECK_EQ(e->log[0].data, 0x31);

	/* 64-bit: FS applies to the source, ES base never. */
	e = env_reset(KHV_MODE_LONG64);
	e->vcpu.seg_base[KHV_SEG_FS] = 0x3000;
	e->vcpu.seg_base[KHV_SEG_ES] = 0x1000;
	e->vcpu.gpr[RSI] = 0x8;
	e->vcpu.gpr[RDI] = MMIO_BASE;
	ram_write(e, 0x3008, 0x64, 1);
	rc = RUN(e, 0x64, 0xa4);
	CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);
	CHECK_EQ(e->log[0].addr, MMIO_BASE);
	CHECK_EQ(e->log[0].data, 0x64);
}

TEST(string_repne_is_unhandled)
{
	struct env *e = env_reset(KHV_MODE_LONG64);

	e->vcpu.gpr[RCX] = 1;
	CHECK_EQ(RUN(e, 0xf2, 0xa4), KHV_EMU_UNHANDLED);
}
