// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "../khv/options.h"
#include "test.h"

TEST(size_parse_valid)
{
	static const struct {
		const char *s;
		u64 v;
	} ok[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "64K", 64ULL << 10 },
		{ "64k", 64ULL << 10 },
		{ "128M", 128ULL << 20 },
		{ "2G", 2ULL << 30 },
		{ "1g", 1ULL << 30 },
		{ "18446744073709551615", ~0ULL },
	};
	const char *why;
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		CHECK(!parse_size(ok[i].s, &v, &why), "'%s' refused: %s",
		      ok[i].s, why);
		CHECK(v == ok[i].v, "'%s' gave %llu", ok[i].s,
		      (unsigned long long)v);
	}
}

TEST(size_parse_garbage)
{
	static const char *const bad[] = {
		"", "abc", "12X", "-1", "+1", "1.5G", " 12", "12 ", "12M3",
		"0x100", "MB", "12MB", "18446744073709551616",
		"17179869184G", "99999999999999999999999",
	};
	const char *why;
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(parse_size(bad[i], &v, &why), "'%s' accepted", bad[i]);
}

TEST(mem_size_limits)
{
	const char *why;
	u64 v;

	v = 0;
	CHECK(check_mem_size(&v, &why), "0 accepted");
	v = 512 * 1024;
	CHECK(check_mem_size(&v, &why), "512K accepted");
	v = SZ_1M;
	CHECK(!check_mem_size(&v, &why) && v == SZ_1M, "1M refused");
	v = SZ_1M + 1;
	CHECK(!check_mem_size(&v, &why) && v == SZ_1M + SZ_4K,
	      "1M+1 not rounded up to 4K: %llu", (unsigned long long)v);
	v = KHV_MAX_MEM;
	CHECK(!check_mem_size(&v, &why), "max refused");
	v = KHV_MAX_MEM + 1;
	CHECK(check_mem_size(&v, &why), "above max accepted");
}

static int parse(const char *const *args, struct run_options *o)
{
	char *argv[16];
	int argc = 0;
	FILE *saved = stderr;
	int ret;

	while (args[argc]) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	/* The parser prints its one error line; keep the test output clean. */
	stderr = fopen("/dev/null", "w");
	ret = parse_run_options(argc, argv, o);
	fclose(stderr);
	stderr = saved;
	return ret;
}

TEST(run_options)
{
	static const char *const good[] = { "run", "--kernel", "k", "--mem",
		"64M", "--accel", "kvm", "--trace", "--cmdline", "a b",
		"--initrd=i", NULL };
	static const char *const defaults[] = { "run", "--kernel", "k", NULL };
	static const char *const no_kernel[] = { "run", "--mem", "64M", NULL };
	static const char *const bad_mem[] = { "run", "--kernel", "k",
		"--mem", "lots", NULL };
	static const char *const bad_accel[] = { "run", "--kernel", "k",
		"--accel", "xen", NULL };
	static const char *const unknown[] = { "run", "--kernel", "k",
		"--frob", NULL };
	static const char *const stray[] = { "run", "--kernel", "k", "x",
		NULL };
	static const char *const missing_arg[] = { "run", "--kernel", NULL };
	static const char *const no_lapic[] = { "run", "--kernel", "k",
		"--no-lapic", NULL };
	static const char *const both_lapic[] = { "run", "--kernel", "k",
		"--lapic", "--no-lapic", NULL };
	struct run_options o;

	CHECK(parse(good, &o) == 0, "good options refused");
	CHECK(!strcmp(o.kernel, "k") && o.mem_size == 64 * SZ_1M &&
	      !strcmp(o.accel, "kvm") && o.trace &&
	      !strcmp(o.cmdline, "a b") && !strcmp(o.initrd, "i"),
	      "good options misparsed");
	CHECK(parse(defaults, &o) == 0, "defaults refused");
	CHECK(o.mem_size == 128 * SZ_1M && !strcmp(o.accel, "khv") &&
	      !o.trace && !o.initrd && !o.cmdline && !o.lapic && !o.no_lapic,
	      "wrong defaults");
	CHECK(parse(no_lapic, &o) == 0 && o.no_lapic && !o.lapic,
	      "--no-lapic misparsed");
	CHECK(parse(both_lapic, &o) < 0, "--lapic --no-lapic accepted");
	CHECK(parse(no_kernel, &o) < 0, "missing --kernel accepted");
	CHECK(parse(bad_mem, &o) < 0, "--mem lots accepted");
	CHECK(parse(bad_accel, &o) < 0, "--accel xen accepted");
	CHECK(parse(unknown, &o) < 0, "--frob accepted");
	CHECK(parse(stray, &o) < 0, "stray argument accepted");
	CHECK(parse(missing_arg, &o) < 0, "--kernel without FILE accepted");
}
