// SPDX-License-Identifier: GPL-2.0
#include "irq.h"
#include "vm.h"

void irq_set_level(struct vm *vm, unsigned int irq, bool level)
{
	bool was = vm->pic && pic_intr(vm->pic);

	if (vm->pic && irq < 16)
		pic_set_irq(vm->pic, irq, level);
	if (vm->ioapic)
		ioapic_set_irq(vm->ioapic, irq == IRQ_PIT ? 2 : irq, level);
	/*
	 * A rising INTR must reach the vCPU thread, which alone can inject
	 * the ExtINT (KVM_INTERRUPT is a vCPU ioctl) once the guest takes
	 * interrupts.  Linux masks every PIC line once the IOAPIC works, so
	 * this only happens during early boot.
	 */
	if (vm->pic && !was && pic_intr(vm->pic))
		vm_kick(vm);
}

void irq_pulse(struct vm *vm, unsigned int irq)
{
	irq_set_level(vm, irq, true);
	irq_set_level(vm, irq, false);
}

void irq_send_msi(struct vm *vm, u64 addr, u32 data)
{
	if (vm->signal_msi)
		vm->signal_msi(vm, addr, data);
}

void irq_level_route(struct vm *vm, unsigned int pin, u64 addr, u32 data,
		     bool on)
{
	if (vm->level_route)
		vm->level_route(vm, pin, addr, data, on);
}
