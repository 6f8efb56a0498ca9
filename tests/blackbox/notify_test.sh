#!/usr/bin/env bash
# notify_test.sh: notifications from the real `accord serve` to real receivers on 127.0.0.1:
# an SMTP server (python3-aiosmtpd, STARTTLS and AUTH) gets the e-mails: recipients, subject,
# link, threading headers, a person's choice honoured, escalations always sent; a webhook
# receiver checks every signature, answers 500 at first, is unreachable for a while, then
# accepts: every event arrives, each once after de-duplication by id, in bounded time. A
# refused mailbox and a dead endpoint are parked as failed and sent again by hand. The server
# is killed with SIGKILL while deliveries are in flight and restarted: nothing is lost.
set -u
cd "$(dirname "$0")/../.."
. tests/blackbox/lib.sh
PY=${PYTHON:-/usr/bin/python3}
WORK=$(mktemp -d)
HELPERS=""
cleanup() {
    stop_server
    for p in $HELPERS; do
        { kill -9 "$p" && wait "$p"; } 2>/dev/null
    done
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
DB="$WORK/notify.db"
SMTP_PASSWORD="smtp-Pa55word-never-logged"
SECRET="webhook-secret-of-the-test-0123456789"

q() { sqlite3 "$DB" "$1"; }

# wait_until SECONDS COMMAND...: polls every 0.2 s until the command succeeds.
wait_until() {
    local n=$(($1 * 5))
    shift
    for _ in $(seq 1 "$n"); do
        "$@" && return 0
        sleep 0.2
    done
    return 1
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

api() { # api TOKEN METHOD PATH [BODY]: prints the body
    curl -s -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -X "$2" \
        ${4:+--data "$4"} "$URL$3"
}

status() { # status TOKEN METHOD PATH [BODY]: prints the HTTP status
    curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' -X "$2" ${4:+--data "$4"} "$URL$3"
}

json() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

metric() {
    curl -s -H "Authorization: Bearer $ADMIN" "$URL/metrics" | awk -v m="$1" '$1 == m {print $2}'
}

# start_hook ARGS...: the webhook receiver on $HOOK_PORT, logging to $WORK/hooks.log.
start_hook() {
    "$PY" tests/blackbox/notify_webhook.py --port "$HOOK_PORT" --secret "$SECRET" \
        --log "$WORK/hooks.log" "$@" 2>>"$WORK/hook.err" &
    HOOK_PID=$!
    HELPERS="$HELPERS $HOOK_PID"
    wait_until 10 listening "$HOOK_PORT"
}

kill_hook() {
    kill -9 "$HOOK_PID" 2>/dev/null
    wait "$HOOK_PID" 2>/dev/null
}

# Distinct event ids the receiver accepted (204) with a good signature.
accepted() {
    "$PY" - "$WORK/hooks.log" <<'EOF'
import json, sys
ids = set()
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["status"] == 204 and r["verified"]:
        ids.add(r["id"])
print("\n".join(sorted(ids)))
EOF
}

# Whether every event row's id was accepted by the receiver.
all_arrived() {
    local want
    want=$(q "SELECT event_uid FROM outbox WHERE channel = 'event' AND event_uid IS NOT NULL
              ORDER BY event_uid")
    [ -n "$want" ] && [ "$(q "SELECT COUNT(*) FROM outbox WHERE channel = 'event' AND
        state = 'pending'")" = 0 ] && [ "$(accepted | LC_ALL=C comm -23 <(echo "$want") -)" = "" ]
}

# mails FILTER: a Python expression over m (an email.message) and r (the record) printing lines.
mails() {
    "$PY" - "$WORK/mail" "$1" <<'EOF'
import email, email.policy, glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    r = json.load(open(f))
    m = email.message_from_string(r["data"], policy=email.policy.default)
    out = eval("(" + sys.argv[2] + ")")
    if out is not None:
        print(out)
EOF
}

for tool in sqlite3 curl openssl; do
    command -v $tool >/dev/null || {
        fail "$tool is installed (scripts/deps.sh --test)"
        summary
        exit 1
    }
done
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
    fail "python3-aiosmtpd is installed (scripts/deps.sh --test)"
    summary
    exit 1
fi

# --- receivers, configuration, server ---
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
    -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
SMTP_PORT=$(free_port)
HOOK_PORT=$(free_port)
DEAD_PORT=$(free_port)
"$PY" tests/blackbox/notify_smtp.py --port "$SMTP_PORT" --dir "$WORK/mail" --reject "$WORK/reject" \
    --cert "$WORK/cert.pem" --key "$WORK/key.pem" --user accord --password "$SMTP_PASSWORD" \
    2>"$WORK/smtp.err" &
HELPERS="$HELPERS $!"
check "the SMTP server listens" wait_until 10 listening "$SMTP_PORT"
start_hook --fail 1000000
check "the webhook receiver listens, answering 500 to everything" listening "$HOOK_PORT"

"$ACCORD_BIN" --db "$DB" demo >/dev/null 2>&1
ADMIN=$("$ACCORD_BIN" --db "$DB" token create --email admin@example.org)
AGENT=$("$ACCORD_BIN" --db "$DB" token create --email chidi.okafor@example.org) # Customer Service
cat >"$WORK/notify.conf" <<EOF
# the test's notification settings; the password comes from ACCORD_SMTP_PASSWORD
base_url = https://accord.test/
smtp_host = 127.0.0.1
smtp_port = $SMTP_PORT
smtp_tls = starttls
smtp_ca_file = $WORK/cert.pem
smtp_user = accord
smtp_from = accord@example.org
smtp_from_name = accord (test)
attempts = 8
retry_first_secs = 1
retry_max_secs = 2
timeout_secs = 2
lease_secs = 4
poll_secs = 1
EOF
export ACCORD_SMTP_PASSWORD=$SMTP_PASSWORD
# The demo's own requests come due a day later, so that no level fires during the test.
q "UPDATE request SET next_fire_at = next_fire_at + 86400 WHERE next_fire_at IS NOT NULL"
start_server "$DB" --notify-config "$WORK/notify.conf" || {
    summary
    exit 1
}
check "the worker says e-mail is on" grep -q '"msg":"notification worker started","email":"on"' \
    "$WORK/server.log"

HOOK=$(api "$ADMIN" POST /api/v1/webhooks \
    "{\"url\":\"http://127.0.0.1:$HOOK_PORT/accord\",\"secret\":\"$SECRET\",\"event_types\":[\"*\"]}" |
    json 'd["id"]')
DEAD=$(api "$ADMIN" POST /api/v1/webhooks \
    "{\"url\":\"http://127.0.0.1:$DEAD_PORT/never\",\"event_types\":[\"request.raised\"]}" | json 'd["id"]')
check "two webhooks registered" test -n "$HOOK" -a -n "$DEAD"

# The consumer turns off the e-mails of 'waiting on you', and cannot turn off escalations.
check "a person turns an optional e-mail off" test "$(status "$AGENT" PUT /api/v1/me/notifications \
    '{"email":{"request.waiting_on_consumer":false}}')" = 200
check "but not the escalations' (400)" test "$(status "$AGENT" PUT /api/v1/me/notifications \
    '{"email":{"request.escalated":false}}')" = 400

# --- a request's life: raised, commented, waiting, answered, escalated, resolved ---
R1=$(api "$AGENT" POST /api/v1/requests '{"contract_id":10,"title":"Zugang für Zoë – CRM"}' |
    json 'd["id"]')
ASSIGNEE=$(q "SELECT p.email FROM request r JOIN person p ON p.id = r.assignee_id WHERE r.id = $R1")
POINT=$("$ACCORD_BIN" --db "$DB" token create --email "$ASSIGNEE")
check "a request raised, assigned to a point person" test -n "$R1" -a -n "$ASSIGNEE"
check "the consumer comments" test "$(status "$AGENT" POST "/api/v1/requests/$R1/comments" \
    '{"body":"Please hurry: Zoë starts on Monday."}')" = 201
check "the provider waits on the consumer" test "$(status "$POINT" POST \
    "/api/v1/requests/$R1/transitions" '{"to":"waiting_on_consumer","reason":"Which CRM role?"}')" = 200
check "the provider answers in public" test "$(status "$POINT" POST "/api/v1/requests/$R1/comments" \
    '{"body":"Sales role, read-only, unless you say otherwise."}')" = 201
check "the consumer answers and escalates by hand" test "$(status "$AGENT" POST \
    "/api/v1/requests/$R1/transitions" '{"to":"in_progress"}')$(status "$AGENT" POST \
    "/api/v1/requests/$R1/escalate")" = 200200
check "the provider resolves it" test "$(status "$POINT" POST "/api/v1/requests/$R1/transitions" \
    '{"to":"resolved","reason":"Account created."}')" = 200
for i in 1 2 3 4 5; do
    api "$AGENT" POST /api/v1/requests "{\"contract_id\":10,\"title\":\"Access request $i\"}" >/dev/null
done
EVENTS=$(q "SELECT COUNT(*) FROM outbox WHERE channel = 'event'")
check "the outbox holds the 11 events, written with their changes" test "$EVENTS" = 11

# --- the receiver fails, then is unreachable for a while, then accepts ---
three_500s() { [ "$(grep -c '"status": 500' "$WORK/hooks.log" 2>/dev/null)" -ge 3 ]; }
error_kept() {
    [ "$(q "SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND
        last_error LIKE 'HTTP 500: receiver broken: xxx%' AND length(last_error) <= 500")" -ge 1 ]
}
check "the receiver answers 500 to the first attempts" wait_until 10 three_500s
check "the receiver's error body is kept, cut short" wait_until 5 error_kept
kill_hook
sleep 3
check "while the receiver is down, deliveries wait to be tried again" test "$(q "SELECT COUNT(*)
    FROM outbox WHERE channel = 'webhook' AND target_id = $HOOK AND state = 'pending'")" -gt 0
t0=$(date +%s)
start_hook
check "every event arrives, signed, within 30 s of the receiver's return" wait_until 30 all_arrived
echo "# all $EVENTS events arrived $(($(date +%s) - t0)) s after the receiver came back"
check "each event once after de-duplication by id" test "$(accepted | wc -l)" = "$EVENTS"
check "no request with a bad signature or id" bash -c "! grep -q '\"verified\": false' '$WORK/hooks.log'"
check "metrics count the retries" test "$(metric 'accord_notify_retried_total{channel="webhook"}')" -ge 3
check "metrics count the webhooks sent" \
    test "$(metric 'accord_notify_sent_total{channel="webhook"}')" -ge "$EVENTS"

# --- the e-mails ---
mails_tls() { [ "$(mails 'r["tls"]' | sort -u)" = True ]; }
check "the e-mails arrive over STARTTLS" wait_until 15 mails_tls
check "the raised e-mail goes to the assignee, subject encoded and read back" test "$(mails "
    (r['rcpt_tos'], str(m['To']), str(m['Subject'])) if m['X-Accord-Event'] == 'request.raised' and
    '#$R1]' in str(m['Subject']) else None")" = \
    "(['$ASSIGNEE'], '$(q "SELECT name FROM person WHERE email = '$ASSIGNEE'") <$ASSIGNEE>', '[accord #$R1] New request: Zugang für Zoë – CRM')"
check "it is the thread's root" test "$(mails "m['Message-ID'] if m['X-Accord-Event'] ==
    'request.raised' and '#$R1]' in str(m['Subject']) else None")" = "<accord.request.$R1@example.org>"
check "its body links to the request in the web UI" test "$(mails "'ok' if '#$R1]' in
    str(m['Subject']) and 'https://accord.test/#/requests/$R1' in m.get_content() else None" |
    sort -u)" = ok
check "the consumer's comment goes to the assignee, in the request's thread" test "$(mails "
    (r['rcpt_tos'], m['In-Reply-To'], m['References'], m['Message-ID'] != m['In-Reply-To'])
    if m['X-Accord-Event'] == 'request.comment' and r['rcpt_tos'] == ['$ASSIGNEE'] else None")" = \
    "(['$ASSIGNEE'], '<accord.request.$R1@example.org>', '<accord.request.$R1@example.org>', True)"
check "its body quotes the comment" test "$(mails "'ok' if m['X-Accord-Event'] == 'request.comment'
    and 'Zoë starts on Monday' in m.get_content() else None")" = ok
check "the provider's comment goes to the requester" test "$(mails "'ok' if m['X-Accord-Event'] ==
    'request.comment' and r['rcpt_tos'] == ['chidi.okafor@example.org'] else None")" = ok
check "the resolution goes to the requester" test "$(mails "'ok' if m['X-Accord-Event'] ==
    'request.resolved' and r['rcpt_tos'] == ['chidi.okafor@example.org'] else None")" = ok
check "'waiting on you' was turned off by the requester: no such e-mail" test -z "$(mails "
    'x' if m['X-Accord-Event'] == 'request.waiting_on_consumer' else None")"
check "but its webhook event went out" test "$(q "SELECT COUNT(*) FROM outbox WHERE
    channel = 'webhook' AND event_type = 'request.waiting_on_consumer' AND state = 'done'")" = 1
check "the escalation goes to the level's recipients, who cannot turn it off" test -n "$(mails "
    'x' if m['X-Accord-Event'] == 'request.escalated' and 'Escalation level' in str(m['Subject'])
    else None")"
check "the provider's own comment does not come back to them" test -z "$(mails "'x' if m['X-Accord-Event'] ==
    'request.comment' and r['rcpt_tos'] == ['$ASSIGNEE'] and 'Sales role' in m.get_content()
    else None")"
check "the envelope sender is smtp_from" test "$(mails 'r["mail_from"]' | sort -u)" = accord@example.org
check "no e-mail twice" test "$(mails 'm["Message-ID"] + " " + r["rcpt_tos"][0]' | sort | uniq -d)" = ""

# --- a refused mailbox is parked at once and sent again by hand ---
echo "$ASSIGNEE" >"$WORK/reject"
api "$AGENT" POST /api/v1/requests '{"contract_id":10,"title":"Refused at first"}' >/dev/null
failed_mail() {
    api "$ADMIN" GET '/api/v1/outbox?state=failed&channel=email' |
        json '" ".join(str(i["id"]) for i in d["items"] if "550" in (i["last_error"] or ""))'
}
mail_parked() { [ -n "$(failed_mail)" ]; }
check "an e-mail refused with 550 is parked as failed at once" wait_until 10 mail_parked
PARKED=$(failed_mail)
rm -f "$WORK/reject"
check "an administrator sends it again" test "$(status "$ADMIN" POST "/api/v1/outbox/$PARKED/retry")" = 200
refused_arrived() { [ "$(mails "'x' if 'Refused at first' in str(m['Subject']) else None")" = x ]; }
check "it arrives" wait_until 10 refused_arrived
check "and is done" test "$(q "SELECT state FROM outbox WHERE id = $PARKED")" = done

# --- a dead endpoint is parked after its attempts, and re-sent by hand ---
dead_parked() {
    [ "$(q "SELECT COUNT(*) FROM outbox WHERE target_id = $DEAD AND channel = 'webhook' AND
        state = 'failed' AND attempts = 8")" = 7 ]
}
check "the 7 deliveries to a dead endpoint are parked after 8 attempts" wait_until 40 dead_parked
DEADROW=$(api "$ADMIN" GET "/api/v1/outbox?state=failed&channel=webhook" |
    json '[i["id"] for i in d["items"] if i["to"].endswith("/never")][0]')
check "the failed list shows the last error" test "$(api "$ADMIN" GET "/api/v1/outbox/$DEADROW" |
    json '"connect" in d["last_error"].lower()')" = True
check "metrics count the parked ones" test "$(metric 'accord_notify_failed_total{channel="webhook"}')" -ge 7
check "a failed row is re-sent by hand: pending, attempts 0" test "$(api "$ADMIN" POST \
    "/api/v1/outbox/$DEADROW/retry" | json 'd["state"] + str(d["attempts"])')" = pending0
check "once its endpoint is removed, the row is parked with the reason" test "$(status "$ADMIN" \
    DELETE "/api/v1/webhooks/$DEAD")" = 204
dead_reason() {
    [ "$(q "SELECT state || ':' || last_error FROM outbox WHERE id = $DEADROW")" = \
        "failed:webhook $DEAD no longer exists" ]
}
check "...the reason" wait_until 10 dead_reason

# --- SIGKILL while deliveries are in flight, then a restart: nothing is lost ---
kill_hook
start_hook --delay 0.5
before=$(q "SELECT COALESCE(MAX(id), 0) FROM outbox")
for i in $(seq 1 20); do
    status "$AGENT" POST "/api/v1/requests/$R1/comments" "{\"body\":\"burst $i\"}" >/dev/null
done
check "20 more events" test "$(q "SELECT COUNT(*) FROM outbox WHERE id > $before AND channel = 'event'")" = 20
in_flight() {
    [ "$(q "SELECT COUNT(*) FROM outbox WHERE id > $before AND channel = 'webhook' AND
        leased_by IS NOT NULL")" -ge 1 ]
}
check "deliveries are in flight" wait_until 10 in_flight
{
    kill -9 "$SERVER_PID"
    wait "$SERVER_PID"
} 2>/dev/null
SERVER_PID=
inflight=$(q "SELECT COUNT(*) FROM outbox WHERE id > $before AND leased_by IS NOT NULL")
echo "# killed with $inflight deliveries leased"
check "the kill left leased deliveries behind" test "$inflight" -ge 1
start_server "$DB" --notify-config "$WORK/notify.conf" || {
    summary
    exit 1
}
check "after the restart every event arrives, none lost (30 s)" wait_until 30 all_arrived
burst_mailed() { [ "$(mails "'x' if 'burst ' in m.get_content() else None" | wc -l)" -ge 20 ]; }
check "every e-mail of the burst arrives too" wait_until 20 burst_mailed
check "and each comment's e-mail once per Message-ID after de-duplication" test "$(mails "
    m['Message-ID'] if 'burst ' in m.get_content() else None" | sort -u | wc -l)" = 20
none_pending() { [ "$(q "SELECT COUNT(*) FROM outbox WHERE state = 'pending'")" = 0 ]; }
backlog_zero() { [ "$(metric accord_notify_backlog)" = 0 ]; }
check "nothing is left pending" wait_until 10 none_pending
check "the backlog metric is 0" wait_until 5 backlog_zero

# --- secrets never reach logs or the API ---
check "no API reply shows the webhook secret again" bash -c "! curl -s -H 'Authorization: Bearer $ADMIN' \
    '$URL/api/v1/webhooks' '$URL/api/v1/webhooks/$HOOK' '$URL/api/v1/audit?entity=webhook' |
    grep -q '$SECRET'"
stop_server
check "SIGTERM stopped the worker" grep -q '"msg":"notification worker stopped"' "$WORK/server.log"
check "the SMTP password is in no log" bash -c "! grep -q '$SMTP_PASSWORD' '$WORK/server.log' '$WORK/server.out'"
check "the webhook secret is in no log" bash -c "! grep -q '$SECRET' '$WORK/server.log' '$WORK/server.out'"
check "every log line is a JSON object" bash -c "! grep -qv '^{.*}$' '$WORK/server.log'"
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$WORK/server.log'"

summary
