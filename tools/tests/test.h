/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_TEST_H
#define KHV_TEST_H

#include <stdio.h>

/*
 * A minimal unit-test harness: TEST(name) registers a function before
 * main(); CHECK(cond, fmt, ...) fails the current test with a reason and
 * returns from it.  The runner prints "PASS name" / "FAIL name: why" and a
 * final "N passed, N failed".
 */
typedef void (*test_fn_t)(void);

void test_register(const char *name, test_fn_t fn);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int test_failed(void);

#define TEST(name)							\
	static void test_##name(void);					\
	static void __attribute__((constructor)) test_reg_##name(void)	\
	{								\
		test_register(#name, test_##name);			\
	}								\
	static void test_##name(void)

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			test_fail(__FILE__, __LINE__, __VA_ARGS__);	\
			return;						\
		}							\
	} while (0)

#endif
