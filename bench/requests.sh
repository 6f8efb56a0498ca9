#!/usr/bin/env bash
# requests.sh: requests, side by side in the same run with the reference server
# ../shared/limits/api_server (issue 6, "Benchmark"). Figures only, no assertions.
#
#   bench/requests.sh [seconds per wrk run, default 8] [rounds, default 3]
#   PERF=FILE bench/requests.sh ...   also records a call-graph profile of accord during round
#       1's create run into FILE (perf record -g with DWARF unwinding: accord and libsqlite3 have
#       no frame pointers); read it with `perf report -i FILE --children --sort dso,symbol`
#   ACCORD=PATH bench/requests.sh ... measures that accord binary (default: `make accord`, ./accord)
#   KEEP=1 bench/requests.sh ...      keeps the temporary folder (database, Lua scripts, wrk output)
#
# Load tool: wrk -t2 for everything, accord and the reference alike, with the same -c and -d.
#
# (a) create: POST /api/v1/requests {"contract_id":1,"title":…} (varied titles) with Sara
#     Lindqvist's bearer token (a member of Sales, the consumer side of the demo's contract 1,
#     "Credit check", provided by Finance), wrk -t2 -c16 as in ../shared/limits/bench_e2e.sh.
#     accord answers 201 after its commit (WAL, synchronous=FULL), having bound the contract
#     version, computed the due instants and written the request, its timeline, outbox and
#     audit rows. It runs on the 250,000-request database below. Beside it: api_server -d DB
#     -g (group commit), POST /items with post_varied.lua on a fresh database, with
#     -s normal (the issue's 11.2 k/s figure, and the ratio's denominator) and with -s full
#     (the durability accord uses; context only). rows = rows the server stored.
# (b) reads at wrk -t2 -c64 with 250,000 requests in the database, as Fiona Clarke (head of
#     Finance, the provider): GET /api/v1/requests/{id} over 4096 random ids of requests Finance
#     raised or received, and the provider queue's first page
#     GET /api/v1/requests?open=true&provider=<Finance>&limit=50 (and &sort=resolution_due
#     when the server honours it: checked at run time from the order of the page it returns).
#     Beside them: api_server's GET / (a 100-byte JSON reply), as bench/api_get.sh runs it.
#
# The 250,000 requests. `accord demo` imports 310 requests of the past six weeks (through the
# code path of `accord import requests`: realistic lifecycles, pauses, reopenings, breaches,
# escalations); the script then raises 5 more through the API. These are the templates. The
# rest are copies made in one SQL transaction with sqlite3: copy i is raised at an instant
# spread evenly over the past two years (ids ascend with time, as in a live database); a copy
# older than six weeks takes a closed template, a newer one any template (one still open only
# if the copy is at most a day older than it, so that nothing stays open for months). Every
# instant of the template (created, responded, due, paused, resolved, closed, timeline events,
# fired escalation levels) is shifted by the same amount, and what would lie in the future is
# cut off: the copy's status is the template's status at the last move now past, the clocks
# that have not stopped yet are running, and next_fire_at is the template's next level (or the
# automatic close) if still ahead. The copies have their request_event rows (every event now
# past but comments and internal notes; the events' JSON details keep the template's values) and
# request_escalation rows; no comment, audit or outbox rows.
# Contracts, departments, requesters and assignees follow the demo's mix (Finance provides
# about 23 % of the requests, some 500 of them not closed). No ANALYZE is run: the planner sees
# what a live database would have.
set -eu
cd "$(dirname "$0")/.."
DUR=${1:-8}
RUNS=${2:-3}
N=${N:-250000}
LIMITS=${LIMITS:-../shared/limits}
for t in wrk sqlite3 curl jq perl; do
    command -v "$t" >/dev/null || { echo "needs $t (apt-get install wrk sqlite3 curl jq perl)" >&2; exit 2; }
done
WORK=$(mktemp -d)
# A copy of the binary, so that a rebuild in the work tree during the run changes nothing.
if [ -n "${ACCORD:-}" ]; then
    cp "$ACCORD" "$WORK/accord"
else
    make -s accord
    cp ./accord "$WORK/accord"
fi
BIN="$WORK/accord"
APID=
RPID=
PPID_PERF=
cleanup() {
    for p in "$PPID_PERF" "$APID" "$RPID"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    if [ -n "${KEEP:-}" ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

cp "$LIMITS/api_server.c" "$LIMITS/Makefile" "$LIMITS/post_varied.lua" "$WORK/"
make -s -C "$WORK" api_server >/dev/null

DB="$WORK/base.db"
port() { perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen=>1,LocalAddr=>"127.0.0.1:0")->sockport'; }
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
pid_ticks() { awk '{sub(/^.*\) /,""); print $12+$13}' "/proc/$1/stat" 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK)
# Before each round, wait (at most QUIET_WAIT s, default 15) until the machine is >= 90 % idle
# over a second, as ../shared/limits/lib.sh does before each run.
idle_pct() {
    local a b
    a=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
    sleep 1
    b=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
    echo "$a $b" | awk '{d = $4 - $2; if (d <= 0) print 100; else printf "%.0f\n", 100 - 100 * ($3 - $1) / d}'
}
wait_quiet() {
    local waited=0
    while [ "$(idle_pct)" -lt 90 ] && [ "$waited" -lt "${QUIET_WAIT:-15}" ]; do waited=$((waited + 1)); done
}

start_accord() { # DB: sets APID and AP
    AP=$(port)
    "$BIN" --db "$1" serve --listen "127.0.0.1:$AP" --log-level warn >/dev/null 2>>"$WORK/accord.log" &
    APID=$!
    until curl -s -o /dev/null "http://127.0.0.1:$AP/healthz"; do sleep 0.05; done
}
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
start_ref() { # api_server args...: sets RPID and RP
    RP=$(port)
    "$WORK/api_server" -p "$RP" -D 3600 "$@" >/dev/null 2>"$WORK/ref.log" &
    RPID=$!
    until (exec 3<>"/dev/tcp/127.0.0.1/$RP") 2>/dev/null; do sleep 0.05; done
}

# settle PID: waits (at most 5 s) until the server has finished what the last wrk run left in
# flight (slow replies keep it busy after wrk stops), so that the next run starts clean.
settle() {
    local a b n=0
    while [ "$n" -lt 25 ]; do
        a=$(pid_ticks "$1")
        sleep 0.2
        b=$(pid_ticks "$1")
        [ $((b - a)) -le 2 ] && return 0
        n=$((n + 1))
    done
}
# wrk_run SERVER_PID CONNS URL [wrk args...]: prints "req/s p50_ms p99_ms non2xx foreign_cpu_s".
# foreign_cpu_s: CPU seconds the machine spent during the run outside the server and wrk
# (other people's compiles); well above ~0.5 means the run was disturbed.
wrk_run() {
    local pid=$1 c=$2 url=$3 out b0 s0 b1 s1 tf
    shift 3
    tf="$WORK/time.$$"
    b0=$(busy_ticks)
    s0=$(pid_ticks "$pid")
    out=$({ TIMEFORMAT='%U %S'; time wrk -t2 -c"$c" -d"${DUR}s" --latency "$@" "$url"; } 2>"$tf")
    b1=$(busy_ticks)
    s1=$(pid_ticks "$pid")
    echo "$out" >>"$WORK/wrk.log"
    echo "$out" | awk -v f="$(awk -v b=$((b1 - b0)) -v s=$((s1 - s0)) -v hz="$HZ" \
        '{x = (b - s) / hz - $1 - $2; if (x < 0) x = 0; printf "%.1f", x}' "$tf")" '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
                         if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ {r = $2} /^ +50%/ {p50 = ms($2)} /^ +99%/ {p99 = ms($2)}
        /Non-2xx/ {bad = $NF}
        END {printf "%.0f %.2f %.2f %d %s\n", r, p50, p99, bad, f}'
}

# ---- the database ----
"$BIN" --db "$DB" demo >/dev/null
SARA=$("$BIN" --db "$DB" token create --email sara.lindqvist@example.org --label bench)
FIONA=$("$BIN" --db "$DB" token create --email fiona.clarke@example.org --label bench)
FIN=$(sqlite3 "$DB" "SELECT id FROM department WHERE name = 'Finance'")
CONTRACT=$(sqlite3 "$DB" "SELECT c.id FROM contract c JOIN service s ON s.id = c.service_id
    WHERE s.name = 'Credit check' AND c.provider_department_id = $FIN")
start_accord "$DB"
for i in 1 2 3 4 5; do
    curl -sf -o /dev/null -H "Authorization: Bearer $SARA" -H 'Content-Type: application/json' \
        --data "{\"contract_id\":$CONTRACT,\"title\":\"Credit check for bench customer $i\"}" \
        "http://127.0.0.1:$AP/api/v1/requests"
done
stop_pid "$APID"
APID=
NOW=$(date +%s)
BASE=$(sqlite3 "$DB" "SELECT MAX(id) FROM request")
M=$((N - $(sqlite3 "$DB" "SELECT COUNT(*) FROM request")))
SPAN=$((730 * 86400))
RECENT=$((42 * 86400))
# Columns added after this script was written (later migrations) are copied from the template,
# shifted when they are instants (*_at); breach_at (sql/0005) is derived from the clocks, and is
# set for the copies with that migration's formula.
KNOWN="'id','contract_id','version_id','service_id','provider_department_id',
    'consumer_department_id','title','description','priority','priority_factor','external_ref',
    'requester_id','assignee_id','status','created_at','updated_at','response_target_secs',
    'response_due_at','responded_at','response_met','resolution_target_secs','resolution_due_at',
    'paused_secs','paused_since','resolved_at','resolution_secs','resolution_met','closed_at',
    'reopen_count','missing_info_count','next_fire_at','imported'"
EXTRA_COLS=
EXTRA_VALS=
for col in $(sqlite3 "$DB" "SELECT name FROM pragma_table_info('request') WHERE name NOT IN ($KNOWN)"); do
    EXTRA_COLS="$EXTRA_COLS, $col"
    case $col in
    *_at) EXTRA_VALS="$EXTRA_VALS, t.$col + cp.shift" ;;
    *) EXTRA_VALS="$EXTRA_VALS, t.$col" ;;
    esac
done
BREACH=
if [ "$(sqlite3 "$DB" "SELECT COUNT(*) FROM pragma_table_info('request') WHERE name = 'breach_at'")" = 1 ]; then
    BREACH="UPDATE request SET breach_at = CASE
    WHEN (response_met = 0 OR responded_at IS NULL)
         AND (resolution_met = 0 OR (resolved_at IS NULL AND paused_since IS NULL))
        THEN CASE WHEN resolution_due_at < response_due_at THEN resolution_due_at
                  ELSE response_due_at END
    WHEN response_met = 0 OR responded_at IS NULL THEN response_due_at
    WHEN resolution_met = 0 OR (resolved_at IS NULL AND paused_since IS NULL)
        THEN resolution_due_at
    END WHERE id > $BASE;"
fi
[ -n "$EXTRA_COLS" ] && echo "columns of later migrations, copied from the templates:${EXTRA_COLS#,}${BREACH:+ (breach_at recomputed)}"
t0=$(date +%s%3N)
sqlite3 "$DB" <<SQL
.bail on
BEGIN;
CREATE TEMP TABLE tpl_all AS SELECT id AS tid, row_number() OVER (ORDER BY id) - 1 AS k FROM request;
CREATE TEMP TABLE tpl_closed AS
  SELECT id AS tid, row_number() OVER (ORDER BY id) - 1 AS k FROM request WHERE status = 'closed';
CREATE TEMP TABLE cp (i INTEGER PRIMARY KEY, tid INTEGER, created INTEGER, shift INTEGER,
                      status TEXT, last_at INTEGER);
INSERT INTO cp (i, tid, created)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $M),
  c(i, created) AS (SELECT i, $NOW - $SPAN + i * $SPAN / $M - (i * 7919) % 1800 FROM n)
  SELECT i, CASE WHEN $NOW - created > $RECENT
                 THEN (SELECT tid FROM tpl_closed WHERE k = i % (SELECT COUNT(*) FROM tpl_closed))
                 ELSE (SELECT tid FROM tpl_all WHERE k = (i * 31) % (SELECT COUNT(*) FROM tpl_all)) END,
         created FROM c;
-- A template still open goes only to copies raised at most a day before it.
UPDATE cp SET tid = (SELECT tid FROM tpl_closed WHERE k = cp.i % (SELECT COUNT(*) FROM tpl_closed))
  WHERE (SELECT status <> 'closed' AND created_at - 86400 > cp.created FROM request WHERE id = cp.tid);
UPDATE cp SET shift = created - (SELECT created_at FROM request WHERE id = cp.tid);
UPDATE cp SET (status, last_at) = (SELECT json_extract(e.detail, '\$.to'), e.at + cp.shift
    FROM request_event e WHERE e.request_id = cp.tid AND e.kind = 'status' AND e.at + cp.shift <= $NOW
    ORDER BY e.id DESC LIMIT 1);
UPDATE cp SET status = 'open', last_at = created WHERE status IS NULL;
INSERT INTO request (id, contract_id, version_id, service_id, provider_department_id,
    consumer_department_id, title, description, priority, priority_factor, external_ref,
    requester_id, assignee_id, status, created_at, updated_at, response_target_secs,
    response_due_at, responded_at, response_met, resolution_target_secs, resolution_due_at,
    paused_secs, paused_since, resolved_at, resolution_secs, resolution_met, closed_at,
    reopen_count, missing_info_count, next_fire_at, imported$EXTRA_COLS)
  SELECT $BASE + cp.i, t.contract_id, t.version_id, t.service_id, t.provider_department_id,
    t.consumer_department_id, t.title, t.description, t.priority, t.priority_factor,
    CASE WHEN t.external_ref IS NULL THEN NULL ELSE t.external_ref || '-' || cp.i END,
    t.requester_id, t.assignee_id, cp.status, cp.created, cp.last_at, t.response_target_secs,
    t.response_due_at + cp.shift,
    CASE WHEN t.responded_at + cp.shift <= $NOW THEN t.responded_at + cp.shift END,
    CASE WHEN t.responded_at + cp.shift <= $NOW THEN t.response_met END,
    t.resolution_target_secs, t.resolution_due_at + cp.shift, t.paused_secs,
    CASE WHEN cp.status = 'waiting_on_consumer' THEN cp.last_at
         WHEN cp.status IN ('resolved', 'closed') THEN t.paused_since + cp.shift END,
    CASE WHEN cp.status IN ('resolved', 'closed') THEN t.resolved_at + cp.shift END,
    CASE WHEN cp.status IN ('resolved', 'closed') THEN t.resolution_secs END,
    CASE WHEN cp.status IN ('resolved', 'closed') THEN t.resolution_met END,
    CASE WHEN cp.status = 'closed' THEN t.closed_at + cp.shift END,
    t.reopen_count, t.missing_info_count,
    CASE WHEN cp.status <> 'closed' THEN (SELECT MIN(v) FROM (
        SELECT x.due_at + cp.shift AS v FROM request_escalation x WHERE x.request_id = t.id
        UNION ALL SELECT t.next_fire_at + cp.shift
        UNION ALL SELECT t.closed_at + cp.shift WHERE cp.status = 'resolved') WHERE v > $NOW) END,
    t.imported$EXTRA_VALS
  FROM cp JOIN request t ON t.id = cp.tid ORDER BY cp.i;
$BREACH
INSERT INTO request_event (request_id, at, actor_id, kind, detail)
  SELECT $BASE + cp.i, e.at + cp.shift, e.actor_id, e.kind, e.detail
  FROM cp JOIN request_event e ON e.request_id = cp.tid
  WHERE e.at + cp.shift <= $NOW AND e.kind NOT IN ('comment', 'note') ORDER BY cp.i, e.id;
INSERT INTO request_escalation (request_id, clock, level, due_at, fired_at, manual)
  SELECT $BASE + cp.i, x.clock, x.level, x.due_at + cp.shift, x.fired_at + cp.shift, x.manual
  FROM cp JOIN request_escalation x ON x.request_id = cp.tid WHERE x.fired_at + cp.shift <= $NOW;
COMMIT;
SQL
t1=$(date +%s%3N)
echo "database: $(sqlite3 "$DB" "SELECT COUNT(*) FROM request") requests," \
    "$(sqlite3 "$DB" "SELECT COUNT(*) FROM request_event") events," \
    "$(sqlite3 "$DB" "SELECT COUNT(*) FROM request_escalation") escalations," \
    "$(($(stat -c %s "$DB") / 1048576)) MiB; copies made in $((t1 - t0)) ms"
echo "Finance (department $FIN) provides $(sqlite3 "$DB" "SELECT COUNT(*) FROM request WHERE provider_department_id = $FIN"),"\
    "not closed: $(sqlite3 "$DB" "SELECT COUNT(*) FROM request WHERE provider_department_id = $FIN AND status <> 'closed'");" \
    "statuses: $(sqlite3 "$DB" "SELECT group_concat(status || ' ' || n, ', ') FROM (SELECT status, COUNT(*) AS n FROM request GROUP BY 1 ORDER BY 2 DESC)")"

# GET by id: 4096 random requests Finance raised or received, from all of the history.
{
    echo "local ids = {"
    sqlite3 "$DB" "SELECT id || ',' FROM request WHERE provider_department_id = $FIN
        OR consumer_department_id = $FIN ORDER BY random() LIMIT 4096"
    echo "}"
    cat <<'LUA'
local i = 0
function init(args) i = math.random(1, #ids) end
function request()
  i = i % #ids + 1
  return wrk.format("GET", "/api/v1/requests/" .. ids[i])
end
LUA
} >"$WORK/get_id.lua"
# create: varied titles, one prebuilt request per title.
cat >"$WORK/create.lua" <<LUA
local reqs, i = {}, 0
function init(args)
  local tid = math.random(1, 1000000)
  for k = 1, 4096 do
    local body = string.format('{"contract_id":$CONTRACT,"title":"Credit check for customer %06d-%04d (first order %d EUR)"}',
                               tid, k, math.random(1000, 99000))
    local h = {["Content-Type"] = "application/json"}
    for name, v in pairs(wrk.headers) do h[name] = v end -- -H Authorization: a table given replaces them
    reqs[k] = wrk.format("POST", "/api/v1/requests", h, body)
  end
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
LUA
QUEUE="/api/v1/requests?open=true&provider=$FIN&limit=50"

RUN_DB="$WORK/run.db"
SORTED=
echo "wrk -t2 -d${DUR}s; create at -c16, reads at -c64; $("$BIN" --version 2>/dev/null | head -n 1) from ${ACCORD:-./accord}"
printf "%-5s %-26s %9s %8s %8s %7s %9s  %s\n" round measure "req/s" "p50_ms" "p99_ms" non2xx foreign_s "rows / note"
for r in $(seq 1 "$RUNS"); do
    wait_quiet
    cp "$DB" "$RUN_DB"
    rm -f "$RUN_DB-wal" "$RUN_DB-shm"
    start_accord "$RUN_DB"
    AUTH="Authorization: Bearer $FIONA"
    if [ "$r" = 1 ]; then
        page=$(curl -sf -H "$AUTH" "http://127.0.0.1:$AP$QUEUE")
        echo "      queue page: $(echo "$page" | jq '.items | length') requests, due_at sorted:" \
            "$(echo "$page" | jq '[.items[].clocks.resolution.due_at] | . == sort')" >&2
        sorted_code=$(curl -s -o "$WORK/sorted.json" -w '%{http_code}' -H "$AUTH" \
            "http://127.0.0.1:$AP$QUEUE&sort=resolution_due")
        if [ "$sorted_code" = 200 ] &&
            [ "$(jq '[.items[].clocks.resolution.due_at] | (. == sort) and length == 50' "$WORK/sorted.json")" = true ] &&
            [ "$(jq -c '[.items[].id]' "$WORK/sorted.json")" != "$(echo "$page" | jq -c '[.items[].id]')" ]; then
            SORTED=1
        else
            echo "      &sort=resolution_due: not supported by this server (HTTP $sorted_code, page not in due order)" >&2
        fi
    fi
    settle "$APID"
    read -r rs p50 p99 bad f < <(wrk_run "$APID" 64 "http://127.0.0.1:$AP" -H "$AUTH" -s "$WORK/get_id.lua")
    printf "%-5s %-26s %9s %8s %8s %7s %9s\n" "$r" "accord GET request by id" "$rs" "$p50" "$p99" "$bad" "$f"
    echo "$r id $rs $p50 $p99" >>"$WORK/fig"
    settle "$APID"
    read -r rs p50 p99 bad f < <(wrk_run "$APID" 64 "http://127.0.0.1:$AP$QUEUE" -H "$AUTH")
    printf "%-5s %-26s %9s %8s %8s %7s %9s\n" "$r" "accord GET queue page 1" "$rs" "$p50" "$p99" "$bad" "$f"
    echo "$r queue $rs $p50 $p99" >>"$WORK/fig"
    if [ -n "$SORTED" ]; then
        settle "$APID"
        read -r rs p50 p99 bad f < <(wrk_run "$APID" 64 "http://127.0.0.1:$AP$QUEUE&sort=resolution_due" -H "$AUTH")
        printf "%-5s %-26s %9s %8s %8s %7s %9s\n" "$r" "accord GET queue by due" "$rs" "$p50" "$p99" "$bad" "$f"
        echo "$r queue_due $rs $p50 $p99" >>"$WORK/fig"
    fi
    # create, with the server's own count of what it stored
    settle "$APID"
    before=$(sqlite3 "$RUN_DB" "SELECT COUNT(*) FROM request")
    if [ "$r" = 1 ] && [ -n "${PERF:-}" ]; then
        perf record --call-graph dwarf,16384 -F 499 -q -o "$PERF" -p "$APID" -- sleep "$DUR" 2>/dev/null &
        PPID_PERF=$!
    fi
    read -r rs p50 p99 bad f < <(wrk_run "$APID" 16 "http://127.0.0.1:$AP" -H "Authorization: Bearer $SARA" -s "$WORK/create.lua")
    [ -n "$PPID_PERF" ] && { wait "$PPID_PERF" || true; PPID_PERF=; }
    stop_pid "$APID"
    APID=
    rows=$(($(sqlite3 "$RUN_DB" "SELECT COUNT(*) FROM request") - before))
    printf "%-5s %-26s %9s %8s %8s %7s %9s  rows=%s (c16)\n" "$r" "accord POST create" "$rs" "$p50" "$p99" "$bad" "$f" "$rows"
    echo "$r create $rs $p50 $p99" >>"$WORK/fig"

    start_ref -m epoll -t 2
    read -r rs p50 p99 bad f < <(wrk_run "$RPID" 64 "http://127.0.0.1:$RP/")
    stop_pid "$RPID"
    RPID=
    printf "%-5s %-26s %9s %8s %8s %7s %9s\n" "$r" "reference GET /" "$rs" "$p50" "$p99" "$bad" "$f"
    echo "$r ref_get $rs $p50 $p99" >>"$WORK/fig"
    for sync in normal full; do
        rm -f "$WORK"/ref.db*
        start_ref -m epoll -t 2 -d "$WORK/ref.db" -s "$sync" -g
        read -r rs p50 p99 bad f < <(wrk_run "$RPID" 16 "http://127.0.0.1:$RP/items" -s "$WORK/post_varied.lua")
        stop_pid "$RPID"
        RPID=
        printf "%-5s %-26s %9s %8s %8s %7s %9s  %s (c16)\n" "$r" "reference POST -g -s $sync" "$rs" "$p50" "$p99" "$bad" "$f" \
            "$(grep -o 'rows=[0-9]* batches=[0-9]* avg_batch=[0-9.]*' "$WORK/ref.log")"
        echo "$r ref_post_$sync $rs $p50 $p99" >>"$WORK/fig"
    done
done
rm -f "$RUN_DB" "$RUN_DB-wal" "$RUN_DB-shm" "$WORK"/ref.db*

# Medians over the rounds, and ratios of the medians.
med() { awk -v k="$1" -v c="$2" '$2 == k {print $c}' "$WORK/fig" | sort -g |
    awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
spread() { awk -v k="$1" '$2 == k {print $3}' "$WORK/fig" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {print lo "-" hi}'; }
ratio() { awk -v a="$(med "$1" 3)" -v b="$(med "$2" 3)" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "medians of $RUNS rounds, wrk -t2 -d${DUR}s (range of req/s in brackets):"
for k in create ref_post_normal ref_post_full id queue ${SORTED:+queue_due} ref_get; do
    printf "  %-16s %7s req/s [%s]  p50 %s ms  p99 %s ms\n" "$k" "$(med "$k" 3)" "$(spread "$k")" "$(med "$k" 4)" "$(med "$k" 5)"
done
echo "  create / reference -g -s normal:   $(ratio create ref_post_normal)x  (target >= 0.5)"
echo "  create / reference -g -s full:     $(ratio create ref_post_full)x"
echo "  GET by id / reference GET:         $(ratio id ref_get)x  (target >= 0.3, p99 < 5 ms)"
echo "  queue page 1 / reference GET:      $(ratio queue ref_get)x  (target >= 0.3, p99 < 5 ms)"
[ -n "$SORTED" ] && echo "  queue by due / reference GET:      $(ratio queue_due ref_get)x  (target >= 0.3, p99 < 5 ms)"
true
