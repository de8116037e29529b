/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal unit-test framework: TEST(name) defines and registers a test;
 * CHECK()/CHECK_EQ() fail the current test and return from it.
 */
#ifndef KHV_TEST_H
#define KHV_TEST_H

#include <stdio.h>
#include <linux/types.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *t);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
extern int test_failed;

#define TEST(name)							\
	static void test_##name(void);					\
	static struct test_case tc_##name = { #name, test_##name, NULL }; \
	__attribute__((constructor)) static void reg_##name(void)	\
	{								\
		test_register(&tc_##name);				\
	}								\
	static void test_##name(void)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			test_fail(__FILE__, __LINE__, "%s", #cond);	\
			return;						\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long _a = (unsigned long long)(a);	\
		unsigned long long _b = (unsigned long long)(b);	\
		if (_a != _b) {						\
			test_fail(__FILE__, __LINE__,			\
				  "%s == %s: got %#llx, want %#llx",	\
				  #a, #b, _a, _b);			\
			return;						\
		}							\
	} while (0)

#endif
