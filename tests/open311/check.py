"""Checks egov's Open311 GeoReport v2 endpoint with a client written by other people, run by
.ci/run against a live `egov serve`.

The PyPI package `georeport` reads (services, a service definition, requests by filter and one
request) in both of the specification's formats, JSON and XML (parsed by xmltodict). It has no
call that creates a request, so that is sent as the specification describes it
(`application/x-www-form-urlencoded`, with the `api_key` every client sends, `address_id` and
`media_url`) by a citizen registered and signed in through egov's JSON API.

Usage: check.py BASE_URL
"""

import random
import sys
import uuid

import requests
import xmltodict
from georeport import GeoReport


def check(cond, what):
    if not cond:
        raise SystemExit(f"FAILED: {what}")
    print(f"ok: {what}", file=sys.stderr)


def citizen_token(base):
    username = f"open311.{uuid.uuid4().hex[:8]}"
    password = "a citizen passphrase for open311"
    r = requests.post(
        f"{base}/auth/register",
        json={
            "kind": "citizen",
            "username": username,
            "display_name": "Open311 Citizen",
            "password": password,
            # A fresh resident registration number (the kr pack checks the birth date and
            # the century digit): a number registered already would get the same 202 and
            # no account.
            "national_id": f"{random.randint(50, 99)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
            f"-{random.choice('12')}{random.randint(0, 999999):06d}",
        },
        timeout=10,
    )
    check(r.status_code == 202, f"a citizen registers ({r.status_code})")
    r = requests.post(f"{base}/auth/login", json={"username": username, "password": password}, timeout=10)
    check(r.status_code == 200, f"the citizen signs in ({r.status_code})")
    return r.json()["tokens"]["access_token"]


def create(root, fmt, token, **extra):
    body = {
        "service_code": "road-complaint",
        "api_key": "georeport-client-key",
        "description": "Deep pothole in front of the station",
        "attribute[problem]": "pothole",
        "attribute[region]": "seoul-jongno",
        **extra,
    }
    return requests.post(
        f"{root}/requests.{fmt}",
        data={k: v for k, v in body.items() if v is not None},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def main():
    base = sys.argv[1].rstrip("/")
    root = f"{base}/petition/open311/v2"
    token = citizen_token(base)

    r = create(root, "json", token, lat="37.5735", long="126.9790")
    check(r.status_code == 201 and r.headers["content-type"].startswith("application/json"), "POST requests.json")
    by_position = r.json()[0]["service_request_id"]
    r = create(root, "xml", token, address_id="KR-1111010100100010000", media_url="https://photos.example.org/p.jpg")
    check(r.status_code == 201 and r.headers["content-type"].startswith("text/xml"), "POST requests.xml with address_id and media_url")
    by_address = xmltodict.parse(r.content)["service_requests"]["request"]["service_request_id"]
    r = create(root, "json", token, service_code=None, lat="37.5", long="127.0")
    check(r.status_code == 400, f"a request without service_code is a 400 ({r.status_code})")

    for fmt in ("json", "xml"):
        client = GeoReport(root, output_format=fmt)
        services = client.get_service_list()
        services = services if isinstance(services, list) else [services]
        check(any(s["service_code"] == "road-complaint" for s in services), f"{fmt}: service list")
        definition = client.get_service_definition("road-complaint")
        attributes = definition["attributes"]
        attributes = attributes["attribute"] if fmt == "xml" else attributes
        attributes = attributes if isinstance(attributes, list) else [attributes]
        check(any(a["code"] == "problem" for a in attributes), f"{fmt}: service definition")
        found = client.get_service_requests(service_code="road-complaint", status="open,closed")
        found = found if isinstance(found, list) else [found]
        ids = {x["service_request_id"] for x in found}
        check({by_position, by_address} <= ids, f"{fmt}: requests by service and status=open,closed")
        one = client.get_service_request(by_address)
        check(one["service_request_id"] == by_address and one["status"] == "open", f"{fmt}: one request")
        listed = client.get_service_requests(service_request_id=f"{by_position},{by_address}")
        listed = listed if isinstance(listed, list) else [listed]
        check(len(listed) == 2, f"{fmt}: requests by a list of ids")

    # The applicant sees what the public does not: the address id and the picture's URL.
    mine = requests.get(
        f"{root}/requests/{by_address}.json", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()[0]
    check(mine["address_id"] == "KR-1111010100100010000", "the applicant sees the address_id")
    check(mine["media_url"] == "https://photos.example.org/p.jpg", "the applicant sees the media_url")
    print("Open311 GeoReport v2: the georeport client read JSON and XML; requests created")


if __name__ == "__main__":
    main()
