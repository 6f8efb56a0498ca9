#!/usr/bin/env bash
# oracle.sh: compares `accord calendar due --batch` with the business-hours oracle in --spec mode.
#
#   tests/calendar/oracle.sh            (ACCORD_BIN=./accord, ACCORD_ORACLES=../shared/oracles)
#
# Runs ../shared/oracles/check.sh --spec on generated cases: seeds 1, 2 and 3 with 1000 cases
# each, and seed 1 again with --offset (answers carry their UTC offset, so the two instants of
# a fall-back overlap are told apart): 4000 cases. Needs Perl's Set::IntSpan
# (apt-get install libset-intspan-perl). The last line is the sum, "N passed, M failed"
# (", K skipped" when the oracle has no answer for some); exit status 1 on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
oracles="${ACCORD_ORACLES:-$here/../../../shared/oracles}"
bin="${ACCORD_BIN:-./accord}"
n="${ORACLE_CASES:-1000}"
passed=0 failed=0 skipped=0

finish() {
    local tail=""
    [ "$skipped" -gt 0 ] && tail=", $skipped skipped"
    echo "$passed passed, $failed failed$tail"
    [ "$failed" -eq 0 ]
    exit $?
}

if [ ! -x "$oracles/check.sh" ]; then
    echo "oracle.sh: no check.sh in $oracles (set ACCORD_ORACLES)" >&2
    failed=1
    finish
fi
if [ ! -x "$bin" ]; then
    echo "oracle.sh: no accord binary at $bin (set ACCORD_BIN)" >&2
    failed=1
    finish
fi
if ! perl -MSet::IntSpan -e 1 2>/dev/null; then
    echo "oracle.sh: Perl's Set::IntSpan is missing: apt-get install libset-intspan-perl" >&2
    failed=1
    finish
fi

sut="$(printf '%q' "$bin") calendar due --batch"

# run LABEL CHECK-ARGS... : one check.sh run, its summary added to the totals
run() {
    local label="$1" out last p f s
    shift
    out="$("$oracles/check.sh" --spec -n "$n" --show 20 "$@" 2>&1)"
    last="$(printf '%s\n' "$out" | tail -n 1)"
    if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
        p="${BASH_REMATCH[1]}" f="${BASH_REMATCH[2]}" s="${BASH_REMATCH[4]:-0}"
    else
        p=0 f=1 s=0
    fi
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    if [ "$f" -gt 0 ]; then
        printf '%s\n' "$out" | sed "s/^/  [$label] /" | grep -v '^  \[[^]]*\] SKIP' | tail -n 40
    fi
    echo "$label: $last"
}

run "seed 1" -s 1 "$sut"
run "seed 2" -s 2 "$sut"
run "seed 3" -s 3 "$sut"
run "seed 1 --offset" -s 1 --offset "$sut --offset"
finish
