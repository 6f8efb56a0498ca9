#!/usr/bin/env bash
# run.sh: runs test suites and sums their "N passed, M failed" lines into one.
#   tests/run.sh all                      what `make test` runs: everything, then under SAN=1
#   BUILD=build tests/run.sh unit api ... suites against one build (what `make check` runs)
# Suites: format, unit, api, blackbox, oracle, browser. Output of each goes to tests/out/.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=tests/out
mkdir -p "$OUT"
total_pass=0
total_fail=0

# Adds the last summary line of a suite's output to the totals; a suite that printed
# none (it crashed) counts as one failure.
count() {
    local name=$1 log=$2 status=$3 line p f
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "  $name: no summary (exit $status) -- see $log"
        total_fail=$((total_fail + 1))
        return
    fi
    p=${line%% passed*}
    f=${line#*passed, }
    f=${f%% failed*}
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        line="$line (but exit $status)"
    fi
    echo "  $name: $line"
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
}

suite() {
    local name=$1
    shift
    local log="$OUT/$BUILD-$name.log"
    "$@" >"$log" 2>&1
    local status=$?
    count "$BUILD $name" "$log" "$status"
    if [ "$status" -ne 0 ]; then
        grep -E 'FAIL|not ok|ERROR|error|Sanitizer|failed' "$log" | head -n 20 | sed 's/^/    /'
    fi
}

run_api() {
    "$BUILD/tests/api_test" tests/api/cases
}

# Every tests/blackbox/*_test.sh, their summaries summed into one for the suite.
run_blackbox() {
    local p=0 f=0 t line status
    for t in tests/blackbox/*_test.sh; do
        echo "== $t"
        ACCORD_BIN="$BUILD/accord" "$t" >"$OUT/$(basename "$t" .sh).$BUILD.log" 2>&1
        status=$?
        cat "$OUT/$(basename "$t" .sh).$BUILD.log"
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$OUT/$(basename "$t" .sh).$BUILD.log" | tail -n 1)
        if [ -z "$line" ]; then
            f=$((f + 1))
            continue
        fi
        p=$((p + ${line%% passed*}))
        line=${line#*passed, }
        f=$((f + ${line%% failed*}))
        [ "$status" -eq 0 ] || [ "${line%% failed*}" -ne 0 ] || f=$((f + 1))
    done
    echo "$p passed, $f failed"
    [ "$f" -eq 0 ]
}

run_oracle() {
    ACCORD_BIN="$BUILD/accord" tests/calendar/oracle.sh
}

run_browser() {
    ACCORD_BIN="$BUILD/accord" tests/blackbox/browser.sh
}

run_format() {
    if make -s format-check; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
}

run_suites() {
    local s
    for s in "$@"; do
        case $s in
        unit) suite unit run_unit_all ;;
        api) suite api run_api ;;
        blackbox) suite blackbox run_blackbox ;;
        oracle) suite oracle run_oracle ;;
        browser) suite browser run_browser ;;
        format) suite format run_format ;;
        *) echo "unknown suite '$s'" >&2; exit 2 ;;
        esac
    done
}

# Unit binaries each print a summary; sum them into one for the suite.
run_unit_all() {
    local p=0 f=0 t line status
    for t in "$BUILD"/tests/*_test; do
        [ "$t" = "$BUILD/tests/api_test" ] && continue
        echo "== $t"
        "$t" >"$OUT/$(basename "$t").$BUILD.log" 2>&1
        status=$?
        cat "$OUT/$(basename "$t").$BUILD.log"
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$OUT/$(basename "$t").$BUILD.log" | tail -n 1)
        if [ -z "$line" ]; then
            f=$((f + 1))
            continue
        fi
        p=$((p + ${line%% passed*}))
        line=${line#*passed, }
        f=$((f + ${line%% failed*}))
        [ "$status" -eq 0 ] || [ "${line%% failed*}" -ne 0 ] || f=$((f + 1))
    done
    echo "$p passed, $f failed"
    [ "$f" -eq 0 ]
}

if [ "${1:-}" = "all" ]; then
    echo "== format, build"
    BUILD=build
    run_suites format
    make -s -j2 all build/tests/api_test $(ls tests/unit/*_test.c | sed 's|tests/unit/|build/tests/|; s|\.c$||') >"$OUT/build.log" 2>&1 ||
        { cat "$OUT/build.log"; echo "0 passed, 1 failed"; exit 1; }
    echo "== tests (build)"
    run_suites unit api blackbox oracle browser
    echo "== build with SAN=1 (ASan + UBSan)"
    make -s -j2 SAN=1 build-san/accord build-san/tests/api_test $(ls tests/unit/*_test.c | sed 's|tests/unit/|build-san/tests/|; s|\.c$||') >"$OUT/build-san.log" 2>&1 ||
        { cat "$OUT/build-san.log"; echo "$total_pass passed, $((total_fail + 1)) failed"; exit 1; }
    BUILD=build-san
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    echo "== tests (build-san)"
    run_suites unit api blackbox oracle browser
else
    [ $# -gt 0 ] || set -- unit api blackbox
    run_suites "$@"
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
