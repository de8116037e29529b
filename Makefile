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

.PHONY: all module tools guest-tests check check-vmx check-k612 check-debug fuzz-check fuzz-long fuzz-debug chaos-check bench checkpatch clean demo help

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

# The lab checks on the VMX backend, in Bochs (about 25 minutes; the last
# part of make check).
check-vmx: all
	bash scripts/check-vmx.sh

# Debian's 6.12 (bookworm-backports) as lab kernel and guest: Documentation/lab.rst
check-k612:
	@MAKE="$(MAKE)" scripts/check-k612.sh

# KUnit + guest tests on a KASAN/lockdep/kmemleak/UBSAN kernel (Documentation/reliability.rst)
check-debug:
	@MAKE="$(MAKE)" scripts/check-debug.sh

# The fuzzers (Documentation/reliability.rst): a short run, a long one.
fuzz-check:
	@MAKE="$(MAKE)" scripts/fuzz-check.sh
fuzz-long:
	@MAKE="$(MAKE)" scripts/fuzz-long.sh
# 100,000 khv-fuzz steps in the debug-kernel lane (KASAN, lockdep, ...)
fuzz-debug:
	@DEBUG_FUZZ_CALLS=$${DEBUG_FUZZ_CALLS:-100000} LAB_DEBUG_LINUX=0 \
		LAB_DEBUG_TIMEOUT=$${LAB_DEBUG_TIMEOUT:-5400} MAKE="$(MAKE)" \
		scripts/check-debug.sh

# Random guests in every CPU mode beside a bystander VM (reliability.rst)
chaos-check:
	@MAKE="$(MAKE)" scripts/chaos-check.sh

bench: all
	bash scripts/bench.sh

checkpatch:
	@scripts/checkpatch.sh

# khv's main job: boot the lab and, inside it, boot Debian's own kernel
# as a guest on khv with a busybox initramfs that runs uname, reads
# /proc/cpuinfo, sleeps a second and powers off
# (scripts/linux-guest-test.sh prints the guest's console and checks it).
demo: all
	@scripts/labvm --cpu svm -- env ACCEL=khv sh "$(CURDIR)/scripts/linux-guest-test.sh"
	@echo "demo: Debian's kernel booted on khv inside the lab and powered off"

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
	@echo "make demo         boot a Linux guest on khv inside the lab"
	@echo "make check-vmx    the lab checks on VMX (Bochs lab; slow)"
	@echo "make check-k612   khv.ko against Debian's 6.12 (W=1), one 6.12 lab boot running the lab checks"
	@echo "make check-debug  KUnit and guest tests under KASAN/lockdep/kmemleak/UBSAN (builds a kernel once)"
	@echo "make fuzz-check   dev-fuzz on the host, khv-fuzz in one SVM lab boot (~3 min)"
	@echo "make chaos-check  random guests beside a bystander VM, one SVM lab boot (~3 min)"
	@echo "make fuzz-long    the long fuzz runs (~30 min)"
	@echo "make fuzz-debug   100,000 khv-fuzz steps under the debug kernel"
	@echo "make bench        run scripts/bench.sh"
	@echo "make checkpatch   the kernel's checkpatch.pl on kmod/ and uapi/"
	@echo "make clean        remove build products"
