#!/usr/bin/env bash
# sweeper.sh: firing N due escalation levels after a restart (default 10,000), total time.
# One request is raised through the API on the demo's contract 10 (IT 24x7, response 30 min,
# IT escalation: level 1 at 50 % of the response target), then copied with SQL into N requests
# raised 20 minutes ago, so that each has exactly its first level due (15 minutes after
# creation) and not yet its second (30 minutes). The copies have no timeline of their own; the
# sweep reads what it reads for a real request (the row, its contract version and levels, the
# service and departments, the calendar, the levels fired) and writes the same rows. `accord
# serve` starts on that database; the time runs from its launch until request_escalation has
# N rows for those requests (polled every 50 ms, so figures are rounded up to that).
# sweeper_ms is the sweeper's own figure from its log line.
# Figures only, no assertions.
#   bench/sweeper.sh [N, default 10000] [runs, default 3]
set -eu
cd "$(dirname "$0")/.."
N=${1:-10000}
RUNS=${2:-3}
command -v sqlite3 >/dev/null || { echo "needs sqlite3: apt-get install sqlite3" >&2; exit 2; }
make -s accord
WORK=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
DB="$WORK/sweep.db"
port() { perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen=>1,LocalAddr=>"127.0.0.1:0")->sockport'; }
ms() { date +%s%3N; }

./accord --db "$DB" demo >/dev/null
AGENT=$(./accord --db "$DB" token create --email chidi.okafor@example.org)
P=$(port)
./accord --db "$DB" serve --listen "127.0.0.1:$P" >/dev/null 2>"$WORK/setup.log" &
PID=$!
until curl -s -o /dev/null "http://127.0.0.1:$P/healthz"; do sleep 0.05; done
ID=$(curl -sf -H "Authorization: Bearer $AGENT" -H 'Content-Type: application/json' \
    --data '{"contract_id":10,"title":"Access to the CRM"}' "http://127.0.0.1:$P/api/v1/requests" |
    sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
kill "$PID"
wait "$PID" || true
PID=

# N - 1 copies of it (ids after it; no external reference), all raised 20 minutes ago (24x7:
# business time is wall time). The demo's own requests have nothing due.
cols=$(sqlite3 "$DB" "SELECT group_concat(name, ', ') FROM pragma_table_info('request') WHERE name <> 'id'")
vals=$(echo "$cols" | sed 's/\bexternal_ref\b/NULL/')
created=$(($(date +%s) - 1200))
sqlite3 "$DB" <<SQL
BEGIN;
INSERT INTO request ($cols)
  WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
  SELECT $vals FROM request, n WHERE request.id = $ID;
UPDATE request SET created_at = $created, updated_at = $created, response_due_at = $created + 1800,
  resolution_due_at = $created + 28800, next_fire_at = $created + 900 WHERE id >= $ID;
COMMIT;
SQL
due=$(sqlite3 "$DB" "SELECT COUNT(*) FROM request WHERE next_fire_at <= strftime('%s', 'now')")
echo "requests: $(sqlite3 "$DB" "SELECT COUNT(*) FROM request") (the demo's and $N copies)," \
    "with a level due: $due"
fired() { sqlite3 "$DB" "SELECT COUNT(*) FROM request_escalation WHERE request_id >= $ID"; }

# Each run starts the server on a fresh copy of the prepared database.
cp "$DB" "$WORK/base.db"
echo "run  server_up_ms  total_ms  levels/s  sweeper_ms  batches"
for r in $(seq 1 "$RUNS"); do
    cp "$WORK/base.db" "$DB"
    rm -f "$DB-wal" "$DB-shm"
    P=$(port)
    t0=$(ms)
    ./accord --db "$DB" serve --listen "127.0.0.1:$P" >/dev/null 2>"$WORK/serve.log" &
    PID=$!
    until curl -s -o /dev/null "http://127.0.0.1:$P/healthz"; do sleep 0.01; done
    t_up=$(ms)
    while [ "$(fired)" -lt "$N" ]; do sleep 0.05; done
    t1=$(ms)
    kill "$PID"
    wait "$PID" || true
    PID=
    total=$((t1 - t0))
    echo "$total" >>"$WORK/totals"
    line=$(grep '"msg":"escalation sweep"' "$WORK/serve.log" | head -n 1)
    printf "%-4s %-13s %-9s %-9s %-11s %s\n" "$r" "$((t_up - t0))" "$total" \
        "$(awk -v n="$N" -v t="$total" 'BEGIN {printf "%.0f", n * 1000 / t}')" \
        "$(echo "$line" | sed -n 's/.*"ms":\([0-9]*\).*/\1/p')" \
        "$(echo "$line" | sed -n 's/.*"batches":\([0-9]*\).*/\1/p')"
done

echo "last run: $(fired) levels," \
    "$(sqlite3 "$DB" "SELECT COUNT(*) FROM request_event WHERE kind = 'escalated' AND request_id >= $ID") timeline events," \
    "$(sqlite3 "$DB" "SELECT COUNT(*) FROM outbox WHERE event_type = 'request.escalated' AND entity_id >= $ID") outbox rows," \
    "fired_at - due_at $(sqlite3 "$DB" "SELECT MIN(fired_at - due_at) || '..' || MAX(fired_at - due_at) FROM request_escalation WHERE request_id >= $ID") s"
echo "median total: $(sort -n "$WORK/totals" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}') ms" \
    "from launching accord serve to $N levels fired (batches of 100, one commit each)"
