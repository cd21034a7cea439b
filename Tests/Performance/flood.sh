#!/usr/bin/env bash
# Sign-in floods must not starve the server (issue 15, §3): while FLOOD_CONNECTIONS (64)
# connections send wrong passwords through the password grant, GET /healthz and
# client-credentials POST /token keep most of their quiet rate. Measured in one run, with real
# PBKDF2 (210,000 rounds), against a release build:
#
#   quiet     healthz and client credentials alone
#   throttled the same under a flood, default settings (per-user and per-source limits on)
#   hashing   the same under a flood with the limits raised out of reach, so every flooding
#             request asks for a hash: only the hashing pool's bound protects the server
#
# The three cases run ROUNDS times (3), interleaved, and each figure is the median: runs on
# two shared cores vary by ±10 %.
#
# Knobs: DURATION (10s), THREADS (2), CONNECTIONS (32), FLOOD_CONNECTIONS (64), ROUNDS (3),
#        TERMAUTH_BIN (skip the build), KEEP_WORK=1.
set -euo pipefail

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-64}
ROUNDS=${ROUNDS:-3}

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_build termauth

flood_settings() { # EXTRA-SECURITY-LINES
  printf '[security]\n%s\n[lifetimes]\naccess_token = 3600\n' "$1"
}

run_case() { # NAME SETTINGS FLOOD(0|1): prints "name healthz-rps cc-rps flood-rps flood-non2xx"
  local name=$1 settings=$2 flood=$3
  harness_workdir "flood-$name" "$settings"
  termauth scope add bench --description "Benchmark scope" >/dev/null
  local svc legacy
  svc=$(termauth client add --name svc --id svc --grant client_credentials --scope bench --json)
  legacy=$(termauth client add --name legacy --id legacy --grant password --scope bench --json 2>/dev/null)
  echo 'a right password' | termauth user add alice --password-stdin >/dev/null
  local svc_basic legacy_basic
  svc_basic=$(basic svc "$(field client_secret <<<"$svc")")
  legacy_basic=$(basic legacy "$(field client_secret <<<"$legacy")")
  harness_serve warning
  local flood_pid=""
  if ((flood)); then
    TERMAUTH_BASIC=$legacy_basic wrk -t1 -c"$FLOOD_CONNECTIONS" -d600s -s "$here/password_flood.lua" "$base/token" >"$work/flood.txt" 2>&1 &
    flood_pid=$!
    sleep 3 # the flood reaches its steady state (throttles engaged, hashing queue full)
  fi
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$base/healthz" >"$work/healthz.txt"
  TERMAUTH_BASIC=$svc_basic TERMAUTH_SCOPE=bench wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$here/token_client_credentials.lua" "$base/token" >"$work/cc.txt"
  local flood_rps="-" flood_bad="-"
  if [[ -n $flood_pid ]]; then
    kill -INT "$flood_pid" 2>/dev/null || true
    wait "$flood_pid" 2>/dev/null || true
    flood_rps=$(awk '/^Requests\/sec:/ { print $2 }' "$work/flood.txt")
    flood_bad=$(awk -F': *' '/Non-2xx or 3xx responses/ { n = $2 } END { print n + 0 }' "$work/flood.txt")
  fi
  echo "$name $(awk '/^Requests\/sec:/ { print $2 }' "$work/healthz.txt") $(awk '/^Requests\/sec:/ { print $2 }' "$work/cc.txt") $flood_rps $flood_bad"
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  [[ -n ${KEEP_WORK:-} ]] || rm -rf "$work"
}

unlimited=$'max_failed_logins = 1000\nmax_failed_logins_per_source = 1000000'
rounds=$(
  for _ in $(seq "$ROUNDS"); do
    run_case quiet "$(flood_settings "")" 0
    run_case throttled "$(flood_settings "")" 1
    run_case hashing "$(flood_settings "$unlimited")" 1
  done
)
echo "$rounds" >&2
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
results=$(for name in quiet throttled hashing; do
  echo "$name $(for col in 2 3 4 5; do awk -v n="$name" -v c="$col" '$1 == n { print $c }' <<<"$rounds" | median; done | tr '\n' ' ')"
done)
quiet_h=$(awk '$1 == "quiet" { print $2 }' <<<"$results")
quiet_c=$(awk '$1 == "quiet" { print $3 }' <<<"$results")
printf '%-10s %12s %8s %12s %8s %12s %12s\n' case "healthz/s" "of quiet" "cc token/s" "of quiet" "flood req/s" "flood non-2xx"
while read -r name h c f bad; do
  printf '%-10s %12.0f %7.0f%% %12.0f %7.0f%% %12s %12s\n' "$name" "$h" "$(awk -v a="$h" -v b="$quiet_h" 'BEGIN { print 100 * a / b }')" \
    "$c" "$(awk -v a="$c" -v b="$quiet_c" 'BEGIN { print 100 * a / b }')" "$f" "$bad"
done <<<"$results"
