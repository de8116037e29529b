// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "util.h"

#define MAX_INITS	64

static struct {
	init_fn_t fn;
	enum init_level level;
	const char *name;
} inits[MAX_INITS];
static unsigned int nr_inits;

void init_register(init_fn_t fn, enum init_level level, const char *name)
{
	/* Runs before main(): a full table is a build bug, say so loudly. */
	if (nr_inits == MAX_INITS || level >= INIT_NR_LEVELS) {
		fprintf(stderr, "khv: cannot register init %s\n", name);
		abort();
	}
	inits[nr_inits].fn = fn;
	inits[nr_inits].level = level;
	inits[nr_inits].name = name;
	nr_inits++;
}

int khv_init_all(struct vm *vm)
{
	unsigned int level, i;
	int ret;

	for (level = 0; level < INIT_NR_LEVELS; level++) {
		for (i = 0; i < nr_inits; i++) {
			if (inits[i].level != level)
				continue;
			ret = inits[i].fn(vm);
			if (ret) {
				pr_err("%s failed: %s", inits[i].name,
				       strerror(ret < 0 ? -ret : ret));
				return ret;
			}
		}
	}
	return 0;
}
