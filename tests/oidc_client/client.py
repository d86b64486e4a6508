"""An independent OpenID Connect client for egov, run by .ci/run against a live `egov serve`.

It uses only the issuer URL: discovery, the authorization code flow with PKCE (authlib), the
login page as a browser would submit it, the token endpoint, and verification of the ID and
access tokens against the published JWKS (PyJWT). Then it shows the access token to a second
egov process that knows nothing but the issuer URL, and finally signs in through the JSON API
with a second factor to print an aal2 token (for the authenticated fuzzing run).

With RS256_CLIENT_ID (a client registered with `egov admin client --id-token-alg RS256`), a
relying party that accepts only RS256 signs in too, and the OpenID Foundation's conformance
expectations that can be checked offline are checked on discovery, the JWKS, the token
response and both ID tokens (OpenID Connect Core 3.1.3.3, 3.1.3.7, Discovery 3, RFC 6749 5.1,
RFC 7517).

Usage: client.py ISSUER CLIENT_ID REDIRECT_URI USERNAME PASSWORD MODULE_URL [RS256_CLIENT_ID]
Prints the aal2 access token and its session's refresh token on the last line of standard
output.
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


def conforming_discovery(meta, issuer):
    """Discovery 1.0 section 3 and the conformance suite's checks of the document."""
    for field in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri",
                  "response_types_supported", "subject_types_supported",
                  "id_token_signing_alg_values_supported"):
        check(field in meta, f"discovery: {field} present")
    check(meta["issuer"] == issuer, "discovery names the issuer")
    check("RS256" in meta["id_token_signing_alg_values_supported"],
          "discovery: RS256 among the ID token algorithms (Discovery 3: MUST)")
    check("none" not in meta["id_token_signing_alg_values_supported"], "discovery: no alg none")
    check("code" in meta["response_types_supported"], "discovery: the code flow")
    check("openid" in meta.get("scopes_supported", ["openid"]), "discovery: the openid scope")
    check("sub" in meta.get("claims_supported", ["sub"]), "discovery: the sub claim")
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        check(meta[endpoint].startswith(issuer), f"discovery: {endpoint} under the issuer")


def conforming_jwks(jwks_uri):
    """RFC 7517 and the conformance suite's key checks: ids unique, no private parts."""
    res = requests.get(jwks_uri, timeout=10)
    check(res.headers.get("content-type", "").startswith("application/"), "JWKS is JSON")
    keys = res.json()["keys"]
    kids = [k.get("kid") for k in keys]
    check(all(kids) and len(set(kids)) == len(kids), "JWKS: every key has a unique kid")
    for k in keys:
        check(not {"d", "p", "q", "dp", "dq", "qi"} & k.keys(), f"JWKS: {k['kid']} has no private part")
        check(k.get("use", "sig") == "sig", f"JWKS: {k['kid']} is for signatures")
        if k["kty"] == "RSA":
            check(k.get("alg") == "RS256" and k.get("n") and k.get("e"), f"JWKS: {k['kid']} an RS256 key")
            check(len(base64.urlsafe_b64decode(k["n"] + "==")) >= 256, f"JWKS: {k['kid']} at least 2048 bits")
    return {k["kid"]: k for k in keys}


def conforming_id_token(raw, claims, client_id, issuer, nonce, alg, keys):
    """Core 3.1.3.7's validation, as the conformance suite applies it."""
    header = jwt.get_unverified_header(raw)
    check(header["alg"] == alg, f"ID token signed with {alg}")
    check(header.get("kid") in keys, "ID token's kid is in the JWKS")
    for claim in ("iss", "sub", "aud", "exp", "iat"):
        check(claim in claims, f"ID token: {claim} present")
    check(claims["iss"] == issuer, "ID token: iss is the issuer")
    aud = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    check(client_id in aud, "ID token: aud has the client")
    check(len(aud) == 1 or claims.get("azp") == client_id, "ID token: azp with several audiences")
    check(claims.get("azp", client_id) == client_id, "ID token: azp is the client")
    check(isinstance(claims["sub"], str) and 0 < len(claims["sub"]) <= 255 and claims["sub"].isascii(),
          "ID token: sub is at most 255 ASCII characters")
    now = time.time()
    check(claims["iat"] <= now + 60, "ID token: iat not in the future")
    check(claims["exp"] > now, "ID token: not expired")
    check(claims["nonce"] == nonce, "ID token: nonce matches")
    check("auth_time" not in claims or claims["auth_time"] <= now + 60, "ID token: auth_time not in the future")


def main():
    issuer, client_id, redirect_uri, username, password, module_url = sys.argv[1:7]
    rs256_client = sys.argv[7] if len(sys.argv) > 7 else None
    http = requests.Session()

    meta = http.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    conforming_discovery(meta, issuer)
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
    keys = conforming_jwks(meta["jwks_uri"])
    conforming_id_token(token["id_token"], claims, client_id, issuer, nonce, "EdDSA", keys)
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

    if rs256_client:
        rs256_relying_party(http, meta, issuer, rs256_client, redirect_uri, claims["sub"])

    # JSON API: enrol TOTP, step up to aal2, print that session's tokens for the fuzzing.
    tokens = sign_in_aal2(http, issuer, username, password)
    print(tokens["access_token"], tokens["refresh_token"])


def sign_in_aal2(http, issuer, username, password):
    """Signs in through the JSON API, enrols TOTP and steps up: the aal2 token set."""
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
    check(r.status_code == 200, f"{username}: TOTP enrolled")
    r = http.post(f"{issuer}/step-up", headers=auth, json={"code": totp(secret)}, timeout=10)
    check(r.status_code == 200 and r.json()["acr"] == "aal2", f"{username}: stepped up to aal2")
    return r.json()


def rs256_relying_party(http, meta, issuer, client_id, redirect_uri, subject):
    """A relying party whose library takes only RS256 (the browser is signed in already)."""
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    res = http.get(meta["authorization_endpoint"], params={
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
        "scope": "openid", "state": state, "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256",
    }, allow_redirects=False, timeout=10)
    check(res.status_code == 303, f"RS256 client: single sign-on answers with a code ({res.status_code})")
    back = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(res.headers["location"]).query))
    check(back.get("state") == state, "RS256 client: state comes back")
    check(back.get("iss") == issuer, "RS256 client: iss in the authorization response (RFC 9207)")
    res = requests.post(meta["token_endpoint"], data={
        "grant_type": "authorization_code", "code": back["code"], "redirect_uri": redirect_uri,
        "client_id": client_id, "code_verifier": verifier,
    }, timeout=10)
    check(res.status_code == 200, f"RS256 client: token endpoint ({res.status_code})")
    # RFC 6749 5.1: JSON, Cache-Control no-store, Pragma no-cache; token_type Bearer.
    check(res.headers.get("content-type", "").startswith("application/json"), "token response is JSON")
    check("no-store" in res.headers.get("cache-control", ""), "token response: Cache-Control no-store")
    check(res.headers.get("pragma") == "no-cache", "token response: Pragma no-cache")
    body = res.json()
    check(body["token_type"].lower() == "bearer", "token response: a Bearer token")
    check(isinstance(body.get("expires_in"), int) and body["expires_in"] > 0, "token response: expires_in")
    keys = conforming_jwks(meta["jwks_uri"])
    raw = body["id_token"]
    jwks = jwt.PyJWKClient(meta["jwks_uri"])
    key = jwks.get_signing_key_from_jwt(raw)
    claims = jwt.decode(raw, key.key, algorithms=["RS256"], audience=client_id, issuer=issuer)
    conforming_id_token(raw, claims, client_id, issuer, nonce, "RS256", keys)
    check(claims["sub"] == subject, "RS256 client: the same person")
    check(keys[jwt.get_unverified_header(raw)["kid"]]["kty"] == "RSA", "RS256 client: an RSA key signed it")
    # The ID token as id_token_hint ends the session (RP-Initiated Logout).
    end = http.get(meta["end_session_endpoint"], params={"id_token_hint": raw, "client_id": client_id},
                   allow_redirects=False, timeout=10)
    check(end.status_code in (200, 204, 303), f"RS256 client: its ID token is a valid id_token_hint ({end.status_code})")


if __name__ == "__main__":
    main()
