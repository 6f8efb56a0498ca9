#!/usr/bin/env bash
# notify.sh: webhook deliveries per second to a local receiver, and the time to drain a backlog
# of N events (default 10,000) produced while the receiver was down. Figures only, no assertions.
#
# `accord serve` runs on a fresh demo database with one webhook endpoint wanting every event,
# served by tests/blackbox/notify_webhook.py (Python's threaded http.server, HTTP/1.1 keep-alive,
# each signature checked) on 127.0.0.1. Events are public comments on 100 requests in turn,
# POSTed through the API by one keep-alive client as fast as it gets answers.
#   live:    the receiver is up; LIVE events (default 2,000) are produced; deliveries/s is the
#            events received over the time from the first receipt to the last.
#   backlog: the receiver is down (nothing listens: each attempt is refused at once and backs
#            off, holding the endpoint's other deliveries back with it); N events are produced;
#            3 s later the receiver starts, and the time until it has received all N
#            (de-duplicated by id) is the drain time.
# Delivery settings (notify config): batch 32, parallel 8 (the defaults); retry_first_secs 1
# and retry_max_secs 5, so that a row refused during the outage is due again within 5 s;
# attempts 100, so that none is parked during the outage.
#   bench/notify.sh [N, default 10000] [LIVE, default 2000]
# ACCORD_BIN (default ./accord, built with `make accord`) names the binary to measure; BATCH
# and PARALLEL change those two settings.
set -eu
cd "$(dirname "$0")/.."
N=${1:-10000}
LIVE=${2:-2000}
PY=${PYTHON:-/usr/bin/python3}
if [ -z "${ACCORD_BIN:-}" ]; then
    make -s accord
    ACCORD_BIN=./accord
fi
WORK=$(mktemp -d)
PID=
HOOK=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; [ -n "$HOOK" ] && kill "$HOOK" 2>/dev/null; rm -rf "$WORK"' EXIT
port() { perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen=>1,LocalAddr=>"127.0.0.1:0")->sockport'; }
now() { date +%s.%N; }
SECRET=bench-secret-0123456789abcdef
# The server holds the write lock for moments: the sqlite3 shell waits for it rather than fail.
q() { sqlite3 -cmd ".timeout 10000" "$DB" "$1"; }

DB="$WORK/bench.db"
"$ACCORD_BIN" --db "$DB" demo >/dev/null
ADMIN=$("$ACCORD_BIN" --db "$DB" token create --email admin@example.org)
AGENT=$("$ACCORD_BIN" --db "$DB" token create --email chidi.okafor@example.org)
# No escalation of the demo's requests may fire during the run.
q "UPDATE request SET next_fire_at = next_fire_at + 86400 WHERE next_fire_at IS NOT NULL"
cat >"$WORK/notify.conf" <<EOF
base_url = https://accord.bench
attempts = 100
retry_first_secs = 1
retry_max_secs = 5
batch = ${BATCH:-32}
parallel = ${PARALLEL:-8}
EOF
P=$(port)
HP=$(port)
URL="http://127.0.0.1:$P"
"$ACCORD_BIN" --db "$DB" serve --listen "127.0.0.1:$P" --notify-config "$WORK/notify.conf" \
    >/dev/null 2>"$WORK/server.log" &
PID=$!
until curl -s -o /dev/null "$URL/healthz"; do sleep 0.05; done
curl -sf -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' --data \
    "{\"url\":\"http://127.0.0.1:$HP/hook\",\"secret\":\"$SECRET\",\"event_types\":[\"*\"]}" \
    "$URL/api/v1/webhooks" >/dev/null
# 100 requests to comment on in turn: a request's comments get slower to add as it gathers
# thousands of them, which is not what this measures.
REQS=""
for i in $(seq 1 100); do
    REQS="$REQS $(curl -sf -H "Authorization: Bearer $AGENT" -H 'Content-Type: application/json' \
        --data "{\"contract_id\":10,\"title\":\"Benchmark request $i\"}" "$URL/api/v1/requests" |
        sed -n 's/^{"id":\([0-9]*\),.*/\1/p')"
done

start_hook() {
    "$PY" tests/blackbox/notify_webhook.py --port "$HP" --secret "$SECRET" --quiet \
        --log "$WORK/hooks.$1.log" 2>>"$WORK/hook.err" &
    HOOK=$!
    until (exec 3<>"/dev/tcp/127.0.0.1/$HP") 2>/dev/null; do sleep 0.02; done
}

stop_hook() {
    kill "$HOOK"
    wait "$HOOK" 2>/dev/null || true
    HOOK=
}

# produce COUNT: COUNT comments through one keep-alive connection; prints events/s.
produce() {
    "$PY" - "$P" "$AGENT" "$REQS" "$1" <<'EOF'
import http.client, json, sys, time
port, token, reqs, n = sys.argv[1], sys.argv[2], sys.argv[3].split(), int(sys.argv[4])
c = http.client.HTTPConnection("127.0.0.1", int(port))
h = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
t0 = time.time()
for i in range(n):
    req = reqs[i % len(reqs)]
    c.request("POST", "/api/v1/requests/%s/comments" % req, json.dumps({"body": "event %d" % i}), h)
    r = c.getresponse()
    r.read()
    if r.status != 201:
        sys.exit("comment answered %d" % r.status)
print("%.0f" % (n / (time.time() - t0)))
EOF
}

# received LOG: distinct event ids accepted.
received() { grep -c '"status": 204' "$1" 2>/dev/null || true; }

# rates LOG SINCE: deliveries per second from the first receipt to the last, and over the
# first 90 % (the last of a backlog wait for their own retry), from the receiver's clock;
# and when 90 % and all had arrived, in seconds after SINCE (epoch seconds).
rates() {
    "$PY" - "$1" "$2" <<'EOF'
import json, sys
t = sorted(json.loads(l)["t"] for l in open(sys.argv[1]) if '"status": 204' in l)
since, n = float(sys.argv[2]), len(t)
k = max(1, int(n * 0.9)) - 1
all_rate = n / (t[-1] - t[0]) if n > 1 and t[-1] > t[0] else 0
p90_rate = (k + 1) / (t[k] - t[0]) if t[k] > t[0] else 0
print("%.0f deliveries/s first to last receipt, %.0f/s over the first 90 %%; 90 %% in %.2f s,"
      " all in %.2f s" % (all_rate, p90_rate, t[k] - since, t[-1] - since))
EOF
}

wait_for() { # wait_for LOG COUNT
    while [ "$(received "$1")" -lt "$2" ]; do sleep 0.05; done
}

# --- live ---
start_hook live
t0=$(now)
rate=$(produce "$LIVE")
wait_for "$WORK/hooks.live.log" "$LIVE"
echo "live: $LIVE events produced at $rate/s through the API; $(rates "$WORK/hooks.live.log" "$t0")" \
    "after the first was produced"
stop_hook
# Deliveries received just before the receiver stopped, not yet recorded, are sent again.
sleep 1

# --- backlog ---
before=$(q "SELECT COUNT(*) FROM outbox WHERE channel = 'webhook'")
first=$(q "SELECT MAX(id) FROM outbox")
rate=$(produce "$N")
sleep 3
pending=$(q "SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND state = 'pending'")
tried=$(q "SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND id > $first AND attempts > 0")
echo "backlog: $N events produced at $rate/s while the receiver was down; $pending deliveries" \
    "pending, $tried of them refused at least once (the others held back with them)"
t0=$(now)
start_hook backlog
wait_for "$WORK/hooks.backlog.log" "$pending"
echo "backlog: $pending drained: $(rates "$WORK/hooks.backlog.log" "$t0") after the receiver" \
    "came back"
echo "backlog: $(q "SELECT COUNT(*) FROM outbox WHERE state = 'failed'") parked as failed;" \
    "attempts per delivery: $(q "SELECT MIN(attempts) || ' to ' || MAX(attempts) || ', mean ' ||
    ROUND(AVG(attempts), 1) FROM outbox WHERE channel = 'webhook' AND id > $first")"
stop_hook
