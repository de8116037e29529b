#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In-lab benchmark: the cost of khv's exit-trace ring.  The exitstat guest
# runs N CPUIDs (each one exit handled in the kernel) and times them with
# RDTSC, with the trace off and on, alternately, R times each:
#
#   scripts/labvm --cpu svm --add "$PWD/scripts/trace-bench.sh" -- \
#       "$PWD/scripts/trace-bench.sh" [N [R]]
#
# MODES="off" runs without the trace only (e.g. with another khv.ko).
# Prints one line per run and the median cycles/exit of each mode.
# Exits per second come from the wall clock (/proc/uptime, 10 ms).

root=$(cd "$(dirname "$0")/.." && pwd)
elf=$root/guest-tests/build/exitstat.elf
n=${1:-100000}
runs=${2:-3}
modes=${MODES:-off on}
tmp=/tmp/trace-bench.$$
mkdir -p "$tmp"

uptime_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# one MODE: run once, print "MODE cycles/exit exits/s"
one() {
	if [ "$1" = on ]; then
		set -- on --trace-file "$tmp/trace.txt"
	else
		set -- off
	fi
	mode=$1
	shift
	t0=$(uptime_cs)
	khv run --kernel "$elf" --cmdline "bench=$n" "$@" >"$tmp/out" 2>&1
	t1=$(uptime_cs)
	cyc=$(sed -n 's/.* cycles: \([0-9]*\) cycles\/exit.*/\1/p' "$tmp/out")
	# n + 1000 warm-up CPUIDs in the run; the boot adds a few exits.
	cs=$((t1 - t0))
	[ "$cs" -gt 0 ] || cs=1
	echo "$mode ${cyc:-?} $(((n + 1000) * 100 / cs))"
}

i=0
: >"$tmp/all"
while [ $i -lt "$runs" ]; do
	for mode in $modes; do
		one "$mode" | tee -a "$tmp/all"
	done
	i=$((i + 1))
done
for mode in $modes; do
	med=$(awk -v m=$mode '$1 == m { print $2 }' "$tmp/all" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	rate=$(awk -v m=$mode '$1 == m { print $3 }' "$tmp/all" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	echo "trace $mode: median $med cycles/exit, $rate exits/s (wall clock)"
done
rm -rf "$tmp"
