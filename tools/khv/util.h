/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_UTIL_H
#define KHV_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define SZ_4K		0x1000ULL
#define SZ_1M		0x100000ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL

#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((u64)(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((u64)(a) - 1))

#define NSEC_PER_SEC	1000000000ULL

/* Every message of the launcher starts with "khv: " so it is easy to grep. */
#define pr_err(fmt, ...)	fprintf(stderr, "khv: " fmt "\n", ##__VA_ARGS__)
#define pr_info(fmt, ...)	fprintf(stderr, "khv: " fmt "\n", ##__VA_ARGS__)

/*
 * Exit statuses of "khv run".  Odd values belong to the guest (debug-exit
 * writes (V << 1) | 1), so everything the launcher decides itself is even.
 */
#define KHV_EXIT_HALTED		0	/* guest stopped itself: HLT with IF=0 */
#define KHV_EXIT_TRIPLE_FAULT	2	/* guest shutdown (triple fault) */
#define KHV_EXIT_VCPU_ERROR	4	/* entry failure, internal error, ... */
#define KHV_EXIT_DEADLOCK	6	/* HLT with IF=1, nothing can wake it */
#define KHV_EXIT_USAGE		8	/* bad option, file, device or ioctl */
#define KHV_EXIT_SIGINT		130
#define KHV_EXIT_SIGTERM	143

/* Little-endian helpers for device registers of 1 to 8 bytes. */
static inline u64 le_read(const u8 *p, unsigned int len)
{
	u64 v = 0;

	while (len--)
		v = (v << 8) | p[len];
	return v;
}

static inline void le_write(u8 *p, unsigned int len, u64 v)
{
	unsigned int i;

	for (i = 0; i < len; i++, v >>= 8)
		p[i] = v & 0xff;
}

/*
 * Read a whole file into a malloc'd buffer.  Files larger than @limit are
 * refused (they could not fit in guest RAM anyway).  On failure returns
 * NULL and sets *why to a static description.
 */
void *read_file(const char *path, size_t limit, size_t *size, const char **why);

/* CLOCK_MONOTONIC in nanoseconds: the time base of every device timer. */
u64 now_ns(void);

#endif
