# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the bash scripts that run several counted parts (make check's
# scripts/check.sh, scripts/check-k612.sh): each part prints its own lines
# and ends with "N passed, N failed"; the counts are added up, and
# parts_finish prints one summary line per part and the total.
#
#   PARTS_NAME   the caller's name, for its messages
#   part NAME COMMAND...   run one part, tee its output, count its last
#                          "N passed, N failed" line (a part that prints
#                          none counts as one test; one that fails without
#                          counting a failure counts one more)
#   part_start NAME COMMAND...   start one part in the background, its
#                          output kept until part_wait NAME
#   part_wait NAME         wait for it, print its output, count it as part
#                          does
#   parts_tally NAME FILE STATUS T0 NOTE   count a finished part's output
#   parts_add NAME PASSED FAILED   count a part that did not run
#   parts_finish   print the summaries and the total, exit 1 on failures
#   parts_parse FILE STATUS   read FILE's last "N passed, N failed" line
#                          into parts_p and parts_f (a non-zero STATUS
#                          with no failure counted counts one); returns
#                          1 when FILE has no such line

parts_passed=0
parts_failed=0
parts_summaries=()
parts_start=$SECONDS

parts_add() {
	parts_passed=$((parts_passed + $2))
	parts_failed=$((parts_failed + $3))
	parts_summaries+=("$1: $2 passed, $3 failed")
}

parts_parse() {
	local line
	line=$(tr -d '\r' <"$1" | grep -E '^([A-Za-z0-9_-]+: )?[0-9]+ passed, [0-9]+ failed' | tail -n 1) || true
	[ -n "$line" ] || return 1
	line=${line#*: }
	parts_p=${line%% passed*}
	parts_f=${line#*passed, }
	parts_f=${parts_f%% failed*}
	if [ "$2" != 0 ] && [ "$parts_f" = 0 ]; then
		echo "$PARTS_NAME: exit status $2 but no failure counted: one failure"
		parts_f=1
	fi
}

part() {
	local name=$1 status=0 t0=$SECONDS out
	shift
	echo "== $name: $*"
	out=$(mktemp "${TMPDIR:-/tmp}/khv-parts.XXXXXX")
	# The command's own status, with or without pipefail.
	{
		"$@" 2>&1 | tee "$out"
		status=${PIPESTATUS[0]}
	} || true
	parts_tally "$name" "$out" "$status" "$t0" ""
}

# parts_tally NAME FILE STATUS T0 NOTE: count a part's output FILE (then
# removed) and print how long it took since T0.
parts_tally() {
	if ! parts_parse "$2" "$3"; then
		parts_p=$(($3 == 0)) parts_f=$(($3 != 0))
	fi
	rm -f "$2"
	echo "== $1: $((SECONDS - $4)) s$5"
	parts_add "$1" "$parts_p" "$parts_f"
}

# A part in the background (one at a time): its output goes to a file, so
# that it does not interleave with the parts in the foreground.
part_start() {
	parts_bg_name=$1
	shift
	parts_bg_out=$(mktemp "${TMPDIR:-/tmp}/khv-parts.XXXXXX")
	parts_bg_t0=$SECONDS
	echo "== $parts_bg_name: started in the background: $*"
	{
		"$@" >"$parts_bg_out" 2>&1
		echo $? >"$parts_bg_out.status"
	} &
	parts_bg_pid=$!
}

part_wait() {
	local status
	[ "${parts_bg_name:-}" = "$1" ] || {
		echo "$PARTS_NAME: no part $1 in the background"
		parts_add "$1" 0 1
		return
	}
	echo "== $1: waiting for the background part"
	wait "$parts_bg_pid" || true
	status=$(cat "$parts_bg_out.status" 2>/dev/null || echo 1)
	echo "== $1: its output"
	cat "$parts_bg_out"
	rm -f "$parts_bg_out.status"
	parts_tally "$1" "$parts_bg_out" "$status" "$parts_bg_t0" " (in the background)"
	parts_bg_name=
}

parts_finish() {
	printf '%s\n' ${parts_summaries[@]+"${parts_summaries[@]}"}
	echo "$PARTS_NAME: $((SECONDS - parts_start)) s"
	echo "$parts_passed passed, $parts_failed failed"
	exit $((parts_failed > 0))
}
