// SPDX-License-Identifier: GPL-2.0
#include "harness.h"
#include "test.h"

TEST(mode_from_guest_state)
{
	const u64 lma = 1ULL << 10;

	CHECK_EQ(khv_emu_mode(0, 2, 0, false, false), KHV_MODE_REAL);
	CHECK_EQ(khv_emu_mode(1, 2, 0, false, false), KHV_MODE_PROT16);
	CHECK_EQ(khv_emu_mode(1, 2, 0, false, true), KHV_MODE_PROT32);
	CHECK_EQ(khv_emu_mode(1, 2 | KHV_FLAG_VM, 0, false, true),
		 KHV_MODE_REAL);
	CHECK_EQ(khv_emu_mode(0x80000001, 2, lma, true, false),
		 KHV_MODE_LONG64);
	/* Compatibility mode. */
	CHECK_EQ(khv_emu_mode(0x80000001, 2, lma, false, true),
		 KHV_MODE_PROT32);
	/* CS.L without LMA is not 64-bit mode. */
	CHECK_EQ(khv_emu_mode(1, 2, 0, true, false), KHV_MODE_PROT16);
}
