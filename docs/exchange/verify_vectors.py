"""Checks egov-exchange's golden vectors from scratch, without egov's code: rebuilds the
canonical forms and the request hash from the inputs, and verifies the detached Ed25519 JWS
signatures with the published public key. Needs the `cryptography` package.

Usage: python3 verify_vectors.py vectors.json
"""

import base64
import hashlib
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIGNED_HEADERS = [
    "x-road-client",
    "x-road-id",
    "x-road-userid",
    "x-road-issue",
    "x-road-represented-party",
    "x-road-request-hash",
    "x-egov-timestamp",
    "x-egov-purpose",
    "x-egov-consent",
]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def header_block(headers):
    last = {}
    for name, value in headers:  # a repeated header counts with its last value
        last[name.lower()] = value.strip()
    return "".join(f"{name}:{last.get(name, '')}\n" for name in SIGNED_HEADERS)


def canonical(kind, second, path, headers, body: bytes):
    digest = hashlib.sha256(body).hexdigest()
    return f"egov-exchange/1 {kind}\n{second}\n{path}\n{header_block(headers)}body-sha256:{digest}"


def main():
    v = json.load(open(sys.argv[1], encoding="utf-8"))
    key = Ed25519PublicKey.from_public_bytes(unb64url(v["key"]["public_key_base64url"]))
    req, res = v["request"], v["response"]
    forms = {
        "request": canonical("request", req["method"].upper(), req["path"], req["headers"], req["body"].encode()),
        "response": canonical("response", str(res["status"]), res["path"], res["headers"], res["body"].encode()),
    }
    for part, form in forms.items():
        assert form == v[part]["canonical"], f"{part}: canonical form differs"
        header, _, signature = v[part]["signature"].partition("..")
        assert json.loads(unb64url(header)) == {"alg": "EdDSA", "kid": v["key"]["kid"]}
        key.verify(unb64url(signature), f"{header}.{b64url(form.encode())}".encode())
        tampered = form.replace("x-road-issue:", "x-road-issue:x", 1)
        try:
            key.verify(unb64url(signature), f"{header}.{b64url(tampered.encode())}".encode())
            raise SystemExit(f"{part}: a tampered form verified")
        except Exception as e:  # InvalidSignature
            if isinstance(e, SystemExit):
                raise
    inner = hashlib.sha512(header_block(req["headers"]).encode()).digest()
    inner += hashlib.sha512(req["body"].encode()).digest()
    request_hash = base64.b64encode(hashlib.sha512(inner).digest()).decode()
    assert request_hash == req["request_hash"], "request hash differs"
    assert dict((n.lower(), x) for n, x in res["headers"])["x-road-request-hash"] == request_hash
    print("golden vectors verified: canonical forms, request hash, signatures")


if __name__ == "__main__":
    main()
