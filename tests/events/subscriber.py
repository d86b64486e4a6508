"""An independent event subscriber for egov, run by .ci/run against a live `egov serve`.

It receives the deployment's webhooks and checks each with other people's libraries, not
egov's code:

- the envelope with the CloudEvents SDK (PyPI `cloudevents`): an HTTP structured-mode
  CloudEvents 1.0 message with every required attribute and a zoned `time`;
- the `X-Egov-Signature` detached JWS (RFC 7515 appendix F) with PyJWT: the base64url body is
  put back between the header and the signature and the compact JWS is verified with the key
  the header names, taken from the member's published JWK set (`/exchange/v1/keys`); the same
  signature over another body must fail.

It answers 204 to an event that passes and 400 to one that does not, and exits when an event of
the awaited type has passed (0), when one has failed (1), or after the timeout (2).

Usage: subscriber.py PORT KEYS_URL AWAITED_TYPE TIMEOUT_SECONDS
"""

import base64
import http.server
import json
import sys
import threading

import jwt
import requests
from cloudevents.core.bindings.http import HTTPMessage, from_http_event

RESULT = {}
DONE = threading.Event()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jws_verifies(detached: str, body: bytes, keys: dict) -> bool:
    header_b64, sep, signature_b64 = detached.partition("..")
    if not sep:
        raise ValueError("not a detached JWS (header..signature)")
    header = json.loads(unb64url(header_b64))
    key = keys[header["kid"]]
    compact = f"{header_b64}.{b64url(body)}.{signature_b64}"
    try:
        jwt.api_jws.decode_complete(compact, key=key, algorithms=["EdDSA"])
        return True
    except jwt.InvalidSignatureError:
        return False


class Handler(http.server.BaseHTTPRequestHandler):
    keys_url = ""
    awaited = ""

    def log_message(self, fmt, *args):
        print("subscriber:", fmt % args, file=sys.stderr)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        try:
            event = self.check(body)
        except Exception as e:  # any failed check
            print(f"FAILED: {e!r}", file=sys.stderr)
            RESULT["failed"] = repr(e)
            self.send_response(400)
            self.end_headers()
            DONE.set()
            return
        self.send_response(204)
        self.end_headers()
        print(f"ok: {event.get_type()} {event.get_id()} from {event.get_source()}", file=sys.stderr)
        if event.get_type() == self.awaited:
            RESULT["event"] = json.loads(body)
            DONE.set()

    def check(self, body: bytes):
        content_type = self.headers.get("content-type", "")
        assert content_type.split(";")[0].strip() == "application/cloudevents+json", content_type
        headers = {k.lower(): v for k, v in self.headers.items()}
        assert not any(k.startswith("ce-") for k in headers), "structured mode has no ce- headers"
        event = from_http_event(HTTPMessage(headers=headers, body=body))
        assert event.get_specversion() == "1.0"
        assert event.get_time() is not None and event.get_time().tzinfo is not None
        assert event.get_datacontenttype() == "application/json"
        keys = {
            k["kid"]: jwt.PyJWK(k).key
            for k in requests.get(self.keys_url, timeout=10).json()["keys"]
        }
        detached = headers.get("x-egov-signature", "")
        assert jws_verifies(detached, body, keys), "the detached JWS does not verify"
        assert not jws_verifies(detached, body + b" ", keys), "the JWS verifies another body"
        return event


def main():
    port, keys_url, awaited, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    Handler.keys_url, Handler.awaited = keys_url, awaited
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("listening", flush=True)
    finished = DONE.wait(timeout)
    server.shutdown()
    if "failed" in RESULT:
        raise SystemExit(1)
    if not finished:
        print(f"FAILED: no {awaited} event within {timeout:.0f} s", file=sys.stderr)
        raise SystemExit(2)
    print(json.dumps(RESULT["event"]))


if __name__ == "__main__":
    main()
