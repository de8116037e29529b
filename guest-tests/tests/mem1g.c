// SPDX-License-Identifier: GPL-2.0
/*
 * mem1g: write an address-dependent pattern over 1 GiB of guest RAM above
 * the image, then read it all back.  Needs --mem 1200M (manifest).  The
 * pattern depends on the address, so pages mapped twice or lost show up.
 * "mib=N" on the command line (khv run --cmdline mib=N) tests N MiB
 * instead, for hosts where guest stores are slow.
 */
#include "libguest.h"

#define DEFAULT_MIB	1024
#define SEED	0x9e3779b97f4a7c15ULL

static inline u64 value(unsigned long addr)
{
	return (addr * SEED) ^ (addr >> 12);
}

static unsigned long size_from_cmdline(void)
{
	const char *p = (const char *)(unsigned long)mb_info()->cmdline;
	unsigned long mib = 0;

	if (!(mb_info()->flags & MB_INFO_CMDLINE) || !p)
		return DEFAULT_MIB << 20;
	for (; *p; p++) {
		if (!strncmp(p, " mib=", 5)) {
			for (p += 5; *p >= '0' && *p <= '9'; p++)
				mib = mib * 10 + (*p - '0');
			break;
		}
	}
	return (mib ? mib : DEFAULT_MIB) << 20;
}

int main(void)
{
	struct multiboot_info *mb = mb_info();
	unsigned long start, end, a, bad = 0;
	u64 top, t0, t1, t2;

	/* The image ends around 4.2 MiB; start at the next 2 MiB page. */
	start = ((unsigned long)_end + (2UL << 20) - 1) & ~((2UL << 20) - 1);
	end = start + size_from_cmdline();
	top = ((u64)mb->mem_upper + 1024) * 1024;
	if (!report(top >= end, "RAM up to %lx covers [%lx, %lx)", top, start,
		    end))
		return report_summary();

	t0 = rdtsc();
	for (a = start; a < end; a += 8)
		*(volatile u64 *)a = value(a);
	t1 = rdtsc();
	for (a = start; a < end; a += 8) {
		u64 v = *(volatile u64 *)a;

		if (v != value(a) && bad++ < 4)
			printf("at %lx: %lx, expected %lx\n", a, v, value(a));
	}
	t2 = rdtsc();
	report(!bad, "%lu MiB pattern read back (%lu bad quadwords)",
	       (end - start) >> 20, bad);
	printf("write %lu Mcycles, verify %lu Mcycles\n",
	       (unsigned long)((t1 - t0) >> 20), (unsigned long)((t2 - t1) >> 20));
	return report_summary();
}
