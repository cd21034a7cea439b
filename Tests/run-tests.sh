#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set up, build, unit and HTTP tests
# (swift test), then the black-box end-to-end tests against the real binary with
# Authlib and git-credential-oauth as clients.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

bash Tests/setup.sh
swift build --build-tests
swift test --skip-build
TERMAUTH_BIN="$repo/.build/debug/termauth" .build-venv/bin/python -m pytest -p no:cacheprovider Tests/EndToEndTests -q -rs
