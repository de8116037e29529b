// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <unistd.h>

#include "vm.h"

void vm_init(struct vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");
	vm->nr_cpus = 1;
	vm->console_in = STDIN_FILENO;
	vm->console_out = STDOUT_FILENO;
	vm->start_ns = now_ns();
	pthread_mutex_init(&vm->lock, NULL);
}
