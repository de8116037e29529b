#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The short fuzz run (Documentation/reliability.rst, "Fuzzing"), under
# about 5 minutes:
#   1. dev-fuzz on the host: a seeded, bounded libFuzzer run of random
#      port and MMIO accesses over the launcher's devices (ASan + UBSan);
#   2. one SVM lab boot running khv-fuzz: the isolation tests, a VM closed
#      under a running vCPU, FUZZ_CALLS seeded random ioctls, VMs and vCPUs
#      until the fd limit and a memory cgroup run out, then the checks that
#      everything came back, and rmmod khv.
# Ends with exactly one "N passed, N failed" line (the sum of both parts).
#
# Environment: FUZZ_SEED (default 1), FUZZ_CALLS (default 50000),
# FUZZ_RUNS (dev-fuzz inputs, default 200000), MAKE.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
MAKE=${MAKE:-make}
SEED=${FUZZ_SEED:-1}
CALLS=${FUZZ_CALLS:-50000}
RUNS=${FUZZ_RUNS:-200000}
passed=0
failed=0
PARTS_NAME=fuzz-check
# shellcheck source=scripts/lib/parts.sh
. "$ROOT/scripts/lib/parts.sh"
log=$(mktemp "${TMPDIR:-/tmp}/khv-fuzz-check.XXXXXX")
trap 'rm -f "$log"' EXIT

if ! "$MAKE" module tools >"$log" 2>&1 || ! "$MAKE" -C tools fuzz >>"$log" 2>&1; then
	tail -n 30 "$log"
	echo "fuzz-check: the build failed (make module tools; make -C tools fuzz)"
	echo "0 passed, 1 failed"
	exit 1
fi

echo "== dev-fuzz: -seed=$SEED -runs=$RUNS"
if (cd tools && ./fuzz/dev-fuzz -seed="$SEED" -runs="$RUNS" -max_len=4096) >"$log" 2>&1; then
	echo "PASS: dev-fuzz: $(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1)"
	passed=$((passed + 1))
else
	tail -n 40 "$log"
	echo "FAIL: dev-fuzz: a device crashed or a sanitizer fired (reproduce: cd tools && ./fuzz/dev-fuzz -seed=$SEED -runs=$RUNS -max_len=4096)"
	failed=$((failed + 1))
fi

echo "== khv-fuzz in the SVM lab: --seed $SEED --calls $CALLS"
scripts/labvm --cpu svm --timeout 600 --add "$ROOT/tools/fuzz/khv-fuzz" -- \
	"$ROOT/tools/fuzz/khv-fuzz" --seed "$SEED" --calls "$CALLS" --rmmod \
	2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if parts_parse "$log" "$status"; then
	p=$parts_p f=$parts_f
else
	echo "fuzz-check: khv-fuzz printed no 'N passed, N failed' line (lab status $status)"
	p=0 f=1
fi
passed=$((passed + p))
failed=$((failed + f))
echo "$passed passed, $failed failed"
exit $((failed > 0))
