// SPDX-License-Identifier: GPL-2.0
/* Runs every registered test: "PASS name" / "FAIL name: why", then totals. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "test.h"

static struct test_case *head, **tail = &head;
int test_failed;
static char why[512];

void test_register(struct test_case *t)
{
	*tail = t;
	tail = &t->next;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (test_failed)
		return;
	test_failed = 1;
	n = snprintf(why, sizeof(why), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(why + n, sizeof(why) - n, fmt, ap);
	va_end(ap);
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	struct test_case *t;

	for (t = head; t; t = t->next) {
		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		test_failed = 0;
		t->fn();
		if (test_failed) {
			printf("FAIL %s: %s\n", t->name, why);
			failed++;
		} else {
			printf("PASS %s\n", t->name);
			passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
