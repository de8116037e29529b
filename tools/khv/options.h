/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_OPTIONS_H
#define KHV_OPTIONS_H

#include "util.h"

#define KHV_DEFAULT_MEM		(128 * SZ_1M)
#define KHV_MIN_MEM		SZ_1M
/* 1 TiB: fits the smallest MAXPHYADDR (39 bits) of current x86 CPUs. */
#define KHV_MAX_MEM		(1024 * SZ_1G)

struct run_options {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *accel;
	u64 mem_size;
	bool trace;
	bool report_boot_time;
	bool lapic;		/* --lapic: firmware gets a local APIC too */
	bool no_lapic;		/* --no-lapic: Multiboot guest without one */
	const char *trace_file;	/* --trace-file: the kernel's exit trace */
	const char *firmware;	/* --firmware: raw image, vCPU at reset */
};

/*
 * Parse "123", "64K", "128M", "2G" (suffixes are binary and case
 * insensitive).  Returns 0, or -1 with *why set.
 */
int parse_size(const char *s, u64 *out, const char **why);

/*
 * Check a guest RAM size and round it up to 4 KiB.  Returns 0, or -1 with
 * *why set.
 */
int check_mem_size(u64 *size, const char **why);

/*
 * Parse the arguments of "khv run" (argv[0] is "run").  Returns 0 on
 * success, 1 if --help was printed, -1 after printing an error.
 */
int parse_run_options(int argc, char **argv, struct run_options *o);

void print_run_usage(FILE *f);

#endif
