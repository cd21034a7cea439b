# Sourced by bench.sh and soak.sh: the release binary, a throw-away work directory with a
# database and settings, and a server on a free port that is stopped on exit.
# After `harness_serve`: $base is the server's URL and $server_pid its process.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() { echo "$(basename "$0"): $*" >&2; exit 1; }
for tool in wrk curl python3 base64; do command -v "$tool" >/dev/null || die "$tool is not installed"; done

# harness_build PRODUCT...: release-builds the products unless TERMAUTH_BIN is given.
harness_build() {
  if [[ -z ${TERMAUTH_BIN:-} ]]; then
    echo "building (release)..." >&2
    local product
    for product in "$@"; do (cd "$repo" && swift build -c release --product "$product" >&2); done
    TERMAUTH_BIN="$(cd "$repo" && swift build -c release --show-bin-path)/termauth"
  fi
}

# harness_workdir NAME SETTINGS: $work, $db and $cfg (SETTINGS is the TOML text).
harness_workdir() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/termauth-$1.XXXXXX")
  db=$work/termauth.sqlite3
  cfg=$work/termauth.toml
  printf '%s' "$2" >"$cfg"
  server_pid=""
  trap harness_cleanup EXIT
}

harness_cleanup() {
  local status=$?
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n ${KEEP_WORK:-} ]]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
  exit "$status"
}

termauth() { "$TERMAUTH_BIN" "$@" --db "$db" --config "$cfg"; }
field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
basic() { printf '%s:%s' "$1" "$2" | base64 | tr -d '\n'; }

# harness_serve LOG_LEVEL: starts the server and waits for its "listening on" line.
harness_serve() {
  "$TERMAUTH_BIN" serve --db "$db" --config "$cfg" --port 0 --log-level "$1" >"$work/serve.out" 2>"$work/serve.log" &
  server_pid=$!
  base=""
  for _ in $(seq 600); do
    base=$(sed -n 's/^listening on //p' "$work/serve.out" 2>/dev/null | head -n1)
    [[ -n $base ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || { tail -n 30 "$work/serve.log" >&2; die "server exited"; }
    sleep 0.1
  done
  die "server did not announce its port"
}
