#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: cycles per round trip of CPUID (handled in the kernel), the
# hypercall, port I/O and MMIO to userspace, and the first touch of a fresh
# guest page, on khv and on KVM in the same lab boot (scripts/lab-bench.sh,
# guest-tests/tests/bench.c); then the time from launcher start to a Linux
# guest's init (linux_boot_ms) and the launcher's resident memory beyond
# guest RAM (launcher_kib), with the same launcher on both.  Prints the median of ROUNDS runs per
# accelerator and the khv/KVM ratio per row.  A measurement, not a test:
# it fails only when a run fails.
#
# BENCH_CPU: svm (default) or vmx (the Bochs lab; set LAB_SMP=1 there).
# ROUNDS: runs per accelerator (default 3).  BENCH_TIMEOUT: the lab
# boot's wall-clock limit (default 900 s, 3600 s for vmx).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
cpu=${BENCH_CPU:-svm}
raw=$(mktemp "${TMPDIR:-/tmp}/khv-bench.XXXXXX")
trap 'rm -f "$raw"' EXIT

if [ ! -f guest-tests/build/bench.elf ]; then
	echo "bench: guest-tests/build/bench.elf is missing: run make first" >&2
	exit 1
fi

echo "bench: one lab boot ($cpu), ${ROUNDS:-3} rounds of khv and KVM..." >&2
# Bochs (vmx) emulates every instruction: its boot alone takes minutes.
[ "$cpu" = vmx ] && limit=3600 || limit=900
scripts/labvm --cpu "$cpu" --timeout "${BENCH_TIMEOUT:-$limit}" -- env ROUNDS="${ROUNDS:-3}" \
	"$ROOT/scripts/lab-bench.sh" | tee "$raw" >&2

awk -v cpu="$cpu" '
$2 == "BENCH" { v[$3, $1] = v[$3, $1] " " $4; if (!($3 in seen)) { seen[$3] = 1; order[n++] = $3 } }
function median(s,   a, k, i, j, t) {
	k = split(s, a, " ")
	for (i = 1; i <= k; i++)
		for (j = i + 1; j <= k; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return k ? a[int((k + 1) / 2)] : ""
}
END {
	printf "%-16s %12s %12s %8s\n", "row (" cpu ")", "khv", "KVM", "khv/KVM"
	for (i = 0; i < n; i++) {
		r = order[i]; k = median(v[r, "khv"]); m = median(v[r, "kvm"])
		ratio = (m > 0) ? sprintf("%.2f", k / m) : "-"
		printf "%-16s %12s %12s %8s\n", r, k, m, ratio
	}
}' "$raw"
