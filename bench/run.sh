#!/usr/bin/env bash
# Runs a benchmark on SQLite and on a private PostgreSQL (127.0.0.1, fsync ON: figures that claim
# durability must pay for it). Prints figures for docs/BENCHMARKS.md. Run as root on Debian 12.
#   bench/run.sh inventory [--machines 100000] [--engine sqlite|postgres]
#   bench/run.sh jobs [--jobs 10000] [--workers 64] [--submitters 4] [--engine sqlite|postgres]
#   bench/run.sh batches [--batches 720] [--hosts 100] [--clients 8] [--engine sqlite|postgres]
#   bench/run.sh boot [--machines 10000] [--reimage 1000] [--install-seconds 20] [--engine sqlite|postgres]
#   bench/run.sh requests [--machines 100000] [--engine sqlite|postgres]
#   bench/run.sh request-e2e [--machines 10000] [--count 1000] [--install-seconds 20] [--fail-percent 10] [--engine sqlite|postgres]
#   bench/run.sh events-fanout [--jobs 10000] [--subscribers 50] [--workers 64] [--split] [--engine sqlite|postgres]
#   bench/run.sh bmc-sweep [--bmcs 10000] [--engine sqlite|postgres]
#   bench/run.sh job-stats [--jobs 1000000] [--engine sqlite|postgres]
#   bench/run.sh portal [--machines 100000] [--engine sqlite|postgres]
#   bench/run.sh ipmi [--sim-ops 2000] [--fleet-ops 5000] [--ipmitool-ops 300] [--pyghmi-ops 1000]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = ipmi ]; then
  # No database here: the peers are ipmi_sim and the three third-party clients, all on loopback.
  for tool in /usr/bin/ipmi_sim /usr/bin/ipmitool /usr/sbin/ipmipower /usr/lib/python3/dist-packages/pyghmi; do
    [ -e "$tool" ] || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq
      apt-get install -y -qq --no-install-recommends openipmi ipmitool freeipmi-tools python3-pyghmi >/dev/null; break; }
  done
  exec dotnet run -c Release --project bench/Ingot.Bench -- "$@"
fi

# jobs: 10,000 simulated BMCs are 10,000 UDP sockets in one child process; take the hard limit (a container may
# refuse more, and 20,000 is enough).
[ "${1:-}" = jobs ] && ulimit -n "$(ulimit -Hn)"

# request-e2e: the whole simulated fleet (10,000 BMC UDP sockets, and the installers' HTTP connections) lives in one
# child, and the server accepts up to a connection per installing machine.
[ "${1:-}" = request-e2e ] && ulimit -n "$(ulimit -Hn)"
# events-fanout and bmc-sweep: 10,000 simulated BMCs (UDP sockets) in one child; the fan-out's receiver takes 50 connections.
case "${1:-}" in events-fanout|bmc-sweep) ulimit -n "$(ulimit -Hn)" ;; esac

# boot: the load tool is Debian's wrk; the reimage fleet holds 1,000 UDP sockets and up to 1,000 HTTP connections.
if [ "${1:-}" = boot ]; then
  command -v wrk >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
  ulimit -n "$(ulimit -Hn)"
fi

# portal: the live-update figure is read in Debian's Chromium.
if [ "${1:-}" = portal ] && [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

command -v /usr/lib/postgresql/15/bin/initdb >/dev/null 2>&1 || {
  export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }

pg_dir=$(mktemp -d /tmp/ingot-bench-pg.XXXXXX)
chown postgres "$pg_dir"
trap 'su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $pg_dir/data -m fast stop" >/dev/null 2>&1 || true; rm -rf "$pg_dir"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
su postgres -c "/usr/lib/postgresql/15/bin/initdb -D $pg_dir/data -A trust -U postgres" >/dev/null
# max_connections 200: the jobs benchmark's server may fill Npgsql's default pool (100) besides the bench's own.
su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $pg_dir/data -l $pg_dir/log -w \
    -o '-k $pg_dir -c listen_addresses=127.0.0.1 -p $port -c shared_buffers=256MB -c max_connections=200' start" >/dev/null
export INGOT_BENCH_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"

dotnet run -c Release --project bench/Ingot.Bench -- "$@"
