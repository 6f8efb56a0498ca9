#!/usr/bin/python3
# notify_smtp.py: the SMTP server of the notification test (Debian's python3-aiosmtpd).
# Listens on 127.0.0.1:PORT; with --cert/--key it offers STARTTLS and requires it; with --user
# and --password it requires AUTH (after STARTTLS). Each message accepted is written to
# DIR/NNNNNN.json as {"mail_from", "rcpt_tos", "data"}. Addresses listed (one a line) in the
# --reject file, read at each RCPT, are refused with 550.
import argparse
import json
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, out, reject):
        self.out = out
        self.reject = reject
        self.lock = threading.Lock()
        self.n = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refused = set()
        if self.reject and os.path.exists(self.reject):
            with open(self.reject) as f:
                refused = {line.strip() for line in f if line.strip()}
        if address in refused:
            return "550 5.1.1 mailbox unavailable: " + address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            name = os.path.join(self.out, "%06d.json" % self.n)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "data": envelope.content.decode("utf-8", "replace"),
        }
        with open(name + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(name + ".tmp", name)
        return "250 Message accepted for delivery"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--reject")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user")
    ap.add_argument("--password")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == a.user
            and auth_data.password.decode() == a.password
        )
        return AuthResult(success=ok)

    kw = {}
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        kw.update(tls_context=ctx, require_starttls=True)
    if a.user:
        kw.update(authenticator=authenticator, auth_required=True,
                  auth_require_tls=bool(a.cert))
    c = Controller(Handler(a.dir, a.reject), hostname="127.0.0.1", port=a.port, **kw)
    c.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    c.stop()


if __name__ == "__main__":
    main()
