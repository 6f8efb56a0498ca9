# lib.sh: helpers for black-box tests: a free loopback port, a scratch server, counting.
# Sourced by the scripts in tests/blackbox/. Talks only to 127.0.0.1.

ACCORD_BIN=${ACCORD_BIN:-./accord}
case $ACCORD_BIN in /*) ;; *) ACCORD_BIN="$PWD/$ACCORD_BIN" ;; esac
T_PASS=0
T_FAIL=0

ok() {
    T_PASS=$((T_PASS + 1))
    echo "ok - $1"
}

fail() {
    T_FAIL=$((T_FAIL + 1))
    echo "not ok - $1${2:+: $2}"
}

# check NAME CONDITION...: runs the condition; ok when it succeeds.
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else fail "$name"; fi
}

free_port() {
    perl -MIO::Socket::INET -e \
        'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0", ReuseAddr => 1) or die; print $s->sockport'
}

# start_server DB [extra serve args]: starts accord on a free port; sets PORT, URL, SERVER_PID.
start_server() {
    local db=$1
    shift
    PORT=$(free_port)
    URL="http://127.0.0.1:$PORT"
    "$ACCORD_BIN" --db "$db" serve --listen "127.0.0.1:$PORT" "$@" \
        >>"$WORK/server.out" 2>>"$WORK/server.log" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "$URL/healthz" && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "server did not start on $URL" >&2
    cat "$WORK/server.log" >&2
    return 1
}

stop_server() {
    [ -n "${SERVER_PID:-}" ] || return 0
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
}

summary() {
    echo "$T_PASS passed, $T_FAIL failed"
    [ "$T_FAIL" -eq 0 ]
}
