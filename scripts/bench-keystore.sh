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

now_ns() { date +%s%N; }

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

t0=$(now_ns); for i in $(seq "$rounds"); do run_ccewiz "$i"; done; t1=$(now_ns)
for i in $(seq "$rounds"); do run_keytool "$i"; done; t2=$(now_ns)

# Both results must be right, or the timing means nothing.
keytool -list -keystore "$work/c/1/cacerts" -storepass changeit -alias ece.example.com >/dev/null
keytool -list -keystore "$work/k/1/cacerts" -storepass changeit -alias ece.example.com >/dev/null

c_ms=$(( (t1 - t0) / rounds / 1000000 ))
k_ms=$(( (t2 - t1) / rounds / 1000000 ))
echo "cacerts: $cacerts ($(stat -L -c %s "$cacerts") bytes), $rounds rounds, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ccewiz keystore import: ${c_ms} ms per import (whole process, backup + fsync + verify)"
echo "keytool -importcert:    ${k_ms} ms per import"
awk -v c="$(( t1 - t0 ))" -v k="$(( t2 - t1 ))" 'BEGIN { printf "ccewiz is %.1fx faster (goal: 30x)\n", k / c }'
