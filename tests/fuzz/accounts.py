"""Makes the accounts .ci/run fuzzes egov as, besides the admin: a citizen and an officer.

The citizen registers through the API (kind citizen, a fresh resident registration number of
the kr pack), signs in, enrols TOTP and steps up (aal2: filing a tax return and asking for a
certificate need it). The officer is invited by
the platform admin into an agency of their own with every module's officer roles, accepts
the invitation, enrols TOTP and steps up (aal2, as officers must).

Usage: accounts.py BASE_URL ADMIN_REFRESH_TOKEN DIR
Writes each session's refresh token to DIR/admin (the admin's session, refreshed), DIR/citizen
and DIR/officer, for tests/fuzz/hooks.py.
"""

import os
import random
import sys
import uuid

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oidc_client"))
from client import check, sign_in_aal2  # noqa: E402

# Every role the modules define (docs/auth.md); a name no module defines is a 422 that names the
# known ones, so a role renamed in a module fails here loudly.
OFFICER_ROLES = [
    "petition.officer", "petition.supervisor", "petition.head",
    "procurement.officer", "procurement.committee", "procurement.evaluator", "procurement.reviewer",
    "docflow.admin", "docflow.office", "docflow.records",
    "tax.officer",
]
PASSWORD = "a fuzzing passphrase, long enough"


def citizen(base, http):
    username = f"fuzz.citizen.{uuid.uuid4().hex[:8]}"
    r = http.post(f"{base}/auth/register", json={
        "kind": "citizen", "username": username, "display_name": "Fuzz Citizen", "password": PASSWORD,
        "national_id": f"{random.randint(50, 99)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
        f"-{random.choice('12')}{random.randint(0, 999999):06d}",
    }, timeout=10)
    check(r.status_code == 202, f"the citizen registers ({r.status_code})")
    return sign_in_aal2(http, f"{base}/auth", username, PASSWORD)["refresh_token"]


def officer(base, http, admin):
    auth = {"Authorization": f"Bearer {admin}"}
    r = http.post(f"{base}/auth/agencies", headers=auth, json={"id": "FUZZ", "name": "Fuzzing Agency"}, timeout=10)
    check(r.status_code in (201, 409), f"the officer's agency ({r.status_code})")
    username = f"fuzz.officer.{uuid.uuid4().hex[:8]}"
    r = http.post(f"{base}/auth/agencies/FUZZ/accounts", headers=auth, json={
        "kind": "officer", "username": username, "display_name": "Fuzz Officer", "roles": OFFICER_ROLES,
    }, timeout=10)
    check(r.status_code == 201, f"the officer is invited ({r.status_code} {r.text[:300]})")
    r = http.post(f"{base}/auth/invitations/accept",
                  json={"token": r.json()["invitation_token"], "password": PASSWORD}, timeout=10)
    check(r.status_code in (200, 204), f"the officer accepts ({r.status_code})")
    return sign_in_aal2(http, f"{base}/auth", username, PASSWORD)["refresh_token"]


def main():
    base, admin_refresh, out = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    http = requests.Session()
    r = http.post(f"{base}/auth/refresh", json={"refresh_token": admin_refresh}, timeout=10)
    check(r.status_code == 200, f"the admin's session is refreshed ({r.status_code})")
    admin = r.json()
    sessions = {
        "admin": admin["refresh_token"],
        "citizen": citizen(base, http),
        "officer": officer(base, http, admin["access_token"]),
    }
    for who, refresh_token in sessions.items():
        with open(os.path.join(out, who), "w") as f:
            f.write(refresh_token)


if __name__ == "__main__":
    main()
