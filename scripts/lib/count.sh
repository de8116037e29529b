# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the in-lab sh scripts (POSIX sh: the lab's /bin/sh is
# busybox) that print one PASS/FAIL line per check and end with
# "N passed, N failed".  scripts/labvm puts it in the lab beside them.
#
#   check STATUS TEXT   PASS when STATUS is 0, else FAIL; counted
#   count_finish        print "N passed, N failed"; exit 1 on failures

passed=0
failed=0

check() {
	if [ "$1" = 0 ]; then
		echo "PASS: $2"
		passed=$((passed + 1))
	else
		echo "FAIL: $2"
		failed=$((failed + 1))
	fi
}

count_finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}
