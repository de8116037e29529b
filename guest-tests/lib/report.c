// SPDX-License-Identifier: GPL-2.0
/* PASS/FAIL lines, the summary and the exit through isa-debug-exit. */
#include "libguest.h"

static unsigned int nr_tests, nr_failures;

bool report(bool pass, const char *fmt, ...)
{
	va_list ap;

	nr_tests++;
	if (!pass)
		nr_failures++;
	puts(pass ? "PASS: " : "FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return pass;
}

int report_summary(void)
{
	printf("SUMMARY: %u tests, %u failures\n", nr_tests, nr_failures);
	return nr_failures ? 1 : 0;
}

/*
 * The host sees (code << 1) | 1 (Documentation/devices.rst).  If the
 * write returns, there is no exit device: stop here for good.
 */
void exit(int code)
{
	outl(DEBUG_EXIT_PORT, code);
	for (;;)
		asm volatile("cli; hlt");
}

void abort_test(const char *why)
{
	report(false, "%s", why);
	exit(report_summary());
}
