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
#   parts_add NAME PASSED FAILED   count a part that did not run
#   parts_finish   print the summaries and the total, exit 1 on failures

parts_passed=0
parts_failed=0
parts_summaries=()
parts_start=$SECONDS
parts_out=$(mktemp "${TMPDIR:-/tmp}/khv-parts.XXXXXX")
trap 'rm -f "$parts_out"' EXIT

parts_add() {
	parts_passed=$((parts_passed + $2))
	parts_failed=$((parts_failed + $3))
	parts_summaries+=("$1: $2 passed, $3 failed")
}

part() {
	local name=$1 status=0 t0=$SECONDS p f line
	shift
	echo "== $name: $*"
	"$@" 2>&1 | tee "$parts_out" || status=$?
	line=$(tr -d '\r' <"$parts_out" | grep -E '^([A-Za-z0-9_-]+: )?[0-9]+ passed, [0-9]+ failed' | tail -n 1) || true
	if [ -n "$line" ]; then
		line=${line#*: }
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
		if [ "$status" != 0 ] && [ "$f" = 0 ]; then
			echo "$PARTS_NAME: $name exited with status $status but counted no failure"
			f=1
		fi
	elif [ "$status" = 0 ]; then
		p=1 f=0
	else
		p=0 f=1
	fi
	echo "== $name: $((SECONDS - t0)) s"
	parts_add "$name" "$p" "$f"
}

parts_finish() {
	printf '%s\n' ${parts_summaries[@]+"${parts_summaries[@]}"}
	echo "$PARTS_NAME: $((SECONDS - parts_start)) s"
	echo "$parts_passed passed, $parts_failed failed"
	exit $((parts_failed > 0))
}
