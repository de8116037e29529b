// SPDX-License-Identifier: GPL-2.0
/* fw_cfg: select a key with a 16-bit write, then read bytes, little-endian. */
#include "libguest.h"

u64 fw_cfg_read(u16 key, unsigned int len)
{
	u64 v = 0;
	unsigned int i;

	outw(FW_CFG_CTL, key);
	for (i = 0; i < len && i < 8; i++)
		v |= (u64)inb(FW_CFG_DATA) << (8 * i);
	return v;
}

bool fw_cfg_present(void)
{
	return fw_cfg_read(FW_CFG_SIGNATURE, 4) == 0x554d4551;	/* "QEMU" */
}
