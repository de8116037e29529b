/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_PCI_H
#define KHV_PCI_H

#include "util.h"

struct vm;

/* Configuration space of one function (PCI Local Bus Spec 3.0, 6.1). */
#define PCI_CFG_SIZE		256
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0a
#define PCI_HEADER_TYPE		0x0e

/* Bus 0 only: 32 devices of 8 functions. */
#define PCI_DEVFN(dev, fn)	(((dev) << 3) | (fn))
#define PCI_MAX_DEVFN		256

struct pci_function {
	u8 cfg[PCI_CFG_SIZE];
	/* Bits of cfg the guest may change; writes leave the others. */
	u8 wmask[PCI_CFG_SIZE];
};

/*
 * Put a function on bus 0 at devfn (pci_conf.c).  -EBUSY when the slot
 * is taken, -ENODEV before the configuration mechanism exists.
 */
int pci_register(struct vm *vm, unsigned int devfn, struct pci_function *f);

static inline void pci_set16(struct pci_function *f, unsigned int off, u16 v)
{
	f->cfg[off] = v & 0xff;
	f->cfg[off + 1] = v >> 8;
}

#endif
