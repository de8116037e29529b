#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# console-test.sh: the interactive console as a person uses it.  Runs
# the SVM lab with --interactive inside a detached tmux session, so the
# lab's console is a real terminal, and types into it: a Linux guest on
# khv boots to a shell, runs commands, gets ^C in a `sleep`, is left
# with Ctrl-A x; a second guest is left with `poweroff`, a third with
# `reboot` (khv ends the run; it does not reset the VM).  Checks what the
# terminal shows after each step, that the launcher exits with status 0
# and that it restores the terminal's settings.  Ends with
# "N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
session=khv-console-$$
passed=0
failed=0
check() {	# check NAME STATUS [DETAIL]
	if [ "$2" = 0 ]; then
		echo "PASS console/$1${3:+: $3}"
		passed=$((passed + 1))
	else
		echo "FAIL console/$1${3:+: $3}"
		failed=$((failed + 1))
	fi
}
finish() {
	if [ $failed -gt 0 ]; then
		echo "console-test: the terminal showed:"
		screen | sed 's/^/    /'
	fi
	tmux kill-session -t "$session" 2>/dev/null
	echo "$passed passed, $failed failed"
	exit $((failed > 0))
}
command -v tmux >/dev/null ||
	{ echo "console-test: needs tmux (apt-get install tmux)" >&2; check tmux 1; finish; }

screen() { tmux capture-pane -p -J -S -2000 -t "$session" 2>/dev/null | tr -d '\r'; }
# wait_for REGEX SECONDS: until a line of the terminal matches.
wait_for() {
	local end=$((SECONDS + $2))
	while [ $SECONDS -lt $end ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 1
	done
	return 1
}
# The number of lines matching REGEX so far (to wait for the next one).
count() { screen | grep -Ec -- "$1"; }
wait_more() {	# wait_more REGEX N SECONDS: until more than N lines match
	local end=$((SECONDS + $3))
	while [ $SECONDS -lt $end ]; do
		[ "$(count "$1")" -gt "$2" ] && return 0
		sleep 1
	done
	return 1
}
type_line() { tmux send-keys -t "$session" -l -- "$1"; tmux send-keys -t "$session" Enter; }

tmux new-session -d -s "$session" -x 160 -y 50 \
	"cd '$ROOT' && scripts/labvm --cpu svm --interactive --timeout 900 -- sh '$ROOT/scripts/console-test-lab.sh'; echo CONSOLE-TEST-LABVM \$?; sleep 3600" ||
	{ check tmux 1 "cannot start a tmux session"; finish; }

prompt='^/ # '
wait_for "$prompt" 600
check "guest shell prompt" $? "$(screen | grep -m1 'khv guest shell:')"

type_line 'echo sum=$((6 * 7)) kernel=$(uname -r)'
wait_for '^sum=42 kernel=' 60
check "a command runs in the guest" $? "$(screen | grep -m1 '^sum=42')"

type_line 'sleep 1000'
sleep 3
tmux send-keys -t "$session" C-c
type_line 'echo after-interrupt status=$?'
wait_for '^after-interrupt status=130' 60
check "^C interrupts the guest's command, not khv" $?

n=$(count "$prompt")
tmux send-keys -t "$session" C-a x
wait_for 'round 1: khv status' 60
check "Ctrl-A x quits" "$(screen | grep -q 'khv: terminated by Ctrl-A x'; echo $?)"
screen | grep -q 'round 1: khv status 0$'
check "khv exits 0 after Ctrl-A x" $? "$(screen | grep -m1 'round 1: khv status')"
screen | grep -q 'round 1: terminal restored'
check "terminal restored after Ctrl-A x" $?

wait_more "$prompt" "$n" 600
check "second guest shell prompt" $?
n=$(count "$prompt")
type_line 'poweroff'
wait_for 'round 2: khv status' 120
screen | grep -q 'round 2: khv status 0$'
check "guest poweroff ends khv with status 0" $? "$(screen | grep -m1 'round 2: khv status')"
screen | grep -q 'round 2: terminal restored'
check "terminal restored after poweroff" $?

wait_more "$prompt" "$n" 600
check "third guest shell prompt" $?
type_line 'reboot'
wait_for 'round 3: khv status' 120
screen | grep -q 'khv: guest rebooted'
check "guest reboot is reported" $? "$(screen | grep -m1 'khv: guest rebooted')"
screen | grep -q 'round 3: khv status 0$'
check "guest reboot ends khv with status 0" $? "$(screen | grep -m1 'round 3: khv status')"
screen | grep -q 'round 3: terminal restored'
check "terminal restored after reboot" $?

wait_for '^CONSOLE-TEST-LABVM ' 120
screen | grep -q '^CONSOLE-TEST-LABVM 0$'
check "the lab ended cleanly" $? "$(screen | grep -m1 '^CONSOLE-TEST-LABVM')"
finish
