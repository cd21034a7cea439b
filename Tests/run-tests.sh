#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set up, check formatting (.swift-format),
# build, unit and HTTP tests (swift test) on SQLite and on a throw-away PostgreSQL
# cluster, then the black-box end-to-end tests against the real binary with Authlib
# and git-credential-oauth as clients (the replica tests on PostgreSQL).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

bash Tests/setup.sh

# Formatting first: a violation of .swift-format fails the run before anything is built.
swift format lint --strict --recursive --parallel --configuration .swift-format Sources Tests Package.swift

# PostgreSQL for this run only, unless the caller names one (TERMAUTH_TEST_POSTGRES=url).
if [[ -z ${TERMAUTH_TEST_POSTGRES:-} ]]; then
  pg_dir=$(mktemp -d /tmp/termauth-pg.XXXXXX)
  trap 'bash "$repo/Tests/postgres.sh" stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
  TERMAUTH_TEST_POSTGRES=$(bash Tests/postgres.sh start "$pg_dir")
  export TERMAUTH_TEST_POSTGRES TERMAUTH_TEST_POSTGRES_DIR=$pg_dir
fi
echo "run-tests: PostgreSQL at $TERMAUTH_TEST_POSTGRES" >&2

swift build --build-tests
swift test --skip-build
TERMAUTH_BIN="$repo/.build/debug/termauth" .build-venv/bin/python -m pytest -p no:cacheprovider Tests/EndToEndTests -q -rs
