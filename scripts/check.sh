#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: build everything; start the VMX lab in Bochs
# (scripts/check-vmx.sh) in the background; beside it run the unit tests,
# build the debug kernel and the foreign Multiboot kernels of
# scripts/foreign-guests.sh, khv-migrate, Debian's 6.12 as lab kernel and
# guest (scripts/check-k612.sh) and guest chaos (scripts/chaos-check.sh);
# once the Bochs lab has ended, boot the SVM lab and run the guest tests
# on khv and on KVM (scripts/lab-check.sh); then the interactive console,
# the fuzzers' short run (scripts/fuzz-check.sh) and the debug-kernel
# lane, each in its own lab boot.
# Every part prints its own lines; the last line adds them all up:
# "N passed, N failed".  Exit status 0 only when nothing failed.
#
# LAB_CHECK_TIMEOUT: wall-clock limit of the lab boot (default 1800 s).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
MAKE=${MAKE:-make}
PARTS_NAME=check
# shellcheck source=scripts/lib/parts.sh
. "$ROOT/scripts/lib/parts.sh"

echo "== build: $MAKE all"
if ! "$MAKE" all; then
	echo "check: the build failed"
	parts_add build 0 1
	parts_finish
fi

# The VMX lab (Bochs, scripts/check-vmx.sh) emulates on one host thread
# for a quarter of an hour or more.  It runs in the background beside the
# parts that need at most one core: the unit tests, the debug kernel's
# build (niced), the foreign kernels, khv-migrate, Debian's 6.12 lane and
# guest chaos (labs on one QEMU thread).  make check waits for it before the
# SVM labs that run a thread per CPU, whose timing checks (sleep 1, the
# APIC timer) need both of the host's cores.
part_start vmx scripts/check-vmx.sh
part tools "$MAKE" -C tools test
if [ -f kmod/tests/Makefile ]; then
	part kmod-tests "$MAKE" -C kmod/tests run
fi
# The debug kernel (KUnit, KASAN, lockdep, kmemleak, UBSAN), built once
# and cached for the debug lane below.
part debug-kernel scripts/debug-kernel
# Multiboot kernels nobody wrote for khv (QEMU's i386 system tests, from
# Debian's qemu source), built on the host and compared in the SVM lab.
lab_cmd=("$ROOT/scripts/lab-check.sh")
lab_add=()
echo "== foreign-guests: scripts/foreign-guests.sh"
if foreign=$(scripts/foreign-guests.sh); then
	lab_add=(--add "$foreign")
	lab_cmd+=(--foreign "$foreign")
else
	parts_add foreign-guests 0 1
fi
# vCPUs whose threads hop between the lab's two CPUs (khv-migrate), on
# one QEMU thread: with a thread per vCPU, QEMU 7.2 mixes up the two
# vCPUs' states (Documentation/reliability.rst, "Guest chaos", flaw 4).
part migrate env LAB_QEMU_EXTRA="-accel tcg,thread=single${LAB_QEMU_EXTRA:+ $LAB_QEMU_EXTRA}" \
	scripts/labvm --cpu svm --timeout 300 -- "$ROOT/tools/abitest/khv-migrate"
# Debian's 6.12 from bookworm-backports: khv.ko built for it with W=1,
# then the lab checks in a 6.12 lab boot (on one QEMU thread).
part k612 scripts/check-k612.sh
# Random guests beside a bystander VM (one QEMU thread too).
part chaos scripts/chaos-check.sh
part_wait vmx

part lab scripts/labvm --cpu svm --mem 3G --timeout "${LAB_CHECK_TIMEOUT:-1800}" \
	${lab_add[@]+"${lab_add[@]}"} -- "${lab_cmd[@]}"
# The interactive console, typed into through tmux (its own lab boot).
part console scripts/console-test.sh
# The fuzzers' short run: dev-fuzz over the launcher's devices on the
# host, khv-fuzz's 50,000 steps in one SVM lab boot.
part fuzz scripts/fuzz-check.sh
# The debug lane: the KUnit suites, the guest tests, the Linux guest and
# 100,000 khv-fuzz steps under the debug kernel, in one boot.
part debug env DEBUG_FUZZ_CALLS="${DEBUG_FUZZ_CALLS:-100000}" \
	LAB_DEBUG_TIMEOUT="${LAB_DEBUG_TIMEOUT:-2700}" scripts/check-debug.sh
parts_finish
