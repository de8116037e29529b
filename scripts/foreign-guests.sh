#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# foreign-guests.sh: build Multiboot kernels that nobody wrote for khv,
# QEMU's own i386 system tests (hello, memory), from Debian's qemu source
# package.  Documentation/guest-tests.rst, "Guests from elsewhere".
#
#   1. once: fetch the source with a private apt configuration (the archive
#      this machine's apt already uses, as deb-src; the system's sources,
#      lists and caches are not touched) into the cache, and extract only
#      the few files the tests need;
#   2. every run: compile them with the host's gcc -m32 the way QEMU's
#      tests/tcg makefiles do, into a folder outside the work tree.
#
# Prints that folder (hello.elf, memory.elf, SOURCE) as its only line on
# stdout; progress and errors go to stderr.  Exit status 0, or 1 with one
# "foreign-guests: ..." line saying what failed.
#
# KHV_LAB_CACHE: the cache (default ~/.cache/khv-lab), as for scripts/labvm;
# this script uses its foreign/ folder.
set -euo pipefail

cache=${KHV_LAB_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/khv-lab}/foreign
src=$cache/src		# the downloaded source package and extracted files
obj=$cache/obj		# boot.o, printf.o
elf=$cache/elf		# what the lab gets: only the kernels and SOURCE

# What QEMU's tests/tcg needs for the i386 softmmu tests, and nothing more.
files=(
	tests/tcg/i386/system/boot.S
	tests/tcg/i386/system/kernel.ld
	tests/tcg/i386/Makefile.softmmu-target
	tests/tcg/multiarch/system/hello.c
	tests/tcg/multiarch/system/memory.c
	tests/tcg/multiarch/system/Makefile.softmmu-target
	tests/tcg/minilib/minilib.h
	tests/tcg/minilib/printf.c
	tests/tcg/minilib/Makefile.target
	tests/tcg/Makefile.target
)

fail() {
	echo "foreign-guests: $*" >&2
	exit 1
}

usage() {
	sed -n '4,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}
case "${1:-}" in
-h|--help) usage; exit 0 ;;
'') ;;
*) echo "usage: scripts/foreign-guests.sh (no arguments)" >&2; exit 64 ;;
esac

for t in apt-get tar xz gcc flock; do
	command -v "$t" >/dev/null 2>&1 || fail "missing '$t': run scripts/setup"
done
mkdir -p "$cache" || fail "cannot create $cache"
exec 9>"$cache/lock"
flock 9

# ------------------------------------------------------------ the archive

# The Debian archive this machine's apt uses: "URI SUITE SIGNED-BY" of the
# first deb line (deb822 .sources or one-line .list) for a release suite
# (not -security, -updates, -backports).
archive() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && uri != "")
				for (i = 1; i <= ns; i++)
					if (s[i] !~ /[-\/]/) { print uri, s[i], (key == "" ? "-" : key); found = 1; exit }
			types = uri = key = ""; ns = 0
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{ k = tolower($1); sub(/:$/, "", k); $1 = ""; sub(/^ +/, "") }
		k == "types" { types = $0 }
		k == "uris" { split($0, u, " "); uri = u[1] }
		k == "suites" { ns = split($0, s, " ") }
		k == "signed-by" { key = $0 }
		END { if (!found) flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk '$1 == "deb" {
			i = 2
			if ($2 ~ /^\[/) { key = ""; while (i <= NF) { if ($i ~ /^signed-by=/) { key = $i; sub(/^signed-by=/, "", key); sub(/\]$/, "", key) } if ($i ~ /\]$/) { i++; break } i++ } }
			if ($(i + 1) !~ /[-\/]/) { print $i, $(i + 1), (key == "" ? "-" : key); exit }
		}' "$f"
	done
}

fetch() {
	local line uri suite key apt log opts
	line=$(archive | head -n 1)
	[ -n "$line" ] || fail "no Debian archive in /etc/apt/sources.list{,.d}: cannot fetch the qemu source"
	read -r uri suite key <<<"$line"
	opts=
	if [ "$key" != - ] && [ -r "$key" ]; then opts="[signed-by=$key] "; fi
	apt=$cache/apt
	rm -rf "$apt" "$src.new"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$src.new"
	echo "deb-src ${opts}$uri $suite main" >"$apt/sources.list"
	# Private sources, lists and caches: the system's apt state is only read.
	local aptopts=(-q -o "Dir::Etc::SourceList=$apt/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
		-o Acquire::Retries=2 -o Acquire::http::Timeout=30
		-o APT::Sandbox::User=root)
	log=$cache/fetch.log
	echo "foreign-guests: fetching Debian's qemu source ($suite, ~24 MB) from $uri (once)..." >&2
	# apt-get update may exit 0 with only a warning when a fetch failed.
	if ! apt-get "${aptopts[@]}" update >"$log" 2>&1 ||
	   ! ls "$apt/lists/"*_source_Sources* >/dev/null 2>&1; then
		fail "cannot download Debian's source index from $uri ($suite): apt-get update failed, see $log"
	fi
	if ! (cd "$src.new" && apt-get "${aptopts[@]}" source --download-only qemu) >>"$log" 2>&1; then
		fail "cannot download Debian's qemu source from $uri ($suite): apt-get source failed, see $log"
	fi
	if ! have "$src.new"/qemu_*.dsc || ! have "$src.new"/qemu_*.orig.tar.*; then
		fail "apt-get source qemu left no .dsc and orig tarball in $src.new, see $log"
	fi
	rm -rf "$apt" "$src"	# the 20 MB source index is not needed again
	mv "$src.new" "$src"
}

# Extract only $files from the orig tarball (Debian's patches leave them
# as they are) into $src/tree.
extract() {
	local origs=("$src"/qemu_*.orig.tar.*) orig top pats=() f
	orig=${origs[0]}
	top=$(tar -tf "$orig" 2>/dev/null | head -n 1) || true
	top=${top%%/*}
	[ -n "$top" ] || fail "cannot read $orig: delete $src and run again"
	for f in "${files[@]}"; do pats+=("$top/$f"); done
	rm -rf "$src/tree" "$src/tree.new"
	mkdir -p "$src/tree.new"
	tar -xf "$orig" -C "$src/tree.new" --strip-components=1 "${pats[@]}" ||
		fail "$orig lacks the tests/tcg files this script needs"
	mv "$src/tree.new" "$src/tree"
}

have() {	# have GLOB-RESULT...: the glob matched a file
	[ -e "$1" ]
}

have_tree() {
	local f
	[ -d "$src/tree" ] || return 1
	for f in "${files[@]}"; do [ -f "$src/tree/$f" ] || return 1; done
}

have_tree || {
	have "$src"/qemu_*.orig.tar.* || fetch
	extract
}
version=$(sed -n 's/^Version: //p' "$src"/qemu_*.dsc | head -n 1)

# ------------------------------------------------------------ the build

# As tests/tcg/Makefile.target (softmmu: EXTRA_CFLAGS += -ffreestanding),
# tests/tcg/minilib/Makefile.target (-fno-stack-protector, in Debian's
# 7.2.7 update), tests/tcg/i386/Makefile.softmmu-target (CFLAGS, LDFLAGS,
# boot.o first, minilib, -lgcc) and tests/tcg/multiarch/system/
# Makefile.softmmu-target (memory: -DCHECK_UNALIGNED=1); -m32 is what
# QEMU's tests/tcg/configure.sh gives the host compiler for i386.
t=$src/tree/tests/tcg
cflags=(-m32 -ffreestanding -nostdlib -fno-stack-protector -ggdb -O0 -isystem "$t/minilib")
# shellcheck disable=SC2054 # the commas are gcc's -Wl syntax
ldflags=("-Wl,-T$t/i386/system/kernel.ld" -Wl,-melf_i386 -static -nostdlib
	"$obj/boot.o" "$obj/printf.o" -lgcc)

rm -rf "$obj" "$elf"
mkdir -p "$obj" "$elf"
build_log=$cache/build.log
: >"$build_log"
cc() {	# cc WHAT GCC-ARGS...
	local what=$1
	shift
	echo "gcc $*" >>"$build_log"
	gcc "$@" >>"$build_log" 2>&1 && return 0
	if grep -q -e 'cannot find -lgcc' -e 'gnu/stubs-32.h' "$build_log"; then
		fail "building $what: gcc -m32 has no 32-bit libgcc: install gcc-multilib (scripts/setup)"
	fi
	fail "building $what failed, see $build_log"
}
cc boot.o "${cflags[@]}" -c "$t/i386/system/boot.S" -o "$obj/boot.o"
cc printf.o "${cflags[@]}" -c "$t/minilib/printf.c" -o "$obj/printf.o"
cc hello.elf "${cflags[@]}" "$t/multiarch/system/hello.c" -o "$elf/hello.elf" "${ldflags[@]}"
cc memory.elf "${cflags[@]}" -DCHECK_UNALIGNED=1 "$t/multiarch/system/memory.c" -o "$elf/memory.elf" "${ldflags[@]}"
cat >"$elf/SOURCE" <<EOF
Debian source package qemu $version: tests/tcg/i386/system/boot.S and
kernel.ld, tests/tcg/multiarch/system/{hello,memory}.c, tests/tcg/minilib/
printf.c, built by khv's scripts/foreign-guests.sh with $(gcc --version | head -n 1).
EOF
echo "foreign-guests: hello.elf memory.elf from qemu $version in $elf" >&2
echo "$elf"
