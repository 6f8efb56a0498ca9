#!/bin/sh
# deps.sh: installs what accord needs on Debian 12 (only what is missing).
#   scripts/deps.sh          build and run: compiler, pkg-config, the six libraries
#   scripts/deps.sh --test   also the test tools: clang-format, curl, sqlite3, Perl's
#                            Set::IntSpan (calendar oracle), Chromium and Node (browser test),
#                            Python's aiosmtpd and openssl (the notification test's SMTP server
#                            and its certificate)
set -eu
cd "$(dirname "$0")/.."

pkgs="build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libical-dev libcurl4-openssl-dev"
if [ "${1:-}" = "--test" ]; then
    pkgs="$pkgs clang-format curl sqlite3 libset-intspan-perl chromium nodejs npm python3-aiosmtpd openssl"
elif [ -n "${1:-}" ]; then
    echo "usage: scripts/deps.sh [--test]" >&2
    exit 2
fi

missing=""
for p in $pkgs; do
    # nodejs/npm may come from elsewhere than Debian (the base image has them): accept those.
    case $p in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done

if [ -n "$missing" ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "deps: installing$missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
else
    echo "deps: all Debian packages present"
fi

if [ "${1:-}" = "--test" ] && [ ! -d tests/browser/node_modules ]; then
    echo "deps: installing the browser test's Node packages (tests/browser/package-lock.json)"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
