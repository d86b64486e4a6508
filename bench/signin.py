#!/usr/bin/env python3
"""Signs a new citizen in to a running egov through the pages (the provider's sign-in page, the
code flow, the callback), gives them APPLICATIONS draft applications through the API, and
prints `<session cookie> <one application id>` for the page benchmark in bench/run (r).

Usage: bench/signin.py http://127.0.0.1:18203 [applications]   (Python standard library only)
"""
import http.cookiejar
import json
import re
import sys
import urllib.parse
import urllib.request

base = sys.argv[1].rstrip("/")
count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
password = "bench passphrase for pages 1"
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def call(method, path, body=None, token=None, form=None):
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["content-type"] = "application/x-www-form-urlencoded"
    if token:
        headers["authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with opener.open(req) as res:
        return res.status, res.read().decode()


call("POST", "/auth/register", {"kind": "citizen", "username": "bench.pages",
                                "display_name": "Bench Pages", "password": password,
                                "national_id": "900101-1234567"})
# The sign-in page, through /signin (redirects are followed, cookies kept).
_, login = call("GET", "/signin?return=/my/applications")
fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', login))
fields.update(username="bench.pages", password=password)
status, page = call("POST", "/auth/authorize", form=fields)
assert status == 200 and "Bench Pages" in page, page[:300]
cookie = next(c.value for c in jar if c.name.endswith("egov_session"))
_, tokens = call("POST", "/auth/login", {"username": "bench.pages", "password": password})
token = json.loads(tokens)["tokens"]["access_token"]
last = None
for i in range(count):
    _, case = call("POST", "/petition/v1/applications",
                   {"service": "business-registration",
                    "form": {"business_name": f"Bench shop {i}", "business_type": "retail"}},
                   token=token)
    last = json.loads(case)["id"]
print(cookie, last)
