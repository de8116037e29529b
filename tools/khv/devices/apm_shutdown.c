// SPDX-License-Identifier: GPL-2.0
/*
 * Port 0x8900, the Bochs/QEMU shutdown port.  kvm-unit-tests write
 * "Shutdown" here byte by byte when debug-exit did not stop them, then
 * halt with interrupts disabled.  Seeing the string only changes how the
 * vCPU loop reports that final HLT; the HLT itself ends the run.
 */
#include <errno.h>
#include <stdlib.h>

#include "../init.h"
#include "../vm.h"

#define SHUTDOWN_PORT	0x8900

static const char shutdown_magic[] = "Shutdown";

struct apm_shutdown {
	struct vm *vm;
	unsigned int matched;	/* bytes of shutdown_magic seen in a row */
};

static void apm_shutdown_io(void *opaque, u64 offset, u8 *data, u32 len,
			    bool is_write)
{
	struct apm_shutdown *s = opaque;
	u8 c = data[0];

	(void)offset;
	if (!is_write) {
		le_write(data, len, ~0ULL);
		return;
	}
	if (c == shutdown_magic[s->matched])
		s->matched++;
	else
		s->matched = c == shutdown_magic[0];
	if (s->matched == sizeof(shutdown_magic) - 1) {
		s->vm->shutdown_requested = true;
		s->matched = 0;
	}
}

static int apm_shutdown_init(struct vm *vm)
{
	struct apm_shutdown *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->vm = vm;
	return bus_register(&vm->pio, SHUTDOWN_PORT, 1, apm_shutdown_io, s,
			    "shutdown");
}
device_init(apm_shutdown_init);
