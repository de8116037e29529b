/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest test library: what every test includes.
 *
 * A test provides int main(void), which normally ends with
 * "return report_summary();"; the library calls exit() with its result.
 */
#ifndef GUEST_LIBGUEST_H
#define GUEST_LIBGUEST_H

#include "types.h"
#include "desc.h"
#include "processor.h"
#include "multiboot.h"

/* Ports of the launcher's devices (Documentation/devices.rst). */
#define DEBUG_EXIT_PORT	0xf4
#define COM1_PORT	0x3f8
#define FW_CFG_CTL	0x510
#define FW_CFG_DATA	0x511
#define FW_CFG_SIGNATURE	0x00
#define FW_CFG_RAM_SIZE		0x03
#define FW_CFG_NB_CPUS		0x05

/* Machine state captured by entry.S before the library touched anything. */
extern u32 boot_eax, boot_ebx, boot_cr0, boot_cr4, boot_eflags;
extern u16 boot_sel[6];		/* CS, DS, ES, FS, GS, SS */
extern u32 boot_seg_probe[6];	/* tags written through each segment */
extern u32 boot_bss_dirty;	/* 0, or the first non-zero .bss address */
extern char __bss_start[], __bss_end[], _end[];

#define SEG_PROBE_TAG(i)	(0x5e600000u + (i))

static inline struct multiboot_info *mb_info(void)
{
	return (struct multiboot_info *)(unsigned long)boot_ebx;
}

int main(void);

/* Output (serial.c, printf.c). */
void serial_init(void);
void putchar(int c);
void puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Results (report.c). */
bool report(bool pass, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int report_summary(void);
void __attribute__((noreturn)) exit(int code);
void __attribute__((noreturn)) abort_test(const char *why);

/* fw_cfg (fwcfg.c). */
bool fw_cfg_present(void);
u64 fw_cfg_read(u16 key, unsigned int len);

/* string.c: also what the compiler may call for struct copies. */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
const char *strrchr(const char *s, int c);

#endif /* GUEST_LIBGUEST_H */
