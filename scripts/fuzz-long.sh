#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The long fuzz run (Documentation/reliability.rst, "Fuzzing"), not part
# of make check:
#   1. dev-fuzz on the host for FUZZ_TIME seconds (default 600), keeping
#      its corpus in FUZZ_CORPUS (default ~/.cache/khv-fuzz/devices), so
#      each run starts where the last one stopped;
#   2. one SVM lab boot running khv-fuzz once per seed of FUZZ_SEEDS
#      (default "1 2 3 4 5") with FUZZ_CALLS steps each (default 200000,
#      about 4 minutes a seed in the lab), then rmmod khv.
# Ends with one "N passed, N failed" line, the sum of all runs.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
MAKE=${MAKE:-make}
TIME=${FUZZ_TIME:-600}
CORPUS=${FUZZ_CORPUS:-$HOME/.cache/khv-fuzz/devices}
SEEDS=${FUZZ_SEEDS:-1 2 3 4 5}
CALLS=${FUZZ_CALLS:-200000}
passed=0
failed=0
log=$(mktemp "${TMPDIR:-/tmp}/khv-fuzz-long.XXXXXX")
trap 'rm -f "$log"' EXIT

if ! "$MAKE" module tools >"$log" 2>&1 || ! "$MAKE" -C tools fuzz >>"$log" 2>&1; then
	tail -n 30 "$log"
	echo "fuzz-long: the build failed (make module tools; make -C tools fuzz)"
	echo "0 passed, 1 failed"
	exit 1
fi

mkdir -p "$CORPUS"
echo "== dev-fuzz: $TIME s, corpus $CORPUS"
# Crash files land in tools/ (libFuzzer's crash-<sha1>), named in the log.
if (cd tools && ./fuzz/dev-fuzz -max_total_time="$TIME" -max_len=4096 \
	-print_final_stats=1 "$CORPUS") >"$log" 2>&1; then
	echo "PASS: dev-fuzz: $(grep -E 'number_of_executed_units' "$log" | tr -s ' ') in $TIME s"
	passed=$((passed + 1))
else
	tail -n 40 "$log"
	echo "FAIL: dev-fuzz: a device crashed or a sanitizer fired (the input is named above)"
	failed=$((failed + 1))
fi

n=0
cmd=
for s in $SEEDS; do
	n=$((n + 1))
	cmd="$cmd $ROOT/tools/fuzz/khv-fuzz --seed $s --calls $CALLS --no-exhaust;"
done
cmd="$cmd $ROOT/tools/fuzz/khv-fuzz --seed 0 --calls 0 --no-isolation --rmmod"
echo "== khv-fuzz in the SVM lab: seeds $SEEDS, $CALLS steps each"
scripts/labvm --cpu svm --timeout $((600 + n * 400)) \
	--add "$ROOT/tools/fuzz/khv-fuzz" -- sh -c "$cmd" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
runs=0
while read -r p f; do
	passed=$((passed + p))
	failed=$((failed + f))
	runs=$((runs + 1))
done < <(tr -d '\r' <"$log" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p')
if [ "$runs" != $((n + 1)) ]; then
	echo "fuzz-long: $runs of $((n + 1)) khv-fuzz runs reported (lab status $status)"
	failed=$((failed + 1))
elif [ "$status" != 0 ] && [ "$failed" = 0 ]; then
	echo "fuzz-long: the lab ended with status $status but nothing counted a failure"
	failed=1
fi
echo "$passed passed, $failed failed"
exit $((failed > 0))
