// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#define MAX_TESTS	256

static struct {
	const char *name;
	test_fn_t fn;
} tests[MAX_TESTS];
static unsigned int nr_tests;
static char why[512];
static int failed;

void test_register(const char *name, test_fn_t fn)
{
	if (nr_tests == MAX_TESTS) {
		fprintf(stderr, "too many tests\n");
		abort();
	}
	tests[nr_tests].name = name;
	tests[nr_tests].fn = fn;
	nr_tests++;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (failed)
		return;
	failed = 1;
	n = snprintf(why, sizeof(why), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(why + n, sizeof(why) - n, fmt, ap);
	va_end(ap);
}

int test_failed(void)
{
	return failed;
}

int main(int argc, char **argv)
{
	unsigned int i, pass = 0, fail = 0;

	for (i = 0; i < nr_tests; i++) {
		/* An argument runs only the tests whose name contains it. */
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		failed = 0;
		why[0] = 0;
		tests[i].fn();
		if (failed) {
			printf("FAIL %s: %s\n", tests[i].name, why);
			fail++;
		} else {
			printf("PASS %s\n", tests[i].name);
			pass++;
		}
		fflush(stdout);
	}
	printf("%u passed, %u failed\n", pass, fail);
	return fail ? 1 : 0;
}
