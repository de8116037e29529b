// SPDX-License-Identifier: GPL-2.0
/*
 * --trace: one line per exit on stderr, "khv: trace: #N REASON key=value
 * ...", written after the devices handled it so that reads show the data
 * the guest receives.
 */
#include <stdio.h>

#include "vcpu_loop.h"

#define TRACE_MAX_ELEMS	8

static void trace_io(const struct accel_exit *e)
{
	unsigned int i, n = e->io.count < TRACE_MAX_ELEMS ? e->io.count :
			    TRACE_MAX_ELEMS;

	fprintf(stderr, "io %s port=0x%x size=%u count=%u data=",
		e->io.out ? "out" : "in", e->io.port, e->io.size, e->io.count);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s0x%llx", i ? "," : "",
			(unsigned long long)le_read(e->io.data + i * e->io.size,
						    e->io.size));
	if (n < e->io.count)
		fprintf(stderr, ",...");
}

void trace_exit(unsigned long long nr, const struct accel_exit *e)
{
	fprintf(stderr, "khv: trace: #%llu ", nr);
	switch (e->reason) {
	case ACCEL_EXIT_IO:
		trace_io(e);
		break;
	case ACCEL_EXIT_MMIO:
		fprintf(stderr, "mmio %s addr=0x%llx size=%u data=0x%llx",
			e->mmio.write ? "write" : "read",
			(unsigned long long)e->mmio.addr, e->mmio.len,
			(unsigned long long)le_read(e->mmio.data, e->mmio.len));
		break;
	case ACCEL_EXIT_HLT:
		fprintf(stderr, "hlt if=%u", e->if_flag);
		break;
	case ACCEL_EXIT_HYPERCALL:
		fprintf(stderr, "hypercall nr=0x%llx args=0x%llx,0x%llx,0x%llx,0x%llx",
			(unsigned long long)e->hypercall.nr,
			(unsigned long long)e->hypercall.args[0],
			(unsigned long long)e->hypercall.args[1],
			(unsigned long long)e->hypercall.args[2],
			(unsigned long long)e->hypercall.args[3]);
		break;
	case ACCEL_EXIT_SHUTDOWN:
		fprintf(stderr, "shutdown");
		break;
	case ACCEL_EXIT_FAIL_ENTRY:
		fprintf(stderr, "fail_entry reason=0x%llx",
			(unsigned long long)e->fail_entry.reason);
		break;
	case ACCEL_EXIT_INTERNAL_ERROR:
		fprintf(stderr, "internal_error suberror=%u",
			e->internal.suberror);
		break;
	case ACCEL_EXIT_INTR:
		fprintf(stderr, "intr");
		break;
	case ACCEL_EXIT_IRQ_WINDOW:
		fprintf(stderr, "irq_window");
		break;
	case ACCEL_EXIT_EOI:
		fprintf(stderr, "eoi vector=0x%x", e->eoi.vector);
		break;
	default:
		fprintf(stderr, "unknown raw=%u", e->raw_reason);
		break;
	}
	fputc('\n', stderr);
}
