/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_INIT_H
#define KHV_INIT_H

struct vm;

/*
 * Self-registering initialisation, so that adding a device touches only
 * its own file.  A constructor records the function before main(); then
 * khv_init_all() calls them level by level (core before devices).
 */
enum init_level {
	INIT_CORE,
	INIT_BASE,
	INIT_DEVICE,
	INIT_LATE,
	INIT_NR_LEVELS,
};

typedef int (*init_fn_t)(struct vm *vm);

void init_register(init_fn_t fn, enum init_level level, const char *name);

/* Returns 0, or the first failure (after printing which init failed). */
int khv_init_all(struct vm *vm);

#define khv_init(fn, level)						\
	static void __attribute__((constructor)) __khv_init_##fn(void)	\
	{								\
		init_register(fn, level, #fn);				\
	}

#define core_init(fn)	khv_init(fn, INIT_CORE)
#define base_init(fn)	khv_init(fn, INIT_BASE)
#define device_init(fn)	khv_init(fn, INIT_DEVICE)
#define late_init(fn)	khv_init(fn, INIT_LATE)

#endif
