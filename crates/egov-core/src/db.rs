//! One connection type over PostgreSQL (production) and SQLite (embedded default).
//!
//! The backend is chosen from the URL scheme here, not by diesel's try-each-backend `establish`,
//! so a wrong password reports "password authentication failed" instead of a pool time-out.
//! Queries run on actix's blocking pool through [`Db::run`]; async workers never block.

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

use crate::error::{Error, codes};
use crate::settings::{DatabaseSettings, DatabaseUrl};

/// A connection to either backend. Store code matches on it only for dialect-specific SQL.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

impl std::fmt::Debug for DbConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Pg(_) => "DbConnection::Pg",
            Self::Sqlite(_) => "DbConnection::Sqlite",
        })
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    /// SQLite with the path of its file.
    Sqlite(PathBuf),
}

impl Backend {
    /// Parses `postgres://…`, `postgresql://…`, `sqlite://relative/path.db` or
    /// `sqlite:///absolute/path.db`.
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres);
        }
        if let Some(rest) = url.strip_prefix("sqlite://") {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(DbError::Url(
                    "sqlite:// needs a file path, e.g. sqlite://data/egov.db".into(),
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        Err(DbError::Url(
            "database.url must start with postgres://, postgresql:// or sqlite://".into(),
        ))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::Sqlite(_) => "sqlite",
        }
    }
}

/// Failures while opening or migrating a database (start-up errors, not request errors).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("invalid database URL: {0}")]
    Url(String),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("cannot prepare the SQLite file {path}: {source}")]
    SqliteFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("the database has pending migrations ({0}); run `egov migrate`")]
    Pending(String),
}

/// An r2d2 manager that opens the backend named by the URL and sets SQLite up on each connection.
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    backend: Backend,
    sqlite_busy_timeout_ms: u64,
    sqlite_synchronous: crate::settings::SqliteSynchronous,
}

impl ConnectionManager {
    fn open(&self) -> Result<DbConnection, DbError> {
        match &self.backend {
            Backend::Postgres => PgConnection::establish(self.url.expose())
                .map(DbConnection::Pg)
                .map_err(|e| DbError::Connect(e.to_string())),
            Backend::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(|e| DbError::Connect(e.to_string()))?;
                // busy_timeout first, so the other pragmas wait instead of failing.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = {};",
                    self.sqlite_busy_timeout_ms,
                    self.sqlite_synchronous.pragma()
                ))
                .map_err(|e| DbError::Connect(e.to_string()))?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = DbError;

    fn connect(&self) -> Result<DbConnection, DbError> {
        self.open()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), DbError> {
        conn.ping().map_err(|e| DbError::Connect(e.to_string()))
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// A module's migrations, one set per backend with the same version names. A module embeds
/// them with `diesel_migrations::embed_migrations!` into two `const`s and returns
/// `Migrations { postgres: || POSTGRES, sqlite: || SQLITE }`.
#[derive(Clone, Copy)]
pub struct Migrations {
    pub postgres: fn() -> EmbeddedMigrations,
    pub sqlite: fn() -> EmbeddedMigrations,
}

impl std::fmt::Debug for Migrations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Migrations { .. }")
    }
}

/// The database handle every module gets: a pool plus the backend it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    pool: r2d2::Pool<ConnectionManager>,
    backend: Backend,
    /// SQLite: this process's write transactions take turns here before `BEGIN IMMEDIATE`,
    /// so they queue in order instead of polling the file lock with SQLite's back-off sleeps
    /// (which made the slowest writers wait hundreds of milliseconds under load). Other
    /// processes on the same file still wait through `busy_timeout`.
    writer: std::sync::Arc<std::sync::Mutex<()>>,
}

impl Db {
    /// Builds the pool. Connects once eagerly so a wrong URL fails at start with its real cause.
    pub fn connect(settings: &DatabaseSettings) -> Result<Self, DbError> {
        // One direct attempt first, so a wrong URL fails at once with its cause instead of
        // after the pool's retries.
        let backend = Backend::from_url(settings.url.expose())?;
        if let Backend::Sqlite(path) = &backend {
            prepare_sqlite_file(path, settings.sqlite_busy_timeout_ms)?;
        }
        drop(Self::manager(settings, backend.clone()).open()?);
        Ok(Self::build(settings, backend))
    }

    /// Builds the pool without connecting: the process starts even if the database is down,
    /// and readiness reports it.
    pub fn connect_lazy(settings: &DatabaseSettings) -> Result<Self, DbError> {
        let backend = Backend::from_url(settings.url.expose())?;
        if let Backend::Sqlite(path) = &backend {
            prepare_sqlite_file(path, settings.sqlite_busy_timeout_ms)?;
        }
        Ok(Self::build(settings, backend))
    }

    fn build(settings: &DatabaseSettings, backend: Backend) -> Self {
        let manager = Self::manager(settings, backend.clone());
        let pool = r2d2::Pool::builder()
            .max_size(settings.pool_size)
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(settings.acquire_timeout_secs.max(1)))
            .test_on_check_out(false)
            .build_unchecked(manager);
        Self {
            pool,
            backend,
            writer: std::sync::Arc::default(),
        }
    }

    fn manager(settings: &DatabaseSettings, backend: Backend) -> ConnectionManager {
        ConnectionManager {
            url: settings.url.clone(),
            backend,
            sqlite_busy_timeout_ms: settings.sqlite_busy_timeout_ms,
            sqlite_synchronous: settings.sqlite_synchronous,
        }
    }

    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` in one write transaction (see [`write_transaction`]): every multi-step write
    /// goes through here.
    pub async fn transaction<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let writer = matches!(self.backend, Backend::Sqlite(_)).then(|| self.writer.clone());
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            // The turn first, then a connection: waiting writers hold no connection that
            // readers could use.
            let _turn = writer
                .as_ref()
                .map(|w| w.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
            let mut conn = pool.get()?;
            write_transaction(&mut conn, f)
        })
        .await?
    }

    /// Checks that the database answers; used by readiness. Waits at most two seconds for a
    /// connection, so a probe with a short timeout gets an answer.
    pub async fn ping(&self) -> Result<(), Error> {
        let pool = self.pool.clone();
        let wait = self.pool.connection_timeout().min(Duration::from_secs(2));
        actix_web::web::block(move || {
            let mut conn = pool.get_timeout(wait)?;
            conn.ping()
                .map_err(|e| Error::new(codes::DATABASE_UNAVAILABLE).source_error(e))
        })
        .await?
    }

    /// A connection for start-up work (migrations) outside a request.
    pub fn get_blocking(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, DbError> {
        self.pool.get().map_err(|e| DbError::Connect(e.to_string()))
    }

    /// (open connections, idle connections)
    pub fn pool_state(&self) -> (u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections)
    }

    /// Applies every pending migration of the given sets, in order. Returns the versions applied.
    pub fn migrate(&self, sets: &[(&str, Migrations)]) -> Result<Vec<String>, DbError> {
        let mut conn = self.get_blocking()?;
        let mut applied = Vec::new();
        for (module, set) in sets {
            let done = match &mut *conn {
                DbConnection::Pg(c) => c
                    .run_pending_migrations((set.postgres)())
                    .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>()),
                DbConnection::Sqlite(c) => c
                    .run_pending_migrations((set.sqlite)())
                    .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>()),
            }
            .map_err(|e| DbError::Migration(format!("module {module}: {e}")))?;
            applied.extend(done.into_iter().map(|v| format!("{module}:{v}")));
        }
        Ok(applied)
    }

    /// Lists the migrations not yet applied, as `module:version`.
    pub fn pending(&self, sets: &[(&str, Migrations)]) -> Result<Vec<String>, DbError> {
        let mut conn = self.get_blocking()?;
        let mut pending = Vec::new();
        for (module, set) in sets {
            let names = match &mut *conn {
                DbConnection::Pg(c) => c
                    .pending_migrations((set.postgres)())
                    .map(|v| v.iter().map(|m| m.name().to_string()).collect::<Vec<_>>()),
                DbConnection::Sqlite(c) => c
                    .pending_migrations((set.sqlite)())
                    .map(|v| v.iter().map(|m| m.name().to_string()).collect::<Vec<_>>()),
            }
            .map_err(|e| DbError::Migration(format!("module {module}: {e}")))?;
            pending.extend(names.into_iter().map(|n| format!("{module}:{n}")));
        }
        Ok(pending)
    }
}

/// One migration of this build, and whether the database has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    pub module: &'static str,
    /// diesel's version (`20261123100001`), as recorded in `__diesel_schema_migrations`.
    pub version: String,
    /// The directory name (`2026-11-23-100001_access_log`).
    pub name: String,
    pub applied: bool,
}

/// What `egov migrate --status` reports: this build's migrations, and the versions recorded
/// as applied that this build does not know (a newer version of egov ran them: during a
/// rolling upgrade the older version keeps serving, since migrations only add).
#[derive(Debug, Clone, Default)]
pub struct MigrationStatus {
    pub known: Vec<MigrationState>,
    pub unknown_applied: Vec<String>,
}

impl MigrationStatus {
    pub fn pending(&self) -> impl Iterator<Item = &MigrationState> {
        self.known.iter().filter(|m| !m.applied)
    }
}

impl Db {
    /// The versions recorded as applied in the database, by this or any other version of egov.
    pub fn applied(&self) -> Result<Vec<String>, DbError> {
        let mut conn = self.get_blocking()?;
        let versions = match &mut *conn {
            DbConnection::Pg(c) => c.applied_migrations(),
            DbConnection::Sqlite(c) => c.applied_migrations(),
        }
        .map_err(|e| DbError::Migration(e.to_string()))?;
        let mut v: Vec<String> = versions.iter().map(ToString::to_string).collect();
        v.sort();
        Ok(v)
    }

    /// This build's migrations against what the database has applied.
    pub fn status(&self, sets: &[(&'static str, Migrations)]) -> Result<MigrationStatus, DbError> {
        let applied = self.applied()?;
        let known = known_migrations(sets)?;
        let mut status = MigrationStatus::default();
        for (module, version, name) in known {
            status.known.push(MigrationState {
                applied: applied.binary_search(&version).is_ok(),
                module,
                version,
                name,
            });
        }
        status.unknown_applied = applied
            .into_iter()
            .filter(|v| !status.known.iter().any(|k| &k.version == v))
            .collect();
        Ok(status)
    }
}

/// Backups and restores (`egov backup`, `egov restore`).
impl Db {
    /// SQLite: writes a consistent copy of the database to `to` (which must not exist) while
    /// others read and write (`VACUUM INTO`: one read transaction, so the copy is the database
    /// as of one commit, compacted). Not for PostgreSQL, which `pg_dump` copies.
    pub fn sqlite_snapshot(&self, to: &Path) -> Result<(), DbError> {
        let mut conn = self.get_blocking()?;
        match &mut *conn {
            DbConnection::Sqlite(c) => diesel::sql_query("VACUUM INTO ?")
                .bind::<diesel::sql_types::Text, _>(to.to_string_lossy().into_owned())
                .execute(c)
                .map(drop)
                .map_err(|e| DbError::Connect(format!("VACUUM INTO {}: {e}", to.display()))),
            DbConnection::Pg(_) => Err(DbError::Url(
                "a snapshot by VACUUM INTO is for SQLite only".into(),
            )),
        }
    }

    /// Whether the database holds no table at all (a restore goes into a new database only).
    pub fn is_empty(&self) -> Result<bool, DbError> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.get_blocking()?;
        let count = match &mut *conn {
            DbConnection::Pg(c) => diesel::sql_query(
                "SELECT count(*) AS n FROM information_schema.tables \
                 WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
            )
            .get_result::<Count>(c),
            DbConnection::Sqlite(c) => diesel::sql_query(
                "SELECT count(*) AS n FROM sqlite_master \
                 WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .get_result::<Count>(c),
        }
        .map_err(|e| DbError::Connect(e.to_string()))?;
        Ok(count.n == 0)
    }
}

/// Checks a SQLite file that is not in use (a restored copy) with `PRAGMA integrity_check`
/// and switches it to WAL, as egov runs it.
pub fn sqlite_check_file(path: &Path) -> Result<(), DbError> {
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let fail = |e: String| DbError::Connect(format!("{}: {e}", path.display()));
    let mut conn =
        SqliteConnection::establish(&path.to_string_lossy()).map_err(|e| fail(e.to_string()))?;
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .map_err(|e| fail(e.to_string()))?;
    let problems: Vec<String> = rows
        .into_iter()
        .map(|r| r.integrity_check)
        .filter(|r| r != "ok")
        .collect();
    if !problems.is_empty() {
        return Err(fail(format!(
            "integrity check failed: {}",
            problems.join("; ")
        )));
    }
    conn.batch_execute("PRAGMA journal_mode = WAL;")
        .map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// Every migration of the sets as (module, version, name), in order.
pub fn known_migrations(
    sets: &[(&'static str, Migrations)],
) -> Result<Vec<(&'static str, String, String)>, DbError> {
    use diesel::migration::MigrationSource;
    let mut out = Vec::new();
    for (module, set) in sets {
        for m in MigrationSource::<diesel::sqlite::Sqlite>::migrations(&(set.sqlite)())
            .map_err(|e| DbError::Migration(format!("module {module}: {e}")))?
        {
            out.push((
                *module,
                m.name().version().to_string(),
                m.name().to_string(),
            ));
        }
    }
    Ok(out)
}

/// Creates the parent directory and switches a SQLite file to WAL once, on a single connection,
/// before any pool exists (a pool switching at once gives "database is locked").
fn prepare_sqlite_file(path: &Path, busy_timeout_ms: u64) -> Result<(), DbError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.exists()
    {
        std::fs::create_dir_all(parent).map_err(|source| DbError::SqliteFile {
            path: path.to_owned(),
            source,
        })?;
    }
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())
        .map_err(|e| DbError::Connect(format!("{}: {e}", path.display())))?;
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {busy_timeout_ms}; PRAGMA journal_mode = WAL;"
    ))
    .map_err(|e| DbError::Connect(format!("{}: {e}", path.display())))?;
    Ok(())
}

/// Checks that every module's PostgreSQL and SQLite sets have the same version names and that
/// no two modules share a version (they share diesel's migrations table).
pub fn check_migration_sets(sets: &[(&str, Migrations)]) -> Result<(), DbError> {
    use diesel::migration::MigrationSource;
    use std::collections::BTreeMap;

    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    for (module, set) in sets {
        let pg: Vec<String> = MigrationSource::<diesel::pg::Pg>::migrations(&(set.postgres)())
            .map_err(|e| DbError::Migration(format!("module {module}: {e}")))?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect();
        let lite: Vec<String> =
            MigrationSource::<diesel::sqlite::Sqlite>::migrations(&(set.sqlite)())
                .map_err(|e| DbError::Migration(format!("module {module}: {e}")))?
                .iter()
                .map(|m| m.name().version().to_string())
                .collect();
        if pg != lite {
            return Err(DbError::Migration(format!(
                "module {module}: postgres versions {pg:?} differ from sqlite versions {lite:?}"
            )));
        }
        for v in pg {
            if let Some(other) = owner.insert(v.clone(), module) {
                return Err(DbError::Migration(format!(
                    "modules {other} and {module} both have migration version {v}"
                )));
            }
        }
    }
    Ok(())
}

/// Runs `f` in a transaction meant to write. On SQLite it begins with `BEGIN IMMEDIATE`, taking
/// the write lock first: a transaction that reads before it writes then waits its turn (up to
/// `sqlite_busy_timeout_ms`) instead of failing with "database is locked" when another writer
/// commits between its read and its write (SQLite cannot wait on that upgrade). Readers are not
/// blocked (WAL). Inside another transaction it is a savepoint; on PostgreSQL, a plain
/// transaction.
pub fn write_transaction<T, F>(conn: &mut DbConnection, f: F) -> Result<T, Error>
where
    F: FnOnce(&mut DbConnection) -> Result<T, Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let outermost = match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()?
            .is_none(),
        DbConnection::Pg(_) => false,
    };
    if !outermost {
        return conn.transaction(f);
    }
    fn sqlite(conn: &mut DbConnection) -> &mut SqliteConnection {
        match conn {
            DbConnection::Sqlite(c) => c,
            DbConnection::Pg(_) => unreachable!("checked above"),
        }
    }
    AnsiTransactionManager::begin_transaction_sql(sqlite(conn), "BEGIN IMMEDIATE")?;
    match f(conn) {
        Ok(v) => {
            AnsiTransactionManager::commit_transaction(sqlite(conn))?;
            Ok(v)
        }
        Err(e) => {
            AnsiTransactionManager::rollback_transaction(sqlite(conn))?;
            Err(e)
        }
    }
}
