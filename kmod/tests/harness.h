/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fake guest for the emulator tests: RAM at linear [0, RAM_SIZE), an MMIO
 * window at [MMIO_BASE, MMIO_BASE + MMIO_SIZE), #PF anywhere else.  MMIO
 * reads follow the exit/restart protocol: the first attempt exits, the
 * "userspace" answer comes from a queue, and the instruction is run again
 * from scratch with a one-entry completed-read cache.
 */
#ifndef KHV_TEST_HARNESS_H
#define KHV_TEST_HARNESS_H

#include <linux/types.h>

#include "emulate.h"

#define RAM_SIZE	0x80000ULL
#define MMIO_BASE	0xd0000000ULL
#define MMIO_SIZE	0x10000ULL
#define LOW_MMIO_BASE	0xa0000ULL	/* reachable from real mode */
#define LOW_MMIO_SIZE	0x20000ULL

struct mmio_access {
	u64 addr;
	unsigned int len;
	u64 data;
	bool is_write;
};

struct env {
	struct khv_emu_ctxt vcpu;	/* committed architectural state */
	struct khv_emu_ctxt last;	/* context of the last run */
	u8 ram[RAM_SIZE];
	u64 reads[64];			/* userspace answers to MMIO reads */
	int nr_reads, read_pos;
	struct mmio_access log[64];	/* MMIO accesses, in order */
	int nr_log;
	struct {
		bool valid;
		u64 addr;
		unsigned int len;
		u64 data;
	} done_read;
	struct mmio_access exit;	/* the pending exit */
	int exits, runs, ram_accesses;
	u64 last_addr;		/* linear address of the last access */
	bool broke_restart;	/* registers changed on a read exit */
	bool use_fetch;		/* provide ops->fetch */
};

/* Reset the global env for @mode: RIP 0x1000, RFLAGS 0x2. */
struct env *env_reset(int mode);
void env_queue_read(struct env *e, u64 val);
/* Run one instruction through its exits; returns the final KHV_EMU_*. */
int emu_step(struct env *e, const u8 *insn, unsigned int n);

#define BYTES(...)	((const u8[]){ __VA_ARGS__ })
#define RUN(e, ...)	emu_step(e, BYTES(__VA_ARGS__), \
				 sizeof(BYTES(__VA_ARGS__)))

u64 ram_read(struct env *e, u64 addr, unsigned int len);
void ram_write(struct env *e, u64 addr, u64 val, unsigned int len);

/* The host CPU's result and RFLAGS for ALU op KHV_ALU_* (inline asm). */
u64 host_alu(int op, u64 a, u64 b, unsigned int size, u64 cf_in,
	     u64 *flags);

#endif
