#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest chaos (Documentation/reliability.rst, "Guest chaos"), about 2-3
# minutes: builds the module, the launcher and the fuzzers, then boots
# the SVM lab once and runs khv-chaos in it: CHAOS_COUNT random guests
# (random bytes, random mostly-valid state in real, protected, virtual-8086,
# long and compatibility mode) beside a bystander VM that must keep
# counting right, then the checks that everything came back, and
# rmmod khv.  Ends with exactly one "N passed, N failed" line.
#
# The lab's QEMU runs its vCPUs on one emulation thread here
# ("-accel tcg,thread=single"): with one thread per vCPU, a vCPU that
# exits at a high rate corrupts the other one in QEMU 7.2's emulation
# (reliability.rst, "Guest chaos", flaw 4), and the bystander would
# measure that, not khv.  CHAOS_MTTCG=1 runs with a thread per vCPU.
#
# Environment: CHAOS_SEED (default 1), CHAOS_COUNT (default 800),
# CHAOS_MTTCG, MAKE.  A failing case is replayed with
#   scripts/labvm --cpu svm --add $PWD/tools/fuzz/khv-chaos -- \
#       $PWD/tools/fuzz/khv-chaos --seed S --case N --trace
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
MAKE=${MAKE:-make}
SEED=${CHAOS_SEED:-1}
COUNT=${CHAOS_COUNT:-800}
PARTS_NAME=chaos-check
# shellcheck source=scripts/lib/parts.sh
. "$ROOT/scripts/lib/parts.sh"
log=$(mktemp "${TMPDIR:-/tmp}/khv-chaos-check.XXXXXX")
trap 'rm -f "$log"' EXIT

if ! "$MAKE" module tools >"$log" 2>&1 || ! "$MAKE" -C tools fuzz/khv-chaos >>"$log" 2>&1; then
	tail -n 30 "$log"
	echo "chaos-check: the build failed (make module tools; make -C tools fuzz/khv-chaos)"
	echo "0 passed, 1 failed"
	exit 1
fi

extra=${LAB_QEMU_EXTRA:-}
if [ "${CHAOS_MTTCG:-0}" != 1 ]; then
	extra="-accel tcg,thread=single${extra:+ $extra}"
fi

echo "== khv-chaos in the SVM lab: --seed $SEED --count $COUNT${extra:+ (QEMU: $extra)}"
LAB_QEMU_EXTRA=$extra scripts/labvm --cpu svm --timeout 600 \
	--add "$ROOT/tools/fuzz/khv-chaos" -- \
	"$ROOT/tools/fuzz/khv-chaos" --seed "$SEED" --count "$COUNT" --kmsg --rmmod \
	2>&1 | tee "$log" | grep --line-buffered -av 'khv-chaos: seed [0-9]* case [0-9]* ('
status=${PIPESTATUS[0]}
# --kmsg named each case in the kernel log: the last one is where a
# wedged lab stopped.
last=$(tr -d '\r' <"$log" | grep -ao 'khv-chaos: seed [0-9]* case [0-9]* ([a-z0-9]*)' | tail -n 1) || true
if parts_parse "$log" "$status"; then
	p=$parts_p f=$parts_f
else
	echo "chaos-check: khv-chaos printed no 'N passed, N failed' line (lab status $status)"
	if [ -n "$last" ]; then
		echo "chaos-check: the last case begun: ${last#khv-chaos: } (replay with --case and --trace)"
	fi
	p=0 f=1
fi
echo "$p passed, $f failed"
exit $((f > 0))
