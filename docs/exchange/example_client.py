"""A non-Rust exchange client: signs a request as an outside member's subsystem, calls an egov
gateway, and verifies the signed response (signature by the provider's published key, and that
it answers this request: the X-Road-Request-Hash). Needs `cryptography` and `requests`.

The member's public key must be registered (pinned) at the provider first, by a platform admin:

    PUT /exchange/v1/admin/members
    {"id": "KR/COM/1234567890", "name": "...", "keys": [<the JWK `keygen` prints>]}

Usage:
    python3 example_client.py keygen KR/COM/1234567890 key.json     # once: new Ed25519 key
    python3 example_client.py call key.json http://127.0.0.1:8080 \\
        KR/COM/1234567890/app KR/GOV/EGOV/exchange/listMethods [purpose] [json-body]
"""

import base64
import hashlib
import json
import sys
import time
import uuid

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

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


def header_block(headers: dict) -> str:
    low = {k.lower(): v.strip() for k, v in headers.items()}
    return "".join(f"{name}:{low.get(name, '')}\n" for name in SIGNED_HEADERS)


def canonical(kind: str, second: str, path: str, headers: dict, body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()
    return f"egov-exchange/1 {kind}\n{second}\n{path}\n{header_block(headers)}body-sha256:{digest}"


def sign(key: Ed25519PrivateKey, kid: str, form: str) -> str:
    header = b64url(json.dumps({"alg": "EdDSA", "kid": kid}, separators=(",", ":")).encode())
    signature = key.sign(f"{header}.{b64url(form.encode())}".encode())
    return f"{header}..{b64url(signature)}"


def keygen(member: str, path: str) -> None:
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes_raw()
    public = key.public_key().public_bytes_raw()
    kid = f"{member}#1"
    json.dump({"kid": kid, "seed": b64url(raw)}, open(path, "w"))
    print(json.dumps({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64url(public)}))


def call(key_file, base, client, service, purpose="discovery", body_text=None) -> int:
    k = json.load(open(key_file))
    key = Ed25519PrivateKey.from_private_bytes(unb64url(k["seed"]))
    path = f"/r1/{service}"
    body = body_text.encode() if body_text else b""
    method = "POST" if body else "GET"
    headers = {
        "X-Road-Client": client,
        "X-Road-Id": str(uuid.uuid4()),
        "X-Egov-Timestamp": str(int(time.time())),
        "X-Egov-Purpose": purpose,
    }
    if body:
        headers["Content-Type"] = "application/json"
    headers["X-Egov-Signature"] = sign(key, k["kid"], canonical("request", method, path, headers, body))
    inner = hashlib.sha512(header_block(headers).encode()).digest() + hashlib.sha512(body).digest()
    request_hash = base64.b64encode(hashlib.sha512(inner).digest()).decode()

    res = requests.request(method, base + path, headers=headers, data=body, timeout=10)
    print(res.status_code, res.headers.get("X-Road-Error", ""), res.text[:2000])

    # Verify the response: the provider's key from its published list, then the hash binding.
    detached = res.headers["X-Egov-Signature"]
    jws_header, _, signature = detached.partition("..")
    kid = json.loads(unb64url(jws_header))["kid"]
    member = kid.rsplit("#", 1)[0]
    keys = requests.get(f"{base}/exchange/v1/keys", params={"member": member}, timeout=10).json()
    jwk = next(j for j in keys["keys"] if j["kid"] == kid)
    form = canonical("response", str(res.status_code), path, dict(res.headers), res.content)
    Ed25519PublicKey.from_public_bytes(unb64url(jwk["x"])).verify(
        unb64url(signature), f"{jws_header}.{b64url(form.encode())}".encode()
    )
    assert res.headers["X-Road-Request-Hash"] == request_hash, "the response answers another request"
    print(f"response signature by {kid} verified; it answers request {headers['X-Road-Id']}")
    return 0 if res.ok else 1


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "keygen":
        keygen(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 6 and sys.argv[1] == "call":
        sys.exit(call(*sys.argv[2:]))
    else:
        print(__doc__)
        sys.exit(2)
