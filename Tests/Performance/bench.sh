#!/usr/bin/env bash
# Throughput of every hot endpoint, measured with wrk against a release build, each as a
# ratio to GET /healthz (the HTTP stack alone) in the same run.
#
#   bash Tests/Performance/bench.sh              # empty database
#   FILLER=1000000 bash Tests/Performance/bench.sh   # then again with a million tokens stored
#
# Knobs: DURATION (10s), THREADS (2), CONNECTIONS (64), DURABILITY (normal | full),
#        CODES (300000), OIDC_CODES (250000), RS_CODES (60000): single-use codes seeded per case,
#        TERMAUTH_BIN (skip the build), KEEP_WORK=1 (keep logs and wrk output).
set -euo pipefail

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURABILITY=${DURABILITY:-normal}
FILLER=${FILLER:-0}
CODES=${CODES:-300000}

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_build termauth termauth-bench-seed
SEED_BIN=${SEED_BIN:-$(dirname "$TERMAUTH_BIN")/termauth-bench-seed}
[[ -x $TERMAUTH_BIN && -x $SEED_BIN ]] || die "need $TERMAUTH_BIN and $SEED_BIN (swift build -c release)"
harness_workdir bench "$(printf '[security]\npassword_hash_rounds = 1000\n[storage]\ndurability = "%s"\n' "$DURABILITY")"

# Register before serving, so the server never races the CLI creating the schema.
termauth scope add bench --description "Benchmark scope" >/dev/null
svc=$(termauth client add --name svc --id svc --grant client_credentials --scope bench --introspect --json)
app=$(termauth client add --name app --id app --redirect-uri http://127.0.0.1/cb --scope bench --json)
svc_basic=$(basic svc "$(field client_secret <<<"$svc")")
app_basic=$(basic app "$(field client_secret <<<"$app")")
introspected=$(termauth token issue --client svc --scope bench --ttl 86400)
# OpenID Connect: code exchanges that return an ID token (ES256, and RS256 for comparison),
# and client credentials with RFC 9068 JWT access tokens (ES256).
es=$(termauth client add --name es --id es --redirect-uri http://127.0.0.1/cb --scope bench --scope openid --id-token-alg ES256 --json)
rs=$(termauth client add --name rs --id rs --redirect-uri http://127.0.0.1/cb --scope bench --scope openid --id-token-alg RS256 --json)
jwt=$(termauth client add --name jwt --id jwt --grant client_credentials --scope bench --access-token-format jwt --json)
es_basic=$(basic es "$(field client_secret <<<"$es")")
rs_basic=$(basic rs "$(field client_secret <<<"$rs")")
jwt_basic=$(basic jwt "$(field client_secret <<<"$jwt")")
# Each single-use case needs more values than it can spend in DURATION (about 16,000 a second
# here for the ES256 exchange); the RS256 one spends a fifth as many.
OIDC_CODES=${OIDC_CODES:-250000}
RS_CODES=${RS_CODES:-60000}

harness_serve info

export TERMAUTH_THREADS=$THREADS
# Waits (up to 15 s) until the server and the machine are idle: a case that follows heavy writes
# would otherwise share the CPU with their checkpoint and write-back, and measure those as well as
# itself. The kernel's write-back of the pages they dirtied is not the server's CPU time, so
# `sync` writes them out first and the whole machine's CPU time is watched too.
settle() {
  local i before machine
  sync
  for i in $(seq 30); do
    before=$(cpu_ticks)
    machine=$(machine_busy_ticks)
    sleep 0.5
    (( $(cpu_ticks) - before <= 2 && $(machine_busy_ticks) - machine <= 5 )) && return 0
  done
  echo "warning: the server or the machine was still busy after 15 s; measuring anyway" >&2
}
# All CPUs' busy time (user, nice, system, irq, softirq) in clock ticks.
machine_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
run_wrk() { # NAME URL [wrk options...]
  local name=$1 url=$2
  shift 2
  settle
  local before
  before=$(cpu_ticks)
  local TIMEFORMAT='%3U %3S'
  # Only `time`'s report goes to the file; wrk's own errors still reach stderr (saved as fd 3).
  { time wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$work/wrk-$name.txt" 2>&3; } 3>&2 2>"$work/wrkcpu-$name.txt"
  echo $(( $(cpu_ticks) - before )) >"$work/cpu-$name.txt"
}
# The server's user + system CPU time in clock ticks: CPU per request does not depend on how
# much of the machine wrk and neighbours took, which req/s does.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
cpu_per_request() { # NAME: microseconds of server CPU per completed request
  awk -v ticks="$(cat "$work/cpu-$1.txt")" -v hz="$(getconf CLK_TCK)" '/ requests in / { n = $1 } END { if (n > 0) printf "%.0f µs", ticks * 1e6 / hz / n; else print "n/a" }' "$work/wrk-$1.txt"
}
wrk_cpu_per_request() { # NAME: the same for wrk, which shares the cores with the server
  awk -v cpu="$(awk '{ print $1 + $2 }' "$work/wrkcpu-$1.txt")" '/ requests in / { n = $1 } END { if (n > 0) printf "%.0f µs", cpu * 1e6 / n; else print "n/a" }' "$work/wrk-$1.txt"
}
rps() { awk '/^Requests\/sec:/ { print $2 }' "$work/wrk-$1.txt"; }
pct() { awk -v p="$2%" '$1 == p { print $2 }' "$work/wrk-$1.txt"; }
non2xx() { awk -F': *' '/Non-2xx or 3xx responses/ { n = $2 } END { print n + 0 }' "$work/wrk-$1.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$server_pid/status"; }
mb() { awk -v kb="${1:-0}" 'BEGIN { printf "%.1f MB", kb / 1024 }'; }

measure() { # SUFFIX: runs every case once
  local s=$1
  run_wrk "healthz$s" "$base/healthz"
  # Before seeding, so on the first pass this is the empty-database figure.
  TERMAUTH_BASIC=$svc_basic TERMAUTH_SCOPE=bench run_wrk "cc$s" "$base/token" -s "$here/token_client_credentials.lua"
  # Each JWT case right after its opaque twin, on the same database: the machine drifts over a run.
  TERMAUTH_BASIC=$jwt_basic TERMAUTH_SCOPE=bench run_wrk "ccjwt$s" "$base/token" -s "$here/token_client_credentials.lua"
  echo "seeding $CODES codes and 200000 refresh tokens..." >&2
  "$SEED_BIN" --db "$db" --client app --codes "$CODES" --refresh 200000 --out "$work" 2>&2
  mkdir -p "$work/es" "$work/rs"
  "$SEED_BIN" --db "$db" --client es --scope "bench openid" --codes "$OIDC_CODES" --out "$work/es" 2>&2
  "$SEED_BIN" --db "$db" --client rs --scope "bench openid" --codes "$RS_CODES" --out "$work/rs" 2>&2
  TERMAUTH_BASIC=$app_basic TERMAUTH_VALUES=$work/codes.txt \
    TERMAUTH_FORM='grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%2Fcb&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' \
    run_wrk "code$s" "$base/token" -s "$here/one_value_per_request.lua"
  TERMAUTH_BASIC=$es_basic TERMAUTH_VALUES=$work/es/codes.txt \
    TERMAUTH_FORM='grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%2Fcb&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' \
    run_wrk "codees$s" "$base/token" -s "$here/one_value_per_request.lua"
  TERMAUTH_BASIC=$rs_basic TERMAUTH_VALUES=$work/rs/codes.txt \
    TERMAUTH_FORM='grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%2Fcb&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' \
    run_wrk "coders$s" "$base/token" -s "$here/one_value_per_request.lua"
  TERMAUTH_BASIC=$app_basic TERMAUTH_VALUES=$work/refresh.txt TERMAUTH_FORM='grant_type=refresh_token&refresh_token=%s' \
    run_wrk "refresh$s" "$base/token" -s "$here/one_value_per_request.lua"
  TERMAUTH_BASIC=$svc_basic TERMAUTH_TOKEN=$introspected run_wrk "introspect$s" "$base/introspect" -s "$here/introspect.lua"
  TERMAUTH_QUERY="response_type=code&client_id=app&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&scope=bench&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256" \
    run_wrk "authorize$s" "$base/authorize" -s "$here/authorize.lua"
}

row() { # LABEL NAME SUFFIX
  local r h
  r=$(rps "$2$3"); h=$(rps "healthz$3")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$r" "$(pct "$2$3" 50)" "$(pct "$2$3" 99)" "$(ratio "$r" "$h")" \
    "$(cpu_per_request "$2$3")" "$(wrk_cpu_per_request "$2$3")" "$(non2xx "$2$3")"
}
table() { # SUFFIX TITLE
  echo
  echo "$2"
  echo
  echo "| case | req/s | p50 | p99 | ratio to healthz | server CPU per request | wrk CPU per request | non-2xx |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  row "GET /healthz" healthz "$1"
  row "POST /token client_credentials" cc "$1"
  row "POST /token authorization_code" code "$1"
  row "POST /token refresh_token (rotation)" refresh "$1"
  row "POST /introspect" introspect "$1"
  row "GET /authorize (browser page; past the bounds, 503)" authorize "$1"
  row "POST /token client_credentials, JWT access token (ES256)" ccjwt "$1"
  row "POST /token authorization_code + ID token (ES256)" codees "$1"
  row "POST /token authorization_code + ID token (RS256)" coders "$1"
  local spent
  for spent in code refresh codees coders; do
    (( $(non2xx "$spent$1") == 0 )) || echo "warning: the $spent case ran out of single-use values and measured refusals too; raise CODES, OIDC_CODES or RS_CODES, or shorten DURATION" >&2
  done
}

echo "measuring ${DURATION} per case, wrk -t$THREADS -c$CONNECTIONS, durability $DURABILITY..." >&2
measure ""
table "" "TermAuth on $(nproc) CPUs, empty database, durability $DURABILITY"
echo
echo "server memory: VmRSS $(mb "$(kb VmRSS)"), peak VmHWM $(mb "$(kb VmHWM)"); database $(du -sh "$db" | cut -f1) (+WAL $(du -sh "$db-wal" 2>/dev/null | cut -f1))"

if (( FILLER > 0 )); then
  echo "seeding $FILLER filler tokens..." >&2
  "$SEED_BIN" --db "$db" --client svc --filler "$FILLER" --out "$work" 2>&2
  measure "-full"
  table "-full" "Again with $FILLER more tokens stored"
  echo
  echo "server memory: VmRSS $(mb "$(kb VmRSS)"), peak VmHWM $(mb "$(kb VmHWM)"); database $(du -sh "$db" | cut -f1)"
fi
