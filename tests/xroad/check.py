"""egov behind an X-Road Security Server, checked with requests written from the X-Road
specifications, not with egov's client. Run by .ci/run against a live `egov serve` whose
`exchange.security_servers` names this machine, so that it takes this script for the provider's
Security Server.

- X-Road Message Protocol for REST (PR-REST 1.0.3): 4.1 request format
  `{method} /r1/{serviceId}[/path]` with only `X-Road-Client` required, which may name a member
  (the subsystem code is optional); 4.2 percent-encoded identifier parts; 4.3 optional
  `X-Road-Id`, `X-Road-UserId`, `X-Road-Issue`, header names in any case; 4.6 errors as
  `{"type", "message", "detail"}` with a `Content-Type` that names the charset.
- Service Metadata Protocol for REST (PR-MREST): `listMethods` and `allowedMethods` in the
  shape of annex A's `restServiceDetailsListType` as annex B's examples show it, without the
  metaservices themselves; `getOpenAPI?serviceCode=` a valid OpenAPI document (checked with
  openapi-spec-validator).

Usage: check.py API_BASE XROAD_BASE ADMIN_TOKEN [MEMBER]
  API_BASE    the deployment's API (for the admin's access right)
  XROAD_BASE  the process behind the "Security Server" (this script)
"""

import sys
import uuid

import jsonschema
import requests
from openapi_spec_validator import validate

# PR-MREST annex A (restServiceDetailsListType / xroadRestServiceDetailsType / endpoint) with
# the field names of annex B's example messages, which is what Security Servers send.
SERVICE_LIST = {
    "type": "object",
    "required": ["service"],
    "additionalProperties": False,
    "properties": {
        "service": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "object_type", "xroad_instance", "member_class", "member_code",
                    "subsystem_code", "service_code", "service_type", "endpoint_list",
                ],
                "additionalProperties": False,
                "properties": {
                    "object_type": {"enum": ["SERVICE"]},
                    "xroad_instance": {"type": "string", "minLength": 1},
                    "member_class": {"type": "string", "minLength": 1},
                    "member_code": {"type": "string", "minLength": 1},
                    "subsystem_code": {"type": "string", "minLength": 1},
                    "service_code": {"type": "string", "minLength": 1},
                    "service_type": {"enum": ["REST", "OPENAPI"]},
                    "endpoint_list": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["method", "path"],
                            "additionalProperties": False,
                            "properties": {
                                "method": {"type": "string"},
                                "path": {"type": "string", "pattern": "^/"},
                            },
                        },
                    },
                },
            },
        }
    },
}

METASERVICES = {"listMethods", "allowedMethods", "getOpenAPI"}
SERVICE = "withholding-agent-registration"
PURPOSE = "tax.employer-register"
CLIENT = "KR/GOV/1310000"  # a whole member: PR-REST 4.1 makes the subsystem optional
BUSINESS = "124-81-00998"


def check(cond, what):
    if not cond:
        raise SystemExit(f"FAILED: {what}")
    print(f"ok: {what}", file=sys.stderr)


def xroad_error(res, status, xroad_type, what):
    """PR-REST 4.6: the status, a Content-Type with its charset, the error body."""
    check(res.status_code == status, f"{what}: status {res.status_code} is {status}")
    ctype = res.headers.get("Content-Type", "")
    check(ctype.startswith("application/json") and "charset=utf-8" in ctype.lower(),
          f"{what}: Content-Type {ctype!r} is JSON with its charset")
    body = res.json()
    check(set(body) == {"type", "message", "detail"}, f"{what}: body {body} is {{type, message, detail}}")
    check(body["type"] == xroad_type, f"{what}: type {body['type']} is {xroad_type}")
    check(isinstance(body["message"], str) and body["message"], f"{what}: a message")
    check("X-Road-Error" not in res.headers,
          f"{what}: no X-Road-Error (that marks the Security Servers' own errors)")


def main():
    api, base, token = sys.argv[1], sys.argv[2], sys.argv[3]
    member = sys.argv[4] if len(sys.argv) > 4 else "KR/GOV/EGOV"
    provider = f"{member}/tax"
    service_id = f"{provider}/{SERVICE}"

    r = requests.post(
        f"{api}/exchange/v1/admin/grants",
        headers={"Authorization": f"Bearer {token}"},
        json={"client": CLIENT, "service": service_id, "purpose": PURPOSE,
              "items": ["business_id", "registered", "registered_at"]},
        timeout=10,
    )
    check(r.status_code == 201, f"an access right for the member {CLIENT} ({r.status_code} {r.text[:200]})")

    # PR-REST 6.4: a POST through X-Road; no X-Road-Id (the client's Security Server would
    # make one up; the provider's must answer with one).
    r = requests.post(
        f"{base}/r1/{service_id}/v1",
        headers={"X-Road-Client": CLIENT, "X-Road-UserId": "KR8001011234567",
                 "X-Road-Issue": "EMP-2026-0042", "X-Egov-Purpose": PURPOSE,
                 "Content-Type": "application/json; charset=utf-8",
                 "Accept": "application/json"},
        json={"business_id": BUSINESS},
        timeout=10,
    )
    check(r.status_code == 200, f"a member's POST is served ({r.status_code} {r.text[:300]})")
    check(r.json().get("registered") is True, "the service answered")
    check(r.headers.get("X-Road-Id"), "the answer carries an X-Road-Id")
    check("X-Road-Error" not in r.headers, "no X-Road-Error on success")

    # 4.3: header names in any case; an X-Road-Id of the client's; the same id again is a
    # replay the provider refuses.
    message_id = str(uuid.uuid4())
    r = requests.post(
        f"{base}/r1/{service_id}/v1",
        headers={"x-road-client": CLIENT, "x-road-id": message_id, "x-egov-purpose": PURPOSE},
        json={"business_id": BUSINESS},
        timeout=10,
    )
    check(r.status_code == 200 and r.headers.get("X-Road-Id") == message_id,
          "lower-case headers; the client's X-Road-Id echoed")
    r = requests.post(
        f"{base}/r1/{service_id}/v1",
        headers={"X-Road-Client": CLIENT, "X-Road-Id": message_id, "X-Egov-Purpose": PURPOSE},
        json={"business_id": BUSINESS},
        timeout=10,
    )
    xroad_error(r, 409, "Client.DuplicateMessageId", "a repeated X-Road-Id")

    # PR-MREST 4: the metaservices of the provider subsystem.
    r = requests.get(f"{base}/r1/{provider}/listMethods",
                     headers={"X-Road-Client": f"{CLIENT}/hr", "Accept": "application/json"},
                     timeout=10)
    check(r.status_code == 200, f"listMethods ({r.status_code})")
    listed = r.json()
    jsonschema.validate(listed, SERVICE_LIST)
    codes = {s["service_code"] for s in listed["service"]}
    check(SERVICE in codes, f"listMethods names {SERVICE}: {sorted(codes)}")
    check(not codes & METASERVICES, "listMethods leaves out the metaservices")
    check(all(s["subsystem_code"] == "tax" and "/".join(
        [s["xroad_instance"], s["member_class"], s["member_code"]]) == member
        for s in listed["service"]), "every service is the provider subsystem's")

    r = requests.get(f"{base}/r1/{provider}/allowedMethods",
                     headers={"X-Road-Client": CLIENT}, timeout=10)
    allowed = r.json()
    jsonschema.validate(allowed, SERVICE_LIST)
    check([s["service_code"] for s in allowed["service"]] == [SERVICE],
          f"allowedMethods: only what {CLIENT} has an access right for")
    # 4.2: identifier parts percent-encoded ("a+b" as a%2Bb).
    r = requests.get(f"{base}/r1/{provider}/allowedMethods",
                     headers={"X-Road-Client": "KR/GOV/1310000/a%2Bb"}, timeout=10)
    check(r.status_code == 200 and r.json() == {"service": []},
          "a percent-encoded subsystem code; no access rights, none allowed")

    r = requests.get(f"{base}/r1/{provider}/getOpenAPI", params={"serviceCode": SERVICE},
                     headers={"X-Road-Client": CLIENT}, timeout=10)
    check(r.status_code == 200, f"getOpenAPI ({r.status_code})")
    doc = r.json()
    validate(doc)
    check(f"/r1/{service_id}/v1" in doc["paths"], "the description's path is the X-Road one")

    # 4.6: refusals.
    r = requests.get(f"{base}/r1/{provider}/no-such-service/v1",
                     headers={"X-Road-Client": CLIENT}, timeout=10)
    xroad_error(r, 404, "Server.ServerProxy.UnknownService", "an unknown service")
    for method in ("PUT", "DELETE"):
        r = requests.request(method, f"{base}/r1/{service_id}/v1",
                             headers={"X-Road-Client": CLIENT, "X-Egov-Purpose": PURPOSE},
                             json={"business_id": BUSINESS}, timeout=10)
        xroad_error(r, 405, "Client.MethodNotAllowed", method)
        check(r.headers.get("Allow") == "GET, POST", f"{method}: Allow names the methods")
    r = requests.post(f"{base}/r1/{service_id}/v1",
                      headers={"X-Road-Client": "KR/GOV/7777777/other", "X-Egov-Purpose": PURPOSE},
                      json={"business_id": BUSINESS}, timeout=10)
    xroad_error(r, 403, "Server.ServerProxy.AccessDenied", "a client without an access right")
    r = requests.post(f"{base}/r1/{service_id}/v1", headers={"X-Egov-Purpose": PURPOSE},
                      json={"business_id": BUSINESS}, timeout=10)
    xroad_error(r, 400, "Client.MissingHeader", "no X-Road-Client")
    r = requests.post(f"{base}/r1/{service_id}/v1",
                      headers={"X-Road-Client": "KR/GOV/13%2F10000", "X-Egov-Purpose": PURPOSE},
                      json={"business_id": BUSINESS}, timeout=10)
    xroad_error(r, 400, "Client.InvalidClientIdentifier", "a '/' inside an identifier part")
    r = requests.post(f"{base}/r1/{service_id}/v1",
                      headers={"X-Road-Client": CLIENT, "X-Egov-Purpose": PURPOSE},
                      json={"business_id": 42}, timeout=10)
    xroad_error(r, 400, "Client.InvalidPayload", "a payload against the service's schema")
    print("X-Road REST requests as a Security Server sends them: served, described and refused "
          "in X-Road's shapes")


if __name__ == "__main__":
    main()
