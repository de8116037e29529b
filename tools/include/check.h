/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PASS/FAIL reporting for the programs that check khv from inside the
 * lab (tools/abitest, tools/nltest, tools/fuzz): one line per check,
 * flushed at once so a crash leaves every earlier line on the console,
 * and the counts for the closing "N passed, N failed" line.
 */
#ifndef KHV_TOOLS_CHECK_H
#define KHV_TOOLS_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int passed, failed;

static void __attribute__((format(printf, 2, 3)))
check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

#endif
