// SPDX-License-Identifier: GPL-2.0
/*
 * The PC's cascaded i8259A pair: master at 0x20-0x21 (IRQ 0-7), slave at
 * 0xa0-0xa1 (IRQ 8-15) on the master's IR2, and the PIIX edge/level
 * control registers (ELCR) at 0x4d0-0x4d1.  Register semantics follow the
 * Intel 8259A datasheet (ICW1-4, OCW1-3); what the emulation leaves out:
 * special fully nested mode, buffered mode and MCS-80 call vectors.
 *
 * The master's INTR output reaches the vCPU as ExtINT through the local
 * APIC's LINT0; the vCPU loop runs the INTA cycle (pic_ack) when the vCPU
 * can take it.
 */
#include <errno.h>
#include <stdlib.h>

#include "../init.h"
#include "../irq.h"
#include "../vm.h"

#define PIC_MASTER	0x20
#define PIC_SLAVE	0xa0
#define PIC_ELCR	0x4d0
#define PIC_CASCADE_IR	2

/* ICW1 (A0 = 0, D4 = 1) */
#define ICW1_IC4	0x01	/* ICW4 follows */
#define ICW1_SNGL	0x02	/* single PIC: no ICW3 */
#define ICW1_INIT	0x10
/* ICW4 */
#define ICW4_AEOI	0x02
/* OCW3 (A0 = 0, D4 = 0, D3 = 1) */
#define OCW3_SEL	0x08
#define OCW3_RIS	0x01	/* with RR: read ISR, else IRR */
#define OCW3_RR		0x02
#define OCW3_POLL	0x04
#define OCW3_SMM	0x20	/* with ESMM: special mask on/off */
#define OCW3_ESMM	0x40

struct pic_chip {
	u8 irr, imr, isr;
	u8 elcr;		/* level-triggered lines */
	u8 elcr_mask;		/* lines whose ELCR bit is writable */
	u8 lines;		/* current input levels (edge detection) */
	u8 base;		/* ICW2: vector of IR0 */
	u8 lowest;		/* IR with the lowest priority (rotation) */
	u8 init_step;		/* next ICW expected on the data port, 0 = none */
	bool icw4, single;
	bool auto_eoi, rotate_aeoi;
	bool read_isr, poll, special_mask;
};

struct pic {
	struct pic_chip chip[2];	/* master, slave */
};

/* The IR of highest priority set in mask, or -1 (8259A: IR(lowest+1) first). */
static int pic_highest(const struct pic_chip *c, u8 mask)
{
	unsigned int i;

	for (i = 1; i <= 8; i++) {
		unsigned int ir = (c->lowest + i) & 7;

		if (mask & (1u << ir))
			return ir;
	}
	return -1;
}

static unsigned int pic_rank(const struct pic_chip *c, int ir)
{
	return (ir - c->lowest - 1) & 7;	/* 0 = highest priority */
}

/* The IR this chip would present on INTA, or -1. */
static int pic_pending(const struct pic_chip *c)
{
	int req = pic_highest(c, c->irr & ~c->imr);
	u8 in_service = c->isr;
	int cur;

	if (req < 0)
		return -1;
	/* Special mask mode: masked in-service levels do not block. */
	if (c->special_mask)
		in_service &= ~c->imr;
	cur = pic_highest(c, in_service);
	if (cur >= 0 && pic_rank(c, cur) <= pic_rank(c, req))
		return -1;
	return req;
}

static void chip_set_line(struct pic_chip *c, unsigned int ir, bool level)
{
	u8 bit = 1u << ir;

	if (c->elcr & bit) {
		/* Level: IRR follows the line. */
		if (level)
			c->irr |= bit;
		else
			c->irr &= ~bit;
	} else if (level && !(c->lines & bit)) {
		c->irr |= bit;		/* edge: latch the rising edge */
	}
	if (level)
		c->lines |= bit;
	else
		c->lines &= ~bit;
}

/* The slave's INTR is a level on the master's cascade input. */
static void pic_update_cascade(struct pic *pic)
{
	struct pic_chip *m = &pic->chip[0];
	bool out = pic_pending(&pic->chip[1]) >= 0;

	if (out && !(m->lines & (1u << PIC_CASCADE_IR)))
		m->irr |= 1u << PIC_CASCADE_IR;
	else if (!out)
		m->irr &= ~(1u << PIC_CASCADE_IR);
	if (out)
		m->lines |= 1u << PIC_CASCADE_IR;
	else
		m->lines &= ~(1u << PIC_CASCADE_IR);
}

void pic_set_irq(struct pic *pic, unsigned int irq, bool level)
{
	chip_set_line(&pic->chip[irq >> 3], irq & 7, level);
	pic_update_cascade(pic);
}

bool pic_intr(const struct pic *pic)
{
	return pic_pending(&pic->chip[0]) >= 0;
}

/* INTA on one chip: returns the IR, or 7 (spurious) if nothing is left. */
static int chip_ack(struct pic_chip *c)
{
	int ir = pic_pending(c);

	if (ir < 0)
		return 7;	/* 8259A: a vanished request acks as IR7 */
	if (!(c->elcr & (1u << ir)))
		c->irr &= ~(1u << ir);
	if (c->auto_eoi) {
		if (c->rotate_aeoi)
			c->lowest = ir;
	} else {
		c->isr |= 1u << ir;
	}
	return ir;
}

u8 pic_ack(struct pic *pic)
{
	struct pic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int ir = chip_ack(m);
	u8 vector;

	if (ir == PIC_CASCADE_IR) {
		vector = s->base + chip_ack(s);
		pic_update_cascade(pic);
	} else {
		vector = m->base + ir;
	}
	return vector;
}

static void chip_eoi(struct pic_chip *c, int ir, bool rotate)
{
	if (ir < 0)
		return;
	c->isr &= ~(1u << ir);
	if (rotate)
		c->lowest = ir;
}

static void chip_write_cmd(struct pic_chip *c, u8 v)
{
	if (v & ICW1_INIT) {
		/* ICW1: reset to the state the datasheet lists. */
		c->imr = 0;
		c->isr = 0;
		c->irr &= c->elcr;
		c->lowest = 7;
		c->special_mask = false;
		c->read_isr = false;
		c->poll = false;
		c->auto_eoi = false;
		c->rotate_aeoi = false;
		c->icw4 = v & ICW1_IC4;
		c->single = v & ICW1_SNGL;
		c->init_step = 2;
		return;
	}
	if (v & OCW3_SEL) {
		if (v & OCW3_POLL)
			c->poll = true;
		if (v & OCW3_RR)
			c->read_isr = v & OCW3_RIS;
		if (v & OCW3_ESMM)
			c->special_mask = v & OCW3_SMM;
		return;
	}
	/* OCW2: R, SL, EOI in bits 7-5; L2-L0 in bits 2-0. */
	switch (v >> 5) {
	case 1:		/* non-specific EOI */
		chip_eoi(c, pic_highest(c, c->isr), false);
		break;
	case 3:		/* specific EOI */
		chip_eoi(c, v & 7, false);
		break;
	case 5:		/* rotate on non-specific EOI */
		chip_eoi(c, pic_highest(c, c->isr), true);
		break;
	case 7:		/* rotate on specific EOI */
		chip_eoi(c, v & 7, true);
		break;
	case 4:		/* set rotate in automatic EOI mode */
		c->rotate_aeoi = true;
		break;
	case 0:
		c->rotate_aeoi = false;
		break;
	case 6:		/* set priority: L becomes the lowest */
		c->lowest = v & 7;
		break;
	}
}

static void chip_write_data(struct pic_chip *c, u8 v)
{
	switch (c->init_step) {
	case 2:		/* ICW2: vector base; T2-T0 are ignored in x86 mode */
		c->base = v & 0xf8;
		c->init_step = c->single ? (c->icw4 ? 4 : 0) : 3;
		break;
	case 3:		/* ICW3: cascade wiring, fixed on a PC */
		c->init_step = c->icw4 ? 4 : 0;
		break;
	case 4:
		c->auto_eoi = v & ICW4_AEOI;
		c->init_step = 0;
		break;
	default:	/* OCW1 */
		c->imr = v;
		break;
	}
}

static u8 chip_read(struct pic *pic, struct pic_chip *c, bool data)
{
	if (data)
		return c->imr;
	if (c->poll) {
		/* Poll command: an INTA without the vector, 0x80 | IR. */
		int ir = pic_pending(c);

		c->poll = false;
		if (ir < 0)
			return 0;
		chip_ack(c);
		pic_update_cascade(pic);
		return 0x80 | ir;
	}
	return c->read_isr ? c->isr : c->irr;
}

static void pic_io(void *opaque, u64 offset, u8 *data, u32 len,
		   bool is_write, struct pic_chip *c)
{
	struct pic *pic = opaque;

	if (is_write) {
		if (offset)
			chip_write_data(c, data[0]);
		else
			chip_write_cmd(c, data[0]);
		pic_update_cascade(pic);
	} else {
		data[0] = chip_read(pic, c, offset);
		if (len > 1)
			le_write(data + 1, len - 1, 0);
	}
}

static void pic_master_io(void *opaque, u64 offset, u8 *data, u32 len,
			  bool is_write)
{
	struct pic *pic = opaque;

	pic_io(opaque, offset, data, len, is_write, &pic->chip[0]);
}

static void pic_slave_io(void *opaque, u64 offset, u8 *data, u32 len,
			 bool is_write)
{
	struct pic *pic = opaque;

	pic_io(opaque, offset, data, len, is_write, &pic->chip[1]);
}

/* ELCR: one bit per IRQ, 1 = level.  IRQ 0-2, 8 and 13 are always edge. */
static void pic_elcr_io(void *opaque, u64 offset, u8 *data, u32 len,
			bool is_write)
{
	struct pic *pic = opaque;
	u32 i;

	for (i = 0; i < len && offset + i < 2; i++) {
		struct pic_chip *c = &pic->chip[offset + i];

		if (is_write)
			c->elcr = data[i] & c->elcr_mask;
		else
			data[i] = c->elcr;
	}
}

static int pic_init(struct vm *vm)
{
	struct pic *pic = calloc(1, sizeof(*pic));
	int ret;

	if (!pic)
		return -ENOMEM;
	pic->chip[0].elcr_mask = 0xf8;
	pic->chip[1].elcr_mask = 0xde;
	/*
	 * As a PC BIOS leaves it: vectors 0x08 and 0x70, every line masked,
	 * so nothing reaches the CPU before the OS programs the pair.
	 */
	pic->chip[0].base = 0x08;
	pic->chip[1].base = 0x70;
	pic->chip[0].imr = pic->chip[1].imr = 0xff;
	pic->chip[0].lowest = pic->chip[1].lowest = 7;
	ret = bus_register(&vm->pio, PIC_MASTER, 2, pic_master_io, pic,
			   "pic-master");
	if (!ret)
		ret = bus_register(&vm->pio, PIC_SLAVE, 2, pic_slave_io, pic,
				   "pic-slave");
	if (!ret)
		ret = bus_register(&vm->pio, PIC_ELCR, 2, pic_elcr_io, pic,
				   "elcr");
	if (!ret)
		vm->pic = pic;
	return ret;
}
device_init(pic_init);
