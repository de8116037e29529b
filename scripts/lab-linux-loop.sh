#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# lab-linux-loop.sh N [khv run options...]: scripts/linux-guest-test.sh N
# times in one lab boot, to catch what fails rarely (Documentation/lab.rst,
# "Repeating the Linux guest").  Per round one line (its status, time and
# count) and the launcher's boot marks; the whole output of a round that
# failed a check or outlasted the test's watchdog (TIMEOUT, whose hang
# report shows the vCPU, APIC and host state), so that a round which
# finished only after that report can be told from one that was slow.
# The environment is linux-guest-test.sh's (ACCEL, KERNEL, MEM, TIMEOUT,
# SLEEP_TOLERANCE_MS, ...).  Ends with "N passed, N failed", one per round.
# POSIX sh: the lab's /bin/sh is busybox.

root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-}
case $n in
'' | *[!0-9]*)
	echo "usage: lab-linux-loop.sh N [khv run options...]" >&2
	exit 64
	;;
esac
shift
out=$(mktemp "${TMPDIR:-/tmp}/khv-linux-loop.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT
passed=0
failed=0
i=1
while [ "$i" -le "$n" ]; do
	sh "$root/scripts/linux-guest-test.sh" "$@" >"$out" 2>&1
	status=$?
	echo "round $i: $(date +%T) status $status," \
		"$(grep -e '^linux-guest-test: /' -e '^[0-9]* passed, ' "$out" | tr '\n' ' ')"
	marks=$(grep -e "khv: guest init reached" -e "khv: guest mark" "$out" |
		tr -d '\r' | sed 's/^ *khv: guest //' | tr '\n' ';')
	[ -z "$marks" ] || echo "    $marks"
	if [ "$status" = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	if [ "$status" != 0 ] || grep -q "did not finish" "$out"; then
		echo "--- round $i, whole output:"
		# /proc/cpuinfo's lines say nothing here.
		grep -v -e '^    processor' -e '^    vendor' -e '^    model' \
			-e '^    flags' -e '^    cpu' -e '^    stepping' "$out"
		echo "--- end of round $i"
	fi
	i=$((i + 1))
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
