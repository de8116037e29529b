// SPDX-License-Identifier: GPL-2.0
/* COM1, polled: the launcher's 16550 has no interrupts yet. */
#include "libguest.h"

#define UART_THR	0	/* transmit holding (DLAB=0) */
#define UART_DLL	0	/* divisor low (DLAB=1) */
#define UART_IER	1
#define UART_DLM	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_LCR_DLAB	0x80
#define UART_LCR_8N1	0x03
#define UART_LSR_THRE	0x20

void serial_init(void)
{
	outb(COM1_PORT + UART_IER, 0);
	outb(COM1_PORT + UART_LCR, UART_LCR_DLAB);
	outb(COM1_PORT + UART_DLL, 1);		/* 115200 baud */
	outb(COM1_PORT + UART_DLM, 0);
	outb(COM1_PORT + UART_LCR, UART_LCR_8N1);
	outb(COM1_PORT + UART_FCR, 0x07);	/* enable and clear FIFOs */
	outb(COM1_PORT + UART_MCR, 0x03);	/* DTR, RTS */
}

void putchar(int c)
{
	/*
	 * Bounded wait: a UART that never reports THRE empty must not hang
	 * the test; the byte is then written anyway.
	 */
	unsigned int spin = 1000000;

	while (!(inb(COM1_PORT + UART_LSR) & UART_LSR_THRE) && --spin)
		;
	outb(COM1_PORT + UART_THR, c);
}

void puts(const char *s)
{
	while (*s)
		putchar(*s++);
}
