// SPDX-License-Identifier: GPL-2.0
/*
 * khv: the common emulators behind the vendors' exit tables, for exits
 * that end in userspace or inject a fault.
 */
#include <asm/processor-flags.h>

#include "khv.h"

#define EXC_UD	6
#define EXC_GP	13

int khv_exit_to_user(struct khv_vcpu *vcpu, u32 reason)
{
	vcpu->run->exit_reason = reason;
	return 0;
}

/*
 * RIP already points past the HLT.  With the in-kernel APIC, a HLT with
 * interrupts enabled waits in the kernel; otherwise userspace decides.
 */
int khv_handle_hlt(struct khv_vcpu *vcpu)
{
	if (vcpu->lapic && (vcpu->rflags & X86_EFLAGS_IF))
		return khv_vcpu_halt(vcpu);
	return khv_exit_to_user(vcpu, KHV_EXIT_HLT);
}

/* RAX is the number, RBX, RCX, RDX, RSI the arguments; ret goes to RAX. */
int khv_handle_hypercall(struct khv_vcpu *vcpu)
{
	struct khv_run *run = vcpu->run;
	const u64 *g = vcpu->gpr;

	run->hypercall.nr = g[KHV_RAX];
	run->hypercall.args[0] = g[KHV_RBX];
	run->hypercall.args[1] = g[KHV_RCX];
	run->hypercall.args[2] = g[KHV_RDX];
	run->hypercall.args[3] = g[KHV_RSI];
	run->hypercall.ret = g[KHV_RAX];
	vcpu->hypercall_pending = true;
	return khv_exit_to_user(vcpu, KHV_EXIT_HYPERCALL);
}

/* A triple fault: nothing runs until userspace sets the state anew. */
int khv_handle_shutdown(struct khv_vcpu *vcpu)
{
	vcpu->shut_down = true;
	return khv_exit_to_user(vcpu, KHV_EXIT_SHUTDOWN);
}

int khv_internal_error(struct khv_vcpu *vcpu, u32 suberror,
		       const u64 *data, u32 ndata)
{
	struct khv_run *run = vcpu->run;

	ndata = min_t(u32, ndata, ARRAY_SIZE(run->internal.data));
	run->internal.suberror = suberror;
	run->internal.ndata = ndata;
	if (ndata)
		memcpy(run->internal.data, data, ndata * sizeof(*data));
	return khv_exit_to_user(vcpu, KHV_EXIT_INTERNAL_ERROR);
}

/*
 * Exit handlers both vendors' tables share: the exit needs nothing more
 * (a host interrupt already handled), or the instruction faults in the
 * guest as on a CPU without it.
 */
int khv_exit_resume(struct khv_vcpu *vcpu)
{
	return 1;
}

int khv_exit_ud(struct khv_vcpu *vcpu)
{
	khv_inject_ud(vcpu);
	return 1;
}

int khv_exit_gp(struct khv_vcpu *vcpu)
{
	khv_inject_gp(vcpu);
	return 1;
}

void khv_inject_gp(struct khv_vcpu *vcpu)
{
	struct khv_event ev = { .type = KHV_INJECT_EXCEPTION,
				.vector = EXC_GP, .has_error_code = 1 };

	khv_queue_event(vcpu, &ev);
}

void khv_inject_ud(struct khv_vcpu *vcpu)
{
	struct khv_event ev = { .type = KHV_INJECT_EXCEPTION,
				.vector = EXC_UD };

	khv_queue_event(vcpu, &ev);
}
