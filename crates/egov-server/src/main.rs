//! `egov`: serve the platform, migrate the database, print the OpenAPI document, validate a
//! country pack.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use egov_core::country::CountryPack;
use egov_core::settings::DatabaseUrl;
use egov_core::{Db, Settings};
use egov_server::{openapi, registered_modules, startup};

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
    },
    /// Print the OpenAPI 3.1 document (merged, or one module's).
    Openapi {
        /// Print only this module's document.
        #[arg(long)]
        module: Option<String>,
    },
    /// Country pack tools.
    Pack {
        #[command(subcommand)]
        command: PackCommand,
    },
    /// Privacy access log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
        /// Database URL; overrides database.url.
        #[arg(long, global = true, env = "EGOV_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify the access log's hash chain; exit status 1 if it is broken.
    Verify,
    /// Remove records older than the retention period, leaving a checkpoint for `verify`.
    Purge {
        /// Keep this many days (PIPA: at least 365; 730 for systems with unique identifiers
        /// or 50,000+ data subjects).
        #[arg(long, value_parser = clap::value_parser!(u32).range(365..))]
        keep_days: u32,
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
            let mut settings = Settings::load(&cli.config_dir)?;
            if let Some(m) = modules {
                settings.server.modules = m.into_iter().filter(|s| !s.is_empty()).collect();
            }
            if let Some(b) = bind {
                settings.server.bind = b;
            }
            if let Some(url) = database_url {
                settings.database.url = DatabaseUrl::new(url);
            }
            let logging =
                egov_core::telemetry::init_logging(&settings.log).map_err(anyhow::Error::msg)?;
            let modules = startup::select_modules(&registered_modules(), &settings.server.modules)?;
            let listener = TcpListener::bind(settings.server.bind)
                .with_context(|| format!("cannot listen on {}", settings.server.bind))?;
            let addr = listener.local_addr()?;
            let base = settings
                .server
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{addr}"));
            let db_url = settings.database.url.redacted();
            let access_log = settings.server.access_log.then(|| logging.access_log());
            let mut state = startup::prepare(settings, modules)?;
            state.access_log = access_log;
            let names: Vec<&str> = state.modules.iter().map(|m| m.name()).collect();
            tracing::info!(%addr, database = %db_url, modules = ?names, "egov ready");
            println!("egov {} listening on {base}", env!("CARGO_PKG_VERSION"));
            println!("  modules:  {}", names.join(", "));
            println!("  database: {db_url}");
            println!("  API docs: {base}/docs/  (OpenAPI: {base}/openapi.json)");
            println!("  ready in {} ms", started.elapsed().as_millis());
            let server = startup::serve(state, listener)?;
            actix_web::rt::System::new().block_on(server)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { database_url } => {
            let mut settings = Settings::load(&cli.config_dir)?;
            if let Some(url) = database_url {
                settings.database.url = DatabaseUrl::new(url);
            }
            let db = Db::connect(&settings.database)
                .with_context(|| format!("database {}", settings.database.url))?;
            let sets = startup::migration_sets(&registered_modules());
            egov_core::db::check_migration_sets(&sets)?;
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
        Command::Audit {
            command,
            database_url,
        } => {
            let mut settings = Settings::load(&cli.config_dir)?;
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
                AuditCommand::Verify => {
                    let v =
                        egov_auth::store::verify(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
                    match &v.problem {
                        None => {
                            println!(
                                "access log intact: {} record(s) verified after checkpoint {}, head at {}",
                                v.checked, v.from_checkpoint, v.head_seq
                            );
                            Ok(ExitCode::SUCCESS)
                        }
                        Some(problem) => {
                            eprintln!("access log BROKEN: {problem}");
                            eprintln!("({} record(s) verified before the problem)", v.checked);
                            Ok(ExitCode::FAILURE)
                        }
                    }
                }
                AuditCommand::Purge { keep_days } => {
                    let now = chrono::Utc::now();
                    let cutoff = now - chrono::Duration::days(i64::from(keep_days));
                    let removed = egov_auth::store::purge_before(&mut conn, cutoff, now)
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!("removed {removed} record(s) older than {cutoff}");
                    Ok(ExitCode::SUCCESS)
                }
            }
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
                Ok(ExitCode::SUCCESS)
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
