#!/usr/bin/env bash
# api_get.sh: authenticated GET /api/v1/departments (Bearer token) with wrk -t2 -c64,
# side by side in the same run with the reference server ../shared/limits/api_server GET /.
# Prints req/s, p50/p99 and accord's RSS idle and under load. Figures only, no assertions.
#   bench/api_get.sh [seconds per run, default 10] [runs, default 3]
set -eu
cd "$(dirname "$0")/.."
DUR=${1:-10}
RUNS=${2:-3}
LIMITS=${LIMITS:-../shared/limits}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 2; }
make -s accord
WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

cp "$LIMITS/api_server.c" "$LIMITS/Makefile" "$WORK/"
make -s -C "$WORK" api_server >/dev/null

port() { perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen=>1,LocalAddr=>"127.0.0.1:0")->sockport'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# wrk_run URL [header]: prints "req/s p50 p99" from wrk's --latency output.
wrk_run() {
    local out
    if [ -n "${2:-}" ]; then
        out=$(wrk -t2 -c64 -d"${DUR}s" --latency -H "$2" "$1")
    else
        out=$(wrk -t2 -c64 -d"${DUR}s" --latency "$1")
    fi
    echo "$out" >>"$WORK/wrk.log"
    echo "$out" | awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {print r, p50, p99, (bad ? bad : 0)}'
}

./accord --db "$WORK/bench.db" demo >/dev/null
TOKEN=$(./accord --db "$WORK/bench.db" token create --email admin@example.org --label bench)
AP=$(port)
./accord --db "$WORK/bench.db" serve --listen "127.0.0.1:$AP" --log-level warn >/dev/null 2>"$WORK/accord.log" &
APID=$!
PIDS+=("$APID")
RP=$(port)
"$WORK/api_server" -p "$RP" -m epoll -t 2 -D 100000 >/dev/null 2>&1 &
RPID=$!
PIDS+=("$RPID")
sleep 1
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$AP/api/v1/departments" >/dev/null
idle=$(rss_kb "$APID")

echo "run  accord_req/s  p50     p99     non2xx  reference_req/s  p50     p99     ratio"
peak=0
for i in $(seq 1 "$RUNS"); do
    read -r ar a50 a99 abad < <(wrk_run "http://127.0.0.1:$AP/api/v1/departments" "Authorization: Bearer $TOKEN")
    r=$(rss_kb "$APID")
    [ "$r" -gt "$peak" ] && peak=$r
    read -r rr r50 r99 _ < <(wrk_run "http://127.0.0.1:$RP/")
    printf "%-4s %-13s %-7s %-7s %-7s %-16s %-7s %-7s %.2f\n" "$i" "$ar" "$a50" "$a99" "$abad" "$rr" "$r50" "$r99" \
        "$(echo "$ar $rr" | awk '{print $1 / $2}')"
done
echo "accord RSS: idle ${idle} KiB, after load ${peak} KiB (VmRSS)"
echo "accord reply: $(curl -s -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$AP/api/v1/departments") bytes (8 departments, JSON); reference reply: 100 bytes"
