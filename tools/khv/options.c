// SPDX-License-Identifier: GPL-2.0
#include <getopt.h>
#include <string.h>

#include "options.h"

int parse_size(const char *s, u64 *out, const char **why)
{
	u64 v = 0, mult = 1;

	if (!s || !*s) {
		*why = "empty size";
		return -1;
	}
	/* Plain decimal only: no sign, no spaces, no hex, so typos fail. */
	if (*s < '0' || *s > '9') {
		*why = "not a number";
		return -1;
	}
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned int digit = *s - '0';

		if (v > ~0ULL / 10 || (v == ~0ULL / 10 && digit > ~0ULL % 10)) {
			*why = "too large";
			return -1;
		}
		v = v * 10 + digit;
	}
	switch (*s) {
	case '.':
		*why = "not a whole number";
		return -1;
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1ULL << 10;
		s++;
		break;
	case 'm': case 'M':
		mult = 1ULL << 20;
		s++;
		break;
	case 'g': case 'G':
		mult = 1ULL << 30;
		s++;
		break;
	default:
		*why = "unknown suffix (use K, M or G)";
		return -1;
	}
	if (*s) {
		*why = "trailing characters";
		return -1;
	}
	if (v > ~0ULL / mult) {
		*why = "too large";
		return -1;
	}
	*out = v * mult;
	return 0;
}

int check_mem_size(u64 *size, const char **why)
{
	if (*size == 0) {
		*why = "must not be zero";
		return -1;
	}
	if (*size < KHV_MIN_MEM) {
		*why = "less than the 1M minimum";
		return -1;
	}
	if (*size > KHV_MAX_MEM) {
		*why = "more than the 1024G maximum";
		return -1;
	}
	*size = ALIGN_UP(*size, SZ_4K);
	return 0;
}

void print_run_usage(FILE *f)
{
	fprintf(f,
		"usage: khv run --kernel FILE [options]\n"
		"       khv run --firmware FILE [options]\n"
		"\n"
		"  --kernel FILE    Linux bzImage, or Multiboot v1 kernel (ELF32/ELF64 or\n"
		"                   a.out kludge)\n"
		"  --firmware FILE  raw image (at most 256K) mapped just below 4G, its\n"
		"                   last 128K mirrored below 1M; the vCPU starts at the\n"
		"                   reset vector F000:FFF0 in real mode\n"
		"  --initrd FILE    Linux initrd, or the one Multiboot module\n"
		"  --cmdline STR    Linux command line (e.g. console=ttyS0); Multiboot:\n"
		"                   appended to the kernel path\n"
		"  --mem SIZE       guest RAM, bytes or with K/M/G suffix (default 128M)\n"
		"  --accel NAME     khv (default, /dev/khv) or kvm (/dev/kvm)\n"
		"  --trace          log every exit to stderr\n"
		"  --trace-file F   write khv.ko's exit trace (every exit) to F\n"
		"  --report-boot-time  time guest writes to ports 0xf00-0xf0f, report\n"
		"                   the launcher's memory beyond guest RAM\n"
		"  --no-lapic       Multiboot: no local APIC (the default gives one,\n"
		"                   as on a PC; Linux guests always have one)\n"
		"  --lapic          --firmware: give the firmware a local APIC\n"
		"  --help           this text\n");
}

enum { OPT_KERNEL = 256, OPT_INITRD, OPT_CMDLINE, OPT_MEM, OPT_ACCEL,
       OPT_TRACE, OPT_HELP, OPT_REPORT_BOOT_TIME, OPT_TRACE_FILE,
       OPT_FIRMWARE, OPT_LAPIC, OPT_NO_LAPIC };

static const struct option run_longopts[] = {
	{ "kernel",  required_argument, NULL, OPT_KERNEL },
	{ "initrd",  required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "mem",     required_argument, NULL, OPT_MEM },
	{ "accel",   required_argument, NULL, OPT_ACCEL },
	{ "trace",   no_argument,       NULL, OPT_TRACE },
	{ "help",    no_argument,       NULL, OPT_HELP },
	{ "report-boot-time", no_argument, NULL, OPT_REPORT_BOOT_TIME },
	{ "trace-file", required_argument, NULL, OPT_TRACE_FILE },
	{ "firmware", required_argument, NULL, OPT_FIRMWARE },
	{ "lapic", no_argument, NULL, OPT_LAPIC },
	{ "no-lapic", no_argument, NULL, OPT_NO_LAPIC },
	{ NULL, 0, NULL, 0 },
};

int parse_run_options(int argc, char **argv, struct run_options *o)
{
	const char *why;
	int c;

	memset(o, 0, sizeof(*o));
	o->mem_size = KHV_DEFAULT_MEM;
	o->accel = "khv";

	/* Our own messages, and "+" so that arguments are not permuted. */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", run_longopts, NULL)) != -1) {
		switch (c) {
		case OPT_KERNEL:
			o->kernel = optarg;
			break;
		case OPT_FIRMWARE:
			o->firmware = optarg;
			break;
		case OPT_INITRD:
			o->initrd = optarg;
			break;
		case OPT_CMDLINE:
			o->cmdline = optarg;
			break;
		case OPT_MEM:
			if (parse_size(optarg, &o->mem_size, &why) ||
			    check_mem_size(&o->mem_size, &why)) {
				pr_err("--mem %s: %s", optarg, why);
				return -1;
			}
			break;
		case OPT_ACCEL:
			if (strcmp(optarg, "khv") && strcmp(optarg, "kvm")) {
				pr_err("--accel %s: unknown accelerator (khv or kvm)",
				       optarg);
				return -1;
			}
			o->accel = optarg;
			break;
		case OPT_TRACE:
			o->trace = true;
			break;
		case OPT_REPORT_BOOT_TIME:
			o->report_boot_time = true;
			break;
		case OPT_TRACE_FILE:
			o->trace_file = optarg;
			break;
		case OPT_LAPIC:
			o->lapic = true;
			break;
		case OPT_NO_LAPIC:
			o->no_lapic = true;
			break;
		case 'h':
		case OPT_HELP:
			print_run_usage(stdout);
			return 1;
		case ':':
			pr_err("%s needs an argument", argv[optind - 1]);
			return -1;
		default:
			pr_err("unknown option %s (try khv run --help)",
			       argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		pr_err("unexpected argument '%s' (try khv run --help)",
		       argv[optind]);
		return -1;
	}
	if (o->lapic && o->no_lapic) {
		pr_err("--lapic and --no-lapic contradict each other");
		return -1;
	}
	if (o->trace_file && strcmp(o->accel, "khv")) {
		pr_err("--trace-file: only khv.ko keeps an exit trace");
		return -1;
	}
	if (o->firmware && o->kernel) {
		pr_err("run: --firmware and --kernel cannot be combined yet");
		return -1;
	}
	if (!o->kernel && !o->firmware) {
		pr_err("run: --kernel FILE (or --firmware FILE) is required");
		return -1;
	}
	return 0;
}
