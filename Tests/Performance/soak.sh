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

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() { echo "soak.sh: $*" >&2; exit 1; }
for tool in wrk curl python3 base64; do command -v "$tool" >/dev/null || die "$tool is not installed"; done

if [[ -z ${TERMAUTH_BIN:-} ]]; then
  echo "building (release)..." >&2
  (cd "$repo" && swift build -c release --product termauth >&2)
  TERMAUTH_BIN="$(cd "$repo" && swift build -c release --show-bin-path)/termauth"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/termauth-soak.XXXXXX")
db=$work/termauth.sqlite3
cfg=$work/termauth.toml
server_pid=""
cleanup() {
  local status=$?
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

printf '[security]\npassword_hash_rounds = 1000\n' >"$cfg"
termauth() { "$TERMAUTH_BIN" "$@" --db "$db" --config "$cfg"; }
termauth scope add soak --description "Soak scope" >/dev/null
svc=$(termauth client add --name svc --id svc --grant client_credentials --scope soak --json)
secret=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["client_secret"])' <<<"$svc")
export TERMAUTH_BASIC=$(printf 'svc:%s' "$secret" | base64 | tr -d '\n') TERMAUTH_SCOPE=soak TERMAUTH_SCRIPT_DIR=$here

"$TERMAUTH_BIN" serve --db "$db" --config "$cfg" --port 0 --log-level warning >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!
base=""
for _ in $(seq 600); do
  base=$(sed -n 's/^listening on //p' "$work/serve.out" 2>/dev/null | head -n1)
  [[ -n $base ]] && break
  kill -0 "$server_pid" 2>/dev/null || { tail -n 30 "$work/serve.log" >&2; die "server exited"; }
  sleep 0.1
done
[[ -n $base ]] || die "server did not announce its port"

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
