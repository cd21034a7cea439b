#!/usr/bin/env bash
# Soak: measure the peak client-credentials rate, then hold about half of it for
# SOAK_MINUTES (10) against a release build, reporting per 30 s slice the rate held,
# errors (non-2xx and socket errors), server RSS and database size. Not run in CI.
#
#   bash Tests/Performance/soak.sh
#
# Knobs: SOAK_MINUTES (10), SLICE (30), CONNECTIONS (64), TERMAUTH_BIN (skip the build).
set -euo pipefail

SOAK_MINUTES=${SOAK_MINUTES:-10}
SLICE=${SLICE:-30}
CONNECTIONS=${CONNECTIONS:-64}

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_build termauth
harness_workdir soak $'[security]\npassword_hash_rounds = 1000\n'

termauth scope add soak --description "Soak scope" >/dev/null
svc=$(termauth client add --name svc --id svc --grant client_credentials --scope soak --json)
export TERMAUTH_BASIC=$(basic svc "$(field client_secret <<<"$svc")") TERMAUTH_SCOPE=soak TERMAUTH_SCRIPT_DIR=$here
harness_serve warning

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$server_pid/status"; }
db_mb() { du -cm "$db"* | awk 'END { print $1 }'; }
errors() { # wrk output file -> non-2xx + socket errors
  awk -F'[:, ]+' '/Non-2xx or 3xx responses/ { n += $NF } /Socket errors/ { n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$1"
}

wrk -t2 -c64 -d10s -s "$here/token_client_credentials.lua" "$base/token" >"$work/peak.txt"
peak=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' "$work/peak.txt")
target=$((peak / 2))
# Each connection waits delay + latency per request, so calibrate: one short paced run
# gives the latency at this load, and the delay is shortened by it.
delay_ms=$(python3 -c "print(max(1, round($CONNECTIONS * 1000 / $target)))")
export TERMAUTH_DELAY_MS=$delay_ms
wrk -t2 -c"$CONNECTIONS" -d10s -s "$here/paced.lua" "$base/token" >"$work/calibrate.txt"
calibrated=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' "$work/calibrate.txt")
delay_ms=$(python3 -c "
latency = $CONNECTIONS * 1000 / max(1, $calibrated) - $delay_ms
print(max(1, round($CONNECTIONS * 1000 / $target - latency)))")
export TERMAUTH_DELAY_MS=$delay_ms
echo "peak $peak req/s (wrk -t2 -c64, $(errors "$work/peak.txt") errors); holding ~$target req/s for $SOAK_MINUTES min" \
  "($CONNECTIONS connections, ${delay_ms} ms apart); RSS $(rss_mb) MB"
printf '| minute | req/s held | errors | p99 | server RSS | database |\n|---:|---:|---:|---:|---:|---:|\n'

slices=$((SOAK_MINUTES * 60 / SLICE))
total_errors=0
total_requests=0
for i in $(seq "$slices"); do
  kill -0 "$server_pid" 2>/dev/null || die "the server died during slice $i"
  wrk -t2 -c"$CONNECTIONS" -d"${SLICE}s" --latency -s "$here/paced.lua" "$base/token" >"$work/slice.txt"
  held=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' "$work/slice.txt")
  count=$(awk '/requests in/ { print $1 }' "$work/slice.txt")
  errs=$(errors "$work/slice.txt")
  p99=$(awk '$1 == "99%" { print $2 }' "$work/slice.txt")
  total_errors=$((total_errors + errs))
  total_requests=$((total_requests + count))
  printf '| %.1f | %s | %s | %s | %s MB | %s MB |\n' "$(python3 -c "print($i * $SLICE / 60)")" "$held" "$errs" "$p99" "$(rss_mb)" "$(db_mb)"
done
echo "total: $total_requests requests, $total_errors errors; server still answering: $(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")"
[[ $total_errors == 0 ]]
