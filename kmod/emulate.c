// SPDX-License-Identifier: GPL-2.0
/*
 * khv instruction emulator for MMIO accesses.
 *
 * Only the instructions a guest uses to reach device memory are handled
 * (MOV, MOVZX/MOVSX/MOVSXD, the ALU ops, TEST, XCHG, MOVS/STOS/LODS,
 * MOVNTI); everything else is KHV_EMU_UNHANDLED so that the caller reports
 * it rather than emulate it wrongly.  References are to the Intel SDM.
 *
 * Segment limits and access rights are not checked: the guest already ran
 * the instruction up to the fault, which hardware only raises after the
 * segmentation checks passed.
 */
#include <linux/types.h>

#include "emulate.h"

#define EFER_LMA_BIT		(1ULL << 10)
#define CR0_PE_BIT		(1ULL << 0)

#define REX_W(c)		(((c)->rex >> 3) & 1)
#define REX_R(c)		(((c)->rex >> 2) & 1)
#define REX_X(c)		(((c)->rex >> 1) & 1)
#define REX_B(c)		((c)->rex & 1)

/* Internal: keep going.  Every other value is a KHV_EMU_* result. */
#define CONTINUE		0

static u64 size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static u64 sign_extend(u64 val, unsigned int size)
{
	unsigned int shift = 64 - size * 8;

	return (u64)((s64)(val << shift) >> shift);
}

int khv_emu_mode(u64 cr0, u64 rflags, u64 efer, bool cs_l, bool cs_d)
{
	if (!(cr0 & CR0_PE_BIT) || (rflags & KHV_FLAG_VM))
		return KHV_MODE_REAL;
	/* CS.L selects 64-bit mode only when IA-32e mode is active (5.2.1). */
	if ((efer & EFER_LMA_BIT) && cs_l)
		return KHV_MODE_LONG64;
	return cs_d ? KHV_MODE_PROT32 : KHV_MODE_PROT16;
}

static bool parity_even(u8 v)
{
	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return !(v & 1);
}

/*
 * Result and flags of the eight group-1 operations (SDM Vol. 1 Appendix A,
 * Vol. 2 ADD/ADC/SUB/SBB/...).  The carry out of the top bit is computed
 * from the operands and the result, which also holds with a carry in.
 * AF is undefined after the logical ops; like hardware we clear it.
 */
u64 khv_emu_alu(int op, u64 a, u64 b, unsigned int size, u64 *rflags)
{
	unsigned int msb = size * 8 - 1;
	u64 mask = size_mask(size);
	u64 cin = *rflags & KHV_FLAG_CF;
	u64 res, flags = 0;

	a &= mask;
	b &= mask;
	switch (op) {
	case KHV_ALU_ADD:
	case KHV_ALU_ADC:
		if (op == KHV_ALU_ADD)
			cin = 0;
		res = (a + b + cin) & mask;
		if ((((a & b) | ((a | b) & ~res)) >> msb) & 1)
			flags |= KHV_FLAG_CF;
		if ((((a ^ res) & (b ^ res)) >> msb) & 1)
			flags |= KHV_FLAG_OF;
		flags |= (a ^ b ^ res) & KHV_FLAG_AF;
		break;
	case KHV_ALU_SUB:
	case KHV_ALU_SBB:
	case KHV_ALU_CMP:
		if (op != KHV_ALU_SBB)
			cin = 0;
		res = (a - b - cin) & mask;
		if ((((~a & b) | ((~a | b) & res)) >> msb) & 1)
			flags |= KHV_FLAG_CF;
		if ((((a ^ b) & (a ^ res)) >> msb) & 1)
			flags |= KHV_FLAG_OF;
		flags |= (a ^ b ^ res) & KHV_FLAG_AF;
		break;
	case KHV_ALU_OR:
		res = a | b;
		break;
	case KHV_ALU_AND:
		res = a & b;
		break;
	default:
		res = a ^ b;
		break;
	}
	if (!res)
		flags |= KHV_FLAG_ZF;
	if ((res >> msb) & 1)
		flags |= KHV_FLAG_SF;
	if (parity_even((u8)res))
		flags |= KHV_FLAG_PF;
	*rflags = (*rflags & ~KHV_FLAGS_ARITH) | flags;
	return res;
}

static int raise_gp(struct khv_emu_ctxt *c, u8 vector)
{
	c->fault.vector = vector;
	c->fault.has_error_code = true;
	c->fault.error_code = 0;
	c->fault.address = 0;
	return KHV_EMU_FAULT;
}

/* The linear address of the next instruction byte. */
static u64 code_linear(struct khv_emu_ctxt *c)
{
	if (c->mode == KHV_MODE_LONG64)
		return c->rip + c->len;
	return (c->seg_base[KHV_SEG_CS] + c->rip + c->len) & 0xffffffffULL;
}

static int next_byte(struct khv_emu_ctxt *c, const struct khv_emu_ops *ops,
		     void *opaque, u8 *byte)
{
	int rc;

	/* Over 15 bytes is #GP(0) (SDM Vol. 2 2.3.11, Vol. 3A 6.15). */
	if (c->len >= KHV_MAX_INSN_LEN)
		return raise_gp(c, KHV_VEC_GP);
	if (c->len >= c->insn_len) {
		if (!ops->fetch)
			return KHV_EMU_UNHANDLED;
		rc = ops->fetch(opaque, code_linear(c), &c->insn[c->len], 1,
				&c->fault);
		if (rc == KHV_EMU_FAULT)
			return rc;
		if (rc)
			return KHV_EMU_UNHANDLED;
		c->insn_len = c->len + 1;
	}
	*byte = c->insn[c->len++];
	return CONTINUE;
}

/* A little-endian immediate or displacement of size bytes, zero-extended. */
static int next_imm(struct khv_emu_ctxt *c, const struct khv_emu_ops *ops,
		    void *opaque, unsigned int size, u64 *val)
{
	unsigned int i;
	u8 byte;
	int rc;

	*val = 0;
	for (i = 0; i < size; i++) {
		rc = next_byte(c, ops, opaque, &byte);
		if (rc)
			return rc;
		*val |= (u64)byte << (i * 8);
	}
	return CONTINUE;
}

/*
 * A register operand.  Byte registers 4-7 are AH, CH, DH, BH without a REX
 * prefix and SPL, BPL, SIL, DIL with any REX prefix (SDM Vol. 2 2.2.1.2,
 * Table 3-1).
 */
static void set_reg_operand(struct khv_emu_ctxt *c, struct khv_emu_operand *op,
			    unsigned int reg, unsigned int size)
{
	op->type = KHV_OP_REG;
	op->size = size;
	op->high_byte = size == 1 && !c->rex && reg >= 4 && reg < 8;
	op->reg = op->high_byte ? reg - 4 : reg;
}

static u64 reg_read(struct khv_emu_ctxt *c, const struct khv_emu_operand *op)
{
	if (op->high_byte)
		return (c->gpr[op->reg] >> 8) & 0xff;
	return c->gpr[op->reg] & size_mask(op->size);
}

/*
 * 32-bit results zero-extend into the full register; 8- and 16-bit results
 * leave the other bits alone (SDM Vol. 1 3.4.1.1).
 */
static void reg_write(struct khv_emu_ctxt *c, const struct khv_emu_operand *op,
		      u64 val)
{
	u64 *r = &c->gpr[op->reg];

	if (op->high_byte)
		*r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
	else if (op->size == 4)
		*r = (u32)val;
	else if (op->size == 8)
		*r = val;
	else
		*r = (*r & ~size_mask(op->size)) | (val & size_mask(op->size));
}

/* 16-bit addressing forms, SDM Vol. 2 Table 2-1. */
static int decode_ea16(struct khv_emu_ctxt *c, const struct khv_emu_ops *ops,
		       void *opaque, struct khv_emu_operand *op, u8 mod, u8 rm)
{
	static const u8 base[8] = { KHV_REG_RBX, KHV_REG_RBX, KHV_REG_RBP,
				    KHV_REG_RBP, KHV_REG_RSI, KHV_REG_RDI,
				    KHV_REG_RBP, KHV_REG_RBX };
	static const u8 index[4] = { KHV_REG_RSI, KHV_REG_RDI, KHV_REG_RSI,
				     KHV_REG_RDI };
	u64 disp = 0;
	int rc = CONTINUE;

	op->ea = 0;
	if (mod == 0 && rm == 6) {
		rc = next_imm(c, ops, opaque, 2, &disp);
	} else {
		op->ea = c->gpr[base[rm]] & 0xffff;
		if (rm < 4)
			op->ea += c->gpr[index[rm]] & 0xffff;
		/* BP-based forms default to SS. */
		if (rm == 2 || rm == 3 || rm == 6)
			op->seg = KHV_SEG_SS;
		if (mod == 1) {
			rc = next_imm(c, ops, opaque, 1, &disp);
			disp = sign_extend(disp, 1);
		} else if (mod == 2) {
			rc = next_imm(c, ops, opaque, 2, &disp);
		}
	}
	op->ea = (op->ea + disp) & 0xffff;
	return rc;
}

/*
 * 32- and 64-bit addressing forms, SDM Vol. 2 Tables 2-2 and 2-3, with the
 * REX.X/REX.B extensions of 2.2.1.2.  rm = 4 always means a SIB byte and
 * mod = 0 with a base of 5 always means disp32 without base, whatever
 * REX.B says (Table 2-5).  In 64-bit mode mod = 0, rm = 5 is RIP-relative
 * (2.2.1.6), resolved once the instruction length is known.
 */
static int decode_ea32(struct khv_emu_ctxt *c, const struct khv_emu_ops *ops,
		       void *opaque, struct khv_emu_operand *op, u8 mod, u8 rm)
{
	unsigned int base = 16, idx, scale;
	bool disp32 = mod == 2;
	u64 disp = 0;
	u8 sib;
	int rc;

	op->ea = 0;
	if (rm == 4) {
		rc = next_byte(c, ops, opaque, &sib);
		if (rc)
			return rc;
		scale = sib >> 6;
		idx = ((sib >> 3) & 7) | (REX_X(c) << 3);
		if (idx != KHV_REG_RSP)
			op->ea += c->gpr[idx] << scale;
		if ((sib & 7) == 5 && mod == 0)
			disp32 = true;
		else
			base = (sib & 7) | (REX_B(c) << 3);
	} else if (rm == 5 && mod == 0) {
		disp32 = true;
		c->rip_relative = c->mode == KHV_MODE_LONG64;
	} else {
		base = rm | (REX_B(c) << 3);
	}
	if (base < 16) {
		op->ea += c->gpr[base];
		/* ESP/EBP-based forms default to SS (Vol. 1 Table 3-5). */
		if (base == KHV_REG_RSP || base == KHV_REG_RBP)
			op->seg = KHV_SEG_SS;
	}
	if (disp32) {
		rc = next_imm(c, ops, opaque, 4, &disp);
		disp = sign_extend(disp, 4);
	} else if (mod == 1) {
		rc = next_imm(c, ops, opaque, 1, &disp);
		disp = sign_extend(disp, 1);
	} else {
		rc = CONTINUE;
	}
	op->ea = (op->ea + disp) & size_mask(c->ad_size);
	return rc;
}

/*
 * Decode ModRM (and SIB, displacement): *rm gets the r/m operand of @size
 * bytes, c->modrm the byte itself; the reg field is read by the caller.
 */
static int decode_modrm(struct khv_emu_ctxt *c, const struct khv_emu_ops *ops,
			void *opaque, struct khv_emu_operand *rm,
			unsigned int size)
{
	u8 mod, rmf;
	int rc;

	rc = next_byte(c, ops, opaque, &c->modrm);
	if (rc)
		return rc;
	c->has_modrm = true;
	mod = c->modrm >> 6;
	rmf = c->modrm & 7;
	if (mod == 3) {
		set_reg_operand(c, rm, rmf | (REX_B(c) << 3), size);
		return CONTINUE;
	}
	rm->type = KHV_OP_MEM;
	rm->size = size;
	rm->seg = KHV_SEG_DS;
	if (c->ad_size == 2)
		rc = decode_ea16(c, ops, opaque, rm, mod, rmf);
	else
		rc = decode_ea32(c, ops, opaque, rm, mod, rmf);
	if (c->seg_override >= 0)
		rm->seg = c->seg_override;
	return rc;
}

static unsigned int modrm_reg(struct khv_emu_ctxt *c)
{
	return ((c->modrm >> 3) & 7) | (REX_R(c) << 3);
}

/* Bits 63 down to the top implemented bit all equal (Vol. 1 3.3.7.1). */
static bool is_canonical(u64 la, bool la57)
{
	unsigned int shift = la57 ? 7 : 16;

	return (u64)((s64)(la << shift) >> shift) == la;
}

/*
 * Effective address to linear address (SDM Vol. 3A 3.4): add the segment
 * base; in 64-bit mode only FS and GS have one (3.4.4) and the address
 * must be canonical, else #GP(0), or #SS(0) for SS references (Vol. 3A
 * 6.15).  Outside 64-bit mode linear addresses wrap at 4 GiB.
 */
static int linearize(struct khv_emu_ctxt *c, const struct khv_emu_operand *op,
		     u64 *la)
{
	if (c->mode != KHV_MODE_LONG64) {
		*la = (c->seg_base[op->seg] + op->ea) & 0xffffffffULL;
		return CONTINUE;
	}
	*la = op->ea;
	if (op->seg == KHV_SEG_FS || op->seg == KHV_SEG_GS)
		*la += c->seg_base[op->seg];
	if (!is_canonical(*la, c->la57) ||
	    !is_canonical(*la + op->size - 1, c->la57))
		return raise_gp(c, op->seg == KHV_SEG_SS ? KHV_VEC_SS :
			       KHV_VEC_GP);
	return CONTINUE;
}

static int op_read(struct khv_emu_ctxt *c, const struct khv_emu_ops *ops,
		   void *opaque, const struct khv_emu_operand *op, u64 *val)
{
	u64 la;
	int rc;

	if (op->type == KHV_OP_REG) {
		*val = reg_read(c, op);
		return CONTINUE;
	}
	if (op->type == KHV_OP_IMM) {
		*val = op->val;
		return CONTINUE;
	}
	rc = linearize(c, op, &la);
	if (rc)
		return rc;
	*val = 0;
	rc = ops->read(opaque, la, val, op->size, &c->fault);
	if (rc == KHV_EMU_MMIO_EXIT || rc == KHV_EMU_FAULT)
		return rc;
	if (rc)
		return KHV_EMU_UNHANDLED;
	*val &= size_mask(op->size);
	return CONTINUE;
}

/*
 * Store to a register or memory.  A write that userspace must complete is
 * remembered in *mmio_write; the instruction still runs to its end.
 */
static int op_write(struct khv_emu_ctxt *c, const struct khv_emu_ops *ops,
		    void *opaque, const struct khv_emu_operand *op, u64 val,
		    bool *mmio_write)
{
	u64 la;
	int rc;

	if (op->type == KHV_OP_REG) {
		reg_write(c, op, val);
		return CONTINUE;
	}
	rc = linearize(c, op, &la);
	if (rc)
		return rc;
	rc = ops->write(opaque, la, &val, op->size, &c->fault);
	if (rc == KHV_EMU_MMIO_EXIT) {
		*mmio_write = true;
		return CONTINUE;
	}
	if (rc == KHV_EMU_FAULT)
		return rc;
	return rc ? KHV_EMU_UNHANDLED : CONTINUE;
}

/* Update an address-sized register (RSI, RDI, RCX) of a string op. */
static void ad_reg_write(struct khv_emu_ctxt *c, unsigned int reg, u64 val)
{
	struct khv_emu_operand op = { 0 };

	set_reg_operand(c, &op, reg, c->ad_size);
	reg_write(c, &op, val);
}

static void advance_rip(struct khv_emu_ctxt *c)
{
	u64 rip = c->rip + c->len;

	if (c->mode == KHV_MODE_LONG64)
		c->rip = rip;
	else if (c->mode == KHV_MODE_PROT32)
		c->rip = (u32)rip;
	else
		c->rip = rip & 0xffff;
}

/*
 * MOVS, STOS, LODS: one iteration per call (SDM Vol. 2 MOVS, REP).  With
 * REP, RIP stays on the instruction until RCX reaches 0 so that the guest
 * re-executes it; a count of 0 at the start does nothing but advance RIP.
 * The destination is always ES:rDI, not overridable (Vol. 1 Table 3-5).
 */
static int emulate_string(struct khv_emu_ctxt *c,
			  const struct khv_emu_ops *ops, void *opaque,
			  bool *mmio_write)
{
	unsigned int size = (c->opcode & 1) ? c->op_size : 1;
	u64 admask = size_mask(c->ad_size);
	u64 count = c->gpr[KHV_REG_RCX] & admask;
	u64 step = (c->rflags & KHV_FLAG_DF) ? -(u64)size : size;
	struct khv_emu_operand *src = &c->src, *dst = &c->dst;
	u64 val = 0;
	int rc;

	/* REPNE only has a meaning for CMPS/SCAS. */
	if (c->rep == 0xf2)
		return KHV_EMU_UNHANDLED;
	if (c->rep && !count) {
		advance_rip(c);
		return CONTINUE;
	}
	src->type = KHV_OP_MEM;
	src->size = size;
	src->seg = c->seg_override >= 0 ? c->seg_override : KHV_SEG_DS;
	src->ea = c->gpr[KHV_REG_RSI] & admask;
	dst->type = KHV_OP_MEM;
	dst->size = size;
	dst->seg = KHV_SEG_ES;
	dst->ea = c->gpr[KHV_REG_RDI] & admask;

	switch (c->opcode) {
	case 0xa4:
	case 0xa5:	/* MOVS */
		rc = op_read(c, ops, opaque, src, &val);
		if (!rc)
			rc = op_write(c, ops, opaque, dst, val, mmio_write);
		break;
	case 0xaa:
	case 0xab:	/* STOS */
		set_reg_operand(c, src, KHV_REG_RAX, size);
		val = reg_read(c, src);
		rc = op_write(c, ops, opaque, dst, val, mmio_write);
		break;
	default:	/* LODS */
		rc = op_read(c, ops, opaque, src, &val);
		if (!rc) {
			set_reg_operand(c, dst, KHV_REG_RAX, size);
			reg_write(c, dst, val);
		}
		break;
	}
	if (rc)
		return rc;

	if (c->opcode != 0xaa && c->opcode != 0xab)
		ad_reg_write(c, KHV_REG_RSI, c->gpr[KHV_REG_RSI] + step);
	if (c->opcode != 0xac && c->opcode != 0xad)
		ad_reg_write(c, KHV_REG_RDI, c->gpr[KHV_REG_RDI] + step);
	if (c->rep) {
		ad_reg_write(c, KHV_REG_RCX, count - 1);
		if (count - 1)
			return CONTINUE;
	}
	advance_rip(c);
	return CONTINUE;
}

/* Instruction forms, set by decode_onebyte/twobyte() for execute(). */
#define EXEC_MOV	1	/* dst = src */
#define EXEC_MOVSX	2	/* dst = sign-extended src */
#define EXEC_ALU	3	/* dst = dst <alu> src, flags */
#define EXEC_TEST	4	/* flags of dst & src */
#define EXEC_XCHG	5
#define EXEC_STRING	6

struct khv_emu_form {
	int exec;
	int alu;		/* KHV_ALU_* for EXEC_ALU */
	bool lock_ok;		/* LOCK allowed with a memory destination */
};

/* Immediate of an operand of size bytes: at most 4 bytes, sign-extended. */
static int decode_imm(struct khv_emu_ctxt *c, const struct khv_emu_ops *ops,
		      void *opaque, unsigned int imm_size, unsigned int size)
{
	int rc;

	c->src.type = KHV_OP_IMM;
	c->src.size = size;
	rc = next_imm(c, ops, opaque, imm_size, &c->src.val);
	c->src.val = sign_extend(c->src.val, imm_size) & size_mask(size);
	return rc;
}

static int decode_onebyte(struct khv_emu_ctxt *c,
			  const struct khv_emu_ops *ops, void *opaque,
			  struct khv_emu_form *f)
{
	unsigned int osz = c->op_size;
	u8 b = c->opcode;
	u64 moffs;
	int rc;

	/* 00-3D: ADD OR ADC SBB AND SUB XOR CMP, six forms each. */
	if (b <= 0x3d && (b & 7) <= 5) {
		unsigned int size = (b & 1) ? osz : 1;

		f->exec = EXEC_ALU;
		f->alu = b >> 3;
		f->lock_ok = (b & 7) <= 1 && f->alu != KHV_ALU_CMP;
		if ((b & 7) >= 4) {
			set_reg_operand(c, &c->dst, KHV_REG_RAX, size);
			return decode_imm(c, ops, opaque, size > 4 ? 4 : size,
					  size);
		}
		if (b & 2) {
			rc = decode_modrm(c, ops, opaque, &c->src, size);
			set_reg_operand(c, &c->dst, modrm_reg(c), size);
		} else {
			rc = decode_modrm(c, ops, opaque, &c->dst, size);
			set_reg_operand(c, &c->src, modrm_reg(c), size);
		}
		return rc;
	}

	switch (b) {
	case 0x63:	/* MOVSXD r, r/m32: 64-bit mode only (else ARPL) */
		if (c->mode != KHV_MODE_LONG64)
			return KHV_EMU_UNHANDLED;
		f->exec = osz == 8 ? EXEC_MOVSX : EXEC_MOV;
		rc = decode_modrm(c, ops, opaque, &c->src, osz == 8 ? 4 : osz);
		set_reg_operand(c, &c->dst, modrm_reg(c), osz);
		return rc;
	case 0x82:	/* alias of 80, invalid in 64-bit mode */
		if (c->mode == KHV_MODE_LONG64)
			return KHV_EMU_UNHANDLED;
		fallthrough;
	case 0x80:
	case 0x81:
	case 0x83: {
		unsigned int size = b == 0x81 || b == 0x83 ? osz : 1;

		rc = decode_modrm(c, ops, opaque, &c->dst, size);
		if (rc)
			return rc;
		f->exec = EXEC_ALU;
		f->alu = (c->modrm >> 3) & 7;
		f->lock_ok = f->alu != KHV_ALU_CMP;
		if (b == 0x81)
			return decode_imm(c, ops, opaque, size > 4 ? 4 : size,
					  size);
		return decode_imm(c, ops, opaque, 1, size);
	}
	case 0x84:
	case 0x85:	/* TEST r/m, r */
	case 0x86:
	case 0x87:	/* XCHG r/m, r */
	case 0x88:
	case 0x89:	/* MOV r/m, r */
		f->exec = b <= 0x85 ? EXEC_TEST : b <= 0x87 ? EXEC_XCHG :
			  EXEC_MOV;
		f->lock_ok = f->exec == EXEC_XCHG;
		rc = decode_modrm(c, ops, opaque, &c->dst, (b & 1) ? osz : 1);
		set_reg_operand(c, &c->src, modrm_reg(c), (b & 1) ? osz : 1);
		return rc;
	case 0x8a:
	case 0x8b:	/* MOV r, r/m */
		f->exec = EXEC_MOV;
		rc = decode_modrm(c, ops, opaque, &c->src, (b & 1) ? osz : 1);
		set_reg_operand(c, &c->dst, modrm_reg(c), (b & 1) ? osz : 1);
		return rc;
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa3: {	/* MOV AL/rAX <-> moffs; the offset is address-sized */
		struct khv_emu_operand *mem = b <= 0xa1 ? &c->src : &c->dst;
		struct khv_emu_operand *reg = b <= 0xa1 ? &c->dst : &c->src;
		unsigned int size = (b & 1) ? osz : 1;

		f->exec = EXEC_MOV;
		rc = next_imm(c, ops, opaque, c->ad_size, &moffs);
		mem->type = KHV_OP_MEM;
		mem->size = size;
		mem->ea = moffs;
		mem->seg = c->seg_override >= 0 ? c->seg_override : KHV_SEG_DS;
		set_reg_operand(c, reg, KHV_REG_RAX, size);
		return rc;
	}
	case 0xa4:
	case 0xa5:	/* MOVS */
	case 0xaa:
	case 0xab:	/* STOS */
	case 0xac:
	case 0xad:	/* LODS */
		f->exec = EXEC_STRING;
		return CONTINUE;
	case 0xc6:
	case 0xc7:	/* MOV r/m, imm: only /0 (C6 F8 and C7 F8 are XABORT, XBEGIN) */
	case 0xf6:
	case 0xf7: {	/* TEST r/m, imm: only /0 */
		unsigned int size = (b & 1) ? osz : 1;

		rc = decode_modrm(c, ops, opaque, &c->dst, size);
		if (rc)
			return rc;
		if (c->modrm & 0x38)
			return KHV_EMU_UNHANDLED;
		f->exec = b <= 0xc7 ? EXEC_MOV : EXEC_TEST;
		return decode_imm(c, ops, opaque, size > 4 ? 4 : size, size);
	}
	}
	return KHV_EMU_UNHANDLED;
}

static int decode_twobyte(struct khv_emu_ctxt *c,
			  const struct khv_emu_ops *ops, void *opaque,
			  struct khv_emu_form *f)
{
	unsigned int osz = c->op_size;
	int rc;

	/* F2/F3 select other instructions in the 0F map (SDM Vol. 2 2.1.2). */
	if (c->rep)
		return KHV_EMU_UNHANDLED;
	switch (c->opcode) {
	case 0xb6:
	case 0xb7:	/* MOVZX */
	case 0xbe:
	case 0xbf:	/* MOVSX */
		f->exec = c->opcode >= 0xbe ? EXEC_MOVSX : EXEC_MOV;
		rc = decode_modrm(c, ops, opaque, &c->src,
				  (c->opcode & 1) ? 2 : 1);
		set_reg_operand(c, &c->dst, modrm_reg(c), osz);
		return rc;
	case 0xc3:	/* MOVNTI m32/m64, r: a plain store for us */
		if (c->op_prefix)
			return KHV_EMU_UNHANDLED;
		f->exec = EXEC_MOV;
		rc = decode_modrm(c, ops, opaque, &c->dst, osz);
		set_reg_operand(c, &c->src, modrm_reg(c), osz);
		if (!rc && c->dst.type != KHV_OP_MEM)
			return KHV_EMU_UNHANDLED;
		return rc;
	}
	return KHV_EMU_UNHANDLED;
}

static int execute(struct khv_emu_ctxt *c, const struct khv_emu_ops *ops,
		   void *opaque, const struct khv_emu_form *f,
		   bool *mmio_write)
{
	u64 dval = 0, sval = 0, res;
	u64 rflags = c->rflags;
	int rc;

	if (f->exec == EXEC_STRING)
		return emulate_string(c, ops, opaque, mmio_write);

	/* Reads first: a read exit must leave nothing half done. */
	if (f->exec != EXEC_MOV && f->exec != EXEC_MOVSX) {
		rc = op_read(c, ops, opaque, &c->dst, &dval);
		if (rc)
			return rc;
	}
	rc = op_read(c, ops, opaque, &c->src, &sval);
	if (rc)
		return rc;

	switch (f->exec) {
	case EXEC_MOV:
		rc = op_write(c, ops, opaque, &c->dst, sval, mmio_write);
		break;
	case EXEC_MOVSX:
		rc = op_write(c, ops, opaque, &c->dst,
			      sign_extend(sval, c->src.size), mmio_write);
		break;
	case EXEC_TEST:
		khv_emu_alu(KHV_ALU_AND, dval, sval, c->dst.size, &rflags);
		break;
	case EXEC_XCHG:
		/* The memory side (if any) is dst, and is written first. */
		rc = op_write(c, ops, opaque, &c->dst, sval, mmio_write);
		if (!rc)
			reg_write(c, &c->src, dval);
		break;
	default:
		res = khv_emu_alu(f->alu, dval, sval, c->dst.size, &rflags);
		if (f->alu != KHV_ALU_CMP)
			rc = op_write(c, ops, opaque, &c->dst, res, mmio_write);
		break;
	}
	if (rc)
		return rc;
	c->rflags = rflags;
	advance_rip(c);
	return CONTINUE;
}

static void reset_decode(struct khv_emu_ctxt *c)
{
	static const struct khv_emu_operand none = { 0 };

	c->len = 0;
	c->opcode = 0;
	c->twobyte = false;
	c->rex = 0;
	c->rep = 0;
	c->lock = false;
	c->op_prefix = false;
	c->seg_override = -1;
	c->modrm = 0;
	c->has_modrm = false;
	c->rip_relative = false;
	c->dst = none;
	c->src = none;
}

/*
 * Legacy prefixes in any order, then an optional REX prefix, which counts
 * only right before the opcode (SDM Vol. 2 2.1.1, 2.2.1).  In 64-bit mode
 * the CS, DS, ES and SS overrides are ignored (Vol. 1 3.4.2.1).
 */
static int decode_prefixes(struct khv_emu_ctxt *c,
			   const struct khv_emu_ops *ops, void *opaque,
			   bool *ad_prefix, u8 *opcode)
{
	u8 b;
	int rc;

	for (;;) {
		rc = next_byte(c, ops, opaque, &b);
		if (rc)
			return rc;
		if (c->mode == KHV_MODE_LONG64 && (b & 0xf0) == 0x40) {
			c->rex = b;
			continue;
		}
		switch (b) {
		case 0x66:
			c->op_prefix = true;
			break;
		case 0x67:
			*ad_prefix = true;
			break;
		case 0xf0:
			c->lock = true;
			break;
		case 0xf2:
		case 0xf3:
			c->rep = b;
			break;
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
			if (c->mode != KHV_MODE_LONG64)
				c->seg_override = (b >> 3) & 3;
			break;
		case 0x64:
			c->seg_override = KHV_SEG_FS;
			break;
		case 0x65:
			c->seg_override = KHV_SEG_GS;
			break;
		default:
			*opcode = b;
			return CONTINUE;
		}
		/* A REX prefix followed by a legacy prefix is ignored. */
		c->rex = 0;
	}
}

/* Operand and address sizes, SDM Vol. 1 3.6 and Vol. 2 2.2.1.2. */
static void set_sizes(struct khv_emu_ctxt *c, bool ad_prefix)
{
	switch (c->mode) {
	case KHV_MODE_LONG64:
		c->op_size = REX_W(c) ? 8 : c->op_prefix ? 2 : 4;
		c->ad_size = ad_prefix ? 4 : 8;
		break;
	case KHV_MODE_PROT32:
		c->op_size = c->op_prefix ? 2 : 4;
		c->ad_size = ad_prefix ? 2 : 4;
		break;
	default:
		c->op_size = c->op_prefix ? 4 : 2;
		c->ad_size = ad_prefix ? 4 : 2;
		break;
	}
}

int khv_emulate_insn(struct khv_emu_ctxt *c, const struct khv_emu_ops *ops,
		     void *opaque)
{
	struct khv_emu_form f = { 0 };
	bool ad_prefix = false, mmio_write = false;
	u8 b;
	int rc;

	reset_decode(c);
	rc = decode_prefixes(c, ops, opaque, &ad_prefix, &b);
	if (rc)
		return rc;
	set_sizes(c, ad_prefix);
	if (b == 0x0f) {
		c->twobyte = true;
		rc = next_byte(c, ops, opaque, &b);
		if (rc)
			return rc;
		c->opcode = b;
		rc = decode_twobyte(c, ops, opaque, &f);
	} else {
		c->opcode = b;
		rc = decode_onebyte(c, ops, opaque, &f);
	}
	if (rc)
		return rc;

	/* RIP-relative: from the end of the instruction (Vol. 2 2.2.1.6). */
	if (c->rip_relative) {
		struct khv_emu_operand *m = c->dst.type == KHV_OP_MEM ?
					    &c->dst : &c->src;

		m->ea = (m->ea + c->rip + c->len) & size_mask(c->ad_size);
	}

	/* LOCK is #UD but on a read-modify-write of memory (Vol. 2 LOCK). */
	if (c->lock && (!f.lock_ok || c->dst.type != KHV_OP_MEM))
		return KHV_EMU_UNHANDLED;

	rc = execute(c, ops, opaque, &f, &mmio_write);
	if (rc)
		return rc;
	return mmio_write ? KHV_EMU_DONE_MMIO_WRITE : KHV_EMU_DONE;
}
