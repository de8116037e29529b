#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: build everything, run the unit tests, then boot the lab
# once and run the guest tests on khv and on KVM (scripts/lab-check.sh),
# with the foreign Multiboot kernels of scripts/foreign-guests.sh; then
# the interactive console, guest chaos (scripts/chaos-check.sh) and the
# debug-kernel lane, each in its own lab boot.  (The short fuzz run, make
# fuzz-check, is not in it: Documentation/reliability.rst.)
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

part tools "$MAKE" -C tools test
if [ -f kmod/tests/Makefile ]; then
	part kmod-tests "$MAKE" -C kmod/tests run
fi
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
part lab scripts/labvm --cpu svm --mem 3G --timeout "${LAB_CHECK_TIMEOUT:-1800}" \
	${lab_add[@]+"${lab_add[@]}"} -- "${lab_cmd[@]}"
# The interactive console, typed into through tmux (its own lab boot).
part console scripts/console-test.sh
part chaos scripts/chaos-check.sh
# Not yet here: the fuzzers' short run (make fuzz-check), in which a
# random guest now and then holds a lab CPU for minutes (an RCU stall
# report: Documentation/reliability.rst); Debian's 6.12 lane (make
# check-k612), whose lab kernel died silently once in its own mem1g
# (Documentation/lab.rst, "Kernel 6.12"); and the VMX lab (make check-vmx).
# The debug kernel (KUnit, KASAN, lockdep, kmemleak, UBSAN): built once
# and cached, then the KUnit suites and the guest tests under it.
part debug scripts/check-debug.sh
parts_finish
