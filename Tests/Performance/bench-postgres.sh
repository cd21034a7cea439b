#!/usr/bin/env bash
# Client credentials and introspection on PostgreSQL, with one and with two replicas,
# each as a ratio to GET /healthz in the same run. Starts its own throw-away cluster
# (Tests/postgres.sh) unless BENCH_POSTGRES names a server.
#
#   bash Tests/Performance/bench-postgres.sh
#
# Knobs: DURATION (10s), THREADS (2), CONNECTIONS (64), TERMAUTH_BIN (skip the build).
set -euo pipefail
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_build termauth
harness_workdir bench-pg ""
if [[ -z ${BENCH_POSTGRES:-} ]]; then
  pg_dir=$(mktemp -d /tmp/termauth-bench-pg.XXXXXX)
  BENCH_POSTGRES=$(bash "$repo/Tests/postgres.sh" start "$pg_dir")
  trap 'bash "$repo/Tests/postgres.sh" stop "$pg_dir"; rm -rf "$pg_dir"; harness_cleanup' EXIT
fi
db="$BENCH_POSTGRES?schema=bench_$(date +%s)"
printf '[security]\npassword_hash_rounds = 1000\n[storage]\napproval_key_file = "%s"\n' "$work/approval.key" >"$cfg"

termauth scope add bench --description "Benchmark scope" >/dev/null
svc=$(termauth client add --name svc --id svc --grant client_credentials --scope bench --introspect --json)
svc_basic=$(basic svc "$(field client_secret <<<"$svc")")
introspected=$(termauth token issue --client svc --scope bench --ttl 86400)

# A second server beside harness_serve's, on the same database.
serve_another() {
  "$TERMAUTH_BIN" serve --db "$db" --config "$cfg" --port 0 --log-level info >"$work/serve2.out" 2>"$work/serve2.log" &
  second_pid=$!
  for _ in $(seq 600); do
    second=$(sed -n 's/^listening on //p' "$work/serve2.out" 2>/dev/null | head -n1)
    [[ -n $second ]] && return 0
    sleep 0.1
  done
  die "second server did not start"
}

harness_serve info
rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
wrk_case() { # OUT URL [options]: one wrk
  local out=$1 url=$2
  shift 2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$out"
}
both() { # NAME PATH [options]: half the connections on each replica, at once; prints the sum
  local name=$1 path=$2
  shift 2
  wrk -t1 -c$((CONNECTIONS / 2)) -d"$DURATION" "$@" "$base$path" >"$work/$name-a.txt" &
  local a=$!
  wrk -t1 -c$((CONNECTIONS / 2)) -d"$DURATION" "$@" "$second$path" >"$work/$name-b.txt"
  wait "$a"
  awk -v a="$(rps "$work/$name-a.txt")" -v b="$(rps "$work/$name-b.txt")" 'BEGIN { printf "%.2f", a + b }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

wrk_case "$work/healthz.txt" "$base/healthz"; sleep 1
TERMAUTH_BASIC=$svc_basic TERMAUTH_SCOPE=bench wrk_case "$work/cc.txt" "$base/token" -s "$here/token_client_credentials.lua"; sleep 1
TERMAUTH_BASIC=$svc_basic TERMAUTH_TOKEN=$introspected wrk_case "$work/introspect.txt" "$base/introspect" -s "$here/introspect.lua"; sleep 1
h1=$(rps "$work/healthz.txt"); cc1=$(rps "$work/cc.txt"); in1=$(rps "$work/introspect.txt")
rss1=$(awk '$1 == "VmHWM:" { printf "%.1f MB", $2 / 1024 }' "/proc/$server_pid/status")

serve_another
h2=$(both healthz /healthz); sleep 1
cc2=$(TERMAUTH_BASIC=$svc_basic TERMAUTH_SCOPE=bench both cc /token -s "$here/token_client_credentials.lua"); sleep 1
in2=$(TERMAUTH_BASIC=$svc_basic TERMAUTH_TOKEN=$introspected both introspect /introspect -s "$here/introspect.lua")
kill -TERM "$second_pid" 2>/dev/null || true

echo
echo "TermAuth on PostgreSQL $(psql "$BENCH_POSTGRES" -Atc 'SHOW server_version' 2>/dev/null), $(nproc) CPUs shared by wrk, servers and PostgreSQL; wrk -c$CONNECTIONS -d$DURATION"
echo
echo "| case | 1 replica req/s | ratio | 2 replicas req/s (sum) | ratio |"
echo "|---|---:|---:|---:|---:|"
echo "| GET /healthz | $h1 | 1.00 | $h2 | 1.00 |"
echo "| POST /token client_credentials | $cc1 | $(ratio "$cc1" "$h1") | $cc2 | $(ratio "$cc2" "$h2") |"
echo "| POST /introspect | $in1 | $(ratio "$in1" "$h1") | $in2 | $(ratio "$in2" "$h2") |"
echo
echo "first server's peak RSS: $rss1; tokens stored: $(psql "$BENCH_POSTGRES" -Atc "SELECT count(*) FROM ${db##*schema=}.tokens" 2>/dev/null)"
