#!/usr/bin/python3
# notify_webhook.py: a webhook receiver for the notification test and benchmark.
# Listens on 127.0.0.1:PORT (HTTP/1.1, keep-alive). Each POST is checked as docs/notifications.md
# tells a receiver to: X-Accord-Signature must be "sha256=" + hex HMAC-SHA256(secret,
# X-Accord-Timestamp + "." + body), the timestamp within 5 minutes, X-Accord-Event-Id the body's
# id. The first --fail requests are answered 500 with a long error body; every later one 204
# after --delay seconds. Each request is appended to --log as a JSON line:
# {"id", "type", "status", "verified", "delivery", "entity", "t"}; with --quiet only the first
# acceptance of each id (and every 500).
import argparse
import hashlib
import hmac
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret, headers, body):
    ts = headers.get("X-Accord-Timestamp", "")
    sig = headers.get("X-Accord-Signature", "")
    want = "sha256=" + hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    fresh = ts.isdigit() and abs(time.time() - int(ts)) < 300
    return fresh and hmac.compare_digest(want, sig)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fail", type=int, default=0)
    ap.add_argument("--delay", type=float, default=0)
    ap.add_argument("--quiet", action="store_true", help="log only the first of each id")
    a = ap.parse_args()
    secret = a.secret.encode()
    lock = threading.Lock()
    state = {"n": 0, "seen": set()}
    log = open(a.log, "a", buffering=1)

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            ok = verify(secret, self.headers, body)
            try:
                event = json.loads(body)
            except ValueError:
                event = {}
            ok = ok and event.get("id") == self.headers.get("X-Accord-Event-Id")
            with lock:
                state["n"] += 1
                failing = state["n"] <= a.fail
                first = event.get("id") not in state["seen"]
                if not failing:
                    state["seen"].add(event.get("id"))
            status = 500 if failing else 204
            if a.delay and not failing:
                time.sleep(a.delay)
            if not a.quiet or first or failing:
                log.write(json.dumps({
                    "id": event.get("id"), "type": event.get("type"), "status": status,
                    "verified": ok, "delivery": self.headers.get("X-Accord-Delivery"),
                    "entity": event.get("entity", {}).get("id"), "t": time.time(),
                }) + "\n")
            if failing:
                reply = ("receiver broken: " + "x" * 2000).encode()
                self.send_response(500)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            else:
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

    srv = ThreadingHTTPServer(("127.0.0.1", a.port), H)
    srv.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
    srv.serve_forever()
    log.close()


if __name__ == "__main__":
    main()
