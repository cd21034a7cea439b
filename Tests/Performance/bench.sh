#!/usr/bin/env bash
# Throughput of TermAuth's hottest paths, measured with wrk.
#
#   bash Tests/Performance/bench.sh
#
# Builds the release binary (skip with TERMAUTH_BIN=/path/to/termauth), serves
# a fresh temporary database on a free port and compares POST /token
# (client_credentials) with GET /healthz, the cost of the HTTP stack alone.
# wrk and the server share the machine, so read ratios, not absolute numbers.
#
# Knobs: DURATION (10s), THREADS (2), CONNECTIONS (64), SCOPE (bench),
#        WARMUP (unset: none; e.g. 2s), KEEP_WORK=1 keeps logs and wrk output.
set -euo pipefail

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
SCOPE=${SCOPE:-bench}
WARMUP=${WARMUP:-}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

die() { echo "bench.sh: $*" >&2; exit 1; }
for tool in wrk curl python3 base64; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done

if [[ -z ${TERMAUTH_BIN:-} ]]; then
  echo "building termauth (release)..." >&2
  (cd "$repo" && swift build -c release --product termauth >&2)
  TERMAUTH_BIN="$(cd "$repo" && swift build -c release --show-bin-path)/termauth"
fi
[[ -x $TERMAUTH_BIN ]] || die "no executable at $TERMAUTH_BIN"

work=$(mktemp -d "${TMPDIR:-/tmp}/termauth-bench.XXXXXX")
db=$work/termauth.sqlite3
cfg=$work/termauth.toml
server_pid=""

cleanup() {
  local status=$?
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n ${KEEP_WORK:-} ]]; then
    echo "work directory kept: $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Same settings as the end-to-end tests; nothing here hashes user passwords,
# and client secrets use a fast keyed hash by design.
cat >"$cfg" <<'EOF'
[security]
password_hash_rounds = 1000
EOF

termauth() { "$TERMAUTH_BIN" "$@" --db "$db" --config "$cfg"; }

json_field() { # json_field KEY  (JSON object on stdin)
  python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# Register before serving, so the server never races the CLI creating the schema.
termauth scope add "$SCOPE" --description "Benchmark scope" >/dev/null
client_json=$(termauth client add --name bench --redirect-uri http://127.0.0.1/callback \
  --grant client_credentials --scope "$SCOPE" --json)
client_id=$(json_field client_id <<<"$client_json")
client_secret=$(json_field client_secret <<<"$client_json")

"$TERMAUTH_BIN" serve --db "$db" --config "$cfg" --host 127.0.0.1 --port 0 \
  >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!

base=""
for _ in $(seq 600); do # up to 60 s
  # Wait for a complete first line, not a partly written one.
  if [[ -s $work/serve.out ]] && (( $(wc -l <"$work/serve.out") >= 1 )); then
    line=$(head -n1 "$work/serve.out")
    [[ $line =~ listening\ on\ (http://[^[:space:]]+) ]] ||
      die "unexpected first line from serve: $line"
    base=${BASH_REMATCH[1]%/}
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || { tail -n 30 "$work/serve.log" >&2; die "server exited"; }
  sleep 0.1
done
[[ -n $base ]] || { tail -n 30 "$work/serve.log" >&2; die "server did not announce its port"; }

# Check both cases answer 200 before measuring; wrk counts errors as speed.
status=$(curl -s -o "$work/healthz.body" -w '%{http_code}' "$base/healthz")
[[ $status == 200 ]] || die "GET /healthz answered $status: $(cat "$work/healthz.body")"
status=$(curl -s -o "$work/token.body" -w '%{http_code}' -u "$client_id:$client_secret" \
  --data-urlencode grant_type=client_credentials --data-urlencode "scope=$SCOPE" "$base/token")
[[ $status == 200 ]] || die "POST /token answered $status: $(cat "$work/token.body")"
grep -q '"access_token"' "$work/token.body" || die "POST /token gave no access_token: $(cat "$work/token.body")"

TERMAUTH_BASIC=$(printf '%s:%s' "$client_id" "$client_secret" | base64 | tr -d '\n')
export TERMAUTH_BASIC TERMAUTH_SCOPE=$SCOPE
token_script=$here/token_client_credentials.lua

run_wrk() { # run_wrk NAME URL [wrk options...]
  local name=$1 url=$2
  shift 2
  if [[ -n $WARMUP ]]; then
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$@" "$url" >/dev/null
  fi
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$work/wrk-$name.txt"
  sleep 1 # let the server settle between cases
}

echo "measuring ${DURATION} per case, ${THREADS} threads, ${CONNECTIONS} connections..." >&2
run_wrk healthz "$base/healthz"
run_wrk token "$base/token" -s "$token_script"

rps() { awk '/^Requests\/sec:/ { print $2 }' "$work/wrk-$1.txt"; }
percentile() { awk -v p="$2%" '$1 == p { print $2 }' "$work/wrk-$1.txt"; }
non2xx() { awk -F': *' '/Non-2xx or 3xx responses/ { n = $2 } END { print n + 0 }' "$work/wrk-$1.txt"; }
socket_errors() {
  awk -F': *' '/Socket errors/ { s = $2 } END { print (s == "" ? "none" : s) }' "$work/wrk-$1.txt"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
proc_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$server_pid/status" 2>/dev/null; }
mb() { awk -v kb="${1:-0}" 'BEGIN { printf "%.1f MB", kb / 1024 }'; }

healthz_rps=$(rps healthz)
token_rps=$(rps token)
[[ -n $healthz_rps && -n $token_rps ]] || {
  cat "$work"/wrk-*.txt >&2
  die "could not read wrk results"
}

row() { # row LABEL NAME
  local r
  r=$(rps "$2")
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$r" "$(percentile "$2" 50)" \
    "$(percentile "$2" 99)" "$(ratio "$r" "$healthz_rps")" "$(non2xx "$2")" "$(socket_errors "$2")"
}

echo
echo "TermAuth, wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $(nproc) CPUs ($TERMAUTH_BIN)"
echo
echo "| case | req/s | p50 | p99 | ratio to healthz | non-2xx | socket errors |"
echo "|---|---:|---:|---:|---:|---:|---|"
row "GET /healthz" healthz
row "POST /token client_credentials" token
echo
echo "server memory after the runs: VmRSS $(mb "$(proc_kb VmRSS)"), peak VmHWM $(mb "$(proc_kb VmHWM)")"

bad=$(( $(non2xx healthz) + $(non2xx token) ))
if (( bad > 0 )); then
  echo >&2
  echo "bench.sh: $bad responses were not 2xx/3xx; the numbers above measure errors too" >&2
  [[ -n ${KEEP_WORK:-} ]] || echo "bench.sh: rerun with KEEP_WORK=1 to keep serve.log" >&2
  exit 1
fi
