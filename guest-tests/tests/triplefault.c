// SPDX-License-Identifier: GPL-2.0
/*
 * triplefault: with an empty IDT, #UD from UD2 cannot be delivered (#GP), nor can
 * the #GP (#DF), nor the #DF: the processor shuts down (SDM Vol. 3A
 * 7.15, "Interrupt 8"; APM Vol. 2 8.2.9).  The launcher must end the run
 * with its triple-fault status, 2, which no guest exit() can produce.
 */
#include "libguest.h"

int main(void)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) empty = { 0, 0 };

	report(true, "reached the test");
	puts("loading an empty IDT and executing UD2\n");
	asm volatile("lidt %0; ud2" : : "m"(empty) : "memory");
	report(false, "still running after the triple fault");
	return report_summary();
}
