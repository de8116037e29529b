// SPDX-License-Identifier: GPL-2.0
/*
 * COM1: a 16550A UART on stdio, polled only (no IRQ yet).  The guest sees
 * a transmitter that is always empty, so THR writes go straight to
 * console_out; input is polled from console_in without blocking whenever
 * the guest looks at LSR or RBR.  The terminal stays in cooked mode.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "../init.h"
#include "../vm.h"

#define COM1_BASE	0x3f8
#define UART_NR_REGS	8

/* Register offsets (DLAB is LCR bit 7). */
#define UART_RBR_THR	0	/* DLAB=1: divisor latch low */
#define UART_IER	1	/* DLAB=1: divisor latch high */
#define UART_IIR_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_LCR_DLAB	0x80
#define UART_LSR_DR	0x01
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_IIR_NO_INT	0x01
#define UART_IIR_FIFO	0xc0
#define UART_FCR_ENABLE	0x01
#define UART_MSR_DCD	0x80
#define UART_MSR_DSR	0x20
#define UART_MSR_CTS	0x10

struct uart {
	struct vm *vm;
	u8 ier, fcr, lcr, mcr, scr;
	u8 dll, dlm;
	u8 rx;
	bool rx_full;
	bool rx_eof;	/* console_in ended or failed: stop polling it */
};

static void uart_poll_input(struct uart *u)
{
	struct pollfd pfd = { .fd = u->vm->console_in, .events = POLLIN };
	ssize_t n;

	if (u->rx_full || u->rx_eof || pfd.fd < 0)
		return;
	if (poll(&pfd, 1, 0) <= 0)
		return;
	if (pfd.revents & POLLNVAL) {
		u->rx_eof = true;
		return;
	}
	n = read(pfd.fd, &u->rx, 1);
	if (n == 1)
		u->rx_full = true;
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		u->rx_eof = true;
}

static void uart_transmit(struct uart *u, u8 c)
{
	ssize_t n;

	do {
		n = write(u->vm->console_out, &c, 1);
	} while (n < 0 && errno == EINTR);
	/* A closed stdout must not stop the guest: the byte is dropped. */
}

static u8 uart_read(struct uart *u, unsigned int reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	u8 v;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab)
			return u->dll;
		uart_poll_input(u);
		v = u->rx_full ? u->rx : 0;
		u->rx_full = false;
		return v;
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR_FCR:
		return UART_IIR_NO_INT |
		       ((u->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		uart_poll_input(u);
		return UART_LSR_THRE | UART_LSR_TEMT |
		       (u->rx_full ? UART_LSR_DR : 0);
	case UART_MSR:
		/* A modem that is always there and ready. */
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, unsigned int reg, u8 v)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab)
			u->dll = v;
		else
			uart_transmit(u, v);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = v;
		else
			u->ier = v & 0x0f;
		break;
	case UART_IIR_FCR:
		/* Bits 1-2 only reset the FIFOs; they do not stick. */
		u->fcr = v & 0xc9;
		if (v & 0x02)
			u->rx_full = false;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & 0x1f;
		break;
	case UART_LSR:
	case UART_MSR:
		/* Read-only on a 16550. */
		break;
	default:
		u->scr = v;
		break;
	}
}

static void uart_io(void *opaque, u64 offset, u8 *data, u32 len,
		    bool is_write)
{
	struct uart *u = opaque;

	/* Registers are bytes; a wider access only touches the first one. */
	if (is_write) {
		uart_write(u, offset, data[0]);
	} else {
		data[0] = uart_read(u, offset);
		if (len > 1)
			le_write(data + 1, len - 1, 0);
	}
}

static int uart_init(struct vm *vm)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u)
		return -ENOMEM;
	u->vm = vm;
	u->dll = 12;	/* 9600 baud, the usual BIOS setting */
	u->lcr = 0x03;	/* 8N1 */
	return bus_register(&vm->pio, COM1_BASE, UART_NR_REGS, uart_io, u,
			    "com1");
}
device_init(uart_init);
