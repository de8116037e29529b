// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the VMRUN consistency checks (svm/svm_check.c): a VMCB
 * that VMRUN accepts passes, and breaking any one rule of APM Vol. 2
 * 15.5.1 names that rule and the offending value.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "../svm/svm_check.c"

struct check_env {
	struct khv_vcpu *vcpu;
	struct vmcb *vmcb;
};

/* A real-mode guest as khv sets one up: VMRUN accepts this state. */
static void check_init(struct kunit *test, struct check_env *e)
{
	struct svm_vcpu *svm;

	e->vcpu = kunit_kzalloc(test, sizeof(*e->vcpu), GFP_KERNEL);
	svm = kunit_kzalloc(test, sizeof(*svm), GFP_KERNEL);
	e->vmcb = kunit_kzalloc(test, sizeof(*e->vmcb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e->vcpu);
	KUNIT_ASSERT_NOT_NULL(test, svm);
	KUNIT_ASSERT_NOT_NULL(test, e->vmcb);
	svm->vmcb = e->vmcb;
	e->vcpu->vendor = svm;
	e->vmcb->save.efer = EFER_SVME;
	e->vmcb->save.cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW;
	e->vmcb->save.dr6 = 0xffff0ff0;
	e->vmcb->save.dr7 = 0x400;
	e->vmcb->control.intercept_misc2 = VMCB_INTERCEPT_VMRUN;
	e->vmcb->control.asid = 1;
}

/* Make @e a 64-bit guest: long mode active, CS.L set. */
static void check_long_mode(struct check_env *e)
{
	struct vmcb_save *s = &e->vmcb->save;

	s->efer |= EFER_LME | EFER_LMA;
	s->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
	s->cr4 = X86_CR4_PAE;
	s->cr3 = 0x1000;
	s->cs.attrib = VMCB_SEG_L;
}

static const char *check(struct check_env *e, u64 *value)
{
	*value = 0xdead;
	return svm_check_guest_state(e->vcpu, value);
}

/* The check must fail, naming @rule (never NULL into strcmp()). */
static void expect_rule(struct kunit *test, struct check_env *e, u64 *value,
			const char *rule)
{
	const char *got = check(e, value);

	KUNIT_ASSERT_NOT_NULL_MSG(test, got, "expected \"%s\"", rule);
	KUNIT_EXPECT_STREQ(test, got, rule);
}

static void svm_check_valid_states(struct kunit *test)
{
	struct check_env e;
	u64 v;

	check_init(test, &e);
	KUNIT_EXPECT_NULL(test, check(&e, &v));
	check_long_mode(&e);
	KUNIT_EXPECT_NULL(test, check(&e, &v));
	/* An NMI on vector 2 is fine; only an exception on it is not. */
	e.vmcb->control.event_inj = VMCB_EVT_VALID | VMCB_EVT_TYPE_NMI | 2;
	KUNIT_EXPECT_NULL(test, check(&e, &v));
}

static void svm_check_control_bits(struct kunit *test)
{
	struct check_env e;
	u64 v;

	check_init(test, &e);
	e.vmcb->save.efer = 0;
	expect_rule(test, &e, &v, "EFER.SVME is zero");
	KUNIT_EXPECT_EQ(test, v, 0ULL);

	check_init(test, &e);
	e.vmcb->save.cr0 = X86_CR0_NW;
	expect_rule(test, &e, &v,
			   "CR0.CD is zero and CR0.NW is set");
	KUNIT_EXPECT_EQ(test, v, (u64)X86_CR0_NW);

	check_init(test, &e);
	e.vmcb->save.cr0 |= BIT_ULL(32);
	expect_rule(test, &e, &v, "CR0[63:32] are not zero");

	check_init(test, &e);
	e.vmcb->save.cr4 = BIT_ULL(15);
	expect_rule(test, &e, &v, "CR4 has MBZ bits set");

	check_init(test, &e);
	e.vmcb->save.dr6 |= BIT_ULL(40);
	expect_rule(test, &e, &v, "DR6[63:32] are not zero");

	check_init(test, &e);
	e.vmcb->save.dr7 |= BIT_ULL(63);
	expect_rule(test, &e, &v, "DR7[63:32] are not zero");

	check_init(test, &e);
	e.vmcb->save.efer |= BIT_ULL(16);
	expect_rule(test, &e, &v, "EFER has MBZ bits set");
	KUNIT_EXPECT_EQ(test, v, EFER_SVME | BIT_ULL(16));

	check_init(test, &e);
	e.vmcb->control.intercept_misc2 = 0;
	expect_rule(test, &e, &v,
			   "the VMRUN intercept bit is clear");

	check_init(test, &e);
	e.vmcb->control.asid = 0;
	expect_rule(test, &e, &v, "ASID is zero");
}

static void svm_check_long_mode_rules(struct kunit *test)
{
	struct check_env e;
	u64 v;

	check_init(test, &e);
	check_long_mode(&e);
	e.vmcb->save.cr3 |= BIT_ULL(52);
	expect_rule(test, &e, &v,
			   "CR3 has MBZ bits 63:52 set in long mode");

	check_init(test, &e);
	check_long_mode(&e);
	e.vmcb->save.cr4 = 0;
	expect_rule(test, &e, &v,
			   "EFER.LME and CR0.PG are set and CR4.PAE is zero");

	check_init(test, &e);
	check_long_mode(&e);
	e.vmcb->save.cr0 &= ~(u64)X86_CR0_PE;
	expect_rule(test, &e, &v,
			   "EFER.LME and CR0.PG are set and CR0.PE is zero");

	check_init(test, &e);
	check_long_mode(&e);
	e.vmcb->save.cs.attrib |= VMCB_SEG_DB;
	expect_rule(test, &e, &v,
			   "EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D are all set");
	KUNIT_EXPECT_EQ(test, v, (u64)(VMCB_SEG_L | VMCB_SEG_DB));

	/* The same CR3 bits are allowed outside long mode. */
	check_init(test, &e);
	e.vmcb->save.cr3 = BIT_ULL(52);
	KUNIT_EXPECT_NULL(test, check(&e, &v));
}

static void svm_check_event_injection(struct kunit *test)
{
	struct check_env e;
	u64 v;

	check_init(test, &e);
	e.vmcb->control.event_inj = VMCB_EVT_VALID | (1ULL << VMCB_EVT_TYPE_SHIFT);
	expect_rule(test, &e, &v, "EVENTINJ has a reserved type");

	check_init(test, &e);
	e.vmcb->control.event_inj = VMCB_EVT_VALID | (5ULL << VMCB_EVT_TYPE_SHIFT);
	expect_rule(test, &e, &v, "EVENTINJ has a reserved type");

	check_init(test, &e);
	e.vmcb->control.event_inj = VMCB_EVT_VALID | VMCB_EVT_TYPE_EXC | 2;
	expect_rule(test, &e, &v,
			   "EVENTINJ injects vector 2 as an exception");
	KUNIT_EXPECT_EQ(test, v, VMCB_EVT_VALID | VMCB_EVT_TYPE_EXC | 2);

	/* Without the valid bit the field is ignored. */
	check_init(test, &e);
	e.vmcb->control.event_inj = VMCB_EVT_TYPE_EXC | 2;
	KUNIT_EXPECT_NULL(test, check(&e, &v));
}

static struct kunit_case khv_svm_check_cases[] = {
	KUNIT_CASE(svm_check_valid_states),
	KUNIT_CASE(svm_check_control_bits),
	KUNIT_CASE(svm_check_long_mode_rules),
	KUNIT_CASE(svm_check_event_injection),
	{}
};

static struct kunit_suite khv_svm_check_suite = {
	.name = "khv_svm_check",
	.test_cases = khv_svm_check_cases,
};
kunit_test_suite(khv_svm_check_suite);
