# SPDX-License-Identifier: GPL-2.0
#
# khv: top-level build.  `make help` lists the targets.
#
# The module is built with kbuild against KDIR: the running kernel's build
# tree when its headers are installed, else the newest
# /usr/src/linux-headers-*-amd64 (the lab kernel's headers on a machine
# that runs another kernel).  It lands at kmod/khv.ko.

KDIR ?= $(or $(patsubst %/Makefile,%,$(wildcard /lib/modules/$(shell uname -r)/build/Makefile)),\
	$(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1))

.PHONY: all module tools guest-tests check bench checkpatch clean demo help

all: module tools guest-tests

module:
	@if [ -z "$(KDIR)" ] || [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "make: no kernel build tree (KDIR='$(KDIR)'): install one with: apt-get install linux-headers-amd64 (or pass KDIR=...)" >&2; \
		exit 1; \
	fi
	@if ! ls kmod/*.c >/dev/null 2>&1; then echo "make: kmod/ has no .c sources yet" >&2; exit 1; fi
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)/kmod" modules

tools:
	@test -f tools/Makefile || { echo "make: tools/Makefile is missing" >&2; exit 1; }
	$(MAKE) -C tools

guest-tests:
	@test -f guest-tests/Makefile || { echo "make: guest-tests/Makefile is missing" >&2; exit 1; }
	$(MAKE) -C guest-tests

# Build, unit tests, then one lab boot running the guest tests on khv and
# on KVM; ends with one "N passed, N failed" line for all parts.
check:
	@MAKE="$(MAKE)" scripts/check.sh

bench: all
	bash scripts/bench.sh

checkpatch:
	@scripts/checkpatch.sh

# Boot the lab and run one guest on khv.  The launcher exits with the
# guest's isa-debug-exit status, (code << 1) | 1: 1 means the guest passed.
DEMO_GUEST ?= $(CURDIR)/guest-tests/build/pmode.elf
demo: all
	@scripts/labvm --cpu svm -- sh -c 'khv run --kernel "$$1"; st=$$?; [ $$st -eq 1 ] && exit 0; exit $$st' \
		demo "$(DEMO_GUEST)"
	@echo "demo: $(notdir $(DEMO_GUEST)) ran on khv inside the lab and passed"

clean:
	@if [ -n "$(KDIR)" ] && [ -f "$(KDIR)/Makefile" ]; then \
		$(MAKE) -C "$(KDIR)" M="$(CURDIR)/kmod" clean; fi
	@if [ -f tools/Makefile ]; then $(MAKE) -C tools clean; fi
	@if [ -f guest-tests/Makefile ]; then $(MAKE) -C guest-tests clean; fi
	@if [ -f kmod/tests/Makefile ]; then $(MAKE) -C kmod/tests clean; fi

help:
	@echo "make              build kmod/khv.ko, tools/khv/khv and guest-tests/build/*.elf"
	@echo "make module       only the module (KDIR=$(KDIR))"
	@echo "make tools        only the launcher"
	@echo "make guest-tests  only the guest tests"
	@echo "make check        build, unit tests, guest tests on khv and KVM in one lab boot"
	@echo "make demo         boot the lab and run $(notdir $(DEMO_GUEST)) on khv"
	@echo "make bench        run scripts/bench.sh"
	@echo "make checkpatch   the kernel's checkpatch.pl on kmod/ and uapi/"
	@echo "make clean        remove build products"
