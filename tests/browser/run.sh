#!/bin/sh
# Run the accord browser test in headless Chromium (Debian's /usr/bin/chromium).
# It does not start the server: the caller does, and passes
#   ACCORD_URL             e.g. http://127.0.0.1:18123
#   ACCORD_ADMIN_EMAIL     an administrator's e-mail (demo: admin@example.org)
#   ACCORD_ADMIN_PASSWORD  their password (demo: accord-demo)
#   ACCORD_OUT             a directory for the screenshots
set -eu
cd "$(dirname "$0")"
if [ ! -d node_modules/playwright-core ]; then
	npm ci --no-audit --no-fund >&2
fi
: "${ACCORD_URL:?set ACCORD_URL to the running server, e.g. http://127.0.0.1:18123}"
export ACCORD_URL
export ACCORD_ADMIN_EMAIL="${ACCORD_ADMIN_EMAIL:-admin@example.org}"
export ACCORD_ADMIN_PASSWORD="${ACCORD_ADMIN_PASSWORD:-accord-demo}"
export ACCORD_OUT="${ACCORD_OUT:-$PWD/out}"
exec node ui.test.mjs
