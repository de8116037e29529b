// SPDX-License-Identifier: GPL-2.0
/*
 * The code under test, compiled into khv_kunit.ko exactly as into khv.ko:
 * in a translation unit of its own, so that its private macros do not
 * meet the kernel headers KUnit pulls in.
 */
#include "../msr.c"
