// SPDX-License-Identifier: GPL-2.0
/* MOV, MOVZX/MOVSX/MOVSXD, MOVNTI through the fake MMIO window. */
#include "harness.h"
#include "test.h"

#define RAX	KHV_REG_RAX
#define RCX	KHV_REG_RCX
#define RBX	KHV_REG_RBX
#define RSP	KHV_REG_RSP
#define RSI	KHV_REG_RSI
#define RDI	KHV_REG_RDI

/* Expect one MMIO write of len bytes of val, then commit. */
#define CHECK_WRITE(e, rc, a, l, v)					\
	do {								\
		CHECK_EQ(rc, KHV_EMU_DONE_MMIO_WRITE);			\
		CHECK((e)->nr_log >= 1);				\
		CHECK((e)->log[(e)->nr_log - 1].is_write);		\
		CHECK_EQ((e)->log[(e)->nr_log - 1].addr, a);		\
		CHECK_EQ((e)->log[(e)->nr_log - 1].len, l);		\
		CHECK_EQ((e)->log[(e)->nr_log - 1].data, v);		\
		CHECK(!(e)->broke_restart);				\
	} while (0)

static struct env *env64(void)
{
	struct env *e = env_reset(KHV_MODE_LONG64);

	e->vcpu.gpr[RAX] = 0x1122334455667788ULL;
	e->vcpu.gpr[RBX] = MMIO_BASE;
	e->vcpu.gpr[RSI] = MMIO_BASE + 0x40;
	return e;
}

TEST(mov_store_all_sizes)
{
	struct env *e = env64();
	int rc;

	rc = RUN(e, 0x88, 0x03);			/* mov [rbx], al */
	CHECK_WRITE(e, rc, MMIO_BASE, 1, 0x88);
	CHECK_EQ(e->vcpu.rip, 0x1002);
	CHECK_EQ(e->exits, 1);
	rc = RUN(e, 0x88, 0x23);			/* mov [rbx], ah */
	CHECK_WRITE(e, rc, MMIO_BASE, 1, 0x77);
	e->vcpu.gpr[RSP] = 0xabcd;
	rc = RUN(e, 0x40, 0x88, 0x23);			/* mov [rbx], spl */
	CHECK_WRITE(e, rc, MMIO_BASE, 1, 0xcd);
	CHECK_EQ(e->vcpu.rip, 0x1002 + 2 + 3);
	rc = RUN(e, 0x66, 0x89, 0x03);			/* mov [rbx], ax */
	CHECK_WRITE(e, rc, MMIO_BASE, 2, 0x7788);
	rc = RUN(e, 0x89, 0x03);			/* mov [rbx], eax */
	CHECK_WRITE(e, rc, MMIO_BASE, 4, 0x55667788);
	rc = RUN(e, 0x48, 0x89, 0x03);			/* mov [rbx], rax */
	CHECK_WRITE(e, rc, MMIO_BASE, 8, 0x1122334455667788ULL);
	e->vcpu.gpr[8] = 0xfeedULL;
	rc = RUN(e, 0x4c, 0x89, 0x03);			/* mov [rbx], r8 */
	CHECK_WRITE(e, rc, MMIO_BASE, 8, 0xfeed);
	e->vcpu.gpr[9] = MMIO_BASE + 8;
	rc = RUN(e, 0x41, 0x89, 0x01);			/* mov [r9], eax */
	CHECK_WRITE(e, rc, MMIO_BASE + 8, 4, 0x55667788);
	e->vcpu.gpr[10] = 0x1ff;
	rc = RUN(e, 0x45, 0x88, 0x11);			/* mov [r9], r10b */
	CHECK_WRITE(e, rc, MMIO_BASE + 8, 1, 0xff);
	/* No register changed but RIP. */
	CHECK_EQ(e->vcpu.gpr[RAX], 0x1122334455667788ULL);
	CHECK_EQ(e->vcpu.rflags, 0x2);
}

TEST(mov_load_all_sizes_and_extension)
{
	struct env *e = env64();
	int rc;

	e->vcpu.gpr[RAX] = ~0ULL;
	env_queue_read(e, 0xab);
	rc = RUN(e, 0x8a, 0x06);			/* mov al, [rsi] */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->exits, 1);
	CHECK(!e->broke_restart);
	CHECK_EQ(e->log[0].addr, MMIO_BASE + 0x40);
	CHECK_EQ(e->log[0].len, 1);
	CHECK_EQ(e->vcpu.gpr[RAX], 0xffffffffffffffabULL);
	CHECK_EQ(e->vcpu.rip, 0x1002);

	e->vcpu.gpr[RBX] = 0;
	env_queue_read(e, 0x5a);
	rc = RUN(e, 0x8a, 0x3e);			/* mov bh, [rsi] */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RBX], 0x5a00);
	CHECK_EQ(e->vcpu.gpr[RDI], 0);

	e->vcpu.gpr[RDI] = 0x1234;
	env_queue_read(e, 0x77);
	rc = RUN(e, 0x40, 0x8a, 0x3e);			/* mov dil, [rsi] */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RDI], 0x1277);
	CHECK_EQ(e->vcpu.gpr[RBX], 0x5a00);

	e->vcpu.gpr[RAX] = ~0ULL;
	env_queue_read(e, 0x1234);
	rc = RUN(e, 0x66, 0x8b, 0x06);			/* mov ax, [rsi] */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->last.ad_size, 8);
	CHECK_EQ(e->log[e->nr_log - 1].len, 2);
	CHECK_EQ(e->vcpu.gpr[RAX], 0xffffffffffff1234ULL);

	env_queue_read(e, 0x89abcdef);
	rc = RUN(e, 0x8b, 0x06);			/* mov eax, [rsi] */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RAX], 0x89abcdefULL);

	env_queue_read(e, 0x8877665544332211ULL);
	rc = RUN(e, 0x48, 0x8b, 0x06);			/* mov rax, [rsi] */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->log[e->nr_log - 1].len, 8);
	CHECK_EQ(e->vcpu.gpr[RAX], 0x8877665544332211ULL);

	e->vcpu.gpr[15] = ~0ULL;
	env_queue_read(e, 0xcafe);
	rc = RUN(e, 0x44, 0x8b, 0x3e);			/* mov r15d, [rsi] */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[15], 0xcafe);
	CHECK(!e->broke_restart);
}

TEST(mov_load_in_32bit_mode_zero_extends)
{
	struct env *e = env_reset(KHV_MODE_PROT32);
	int rc;

	e->vcpu.gpr[RSI] = MMIO_BASE;
	e->vcpu.gpr[RCX] = 0xdeadbeef00000000ULL;
	env_queue_read(e, 0x12345678);
	rc = RUN(e, 0x8b, 0x0e);			/* mov ecx, [esi] */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RCX], 0x12345678);
	/* 48 is DEC EAX outside 64-bit mode: not REX, not handled. */
	CHECK_EQ(RUN(e, 0x48, 0x8b, 0x0e), KHV_EMU_UNHANDLED);
}

TEST(mov_immediate_forms)
{
	struct env *e = env64();
	int rc;

	rc = RUN(e, 0xc6, 0x06, 0x5a);			/* mov byte [rsi], 5a */
	CHECK_WRITE(e, rc, MMIO_BASE + 0x40, 1, 0x5a);
	CHECK_EQ(e->vcpu.rip, 0x1003);
	rc = RUN(e, 0xc6, 0x46, 0x10, 0xaa);		/* [rsi+10] */
	CHECK_WRITE(e, rc, MMIO_BASE + 0x50, 1, 0xaa);
	rc = RUN(e, 0x66, 0xc7, 0x06, 0x34, 0x12);
	CHECK_WRITE(e, rc, MMIO_BASE + 0x40, 2, 0x1234);
	rc = RUN(e, 0xc7, 0x06, 0x78, 0x56, 0x34, 0x12);
	CHECK_WRITE(e, rc, MMIO_BASE + 0x40, 4, 0x12345678);
	/* REX.W: imm32 sign-extended to 64 bits. */
	rc = RUN(e, 0x48, 0xc7, 0x06, 0x00, 0x00, 0x00, 0x80);
	CHECK_WRITE(e, rc, MMIO_BASE + 0x40, 8, 0xffffffff80000000ULL);
	CHECK_EQ(e->last.len, 7);
	/* Register form: mov eax, imm32 zero-extends. */
	rc = RUN(e, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff);
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RAX], 0xffffffffULL);
	/* C6 /1 and C7 F8 (XBEGIN) are not MOV. */
	CHECK_EQ(RUN(e, 0xc6, 0x0e, 0x00), KHV_EMU_UNHANDLED);
	CHECK_EQ(RUN(e, 0xc7, 0xf8, 0, 0, 0, 0), KHV_EMU_UNHANDLED);
}

TEST(mov_moffs_64bit)
{
	struct env *e = env64();
	int rc;

	env_queue_read(e, 0xa1b2c3d4);
	rc = RUN(e, 0xa1, 0x10, 0x00, 0x00, 0xd0, 0, 0, 0, 0);
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RAX], 0xa1b2c3d4);
	CHECK_EQ(e->log[0].addr, MMIO_BASE + 0x10);
	CHECK_EQ(e->vcpu.rip, 0x1009);

	env_queue_read(e, 0xee);
	rc = RUN(e, 0xa0, 0x11, 0x00, 0x00, 0xd0, 0, 0, 0, 0);
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RAX], 0xa1b2c3ee);

	e->vcpu.gpr[RAX] = 0x0102030405060708ULL;
	rc = RUN(e, 0x48, 0xa3, 0x20, 0x00, 0x00, 0xd0, 0, 0, 0, 0);
	CHECK_WRITE(e, rc, MMIO_BASE + 0x20, 8, 0x0102030405060708ULL);
	CHECK_EQ(e->vcpu.rip, 0x1009 + 9 + 10);
	rc = RUN(e, 0xa2, 0x21, 0x00, 0x00, 0xd0, 0, 0, 0, 0);
	CHECK_WRITE(e, rc, MMIO_BASE + 0x21, 1, 0x08);
	/* 67: a 32-bit offset. */
	rc = RUN(e, 0x67, 0xa3, 0x30, 0x00, 0x00, 0xd0);
	CHECK_WRITE(e, rc, MMIO_BASE + 0x30, 4, 0x05060708);
	CHECK_EQ(e->last.len, 6);
	/* FS override adds the FS base. */
	e->vcpu.seg_base[KHV_SEG_FS] = MMIO_BASE;
	rc = RUN(e, 0x64, 0x66, 0xa3, 0x08, 0, 0, 0, 0, 0, 0, 0);
	CHECK_WRITE(e, rc, MMIO_BASE + 8, 2, 0x0708);
}

TEST(mov_moffs_32bit_and_16bit)
{
	struct env *e = env_reset(KHV_MODE_PROT32);
	int rc;

	e->vcpu.seg_base[KHV_SEG_DS] = MMIO_BASE - 0x100;
	e->vcpu.gpr[RAX] = 0x11223344;
	rc = RUN(e, 0xa3, 0x04, 0x01, 0x00, 0x00);
	CHECK_WRITE(e, rc, MMIO_BASE + 4, 4, 0x11223344);
	CHECK_EQ(e->vcpu.rip, 0x1005);

	e = env_reset(KHV_MODE_REAL);
	e->vcpu.seg_base[KHV_SEG_DS] = 0xa0000;
	e->vcpu.seg_base[KHV_SEG_ES] = 0xb0000;
	e->vcpu.gpr[RAX] = 0x11223344;
	rc = RUN(e, 0xa3, 0x04, 0x01);			/* mov [0x104], ax */
	CHECK_WRITE(e, rc, 0xa0104, 2, 0x3344);
	rc = RUN(e, 0x26, 0x66, 0xa3, 0x04, 0x01);	/* mov es:[..], eax */
	CHECK_WRITE(e, rc, 0xb0104, 4, 0x11223344);
	CHECK_EQ(e->vcpu.rip, 0x1008);
}

TEST(movzx_movsx)
{
	struct env *e = env64();
	int rc;

	e->vcpu.gpr[RAX] = ~0ULL;
	env_queue_read(e, 0x80);
	rc = RUN(e, 0x0f, 0xb6, 0x06);			/* movzx eax, byte */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->log[0].len, 1);
	CHECK_EQ(e->vcpu.gpr[RAX], 0x80);
	CHECK_EQ(e->vcpu.rip, 0x1003);

	env_queue_read(e, 0x80);
	rc = RUN(e, 0x48, 0x0f, 0xbe, 0x06);		/* movsx rax, byte */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RAX], 0xffffffffffffff80ULL);

	env_queue_read(e, 0x8000);
	rc = RUN(e, 0x0f, 0xbf, 0x06);			/* movsx eax, word */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->log[e->nr_log - 1].len, 2);
	CHECK_EQ(e->vcpu.gpr[RAX], 0xffff8000ULL);

	e->vcpu.gpr[RAX] = 0x1111111111111111ULL;
	env_queue_read(e, 0xfe);
	rc = RUN(e, 0x66, 0x0f, 0xbe, 0x06);		/* movsx ax, byte */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RAX], 0x111111111111fffeULL);

	env_queue_read(e, 0xfedc);
	rc = RUN(e, 0x48, 0x0f, 0xb7, 0x06);		/* movzx rax, word */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RAX], 0xfedc);

	env_queue_read(e, 0x7f);
	rc = RUN(e, 0x44, 0x0f, 0xbe, 0x0e);		/* movsx r9d, byte */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[9], 0x7f);
	CHECK(!e->broke_restart);

	CHECK_EQ(RUN(e, 0xf3, 0x0f, 0xb6, 0x06), KHV_EMU_UNHANDLED);
}

TEST(movsxd)
{
	struct env *e = env64();
	int rc;

	env_queue_read(e, 0x80000000);
	rc = RUN(e, 0x48, 0x63, 0x06);			/* movsxd rax, [rsi] */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->log[0].len, 4);
	CHECK_EQ(e->vcpu.gpr[RAX], 0xffffffff80000000ULL);

	env_queue_read(e, 0x80000000);
	rc = RUN(e, 0x63, 0x06);			/* without REX.W */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->vcpu.gpr[RAX], 0x80000000ULL);

	/* 63 is ARPL outside 64-bit mode. */
	e = env_reset(KHV_MODE_PROT32);
	e->vcpu.gpr[RSI] = MMIO_BASE;
	CHECK_EQ(RUN(e, 0x63, 0x06), KHV_EMU_UNHANDLED);
}

TEST(movnti_is_a_store)
{
	struct env *e = env64();
	int rc;

	rc = RUN(e, 0x0f, 0xc3, 0x06);			/* movnti [rsi], eax */
	CHECK_WRITE(e, rc, MMIO_BASE + 0x40, 4, 0x55667788);
	rc = RUN(e, 0x48, 0x0f, 0xc3, 0x06);		/* movnti [rsi], rax */
	CHECK_WRITE(e, rc, MMIO_BASE + 0x40, 8, 0x1122334455667788ULL);
	CHECK_EQ(RUN(e, 0x0f, 0xc3, 0xc0), KHV_EMU_UNHANDLED);
	CHECK_EQ(RUN(e, 0x66, 0x0f, 0xc3, 0x06), KHV_EMU_UNHANDLED);
}

TEST(mov_to_and_from_ram_needs_no_exit)
{
	struct env *e = env64();
	int rc;

	e->vcpu.gpr[RSI] = 0x3000;
	ram_write(e, 0x3000, 0xdeadbeef, 4);
	rc = RUN(e, 0x8b, 0x06);
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(e->exits, 0);
	CHECK_EQ(e->vcpu.gpr[RAX], 0xdeadbeef);
	rc = RUN(e, 0x66, 0x89, 0x46, 0x08);		/* mov [rsi+8], ax */
	CHECK_EQ(rc, KHV_EMU_DONE);
	CHECK_EQ(ram_read(e, 0x3008, 4), 0xbeef);
}

TEST(real_mode_ip_wraps)
{
	struct env *e = env_reset(KHV_MODE_REAL);
	int rc;

	e->vcpu.rip = 0xfffe;
	e->vcpu.seg_base[KHV_SEG_DS] = 0xa0000;
	e->vcpu.gpr[RBX] = 0x10;
	rc = RUN(e, 0x89, 0x07);			/* mov [bx], ax */
	CHECK_WRITE(e, rc, 0xa0010, 2, 0);
	CHECK_EQ(e->vcpu.rip, 0);
}
