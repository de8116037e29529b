// SPDX-License-Identifier: GPL-2.0
/*
 * khv/svm: name the rule a failed VMRUN broke.
 *
 * VMRUN refuses illegal guest state with VMEXIT_INVALID and no further
 * detail.  These are the consistency checks of APM Vol. 2, 15.5.1
 * ("Canonicalization and Consistency Checks"), tested in the order the
 * manual lists them; the first one that fails is reported.
 */
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "svm.h"

#define SVM_EFER_MBZ	(~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | \
				EFER_SVME | EFER_LMSLE | EFER_FFXSR | \
				BIT_ULL(15)))

#define fail(rule, val)	({ *value = (val); (rule); })

const char *svm_check_guest_state(struct khv_vcpu *vcpu, u64 *value)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save *s = &vmcb->save;
	struct vmcb_control *c = &vmcb->control;
	bool lme_pg = (s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG);

	if (!(s->efer & EFER_SVME))
		return fail("EFER.SVME is zero", s->efer);
	if (!(s->cr0 & X86_CR0_CD) && (s->cr0 & X86_CR0_NW))
		return fail("CR0.CD is zero and CR0.NW is set", s->cr0);
	if (s->cr0 >> 32)
		return fail("CR0[63:32] are not zero", s->cr0);
	if (lme_pg && (s->cr3 >> 52))
		return fail("CR3 has MBZ bits 63:52 set in long mode", s->cr3);
	if (s->cr4 >> 32 || (s->cr4 & BIT_ULL(15)))
		return fail("CR4 has MBZ bits set", s->cr4);
	if (s->dr6 >> 32)
		return fail("DR6[63:32] are not zero", s->dr6);
	if (s->dr7 >> 32)
		return fail("DR7[63:32] are not zero", s->dr7);
	if (s->efer & SVM_EFER_MBZ)
		return fail("EFER has MBZ bits set", s->efer);
	if (lme_pg && !(s->cr4 & X86_CR4_PAE))
		return fail("EFER.LME and CR0.PG are set and CR4.PAE is zero",
			    s->cr4);
	if (lme_pg && !(s->cr0 & X86_CR0_PE))
		return fail("EFER.LME and CR0.PG are set and CR0.PE is zero",
			    s->cr0);
	if (lme_pg && (s->cr4 & X86_CR4_PAE) &&
	    (s->cs.attrib & VMCB_SEG_L) && (s->cs.attrib & VMCB_SEG_DB))
		return fail("EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D are all set",
			    s->cs.attrib);
	if (!(c->intercept_misc2 & VMCB_INTERCEPT_VMRUN))
		return fail("the VMRUN intercept bit is clear",
			    c->intercept_misc2);
	if (c->asid == 0)
		return fail("ASID is zero", c->asid);
	if (c->event_inj & VMCB_EVT_VALID) {
		u64 type = c->event_inj & VMCB_EVT_TYPE_MASK;

		if (type == (1ULL << VMCB_EVT_TYPE_SHIFT) ||
		    type > VMCB_EVT_TYPE_SOFT)
			return fail("EVENTINJ has a reserved type", c->event_inj);
		if (type == VMCB_EVT_TYPE_EXC &&
		    (c->event_inj & VMCB_EVT_VECTOR_MASK) == 2)
			return fail("EVENTINJ injects vector 2 as an exception",
				    c->event_inj);
	}
	return NULL;
}

/*
 * KHV_CHECK_ENTRY.  RIP, RSP, RAX and RFLAGS reach the VMCB only at
 * VMRUN, and no rule above reads them; the rest is the VMCB as it is,
 * but for the ASID, which khv assigns at VMRUN: a vCPU that never ran
 * has none yet, so the check is made with a stand-in.  vcpu->mutex
 * keeps VMRUN away from the VMCB meanwhile.
 */
void svm_check_entry(struct khv_vcpu *vcpu, struct khv_entry_check *out)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;
	u32 asid = c->asid;
	u64 value = 0;
	const char *why;

	if (!asid)
		c->asid = 1;
	why = svm_check_guest_state(vcpu, &value);
	c->asid = asid;

	memset(out, 0, sizeof(*out));
	if (!why)
		return;
	out->broken = 1;
	out->value = value;
	strscpy(out->rule, why, sizeof(out->rule));
}
