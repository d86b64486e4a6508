#!/usr/bin/env python3
"""Runs a rendered Kustomize overlay's processes outside Kubernetes and checks its Ingress.

Usage: topology.py RENDERED.yaml PATH-TO-EGOV WORKDIR

Every Deployment of the overlay becomes an `egov` process with the Deployment's arguments and
the overlay's ConfigMap (Service addresses, the public address and the issuer rewritten to
loopback; one SQLite database, migrated once as the migration Job does). A small router in
front of them applies the Ingress's rules as Kubernetes defines them (the longest matching
path; Exact before Prefix) and stands for the public address. Then, through the router:

- each page, API document and exchange gateway of a module reaches a process that serves it
  (not a 404), and the process the rules pick is that module's;
- every link of the home page (served by one module, linking to all of them) reaches a process
  that serves it;
- sign-in in one process sends the browser to the identity provider in another, at the public
  address, and the provider's page answers;
- as a control, a process asked for another module's page answers 404, so "not a 404" above
  does say that the right process answered.
"""

import html.parser
import http.client
import http.server
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import yaml

# Pages, documents and gateways of each group, and who must serve them ("*/<module>" paths are
# the exchange gateway of that subsystem at kr's member).
MEMBER = "KR/GOV/EGOV"
EXPECTED = {
    "/": "petition",
    "/services": "petition",
    "/my/applications": "petition",
    "/desk/petitions": "petition",
    "/desk/reports/compliance": "petition",
    "/documents/verify": "petition",
    "/openapi/petition.json": "petition",
    "/tenders": "procurement",
    "/my/procurement": "procurement",
    "/desk/procurement": "procurement",
    "/openapi/procurement.json": "procurement",
    "/desk/documents": "docflow",
    "/desk/organisation": "docflow",
    "/desk/records": "docflow",
    "/openapi/docflow.json": "docflow",
    "/certificates/verify": "tax",
    "/my/tax": "tax",
    "/desk/tax": "tax",
    "/openapi/tax.json": "tax",
    "/signin": "platform",
    "/my": "platform",
    "/my/security": "platform",
    "/my/consents": "platform",
    "/admin/exchange": "platform",
    "/admin/officials": "platform",
    "/auth/.well-known/openid-configuration": "platform",
    "/openapi/auth.json": "platform",
    "/openapi/exchange.json": "platform",
    f"/r1/{MEMBER}/tax/tax-clearance/v1": "tax",
    f"/r1/{MEMBER}/auth/anchor-countersign/v1": "platform",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        res = conn.getresponse()
        return res.status, dict(res.getheaders()), res.read()
    finally:
        conn.close()


class Ingress:
    """The rules of one Ingress: (path, pathType, service)."""

    def __init__(self, doc):
        self.rules = [
            (p["path"], p["pathType"], p["backend"]["service"]["name"])
            for rule in doc["spec"]["rules"]
            for p in rule["http"]["paths"]
        ]

    def route(self, path):
        path = urllib.parse.urlsplit(path).path
        best = None
        for prefix, kind, service in self.rules:
            if kind == "Exact":
                hit = path == prefix
            else:
                parts = [p for p in prefix.split("/") if p]
                hit = [p for p in path.split("/") if p][: len(parts)] == parts
            if hit:
                key = (len(prefix.rstrip("/")), kind == "Exact")
                if best is None or key > best[0]:
                    best = (key, service)
        return best[1] if best else None


def router(ingress, ports, seen):
    class Handler(http.server.BaseHTTPRequestHandler):
        def forward(self):
            service = ingress.route(self.path)
            seen.append((self.path, service))
            if service not in ports:
                self.send_error(502, f"no backend for {self.path}")
                return
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else None
            conn = http.client.HTTPConnection("127.0.0.1", ports[service], timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            headers["Host"] = self.headers.get("host", "")
            headers["X-Forwarded-For"] = self.client_address[0]
            conn.request(self.command, self.path, body=body, headers=headers)
            res = conn.getresponse()
            data = res.read()
            self.send_response(res.status)
            for k, v in res.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Backend", service)
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_HEAD = forward

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.hrefs.append(href)


def main():
    rendered, egov, work = sys.argv[1:4]
    docs = [d for d in yaml.safe_load_all(open(rendered)) if d]
    (ingress,) = [Ingress(d) for d in docs if d["kind"] == "Ingress"]
    (settings,) = [d["data"] for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "egov-settings"]
    groups = {
        d["metadata"]["name"]: d["spec"]["template"]["spec"]["containers"][0]["args"]
        for d in docs
        if d["kind"] == "Deployment"
    }
    ports = {name: free_port() for name in groups}
    seen = []
    front = router(ingress, ports, seen)
    public = f"http://127.0.0.1:{front.server_address[1]}"

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV")}
    for key, value in settings.items():
        if key.startswith("EGOV__NOTIFY__"):
            continue  # the cluster's relay: notices stay in the log here
        if key.startswith("EGOV__EXCHANGE__SUBSYSTEMS__"):
            host = urllib.parse.urlsplit(value).hostname
            value = f"http://127.0.0.1:{ports[host]}"
        env[key] = value
    public_url = env["EGOV__SERVER__PUBLIC_URL"]
    env["EGOV__AUTH__ISSUER"] = env["EGOV__AUTH__ISSUER"].replace(public_url, public)
    env.update(
        {
            "EGOV__SERVER__PUBLIC_URL": public,
            "EGOV__SERVER__TRUSTED_PROXIES": "127.0.0.1",
            "EGOV__SERVER__WORKERS": "1",
            "EGOV__DATABASE__POOL_SIZE": "4",
            "EGOV_CONFIG_DIR": os.path.join(root, "config"),
            "EGOV__COUNTRY__PACKS_DIR": os.path.join(root, "config", "countries"),
            "EGOV__DATABASE__URL": "sqlite://data/egov.db",
            "EGOV__LOG__LEVEL": "warn",
            "EGOV__AUTH__BLIND_INDEX_KEY": secrets.token_hex(32),
            "EGOV__AUTH__ENCRYPTION_KEY": secrets.token_hex(32),
            "EGOV__AUDIT__ANCHOR_KEY": secrets.token_hex(32),
            "EGOV__SERVER__METRICS_TOKEN": secrets.token_hex(16),
        }
    )
    subprocess.run([egov, "migrate"], cwd=work, env=env, check=True, stdout=subprocess.DEVNULL)

    procs = {}
    failed = []

    def check(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failed.append(what)

    try:
        # The platform first: the others find the issuer through it at start.
        for name in sorted(groups, key=lambda n: n != "egov-platform"):
            args = [a if a != "0.0.0.0:8080" else f"127.0.0.1:{ports[name]}" for a in groups[name]]
            log = open(os.path.join(work, f"{name}.log"), "w")
            procs[name] = subprocess.Popen([egov, *args], cwd=work, env=env, stdout=log, stderr=log)
            deadline = time.time() + 60
            while True:
                try:
                    if request(ports[name], "GET", "/health/ready")[0] == 200:
                        break
                except OSError:
                    pass
                if procs[name].poll() is not None or time.time() > deadline:
                    print(open(os.path.join(work, f"{name}.log")).read())
                    raise SystemExit(f"{name} ({' '.join(args)}) did not become ready")
                time.sleep(0.2)
            print(f"ok   {name}: {' '.join(args[1:])} ready")

        for path, module in EXPECTED.items():
            method = "POST" if path.startswith("/r1/") else "GET"
            status, headers, body = request(front.server_address[1], method, path)
            backend = headers.get("X-Backend")
            check(
                backend == f"egov-{module}" and status != 404,
                f"{method} {path}: {status} from {backend} (expected egov-{module})",
            )

        status, _, body = request(front.server_address[1], "GET", "/?lang=en")
        check(status == 200, f"GET / (home page): {status}")
        links = Links()
        links.feed(body.decode())
        hrefs = sorted({h.split("#")[0] for h in links.hrefs} - {""})
        modules = {ingress.route(h) for h in hrefs}
        check(
            {"egov-procurement", "egov-tax", "egov-petition"} <= modules,
            f"the home page links to pages of {len(modules)} processes: {', '.join(sorted(m or '?' for m in modules))}",
        )
        for href in hrefs:
            status, headers, _ = request(front.server_address[1], "GET", href)
            check(status != 404, f"home page link {href}: {status} from {headers.get('X-Backend')}")

        # As the Ingress passes it: the public host.
        host = {"Host": urllib.parse.urlsplit(public).netloc}
        status, headers, _ = request(ports["egov-petition"], "GET", "/signin?return=%2Fmy%2Fapplications", host)
        location = headers.get("location", headers.get("Location", ""))
        check(
            status in (302, 303) and location.startswith(f"{public}/auth/"),
            f"sign-in at petition's process sends the browser to the issuer at the public address: {status} {location[:60]}",
        )
        hops = []
        while location.startswith(public) and len(hops) < 5:
            status, headers, _ = request(front.server_address[1], "GET", location[len(public):])
            hops.append(f"{urllib.parse.urlsplit(location).path} {status} {headers.get('X-Backend')}")
            location = headers.get("location", headers.get("Location", ""))
            location = urllib.parse.urljoin(public + "/", location) if location else ""
            if status == 200:
                break
        check(
            status == 200 and all(h.endswith("egov-platform") for h in hops),
            f"the provider's sign-in page, through the Ingress: {' -> '.join(hops)}",
        )

        status, _, body = request(ports["egov-platform"], "GET", "/tenders")
        check(status == 404, f"control: the platform's process asked for /tenders answers {status}")
    finally:
        for p in procs.values():
            p.terminate()
        for name, p in procs.items():
            try:
                code = p.wait(timeout=40)
            except subprocess.TimeoutExpired:
                p.kill()
                code = "killed"
            if code != 0:
                failed.append(f"{name} exited with {code} on SIGTERM")
        front.shutdown()
    if failed:
        for name in procs:
            print(f"--- {name}.log")
            print(open(os.path.join(work, f"{name}.log")).read()[-4000:])
        raise SystemExit(f"{len(failed)} topology check(s) failed")
    print(f"the topology: {len(procs)} processes, {len(ingress.rules)} Ingress rules, all checks passed")


if __name__ == "__main__":
    main()
