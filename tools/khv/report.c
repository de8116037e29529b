// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "vm.h"

u64 smaps_rss_kb(const char *s, unsigned long start, unsigned long end)
{
	bool inside = false;
	u64 total = 0;

	while (*s) {
		const char *nl = strchr(s, '\n');
		unsigned long lo, hi;
		unsigned long long kb;

		/*
		 * A VMA header is "lo-hi perms ...", its fields ("Name: N kB")
		 * follow; no field name parses as "hex-hex".
		 */
		if (sscanf(s, "%lx-%lx ", &lo, &hi) == 2)
			inside = lo >= start && hi <= end;
		else if (inside && sscanf(s, "Rss: %llu kB", &kb) == 1)
			total += kb;
		if (!nl)
			break;
		s = nl + 1;
	}
	return total;
}

static char *slurp(const char *path)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	FILE *f = fopen(path, "re");

	if (!buf || !f) {
		free(buf);
		if (f)
			fclose(f);
		return NULL;
	}
	for (;;) {
		size_t n = fread(buf + len, 1, cap - len - 1, f);
		char *nb;

		len += n;
		if (len < cap - 1)
			break;
		cap *= 2;
		nb = realloc(buf, cap);
		if (!nb) {
			free(buf);
			fclose(f);
			return NULL;
		}
		buf = nb;
	}
	buf[len] = 0;
	fclose(f);
	return buf;
}

int mem_report(const struct vm *vm, struct mem_report *r)
{
	unsigned long start = (unsigned long)vm->ram.hva;
	char *status, *smaps, *p;

	memset(r, 0, sizeof(*r));
	status = slurp("/proc/self/status");
	smaps = slurp("/proc/self/smaps");
	if (!status || !smaps) {
		free(status);
		free(smaps);
		return -errno ? -errno : -ENOMEM;
	}
	p = strstr(status, "\nVmRSS:");
	if (p)
		r->vm_rss_kb = strtoull(p + 7, NULL, 10);
	r->ram_rss_kb = smaps_rss_kb(smaps, start, start + vm->ram.size);
	r->overhead_kb = r->vm_rss_kb > r->ram_rss_kb ?
			 r->vm_rss_kb - r->ram_rss_kb : 0;
	free(status);
	free(smaps);
	return 0;
}
