// SPDX-License-Identifier: GPL-2.0
/*
 * khv: the event queue every vendor injects from.  KHV_INJECT and the
 * emulators (a #GP for an unknown MSR, a #PF from the MMIO emulator, a
 * reflected #DB) queue one event here; the backend delivers it at the
 * next entry when the guest can take it (svm_events.c, vmx_events.c).
 */
#include "khv.h"

#define EXC_NMI	2
#define EXC_DF	8

/* Exceptions that push an error code (SDM Vol. 3A, 7.3, Table 7-1). */
static bool exc_has_error_code(u8 vector)
{
	switch (vector) {
	case 8: case 10: case 11: case 12: case 13: case 14: case 17:
	case 21:
		return true;
	}
	return false;
}

/*
 * Returns 0, -EINVAL for an event the architecture has no place for, or
 * -EBUSY when one is queued already.  An exception raised while another
 * waits becomes a double fault (SDM Vol. 3A, 7.15, Table 7-5, taking
 * every pair as contributory).
 */
int khv_queue_event(struct khv_vcpu *vcpu, const struct khv_event *ev)
{
	switch (ev->type) {
	case KHV_INJECT_IRQ:
		if (ev->has_error_code)
			return -EINVAL;
		break;
	case KHV_INJECT_EXCEPTION:
		if (ev->vector > 31 || ev->vector == EXC_NMI ||
		    !!ev->has_error_code != exc_has_error_code(ev->vector))
			return -EINVAL;
		break;
	case KHV_INJECT_NMI:
		break;
	default:
		return -EINVAL;
	}
	if (vcpu->event_queued) {
		if (ev->type != KHV_INJECT_EXCEPTION ||
		    vcpu->event.type != KHV_INJECT_EXCEPTION)
			return -EBUSY;
		vcpu->event = (struct khv_event){
			.type = KHV_INJECT_EXCEPTION, .vector = EXC_DF,
			.has_error_code = 1 };
		return 0;
	}
	vcpu->event = *ev;
	vcpu->event_queued = true;
	return 0;
}
