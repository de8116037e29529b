// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration mechanism #1 with an empty bus.  The address register
 * at 0xcf8 holds what a 32-bit write put there (guests detect mechanism #1
 * by reading it back); the data window 0xcfc-0xcff reads all ones, which
 * is "no device" for every function.  Narrow accesses to 0xcf8-0xcfb are
 * not the address register (0xcf9 is the reset control register on real
 * chipsets) and are ignored.
 */
#include <errno.h>
#include <stdlib.h>

#include "../init.h"
#include "../vm.h"

#define PCI_CONF_BASE	0xcf8
#define PCI_CONF_LEN	8
#define PCI_CONF_DATA	4	/* offset of 0xcfc */

struct pci_conf {
	u32 address;
};

static void pci_conf_io(void *opaque, u64 offset, u8 *data, u32 len,
			bool is_write)
{
	struct pci_conf *p = opaque;

	if (offset == 0 && len == 4) {
		if (is_write)
			p->address = le_read(data, 4);
		else
			le_write(data, 4, p->address);
		return;
	}
	if (!is_write)
		le_write(data, len, ~0ULL);
}

static int pci_conf_init(struct vm *vm)
{
	struct pci_conf *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	return bus_register(&vm->pio, PCI_CONF_BASE, PCI_CONF_LEN,
			    pci_conf_io, p, "pci-conf1");
}
device_init(pci_conf_init);
