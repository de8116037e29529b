/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: the uapi errno values (EFAULT, ...) are the kernel's. */
#include_next <linux/errno.h>
