// SPDX-License-Identifier: GPL-2.0
/*
 * The host bridge at 00:00.0.  Linux trusts configuration mechanism #1
 * only when bus 0 shows a host bridge or a VGA device (its
 * pci_sanity_check()); without one it gives up on PCI ("No config space
 * access function found").  The bridge identifies as Intel's 440FX
 * (8086:1237), the host bridge guests know best from PC emulators, class
 * 06 00 00 (host bridge, PCI Local Bus Spec 3.0, Appendix D), header type
 * 0, no BARs and no interrupt pin.  Only the command register's memory
 * and I/O space enables and bus-master bit are writable.
 */
#include <errno.h>
#include <stdlib.h>

#include "../init.h"
#include "../pci.h"
#include "../vm.h"

#define HOST_VENDOR	0x8086
#define HOST_DEVICE	0x1237
#define HOST_REVISION	0x02
#define CLASS_BRIDGE	0x06
#define SUBCLASS_HOST	0x00

/* Command register: I/O space, memory space, bus master (6.2.2). */
#define CMD_WRITABLE	0x07

static int pci_host_init(struct vm *vm)
{
	struct pci_function *f = calloc(1, sizeof(*f));
	int ret;

	if (!f)
		return -ENOMEM;
	pci_set16(f, PCI_VENDOR_ID, HOST_VENDOR);
	pci_set16(f, PCI_DEVICE_ID, HOST_DEVICE);
	pci_set16(f, PCI_COMMAND, CMD_WRITABLE);
	f->cfg[PCI_REVISION_ID] = HOST_REVISION;
	f->cfg[PCI_CLASS_DEVICE] = SUBCLASS_HOST;
	f->cfg[PCI_CLASS_DEVICE + 1] = CLASS_BRIDGE;
	f->wmask[PCI_COMMAND] = CMD_WRITABLE;
	ret = pci_register(vm, PCI_DEVFN(0, 0), f);
	if (ret)
		free(f);
	return ret;
}
device_init(pci_host_init);
