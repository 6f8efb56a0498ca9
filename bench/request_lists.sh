#!/usr/bin/env bash
# request_lists.sh: request lists, counts and queues over HTTP with 250,000 requests.
#
#   bench/request_lists.sh [runs per query, default 21]
#
# Builds a scratch database: the demo, then copies of its 310 requests spread over the 8
# departments and two years (a quarter of the copies keep the demo's status, the rest are
# closed: about 9,300 not closed, 1,150 per department). Then times each GET with curl against
# `accord serve`, one request at a time: the median and the worst of the runs, in ms (HTTP
# included), and the number of items or the count. Figures only; the exit status says nothing
# about them. The plans behind them are in docs/operating.md ("Request lists and their indexes").
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-21}
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell: apt-get install sqlite3" >&2; exit 2; }
make -s accord
WORK=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
DB=$WORK/lists.db

./accord --db "$DB" demo >/dev/null
sqlite3 "$DB" <<'SQL'
BEGIN;
CREATE TEMP TABLE n(k INTEGER PRIMARY KEY);
WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < 807)
INSERT INTO n SELECT k FROM c;
INSERT INTO request (contract_id, version_id, service_id, provider_department_id,
  consumer_department_id, title, description, priority, priority_factor, external_ref,
  requester_id, assignee_id, status, created_at, updated_at, response_target_secs,
  response_due_at, responded_at, response_met, resolution_target_secs, resolution_due_at,
  paused_secs, paused_since, resolved_at, resolution_secs, resolution_met, closed_at,
  reopen_count, missing_info_count, next_fire_at, imported)
SELECT contract_id, version_id, service_id,
  ((provider_department_id - 1 + k + k / 4) % 8) + 1,
  ((consumer_department_id - 1 + 3 * k + k / 4) % 8) + 1,
  title, description, priority, priority_factor,
  CASE WHEN external_ref IS NULL THEN NULL ELSE external_ref || '-' || k END,
  requester_id, assignee_id, CASE WHEN k % 4 = 0 THEN status ELSE 'closed' END,
  created_at - s, updated_at - s, response_target_secs, response_due_at - s,
  CASE WHEN k % 4 = 0 OR responded_at IS NOT NULL THEN responded_at - s
       ELSE response_due_at - s - 60 END,
  CASE WHEN k % 4 = 0 OR response_met IS NOT NULL THEN response_met ELSE 1 END,
  resolution_target_secs, resolution_due_at - s, paused_secs,
  CASE WHEN k % 4 = 0 THEN paused_since - s ELSE NULL END,
  CASE WHEN k % 4 = 0 OR resolved_at IS NOT NULL THEN resolved_at - s
       ELSE resolution_due_at - s - 600 END,
  CASE WHEN k % 4 = 0 OR resolved_at IS NOT NULL THEN resolution_secs ELSE 3600 END,
  CASE WHEN k % 4 = 0 OR resolution_met IS NOT NULL THEN resolution_met ELSE 1 END,
  CASE WHEN k % 4 = 0 OR closed_at IS NOT NULL THEN closed_at - s
       ELSE resolution_due_at - s + 3000 END,
  reopen_count, missing_info_count, NULL, imported
FROM (SELECT r.*, n.k,
             CASE WHEN n.k % 4 = 0 AND r.status <> 'closed' THEN n.k * 60 ELSE n.k * 86400 END
             AS s
      FROM request r, n WHERE r.id <= 310) AS c
ORDER BY k, id;
-- The copies' breach_at, as migration 0005 computes it.
UPDATE request SET breach_at = CASE
    WHEN (response_met = 0 OR responded_at IS NULL)
         AND (resolution_met = 0 OR (resolved_at IS NULL AND paused_since IS NULL))
        THEN CASE WHEN resolution_due_at < response_due_at THEN resolution_due_at
                  ELSE response_due_at END
    WHEN response_met = 0 OR responded_at IS NULL THEN response_due_at
    WHEN resolution_met = 0 OR (resolved_at IS NULL AND paused_since IS NULL)
        THEN resolution_due_at
    END WHERE id > 310;
COMMIT;
SQL
echo "requests: $(sqlite3 "$DB" "SELECT COUNT(*) FROM request"), not closed:" \
    "$(sqlite3 "$DB" "SELECT COUNT(*) FROM request WHERE status <> 'closed'")"

ADMIN=$(./accord --db "$DB" token create --email admin@example.org --label bench)
HEAD=$(./accord --db "$DB" token create --email fiona.clarke@example.org --label bench)
MEMBER=$(./accord --db "$DB" token create --email sara.lindqvist@example.org --label bench)
PORT=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen=>1,LocalAddr=>"127.0.0.1:0")->sockport')
./accord --db "$DB" serve --listen "127.0.0.1:$PORT" --log-level warn >/dev/null 2>"$WORK/serve.log" &
PID=$!
until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do sleep 0.05; done
BASE="http://127.0.0.1:$PORT/api/v1"
WEEK_FROM=$(date -u -d '-400 days' +%Y-%m-%dT00:00:00Z)
WEEK_TO=$(date -u -d '-393 days' +%Y-%m-%dT00:00:00Z)

# get TOKEN PATH: one GET; prints its time in ms and writes the body to $WORK/body.
get() {
    curl -s -o "$WORK/body" -w '%{time_total}\n' -H "Authorization: Bearer $1" "$BASE$2" \
        | awk '{printf "%.2f\n", $1 * 1000}'
}

# items: how many requests $WORK/body holds.
items() {
    { grep -o '"contract_id":' "$WORK/body" || true; } | wc -l
}

# pages TOKEN PATH: follows next_cursor up to 10 pages of 200 (what the UI fetches); the
# sum of the pages' times in ms.
pages() {
    local cursor="" path n=0 ms=0
    for _ in $(seq 1 10); do
        path="$2&limit=200${cursor:+&cursor=$cursor}"
        ms=$(awk -v a="$ms" -v b="$(get "$1" "$path")" 'BEGIN {printf "%.2f", a + b}')
        n=$((n + $(items)))
        cursor=$({ grep -o '"next_cursor": *"[^"]*"' "$WORK/body" || true; } | sed 's/.*"\([^"]*\)"$/\1/')
        [ -n "$cursor" ] || break
    done
    echo "$n" >"$WORK/total"
    echo "$ms"
}

# run NAME TOKEN PATH [pages]: the median and worst of $RUNS runs, and what came back.
run() {
    local what
    rm -f "$WORK/total"
    for _ in 1 2; do "${4:-get}" "$2" "$3" >/dev/null; done
    for _ in $(seq 1 "$RUNS"); do "${4:-get}" "$2" "$3"; done | sort -n >"$WORK/times"
    what=$({ grep -o '"count": *[0-9]*' "$WORK/body" || true; } | grep -o '[0-9]*$' || true)
    [ -n "$what" ] || what="$(items) items"
    [ ! -f "$WORK/total" ] || what="$(cat "$WORK/total") items"
    printf "%-52s %8s ms  worst %8s ms  %s\n" "$1" \
        "$(sed -n "$(((RUNS + 1) / 2))p" "$WORK/times")" "$(tail -n 1 "$WORK/times")" "$what"
}

echo "query                                                  median          worst  result"
run "admin: list (page of 50)" "$ADMIN" "/requests?"
run "admin: count" "$ADMIN" "/requests/count?"
run "admin: queue of all departments (page of 50)" "$ADMIN" "/requests?open=true&sort=resolution_due"
run "head: queue, due order (page of 50)" "$HEAD" "/requests?open=true&provider=1&sort=resolution_due"
run "head: queue, due order (UI: up to 2000 by 200)" "$HEAD" "/requests?open=true&provider=1&sort=resolution_due" pages
run "head: queue count" "$HEAD" "/requests/count?open=true&provider=1"
run "head: queue, breached (page of 50)" "$HEAD" "/requests?open=true&provider=1&breached=true&sort=resolution_due"
run "member: my requests (page of 50)" "$MEMBER" "/requests?consumer=2&open=true"
run "member: my requests (UI: up to 2000 by 200)" "$MEMBER" "/requests?consumer=2&open=true" pages
run "member: my requests count" "$MEMBER" "/requests/count?consumer=2&open=true"
run "member: list (page of 50)" "$MEMBER" "/requests?"
run "member: count" "$MEMBER" "/requests/count?"
run "member: list, status reopened (none)" "$MEMBER" "/requests?status=reopened"
run "admin: list, status waiting (page of 50)" "$ADMIN" "/requests?status=waiting_on_consumer"
run "admin: count, open" "$ADMIN" "/requests/count?open=true"
run "admin: count, service 6" "$ADMIN" "/requests/count?service=6"
run "admin: list, assignee 27 (page of 50)" "$ADMIN" "/requests?assignee=27"
run "admin: count, assignee 27" "$ADMIN" "/requests/count?assignee=27"
run "admin: list, breached (page of 50)" "$ADMIN" "/requests?breached=true"
run "admin: count, breached" "$ADMIN" "/requests/count?breached=true"
run "admin: list, raised in one week (page of 50)" "$ADMIN" "/requests?raised_from=$WEEK_FROM&raised_to=$WEEK_TO"
run "admin: count, raised in one week" "$ADMIN" "/requests/count?raised_from=$WEEK_FROM&raised_to=$WEEK_TO"
run "head: count, raised in one week" "$HEAD" "/requests/count?raised_from=$WEEK_FROM&raised_to=$WEEK_TO"
