#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: build everything; start the VMX lab in Bochs
# (scripts/check-vmx.sh) in the background while the unit tests run and
# the debug kernel, Debian's 6.12 and the foreign Multiboot kernels of
# scripts/foreign-guests.sh are prepared; once it has ended, boot the SVM
# lab and run the guest tests on khv and on KVM (scripts/lab-check.sh);
# then the interactive console, guest chaos (scripts/chaos-check.sh), the
# fuzzers' short run (scripts/fuzz-check.sh), the debug-kernel lane and
# Debian's 6.12 as lab kernel and guest (scripts/check-k612.sh), each in
# its own lab boot.
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
# for half an hour.  It runs in the background beside the parts that time
# nothing: the unit tests and the preparation of later parts (the debug
# kernel's build, niced; Debian's 6.12 packages; the foreign kernels),
# which then find their caches warm.  make check waits for it before the
# first SVM lab boots, so that no two labs share the host's two cores: the
# SVM labs' timing checks (sleep 1, the APIC timer) need them.
part_start vmx scripts/check-vmx.sh
part tools "$MAKE" -C tools test
if [ -f kmod/tests/Makefile ]; then
	part kmod-tests "$MAKE" -C kmod/tests run
fi
part debug-kernel scripts/debug-kernel
echo "== fetch-k612: scripts/fetch-k612"
scripts/fetch-k612 >/dev/null || echo "check: fetch-k612 failed (the 6.12 lane says why)"
# Multiboot kernels nobody wrote for khv (QEMU's i386 system tests, from
# Debian's qemu source), built on the host and compared in the same boot.
lab_cmd=("$ROOT/scripts/lab-check.sh")
lab_add=()
echo "== foreign-guests: scripts/foreign-guests.sh"
if foreign=$(scripts/foreign-guests.sh); then
	lab_add=(--add "$foreign")
	lab_cmd+=(--foreign "$foreign")
else
	parts_add foreign-guests 0 1
fi
part_wait vmx
part lab scripts/labvm --cpu svm --mem 3G --timeout "${LAB_CHECK_TIMEOUT:-1800}" \
	${lab_add[@]+"${lab_add[@]}"} -- "${lab_cmd[@]}"
# vCPUs whose threads hop between the lab's two CPUs (khv-migrate), on
# one QEMU thread: with a thread per vCPU, QEMU 7.2 mixes up the two
# vCPUs' states (Documentation/reliability.rst, "Guest chaos", flaw 4).
part migrate env LAB_QEMU_EXTRA="-accel tcg,thread=single${LAB_QEMU_EXTRA:+ $LAB_QEMU_EXTRA}" \
	scripts/labvm --cpu svm --timeout 300 -- "$ROOT/tools/abitest/khv-migrate"
# The interactive console, typed into through tmux (its own lab boot).
part console scripts/console-test.sh
part chaos scripts/chaos-check.sh
# The fuzzers' short run: dev-fuzz over the launcher's devices on the
# host, khv-fuzz's 50,000 steps in one SVM lab boot.
part fuzz scripts/fuzz-check.sh
# The debug kernel (KUnit, KASAN, lockdep, kmemleak, UBSAN): built once
# and cached, then the KUnit suites, the guest tests, the Linux guest and
# 100,000 khv-fuzz steps under it, in one boot.
part debug env DEBUG_FUZZ_CALLS="${DEBUG_FUZZ_CALLS:-100000}" \
	LAB_DEBUG_TIMEOUT="${LAB_DEBUG_TIMEOUT:-2700}" scripts/check-debug.sh
# Debian's 6.12 from bookworm-backports: khv.ko built for it with W=1,
# then the lab checks in a 6.12 lab boot.
part k612 scripts/check-k612.sh
parts_finish
