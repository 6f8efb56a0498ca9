#!/usr/bin/env bash
# search.sh: full-text search of requests (GET /api/v1/requests?q=...) over HTTP with 250,000
# requests and their conversations.
#
#   bench/search.sh [runs per query, default 21]
#   ACCORD=PATH bench/search.sh ...   measures that accord binary (default: `make accord`, ./accord)
#   KEEP=1 bench/search.sh ...        keeps the temporary folder (the database) and says where
#
# Builds a scratch database as bench/request_lists.sh does: the demo, then copies of its 309
# requests spread over the 8 departments and two years (a quarter keep the demo's status, the
# rest are closed), and here also copies of each template's comments and internal notes (about
# 800,000). They go in through plain SQL with sqlite3, so migration 0006's triggers index them
# as they would any write; the time that takes is printed. Three requests get a rare word in a
# public comment ("Wombat"), two a rare word in an internal note only ("Zanzibar").
# Then times each GET with curl against `accord serve`, one at a time: the median and the worst
# of the runs, in ms (HTTP and JSON included), and the number of items or the count.
# Figures only; the exit status says nothing about them. docs/operating.md ("Searching
# requests") explains the plans.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-21}
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell: apt-get install sqlite3" >&2; exit 2; }
WORK=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; if [ -n "${KEEP:-}" ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi' EXIT
if [ -n "${ACCORD:-}" ]; then
    cp "$ACCORD" "$WORK/accord"
else
    make -s accord
    cp accord "$WORK/accord"
fi
BIN=$WORK/accord
DB=$WORK/search.db

"$BIN" --db "$DB" demo >/dev/null
START=$(date +%s.%N)
sqlite3 "$DB" <<'SQL'
BEGIN;
CREATE TEMP TABLE n(k INTEGER PRIMARY KEY);
WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < 807)
INSERT INTO n SELECT k FROM c;
-- The copies in the order they are raised: copy i gets id first + i - 1.
CREATE TEMP TABLE m(i INTEGER PRIMARY KEY, k INTEGER, tid INTEGER);
INSERT INTO m (k, tid) SELECT n.k, r.id FROM request r, n WHERE r.id <= 310 ORDER BY n.k, r.id;
CREATE TEMP TABLE first(id INTEGER);
INSERT INTO first SELECT MAX(id) + 1 FROM request;
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
FROM (SELECT r.*, m.k, m.i,
             CASE WHEN m.k % 4 = 0 AND r.status <> 'closed' THEN m.k * 60 ELSE m.k * 86400 END
             AS s
      FROM m JOIN request r ON r.id = m.tid) AS c
ORDER BY i;
-- Each copy's conversation: the template's comments and notes, shifted as the copy.
INSERT INTO request_comment (request_id, author_id, internal, body, created_at)
SELECT (SELECT id FROM first) + m.i - 1, c.author_id, c.internal, c.body, c.created_at - m.k * 86400
FROM m JOIN request_comment c ON c.request_id = m.tid ORDER BY m.i, c.id;
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
-- Rare words: in public comments of three requests (Finance provides, Sales consumes: the
-- demo's Credit check), in internal notes only of two.
INSERT INTO request_comment (request_id, author_id, internal, body, created_at)
SELECT id, requester_id, 0, 'Mr Wombat called about this one again.', created_at + 60
FROM request WHERE id IN (SELECT id FROM request WHERE provider_department_id = 1
    AND consumer_department_id = 2 ORDER BY id DESC LIMIT 3);
INSERT INTO request_comment (request_id, author_id, internal, body, created_at)
SELECT id, assignee_id, 1, 'Zanzibar branch: ask the bank first.', created_at + 120
FROM request WHERE id IN (SELECT id FROM request WHERE provider_department_id = 1
    AND consumer_department_id = 2 ORDER BY id DESC LIMIT 2 OFFSET 10);
COMMIT;
SQL
END=$(date +%s.%N)
echo "requests: $(sqlite3 "$DB" "SELECT COUNT(*) FROM request"), comments and notes:" \
    "$(sqlite3 "$DB" "SELECT COUNT(*) FROM request_comment"), not closed:" \
    "$(sqlite3 "$DB" "SELECT COUNT(*) FROM request WHERE status <> 'closed'")"
echo "copies written and indexed by the triggers in $(awk -v a="$START" -v b="$END" 'BEGIN {printf "%.1f", b - a}') s;" \
    "database $(du -m "$DB" | cut -f1) MB, of which the words' index" \
    "$(sqlite3 "$DB" "SELECT (SELECT COUNT(*) FROM request_search_data) * (SELECT page_size FROM pragma_page_size) / 1048576" 2>/dev/null || echo '?') MB or more"
sqlite3 "$DB" "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, request_search, 'row');
    SELECT 'documents with the word: ' || group_concat(term || ' ' || doc, ', ') FROM temp.v
    WHERE term IN ('the', 'credit', 'registration', 'wombat', 'zanzibar')"

ADMIN=$("$BIN" --db "$DB" token create --email admin@example.org --label bench)
HEAD=$("$BIN" --db "$DB" token create --email fiona.clarke@example.org --label bench)
MEMBER=$("$BIN" --db "$DB" token create --email sara.lindqvist@example.org --label bench)
PORT=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen=>1,LocalAddr=>"127.0.0.1:0")->sockport')
"$BIN" --db "$DB" serve --listen "127.0.0.1:$PORT" --log-level warn >/dev/null 2>"$WORK/serve.log" &
PID=$!
until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do sleep 0.05; done
BASE="http://127.0.0.1:$PORT/api/v1"

# get TOKEN PATH: one GET; prints its time in ms and writes the body to $WORK/body.
get() {
    curl -s -o "$WORK/body" -w '%{time_total}\n' -H "Authorization: Bearer $1" "$BASE$2" \
        | awk '{printf "%.2f\n", $1 * 1000}'
}

# run NAME TOKEN PATH: the median and worst of $RUNS runs, and what came back.
run() {
    local what
    for _ in 1 2; do get "$2" "$3" >/dev/null; done
    for _ in $(seq 1 "$RUNS"); do get "$2" "$3"; done | sort -n >"$WORK/times"
    what=$({ grep -o '"count": *[0-9]*' "$WORK/body" || true; } | grep -o '[0-9]*$' || true)
    [ -n "$what" ] || what="$({ grep -o '"contract_id":' "$WORK/body" || true; } | wc -l) items"
    grep -q '"status": *4' "$WORK/body" && what="error: $(cat "$WORK/body")"
    printf "%-58s %8s ms  worst %8s ms  %s\n" "$1" \
        "$(sed -n "$(((RUNS + 1) / 2))p" "$WORK/times")" "$(tail -n 1 "$WORK/times")" "$what"
}

echo "query                                                        median          worst  result"
run "admin: common word 'credit' (page of 50)" "$ADMIN" "/requests?q=credit"
run "admin: common word 'credit', count" "$ADMIN" "/requests/count?q=credit"
run "admin: 'registration' (page of 50)" "$ADMIN" "/requests?q=registration"
run "admin: 'registration', count" "$ADMIN" "/requests/count?q=registration"
run "admin: rare word 'wombat' (list)" "$ADMIN" "/requests?q=wombat"
run "admin: rare word 'wombat', count" "$ADMIN" "/requests/count?q=wombat"
run "admin: very common word 'the' (page of 50)" "$ADMIN" "/requests?q=the"
run "admin: very common word 'the', count" "$ADMIN" "/requests/count?q=the"
run "admin: word in no request 'xylophone' (list)" "$ADMIN" "/requests?q=xylophone"
run "admin: two words 'credit registration' (page of 50)" "$ADMIN" "/requests?q=credit+registration"
run "admin: prefix 'regis' (page of 50)" "$ADMIN" "/requests?q=regis"
run "admin: prefix 'cre' (page of 50)" "$ADMIN" "/requests?q=cre"
run "admin: prefix 'cre', count" "$ADMIN" "/requests/count?q=cre"
run "admin: 'credit', open=true (page of 50)" "$ADMIN" "/requests?q=credit&open=true"
run "admin: 'credit', status=reopened (few)" "$ADMIN" "/requests?q=credit&status=reopened"
run "head: common word 'credit' (page of 50)" "$HEAD" "/requests?q=credit"
run "head: common word 'credit', count" "$HEAD" "/requests/count?q=credit"
run "head: rare word 'wombat' (list)" "$HEAD" "/requests?q=wombat"
run "head: note-only word 'zanzibar' (list)" "$HEAD" "/requests?q=zanzibar"
run "head: queue, 'credit' (page of 50, due order)" "$HEAD" "/requests?q=credit&open=true&provider=1&sort=resolution_due"
run "head: queue, 'wombat' (due order)" "$HEAD" "/requests?q=wombat&open=true&provider=1&sort=resolution_due"
run "member: common word 'credit' (page of 50)" "$MEMBER" "/requests?q=credit"
run "member: common word 'credit', count" "$MEMBER" "/requests/count?q=credit"
run "member: very common word 'the' (page of 50)" "$MEMBER" "/requests?q=the"
run "member: very common word 'the', count" "$MEMBER" "/requests/count?q=the"
run "member: rare word 'wombat' (list)" "$MEMBER" "/requests?q=wombat"
run "member: note-only word 'zanzibar' (list: none)" "$MEMBER" "/requests?q=zanzibar"
run "member: my requests, 'credit' (page of 50)" "$MEMBER" "/requests?q=credit&consumer=2&open=true"
get "$MEMBER" "/requests?q=credit" >/dev/null
CURSOR=$({ grep -o '"next_cursor": *"[^"]*"' "$WORK/body" || true; } | sed 's/.*"\([^"]*\)"$/\1/')
run "member: common word 'credit', second page" "$MEMBER" "/requests?q=credit&cursor=$CURSOR"
