// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration mechanism #1 (PCI Local Bus Spec 3.0, 3.2.2.3.2) for
 * bus 0.  The address register at 0xcf8 holds what a 32-bit write put
 * there (guests detect mechanism #1 by reading it back): bit 31 enables,
 * bits 23:16 bus, 15:11 device, 10:8 function, 7:2 dword register.  The
 * data window 0xcfc-0xcff reaches bytes (register + port - 0xcfc) of the
 * addressed function; a function nobody registered, another bus or a
 * disabled address reads all ones ("no device") and drops writes.
 * Narrow accesses to 0xcf8-0xcfb are not the address register (0xcf9 is
 * the reset control register on real chipsets) and are ignored.
 */
#include <errno.h>
#include <stdlib.h>

#include "../init.h"
#include "../pci.h"
#include "../vm.h"

#define PCI_CONF_BASE	0xcf8
#define PCI_CONF_LEN	8
#define PCI_CONF_DATA	4	/* offset of 0xcfc */

#define CONF1_ENABLE	0x80000000u

struct pci_conf {
	u32 address;
	struct pci_function *fn[PCI_MAX_DEVFN];
};

static struct pci_function *pci_addressed(struct pci_conf *p)
{
	if (!(p->address & CONF1_ENABLE) || ((p->address >> 16) & 0xff))
		return NULL;
	return p->fn[(p->address >> 8) & 0xff];
}

static void pci_conf_data(struct pci_conf *p, u64 offset, u8 *data, u32 len,
			  bool is_write)
{
	struct pci_function *f = pci_addressed(p);
	unsigned int reg = (p->address & 0xfc) + (offset - PCI_CONF_DATA);
	u32 i;

	for (i = 0; i < len; i++, reg++) {
		/* An access past 0xcff is not one the bus decodes here. */
		if (!f || offset - PCI_CONF_DATA + i >= 4) {
			if (!is_write)
				data[i] = 0xff;
			continue;
		}
		if (is_write)
			f->cfg[reg] = (f->cfg[reg] & ~f->wmask[reg]) |
				      (data[i] & f->wmask[reg]);
		else
			data[i] = f->cfg[reg];
	}
}

static void pci_conf_io(void *opaque, u64 offset, u8 *data, u32 len,
			bool is_write)
{
	struct pci_conf *p = opaque;

	if (offset >= PCI_CONF_DATA) {
		pci_conf_data(p, offset, data, len, is_write);
		return;
	}
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

int pci_register(struct vm *vm, unsigned int devfn, struct pci_function *f)
{
	struct pci_conf *p = vm->pci;

	if (!p)
		return -ENODEV;
	if (devfn >= PCI_MAX_DEVFN)
		return -EINVAL;
	if (p->fn[devfn])
		return -EBUSY;
	p->fn[devfn] = f;
	return 0;
}

static int pci_conf_init(struct vm *vm)
{
	struct pci_conf *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	ret = bus_register(&vm->pio, PCI_CONF_BASE, PCI_CONF_LEN,
			   pci_conf_io, p, "pci-conf1");
	if (ret) {
		free(p);
		return ret;
	}
	vm->pci = p;
	return 0;
}
/* Before the devices, which put their functions on the bus. */
base_init(pci_conf_init);
