#!/usr/bin/env bash
# browser.sh: runs the headless-Chromium UI test (tests/browser/) against a real server
# holding a fresh demo organisation.
set -u
cd "$(dirname "$0")/../.."
. tests/blackbox/lib.sh
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT

"$ACCORD_BIN" --db "$WORK/ui.db" demo >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
start_server "$WORK/ui.db" || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p tests/out/browser
ACCORD_URL=$URL ACCORD_ADMIN_EMAIL=admin@example.org ACCORD_ADMIN_PASSWORD=accord-demo \
    ACCORD_OUT="$PWD/tests/out/browser" tests/browser/run.sh
