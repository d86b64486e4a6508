"""An independent OpenID Connect client for egov, run by .ci/run against a live `egov serve`.

It uses only the issuer URL: discovery, the authorization code flow with PKCE (authlib), the
login page as a browser would submit it, the token endpoint, and verification of the ID and
access tokens against the published JWKS (PyJWT). Then it shows the access token to a second
egov process that knows nothing but the issuer URL, and finally signs in through the JSON API
with a second factor to print an aal2 token (for the authenticated fuzzing run).

Usage: client.py ISSUER CLIENT_ID REDIRECT_URI USERNAME PASSWORD MODULE_URL
Prints the aal2 access token on the last line of standard output.
"""

import base64
import hashlib
import hmac
import html.parser
import secrets
import struct
import sys
import time
import urllib.parse

import jwt
import requests
from authlib.integrations.requests_client import OAuth2Session


class FormFields(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields = {}
        self.action = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action")
        if tag == "input" and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value", "")


def check(cond, what):
    if not cond:
        raise SystemExit(f"FAILED: {what}")
    print(f"ok: {what}", file=sys.stderr)


def totp(secret_b32, at=None):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[off : off + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def main():
    issuer, client_id, redirect_uri, username, password, module_url = sys.argv[1:7]
    http = requests.Session()

    meta = http.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    check(meta["issuer"] == issuer, "discovery names the issuer")
    check(meta["code_challenge_methods_supported"] == ["S256"], "PKCE S256 only")
    check("EdDSA" in meta["id_token_signing_alg_values_supported"], "EdDSA ID tokens")

    oauth = OAuth2Session(
        client_id,
        redirect_uri=redirect_uri,
        scope="openid profile",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, state = oauth.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )

    # The browser part: open the login page, submit the form with its hidden CSRF fields.
    page = http.get(url, timeout=10)
    check(page.status_code == 200 and "text/html" in page.headers["content-type"], "login page")
    form = FormFields()
    form.feed(page.text)
    check({"handle", "csrf"} <= form.fields.keys(), "login form carries handle and CSRF token")
    # Without the browser's cookie the form is refused.
    bare = requests.post(
        urllib.parse.urljoin(issuer, form.action),
        data={**form.fields, "username": username, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    check(bare.status_code == 403, "form without the CSRF cookie is refused")
    res = http.post(
        urllib.parse.urljoin(issuer, form.action),
        data={**form.fields, "username": username, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    check(res.status_code == 303, f"login redirects back (got {res.status_code})")
    callback = res.headers["location"]
    check(callback.startswith(redirect_uri), "redirect goes to the registered URI")

    # A wrong verifier is refused (and spends the code), so take a fresh code after it.
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(callback).query))["code"]
    bad = requests.post(
        meta["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "code_verifier": secrets.token_urlsafe(48),
        },
        timeout=10,
    )
    check(bad.status_code == 400 and bad.json()["error"] == "invalid_grant", "wrong PKCE verifier refused")
    check(
        bad.headers.get("content-type") == "application/json"
        and bad.headers.get("cache-control") == "no-store"
        and bool(bad.json().get("error_description")),
        "the token error is RFC 6749 5.2's: application/json, no-store, error_description",
    )

    verifier = secrets.token_urlsafe(48)
    url, state = oauth.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    # Single sign-on: the browser signed in a moment ago, so it goes straight back with a code.
    res = http.get(url, allow_redirects=False, timeout=10)
    check(res.status_code == 303 and "code=" in res.headers["location"], "single sign-on skips the login page")
    token = oauth.fetch_token(
        meta["token_endpoint"],
        authorization_response=res.headers["location"],
        code_verifier=verifier,
        state=state,
    )
    check("id_token" in token and "access_token" in token, "token endpoint answers")

    jwks = jwt.PyJWKClient(meta["jwks_uri"])
    id_key = jwks.get_signing_key_from_jwt(token["id_token"])
    claims = jwt.decode(
        token["id_token"], id_key.key, algorithms=["EdDSA"], audience=client_id, issuer=issuer
    )
    check(claims["nonce"] == nonce, "ID token nonce matches")
    check(claims["preferred_username"] == username, "ID token names the user")
    access_key = jwks.get_signing_key_from_jwt(token["access_token"])
    access = jwt.decode(
        token["access_token"], access_key.key, algorithms=["EdDSA"], audience="egov", issuer=issuer
    )
    check(access["sub"] == claims["sub"], "access token verifies with the JWKS, same subject")
    try:
        jwt.decode(token["access_token"], access_key.key, algorithms=["EdDSA"], audience="other")
        check(False, "wrong audience refused")
    except jwt.InvalidAudienceError:
        check(True, "wrong audience refused")

    info = http.get(
        meta["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    ).json()
    check(info["sub"] == claims["sub"], "userinfo answers for the token")
    posted = http.post(
        meta["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    )
    check(posted.status_code == 200 and posted.json() == info, "userinfo answers POST as well (Core 5.3.1)")

    # A module in another process, configured with nothing but the issuer URL.
    who = requests.get(
        f"{module_url}/api/v1/whoami",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    )
    check(who.status_code == 200 and who.json()["subject"] == claims["sub"], "second process accepts the token")
    forged = token["access_token"][:-4] + ("AAAA" if not token["access_token"].endswith("AAAA") else "BBBB")
    who = requests.get(
        f"{module_url}/api/v1/whoami", headers={"Authorization": f"Bearer {forged}"}, timeout=10
    )
    check(who.status_code == 401, "second process refuses a tampered token")

    # JSON API: enrol TOTP, step up to aal2, print that token for the authenticated fuzzing.
    t = http.post(
        f"{issuer}/login", json={"username": username, "password": password}, timeout=10
    ).json()["tokens"]
    auth = {"Authorization": f"Bearer {t['access_token']}"}
    secret = http.post(f"{issuer}/me/mfa/totp", headers=auth, timeout=10).json()["secret"]
    # Near the end of a 30 s step the server may check in the next one: let the step turn.
    while time.time() % 30 >= 28:
        time.sleep(0.2)
    r = http.post(
        f"{issuer}/me/mfa/totp/confirm", headers=auth, json={"code": totp(secret, time.time() - 30)}, timeout=10
    )
    check(r.status_code == 200, "TOTP enrolled")
    r = http.post(f"{issuer}/step-up", headers=auth, json={"code": totp(secret)}, timeout=10)
    check(r.status_code == 200 and r.json()["acr"] == "aal2", "stepped up to aal2")
    print(r.json()["access_token"])


if __name__ == "__main__":
    main()
