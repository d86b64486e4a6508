//! The `egov` binary as an operator runs it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn egov() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_egov"));
    cmd.current_dir(workspace())
        .env_remove("EGOV_ENVIRONMENT")
        .env_remove("EGOV_DATABASE_URL")
        .env("EGOV_ENVIRONMENT", "test")
        // Keep generated secrets out of the working tree.
        .env("EGOV__AUTH__BLIND_INDEX_KEY", egov_testing::random_key())
        .env("EGOV__AUTH__ENCRYPTION_KEY", egov_testing::random_key())
        // And anchors and their key.
        .env("EGOV__AUDIT__ANCHOR_KEY", egov_testing::random_key())
        .env(
            "EGOV__AUDIT__ANCHOR_FILE",
            std::env::temp_dir().join(format!(
                "egov-cli-anchors-{}.jsonl",
                uuid::Uuid::new_v4().simple()
            )),
        );
    cmd
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `egov migrate` against `url`, asserting success; returns its standard output.
fn migrate(url: &str) -> String {
    let out = egov()
        .args(["migrate", "--database-url", url])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// `egov serve` on a fresh SQLite file and port 0, with `envs`; returns the child, the address
/// it printed and the rest of its standard output.
fn spawn_serve(
    envs: &[(&str, &str)],
) -> (
    std::process::Child,
    String,
    Vec<String>,
    std::io::Lines<BufReader<std::process::ChildStdout>>,
    tempfile::TempDir,
) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", tmp.path().join("egov.db").display());
    let mut child = egov()
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", &url])
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut before = Vec::new();
    let addr = loop {
        let line = lines.next().expect("a line").expect("utf-8");
        before.push(line.clone());
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim().to_owned();
        }
    };
    (child, addr, before, lines, tmp)
}

/// One raw HTTP/1.1 request; returns the whole response.
fn http(addr: &str, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

fn sigterm(child: &std::process::Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

#[test]
fn pack_validate_accepts_the_shipped_packs() {
    for code in ["kr", "py"] {
        let out = egov()
            .args(["pack", "validate", &format!("config/countries/{code}")])
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains(&format!("valid pack `{code}`")));
    }
}

#[test]
fn pack_validate_names_file_and_field_of_each_problem() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("kr");
    std::fs::create_dir_all(dir.join("holidays")).expect("mkdir");
    let manifest = std::fs::read_to_string(workspace().join("config/countries/kr/pack.toml"))
        .expect("read")
        .replace("Asia/Seoul", "Mars/Olympus");
    std::fs::write(dir.join("pack.toml"), manifest).expect("write");
    std::fs::write(dir.join("holidays/2026.toml"), "year = 2026\n").expect("write");
    let out = egov()
        .args(["pack", "validate"])
        .arg(&dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("pack.toml: time_zone: `Mars/Olympus` is not an IANA time zone"),
        "{err}"
    );
}

#[test]
fn openapi_prints_the_merged_and_module_documents() {
    let out = egov().arg("openapi").output().expect("run");
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"].get("/api/v1/countries").is_some());

    let out = egov()
        .args(["openapi", "--module", "platform"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let out = egov()
        .args(["openapi", "--module", "nope"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unknown module `nope`"));
}

#[test]
fn migrate_creates_the_sqlite_file_and_is_idempotent() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", tmp.path().join("sub/egov.db").display());
    let first = migrate(&url);
    assert!(first.contains("applied auth:"), "{first}");
    let second = migrate(&url);
    assert!(second.contains("up to date"), "{second}");
    assert!(tmp.path().join("sub/egov.db").is_file());
}

#[test]
fn serve_refuses_bad_settings_with_the_key_named() {
    let out = egov()
        .args(["serve"])
        .env("EGOV__SERVER__PORTT", "1")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("portt"), "{}", text(&out.stderr));

    let out = egov()
        .args(["serve", "--modules", "petitoin", "--bind", "127.0.0.1:0"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unknown module `petitoin`"));

    let out = egov()
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("cannot connect"), "{err}");
}

#[test]
fn serve_prints_its_address_and_stops_gracefully_on_sigterm() {
    let (mut child, addr, _, mut lines, _tmp) = spawn_serve(&[("EGOV__LOG__LEVEL", "warn")]);
    let printed: Vec<String> = (0..4)
        .map(|_| lines.next().expect("a line").expect("utf-8"))
        .collect();
    assert!(printed.iter().any(|l| l.contains("/docs/")), "{printed:?}");

    // It answers...
    let response = http(
        &addr,
        "GET /health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    // ...and SIGTERM stops it cleanly.
    sigterm(&child);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(Instant::now() < deadline, "egov did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn json_logs_carry_the_request_id_on_every_line_of_a_request() {
    let (mut child, addr, _, lines, _tmp) =
        spawn_serve(&[("EGOV__LOG__FORMAT", "json"), ("EGOV__LOG__LEVEL", "info")]);
    let response = http(
        &addr,
        "GET /api/v1/countries/zz HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-me-123\r\nConnection: close\r\n\r\n",
    );
    assert!(response.starts_with("HTTP/1.1 404"), "{response}");
    sigterm(&child);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().expect("wait").success());
    let ours: Vec<serde_json::Value> = rest
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["span"]["request_id"] == "trace-me-123")
        .collect();
    assert!(
        ours.iter().any(|v| v["message"] == "request completed"
            && v["status"] == 404
            && v["route"] == "/api/v1/countries/{code}"),
        "no access-log line with the request id in:\n{}",
        rest.join("\n")
    );
}

#[test]
fn audit_verify_reports_an_intact_and_a_broken_access_log() {
    use diesel::RunQueryDsl;
    use egov_auth::{AccessEntry, Action, SubjectIndex, store};

    let tmp = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", tmp.path().join("egov.db").display());
    migrate(&url);

    // Three accesses, recorded as a module would.
    let mut settings =
        egov_core::Settings::load_from(&workspace().join("config"), "test", Vec::new())
            .expect("settings");
    settings.database.url = egov_core::settings::DatabaseUrl::new(url.clone());
    let db = egov_core::Db::connect(&settings.database).expect("db");
    let mut conn = db.get_blocking().expect("connection");
    let index = SubjectIndex::new(b"a test key of at least 32 bytes!").expect("key");
    for i in 0..3 {
        let entry = AccessEntry {
            actor: "officer-1".into(),
            source_ip: "192.0.2.1".into(),
            subject: index.account(&format!("citizen-{i}")),
            action: Action::View,
            purpose: "tax.assessment".into(),
            module: "tax".into(),
            record_ref: None,
            request_id: None,
        };
        store::append(&mut conn, &entry, chrono::Utc::now()).expect("append");
    }

    // One anchoring key and anchor file for this installation.
    let key = egov_testing::random_key();
    let anchors = tmp.path().join("anchors.jsonl");
    let run = |args: &[&str]| {
        egov()
            .args(args)
            .args(["--database-url", &url])
            .env("EGOV__AUDIT__ANCHOR_KEY", &key)
            .env("EGOV__AUDIT__ANCHOR_FILE", &anchors)
            .output()
            .expect("run")
    };
    let out = run(&["audit", "anchor"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("auth.access_log: 1 anchor(s) written"));
    let out = run(&["audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("access log chain intact: 3 record(s) verified")
            && stdout.contains("auth.access_log: agrees with 1 anchor(s)"),
        "{stdout}"
    );

    // The tail cut off and the head moved back: the chain agrees with itself, not with its
    // anchor.
    diesel::sql_query("DELETE FROM auth_access_log WHERE seq = 3")
        .execute(&mut *conn)
        .expect("tamper");
    diesel::sql_query(
        "UPDATE auth_access_log_head SET seq = 2, \
         hash = (SELECT hash FROM auth_access_log WHERE seq = 2) WHERE id = 1",
    )
    .execute(&mut *conn)
    .expect("tamper");
    let out = run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("access log chain intact")
            && text(&out.stderr).contains("auth.access_log BROKEN: the chain ends at record 2"),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    diesel::sql_query("UPDATE auth_access_log SET actor = 'officer-2' WHERE seq = 2")
        .execute(&mut *conn)
        .expect("tamper");
    let out = run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("access log BROKEN: record 2 was altered"),
        "{}",
        text(&out.stderr)
    );

    // Retention shorter than the statutory year is refused.
    let out = egov()
        .args([
            "audit",
            "purge",
            "--keep-days",
            "30",
            "--database-url",
            &url,
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let out = egov()
        .args([
            "audit",
            "purge",
            "--keep-days",
            "730",
            "--database-url",
            &url,
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("removed 0 record(s)"));
}

#[test]
fn a_fresh_installation_offers_a_setup_token_and_admin_create_bootstraps() {
    let (mut child, _addr, _, mut lines, _tmp) = spawn_serve(&[("EGOV__LOG__LEVEL", "warn")]);
    let mut printed = Vec::new();
    while let Some(Ok(line)) = lines.next() {
        let done = line.contains("ready in");
        printed.push(line);
        if done {
            break;
        }
    }
    assert!(
        printed.iter().any(|l| l.contains("setup token")),
        "{printed:?}"
    );
    sigterm(&child);
    child.wait().expect("wait");

    let tmp = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", tmp.path().join("egov.db").display());
    // The same keys for every command on this database.
    let keys = [
        ("EGOV__AUTH__BLIND_INDEX_KEY", egov_testing::random_key()),
        ("EGOV__AUTH__ENCRYPTION_KEY", egov_testing::random_key()),
    ];
    let admin = |args: &[&str], password: &str| {
        egov()
            .arg("admin")
            .args(args)
            .args(["--database-url", &url])
            .envs(keys.iter().map(|(k, v)| (*k, v.as_str())))
            .env("EGOV_ADMIN_PASSWORD", password)
            .output()
            .expect("run")
    };
    let create = [
        "create",
        "--username",
        "root.admin",
        "--display-name",
        "Root Admin",
    ];
    let out = admin(&create, "password1234");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("/password"),
        "{}",
        text(&out.stderr)
    );
    let out = admin(&create, "a long and unusual passphrase");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("platform admin `root.admin` created"));
    let out = admin(&create, "a long and unusual passphrase");
    assert!(!out.status.success(), "the login name is taken");

    let out = admin(
        &[
            "client",
            "--name",
            "Portal",
            "--redirect-uri",
            "https://portal.example/cb",
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let client: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        client["client_id"]
            .as_str()
            .is_some_and(|c| c.starts_with("c-"))
    );
    let out = admin(
        &[
            "client",
            "--name",
            "Bad",
            "--redirect-uri",
            "http://portal.example/cb",
        ],
        "",
    );
    assert!(
        !out.status.success(),
        "plain http outside localhost is refused"
    );

    let out = admin(&["rotate-key"], "");
    assert!(
        text(&out.stdout).contains("new signing key ed-"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn every_section_belongs_to_the_platform_or_a_module_and_each_module_checks_its_own() {
    let load = |vars: &[(&str, &str)]| {
        egov_core::Settings::load_from(
            &workspace().join("config"),
            "test",
            vars.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<Vec<_>>(),
        )
        .expect("loads")
    };
    egov_server::check_settings(&load(&[])).expect("the shipped settings check");
    let err = egov_server::check_settings(&load(&[("EGOV__PETITON__BLOB_DIR", "/tmp")]))
        .expect_err("a misspelt module section")
        .to_string();
    assert!(err.contains("petiton"), "{err}");
    let err = egov_server::check_settings(&load(&[("EGOV__DOCFLOW__MAX_PAGE_SISE", "9")]))
        .expect_err("a misspelt key of a module's section")
        .to_string();
    assert!(err.contains("max_page_sise"), "{err}");
    let err = egov_server::check_settings(&load(&[("EGOV__PROCUREMENT__SCHEDULER_MS", "soon")]))
        .expect_err("a value of the wrong type")
        .to_string();
    assert!(err.contains("[procurement]"), "{err}");
}

/// A deployment's places for one backup test: its database (on this run's backend), blob
/// store, anchor file and anchoring key.
struct Site {
    db: egov_testing::TestDatabase,
    blobs: PathBuf,
    anchors: PathBuf,
    key: String,
}

impl Site {
    fn new(tmp: &std::path::Path, name: &str, key: &str) -> Self {
        Self {
            db: egov_testing::TestDatabase::create(),
            blobs: tmp.join(name).join("blobs"),
            anchors: tmp.join(name).join("anchors.jsonl"),
            key: key.to_owned(),
        }
    }

    /// `egov <args>` at this site.
    fn run(&self, args: &[&str]) -> std::process::Output {
        egov()
            .args(args)
            .args(["--database-url", &self.db.url])
            .env("EGOV__AUDIT__ANCHOR_KEY", &self.key)
            .env("EGOV__AUDIT__ANCHOR_FILE", &self.anchors)
            .env("EGOV__PETITION__BLOB_DIR", &self.blobs)
            .output()
            .expect("run")
    }

    fn connection(&self) -> egov_core::Db {
        let mut settings =
            egov_core::Settings::load_from(&workspace().join("config"), "test", Vec::new())
                .expect("settings");
        settings.database.url = egov_core::settings::DatabaseUrl::new(self.db.url.clone());
        egov_core::Db::connect(&settings.database).expect("db")
    }
}

fn access(i: usize) -> egov_auth::AccessEntry {
    let index = egov_auth::SubjectIndex::new(b"a test key of at least 32 bytes!").expect("key");
    egov_auth::AccessEntry {
        actor: "officer-1".into(),
        source_ip: "192.0.2.1".into(),
        subject: index.account(&format!("citizen-{i}")),
        action: egov_auth::Action::View,
        purpose: "tax.assessment".into(),
        module: "tax".into(),
        record_ref: None,
        request_id: None,
    }
}

fn exchange_entry(i: usize) -> egov_exchange::log::Entry {
    egov_exchange::log::Entry {
        side: egov_exchange::log::Side::Provider,
        message_id: format!("message-{i}"),
        client: "KR/GOV/EGOV/procurement".into(),
        service: "KR/GOV/EGOV/tax/tax-clearance".into(),
        purpose: "procurement.eligibility".into(),
        subject: None,
        consent: None,
        basis: Some("Act on Contracts to Which the State is a Party, Art. 12".into()),
        method: "POST".into(),
        path: "/v1".into(),
        request_headers: std::collections::BTreeMap::new(),
        request_digest: "0".repeat(64),
        request_body: Some("{}".into()),
        request_signature: None,
        request_hash: None,
        response_status: 200,
        response_headers: std::collections::BTreeMap::new(),
        response_digest: "0".repeat(64),
        response_body: Some("{\"clear\":true}".into()),
        response_signature: None,
        outcome: "ok".into(),
        error_type: None,
        items_released: vec!["clearance".into()],
        items_stripped: vec![],
        mode: "full".into(),
    }
}

#[test]
fn backup_restores_into_a_new_database_and_every_trail_verifies_there() {
    use egov_petition::blob::BlobStore;

    let tmp = tempfile::tempdir().expect("temp dir");
    let key = egov_testing::random_key();
    let old = Site::new(tmp.path(), "old", &key);
    migrate(&old.db.url);

    // What a deployment holds: accesses to personal data, exchange messages, an attachment,
    // anchors.
    let db = old.connection();
    let mut conn = db.get_blocking().expect("connection");
    for i in 0..3 {
        egov_auth::store::append(&mut conn, &access(i), chrono::Utc::now()).expect("append");
    }
    for i in 0..2 {
        egov_exchange::store::append(&mut conn, &exchange_entry(i), chrono::Utc::now())
            .expect("append");
    }
    let attachment = b"%PDF-1.7 a certificate of residence".to_vec();
    let sha = egov_petition::blob::FsBlobStore::new(old.blobs.clone())
        .put(&attachment)
        .expect("blob");
    let out = old.run(&["audit", "anchor"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let backup = tmp.path().join("backup");
    let out = old.run(&["backup", "--out", backup.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("backup of"),
        "{}",
        text(&out.stdout)
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(backup.join("manifest.json")).expect("manifest"),
    )
    .expect("JSON");
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    let db_file = match egov_testing::backend() {
        egov_testing::Backend::Sqlite => "database.sqlite",
        egov_testing::Backend::Postgres => "database.pgdump",
    };
    let blob_path = format!("blobs/petition/{}/{}", &sha[..2], &sha[2..]);
    for f in ["anchors.jsonl", db_file, blob_path.as_str()] {
        assert!(files.contains(&f), "{f} in {files:?}");
    }
    // A backup goes into a new directory.
    let out = old.run(&["backup", "--out", backup.to_str().expect("utf-8")]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is not empty"),
        "{}",
        text(&out.stderr)
    );

    // After the backup, the old deployment goes on: the restored one must not have this.
    egov_auth::store::append(&mut conn, &access(3), chrono::Utc::now()).expect("append");
    drop(conn);
    drop(db);

    // A damaged copy is refused before anything is written.
    let damaged = tmp.path().join("damaged");
    std::fs::create_dir(&damaged).expect("dir");
    for rel in &files {
        let to = damaged.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("dirs");
        std::fs::copy(backup.join(rel), to).expect("copy");
    }
    std::fs::copy(backup.join("manifest.json"), damaged.join("manifest.json")).expect("copy");
    let anchors = damaged.join("anchors.jsonl");
    let mut bytes = std::fs::read(&anchors).expect("read");
    bytes[10] ^= 1;
    std::fs::write(&anchors, bytes).expect("write");
    let new = Site::new(tmp.path(), "new", &key);
    let out = new.run(&["restore", "--from", damaged.to_str().expect("utf-8")]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("anchors.jsonl does not match the manifest"),
        "{}",
        text(&out.stderr)
    );
    assert!(!new.anchors.exists() && !new.blobs.exists());

    // The restore, into a new database.
    let out = new.run(&["restore", "--from", backup.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 blob(s)") && text(&out.stdout).contains("anchors written"),
        "{}",
        text(&out.stdout)
    );
    let out = new.run(&["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("up to date"),
        "{}",
        text(&out.stdout)
    );
    let out = new.run(&["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("access log chain intact: 3 record(s) verified")
            && stdout.contains("auth.access_log: agrees with 1 anchor(s)")
            && stdout.contains("exchange.message_log: agrees with 1 anchor(s)"),
        "{stdout}"
    );
    let out = new.run(&["exchange", "verify-log"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("message log intact: 2 record(s) verified"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        std::fs::read(new.blobs.join("petition").join(&sha[..2]).join(&sha[2..])).expect("blob"),
        attachment
    );

    // Only into a new database.
    let out = new.run(&["restore", "--from", backup.to_str().expect("utf-8")]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("a restore goes into a new database"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn migrate_status_lists_pending_and_newer_migrations() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let site = Site::new(tmp.path(), "site", &egov_testing::random_key());
    // Nothing applied yet: every migration is pending, exit status 2.
    let out = site.run(&["migrate", "--status"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("PENDING  auth        2026-11-23-100001_access_log"),
        "{}",
        text(&out.stdout)
    );
    migrate(&site.db.url);
    let out = site.run(&["migrate", "--status"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(" 0 pending"),
        "{}",
        text(&out.stdout)
    );

    // A newer egov migrated the database (a rolling upgrade): this version says so, and
    // still works on it.
    {
        use diesel::RunQueryDsl;
        let db = site.connection();
        let mut conn = db.get_blocking().expect("connection");
        diesel::sql_query(
            "INSERT INTO __diesel_schema_migrations (version) VALUES ('99991231000000')",
        )
        .execute(&mut *conn)
        .expect("insert");
    }
    let out = site.run(&["migrate", "--status"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("99991231000000: applied by a newer egov")
            && text(&out.stdout).contains("1 from a newer version"),
        "{}",
        text(&out.stdout)
    );
    let out = site.run(&["exchange", "verify-log"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn tax_simulate_into_a_closed_pipe_ends_quietly_and_still_writes_its_results() {
    let dir = std::env::temp_dir().join(format!("egov-sim-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let results = dir.join("households.results.csv");
    // `egov tax simulate … | head -0`: the reader is gone before the report is written.
    let mut child = egov()
        .args([
            "tax", "simulate", "--pack", "kr", "--year", "2026", "--input",
        ])
        .arg(workspace().join("docs/tax/households.sample.csv"))
        .arg("--output")
        .arg(&results)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let summary = std::fs::read_to_string(dir.join("households.summary.json")).expect("summary");
    assert!(summary.contains("\"rows\": 10"), "{summary}");
    assert!(std::fs::read_to_string(&results).is_ok_and(|r| r.lines().count() == 11));
    let _ = std::fs::remove_dir_all(&dir);
}
