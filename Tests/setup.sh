#!/usr/bin/env bash
# Installs what TermAuth needs on Debian 12 (run as root, or with sudo available):
# the Swift toolchain is assumed present; this adds the C libraries, the tools the
# tests drive, and a Python virtualenv with the reference OAuth client (Authlib).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sudo=""
[[ $(id -u) == 0 ]] || sudo="sudo"

packages=(libncursesw5-dev libsqlite3-dev tmux curl git git-credential-oauth oidc-agent wrk python3 python3-venv postgresql nginx-light openssh-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

venv=$repo/.build-venv
if [[ ! -x $venv/bin/python ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check authlib requests pytest schemathesis openapi-spec-validator "pyjwt[crypto]" oic
