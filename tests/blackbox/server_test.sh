#!/usr/bin/env bash
# server_test.sh: black-box tests of the real `accord serve` on a free 127.0.0.1 port:
# keep-alive, sessions and CSRF, limits over a socket, crash durability, metrics, logs, CLI.
set -u
cd "$(dirname "$0")/../.."
. tests/blackbox/lib.sh
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT
DB="$WORK/bb.db"

"$ACCORD_BIN" --db "$DB" demo >"$WORK/demo.out" 2>&1
check "demo creates the organisation" grep -q "admin@example.org" "$WORK/demo.out"
TOKEN=$("$ACCORD_BIN" --db "$DB" token create --email admin@example.org --label blackbox)
check "token create prints only the token" test "$(printf '%s' "$TOKEN" | wc -l)" -eq 0 -a "${#TOKEN}" -eq 47
MEMBER_TOKEN=$("$ACCORD_BIN" --db "$DB" token create --email sara.lindqvist@example.org)
start_server "$DB" || { summary; exit 1; }
AUTH=(-H "Authorization: Bearer $TOKEN")

# --- HTTP basics ---
code=$(curl -s -o "$WORK/h.json" -w '%{http_code}' "$URL/healthz")
check "healthz answers 200 without authentication" test "$code" = 200
check "healthz says ok" grep -q '"status":"ok"' "$WORK/h.json"

# Two requests on one connection: curl reuses it only if the server kept it open.
curl -s -o /dev/null -o /dev/null -w '%{num_connects}\n' "${AUTH[@]}" \
    "$URL/api/v1/departments" "$URL/api/v1/departments" >"$WORK/conns"
check "keep-alive: two requests over one connection" test "$(awk '{s += $1} END {print s}' "$WORK/conns")" -eq 1
curl -s -D "$WORK/ka.h" -o /dev/null "${AUTH[@]}" "$URL/api/v1/me"
check "keep-alive: no 'Connection: close' on a GET" bash -c "! grep -qi '^connection: close' '$WORK/ka.h'"

code=$(curl -s -o "$WORK/p.json" -D "$WORK/p.h" -w '%{http_code}' "$URL/api/v1/departments")
check "API without credentials is 401" test "$code" = 401
check "401 is problem+json" grep -qi '^content-type: application/problem+json' "$WORK/p.h"
check "401 says how to authenticate" grep -qi '^www-authenticate: Bearer' "$WORK/p.h"
check "every response carries X-Request-Id" grep -qi '^x-request-id: [0-9a-f]\{16\}' "$WORK/p.h"
rid=$(grep -i '^x-request-id' "$WORK/p.h" | tr -d '\r' | awk '{print $2}')
sleep 0.2
check "the request id is in the JSON-lines log" grep -q "\"request_id\":\"$rid\"" "$WORK/server.log"
check "every log line is a JSON object" bash -c "! grep -qv '^{.*}$' '$WORK/server.log'"

# --- bodies over a real socket ---
head -c 70000 /dev/zero | tr '\0' 'a' | sed 's/^/{"name":"/; s/$/"}/' >"$WORK/big.json"
before=$(curl -s "${AUTH[@]}" "$URL/api/v1/departments?limit=200" | grep -o '"id":' | wc -l)
code=$(curl -s -o "$WORK/big.out" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' \
    --data-binary @"$WORK/big.json" "$URL/api/v1/departments")
check "a body over 64 KiB is 413" test "$code" = 413
check "413 is a problem with a detail" grep -q '"status":413' "$WORK/big.out"
code=$(curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: text/plain' \
    --data '{"name":"X"}' "$URL/api/v1/departments")
check "a body that is not JSON by type is 415" test "$code" = 415
code=$(curl -s -o "$WORK/bad.out" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' \
    --data '{"name": ' "$URL/api/v1/departments")
check "malformed JSON is 400" test "$code" = 400
after=$(curl -s "${AUTH[@]}" "$URL/api/v1/departments?limit=200" | grep -o '"id":' | wc -l)
check "bad bodies changed nothing" test "$before" = "$after"

# --- sessions, cookies, CSRF ---
curl -s -c "$WORK/jar" -D "$WORK/s.h" -o "$WORK/s.json" -H 'Content-Type: application/json' \
    --data '{"email":"fiona.clarke@example.org","password":"accord-demo"}' "$URL/api/v1/session"
check "sign-in sets an HttpOnly SameSite=Strict cookie" \
    grep -qi '^set-cookie: accord_session=acc_.*HttpOnly; SameSite=Strict' "$WORK/s.h"
csrf=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' "$WORK/s.json")
code=$(curl -s -b "$WORK/jar" -o /dev/null -w '%{http_code}' "$URL/api/v1/me")
check "the cookie signs in" test "$code" = 200
code=$(curl -s -b "$WORK/jar" -o /dev/null -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' \
    --data '{"deputy_id":null}' "$URL/api/v1/departments/1")
check "a cookie write without X-CSRF-Token is 403" test "$code" = 403
code=$(curl -s -b "$WORK/jar" -o "$WORK/patch.json" -w '%{http_code}' -X PATCH \
    -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    --data '{"deputy_id":null}' "$URL/api/v1/departments/1")
check "the head of Finance changes its deputy with the CSRF token" test "$code" = 200
code=$(curl -s -b "$WORK/jar" -o /dev/null -w '%{http_code}' -X PATCH \
    -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    --data '{"deputy_id":null}' "$URL/api/v1/departments/2")
check "the head of Finance may not change Sales" test "$code" = 403
code=$(curl -s -b "$WORK/jar" -c "$WORK/jar" -o /dev/null -w '%{http_code}' -X DELETE \
    -H "X-CSRF-Token: $csrf" "$URL/api/v1/session")
check "sign-out is 204" test "$code" = 204
code=$(curl -s -b "$WORK/jar" -o /dev/null -w '%{http_code}' "$URL/api/v1/me")
check "after sign-out the cookie no longer works" test "$code" = 401

# --- sign-in rate limit over the socket ---
for i in 1 2 3 4 5; do
    curl -s -o /dev/null -H 'Content-Type: application/json' \
        --data '{"email":"hugo.lambert@example.org","password":"wrong-password"}' "$URL/api/v1/session"
done
code=$(curl -s -D "$WORK/rl.h" -o "$WORK/rl.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data '{"email":"hugo.lambert@example.org","password":"accord-demo"}' "$URL/api/v1/session")
check "the sixth sign-in of an account within 15 minutes is 429" test "$code" = 429
check "429 carries Retry-After" grep -qi '^retry-after: [0-9]' "$WORK/rl.h"
code=$(curl -s -o "$WORK/nx.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data '{"email":"nobody@example.org","password":"wrong-password"}' "$URL/api/v1/session")
curl -s -o "$WORK/wp.json" -H 'Content-Type: application/json' \
    --data '{"email":"helen.park@example.org","password":"wrong-password"}' "$URL/api/v1/session"
check "an unknown account is 401" test "$code" = 401
check "unknown account and wrong password read the same" \
    test "$(sed 's/"request_id":"[^"]*"//' "$WORK/nx.json")" = "$(sed 's/"request_id":"[^"]*"//' "$WORK/wp.json")"

# --- roles and tokens ---
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $MEMBER_TOKEN" \
    -H 'Content-Type: application/json' --data '{"name":"Legal"}' "$URL/api/v1/departments")
check "a member may not create a department" test "$code" = 403
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $MEMBER_TOKEN" "$URL/api/v1/audit")
check "a member may not read the audit log" test "$code" = 403
tid=$("$ACCORD_BIN" --db "$DB" token list --email sara.lindqvist@example.org | awk 'NR==2 {print $1}')
"$ACCORD_BIN" --db "$DB" token revoke "$tid" >/dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $MEMBER_TOKEN" "$URL/api/v1/me")
check "a revoked token is refused at once" test "$code" = 401

# --- metrics, OpenAPI, web UI ---
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/metrics")
check "metrics need authentication" test "$code" = 401
curl -s "${AUTH[@]}" "$URL/metrics" >"$WORK/metrics"
check "metrics count requests by route and status" \
    grep -q 'accord_http_requests_total{method="GET",route="/api/v1/departments",status="200"}' "$WORK/metrics"
check "metrics have a latency histogram" grep -q 'accord_http_request_duration_seconds_bucket{le="+Inf"}' "$WORK/metrics"
check "metrics show the DB pool" grep -q '^accord_db_pool_connections ' "$WORK/metrics"
check "metrics show uptime" grep -q '^accord_uptime_seconds ' "$WORK/metrics"
code=$(curl -s -o "$WORK/openapi.json" -w '%{http_code}' "${AUTH[@]}" "$URL/api/v1/openapi.json")
check "the OpenAPI document is served" test "$code" = 200
check "it is OpenAPI 3.1" grep -q '"openapi": *"3.1' "$WORK/openapi.json"
curl -s -D "$WORK/ui.h" -o "$WORK/ui.html" "$URL/signin"
check "the sign-in page is public HTML" grep -qi '^content-type: text/html' "$WORK/ui.h"
etag=$(grep -i '^etag' "$WORK/ui.h" | tr -d '\r' | cut -d' ' -f2)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$URL/signin")
check "the UI's content-hash ETag gives 304" test -n "$etag" -a "$code" = 304

# --- cached organisation reads follow changes made by another process ---
curl -s "${AUTH[@]}" "$URL/api/v1/departments?limit=200" >/dev/null
"$ACCORD_BIN" --db "$DB" department add --name "Research" >/dev/null
check "a department added by the CLI shows in the next API read" \
    bash -c "curl -s -H 'Authorization: Bearer $TOKEN' '$URL/api/v1/departments?limit=200' | grep -q '\"name\":\"Research\"'"
check "metrics count reply cache hits" grep -q '^accord_http_cache_hits_total ' "$WORK/metrics"

# --- an acknowledged write survives kill -9 ---
code=$(curl -s -o "$WORK/k.json" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' \
    --data '{"name":"Legal"}' "$URL/api/v1/departments")
check "create a department before the crash" test "$code" = 201
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=
check "the database is intact after kill -9" "$ACCORD_BIN" --db "$DB" check
start_server "$DB" || { summary; exit 1; }
check "the acknowledged department is there after kill -9 and restart" \
    bash -c "curl -s -H 'Authorization: Bearer $TOKEN' '$URL/api/v1/departments?limit=200' | grep -q '\"name\":\"Legal\"'"
stop_server

# --- the CLI ---
for c in serve init demo migrate check department user token calendar; do
    "$ACCORD_BIN" "$c" --help >"$WORK/help.out" 2>&1
    check "accord $c --help exits 0 and says usage" grep -qi usage "$WORK/help.out"
done
"$ACCORD_BIN" --version | grep -q "^accord [0-9]"
check "accord --version" test $? -eq 0
"$ACCORD_BIN" frobnicate >/dev/null 2>&1
check "an unknown command exits 2" test $? -eq 2
"$ACCORD_BIN" --db "$DB" user add --email x@example.org --name X --department Nowhere --role member >/dev/null 2>&1
check "user add with an unknown department fails" test $? -ne 0
"$ACCORD_BIN" --db "$DB" demo >/dev/null 2>&1
check "demo refuses a database that holds an organisation" test $? -eq 1
echo "a-new-password-1" | "$ACCORD_BIN" --db "$DB" user passwd --email iris.novak@example.org --password-stdin >/dev/null
start_server "$DB" || { summary; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data '{"email":"iris.novak@example.org","password":"a-new-password-1"}' "$URL/api/v1/session")
check "user passwd sets a password that signs in" test "$code" = 201
stop_server
printf 'secret-admin-pw\n' | "$ACCORD_BIN" --db "$WORK/init.db" init --admin-email boss@example.org --password-stdin >/dev/null
check "init creates an empty organisation" bash -c "'$ACCORD_BIN' --db '$WORK/init.db' user list | grep -q boss@example.org"

"$ACCORD_BIN" --db "$WORK/missing.db" user list >/dev/null 2>"$WORK/missing.err"
check "a command on a database that does not exist fails" test $? -eq 1
check "and creates no empty database" test ! -e "$WORK/missing.db"
"$ACCORD_BIN" --db "$DB" serve --listen 127.0.0.1 >/dev/null 2>&1
check "serve with a bad --listen fails" test $? -ne 0

# --- a database from a newer accord is refused ---
sqlite3 "$WORK/init.db" "INSERT INTO schema_version (version, applied_at) VALUES (9999, 0)"
"$ACCORD_BIN" --db "$WORK/init.db" migrate >/dev/null 2>"$WORK/newer.err"
check "migrate refuses a newer database" test $? -eq 1
check "with a clear error" grep -q "newer than this accord" "$WORK/newer.err"

# --- stored calendars from the CLI, then over HTTP ---
"$ACCORD_BIN" --db "$DB" calendar list >"$WORK/cal-list.out"
check "calendar list shows the demo calendars" \
    bash -c "grep -q 'Head office' '$WORK/cal-list.out' && grep -q 'Plant shifts' '$WORK/cal-list.out' && grep -q 'IT 24x7' '$WORK/cal-list.out'"
"$ACCORD_BIN" --db "$DB" calendar add --name "Night desk" --zone America/New_York \
    --hours "22:00-06:00,22:00-06:00,22:00-06:00,22:00-06:00,22:00-06:00,-,-" --holidays 2026-07-03 \
    >"$WORK/cal-add.out"
check "calendar add stores a calendar with nights past midnight" grep -q "Night desk" "$WORK/cal-add.out"
"$ACCORD_BIN" --db "$DB" calendar add --name "Bad" --zone Nowhere/Land --hours "-,-,-,-,-,-,-" >/dev/null 2>&1
check "calendar add with an unknown zone exits 2" test $? -eq 2
cat >"$WORK/us.ics" <<'ICS'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//accord//blackbox//EN
BEGIN:VEVENT
UID:july4@example.org
SUMMARY:Independence Day
DTSTART;VALUE=DATE:20000704
RRULE:FREQ=YEARLY
END:VEVENT
BEGIN:VEVENT
UID:thanksgiving@example.org
SUMMARY:Thanksgiving
DTSTART;VALUE=DATE:20001123
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH
END:VEVENT
BEGIN:VEVENT
UID:dinner@example.org
SUMMARY:Team dinner
DTSTART:20261210T190000Z
END:VEVENT
END:VCALENDAR
ICS
"$ACCORD_BIN" --db "$DB" calendar import-ics "night desk" "$WORK/us.ics" --years 2 >"$WORK/imp1.out"
check "import-ics expands yearly rules over this year + 2" grep -q "added 6, skipped 0" "$WORK/imp1.out"
check "import-ics names the event it cannot read" grep -q "^error: Team dinner: .*time of day" "$WORK/imp1.out"
"$ACCORD_BIN" --db "$DB" calendar import-ics "night desk" "$WORK/us.ics" --years 2 >"$WORK/imp2.out"
check "importing the same file twice adds nothing" grep -q "added 0, skipped 6" "$WORK/imp2.out"
printf 'not a calendar\n' >"$WORK/bad.ics"
"$ACCORD_BIN" --db "$DB" calendar import-ics "night desk" "$WORK/bad.ics" >/dev/null 2>&1
check "import-ics of a file that is not iCalendar exits 1" test $? -eq 1
"$ACCORD_BIN" --db "$DB" calendar show "Night desk" >"$WORK/cal-show.out"
check "calendar show lists hours and holidays" \
    bash -c "grep -q 'Thanksgiving' '$WORK/cal-show.out' && grep -q '2026-07-03' '$WORK/cal-show.out' && grep -q '22:00-06:00 (next day)' '$WORK/cal-show.out'"
start_server "$DB" || { summary; exit 1; }
id=$(sed -n 's/^\([0-9]*\)\tNight desk.*/\1/p' "$WORK/cal-add.out")
code=$(curl -s -o "$WORK/due.json" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' \
    --data '{"start":"2026-01-09T12:00:00Z","minutes":60}' "$URL/api/v1/calendars/$id/due")
check "due on a stored calendar over HTTP: Friday noon plus an hour is Friday 23:00 local" \
    bash -c "test '$code' = 200 && grep -q '\"due_local\":\"2026-01-09T23:00-05:00\"' '$WORK/due.json'"
code=$(curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: text/calendar' \
    --data-binary @"$WORK/us.ics" "$URL/api/v1/calendars/$id/holidays/import?years=2")
check "the import over HTTP answers 200" test "$code" = 200
stop_server

summary
