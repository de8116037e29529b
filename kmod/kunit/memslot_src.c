// SPDX-License-Identifier: GPL-2.0
/*
 * The code under test, compiled into khv_kunit.ko exactly as into khv.ko,
 * in a translation unit of its own like the other *_src.c files.
 */
#include "../memslot_lookup.c"
