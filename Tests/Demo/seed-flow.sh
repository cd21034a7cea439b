#!/usr/bin/env bash
# The seed's eight steps of the Authorization Code grant, for real, headless:
# a throw-away server, a client app played by curl, a person played by
# `termauth approve`, and the built-in resource server.
#
#   bash Tests/Demo/seed-flow.sh        (KEEP=1 leaves the server running)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

bold=$'\e[1m'; dim=$'\e[2m'; off=$'\e[0m'
[[ -t 1 && -z ${NO_COLOR:-} ]] || { bold=""; dim=""; off=""; }
step() { printf '\n%s%s%s  %s(%s)%s\n' "$bold" "$1" "$off" "$dim" "$2" "$off"; }
show() { printf '   %s\n' "$@"; }
short() { local s=$1; ((${#s} > 16)) && s="${s:0:10}…${s: -4}"; printf '%s' "$s"; }
json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

if [[ -z ${TERMAUTH_BIN:-} ]]; then
  echo "building termauth…" >&2
  swift build --product termauth >&2
  TERMAUTH_BIN=$repo/.build/debug/termauth
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/termauth-seed.XXXXXX")
ta() { "$TERMAUTH_BIN" "$@" --db "$work/termauth.db"; }
server=""
cleanup() {
  if [[ -z ${KEEP:-} ]]; then
    if [[ -n $server ]]; then
      kill "$server" 2>/dev/null || true
      wait "$server" 2>/dev/null || true # the server exits 143 on SIGTERM; that is its normal end
    fi
    rm -rf "$work"
  fi
  return 0
}
trap cleanup EXIT

printf '%sSetting up%s: a scope, a client application and a user (password shown for the demo).\n' "$bold" "$off"
ta scope add profile --description "Read your profile" >/dev/null
ta scope add email --description "Read your email address" --translation zh=读取你的电子邮件地址 >/dev/null
client=$(ta client add --name "Seed demo app" --id seed-app --redirect-uri http://127.0.0.1/callback --scope profile --scope email --json)
secret=$(json client_secret <<<"$client")
echo 'correct horse battery' | ta user add alice --display-name "Alice" --password-stdin >/dev/null
show "client seed-app, secret $(short "$secret")" "user alice / correct horse battery"

ta serve --port 0 >"$work/serve.out" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/serve.out")
show "authorization server and resource server at $base"

step "1 access application" "resource owner → application"
show "alice starts the app; it prepares PKCE and a state value"
verifier=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
challenge=$(printf %s "$verifier" | python3 -c 'import sys,hashlib,base64; print(base64.urlsafe_b64encode(hashlib.sha256(sys.stdin.buffer.read()).digest()).rstrip(b"=").decode())')
state=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
redirect="http://127.0.0.1:8765/callback"
url="$base/authorize?response_type=code&client_id=seed-app&redirect_uri=$redirect&scope=profile%20email&state=$state&code_challenge=$challenge&code_challenge_method=S256"

step "2 authenticate, request authorization" "application → authorization server"
show "GET /authorize?response_type=code&client_id=seed-app&scope=profile email&code_challenge=$(short "$challenge")…"
curl -s -o /dev/null -w '%{http_code} %{redirect_url}\n' "$url" >"$work/authorize.out" &
poll=$!
for _ in $(seq 100); do
  code=$(ta requests list --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["approval_code"] if r else "")')
  [[ -n $code ]] && break; sleep 0.1
done
show "the request is parked; the person approves approval code $code"

step "3 grant authorization" "resource owner → authorization server"
show "\$ termauth approve $code --user alice --password-stdin --yes"
echo 'correct horse battery' | ta approve "$code" --user alice --password-stdin --yes 2>&1 | sed 's/^/   /'

step "4 send authorization code" "authorization server → application"
wait "$poll"
read -r status location <"$work/authorize.out"
authcode=$(python3 -c 'import sys,urllib.parse as u; print(u.parse_qs(u.urlparse(sys.argv[1]).query)["code"][0])' "$location")
returned=$(python3 -c 'import sys,urllib.parse as u; print(u.parse_qs(u.urlparse(sys.argv[1]).query)["state"][0])' "$location")
show "$status Location: $redirect?code=$(short "$authcode")&state=$returned"
[[ $returned == "$state" ]] && show "state matches what the app sent"

step "5 exchange code for token" "application → authorization server"
show "POST /token grant_type=authorization_code code=$(short "$authcode") code_verifier=$(short "$verifier")"
tokens=$(curl -s -u "seed-app:$secret" -d grant_type=authorization_code -d "code=$authcode" \
  --data-urlencode "redirect_uri=$redirect" -d "code_verifier=$verifier" "$base/token")

step "6 issue access token" "authorization server → application"
access=$(json access_token <<<"$tokens")
show "200 access_token=$(short "$access") refresh_token=$(short "$(json refresh_token <<<"$tokens")") expires_in=$(json expires_in <<<"$tokens") scope=\"$(json scope <<<"$tokens")\""

step "7 request resource with token" "application → resource server"
show "GET /resource  Authorization: Bearer $(short "$access")"

step "8 return resource" "resource server → application"
curl -s -H "Authorization: Bearer $access" "$base/resource" | python3 -m json.tool | sed 's/^/   /'

printf '\n%sThe code is single use:%s presenting it again gives ' "$bold" "$off"
curl -s -u "seed-app:$secret" -d grant_type=authorization_code -d "code=$authcode" \
  --data-urlencode "redirect_uri=$redirect" -d "code_verifier=$verifier" "$base/token" | json error
if [[ -n ${KEEP:-} ]]; then echo "server still running at $base (pid $server), database $work/termauth.db"; fi
