#!/usr/bin/env python3
"""A supplier's bid sealing, written from the format in docs/procurement/sealing.md alone.

Needs only `cryptography` (pip install cryptography). The bid is encrypted on this machine to
the tender's opening key with HPKE (RFC 9180: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
AES-256-GCM, base mode) and signed with the supplier's Ed25519 key; the printed JSON is the
body for POST /procurement/v1/tenders/{id}/bids.

    example_bidder.py keygen KEYFILE                       # then register the public key
    example_bidder.py seal TENDER.json KEYFILE --key-id ID --lot 1 --supplier 1234567890 \
        --price 98500000 --picks 3,11 --document "Technical proposal=plan.pdf"
    example_bidder.py open ENVELOPE.json --tender-id T --secret B64   # test vectors only
    example_bidder.py submit BASE_URL TOKEN TENDER_ID BODY.json      # POST it

The key file is the same JSON as `egov procurement bidder-key` writes.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import struct
import sys
import urllib.request

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

INFO = b"egov procurement bid v1"
KEM_ID, KDF_ID, AEAD_ID = 0x0020, 0x0001, 0x0002
KEM_SUITE = b"KEM" + struct.pack(">H", KEM_ID)
HPKE_SUITE = b"HPKE" + struct.pack(">HHH", KEM_ID, KDF_ID, AEAD_ID)
RAW = dict(encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw)


def b64(b):
    return base64.b64encode(b).decode()


def unb64(s):
    return base64.b64decode(s, validate=True)


# --- RFC 9180, the parts base mode with one message needs ---------------------------------

def extract(salt, ikm):
    return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()


def expand(prk, info, length):
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out, i = out + t, i + 1
    return out[:length]


def labeled_extract(suite, salt, label, ikm):
    return extract(salt, b"HPKE-v1" + suite + label + ikm)


def labeled_expand(suite, prk, label, info, length):
    return expand(prk, struct.pack(">H", length) + b"HPKE-v1" + suite + label + info, length)


def kem_shared_secret(dh, enc, pk_r):
    prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    return labeled_expand(KEM_SUITE, prk, b"shared_secret", enc + pk_r, 32)


def key_schedule(shared_secret):
    psk_id_hash = labeled_extract(HPKE_SUITE, b"", b"psk_id_hash", b"")
    info_hash = labeled_extract(HPKE_SUITE, b"", b"info_hash", INFO)
    context = b"\x00" + psk_id_hash + info_hash
    secret = labeled_extract(HPKE_SUITE, shared_secret, b"secret", b"")
    key = labeled_expand(HPKE_SUITE, secret, b"key", context, 32)
    nonce = labeled_expand(HPKE_SUITE, secret, b"base_nonce", context, 12)
    return key, nonce


def hpke_seal(pk_r_bytes, plaintext, aad):
    eph = X25519PrivateKey.generate()
    enc = eph.public_key().public_bytes(**RAW)
    dh = eph.exchange(X25519PublicKey.from_public_bytes(pk_r_bytes))
    key, nonce = key_schedule(kem_shared_secret(dh, enc, pk_r_bytes))
    return enc + AESGCM(key).encrypt(nonce, plaintext, aad)


def hpke_open(sk_r_bytes, envelope, aad):
    sk = X25519PrivateKey.from_private_bytes(sk_r_bytes)
    enc, ct = envelope[:32], envelope[32:]
    dh = sk.exchange(X25519PublicKey.from_public_bytes(enc))
    pk_r = sk.public_key().public_bytes(**RAW)
    key, nonce = key_schedule(kem_shared_secret(dh, enc, pk_r))
    return AESGCM(key).decrypt(nonce, ct, aad)


# --- egov's framing ------------------------------------------------------------------------

def context(tender, lot, supplier):
    return f"egov-bid-v1\n{tender}\n{lot}\n{supplier}"


def signed_message(tender, lot, supplier, envelope):
    return f"{context(tender, lot, supplier)}\n{hashlib.sha256(envelope).hexdigest()}".encode()


def media_type(data):
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    try:
        data.decode("utf-8")
        return "text/plain"
    except UnicodeDecodeError:
        return "application/octet-stream"


def seal_bid(tender, key_file, key_id, lot, supplier, price, picks, documents):
    contents = {
        "tender": tender["id"], "lot": lot, "supplier": supplier, "price": price,
        "reserve_picks": picks,
        "documents": [
            {"title": t, "media_type": media_type(d), "content": b64(d)} for t, d in documents
        ],
        "nonce": os.urandom(16).hex(),
    }
    aad = context(tender["id"], lot, supplier).encode()
    envelope = hpke_seal(unb64(tender["opening_key"]), json.dumps(contents).encode(), aad)
    signer = Ed25519PrivateKey.from_private_bytes(unb64(key_file["secret"]))
    signature = signer.sign(signed_message(tender["id"], lot, supplier, envelope))
    return {"lot": lot, "sealed": b64(envelope), "key_id": key_id, "signature": b64(signature)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    k = sub.add_parser("keygen")
    k.add_argument("keyfile")
    s = sub.add_parser("seal")
    s.add_argument("tender")
    s.add_argument("keyfile")
    s.add_argument("--key-id")
    s.add_argument("--lot", required=True)
    s.add_argument("--supplier", required=True)
    s.add_argument("--price", required=True)
    s.add_argument("--picks", default="")
    s.add_argument("--document", action="append", default=[])
    s.add_argument("--consent")
    o = sub.add_parser("open")
    o.add_argument("body")
    o.add_argument("--tender-id", required=True)
    o.add_argument("--supplier", required=True)
    o.add_argument("--secret", required=True)
    o.add_argument("--signer", required=True, help="the bidder's public key, base64")
    u = sub.add_parser("submit")
    u.add_argument("base_url")
    u.add_argument("token")
    u.add_argument("tender_id")
    u.add_argument("body")
    a = ap.parse_args()

    if a.cmd == "keygen":
        key = Ed25519PrivateKey.generate()
        secret = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                   serialization.NoEncryption())
        public = b64(key.public_key().public_bytes(**RAW))
        fd = os.open(a.keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"secret": b64(secret), "public_key": public}, f, indent=2)
        print(public)
    elif a.cmd == "seal":
        with open(a.tender) as f:
            tender = json.load(f)
        with open(a.keyfile) as f:
            key_file = json.load(f)
        key_id = a.key_id or key_file.get("key_id")
        if not key_id:
            sys.exit("no key id: pass --key-id or add key_id to the key file")
        docs = []
        for d in a.document:
            title, path = d.split("=", 1)
            with open(path, "rb") as f:
                docs.append((title, f.read()))
        picks = [int(p) for p in a.picks.split(",") if p]
        body = seal_bid(tender, key_file, key_id, a.lot, a.supplier, a.price, picks, docs)
        if a.consent:
            body["consent"] = a.consent
        print(json.dumps(body, indent=2))
    elif a.cmd == "open":
        with open(a.body) as f:
            body = json.load(f)
        envelope = unb64(body["sealed"])
        Ed25519PublicKey.from_public_bytes(unb64(a.signer)).verify(
            unb64(body["signature"]), signed_message(a.tender_id, body["lot"], a.supplier, envelope))
        plain = hpke_open(unb64(a.secret), envelope, context(a.tender_id, body["lot"], a.supplier).encode())
        print(json.dumps(json.loads(plain), indent=2))
    elif a.cmd == "submit":
        with open(a.body, "rb") as f:
            data = f.read()
        req = urllib.request.Request(
            f"{a.base_url.rstrip('/')}/procurement/v1/tenders/{a.tender_id}/bids", data=data,
            headers={"Authorization": f"Bearer {a.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            print(r.read().decode())


if __name__ == "__main__":
    main()
