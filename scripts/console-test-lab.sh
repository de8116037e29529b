#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The lab side of scripts/console-test.sh: three Linux guest shells on
# khv (scripts/guest-shell.sh) on the lab's console, which a terminal
# multiplexer on the host types into.  The first is left with Ctrl-A x,
# the second with `poweroff`, the third with `reboot`; after each, it
# prints the launcher's exit status and whether the console's settings
# are what they were before.
here=$(cd "$(dirname "$0")/.." && pwd)
for round in 1 2 3; do
	before=$(stty -g)
	echo "console-test: round $round"
	sh "$here/scripts/guest-shell.sh"
	status=$?
	after=$(stty -g)
	echo "console-test: round $round: khv status $status"
	if [ "$before" = "$after" ]; then
		echo "console-test: round $round: terminal restored"
	else
		echo "console-test: round $round: terminal NOT restored ($before -> $after)"
	fi
done
