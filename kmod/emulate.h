/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv instruction emulator: decodes and emulates the x86 instructions a
 * guest uses to touch MMIO, so that each access to a non-RAM address
 * becomes an MMIO exit to userspace.
 *
 * Pure logic: no kernel API beyond <linux/types.h>, so the same file is
 * unit-tested in userspace (kmod/tests/).
 *
 * Restart model (as KVM does): the emulator keeps no state between calls.
 * When a read needs userspace (a read callback returned KHV_EMU_MMIO_EXIT),
 * khv_emulate_insn() returns KHV_EMU_MMIO_EXIT without side effects; the
 * caller exits, userspace fills the data, and on the next entry the caller
 * runs khv_emulate_insn() again from scratch with the same instruction
 * bytes, its read callback now serving the completed data.  A memory write
 * is always the last action of a supported instruction, so when the write
 * callback asks for an exit the emulator still finishes the instruction and
 * returns KHV_EMU_DONE_MMIO_WRITE: commit the registers, then exit.
 */
#ifndef _KHV_EMULATE_H
#define _KHV_EMULATE_H

#include <linux/types.h>

/* Execution mode, see khv_emu_mode(). */
#define KHV_MODE_REAL		0	/* real or virtual-8086 mode */
#define KHV_MODE_PROT16		1	/* protected/compat mode, CS.D = 0 */
#define KHV_MODE_PROT32		2	/* protected/compat mode, CS.D = 1 */
#define KHV_MODE_LONG64		3	/* 64-bit mode: EFER.LMA and CS.L */

/* Segment registers, in sreg-field order (SDM Vol. 2 Appendix B). */
#define KHV_SEG_ES		0
#define KHV_SEG_CS		1
#define KHV_SEG_SS		2
#define KHV_SEG_DS		3
#define KHV_SEG_FS		4
#define KHV_SEG_GS		5
#define KHV_NR_SEGS		6

/* General purpose registers, in their ModRM/REX encoding order. */
#define KHV_REG_RAX		0
#define KHV_REG_RCX		1
#define KHV_REG_RDX		2
#define KHV_REG_RBX		3
#define KHV_REG_RSP		4
#define KHV_REG_RBP		5
#define KHV_REG_RSI		6
#define KHV_REG_RDI		7

/* Arithmetic flags and DF in RFLAGS (SDM Vol. 1 3.4.3). */
#define KHV_FLAG_CF		0x0001ULL
#define KHV_FLAG_PF		0x0004ULL
#define KHV_FLAG_AF		0x0010ULL
#define KHV_FLAG_ZF		0x0040ULL
#define KHV_FLAG_SF		0x0080ULL
#define KHV_FLAG_DF		0x0400ULL
#define KHV_FLAG_OF		0x0800ULL
#define KHV_FLAG_VM		0x20000ULL
#define KHV_FLAGS_ARITH		(KHV_FLAG_CF | KHV_FLAG_PF | KHV_FLAG_AF | \
				 KHV_FLAG_ZF | KHV_FLAG_SF | KHV_FLAG_OF)

/* Return values of khv_emulate_insn(). */
#define KHV_EMU_DONE		0	/* commit gpr/rip/rflags, resume */
#define KHV_EMU_DONE_MMIO_WRITE	1	/* commit, then exit with the write */
#define KHV_EMU_MMIO_EXIT	2	/* read exit: do NOT commit, rerun later */
#define KHV_EMU_FAULT		3	/* inject c->fault, do not commit */
#define KHV_EMU_UNHANDLED	4	/* not decodable: internal error exit */

/* Exception vectors the emulator raises itself. */
#define KHV_VEC_SS		12
#define KHV_VEC_GP		13
#define KHV_VEC_PF		14

struct khv_emu_fault {
	u8 vector;		/* KHV_VEC_* */
	bool has_error_code;
	u32 error_code;
	u64 address;		/* #PF: the faulting linear address (CR2) */
};

/*
 * Memory callbacks.  @linear is a linear address: the emulator has added
 * the segment base and truncated it to the address width.  The callee
 * translates (khv_gva_to_gpa()) and decides; an access may cross a page
 * boundary, which the callee splits.  Each returns 0 when done,
 * KHV_EMU_MMIO_EXIT when userspace must complete the access (a read whose
 * data is not yet available, or an MMIO write now recorded for the exit),
 * or KHV_EMU_FAULT with *fault filled (#PF, #GP).
 *
 * fetch is optional: it is called only when the decoder needs more bytes
 * than c->insn_len; without it such an instruction is KHV_EMU_UNHANDLED.
 * A fetch must not return KHV_EMU_MMIO_EXIT (code is not run from MMIO).
 */
struct khv_emu_ops {
	int (*read)(void *opaque, u64 linear, void *buf, unsigned int len,
		    struct khv_emu_fault *fault);
	int (*write)(void *opaque, u64 linear, const void *buf,
		     unsigned int len, struct khv_emu_fault *fault);
	int (*fetch)(void *opaque, u64 linear, void *buf, unsigned int len,
		     struct khv_emu_fault *fault);
};

#define KHV_MAX_INSN_LEN	15	/* SDM Vol. 2 2.3.11 */

/* An operand once decoded: a register, a memory location or an immediate. */
#define KHV_OP_NONE		0
#define KHV_OP_REG		1
#define KHV_OP_MEM		2
#define KHV_OP_IMM		3

struct khv_emu_operand {
	u8 type;		/* KHV_OP_* */
	u8 size;		/* 1, 2, 4 or 8 bytes */
	u8 reg;			/* KHV_OP_REG: register number 0-15 */
	bool high_byte;		/* KHV_OP_REG: AH, CH, DH or BH */
	u8 seg;			/* KHV_OP_MEM: KHV_SEG_* */
	u64 ea;			/* KHV_OP_MEM: effective address */
	u64 val;		/* KHV_OP_IMM: the immediate */
};

struct khv_emu_ctxt {
	/* In: filled by the caller before khv_emulate_insn(). */
	u64 gpr[16];		/* RAX..R15, KHV_REG_* order */
	u64 rip;
	u64 rflags;
	int mode;		/* KHV_MODE_*, see khv_emu_mode() */
	bool la57;		/* CR4.LA57: 57-bit canonical addresses */
	u64 seg_base[KHV_NR_SEGS];	/* in 64-bit mode only FS/GS apply */
	u8 insn[KHV_MAX_INSN_LEN];	/* bytes at CS:RIP ... */
	unsigned int insn_len;		/* ... how many are valid */

	/* Out: gpr/rip/rflags above, and on KHV_EMU_FAULT: */
	struct khv_emu_fault fault;

	/* Decoded state, for the caller's error reports. */
	unsigned int len;	/* bytes decoded so far / instruction length */
	u8 opcode;		/* last opcode byte */
	bool twobyte;		/* opcode follows 0F */
	u8 op_size;		/* operand size: 2, 4 or 8 (bytes) */
	u8 ad_size;		/* address size: 2, 4 or 8 (bytes) */
	u8 rex;			/* REX prefix, 0 if none */
	u8 rep;			/* 0, 0xf2 or 0xf3 */
	bool lock;
	bool op_prefix;		/* 66 seen */
	int seg_override;	/* KHV_SEG_* or -1 */
	u8 modrm;
	bool has_modrm;
	bool rip_relative;
	struct khv_emu_operand dst, src;
};

/*
 * The execution mode from guest state: CR0.PE, RFLAGS.VM, EFER.LMA and
 * the CS descriptor's L and D bits (SDM Vol. 3A 2.2, 5.2.1).
 */
int khv_emu_mode(u64 cr0, u64 rflags, u64 efer, bool cs_l, bool cs_d);

/*
 * Decode and emulate the instruction at c->insn.  Returns a KHV_EMU_*
 * code; see the restart model at the top of this file.
 */
int khv_emulate_insn(struct khv_emu_ctxt *c, const struct khv_emu_ops *ops,
		     void *opaque);

/* Exposed for tests: RFLAGS after an ALU op (KHV_ALU_*) on size bytes. */
#define KHV_ALU_ADD		0
#define KHV_ALU_OR		1
#define KHV_ALU_ADC		2
#define KHV_ALU_SBB		3
#define KHV_ALU_AND		4
#define KHV_ALU_SUB		5
#define KHV_ALU_XOR		6
#define KHV_ALU_CMP		7

u64 khv_emu_alu(int op, u64 a, u64 b, unsigned int size, u64 *rflags);

#endif /* _KHV_EMULATE_H */
