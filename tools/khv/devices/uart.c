// SPDX-License-Identifier: GPL-2.0
/*
 * COM1: a 16550A UART on stdio at 0x3f8, IRQ 4 (register semantics from
 * the TI/National PC16550D datasheet).  The transmitter is always empty:
 * THR writes go straight to console_out.  Received bytes wait in the
 * 16-byte FIFO.
 *
 * Interrupts (IIR priorities, highest first): received data (0x04, or
 * 0x0c "character timeout" while the FIFO holds less than the trigger
 * level), then THR empty (0x02: set when ETBEI is enabled or a byte was
 * sent, cleared by reading IIR while it is the one reported, or by the
 * next THR write).  Line-status and modem-status interrupts never fire.
 * The IRQ line is the interrupt output gated by MCR.OUT2, as PC serial
 * cards wire it.
 *
 * Input: with the I/O thread running (Linux guests), it reads console_in
 * through the console escape filter (console.h: Ctrl-A x quits) into the
 * FIFO and raises RX interrupts; a full FIFO stops reading until the
 * guest drains it.  Without it (Multiboot guests, unit tests) input is
 * polled without blocking whenever the guest looks at LSR or RBR.
 *
 * Loopback (MCR bit 4) routes THR to the receiver and the MCR outputs to
 * the MSR inputs, as drivers' probes expect.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../console.h"
#include "../init.h"
#include "../iothread.h"
#include "../irq.h"
#include "../vm.h"

#define COM1_BASE	0x3f8
#define UART_NR_REGS	8
#define UART_FIFO_LEN	16

/* Register offsets (DLAB is LCR bit 7). */
#define UART_RBR_THR	0	/* DLAB=1: divisor latch low */
#define UART_IER	1	/* DLAB=1: divisor latch high */
#define UART_IIR_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_IER_RDI	0x01
#define UART_IER_THRI	0x02
#define UART_LCR_DLAB	0x80
#define UART_LSR_DR	0x01
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_IIR_NO_INT	0x01
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_TIMEOUT 0x0c
#define UART_IIR_FIFO	0xc0
#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLR_RX	0x02
#define UART_FCR_TRIGGER 0xc0
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_MSR_DCD	0x80
#define UART_MSR_DSR	0x20
#define UART_MSR_CTS	0x10

struct uart {
	struct vm *vm;
	u8 ier, fcr, lcr, mcr, scr;
	u8 dll, dlm;
	u8 fifo[UART_FIFO_LEN];
	unsigned int rx_head, rx_count;
	bool thri;		/* THR-empty interrupt pending */
	bool rx_eof;		/* console_in ended or failed: stop reading */
	bool rx_watched;	/* the I/O thread watches console_in */
	bool rx_armed;		/* ... and is waiting for input now */
	struct console_escape esc;
};

static void uart_rx_push(struct uart *u, u8 c)
{
	if (u->rx_count == UART_FIFO_LEN)
		return;		/* overrun: the byte is lost */
	u->fifo[(u->rx_head + u->rx_count) % UART_FIFO_LEN] = c;
	u->rx_count++;
}

static u8 uart_rx_pop(struct uart *u)
{
	u8 c;

	if (!u->rx_count)
		return 0;
	c = u->fifo[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_LEN;
	u->rx_count--;
	return c;
}

static unsigned int uart_rx_trigger(const struct uart *u)
{
	static const u8 levels[] = { 1, 4, 8, 14 };

	if (!(u->fcr & UART_FCR_ENABLE))
		return 1;
	return levels[(u->fcr & UART_FCR_TRIGGER) >> 6];
}

/* IIR bits 3-0 for the highest-priority pending interrupt. */
static u8 uart_iir_id(const struct uart *u)
{
	if ((u->ier & UART_IER_RDI) && u->rx_count)
		return u->rx_count >= uart_rx_trigger(u) ? UART_IIR_RDI :
		       UART_IIR_TIMEOUT;
	if ((u->ier & UART_IER_THRI) && u->thri)
		return UART_IIR_THRI;
	return UART_IIR_NO_INT;
}

static void uart_update_irq(struct uart *u)
{
	bool level = uart_iir_id(u) != UART_IIR_NO_INT &&
		     (u->mcr & UART_MCR_OUT2) && !(u->mcr & UART_MCR_LOOP);

	irq_set_level(u->vm, IRQ_COM1, level);
}

/* Polled input, for runs without the I/O thread. */
static void uart_poll_input(struct uart *u)
{
	struct pollfd pfd = { .fd = u->vm->console_in, .events = POLLIN };
	ssize_t n;
	u8 c;

	if ((u->rx_watched && iothread_running(u->vm)) || u->rx_count ||
	    u->rx_eof || pfd.fd < 0)
		return;
	if (poll(&pfd, 1, 0) <= 0)
		return;
	if (pfd.revents & POLLNVAL) {
		u->rx_eof = true;
		return;
	}
	n = read(pfd.fd, &c, 1);
	if (n == 1)
		uart_rx_push(u, c);
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		u->rx_eof = true;
}

/* The I/O thread: console_in is readable. */
static void uart_console_input(void *opaque)
{
	struct uart *u = opaque;
	struct vm *vm = u->vm;
	u8 buf[UART_FIFO_LEN], c;
	ssize_t n, i;

	u->rx_armed = false;
	if (u->rx_count == UART_FIFO_LEN)
		return;		/* loopback filled it: resume when drained */
	n = read(vm->console_in, buf, UART_FIFO_LEN - u->rx_count);
	if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
		u->rx_eof = true;
		return;
	}
	for (i = 0; i < n; i++) {
		switch (console_filter(&u->esc, buf[i], &c)) {
		case CONSOLE_SEND:
			uart_rx_push(u, c);
			break;
		case CONSOLE_QUIT:
			pr_info("terminated by Ctrl-A x");
			vm_request_exit(vm, KHV_EXIT_HALTED, "Ctrl-A x");
			vm_kick(vm);
			return;
		case CONSOLE_HELP:
			fputs(console_help, stderr);
			break;
		case CONSOLE_DROP:
			break;
		}
	}
	uart_update_irq(u);
	if (u->rx_count < UART_FIFO_LEN) {
		u->rx_armed = true;
		iothread_rearm_fd(vm, vm->console_in);
	}
}

/* The guest made room in the FIFO: watch console_in again. */
static void uart_rx_resume(struct uart *u)
{
	if (!u->rx_watched || u->rx_armed || u->rx_eof ||
	    u->rx_count == UART_FIFO_LEN)
		return;
	u->rx_armed = true;
	iothread_rearm_fd(u->vm, u->vm->console_in);
}

static void uart_transmit(struct uart *u, u8 c)
{
	ssize_t n;

	if (u->mcr & UART_MCR_LOOP) {
		uart_rx_push(u, c);
	} else {
		do {
			n = write(u->vm->console_out, &c, 1);
		} while (n < 0 && errno == EINTR);
		/* A closed stdout must not stop the guest: the byte is dropped. */
	}
	u->thri = true;		/* sent at once: THR is empty again */
}

static u8 uart_msr(const struct uart *u)
{
	u8 m = u->mcr;

	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	/* Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
	return ((m & 0x01) << 5) | ((m & 0x02) << 3) | ((m & 0x0c) << 4);
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
		v = uart_rx_pop(u);
		uart_rx_resume(u);
		return v;
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR_FCR:
		v = uart_iir_id(u);
		if (v == UART_IIR_THRI)
			u->thri = false;	/* reading IIR acknowledges it */
		return v | ((u->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		uart_poll_input(u);
		return UART_LSR_THRE | UART_LSR_TEMT |
		       (u->rx_count ? UART_LSR_DR : 0);
	case UART_MSR:
		return uart_msr(u);
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, unsigned int reg, u8 v)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab) {
			u->dll = v;
		} else {
			u->thri = false;
			uart_transmit(u, v);
		}
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		/* Enabling ETBEI with THR empty raises THRE at once. */
		if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thri = true;
		u->ier = v & 0x0f;
		break;
	case UART_IIR_FCR:
		/* Bits 1-2 only reset the FIFOs; they do not stick. */
		u->fcr = v & 0xc9;
		if (v & UART_FCR_CLR_RX) {
			u->rx_count = 0;
			uart_rx_resume(u);
		}
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
	uart_update_irq(u);
}

static int uart_init(struct vm *vm)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u)
		return -ENOMEM;
	u->vm = vm;
	u->dll = 12;	/* 9600 baud, the usual BIOS setting */
	u->lcr = 0x03;	/* 8N1 */
	/*
	 * Regular files and /dev/null cannot be watched with epoll; they
	 * are polled like in runs without the I/O thread.
	 */
	if (vm->console_in >= 0 &&
	    !iothread_add_fd(vm, vm->console_in, uart_console_input, u, true)) {
		u->rx_watched = true;
		u->rx_armed = true;
	}
	return bus_register(&vm->pio, COM1_BASE, UART_NR_REGS, uart_io, u,
			    "com1");
}
device_init(uart_init);
