#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make checkpatch`: the kernel's scripts/checkpatch.pl --no-tree -f on every
# .c, .h and .S file of kmod/ and uapi/ that goes into khv.ko or its ABI.
# kmod/tests/ is left out: it is a userspace program (host gcc, libc,
# inline-asm reference results), not kernel code.  Neither linux-headers nor any
# other Debian package ships checkpatch.pl, so it is taken, with the two
# data files it reads, from Debian's linux-source-6.1 tarball and cached.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tarball=/usr/src/linux-source-6.1.tar.xz
cache=${KHV_LAB_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/khv-lab}

missing=()
[ -r "$tarball" ] || missing+=(linux-source-6.1)
command -v perl >/dev/null 2>&1 && perl -MTerm::ANSIColor -MEncode -e 1 2>/dev/null || missing+=(perl)
command -v xz >/dev/null 2>&1 || missing+=(xz-utils)
if [ ${#missing[@]} -gt 0 ]; then
	echo "checkpatch: missing ${missing[*]}: install with: apt-get install ${missing[*]}" >&2
	exit 69
fi

# One extraction per tarball (about 10 s): keyed by its size and mtime.
stamp=$(stat -c '%s-%Y' "$tarball")
dir=$cache/checkpatch-$stamp
if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
	echo "checkpatch: extracting checkpatch.pl from $tarball..." >&2
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/checkpatch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	tar -xJf "$tarball" -C "$tmp" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	rm -rf "$dir"
	mv "$tmp" "$dir"
	trap - EXIT
fi

cd "$ROOT"
readarray -d '' files < <(find kmod uapi -path kmod/tests -prune -o -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' \) \
	! -name '*.mod.c' -print0 2>/dev/null | LC_ALL=C sort -z)
if [ ${#files[@]} -eq 0 ]; then
	echo "checkpatch: no .c, .h or .S files in kmod/ or uapi/" >&2
	exit 1
fi
status=0
"$dir/scripts/checkpatch.pl" --no-tree --no-color --show-types -f "${files[@]}" || status=$?
echo "checkpatch: ${#files[@]} files checked, status $status"
exit "$status"
