"""schemathesis hooks for .ci/run: the fuzzer stays signed in for the whole run.

egov's access tokens live at most five minutes (auth.access_token_secs), and a run lasts
longer, so a fixed `Authorization` header would fuzz most operations unauthenticated. This
auth provider starts from a refresh token kept in a file (EGOV_FUZZ_SESSION, of a session made
by tests/fuzz/accounts.py), refreshes it at POST /auth/refresh every two minutes, and writes
the new refresh token back for the next run; the session keeps its assurance level (aal2), and
the refresh token rotates as a client's would. With EGOV_FUZZ_SESSION_MAY_END set (the run that
fuzzes sign-out and ending sessions), a session the fuzzer ended itself is not an error.

Usage: SCHEMATHESIS_HOOKS=tests/fuzz/hooks.py EGOV_FUZZ_URL=http://... \
       EGOV_FUZZ_SESSION=FILE schemathesis run ...
"""

import os

import requests
import schemathesis

BASE = os.environ["EGOV_FUZZ_URL"].rstrip("/")


# Refreshed every two minutes, well within a token's five; not on a 401, which many operations
# answer by design (a wrong password, a step-up needed) and which would otherwise cost a
# refresh and a repeat each.
@schemathesis.auth(refresh_interval=120, retry_on=[])
class RefreshedSession:
    def __init__(self):
        self.file = os.environ["EGOV_FUZZ_SESSION"]
        with open(self.file) as f:
            self.refresh_token = f.read().strip()
        self.access_token = None

    def get(self, case, ctx):
        r = requests.post(
            f"{BASE}/auth/refresh", json={"refresh_token": self.refresh_token}, timeout=30
        )
        if r.status_code != 200:
            if os.environ.get("EGOV_FUZZ_SESSION_MAY_END") and self.access_token:
                # The run fuzzes the operations that end sessions: the rest of it runs with
                # the ended session's token (refused with 401, as it must be).
                return self.access_token
            raise RuntimeError(f"the fuzzer's session could not be refreshed: {r.status_code} {r.text}")
        tokens = r.json()
        self.refresh_token = tokens["refresh_token"]
        with open(self.file, "w") as f:
            f.write(self.refresh_token)
        self.access_token = tokens["access_token"]
        return self.access_token

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
