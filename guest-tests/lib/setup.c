// SPDX-License-Identifier: GPL-2.0
/* What entry.S calls once the stack and segments (and long mode) are set. */
#include "libguest.h"

void __attribute__((noreturn)) lib_main(void);

void lib_main(void)
{
	serial_init();
	setup_idt();
	exit(main());
}
