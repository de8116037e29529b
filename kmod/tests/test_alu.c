// SPDX-License-Identifier: GPL-2.0
/* khv_emu_alu() against the host CPU's own ADD/OR/ADC/SBB/AND/SUB/XOR/CMP. */
#include "harness.h"
#include "test.h"

static const u64 edge[] = {
	0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
	0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL,
	0x5555555555555555ULL, 0xaaaaaaaaaaaaaaaaULL, 0x123456789abcdef0ULL,
};

static const char *const names[] = {
	"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"
};

static int check_one(int op, u64 a, u64 b, unsigned int size, u64 cin)
{
	u64 hflags, eflags = 0x202 | cin, mask = KHV_FLAGS_ARITH;
	u64 hres = host_alu(op, a, b, size, cin, &hflags);
	u64 eres = khv_emu_alu(op, a, b, size, &eflags);

	/* AF is undefined after the logical ops. */
	if (op == KHV_ALU_OR || op == KHV_ALU_AND || op == KHV_ALU_XOR)
		mask &= ~KHV_FLAG_AF;
	if (op != KHV_ALU_CMP && hres != eres) {
		test_fail(__FILE__, __LINE__,
			  "%s%u %#llx,%#llx cf=%llu: result %#llx, host %#llx",
			  names[op], size * 8, (unsigned long long)a,
			  (unsigned long long)b, (unsigned long long)cin,
			  (unsigned long long)eres, (unsigned long long)hres);
		return 0;
	}
	if ((hflags & mask) != (eflags & mask)) {
		test_fail(__FILE__, __LINE__,
			  "%s%u %#llx,%#llx cf=%llu: flags %#llx, host %#llx",
			  names[op], size * 8, (unsigned long long)a,
			  (unsigned long long)b, (unsigned long long)cin,
			  (unsigned long long)(eflags & mask),
			  (unsigned long long)(hflags & mask));
		return 0;
	}
	return 1;
}

TEST(alu_flags_edge_values_match_host)
{
	unsigned int i, j, s;
	int op;

	for (op = 0; op < 8; op++)
		for (s = 1; s <= 8; s *= 2)
			for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
				for (j = 0; j < sizeof(edge) / sizeof(edge[0]); j++)
					if (!check_one(op, edge[i], edge[j], s, 0) ||
					    !check_one(op, edge[i], edge[j], s, 1))
						return;
}

TEST(alu_flags_random_values_match_host)
{
	u64 x = 0x9e3779b97f4a7c15ULL;
	int n, op;
	unsigned int s;

	for (n = 0; n < 20000; n++) {
		u64 a, b;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		a = x;
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		b = (n & 1) ? x : a ^ (x & 0xff);
		for (op = 0; op < 8; op++)
			for (s = 1; s <= 8; s *= 2)
				if (!check_one(op, a, b, s, n & 2 ? 1 : 0))
					return;
	}
}

TEST(alu_keeps_other_rflags_bits)
{
	u64 rf = 0x202 | KHV_FLAG_DF | KHV_FLAG_CF;

	khv_emu_alu(KHV_ALU_ADD, 1, 1, 4, &rf);
	CHECK_EQ(rf, 0x202 | KHV_FLAG_DF);
}

TEST(alu_host_reference_is_sane)
{
	u64 f;

	CHECK_EQ(host_alu(KHV_ALU_ADD, 0xff, 1, 1, 0, &f), 0);
	CHECK_EQ(f & KHV_FLAGS_ARITH, KHV_FLAG_CF | KHV_FLAG_ZF |
		 KHV_FLAG_AF | KHV_FLAG_PF);
	CHECK_EQ(host_alu(KHV_ALU_SBB, 0, 0, 8, 1, &f), ~0ULL);
	CHECK_EQ(f & KHV_FLAGS_ARITH, KHV_FLAG_CF | KHV_FLAG_SF |
		 KHV_FLAG_AF | KHV_FLAG_PF);
}
