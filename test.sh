#!/usr/bin/env bash
# Runs every test, on SQLite and on PostgreSQL. Installs what it needs (Debian packages) and starts a
# private PostgreSQL on 127.0.0.1 for the run; stops it at the end. Run as root on Debian 12.
#   ./test.sh                 everything, both engines
#   ./test.sh --engine sqlite one engine only (sqlite|postgres)
#   ./test.sh -- --filter X   extra arguments go to 'dotnet test'
set -euo pipefail
cd "$(dirname "$0")"

engines=(sqlite postgres)
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engines=("$2"); shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

need_packages=()
command -v /usr/lib/postgresql/15/bin/initdb >/dev/null 2>&1 || need_packages+=(postgresql)
# Third-party IPMI peers: OpenIPMI's ipmi_sim (a BMC), ipmitool and FreeIPMI (clients of our simulator).
command -v ipmi_sim >/dev/null 2>&1 || need_packages+=(openipmi)
command -v ipmitool >/dev/null 2>&1 || need_packages+=(ipmitool)
command -v ipmipower >/dev/null 2>&1 || need_packages+=(freeipmi-tools)
# pyghmi (OpenStack's IPMI library) reads the simulator's inventory: FRU, SDR, SEL (issue 11 E.5).
[ -d /usr/lib/python3/dist-packages/pyghmi ] || need_packages+=(python3-pyghmi)
# dnsmasq parses the configuration 'ingot boot dnsmasq-config' renders (dnsmasq --test). dnsmasq-base is the
# binary alone: unlike the dnsmasq package it has no service that would start and bind ports 53 and 67.
[ -x /usr/sbin/dnsmasq ] || need_packages+=(dnsmasq-base)
# OpenStack Ironic's Redfish library drives our Redfish simulator (Debian's python3, not whatever is on PATH).
/usr/bin/python3 -c 'import sushy' >/dev/null 2>&1 || need_packages+=(python3-sushy)
# A real SMTP server for e-mail subscriptions (aiosmtpd, started by the tests on loopback with a Maildir handler).
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need_packages+=(python3-aiosmtpd)
# A real Prometheus scrapes /metrics and answers PromQL (started by the test on loopback).
[ -x /usr/bin/prometheus ] || need_packages+=(prometheus)
# The portal's browser tests drive Debian's Chromium through Playwright (its executable path; no browser download).
[ -x /usr/bin/chromium ] || need_packages+=(chromium)
# A real OpenLDAP directory for directory sign-in (slapd, started by the tests on loopback; ldapadd/ldapmodify seed it).
[ -x /usr/sbin/slapd ] || need_packages+=(slapd)
[ -x /usr/bin/ldapmodify ] || need_packages+=(ldap-utils)
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "== installing ${need_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # No package may start its service (slapd's would listen on every address): policy-rc.d refuses them all during
  # the install; the tests start what they need on 127.0.0.1 themselves.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
  if [ -n "$policy" ]; then rm -f "$policy"; trap - EXIT; fi
fi

pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then
    su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $pg_dir/data -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT

start_postgres() {
  pg_dir=$(mktemp -d /tmp/ingot-pg.XXXXXX)
  chown postgres "$pg_dir"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  su postgres -c "/usr/lib/postgresql/15/bin/initdb -D $pg_dir/data -A trust -U postgres" >/dev/null
  # fsync off: a throw-away cluster for tests only; never for a benchmark that claims durability.
  su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $pg_dir/data -l $pg_dir/log -w \
      -o '-k $pg_dir -c listen_addresses=127.0.0.1 -p $port -c fsync=off -c max_connections=300' start" >/dev/null
  export INGOT_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "== PostgreSQL on 127.0.0.1:$port"
}

dotnet build Ingot.slnx -c Release -warnaserror -nologo -v q

database_projects=(tests/Ingot.Server.Tests/Ingot.Server.Tests.csproj tests/Ingot.Tests/Ingot.Tests.csproj)
status=0
log=$(mktemp /tmp/ingot-test-log.XXXXXX)
# PostgreSQL for every engine's run: the tests of several nodes on one database need it even on the SQLite run
# (SQLite is one node by design).
start_postgres
for engine in "${engines[@]}"; do
  echo "== tests on $engine"
  # The first engine runs every test project; later ones only those that touch the database.
  if [ "$engine" = "${engines[0]}" ]; then targets=(Ingot.slnx); else targets=("${database_projects[@]}"); fi
  for target in "${targets[@]}"; do
    # A test that hangs (a wait without an end) fails after 5 minutes, naming itself, instead of stalling CI.
    INGOT_TEST_ENGINE=$engine dotnet test "$target" -c Release --no-build -nologo \
        --blame-hang --blame-hang-timeout 5m \
        --logger "console;verbosity=minimal" "${extra[@]}" 2>&1 | tee -a "$log" || status=1
  done
done
# One closing line over both engines and every test project, e.g. "812 passed, 0 failed, 0 skipped".
awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit $status
