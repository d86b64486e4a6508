//! `egov`: serve the platform, migrate the database, print the OpenAPI document, validate a
//! country pack.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use egov_core::Db;
use egov_core::country::CountryPack;
use egov_core::settings::DatabaseUrl;
use egov_server::{openapi, registered_modules, startup};

mod procurement_cli;
mod tax_cli;

#[derive(Debug, Parser)]
#[command(
    name = "egov",
    version,
    about = "An open, modular e-government platform"
)]
struct Cli {
    /// Directory holding default.toml, <environment>.toml and countries/.
    #[arg(long, global = true, default_value = "config", env = "EGOV_CONFIG_DIR")]
    config_dir: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the platform and the selected modules.
    Serve {
        /// Modules to serve, comma-separated (default: all). The platform is always served.
        #[arg(long, value_delimiter = ',')]
        modules: Option<Vec<String>>,
        /// Address to listen on, e.g. 0.0.0.0:8080.
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// Database URL (sqlite://… or postgres://…); overrides database.url.
        #[arg(long, env = "EGOV_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
    },
    /// Apply pending database migrations of every module.
    Migrate {
        /// Database URL; overrides database.url.
        #[arg(long, env = "EGOV_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
        /// Apply nothing: list every migration of this build as applied or pending, and
        /// those applied by a newer egov. Exit status 0 when none is pending, 2 otherwise.
        #[arg(long)]
        status: bool,
    },
    /// Back up the database (SQLite: online, while egov serves; PostgreSQL: pg_dump), the
    /// attachments and the audit anchors into a new directory, with a manifest of digests.
    Backup {
        /// The directory to write (new, or empty).
        #[arg(long)]
        out: PathBuf,
        /// Database URL; overrides database.url.
        #[arg(long, env = "EGOV_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
        /// Where pg_dump is (its major version at least the server's); default: PATH.
        #[arg(long, env = "EGOV_PG_BIN_DIR")]
        pg_bin_dir: Option<PathBuf>,
    },
    /// Restore a backup into a new database (no tables; SQLite: no file), after checking
    /// every file's digest and that this build knows the backup's migrations.
    Restore {
        /// The backup directory (as written by `egov backup`).
        #[arg(long)]
        from: PathBuf,
        /// Database URL; overrides database.url.
        #[arg(long, env = "EGOV_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
        /// Where pg_restore is; default: PATH.
        #[arg(long, env = "EGOV_PG_BIN_DIR")]
        pg_bin_dir: Option<PathBuf>,
    },
    /// Print the OpenAPI 3.1 document (merged, or one module's).
    Openapi {
        /// Print only this module's document.
        #[arg(long)]
        module: Option<String>,
    },
    /// Tax rules tools (no database needed).
    Tax {
        #[command(subcommand)]
        command: tax_cli::TaxCommand,
    },
    /// Country pack tools.
    Pack {
        #[command(subcommand)]
        command: PackCommand,
    },
    /// Administration on the server's machine: the first platform admin, OIDC clients, keys.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
        /// Database URL; overrides database.url.
        #[arg(long, global = true, env = "EGOV_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
    },
    /// Data exchange tools: the message log, evidence bundles, keys.
    Exchange {
        #[command(subcommand)]
        command: ExchangeCommand,
        /// Database URL; overrides database.url.
        #[arg(long, global = true, env = "EGOV_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
    },
    /// The bidder's tools: a bid signing key, and a bid sealed and signed on this machine
    /// (no server or database needed).
    Procurement {
        #[command(subcommand)]
        command: procurement_cli::ProcurementCommand,
    },
    /// Official document tools (no server or database needed).
    Docflow {
        #[command(subcommand)]
        command: DocflowCommand,
    },
    /// Privacy access log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
        /// Database URL; overrides database.url.
        #[arg(long, global = true, env = "EGOV_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
    },
    /// Asks a running egov whether it answers (the container's HEALTHCHECK, a unit's or a
    /// script's check): exit status 0 when the URL answers 2xx within the timeout, 1
    /// otherwise. Reads no settings and no database.
    Health {
        /// What to ask: /health/ready (database and modules) or /health/live (the process).
        #[arg(long, default_value = "http://127.0.0.1:8080/health/ready")]
        url: String,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 5)]
        timeout: u64,
    },
}

#[derive(Debug, Subcommand)]
enum DocflowCommand {
    /// Verifies a records package offline: the package signature, every version's contents
    /// and attachments against their digests, every approval signature, and the history's
    /// hash chain. Exit code 0 when valid, 2 when not.
    VerifyPackage {
        /// The package (JSON), as exported from /docflow/v1/documents/{id}/package.
        file: PathBuf,
        /// Trust only this key (`KID=PUBLIC_KEY`, repeatable), as published by the issuing
        /// deployment at /docflow/v1/keys; by default the keys the package carries.
        #[arg(long = "key")]
        keys: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a platform admin (the first one of a fresh installation, or a further one).
    /// The password comes from EGOV_ADMIN_PASSWORD or, with --password-stdin, standard input.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        #[arg(long)]
        email: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Register an OpenID Connect client; prints its id (and secret, once) as JSON.
    Client {
        #[arg(long)]
        name: String,
        /// An exact redirect URI (repeat for several).
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// Give the client a secret (server-side applications).
        #[arg(long)]
        confidential: bool,
        /// Sign its ID tokens with RS256 (for relying parties whose libraries take only the
        /// algorithm OpenID Connect requires) instead of EdDSA.
        #[arg(long = "id-token-alg", value_parser = ["EdDSA", "RS256"], default_value = "EdDSA")]
        id_token_alg: String,
    },
    /// Make a new token-signing key; the old one stays published until its tokens expire.
    RotateKey,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify the access log's hash chain, and every trail (access log, exchange message log,
    /// document histories) against its signed anchors; exit status 1 if anything is broken.
    Verify {
        /// The anchor file to check against (default `audit.anchor_file`): pass the copy kept
        /// on the write-once storage, not the one beside the database.
        #[arg(long)]
        anchors: Option<PathBuf>,
    },
    /// Anchor every trail whose head moved since its last anchor (`egov serve` does this
    /// every `audit.anchor_interval_secs`).
    Anchor,
    /// Remove records older than the retention period, leaving a checkpoint for `verify`.
    Purge {
        /// Keep this many days (PIPA: at least 365; 730 for systems with unique identifiers
        /// or 50,000+ data subjects).
        #[arg(long, value_parser = clap::value_parser!(u32).range(365..))]
        keep_days: u32,
    },
}

#[derive(Debug, Subcommand)]
enum ExchangeCommand {
    /// Verify the message log's hash chain; exit status 1 if it is broken.
    VerifyLog,
    /// Print the evidence bundle (JSON) of one message log record.
    Evidence {
        /// The record's sequence number (see GET /exchange/v1/audit/log).
        #[arg(long)]
        seq: i64,
    },
    /// Verify an evidence bundle offline (no database, no network); exit status 1 if invalid.
    VerifyEvidence {
        file: PathBuf,
        /// A member's published key set (`GET /exchange/v1/keys?member=…`, saved as JSON and
        /// obtained out of band; repeatable): every signature must then be by one of these
        /// keys. Without it, the keys the bundle carries are used and the output says so.
        #[arg(long = "trust", value_name = "JWKS_FILE")]
        trust: Vec<PathBuf>,
        /// A signing member's key status list (`GET /exchange/v1/keys/status`): a file, or
        /// the http(s) address to fetch it from (repeatable). Checked with the pinned keys:
        /// a signature by a key revoked before the record was logged fails.
        #[arg(long = "status", value_name = "FILE_OR_URL", requires = "trust")]
        status: Vec<String>,
    },
    /// Make a new exchange signing key; the old ones stay published for the overlap period.
    RotateKey,
    /// Revoke a key before its time, as `POST /exchange/v1/admin/keys/revoke`: refused from
    /// `--since` (default now), listed in the signed status list; revoking the signing key
    /// makes a new one.
    RevokeKey {
        #[arg(long)]
        kid: String,
        /// key_compromise, superseded or cessation_of_operation
        #[arg(long)]
        reason: String,
        /// RFC 3339 time from which its signatures are not to be believed.
        #[arg(long)]
        since: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Register (or update) another member's gateway address, as `PUT /exchange/v1/admin/members`.
    Member {
        /// INSTANCE/CLASS/MEMBER
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        base_url: String,
    },
    /// Call a service as one of this deployment's subsystems (a connectivity check, and what a
    /// module does): sign, send, verify the signed answer, log it. Prints the status and body.
    Call {
        /// INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE
        service: String,
        /// The path after the service id (a module service's version, e.g. v1).
        #[arg(long, default_value = "")]
        path: String,
        /// The calling subsystem (module name).
        #[arg(long = "as", default_value = "exchange")]
        module: String,
        #[arg(long, default_value = "discovery")]
        purpose: String,
        /// JSON payload (POST); without it the call is a GET.
        #[arg(long)]
        body: Option<String>,
        #[arg(long)]
        consent: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum PackCommand {
    /// Load and validate a country pack directory; print every problem with file and field.
    Validate { dir: PathBuf },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("egov: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[allow(clippy::print_stdout)] // A CLI prints its results.
fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            modules,
            bind,
            database_url,
        } => {
            let started = Instant::now();
            let mut settings = egov_server::load_settings(&cli.config_dir)?;
            if let Some(m) = modules {
                settings.server.modules = m.into_iter().filter(|s| !s.is_empty()).collect();
            }
            if let Some(b) = bind {
                settings.server.bind = b;
            }
            if let Some(url) = database_url {
                settings.database.url = DatabaseUrl::new(url);
            }
            let logging = egov_core::telemetry::init(&settings.log, &settings.tracing)
                .map_err(anyhow::Error::msg)?;
            let modules = startup::select_modules(&registered_modules(), &settings.server.modules)?;
            let listener = TcpListener::bind(settings.server.bind)
                .with_context(|| format!("cannot listen on {}", settings.server.bind))?;
            let addr = listener.local_addr()?;
            if settings.server.public_url.is_none() {
                settings.server.public_url = Some(format!("http://{addr}"));
            }
            let base = settings.public_url();
            let db_url = settings.database.url.redacted();
            let access_log = settings.server.access_log.then(|| logging.access_log());
            let mut state = startup::prepare(settings, modules)?;
            state.access_log = access_log;
            let setup_token = match &state.auth_service {
                Some(service) => {
                    let service = service.clone();
                    actix_web::rt::System::new()
                        .block_on(async move { service.setup_token_if_empty().await })
                        .map_err(|e| anyhow::anyhow!("{e}"))?
                }
                None => None,
            };
            let names: Vec<&str> = state.modules.iter().map(|m| m.name()).collect();
            tracing::info!(%addr, database = %db_url, modules = ?names, "egov ready");
            println!("egov {} listening on {base}", env!("CARGO_PKG_VERSION"));
            println!("  modules:  {}", names.join(", "));
            println!("  database: {db_url}");
            println!("  API docs: {base}/docs/  (OpenAPI: {base}/openapi.json)");
            println!("  issuer:   {}", state.auth.issuer());
            if let Some(token) = setup_token {
                println!();
                println!("  No platform admin exists yet. Create the first one with");
                println!("    egov admin create --username <name> --display-name <name>");
                println!("  on this machine, or POST {base}/auth/setup with this one-time");
                println!("  setup token (valid 24 h, replaced at each start until used):");
                println!("    {token}");
                println!();
            }
            println!("  ready in {} ms", started.elapsed().as_millis());
            let workers = state.clone();
            let server = startup::serve(state, listener)?;
            actix_web::rt::System::new().block_on(async move {
                workers.spawn_workers();
                actix_web::rt::spawn(egov_server::memory::release_periodically(
                    std::time::Duration::from_secs(1),
                    std::time::Duration::from_secs(300),
                ));
                server.await
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate {
            database_url,
            status,
        } => {
            let mut settings = egov_server::load_settings(&cli.config_dir)?;
            if let Some(url) = database_url {
                settings.database.url = DatabaseUrl::new(url);
            }
            let db = Db::connect(&settings.database)
                .with_context(|| format!("database {}", settings.database.url))?;
            let sets = startup::migration_sets(&registered_modules());
            egov_core::db::check_migration_sets(&sets)?;
            if status {
                return migration_status(&db, &sets, &settings.database.url);
            }
            let applied = db.migrate(&sets)?;
            if applied.is_empty() {
                println!("{}: up to date", settings.database.url);
            } else {
                for v in &applied {
                    println!("applied {v}");
                }
                println!(
                    "{}: {} migration(s) applied",
                    settings.database.url,
                    applied.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup {
            out,
            database_url,
            pg_bin_dir,
        } => {
            let places = places(&cli.config_dir, database_url, pg_bin_dir)?;
            let started = Instant::now();
            let m = egov_server::backup::backup(
                &places,
                &startup::migration_sets(&registered_modules()),
                &out,
            )?;
            let bytes: u64 = m.files.iter().map(|f| f.bytes).sum();
            println!(
                "backup of {} ({}, {} migration(s)) written to {}: {} file(s), {} bytes, in {} ms",
                places.database.url,
                m.backend,
                m.migrations.len(),
                out.display(),
                m.files.len(),
                bytes,
                started.elapsed().as_millis()
            );
            println!("keys are not in it: keep them in the key safe (docs/operations.md)");
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore {
            from,
            database_url,
            pg_bin_dir,
        } => {
            let places = places(&cli.config_dir, database_url, pg_bin_dir)?;
            let r = egov_server::backup::restore(
                &places,
                &startup::migration_sets(&registered_modules()),
                &from,
            )?;
            println!(
                "restored the backup of {} (egov {}, {} migration(s)) into {}; {} blob(s) in {}",
                r.manifest.created_at.to_rfc3339(),
                r.manifest.egov_version,
                r.manifest.migrations.len(),
                places.database.url,
                r.blobs,
                places.blob_dir.display()
            );
            if r.anchors_written {
                println!("anchors written to {}", places.anchor_file.display());
            } else {
                println!(
                    "{} was kept; the backup's anchors are in {}",
                    places.anchor_file.display(),
                    from.join("anchors.jsonl").display()
                );
            }
            println!(
                "before serving, run: egov migrate; egov audit verify; egov exchange verify-log"
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi { module } => {
            let registry = registered_modules();
            let doc = match module {
                None => openapi::merged_document(&registry),
                Some(name) => {
                    let m = registry
                        .iter()
                        .find(|m| m.name() == name)
                        .with_context(|| format!("unknown module `{name}`"))?;
                    openapi::module_document(*m)
                }
            };
            println!("{}", doc.to_pretty_json()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin {
            command,
            database_url,
        } => {
            let state = prepared(&cli.config_dir, database_url)?;
            let service = state
                .auth_service
                .clone()
                .context("the auth module is not part of this build")?;
            actix_web::rt::System::new().block_on(admin(service, command))
        }
        Command::Exchange {
            command:
                ExchangeCommand::VerifyEvidence {
                    file,
                    trust,
                    status,
                },
            ..
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let bundle: egov_exchange::evidence::Bundle = serde_json::from_str(&text)
                .with_context(|| format!("{} is not an evidence bundle", file.display()))?;
            let mut pinned = egov_exchange::evidence::Trust::default();
            for f in &trust {
                let text = std::fs::read_to_string(f)
                    .with_context(|| format!("cannot read {}", f.display()))?;
                let set: egov_exchange::keys::JwkSet = serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a JWK set", f.display()))?;
                pinned.add(set, &f.display().to_string());
            }
            let mut lists = Vec::new();
            for s in &status {
                let text = if s.starts_with("http://") || s.starts_with("https://") {
                    reqwest::blocking::Client::builder()
                        .timeout(std::time::Duration::from_secs(30))
                        .build()?
                        .get(s)
                        .send()
                        .and_then(reqwest::blocking::Response::error_for_status)
                        .and_then(reqwest::blocking::Response::text)
                        .with_context(|| format!("cannot fetch {s}"))?
                } else {
                    std::fs::read_to_string(s).with_context(|| format!("cannot read {s}"))?
                };
                let list: egov_exchange::keys::StatusList = serde_json::from_str(&text)
                    .with_context(|| format!("{s} is not a key status list"))?;
                println!(
                    "status list of {} as of {} from {s}: {} revoked key(s)",
                    list.member,
                    list.issued_at,
                    list.revoked.len()
                );
                lists.push(list);
            }
            let verdict = egov_exchange::evidence::verify_full(
                &bundle,
                (!trust.is_empty()).then_some(&pinned),
                &lists,
            );
            for c in &verdict.checks {
                println!(
                    "{} {}: {}",
                    if c.ok { "ok  " } else { "FAIL" },
                    c.name,
                    c.detail
                );
            }
            if verdict.valid {
                println!(
                    "evidence VALID: record {} of {}{}",
                    bundle.record.seq,
                    bundle.exported_by,
                    if verdict.trusted {
                        ", every signature by a pinned key"
                    } else {
                        " (with the keys the bundle carries: pin the members' keys with --trust)"
                    }
                );
                Ok(ExitCode::SUCCESS)
            } else {
                println!("evidence INVALID");
                Ok(ExitCode::FAILURE)
            }
        }
        Command::Exchange {
            command,
            database_url,
        } => {
            let state = prepared(&cli.config_dir, database_url)?;
            let exchange = state
                .exchange
                .clone()
                .context("the exchange module is not part of this build")?;
            actix_web::rt::System::new().block_on(exchange_command(exchange, command))
        }
        Command::Health { url, timeout } => {
            let answer = actix_web::rt::System::new().block_on(async move {
                let client = reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(timeout.max(1)))
                    .build()?;
                client.get(&url).send().await.map(|r| r.status())
            });
            match answer {
                Ok(status) if status.is_success() => {
                    println!("{status}");
                    Ok(ExitCode::SUCCESS)
                }
                Ok(status) => {
                    eprintln!("egov health: {status}");
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => {
                    eprintln!("egov health: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Audit {
            command,
            database_url,
        } => {
            let mut settings = egov_server::load_settings(&cli.config_dir)?;
            if let Some(url) = database_url {
                settings.database.url = DatabaseUrl::new(url);
            }
            let db = Db::connect(&settings.database)
                .with_context(|| format!("database {}", settings.database.url))?;
            let pending = db.pending(&startup::migration_sets(&registered_modules()))?;
            if !pending.is_empty() {
                anyhow::bail!("the database has pending migrations; run `egov migrate` first");
            }
            let mut conn = db.get_blocking()?;
            match command {
                AuditCommand::Verify { anchors } => {
                    let v =
                        egov_auth::store::verify(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
                    let mut ok = true;
                    match &v.problem {
                        None => println!(
                            "access log chain intact: {} record(s) verified after checkpoint {}, head at {}",
                            v.checked, v.from_checkpoint, v.head_seq
                        ),
                        Some(problem) => {
                            ok = false;
                            eprintln!("access log BROKEN: {problem}");
                            eprintln!("({} record(s) verified before the problem)", v.checked);
                        }
                    }
                    let file = anchors.unwrap_or_else(|| settings.audit.anchor_file.clone());
                    let lines = egov_core::anchor::read(&file).map_err(anyhow::Error::msg)?;
                    let keys = egov_core::anchor::trusted_keys(&settings.audit)?;
                    if keys.is_empty() {
                        anyhow::bail!(
                            "no anchoring key to check against: set audit.anchor_public_keys"
                        );
                    }
                    for m in registered_modules() {
                        for trail in m.trails() {
                            let r = egov_core::anchor::check(&mut conn, trail, &lines, &keys)
                                .map_err(|e| anyhow::anyhow!("{e}"))?;
                            if r.intact() {
                                println!(
                                    "{}: agrees with {} anchor(s) of {} chain(s) in {}",
                                    r.trail,
                                    r.anchors,
                                    r.chains,
                                    file.display()
                                );
                            } else {
                                ok = false;
                                for p in &r.problems {
                                    eprintln!("{} BROKEN: {p}", r.trail);
                                }
                            }
                            println!("{}: {}", r.trail, r.window);
                        }
                    }
                    Ok(if ok {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    })
                }
                AuditCommand::Anchor => {
                    let anchorer = egov_core::anchor::Anchorer::from_settings(&settings.audit)?;
                    let now = chrono::Utc::now();
                    for m in registered_modules() {
                        for trail in m.trails() {
                            let n = anchorer
                                .anchor(&mut conn, trail, now)
                                .map_err(|e| anyhow::anyhow!("{e}"))?;
                            println!("{}: {n} anchor(s) written", trail.name());
                        }
                    }
                    println!("anchors appended to {}", anchorer.sink().display());
                    Ok(ExitCode::SUCCESS)
                }
                AuditCommand::Purge { keep_days } => {
                    let now = chrono::Utc::now();
                    let cutoff = now - chrono::Duration::days(i64::from(keep_days));
                    let anchorer = egov_core::anchor::Anchorer::from_settings(&settings.audit)?;
                    let removed =
                        egov_auth::store::purge_before(&mut conn, cutoff, now, |seq, hash| {
                            anchorer.purge(
                                egov_auth::store::TRAIL,
                                &egov_core::anchor::Head {
                                    chain: String::new(),
                                    seq,
                                    hash: hash.to_owned(),
                                },
                                now,
                            )
                        })
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!("removed {removed} record(s) older than {cutoff}");
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
        Command::Tax { command } => tax_cli::run(&cli.config_dir, command),
        Command::Procurement { command } => procurement_cli::run(command),
        Command::Docflow {
            command: DocflowCommand::VerifyPackage { file, keys },
        } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let pkg: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{}: not JSON: {e}", file.display()))?;
            let trusted: Vec<(String, String)> = keys
                .iter()
                .filter_map(|k| k.split_once('=').map(|(a, b)| (a.to_owned(), b.to_owned())))
                .collect();
            let report = egov_docflow::domain::evidence::verify_package(
                &pkg,
                (!trusted.is_empty()).then_some(trusted.as_slice()),
            );
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(if report.valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Command::Pack {
            command: PackCommand::Validate { dir },
        } => match CountryPack::load(&dir) {
            Ok(pack) => {
                let years: Vec<String> = pack
                    .calendar
                    .years()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                println!(
                    "{}: valid pack `{}` ({}), languages {}, currency {}, holidays for {}",
                    dir.display(),
                    pack.code,
                    pack.name("en"),
                    pack.languages.join("/"),
                    pack.currency,
                    years.join(", ")
                );
                let mut problems = 0usize;
                if dir.join("petition").exists() {
                    match egov_petition::domain::catalogue::load(&dir, &pack) {
                        Ok(c) => println!(
                            "{}: petition catalogue: {} services, {} agencies, {} routing rule(s)",
                            dir.display(),
                            c.services.len(),
                            c.agencies.len(),
                            c.routes.len()
                        ),
                        Err(e) => {
                            for issue in &e.0 {
                                eprintln!("{issue}");
                            }
                            problems += e.0.len();
                        }
                    }
                }
                match egov_procurement::domain::rules::load(&dir, &pack) {
                    Ok(Some(r)) => println!(
                        "{}: procurement rules: {} procedure(s) ({}), procurement agency {}",
                        dir.display(),
                        r.procedures.len(),
                        r.procedures
                            .iter()
                            .map(|p| p.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        r.procurement_agency
                    ),
                    Ok(None) => {}
                    Err(e) => {
                        for issue in &e.0 {
                            eprintln!("{issue}");
                        }
                        problems += e.0.len();
                    }
                }
                match egov_docflow::domain::rules::load(&dir) {
                    Ok(Some(r)) => println!(
                        "{}: document rules: {} document type(s), {} retention class(es), {} delegation row(s), 후결 {}",
                        dir.display(),
                        r.doc_types.len(),
                        r.retention.len(),
                        r.delegations.len(),
                        if r.post_hoc_approval { "on" } else { "off" }
                    ),
                    Ok(None) => {}
                    Err(e) => {
                        for issue in &e.0 {
                            eprintln!("{issue}");
                        }
                        problems += e.0.len();
                    }
                }
                match egov_tax::load_rules(&dir, &pack.currency) {
                    Ok(sets) if sets.is_empty() => {}
                    Ok(sets) => {
                        for set in sets.values() {
                            println!(
                                "{}: tax rules {} `{}` for {}: {} input(s), {} value(s), {} file(s)",
                                dir.display(),
                                set.file.display(),
                                set.tax,
                                set.year,
                                set.inputs.len(),
                                set.nodes.len(),
                                set.files.len()
                            );
                            for w in set.warnings() {
                                eprintln!("warning: {w}");
                            }
                        }
                    }
                    Err(e) => {
                        for issue in &e.0 {
                            eprintln!("{issue}");
                        }
                        problems += e.0.len();
                    }
                }
                if problems == 0 {
                    Ok(ExitCode::SUCCESS)
                } else {
                    eprintln!("{}: {problems} problem(s)", dir.display());
                    Ok(ExitCode::from(2))
                }
            }
            Err(e) => {
                for issue in &e.0 {
                    eprintln!("{issue}");
                }
                eprintln!("{}: {} problem(s)", dir.display(), e.0.len());
                Ok(ExitCode::from(2))
            }
        },
    }
}

#[allow(clippy::print_stdout)] // A CLI prints its results.
async fn admin(service: egov_auth::Service, command: AdminCommand) -> anyhow::Result<ExitCode> {
    let e = |e: egov_core::Error| anyhow::anyhow!("{e}");
    match command {
        AdminCommand::Create {
            username,
            display_name,
            email,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            } else {
                std::env::var("EGOV_ADMIN_PASSWORD").context(
                    "give the password in EGOV_ADMIN_PASSWORD or on standard input with --password-stdin",
                )?
            };
            let account = service
                .create_account(
                    egov_auth::accounts::NewAccount {
                        username,
                        kind: Some(egov_auth::Kind::PlatformAdmin),
                        display_name,
                        email,
                        created_by: Some("cli".into()),
                        ..Default::default()
                    },
                    Some(password),
                )
                .await
                .map_err(e)?;
            let origin = egov_auth::service::Origin {
                ip: "127.0.0.1".into(),
                request_id: None,
            };
            service
                .audit(
                    &origin,
                    "cli",
                    &account.id,
                    egov_auth::Action::Create,
                    "platform admin created on the server",
                )
                .await
                .map_err(e)?;
            println!(
                "platform admin `{}` created (id {})",
                account.username, account.id
            );
            println!("sign in and enrol a second factor: administration needs aal2");
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::Client {
            name,
            redirect_uris,
            confidential,
            id_token_alg,
        } => {
            let client = egov_auth::clients::register(
                service.db(),
                egov_auth::clients::NewClient {
                    name,
                    redirect_uris,
                    confidential,
                    id_token_signed_response_alg: egov_auth::clients::IdTokenAlg::parse(
                        &id_token_alg,
                    ),
                },
            )
            .await
            .map_err(e)?;
            println!("{}", serde_json::to_string_pretty(&client)?);
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::RotateKey => {
            let kid = service.auth().rotate().await.map_err(e)?;
            println!("new signing key {kid}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Where the deployment keeps what `egov backup` copies.
fn places(
    config_dir: &std::path::Path,
    database_url: Option<String>,
    pg_bin_dir: Option<PathBuf>,
) -> anyhow::Result<egov_server::backup::Places> {
    let mut settings = egov_server::load_settings(config_dir)?;
    if let Some(url) = database_url {
        settings.database.url = DatabaseUrl::new(url);
    }
    let petition: egov_petition::settings::PetitionSettings = settings.section("petition")?;
    Ok(egov_server::backup::Places {
        database: settings.database.clone(),
        blob_dir: petition.blob_dir,
        anchor_file: settings.audit.anchor_file.clone(),
        pg_bin_dir,
    })
}

#[allow(clippy::print_stdout)] // A CLI prints its results.
fn migration_status(
    db: &Db,
    sets: &[(&'static str, egov_core::db::Migrations)],
    url: &DatabaseUrl,
) -> anyhow::Result<ExitCode> {
    let status = db.status(sets)?;
    println!("{url}");
    for m in &status.known {
        println!(
            "  {:<8} {:<11} {}",
            if m.applied { "applied" } else { "PENDING" },
            m.module,
            m.name
        );
    }
    for v in &status.unknown_applied {
        println!("  applied  (newer)     {v}: applied by a newer egov, unknown to this build");
    }
    let pending = status.pending().count();
    println!(
        "{} applied, {pending} pending{}",
        status.known.len() - pending,
        if status.unknown_applied.is_empty() {
            String::new()
        } else {
            format!(", {} from a newer version", status.unknown_applied.len())
        }
    );
    Ok(if pending == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// The modules of `server.modules` (default: every module of this build) prepared on the
/// configured (or given) database, for commands that work on the server's machine: as a
/// process of modules apart, with `EGOV__SERVER__MODULES`.
fn prepared(
    config_dir: &std::path::Path,
    database_url: Option<String>,
) -> anyhow::Result<startup::AppState> {
    let mut settings = egov_server::load_settings(config_dir)?;
    if let Some(url) = database_url {
        settings.database.url = DatabaseUrl::new(url);
    }
    let modules = startup::select_modules(&registered_modules(), &settings.server.modules)?;
    startup::prepare(settings, modules)
}

#[allow(clippy::print_stdout)] // A CLI prints its results.
async fn exchange_command(
    exchange: egov_exchange::Exchange,
    command: ExchangeCommand,
) -> anyhow::Result<ExitCode> {
    let err = |e: egov_core::Error| anyhow::anyhow!("{e}");
    match command {
        ExchangeCommand::VerifyLog => {
            let v = exchange
                .db()
                .run(egov_exchange::store::verify)
                .await
                .map_err(err)?;
            match &v.problem {
                None => {
                    println!(
                        "message log intact: {} record(s) verified, head at {}",
                        v.checked, v.head_seq
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(problem) => {
                    eprintln!("message log BROKEN: {problem}");
                    eprintln!("({} record(s) verified before the problem)", v.checked);
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        ExchangeCommand::Evidence { seq } => {
            let bundle = egov_exchange::http::audit::bundle(&exchange, seq)
                .await
                .map_err(err)?;
            println!("{}", serde_json::to_string_pretty(&bundle)?);
            Ok(ExitCode::SUCCESS)
        }
        ExchangeCommand::RotateKey => {
            let kid = exchange.keys().rotate().await.map_err(err)?;
            println!("new exchange signing key: {kid}");
            Ok(ExitCode::SUCCESS)
        }
        ExchangeCommand::RevokeKey { kid, reason, since } => {
            anyhow::ensure!(
                egov_exchange::keys::REVOCATION_REASONS.contains(&reason.as_str()),
                "--reason is one of {}",
                egov_exchange::keys::REVOCATION_REASONS.join(", ")
            );
            let (revoked, signing) = exchange
                .keys()
                .revoke(&kid, &reason, since)
                .await
                .map_err(err)?;
            println!(
                "revoked {} from {} ({}); the signing key is {signing}",
                revoked.kid, revoked.revoked_at, revoked.reason
            );
            Ok(ExitCode::SUCCESS)
        }
        ExchangeCommand::Member { id, name, base_url } => {
            let member = egov_exchange::xroad::ClientId::parse(&id)
                .map_err(|e| anyhow::anyhow!("--id: {e}"))?;
            anyhow::ensure!(member.subsystem.is_none(), "--id is INSTANCE/CLASS/MEMBER");
            url::Url::parse(&base_url).map_err(|e| anyhow::anyhow!("--base-url: {e}"))?;
            let row = egov_exchange::store::MemberRow {
                id: member.to_string(),
                name,
                base_url: Some(base_url),
                local: false,
                created_at: chrono::Utc::now().naive_utc(),
            };
            exchange
                .db()
                .run(move |c| egov_exchange::store::put_member(c, &row))
                .await
                .map_err(err)?;
            println!("member {member} registered");
            Ok(ExitCode::SUCCESS)
        }
        ExchangeCommand::Call {
            service,
            path,
            module,
            purpose,
            body,
            consent,
        } => {
            let mut call = match body {
                Some(b) => egov_exchange::client::Call::post(
                    &service,
                    &path,
                    serde_json::from_str(&b).context("--body is not JSON")?,
                    &purpose,
                ),
                None => egov_exchange::client::Call::get(&service, &path, &purpose),
            };
            if let Some(c) = consent {
                call = call.consent(&c);
            }
            match exchange.call(&module, call).await {
                Ok(answer) => {
                    println!(
                        "200 (message {}, logged as record {})",
                        answer.message_id, answer.log_seq
                    );
                    println!("{}", answer.body);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("refused: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        ExchangeCommand::VerifyEvidence { .. } => unreachable!("handled without a database"),
    }
}
