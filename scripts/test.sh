#!/usr/bin/env bash
# The whole test suite, against real peers: OpenLDAP slapd, the JDK's keytool
# and javac, openssl, tmux, the OpenSSH client and sshd. Installs what is missing
# (Debian/Ubuntu, as root), then vets, checks formatting and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have slapd      || need+=(slapd)
have ldapsearch || need+=(ldap-utils)
have openssl    || need+=(openssl)
have tmux       || need+=(tmux)
have ssh        || need+=(openssh-client)
have sshd       || need+=(openssh-server)
{ have keytool && have javac; } || need+=(openjdk-17-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing test peers: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing test peers: ${need[*]} — install them: sudo apt-get install ${need[*]}" >&2
    exit 2
  fi
fi

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "not gofmt-formatted (run gofmt -w):" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
# -race: the wizard runs steps in the background while the admin edits the
# answers; the engine gives each run its own snapshot, and this proves it.
go test -race -count=1 -timeout 30m "$@" ./...
