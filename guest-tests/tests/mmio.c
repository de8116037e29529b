// SPDX-License-Identifier: GPL-2.0
/*
 * mmio: loads and stores of 1, 2, 4 and 8 bytes, and MOVZX/MOVSX loads,
 * against the launcher's test device (Documentation/devices.rst).  The
 * library maps the top GiB below 4 GiB uncached (PCD|PWT, entry.S).
 */
#include "libguest.h"

#define PATTERN		0xfef00000UL
#define GOOD_WRITES	(PATTERN + 0x800)
#define BAD_WRITES	(PATTERN + 0x804)
#define LAST_SIZE	(PATTERN + 0x808)
#define CLEAR		(PATTERN + 0x80c)
#define SCRATCH		0xff000000UL
#define UNCLAIMED	0xfe000000UL

/* The pattern value of n bytes at offset o, little-endian. */
static u64 pattern(unsigned long o, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | (u8)((o + n) * 7 + 1);
	return v;
}

static u64 mmio_read(unsigned int size, unsigned long a)
{
	switch (size) {
	case 1:
		return readb(a);
	case 2:
		return readw(a);
	case 4:
		return readl(a);
	default:
		return readq(a);
	}
}

static void mmio_write(unsigned int size, unsigned long a, u64 v)
{
	switch (size) {
	case 1:
		writeb(a, v);
		break;
	case 2:
		writew(a, v);
		break;
	case 4:
		writel(a, v);
		break;
	default:
		writeq(a, v);
	}
}

static void check_pattern(void)
{
	/* Aligned, unaligned, and the last bytes of the window. */
	static const unsigned long offs[] = { 0, 0x18, 0x133, 0x7f8 };
	unsigned int size, i, good = 0, bad = 0;
	u64 v;

	writel(CLEAR, 0);
	for (size = 1; size <= 8; size <<= 1) {
		for (i = 0; i < ARRAY_SIZE(offs); i++) {
			unsigned long o = offs[i];

			v = mmio_read(size, PATTERN + o);
			report(v == pattern(o, size),
			       "pattern read size %u at %lx: %lx", size, o, v);
		}
		report(readl(LAST_SIZE) == size, "last access size %u", size);
		mmio_write(size, PATTERN + 0x40, pattern(0x40, size));
		good++;
		mmio_write(size, PATTERN + 0x40, pattern(0x40, size) ^ 1);
		bad++;
		report(readl(LAST_SIZE) == size, "last write size %u", size);
	}
	v = readl(GOOD_WRITES);
	report(v == good, "good writes counted: %lu", v);
	v = readl(BAD_WRITES);
	report(v == bad, "bad writes counted: %lu", v);
	writel(CLEAR, 0);
	report(readl(GOOD_WRITES) == 0 && readl(BAD_WRITES) == 0,
	       "counters cleared");
}

/* Offset 0x13 reads 0x86 and 0x14 reads 0x8d: both sign bits set. */
static void check_extending_loads(void)
{
	u64 zb, sb, zw, sw;
	u32 zb32;

	asm volatile("movzbl %1, %k0" : "=r"(zb32) : "m"(*(volatile u8 *)(PATTERN + 0x13)));
	asm volatile("movzbq %1, %0" : "=r"(zb) : "m"(*(volatile u8 *)(PATTERN + 0x13)));
	asm volatile("movsbq %1, %0" : "=r"(sb) : "m"(*(volatile u8 *)(PATTERN + 0x13)));
	asm volatile("movzwq %1, %0" : "=r"(zw) : "m"(*(volatile u16 *)(PATTERN + 0x14)));
	asm volatile("movswq %1, %0" : "=r"(sw) : "m"(*(volatile u16 *)(PATTERN + 0x14)));
	report(zb32 == 0x86 && zb == 0x86, "movzx byte: %x %lx", zb32, zb);
	report(sb == 0xffffffffffffff86ULL, "movsx byte: %lx", sb);
	report(zw == 0x948d, "movzx word: %lx", zw);
	report(sw == 0xffffffffffff948dULL, "movsx word: %lx", sw);
}

static void check_scratch(void)
{
	unsigned int size;
	u64 v;

	for (size = 1; size <= 8; size <<= 1) {
		unsigned long a = SCRATCH + 0x100 * size;
		u64 want = 0x8877665544332211ULL >> (64 - 8 * size);

		mmio_write(size, a, want);
		v = mmio_read(size, a);
		report(v == want, "scratch write/read size %u: %lx", size, v);
	}
	writeq(SCRATCH + 0xfff8, 0x0123456789abcdefULL);
	report(readb(SCRATCH + 0xfff8) == 0xef && readw(SCRATCH + 0xfffa) == 0x89ab &&
	       readl(SCRATCH + 0xfffc) == 0x01234567,
	       "scratch: narrower reads of a quadword write (little-endian)");
	writeb(SCRATCH + 0xfffb, 0x5a);
	report(readq(SCRATCH + 0xfff8) == 0x012345675aabcdefULL,
	       "scratch: byte write merges into the quadword");
}

static void check_unclaimed(void)
{
	report(readb(UNCLAIMED) == 0xff && readw(UNCLAIMED) == 0xffff &&
	       readl(UNCLAIMED) == 0xffffffff && readq(UNCLAIMED) == ~0ULL,
	       "unclaimed %lx reads all ones", UNCLAIMED);
	writel(UNCLAIMED, 0);
	report(readl(UNCLAIMED) == 0xffffffff, "unclaimed %lx ignores writes",
	       UNCLAIMED);
}

int main(void)
{
	check_pattern();
	check_extending_loads();
	check_scratch();
	check_unclaimed();
	return report_summary();
}
