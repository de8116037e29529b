// SPDX-License-Identifier: GPL-2.0
/*
 * spin: loops forever with interrupts disabled.  The harness sends the
 * launcher SIGINT after a few seconds (manifest: @sigint=N) and expects
 * it to end with status 130: a signal must get the vCPU out of a guest
 * that never exits on its own.
 */
#include "libguest.h"

int main(void)
{
	cli();
	puts("spinning with interrupts disabled\n");
	for (;;)
		asm volatile("" ::: "memory");
	return 0;
}
