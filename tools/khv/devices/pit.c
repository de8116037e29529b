// SPDX-License-Identifier: GPL-2.0
/*
 * The i8254 programmable interval timer (Intel 8254 datasheet): counters
 * at 0x40-0x42, control word at 0x43, clocked at 1.193182 MHz; and the
 * PC's system control port B at 0x61, whose bit 0 is channel 2's gate and
 * bit 5 channel 2's OUT (how Linux calibrates the TSC: it gates channel 2
 * in mode 0 and waits for OUT, or reads its count back).
 *
 * Counters are not ticked: a counter's value and OUT are computed from
 * CLOCK_MONOTONIC and the time its count was loaded, so reads are exact
 * whenever the guest looks.  Channel 0's OUT rising edge is IRQ 0, raised
 * from a timerfd on the I/O thread (modes 2 and 3 periodic, 0 and 4 one
 * shot).  Channel 1 (DRAM refresh) can be programmed and read, nothing
 * more.  BCD counting is not emulated: counts are binary.
 */
#include <errno.h>
#include <stdlib.h>

#include "../init.h"
#include "../iothread.h"
#include "../irq.h"
#include "../vm.h"

#define PIT_BASE	0x40
#define PIT_CONTROL	3
#define PORT_B		0x61
#define PIT_HZ		1193182ULL

/* Control word (datasheet, "Control Word Format") */
#define CW_SC_SHIFT	6
#define CW_RW_SHIFT	4
#define CW_M_SHIFT	1
#define SC_READBACK	3
#define RW_LATCH	0
#define RW_LSB		1
#define RW_MSB		2
#define RW_WORD		3
/* Read-back command: bits are active low */
#define RB_NO_COUNT	0x20
#define RB_NO_STATUS	0x10
/* Status byte */
#define ST_OUT		0x80
#define ST_NULL_COUNT	0x40

/* Port B bits */
#define PB_GATE2	0x01
#define PB_SPEAKER	0x02
#define PB_RW_MASK	0x0f	/* bits 0-3 are read/write */
#define PB_REFRESH	0x10	/* toggles every 15.085 us */
#define PB_OUT2		0x20
#define REFRESH_NS	15085

struct pit_channel {
	u8 mode;		/* 0-5 */
	u8 rw;			/* RW_LSB, RW_MSB or RW_WORD */
	u8 ctrl;		/* control word bits 5-0, for the status byte */
	u32 reload;		/* 1..65536 */
	bool loaded;		/* a count was written since the control word */
	bool started;		/* counting began (modes 1, 5: gate trigger) */
	bool running;		/* counting now */
	bool gate;
	bool null_count;
	u64 start_ns;		/* running since */
	u64 base_ticks;		/* counted before start_ns (gate pauses) */
	/* reads */
	bool count_latched, status_latched, read_msb;
	u16 latch;
	u8 status;
	/* writes of RW_WORD counts */
	bool write_msb;
	u8 write_lsb;
};

struct pit {
	struct vm *vm;
	struct pit_channel ch[3];
	u8 port_b;		/* bits 0-3 as written */
	struct khv_timer *timer;
};

static u64 ns_to_ticks(u64 ns)
{
	return (unsigned __int128)ns * PIT_HZ / NSEC_PER_SEC;
}

static u64 ticks_to_ns(u64 ticks)
{
	return (unsigned __int128)ticks * NSEC_PER_SEC / PIT_HZ;
}

static u64 pit_ticks(const struct pit_channel *c, u64 now)
{
	u64 t = c->base_ticks;

	if (c->running && now > c->start_ns)
		t += ns_to_ticks(now - c->start_ns);
	return t;
}

/* The counting element as a read (or a latch) sees it. */
static u16 pit_count(const struct pit_channel *c, u64 now)
{
	u64 t = pit_ticks(c, now);

	if (!c->loaded)
		return 0;
	switch (c->mode) {
	case 2:
		/* Counts reload..1, then reloads. */
		return c->reload - t % c->reload;
	case 3:
		/* Decrements by two, twice per period. */
		return (c->reload - (2 * t) % c->reload) & ~1u;
	default:
		/* 0, 1, 4, 5: down from the count, wrapping past 0. */
		return c->reload - (u32)(t & 0xffff);
	}
}

static bool pit_out(const struct pit_channel *c, u64 now)
{
	u64 t = pit_ticks(c, now);

	if (!c->loaded)
		return c->mode != 0;	/* mode 0: low from the control word */
	switch (c->mode) {
	case 0:
		return t >= c->reload;		/* high at terminal count */
	case 1:
		return !c->started || t >= c->reload;
	case 2:
		return t % c->reload != c->reload - 1;	/* one-clock low pulse */
	case 3:
		return t % c->reload < (c->reload + 1) / 2;
	default:
		/* 4, 5: one-clock low strobe at terminal count */
		return !c->started || t != c->reload;
	}
}

/* Channel 0 drives IRQ 0: arm the timer for OUT's next rising edge(s). */
static void pit_arm_irq(struct pit *p)
{
	struct pit_channel *c = &p->ch[0];
	u64 period, first;

	if (!p->timer)
		return;
	if (!c->loaded || !c->running ||
	    (c->mode != 0 && c->mode != 2 && c->mode != 3 && c->mode != 4)) {
		khv_timer_arm(p->timer, 0, 0);
		return;
	}
	period = ticks_to_ns(c->reload);
	first = c->start_ns + period;
	khv_timer_arm(p->timer, first,
		      (c->mode == 2 || c->mode == 3) ? period : 0);
}

static void pit_timer_fired(void *opaque)
{
	struct pit *p = opaque;

	irq_pulse(p->vm, IRQ_PIT);
}

static void pit_start(struct pit_channel *c, u64 now)
{
	c->start_ns = now;
	c->base_ticks = 0;
	c->running = true;
	c->started = true;
}

static void pit_load(struct pit *p, struct pit_channel *c, u32 count)
{
	u64 now = now_ns();

	c->reload = count ? count : 0x10000;
	c->loaded = true;
	c->null_count = false;
	c->started = false;
	c->running = false;
	c->base_ticks = 0;
	/* Modes 1 and 5 wait for a gate trigger; the others start now. */
	if (c->gate && c->mode != 1 && c->mode != 5)
		pit_start(c, now);
	if (c == &p->ch[0])
		pit_arm_irq(p);
}

static void pit_set_gate(struct pit_channel *c, bool gate)
{
	u64 now = now_ns();

	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->loaded)
		return;
	if (gate) {
		if (c->mode == 0 || c->mode == 4) {
			c->start_ns = now;	/* resume */
			c->running = true;
			c->started = true;
		} else {
			pit_start(c, now);	/* trigger / restart */
		}
	} else if (c->mode != 1 && c->mode != 5) {
		c->base_ticks = pit_ticks(c, now);	/* pause */
		c->running = false;
	}
}

static void pit_latch_count(struct pit_channel *c)
{
	if (c->count_latched)
		return;	/* the first latch holds until read */
	c->latch = pit_count(c, now_ns());
	c->count_latched = true;
	c->read_msb = false;
}

static void pit_latch_status(struct pit_channel *c)
{
	if (c->status_latched)
		return;
	c->status = c->ctrl | (pit_out(c, now_ns()) ? ST_OUT : 0) |
		    (c->null_count ? ST_NULL_COUNT : 0);
	c->status_latched = true;
}

static void pit_control(struct pit *p, u8 v)
{
	unsigned int sc = v >> CW_SC_SHIFT, rw = (v >> CW_RW_SHIFT) & 3;
	struct pit_channel *c;
	unsigned int i;

	if (sc == SC_READBACK) {
		for (i = 0; i < 3; i++) {
			if (!(v & (2u << i)))
				continue;
			if (!(v & RB_NO_STATUS))
				pit_latch_status(&p->ch[i]);
			if (!(v & RB_NO_COUNT))
				pit_latch_count(&p->ch[i]);
		}
		return;
	}
	c = &p->ch[sc];
	if (rw == RW_LATCH) {
		pit_latch_count(c);
		return;
	}
	c->rw = rw;
	c->mode = (v >> CW_M_SHIFT) & 7;
	if (c->mode > 5)
		c->mode -= 4;		/* 6 and 7 are aliases of 2 and 3 */
	c->ctrl = v & 0x3f;
	c->loaded = false;
	c->started = false;
	c->running = false;
	c->null_count = true;
	c->write_msb = false;
	c->read_msb = false;
	c->count_latched = false;
	if (c == &p->ch[0])
		pit_arm_irq(p);
}

static u8 pit_read_counter(struct pit_channel *c)
{
	u16 v;
	u8 b;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	v = c->count_latched ? c->latch : pit_count(c, now_ns());
	switch (c->rw) {
	case RW_LSB:
		b = v;
		c->count_latched = false;
		break;
	case RW_MSB:
		b = v >> 8;
		c->count_latched = false;
		break;
	default:
		b = c->read_msb ? v >> 8 : v;
		if (c->read_msb)
			c->count_latched = false;
		c->read_msb = !c->read_msb;
		break;
	}
	return b;
}

static void pit_write_counter(struct pit *p, struct pit_channel *c, u8 v)
{
	switch (c->rw) {
	case RW_LSB:
		pit_load(p, c, v);
		break;
	case RW_MSB:
		pit_load(p, c, (u32)v << 8);
		break;
	case RW_WORD:
		if (!c->write_msb) {
			c->write_lsb = v;
			c->write_msb = true;
			/* Mode 0: writing the first byte stops the count. */
			if (c->mode == 0 && c->loaded) {
				c->base_ticks = pit_ticks(c, now_ns());
				c->running = false;
			}
		} else {
			c->write_msb = false;
			pit_load(p, c, ((u32)v << 8) | c->write_lsb);
		}
		break;
	}
}

static void pit_io(void *opaque, u64 offset, u8 *data, u32 len,
		   bool is_write)
{
	struct pit *p = opaque;

	if (is_write) {
		if (offset == PIT_CONTROL)
			pit_control(p, data[0]);
		else
			pit_write_counter(p, &p->ch[offset], data[0]);
		return;
	}
	/* The control word register cannot be read (datasheet). */
	data[0] = offset == PIT_CONTROL ? 0xff :
		  pit_read_counter(&p->ch[offset]);
	if (len > 1)
		le_write(data + 1, len - 1, 0);
}

static void port_b_io(void *opaque, u64 offset, u8 *data, u32 len,
		      bool is_write)
{
	struct pit *p = opaque;
	u64 now = now_ns();

	(void)offset;
	if (is_write) {
		p->port_b = data[0] & PB_RW_MASK;
		pit_set_gate(&p->ch[2], data[0] & PB_GATE2);
		return;
	}
	data[0] = p->port_b | ((now / REFRESH_NS) & 1 ? PB_REFRESH : 0) |
		  (pit_out(&p->ch[2], now) ? PB_OUT2 : 0);
	if (len > 1)
		le_write(data + 1, len - 1, 0);
}

static int pit_init(struct vm *vm)
{
	struct pit *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	p->vm = vm;
	/* Channels 0 and 1 are always gated on; channel 2 via port B. */
	p->ch[0].gate = p->ch[1].gate = true;
	p->timer = khv_timer_new(vm, pit_timer_fired, p);
	if (!p->timer)
		return -ENOMEM;
	ret = bus_register(&vm->pio, PIT_BASE, 4, pit_io, p, "pit");
	if (!ret)
		ret = bus_register(&vm->pio, PORT_B, 1, port_b_io, p,
				   "port-b");
	return ret;
}
device_init(pit_init);
