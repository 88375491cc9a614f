#!/usr/bin/env bash
# bench-keystore.sh — import one certificate into a copy of the JDK's
# cacerts, whole process, with ccewiz and with keytool, in the same run.
# Goal (issue 4): ccewiz at least 30x faster than keytool -importcert.
#
# Also timed, to read the figure: `ccewiz --version` (what starting the
# binary costs before any work) and a CA-signed chain (root + intermediate:
# keytool needs one run per certificate, ccewiz one run for the chain).
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

# The binary as it ships: static (no cgo, no dynamic loader at start-up).
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$work/ccewiz" .)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/k.pem" -out "$work/ece.pem" \
  -subj /CN=ece.example.com -days 30 2>/dev/null
# A CA-signed chain: root → intermediate (the server's own certificate is never imported).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/root.key" -out "$work/root.pem" \
  -subj "/CN=Bench Root CA" -days 30 -addext basicConstraints=critical,CA:true 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/int.key" -out "$work/int.csr" -subj "/CN=Bench Issuing CA" 2>/dev/null
printf 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n' > "$work/ca.ext"
openssl x509 -req -in "$work/int.csr" -CA "$work/root.pem" -CAkey "$work/root.key" -CAcreateserial \
  -days 30 -extfile "$work/ca.ext" -out "$work/int.pem" 2>/dev/null
cat "$work/int.pem" "$work/root.pem" > "$work/chain.pem"

echo changeit > "$work/pass"
# Every round gets its own fresh copies, made before the clock starts, so
# only the import itself is timed.
for i in $(seq 0 "$rounds"); do
  for d in c k cc kc; do mkdir -p "$work/$d/$i" && cp "$cacerts" "$work/$d/$i/cacerts"; done
done
run_version() { "$work/ccewiz" --version >/dev/null; }
run_ccewiz() {
  "$work/ccewiz" keystore import --keystore "$work/c/$1/cacerts" --cert "$work/ece.pem" \
    --storepass-file "$work/pass" >/dev/null
}
run_keytool() {
  keytool -importcert -noprompt -alias ece.example.com -file "$work/ece.pem" \
    -keystore "$work/k/$1/cacerts" -storepass changeit >/dev/null 2>&1
}
run_ccewiz_chain() {
  "$work/ccewiz" keystore import --keystore "$work/cc/$1/cacerts" --cert "$work/chain.pem" \
    --storepass-file "$work/pass" >/dev/null
}
run_keytool_chain() { # what Cisco's guide has the admin type: one run per CA certificate
  keytool -importcert -noprompt -alias "bench root ca" -file "$work/root.pem" \
    -keystore "$work/kc/$1/cacerts" -storepass changeit >/dev/null 2>&1
  keytool -importcert -noprompt -alias "bench issuing ca" -file "$work/int.pem" \
    -keystore "$work/kc/$1/cacerts" -storepass changeit >/dev/null 2>&1
}
run_version; run_ccewiz 0; run_keytool 0   # warm the page cache
# ext4 commits every dirty file on an fsync: flush the copies now, or
# ccewiz's fsyncs (keytool makes none) would pay for them.
sync

# Wall time and CPU time (user + system, children included): on a busy
# machine the wall clock mostly measures waiting for a CPU.
TIMEFORMAT='%R %U %S'
timed() { { time (for i in $(seq "$rounds"); do "$1" "$i"; done) ; } 2>&1; }
v_t=$(timed run_version)
c_t=$(timed run_ccewiz)
k_t=$(timed run_keytool)
cc_t=$(timed run_ccewiz_chain)
kc_t=$(timed run_keytool_chain)

# Every result must be right, or the timing means nothing.
for d in c k; do
  keytool -list -keystore "$work/$d/1/cacerts" -storepass changeit -alias ece.example.com >/dev/null
done
for d in cc kc; do
  keytool -list -keystore "$work/$d/1/cacerts" -storepass changeit -alias "bench root ca" >/dev/null
  keytool -list -keystore "$work/$d/1/cacerts" -storepass changeit -alias "bench issuing ca" >/dev/null
done

echo "cacerts: $cacerts ($(stat -L -c %s "$cacerts") bytes), $rounds rounds, load: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v v="$v_t" -v c="$c_t" -v k="$k_t" -v cc="$cc_t" -v kc="$kc_t" -v n="$rounds" '
function wall(t,  a) { split(t, a, " "); return a[1] / n * 1000 }
function cpu(t,  a)  { split(t, a, " "); return (a[2] + a[3]) / n * 1000 }
function row(name, t) { printf "  %-46s %7.1f ms wall %7.1f ms CPU\n", name, wall(t), cpu(t) }
BEGIN {
  row("ccewiz --version (start-up, no work)", v)
  row("ccewiz keystore import, one certificate", c)
  row("keytool -importcert, one certificate", k)
  row("ccewiz keystore import, root + intermediate", cc)
  row("keytool -importcert x2, root + intermediate", kc)
  printf "one certificate: ccewiz is %.1fx faster by the wall clock, %.1fx by CPU time (goal: 30x)\n", wall(k) / wall(c), cpu(k) / cpu(c)
  printf "CA chain:        ccewiz is %.1fx faster by the wall clock, %.1fx by CPU time\n", wall(kc) / wall(cc), cpu(kc) / cpu(cc)
  printf "the import itself (ccewiz minus its start-up): %.1f ms wall\n", wall(c) - wall(v)
}'
