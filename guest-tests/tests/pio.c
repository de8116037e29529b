// SPDX-License-Identifier: GPL-2.0
/*
 * pio: IN/OUT of every size and REP INS/OUTS against the launcher's test
 * device (Documentation/devices.rst), string transfers long enough to
 * span several pages, and an unclaimed port.
 */
#include "libguest.h"

#define SCRATCH		0xe0
#define SEQ		0x700
#define ACC		0x704
#define CLEAR		0x708
#define ACCESSES	0x709
#define UNCLAIMED	0x2e8	/* COM4: no device in devices.rst */

/* 3 pages; transfers start 5 bytes before the first boundary. */
static u8 buf[3 * 4096] __attribute__((aligned(4096)));
#define START	(buf + 4096 - 5)

struct rep_result {
	unsigned long si_di, cx;
};

static struct rep_result rep_io(bool out, unsigned int size, u16 port,
				void *p, unsigned long count)
{
	struct rep_result r = { (unsigned long)p, count };

#define REP(insn, reg)							\
	asm volatile("rep " insn : "+" reg(r.si_di), "+c"(r.cx)		\
		     : "d"(port) : "memory")
	if (out && size == 1)
		REP("outsb", "S");
	else if (out && size == 2)
		REP("outsw", "S");
	else if (out)
		REP("outsl", "S");
	else if (size == 1)
		REP("insb", "D");
	else if (size == 2)
		REP("insw", "D");
	else
		REP("insl", "D");
#undef REP
	return r;
}

static void check_single(void)
{
	u32 v;

	outl(SCRATCH, 0x12345678);
	report(inl(SCRATCH) == 0x12345678, "outl/inl scratch");
	outw(SCRATCH, 0xabcd);
	v = inl(SCRATCH);
	report(inw(SCRATCH) == 0xabcd && v == 0x1234abcd,
	       "outw/inw scratch (dword now %x)", v);
	outb(SCRATCH, 0x5a);
	v = inl(SCRATCH);
	report(inb(SCRATCH) == 0x5a && v == 0x1234ab5a,
	       "outb/inb scratch (dword now %x)", v);

	outb(CLEAR, 0);
	report(inb(SEQ) == 0 && inb(SEQ) == 1 && inw(SEQ) == 2 && inl(SEQ) == 3,
	       "sequence port counts 0, 1, 2, 3 over inb/inb/inw/inl");
	outl(SEQ, 0x1fffe);
	v = inl(SEQ);
	report(v == 0x1fffe && inw(SEQ) == 0xffff && inb(SEQ) == 0x00,
	       "sequence port set by outl, reads truncated to size");
	outb(ACC, 0x05);
	outw(ACC, 0x100);
	outl(ACC, 0x10000);
	v = inl(ACC);
	report(v == 0x10105, "accumulator sums outb/outw/outl: %x", v);
	v = inb(ACCESSES);
	report(v == 12, "each access counted once: %u", v);

	report(inb(UNCLAIMED) == 0xff && inw(UNCLAIMED) == 0xffff &&
	       inl(UNCLAIMED) == 0xffffffff, "unclaimed port %x reads all ones",
	       UNCLAIMED);
}

static void check_ins(unsigned int size, unsigned long count)
{
	struct rep_result r;
	unsigned long i, bad = 0;
	u32 mask = size == 4 ? ~0u : (1u << (8 * size)) - 1;

	memset(buf, 0xee, sizeof(buf));
	outb(CLEAR, 0);
	r = rep_io(false, size, SEQ, START, count);
	for (i = 0; i < count; i++) {
		u32 v = size == 1 ? START[i] : size == 2 ?
			((u16 *)START)[i] : ((u32 *)START)[i];

		if (v != (i & mask) && !bad++)
			printf("element %lu: %x\n", i, v);
	}
	report(!bad && START[-1] == 0xee && START[count * size] == 0xee,
	       "rep ins%c x%lu across pages: data", "bwxl"[size - 1], count);
	report(r.cx == 0 && r.si_di == (unsigned long)START + count * size,
	       "rep ins%c: RCX %lx, RDI end %lx", "bwxl"[size - 1], r.cx,
	       r.si_di - (unsigned long)START);
	report(inb(ACCESSES) == (count & 0xff), "rep ins%c: %lu port accesses",
	       "bwxl"[size - 1], count);
}

static void check_outs(unsigned int size, unsigned long count)
{
	struct rep_result r;
	unsigned long i;
	u32 sum = 0;

	for (i = 0; i < count * size; i++)
		START[i] = i * 13 + 7;
	for (i = 0; i < count; i++)
		sum += size == 1 ? START[i] : size == 2 ?
			((u16 *)START)[i] : ((u32 *)START)[i];
	outb(CLEAR, 0);
	r = rep_io(true, size, ACC, START, count);
	report(inl(ACC) == sum, "rep outs%c x%lu across pages: sum %x",
	       "bwxl"[size - 1], count, sum);
	report(r.cx == 0 && r.si_di == (unsigned long)START + count * size,
	       "rep outs%c: RCX %lx, RSI end %lx", "bwxl"[size - 1], r.cx,
	       r.si_di - (unsigned long)START);
}

/* DF=1: string I/O walks down (SDM Vol. 2B INS). */
static void check_backwards(void)
{
	unsigned long di = (unsigned long)(buf + sizeof(buf) - 4), cx = 1500;
	u32 *end = (u32 *)di;
	unsigned long i, bad = 0;

	outb(CLEAR, 0);
	asm volatile("std; rep insl; cld" : "+D"(di), "+c"(cx)
		     : "d"((u16)SEQ) : "memory");
	for (i = 0; i < 1500; i++)
		bad += end[-(long)i] != i;
	report(!bad && cx == 0 && di == (unsigned long)(end - 1500),
	       "rep insl with DF=1: data and RDI");
}

static void check_scratch_string(void)
{
	u32 *p = (u32 *)START;
	unsigned long i, bad = 0;

	for (i = 0; i < 1500; i++)
		p[i] = 0xc0de0000 + i;
	rep_io(true, 4, SCRATCH, p, 1500);
	report(inl(SCRATCH) == 0xc0de0000 + 1499, "rep outsl to scratch: last element");
	rep_io(false, 2, SCRATCH, p, 3000);
	for (i = 0; i < 3000; i++)
		bad += ((u16 *)p)[i] != (0xc0de0000 + 1499) % 0x10000;
	report(!bad, "rep insw from scratch");
}

int main(void)
{
	check_single();
	check_ins(1, 5000);
	check_ins(2, 3000);
	check_ins(4, 2000);
	check_outs(1, 5000);
	check_outs(2, 3000);
	check_outs(4, 2000);
	check_backwards();
	check_scratch_string();
	return report_summary();
}
