#!/usr/bin/env bash
# bench-keystore.sh — import one certificate into a copy of the JDK's
# cacerts, whole process, with ccewiz and with keytool, in the same run.
# Goal (issue 4): ccewiz at least 30x faster than keytool -importcert.
#
# Usage: scripts/bench-keystore.sh [ROUNDS]   (default 10)
# Needs: go, java/keytool, openssl. Writes only under a temporary folder.
set -euo pipefail
rounds=${1:-10}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

java=$(readlink -f "$(command -v java)")
cacerts=$(dirname "$(dirname "$java")")/lib/security/cacerts
[ -f "$cacerts" ] || { echo "no cacerts next to $java" >&2; exit 2; }

(cd "$repo" && go build -o "$work/ccewiz" .)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/k.pem" -out "$work/ece.pem" \
  -subj /CN=ece.example.com -days 30 2>/dev/null

echo changeit > "$work/pass"
# Every round gets its own fresh copy, made before the clock starts, so only
# the import itself is timed.
for i in $(seq 0 "$rounds"); do
  mkdir -p "$work/c/$i" "$work/k/$i"
  cp "$cacerts" "$work/c/$i/cacerts"
  cp "$cacerts" "$work/k/$i/cacerts"
done
run_ccewiz() {
  "$work/ccewiz" keystore import --keystore "$work/c/$1/cacerts" --cert "$work/ece.pem" \
    --storepass-file "$work/pass" >/dev/null
}
run_keytool() {
  keytool -importcert -noprompt -alias ece.example.com -file "$work/ece.pem" \
    -keystore "$work/k/$1/cacerts" -storepass changeit >/dev/null 2>&1
}
run_ccewiz 0; run_keytool 0   # warm the page cache
# ext4 commits every dirty file on an fsync: flush the copies now, or
# ccewiz's fsyncs (keytool makes none) would pay for them.
sync

# Wall time and CPU time (user + system, children included): on a busy
# machine the wall clock mostly measures waiting for a CPU.
TIMEFORMAT='%R %U %S'
c_t=$( { time (for i in $(seq "$rounds"); do run_ccewiz "$i"; done) ; } 2>&1 )
k_t=$( { time (for i in $(seq "$rounds"); do run_keytool "$i"; done) ; } 2>&1 )

# Both results must be right, or the timing means nothing.
keytool -list -keystore "$work/c/1/cacerts" -storepass changeit -alias ece.example.com >/dev/null
keytool -list -keystore "$work/k/1/cacerts" -storepass changeit -alias ece.example.com >/dev/null

echo "cacerts: $cacerts ($(stat -L -c %s "$cacerts") bytes), $rounds rounds, load: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v c="$c_t" -v k="$k_t" -v n="$rounds" 'BEGIN {
  split(c, a, " "); split(k, b, " ")
  cw = a[1] / n * 1000; cc = (a[2] + a[3]) / n * 1000
  kw = b[1] / n * 1000; kc = (b[2] + b[3]) / n * 1000
  printf "ccewiz keystore import: %6.1f ms wall, %6.1f ms CPU per import (whole process: open+verify, backup, fsync, re-open)\n", cw, cc
  printf "keytool -importcert:    %6.1f ms wall, %6.1f ms CPU per import\n", kw, kc
  printf "ccewiz is %.1fx faster by the wall clock, %.1fx by CPU time (goal: 30x)\n", kw / cw, (cc > 0 ? kc / cc : 0)
}'
