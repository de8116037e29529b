/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: the kernel types and macros that kmod/emulate.c and
 * kmod/pagewalk.c use, so that they build unchanged with the host gcc.
 * Found before the system <linux/types.h> through -Iinclude.
 */
#ifndef KHV_TEST_SHIM_TYPES_H
#define KHV_TEST_SHIM_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define fallthrough	__attribute__((__fallthrough__))

#endif
