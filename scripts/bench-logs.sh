#!/usr/bin/env bash
# Times `ccewiz logs` against `grep -F -c -f <signatures>` on the same
# generated bundle in the same run, and reports MB/s for both.
#
# The bundle is shaped like ECE's maximum retention: 5 processes, each with
# its current log and rotated .log.N files of 5 MB, realistic lines, rare
# signature hits. FILES=50 SIZE_MB=5 (250 MB) by default; FILES=250 is
# 5 processes × 50 files (1.25 GB). ROUNDS runs each tool several times and
# keeps the best wall time (the page cache is warmed first for both).
#
#   scripts/bench-logs.sh            # 250 MB
#   FILES=250 scripts/bench-logs.sh  # the full 5 × 50 × 5 MB
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${FILES:-50}
SIZE_MB=${SIZE_MB:-5}
ROUNDS=${ROUNDS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/ccewiz" .
go test ./logdoctor -count=1 -args -bench-bundle "$work/bundle" -bench-files "$FILES" -bench-mb "$SIZE_MB" >/dev/null
"$work/ccewiz" logs --patterns >"$work/signatures.txt"
bytes=$(cat "$work"/bundle/* | wc -c)
mb=$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1048576}')
cat "$work"/bundle/* >/dev/null # warm the page cache for both

best() { # best wall-clock seconds of ROUNDS runs of "$@"
	local b=999999 s e t
	for _ in $(seq "$ROUNDS"); do
		s=$(date +%s.%N)
		"$@" >/dev/null || [ $? -eq 1 ] # 1 = matches found, for both tools
		e=$(date +%s.%N)
		t=$(awk -v s="$s" -v e="$e" 'BEGIN{print e-s}')
		b=$(awk -v a="$b" -v t="$t" 'BEGIN{print (t<a)?t:a}')
	done
	echo "$b"
}

# CPU time (perf's task-clock) is steadier than wall time on a busy machine.
cpu() { # best CPU milliseconds of ROUNDS runs, or "-" without perf
	command -v perf >/dev/null || { echo -; return; }
	local b=999999 t
	for _ in $(seq "$ROUNDS"); do
		t=$(perf stat -x, -e task-clock "$@" 2>&1 >/dev/null | awk -F, '/task-clock/{print $1}')
		[ -n "$t" ] || { echo -; return; }
		b=$(awk -v a="$b" -v t="$t" 'BEGIN{print (t<a)?t:a}')
	done
	echo "$b"
}

g=$(best env LC_ALL=C grep -F -c -f "$work/signatures.txt" "$work"/bundle/*)
g8=$(best grep -F -c -f "$work/signatures.txt" "$work"/bundle/*)
c1=$(best "$work/ccewiz" logs --jobs 1 "$work/bundle")
cn=$(best "$work/ccewiz" logs "$work/bundle")
gc=$(cpu env LC_ALL=C grep -F -c -f "$work/signatures.txt" "$work"/bundle/*)
c1c=$(cpu "$work/ccewiz" logs --jobs 1 "$work/bundle")
grep_lines=$(LC_ALL=C grep -F -h -c -f "$work/signatures.txt" "$work"/bundle/* | awk '{s+=$1} END{print s}')
ours=$("$work/ccewiz" logs --format json "$work/bundle" | awk -F': ' '/^      "count"/{gsub(",","",$2); s+=$2} END{print s}') || true

rate() { awk -v mb="$mb" -v t="$1" 'BEGIN{printf "%7.0f MB/s  (%.3f s)", mb/t, t}'; }
echo "bundle: $FILES files, $mb MB, $(nproc) CPUs; best of $ROUNDS runs"
echo "grep -F -c -f (LC_ALL=C)   $(rate "$g")"
echo "grep -F -c -f ($LANG)      $(rate "$g8")"
echo "ccewiz logs --jobs 1       $(rate "$c1")"
echo "ccewiz logs (all CPUs)     $(rate "$cn")"
if [ "$gc" != - ] && [ "$c1c" != - ]; then
	echo "CPU time: grep (LC_ALL=C) $(awk -v mb="$mb" -v t="$gc" 'BEGIN{printf "%.0f ms = %.0f MB/s", t, mb/(t/1000)}'), ccewiz --jobs 1 $(awk -v mb="$mb" -v t="$c1c" 'BEGIN{printf "%.0f ms = %.0f MB/s", t, mb/(t/1000)}') (ccewiz includes ~25 ms of process start)"
fi
echo "matching lines: grep $grep_lines, ccewiz (per signature, a line may count twice) $ours"
