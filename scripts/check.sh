#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: build everything, run the unit tests, then boot the lab
# once and run the guest tests on khv and on KVM (scripts/lab-check.sh),
# with the foreign Multiboot kernels of scripts/foreign-guests.sh.
# Every part prints its own lines; the last line adds them all up:
# "N passed, N failed".  Exit status 0 only when nothing failed.
#
# LAB_CHECK_TIMEOUT: wall-clock limit of the lab boot (default 1800 s).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
MAKE=${MAKE:-make}
passed=0
failed=0
summaries=()
out=$(mktemp "${TMPDIR:-/tmp}/khv-check.XXXXXX")
trap 'rm -f "$out"' EXIT

finish() {
	printf '%s\n' ${summaries[@]+"${summaries[@]}"}
	echo "$passed passed, $failed failed"
	exit $((failed > 0))
}

# part NAME COMMAND...: run one part, tee its output, add up the last
# "N passed, N failed" line it printed.  A part that prints none counts as
# one test; one that fails without counting a failure counts one more.
part() {
	local name=$1 status=0 p f line
	shift
	echo "== $name: $*"
	"$@" 2>&1 | tee "$out" || status=$?
	line=$(tr -d '\r' <"$out" | grep -E '^([A-Za-z0-9_-]+: )?[0-9]+ passed, [0-9]+ failed' | tail -n 1) || true
	if [ -n "$line" ]; then
		line=${line#*: }
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
		if [ "$status" != 0 ] && [ "$f" = 0 ]; then
			echo "check: $name exited with status $status but counted no failure"
			f=1
		fi
	elif [ "$status" = 0 ]; then
		p=1 f=0
	else
		p=0 f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	summaries+=("$name: $p passed, $f failed")
}

echo "== build: $MAKE all"
if ! "$MAKE" all; then
	echo "check: the build failed"
	summaries+=("build: 0 passed, 1 failed")
	failed=1
	finish
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
	summaries+=("foreign-guests: 0 passed, 1 failed")
	failed=$((failed + 1))
fi
part lab scripts/labvm --cpu svm --mem 3G --timeout "${LAB_CHECK_TIMEOUT:-1800}" \
	${lab_add[@]+"${lab_add[@]}"} -- "${lab_cmd[@]}"
# The interactive console, typed into through tmux (its own lab boot).
part console scripts/console-test.sh
finish
