//! Test support: [`spawn_app`] starts the real egov app (real router, middleware and settings
//! loader) on port 0 with a fresh database per test.
//!
//! The backend comes from `EGOV_TEST_BACKEND`: `sqlite` (default; a temporary file) or
//! `postgres` (a database created for the test and dropped after it, on the server named by
//! `EGOV_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`). With
//! `postgres`, an unreachable server fails the test: it is never skipped.

pub mod browser;
mod callers;
pub mod clients;
pub mod mfa;
pub mod probe;
pub mod registry;

use std::net::TcpListener;
use std::path::PathBuf;

use diesel::{Connection, PgConnection, RunQueryDsl};
use egov_core::settings::DatabaseUrl;
use egov_core::{CountryPacks, Db, Module, Settings};
use egov_server::startup::{self, AppState};

/// The modules tests can serve: everything registered, plus the probe fixture.
pub fn test_registry() -> Vec<&'static dyn Module> {
    let mut modules = egov_server::registered_modules();
    modules.push(&probe::ProbeModule);
    modules.push(&registry::RegistryModule);
    modules
}

/// The workspace's `config/` directory.
pub fn config_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backend this test run uses.
pub fn backend() -> Backend {
    match std::env::var("EGOV_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("EGOV_TEST_BACKEND must be sqlite or postgres, not {other:?}"),
    }
}

fn postgres_admin_url() -> String {
    std::env::var("EGOV_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDatabase {
    /// A fresh, empty database on the configured backend.
    pub fn create() -> Self {
        match backend() {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("egov.db").display());
                Self {
                    url,
                    dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("egov_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::establish(&admin)
                    .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is unreachable: {e}"));
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("create test database");
                let mut url = url::Url::parse(&admin).expect("admin URL");
                url.set_path(&name);
                // Loopback test databases need no TLS; without it no OpenSSL state is in use
                // by pool threads when a test process exits (libpq + OpenSSL's exit handlers
                // crashed a test binary after all its tests had passed).
                if !url.query_pairs().any(|(k, _)| k == "sslmode") {
                    url.query_pairs_mut().append_pair("sslmode", "disable");
                }
                Self {
                    url: url.to_string(),
                    dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    /// Makes the database unreachable for the app: the SQLite directory is removed, the
    /// PostgreSQL database dropped with its connections.
    pub fn take_down(&mut self) {
        if let Some(dir) = self.dir.take() {
            std::fs::remove_dir_all(dir.path()).expect("remove SQLite directory");
        }
        if let Some(name) = self.pg_name.take() {
            drop_pg_database(&name);
        }
    }
}

fn drop_pg_database(name: &str) {
    let admin = postgres_admin_url();
    if let Ok(mut conn) = PgConnection::establish(&admin) {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn);
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            drop_pg_database(&name);
        }
    }
}

/// Settings as the real loader builds them from `config/`, with `overrides` given as
/// `EGOV__…` variables, pointed at `db`.
pub fn test_settings(db: &TestDatabase, overrides: &[(&str, &str)]) -> Settings {
    let mut vars: Vec<(String, String)> = vec![
        ("EGOV__SERVER__BIND".into(), "127.0.0.1:0".into()),
        ("EGOV__SERVER__WORKERS".into(), "1".into()),
        ("EGOV__SERVER__ACCESS_LOG".into(), "false".into()),
        ("EGOV__SERVER__SHUTDOWN_TIMEOUT_SECS".into(), "1".into()),
        ("EGOV__DATABASE__POOL_SIZE".into(), "4".into()),
        ("EGOV__DATABASE__ACQUIRE_TIMEOUT_SECS".into(), "1".into()),
        (
            "EGOV__COUNTRY__PACKS_DIR".into(),
            config_dir().join("countries").display().to_string(),
        ),
        ("EGOV__AUTH__BLIND_INDEX_KEY".into(), random_key()),
        ("EGOV__AUDIT__ANCHOR_KEY".into(), random_key()),
        (
            "EGOV__AUDIT__ANCHOR_FILE".into(),
            std::env::temp_dir()
                .join(format!(
                    "egov-test-anchors-{}.jsonl",
                    uuid::Uuid::new_v4().simple()
                ))
                .display()
                .to_string(),
        ),
        ("EGOV__AUTH__ENCRYPTION_KEY".into(), random_key()),
        (
            "EGOV__PETITION__BLOB_DIR".into(),
            std::env::temp_dir()
                .join(format!("egov-test-blobs-{}", uuid::Uuid::new_v4().simple()))
                .display()
                .to_string(),
        ),
    ];
    vars.extend(
        overrides
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let mut settings = Settings::load_from(&config_dir(), "test", vars).expect("test settings");
    egov_server::check_settings(&settings).expect("test settings");
    settings.database.url = DatabaseUrl::new(db.url.clone());
    settings
}

/// A valid Korean business registration number (10 digits, weighted mod-10 check digit),
/// different for each `seed`.
pub fn kr_business_number(seed: u32) -> String {
    let body = 100_000_000 + (u64::from(seed) * 7919) % 899_999_999;
    let mut d: Vec<u32> = body
        .to_string()
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    let w = [1, 3, 7, 1, 3, 7, 1, 3, 5];
    let mut sum: u32 = d.iter().zip(w).map(|(a, b)| a * b).sum();
    sum += d[8] * 5 / 10;
    d.push((10 - sum % 10) % 10);
    d.iter().filter_map(|x| char::from_digit(*x, 10)).collect()
}

/// 64 random hex digits.
pub fn random_key() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("{a}{b}")
}

/// A running app and what a test needs to talk to it.
#[derive(Debug)]
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: TestDatabase,
    pub state: AppState,
}

/// Whom a test token speaks for (see [`TestApp::token`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct As<'a> {
    /// `citizen`, `business`, `officer`, `platform_admin`, …
    pub kind: &'a str,
    /// The person key (`TestApp::person_key`).
    pub pid: Option<&'a str>,
    /// The business registration number, digits only.
    pub bid: Option<&'a str>,
    pub roles: &'a [&'a str],
    pub agency: Option<&'a str>,
    /// The account id (`sub`); a fresh one when absent.
    pub sub: Option<&'a str>,
}

impl TestApp {
    /// An access token at aal2 (password + OTP) for a made-up principal, signed by this app's
    /// auth service, valid for an hour.
    pub fn token(&self, who: As<'_>) -> String {
        let s = self.state.auth_service.as_ref().expect("auth service");
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        s.sign(&egov_auth::tokens::Claims {
            iss: s.auth().issuer().to_owned(),
            sub: who.sub.map_or_else(
                || format!("test-{}-{}", who.kind, uuid::Uuid::new_v4().simple()),
                str::to_owned,
            ),
            aud: s.auth().audience().to_owned(),
            exp: n + 3600,
            nbf: n,
            iat: n,
            jti: uuid::Uuid::new_v4().to_string(),
            purpose: egov_auth::tokens::Purpose::Access,
            kind: who.kind.to_owned(),
            roles: who.roles.iter().map(|r| (*r).to_owned()).collect(),
            agency: who.agency.map(str::to_owned),
            acr: "aal2".into(),
            sid: "test-session".into(),
            auth_time: Some(n),
            amr: vec!["pwd".into(), "otp".into()],
            pid: who.pid.map(str::to_owned),
            bid: who.bid.map(str::to_owned),
        })
        .expect("sign")
    }

    /// Creates an official of `agency` in common auth (invited: no password yet) and returns
    /// the account id, for tests that give officials work (docflow assignments).
    pub async fn officer_account(&self, username: &str, agency: &str) -> String {
        let s = self.state.auth_service.as_ref().expect("auth service");
        let a = agency.to_owned();
        let _ = s
            .db()
            .run(move |c| egov_auth::accounts::insert_agency(c, &a, "Test agency"))
            .await;
        s.create_account(
            egov_auth::accounts::NewAccount {
                username: username.to_lowercase(),
                kind: Some(egov_auth::Kind::Officer),
                display_name: username.to_owned(),
                agency_id: Some(agency.to_owned()),
                ..egov_auth::accounts::NewAccount::default()
            },
            None,
        )
        .await
        .expect("official")
        .id
    }

    /// An access token of `username` from the JSON login (`POST /auth/login`), for the API
    /// calls a test makes as that account.
    pub async fn password_login(&self, username: &str, password: &str) -> String {
        let res = self
            .post_json(
                "/auth/login",
                &serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(res.status(), reqwest::StatusCode::OK, "login {username}");
        let v: serde_json::Value = res.json().await.expect("json");
        v["tokens"]["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// Creates an official of `agency` with `roles` in common auth, with a password when one
    /// is given (an active account that can sign in), and returns the account id.
    pub async fn official(
        &self,
        username: &str,
        display_name: &str,
        agency: &str,
        roles: &[&str],
        password: Option<&str>,
    ) -> String {
        self.account_of_kind(
            egov_auth::Kind::Officer,
            username,
            display_name,
            Some(agency),
            roles,
            password,
        )
        .await
    }

    /// Creates an account of `kind` (an official of `agency`, or an auditor or platform admin
    /// with none) in common auth, with a password when one is given; the account id.
    pub async fn account_of_kind(
        &self,
        kind: egov_auth::Kind,
        username: &str,
        display_name: &str,
        agency: Option<&str>,
        roles: &[&str],
        password: Option<&str>,
    ) -> String {
        let s = self.state.auth_service.as_ref().expect("auth service");
        if let Some(agency) = agency {
            let a = agency.to_owned();
            let _ = s
                .db()
                .run(move |c| egov_auth::accounts::insert_agency(c, &a, "Test agency"))
                .await;
        }
        s.create_account(
            egov_auth::accounts::NewAccount {
                username: username.to_lowercase(),
                kind: Some(kind),
                display_name: display_name.to_owned(),
                agency_id: agency.map(str::to_owned),
                roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                ..egov_auth::accounts::NewAccount::default()
            },
            password.map(str::to_owned),
        )
        .await
        .expect("account")
        .id
    }

    /// Creates a business's account for the firm `business_id`, active with `password`, and
    /// returns the account id.
    pub async fn business_account(
        &self,
        username: &str,
        display_name: &str,
        business_id: &str,
        password: &str,
    ) -> String {
        let s = self.state.auth_service.as_ref().expect("auth service");
        s.create_account(
            egov_auth::accounts::NewAccount {
                username: username.to_lowercase(),
                kind: Some(egov_auth::Kind::Business),
                display_name: display_name.to_owned(),
                business_id: Some(business_id.to_owned()),
                ..egov_auth::accounts::NewAccount::default()
            },
            Some(password.to_owned()),
        )
        .await
        .expect("account")
        .id
    }

    /// The person key of a national ID in this deployment (the blind index tokens carry).
    pub fn person_key(&self, nid: &str) -> String {
        let s = self.state.auth_service.as_ref().expect("auth service");
        let id = s.packs().active().parse_national_id(nid).expect("nid");
        s.secrets().index.national_id(&id).as_str().to_owned()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// The value of one series of `/metrics` (`name{labels}` as exported, labels sorted by
    /// name); 0 when it is not there.
    pub async fn metric(&self, series: &str) -> f64 {
        let text = self.get("/metrics").await.text().await.expect("metrics");
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .map_or(0.0, |v| v.trim().parse().expect("a number"))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// GETs `path`, asserting a 200 with a JSON body.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let res = self.get(path).await;
        assert_eq!(res.status(), reqwest::StatusCode::OK, "GET {path}");
        res.json().await.expect("JSON body")
    }

    /// Sends `method path` with an optional bearer token, extra headers and JSON body; returns
    /// the status and the JSON answer (null if none), asserting that every error answer is
    /// `application/problem+json`.
    pub async fn send_with(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let v: serde_json::Value = res.json().await.unwrap_or(serde_json::Value::Null);
        if status >= 400 {
            assert_eq!(ct, "application/problem+json", "{path}: {v}");
        }
        (status, v)
    }

    /// [`TestApp::send_with`] without extra headers.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        self.send_with(method, path, token, body, &[]).await
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }
}

/// Options for [`spawn_app_with`].
#[derive(Debug, Default)]
pub struct Spawn<'a> {
    /// Modules to serve (empty: all of the test registry).
    pub modules: &'a [&'a str],
    /// `EGOV__…` overrides.
    pub settings: &'a [(&'a str, &'a str)],
}

/// The whole app (every module plus the probe) on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Spawn::default()).await
}

/// The app as `egov migrate` then `egov serve` would run it.
pub async fn spawn_app_with(options: Spawn<'_>) -> TestApp {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db, options.settings);
    settings.server.modules = options.modules.iter().map(|m| (*m).to_owned()).collect();
    let listener = TcpListener::bind(settings.server.bind).expect("bind");
    let port = listener.local_addr().expect("local addr").port();
    settings.server.public_url = Some(format!("http://127.0.0.1:{port}"));
    let modules = startup::select_modules(&test_registry(), &settings.server.modules)
        .expect("module selection");
    // `egov migrate` (PostgreSQL is not migrated by `serve`).
    let migrator = Db::connect(&settings.database).expect("connect for migrations");
    migrator
        .migrate(&startup::migration_sets(&modules))
        .expect("migrations");
    // A movable clock: tests move time forward instead of sleeping (`app.state.clock`).
    let state = startup::prepare_with_clock(settings, modules, egov_core::clock::Clock::movable())
        .expect("prepare app");
    start(state, db, listener)
}

/// A second process of the same deployment: the same settings and keys, on the same database
/// (which `app` owns), its own listener and workers — for tests of work that must happen once
/// however many instances run.
pub async fn spawn_peer(app: &TestApp, options: Spawn<'_>) -> TestApp {
    spawn_peer_with(app, options.modules, |_| {})
        .await
        .expect("prepare app")
}

/// [`spawn_peer`] with `edit` applied to the peer's settings (modules apart:
/// `exchange.subsystems`); an error is the peer's start-up error.
pub async fn spawn_peer_with(
    app: &TestApp,
    modules: &[&str],
    edit: impl FnOnce(&mut Settings),
) -> anyhow::Result<TestApp> {
    let mut settings = (*app.state.settings).clone();
    settings.server.bind = "127.0.0.1:0".parse().expect("bind address");
    settings.server.modules = modules.iter().map(|m| (*m).to_owned()).collect();
    edit(&mut settings);
    let listener = TcpListener::bind(settings.server.bind).expect("bind");
    // The same public URL (and so the same token issuer): two instances behind one address.
    let modules = startup::select_modules(&test_registry(), &settings.server.modules)?;
    // Its modules' tables, as `egov migrate` with its binary would make them.
    Db::connect(&settings.database)?.migrate(&startup::migration_sets(&modules))?;
    // The same clock too: one deployment, one time.
    let state = startup::prepare_with_clock(settings, modules, app.state.clock.clone())?;
    let db = TestDatabase {
        url: app.db.url.clone(),
        dir: None,
        pg_name: None,
    };
    Ok(start(state, db, listener))
}

/// The app started with its database already unreachable (lazy pool), for readiness tests.
pub fn spawn_app_without_database() -> TestApp {
    let mut db = TestDatabase::create();
    // Without the auth module: its keys live in the database. Tokens would come from elsewhere.
    let settings = test_settings(&db, &[("EGOV__AUTH__ISSUER", "http://127.0.0.1:9/auth")]);
    let modules =
        startup::select_modules(&test_registry(), &["probe".to_owned()]).expect("module selection");
    let listener = TcpListener::bind(settings.server.bind).expect("bind");
    let pool = Db::connect_lazy(&settings.database).expect("lazy pool");
    db.take_down();
    let packs = CountryPacks::load(&settings.country.packs_dir, &settings.country.code)
        .expect("country packs");
    let state = AppState::new(settings, pool, packs, modules).expect("app state");
    start(state, db, listener)
}

fn start(state: AppState, db: TestDatabase, listener: TcpListener) -> TestApp {
    let port = listener.local_addr().expect("local addr").port();
    let server = startup::serve(state.clone(), listener).expect("serve");
    tokio::spawn(server);
    state.spawn_workers();
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        db,
        state,
    }
}
