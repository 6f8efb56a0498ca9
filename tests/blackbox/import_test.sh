#!/usr/bin/env bash
# import_test.sh: black-box tests of `accord import requests` on a fresh demo database: usage
# and exit statuses, a good file and its second import, bad rows with line and column, nothing
# stored unless --skip-bad, --dry-run, standard input, the progress line, and the demo history.
set -u
cd "$(dirname "$0")/../.."
. tests/blackbox/lib.sh
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DB="$WORK/import.db"
A=("$ACCORD_BIN" --db "$DB")

"${A[@]}" demo >"$WORK/demo.out" 2>&1
check "demo creates the organisation" test $? -eq 0
check "demo says how many requests it made" grep -q "^  requests  *[0-9][0-9]* of the past six weeks$" "$WORK/demo.out"

q() { sqlite3 "$DB" "$1"; }

check "the demo history holds a few hundred imported requests" \
    test "$(q "SELECT COUNT(*) FROM request WHERE imported = 1")" -ge 200
check "some of them breached and escalated" \
    bash -c "test \"\$(sqlite3 '$DB' 'SELECT COUNT(*) FROM request WHERE resolution_met = 0')\" -gt 0 &&
             test \"\$(sqlite3 '$DB' 'SELECT COUNT(*) FROM request_escalation')\" -gt 0"
check "some were reopened, some waited for missing information, some are still open" \
    bash -c "test \"\$(sqlite3 '$DB' 'SELECT COUNT(*) FROM request WHERE reopen_count > 0')\" -gt 0 &&
             test \"\$(sqlite3 '$DB' 'SELECT COUNT(*) FROM request WHERE missing_info_count > 0')\" -gt 0 &&
             test \"\$(sqlite3 '$DB' \"SELECT COUNT(*) FROM request WHERE status NOT IN ('closed', 'resolved')\")\" -gt 0"
check "history notified nobody" test "$(q "SELECT COUNT(*) FROM outbox")" -eq 0

# run NAME STATUS CMD...: runs an accord command into $WORK/out and $WORK/err; ok on STATUS.
run() {
    local name=$1 want=$2 got
    shift 2
    "${A[@]}" "$@" >"$WORK/out" 2>"$WORK/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok "$name"; else fail "$name" "exit $got, want $want: $(head -c 300 "$WORK/err")"; fi
}

# --- usage ---
"$ACCORD_BIN" import --help >"$WORK/help.out" 2>&1
check "accord import --help exits 0 and says usage" grep -qi "^usage: accord .*import requests FILE.csv" "$WORK/help.out"
check "the help names the columns and docs/import.md" grep -q "docs/import.md" "$WORK/help.out"
"$ACCORD_BIN" --help | grep -q "^  import "
check "accord --help names import" test $? -eq 0
run "import without a kind exits 2" 2 import
run "import of an unknown kind exits 2" 2 import widgets x.csv
run "import requests without a file exits 2" 2 import requests
run "an unknown option exits 2" 2 import requests x.csv --force
run "a missing file exits 1" 1 import requests "$WORK/nope.csv"
check "and says it cannot open it" grep -q "cannot open" "$WORK/err"

# --- a good file ---
LAPTOP=$(q "SELECT c.id FROM contract c JOIN service s ON s.id = c.service_id WHERE s.name = 'Laptop request'")
T0=$(( $(date +%s) / 3600 * 3600 - 10 * 86400 ))
ts() { date -u -d "@$(( T0 + $1 ))" +%Y-%m-%dT%H:%M:%SZ; }
HEADER="contract,external_id,title,requester,created,first_response,waiting,resolved,reopened,closed,comments"
{
    echo "$HEADER"
    echo "$LAPTOP,BB-1,\"Laptop, 16-inch, for \"\"Simone\"\"\",sara.lindqvist@example.org,$(ts 0),$(ts 5400),missing:$(ts 7200)/$(ts 18000),$(ts 187200),,$(ts 190800),\"$(ts 7200) ivan.petrov@example.org Which keyboard layout?"
    echo "$(ts 18000) sara.lindqvist@example.org Swiss German, please.\""
    echo "$LAPTOP,BB-2,Replacement laptop,sean.obrien@example.org,$(ts 3600),,,,,,"
} >"$WORK/good.csv"
before=$(q "SELECT COUNT(*) FROM request")
run "a good file imports, exit 0" 0 import requests "$WORK/good.csv"
check "and says what it did" grep -q "^2 added, 0 existing, 0 bad, of 2 rows$" "$WORK/out"
check "two requests more" test "$(q "SELECT COUNT(*) FROM request")" -eq $((before + 2))
check "the title kept its comma and quotes" \
    test "$(q "SELECT title FROM request WHERE external_ref = 'BB-1'")" = 'Laptop, 16-inch, for "Simone"'
check "the late response is recorded as missed" \
    test "$(q "SELECT response_met FROM request WHERE external_ref = 'BB-1'")" -eq 0
check "the response levels fired when they were due" \
    test "$(q "SELECT COUNT(*) FROM request_escalation e JOIN request r ON r.id = e.request_id WHERE r.external_ref = 'BB-1' AND e.clock = 'response' AND e.fired_at = e.due_at")" -eq 2
check "the never-answered one caught up with now: every level fired" \
    test "$(q "SELECT COUNT(*) FROM request_escalation e JOIN request r ON r.id = e.request_id WHERE r.external_ref = 'BB-2'")" -eq 3
check "the comments came along, one a line" \
    test "$(q "SELECT COUNT(*) FROM request_comment c JOIN request r ON r.id = c.request_id WHERE r.external_ref = 'BB-1'")" -eq 2
check "each has an 'imported' event" \
    test "$(q "SELECT COUNT(*) FROM request_event e JOIN request r ON r.id = e.request_id WHERE r.external_ref LIKE 'BB-%' AND e.kind = 'imported'")" -eq 2
check "still nobody notified" test "$(q "SELECT COUNT(*) FROM outbox")" -eq 0

snapshot() { q "SELECT COUNT(*), SUM(updated_at) FROM request; SELECT COUNT(*) FROM request_event; SELECT COUNT(*) FROM audit; SELECT COUNT(*) FROM request_escalation; SELECT value FROM revision WHERE name = 'data'"; }
snapshot >"$WORK/snap1"
run "the same file again exits 0" 0 import requests "$WORK/good.csv"
check "and adds nothing" grep -q "^0 added, 2 existing, 0 bad, of 2 rows$" "$WORK/out"
snapshot >"$WORK/snap2"
check "the database did not change" cmp -s "$WORK/snap1" "$WORK/snap2"

# --- bad rows ---
{
    echo "$HEADER"
    echo "$LAPTOP,BB-3,Fine,sara.lindqvist@example.org,$(ts 0),,,,,,"
    echo "$LAPTOP,BB-4,Who,nobody@example.org,$(ts 0),,,,,,"
    echo "$LAPTOP,BB-5,When,sara.lindqvist@example.org,last tuesday,,,,,,"
    echo "$LAPTOP,BB-6,Order,sara.lindqvist@example.org,$(ts 0),,,,$(ts 3600),,"
    echo "$LAPTOP,BB-3,Twice,sara.lindqvist@example.org,$(ts 0),,,,,,"
} >"$WORK/bad.csv"
snapshot >"$WORK/snap1"
run "a file with bad rows exits 1" 1 import requests "$WORK/bad.csv"
check "an unknown requester: line and column" grep -q "^accord: line 3, column requester: no person 'nobody@example.org'$" "$WORK/err"
check "an unreadable instant" grep -q "^accord: line 4, column created: 'last tuesday' is not an RFC 3339 instant" "$WORK/err"
check "a reopening before any resolution" grep -q "^accord: line 5, column reopened: .* it must follow a resolution$" "$WORK/err"
check "an external id twice in the file" grep -q "^accord: line 6, column external_id: 'BB-3' of contract $LAPTOP is on line 2 already$" "$WORK/err"
check "and stores nothing" grep -q "^nothing stored: 4 bad rows of 5 (--skip-bad stores the others)$" "$WORK/out"
snapshot >"$WORK/snap2"
check "not even the good row" cmp -s "$WORK/snap1" "$WORK/snap2"

run "--dry-run --skip-bad exits 1 (bad rows)" 1 import requests "$WORK/bad.csv" --dry-run --skip-bad
check "and says what would happen" grep -q "^dry run, nothing stored: 1 added, 0 existing, 4 bad, of 5 rows$" "$WORK/out"
snapshot >"$WORK/snap2"
check "a dry run stores nothing" cmp -s "$WORK/snap1" "$WORK/snap2"
run "--skip-bad stores the good rows, exit 1" 1 import requests "$WORK/bad.csv" --skip-bad
check "and says so" grep -q "^1 added, 0 existing, 4 bad, of 5 rows$" "$WORK/out"
check "the good row is there" test "$(q "SELECT COUNT(*) FROM request WHERE external_ref = 'BB-3'")" -eq 1

printf '%s\n%s\n' "$HEADER" "$LAPTOP,BB-7,\"never ends,sara.lindqvist@example.org" >"$WORK/quote.csv"
run "a quote that never ends exits 1" 1 import requests "$WORK/quote.csv"
check "at its line and column" grep -q "^accord: line 2, column title: the quoted field does not end$" "$WORK/err"
printf 'contract,external_id,title,requester,colour\n' >"$WORK/header.csv"
run "an unknown column exits 1" 1 import requests "$WORK/header.csv"
check "on line 1" grep -q "^accord: line 1: unknown column 'colour'" "$WORK/err"

# --- a running server's request lists see what another process imported (sql/0008) ---
ADMIN=$("${A[@]}" token create --email admin@example.org --label import-test)
start_server "$DB"
count() { curl -sf -H "Authorization: Bearer $ADMIN" "$URL/api/v1/requests/count?contract=$LAPTOP" | sed -n 's/.*"count":\([0-9]*\).*/\1/p'; }
n0=$(count)
rev0=$(q "SELECT value FROM revision WHERE name = 'data'")
printf '%s\n%s\n' "$HEADER" "$LAPTOP,BB-8,Docking station,sara.lindqvist@example.org,$(ts 0),,,,,," >"$WORK/one.csv"
run "an import while the server runs exits 0" 0 import requests "$WORK/one.csv"
check "moves the data revision on" test "$(q "SELECT value FROM revision WHERE name = 'data'")" -gt "$rev0"
n1=$(count)
check "the server's count (kept per second) shows it at once ($n0 -> $n1)" test "$n1" -eq $((n0 + 1))
stop_server

# --- standard input, and a progress line for a large file ---
{
    echo "contract,external_id,title,requester,created"
    for i in $(seq 1 2500); do echo "$LAPTOP,BULK-$i,Bulk $i,sara.lindqvist@example.org,$(ts $((i * 60)))"; done
} >"$WORK/bulk.csv"
"${A[@]}" import requests - <"$WORK/bulk.csv" >"$WORK/out" 2>"$WORK/err"
check "a large file from standard input imports" test $? -eq 0
check "every row of it" grep -q "^2500 added, 0 existing, 0 bad, of 2500 rows$" "$WORK/out"
check "with a progress line every 1000 rows on standard error" \
    bash -c "grep -q '^accord: import: 1000 rows read' '$WORK/err' && grep -q '^accord: import: 2000 rows read' '$WORK/err' &&
             test \"\$(grep -c 'rows read' '$WORK/err')\" -eq 2"

summary
