// SPDX-License-Identifier: GPL-2.0
/*
 * fw_cfg, the traditional I/O-port interface only (no DMA): a 16-bit write
 * of a key to 0x510 selects an item and rewinds it; each byte read of
 * 0x511 returns the next byte, little-endian.  Reads past the end of an
 * item, and every byte of an unknown key, return 0 — so key 0x11 (the
 * highest usable RAM address that kvm-unit-tests reads when the Multiboot
 * memory map is present) reads 0, which it takes as "no limit".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../init.h"
#include "../vm.h"

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511

#define FW_CFG_SIGNATURE	0x00
#define FW_CFG_RAM_SIZE		0x03
#define FW_CFG_NB_CPUS		0x05

#define FW_CFG_MAX_ITEM		8

struct fw_cfg {
	struct vm *vm;
	u16 key;
	u32 offset;
	u32 size;
	u8 item[FW_CFG_MAX_ITEM];
};

static void fw_cfg_select(struct fw_cfg *f, u16 key)
{
	f->key = key;
	f->offset = 0;
	f->size = 0;
	memset(f->item, 0, sizeof(f->item));

	switch (key) {
	case FW_CFG_SIGNATURE:
		memcpy(f->item, "QEMU", 4);
		f->size = 4;
		break;
	case FW_CFG_RAM_SIZE:
		le_write(f->item, 8, f->vm->ram.size);
		f->size = 8;
		break;
	case FW_CFG_NB_CPUS:
		le_write(f->item, 2, f->vm->nr_cpus);
		f->size = 2;
		break;
	}
}

static void fw_cfg_io(void *opaque, u64 offset, u8 *data, u32 len,
		      bool is_write)
{
	struct fw_cfg *f = opaque;
	u32 i;

	if (offset == 0) {
		/* Selector: write-only. */
		if (is_write)
			fw_cfg_select(f, le_read(data, len < 2 ? len : 2));
		else
			le_write(data, len, ~0ULL);
		return;
	}
	if (is_write)
		return;	/* the data port is read-only without DMA */
	for (i = 0; i < len; i++) {
		data[i] = f->offset < f->size ? f->item[f->offset] : 0;
		if (f->offset < f->size)
			f->offset++;
	}
}

static int fw_cfg_init(struct vm *vm)
{
	struct fw_cfg *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->vm = vm;
	fw_cfg_select(f, FW_CFG_SIGNATURE);
	/* 0x510 is a 16-bit port, so the range is 0x510-0x511 inclusive. */
	return bus_register(&vm->pio, FW_CFG_PORT_SEL, 2, fw_cfg_io, f,
			    "fw_cfg");
}
device_init(fw_cfg_init);
