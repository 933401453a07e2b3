#!/usr/bin/env python3
"""A webhook receiver for trying Tandem out: verifies each delivery's Tandem-Signature (docs/webhooks.md) and
prints the event as one JSON line; answers 200, or 401 to a delivery whose signature does not verify.

    python3 Interop/webhook-receiver.py PORT SECRET      # SECRET: the whsec_... shown when the endpoint was made

Without SECRET it prints events unverified (to register the endpoint first, then restart it with the secret).
"""
import hashlib
import hmac
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


def verified(header: str, body: bytes, secret: str, tolerance: int = 300) -> bool:
    try:
        parts = [part.split("=", 1) for part in header.split(",") if "=" in part]
        timestamp = int(next(value for key, value in parts if key == "t"))
    except (StopIteration, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    # After a secret rotation a delivery carries one v1 per valid secret: any may match.
    return any(hmac.compare_digest(expected, value) for key, value in parts if key == "v1")


class Receiver(BaseHTTPRequestHandler):
    secret = ""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ok = not self.secret or verified(self.headers.get("Tandem-Signature", ""), body, self.secret)
        self.send_response(200 if ok else 401)
        self.end_headers()
        event = json.loads(body or b"{}")
        print(json.dumps({"verified": ok and bool(self.secret), "type": event.get("type"), "data": event.get("data")},
                         sort_keys=True), flush=True)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    Receiver.secret = sys.argv[2] if len(sys.argv) > 2 else ""
    HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
