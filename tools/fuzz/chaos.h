/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv-chaos (khv-chaos.c runs the cases, chaos_guest.c builds them): the
 * random streams a case derives from its seed and number, and what a case
 * is, its guest memory layout and CPU state.
 */
#ifndef KHV_CHAOS_H
#define KHV_CHAOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/khv.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		4096UL
#define MIB		(1024UL * 1024)

/* ---- random numbers: one stream per case, from the seed and the case ---- */

struct rng {
	uint64_t s;
};

/* xorshift64*, as khv-fuzz: the same sequence on every machine. */
static inline uint64_t rnd(struct rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static inline uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static inline bool chance(struct rng *r, unsigned int percent)
{
	return below(r, 100) < percent;
}

/* splitmix64 of seed and case: unrelated streams for neighbouring cases. */
static inline uint64_t mix(uint64_t seed, uint64_t n, uint64_t salt)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL + n * 0xbf58476d1ce4e5b9ULL +
		     salt * 0x94d049bb133111ebULL + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z ? z : 1;
}

enum mode { REAL, PM16, PM32, VM86, LONG64, COMPAT, NR_MODES };
extern const char *const mode_name[NR_MODES];

/*
 * RAM at 0.  The tables live in nine pages at tbl, somewhere in RAM, and
 * random code everywhere else:
 *   tbl + 0000  GDT          tbl + 5000  PD: 2 MiB pages over 0-1 GiB
 *   tbl + 1000  IDT          tbl + 6000  PT: 4 KiB pages over 0-2 MiB
 *   tbl + 2000  TSS          tbl + 7000  32-bit PD: 4 MiB pages
 *   tbl + 3000  PML4         tbl + 8000  PAE PDPT
 *   tbl + 4000  PDPT
 */
#define TBL_PAGES	9

/* GDT selectors. */
#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_CODE32	0x18
#define SEL_CODE16	0x20
#define SEL_DATA16	0x28
#define SEL_TSS		0x30	/* 16 bytes in long mode */
#define SEL_LDT		0x40
#define SEL_CODE32_U	0x4b	/* ring 3 */
#define SEL_DATA_U	0x53
#define GDT_ENTRIES	32

struct chaos_case {
	uint64_t seed, n;
	struct rng rng;		/* the case's state and memory */
	struct rng answers;	/* the data given back to its exits */
	enum mode mode;
	size_t ram_size;
	uint8_t *ram;
	uint64_t tbl;
	uint64_t code_pa;	/* the first instruction's guest physical address */
	bool lapic, rom, salted, broken_state, broken_tables;
	struct khv_regs regs;
	struct khv_sregs sregs;
};

/*
 * Building a case (chaos_guest.c): fill_code() fills RAM with random
 * code, salted; build_tables() puts the GDT, IDT, TSS and page tables at
 * c->tbl; set_state() picks the vCPU's registers for c->mode, sometimes
 * broken; shrink_code() keeps only code_len bytes of code at the first
 * instruction (all of it when code_len < 0); trace_case() prints the
 * case to stderr.
 */
void fill_code(struct chaos_case *c);
void build_tables(struct chaos_case *c);
void set_state(struct chaos_case *c);
void shrink_code(struct chaos_case *c, long code_len);
void trace_case(const struct chaos_case *c);

/* A segment register from descriptor d; a real-mode one from sel. */
void seg_from(struct khv_segment *s, uint16_t sel, uint64_t d);
void real_seg(struct khv_segment *s, uint16_t sel, unsigned int type);

#endif
