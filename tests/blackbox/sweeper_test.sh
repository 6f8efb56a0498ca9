#!/usr/bin/env bash
# sweeper_test.sh: the escalation sweeper inside the real `accord serve`: a level due in two
# seconds fires on time once a write pokes the sweeper; levels that came due while the server
# was killed fire on restart with the instant they were due; a broken request is skipped
# without holding back the others; nothing fires twice; SIGTERM stops it cleanly.
set -u
cd "$(dirname "$0")/../.."
. tests/blackbox/lib.sh
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT
DB="$WORK/sweep.db"

q() { sqlite3 "$DB" "$1"; }

# wait_for SQL VALUE: polls (up to 6 s) until the query answers VALUE.
wait_for() {
    for _ in $(seq 1 60); do
        [ "$(q "$1")" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

metric() {
    curl -s -H "Authorization: Bearer $ADMIN" "$URL/metrics" | awk -v m="$1" '$1 == m {print $2}'
}

# metric_becomes NAME VALUE: polls (up to 3 s): the sweeper answers pokes within 100 ms.
metric_becomes() {
    for _ in $(seq 1 30); do
        [ "$(metric "$1")" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

# Contract 10, "Access request": IT serves Customer Service on the "IT 24x7" calendar (so
# business time is wall time), response target 30 minutes. The IT escalation policy fires
# level 1 at 50 % of the response target (15 min), level 2 at 100 % (30 min, reassigns to
# the deputy) and level 3 at 100 % of the resolution target (8 h).
raise() {
    curl -s -H "Authorization: Bearer $AGENT" -H 'Content-Type: application/json' \
        --data "{\"contract_id\":10,\"title\":\"$1\"}" "$URL/api/v1/requests" |
        sed -n 's/^{"id":\([0-9]*\),.*/\1/p'
}

# backdate ID CREATED: the request's clocks as if it had been raised at CREATED.
backdate() {
    q "UPDATE request SET created_at = $2, response_due_at = $2 + 1800, resolution_due_at = $2 + 28800,
       next_fire_at = $2 + 900 WHERE id = $1"
}

# poke: a write on a request route (a consumer's comment on request $POKE) wakes the sweeper.
poke() {
    curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AGENT" \
        -H 'Content-Type: application/json' --data '{"body":"any news?"}' \
        "$URL/api/v1/requests/$POKE/comments"
}

escalated_events() {
    curl -s -H "Authorization: Bearer $AGENT" "$URL/api/v1/requests/$1/events" |
        grep -o '"kind":"escalated"' | wc -l
}

"$ACCORD_BIN" --db "$DB" demo >/dev/null 2>&1
ADMIN=$("$ACCORD_BIN" --db "$DB" token create --email admin@example.org)
AGENT=$("$ACCORD_BIN" --db "$DB" token create --email chidi.okafor@example.org) # Customer Service
check "contract 10 runs on the IT 24x7 calendar" test "$(q "SELECT c.name FROM contract_version v
    JOIN calendar c ON c.id = v.calendar_id WHERE v.contract_id = 10")" = "IT 24x7"
# The demo's own requests come due a day later, so that none fires during the test.
q "UPDATE request SET next_fire_at = next_fire_at + 86400 WHERE next_fire_at IS NOT NULL"
start_server "$DB" || {
    summary
    exit 1
}

A=$(raise "Access to the CRM")
B=$(raise "Access to the shared drive")
C=$(raise "Access to the billing mailbox")
POKE=$(raise "Something to comment on")
check "four requests raised through the API" test -n "$A" -a -n "$B" -a -n "$C" -a -n "$POKE"
check "the first level is due 15 minutes after creation" \
    test "$(q "SELECT next_fire_at - created_at FROM request WHERE id = $A")" = 900
check "metrics show the next instant, read again after the writes" \
    metric_becomes accord_sweeper_next_due_time_seconds "$(q "SELECT MIN(next_fire_at) FROM request")"

# --- a level due in 2 s: the SQL change is out of process; the next write pokes ---
due=$(($(date +%s) + 2))
backdate "$A" $((due - 900))
check "a comment answers 201 (and pokes)" test "$(poke)" = 201
check "the level due in 2 s fires" wait_for "SELECT COUNT(*) FROM request_escalation WHERE request_id = $A" 1
check "it is recorded as due at its instant, clock response, level 1, not manual" \
    test "$(q "SELECT clock, level, due_at, manual FROM request_escalation WHERE request_id = $A")" = "response|1|$due|0"
check "and fired within a second of it" \
    test "$(q "SELECT fired_at - due_at BETWEEN 0 AND 1 FROM request_escalation WHERE request_id = $A")" = 1
check "the timeline has an 'escalated' event" test "$(escalated_events "$A")" -eq 1
check "the outbox has one request.escalated row" \
    test "$(q "SELECT COUNT(*) FROM outbox WHERE event_type = 'request.escalated' AND entity_id = $A")" = 1
check "the next instant is level 2's" \
    test "$(q "SELECT next_fire_at FROM request WHERE id = $A")" = $((due + 900))

# --- kill -9, levels come due while down, restart ---
{
    kill -9 "$SERVER_PID"
    wait "$SERVER_PID"
} 2>/dev/null
SERVER_PID=
created=$(($(date +%s) - 3600))
backdate "$B" "$created"
# C is broken (its contract is gone: the sqlite3 shell does not enforce foreign keys) and due
# first: the sweep must skip it, not stop at it.
backdate "$C" $((created - 60))
q "UPDATE request SET contract_id = 999999 WHERE id = $C"
start_server "$DB" || {
    summary
    exit 1
}
check "on restart the two levels that came due while down fire" \
    wait_for "SELECT COUNT(*) FROM request_escalation WHERE request_id = $B" 2
check "each with the instant it should have fired" \
    test "$(q "SELECT group_concat(due_at - $created) FROM (SELECT due_at FROM request_escalation
              WHERE request_id = $B ORDER BY level)")" = "900,1800"
check "which is before the instant it did (due_at < fired_at)" \
    test "$(q "SELECT COUNT(*) FROM request_escalation WHERE request_id = $B AND due_at < fired_at")" = 2
check "the timeline has both 'escalated' events" test "$(escalated_events "$B")" -eq 2
check "the outbox has both notifications" \
    test "$(q "SELECT COUNT(*) FROM outbox WHERE event_type = 'request.escalated' AND entity_id = $B")" = 2
check "level 2 reassigned the request to the service's deputy" \
    test "$(q "SELECT r.assignee_id = s.deputy_id FROM request r JOIN service s ON s.id = r.service_id
              WHERE r.id = $B")" = 1
check "the broken request fired nothing" \
    test "$(q "SELECT COUNT(*) FROM request_escalation WHERE request_id = $C")" = 0
check "it is logged as skipped" \
    grep -q "\"msg\":\"escalation sweep skipped a request\",\"request_id\":$C," "$WORK/server.log"
check "and retried later, not at once" \
    test "$(q "SELECT next_fire_at > strftime('%s', 'now') + 200 FROM request WHERE id = $C")" = 1
check "metrics count the levels fired in this run" metric_becomes accord_sweeper_levels_fired_total 2
check "metrics count the requests handled, the skipped one too" \
    metric_becomes accord_sweeper_requests_total 2
check "a skipped request is not a failed sweep" test "$(metric accord_sweeper_errors_total)" = 0
check "metrics count sweeps" test "$(metric accord_sweeper_sweeps_total)" -ge 1

# --- a clean stop, a restart and a poke fire nothing twice ---
fired=$(q "SELECT COUNT(*) FROM request_escalation")
outbox=$(q "SELECT COUNT(*) FROM outbox WHERE event_type = 'request.escalated'")
check "so far: one level of A, two of B" test "$(q "SELECT group_concat(n) FROM (SELECT COUNT(*) AS n
    FROM request_escalation WHERE request_id IN ($A, $B) GROUP BY request_id ORDER BY request_id)")" = "1,2"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
status=$?
SERVER_PID=
check "SIGTERM stops the server with status 0" test "$status" -eq 0
check "the sweeper thread stopped with it" grep -q '"msg":"sweeper stopped"' "$WORK/server.log"
start_server "$DB" || {
    summary
    exit 1
}
check "a poke after the restart answers 201" test "$(poke)" = 201
sleep 1
check "nothing fired twice" test "$(q "SELECT COUNT(*) FROM request_escalation")" = "$fired"
check "nothing was notified twice" \
    test "$(q "SELECT COUNT(*) FROM outbox WHERE event_type = 'request.escalated'")" = "$outbox"
check "this run fired no level" test "$(metric accord_sweeper_levels_fired_total)" = 0
stop_server
check "every log line is a JSON object" bash -c "! grep -qv '^{.*}$' '$WORK/server.log'"
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$WORK/server.log'"

summary
