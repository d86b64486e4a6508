//! `egov backup` and `egov restore`.
//!
//! A backup is one directory an operator can copy off the machine:
//!
//! - `database.sqlite` (SQLite: a consistent online copy, `VACUUM INTO`, taken while egov
//!   serves) or `database.pgdump` (PostgreSQL: `pg_dump --format=custom`, one consistent
//!   snapshot);
//! - `blobs/`: the attachments' blob store (content-addressed files);
//! - `anchors.jsonl`: the audit anchors as they were just before the database was copied, so
//!   every anchor in it refers to records the copy holds;
//! - `manifest.json`, written last: the egov version, the backend, the migrations the copy
//!   has, and every file's size and SHA-256. A directory without it is an unfinished backup.
//!
//! A restore checks every digest, that this build knows every migration of the copy and that
//! the target database is new (no tables), before it writes anything. Keys are not part of a
//! backup: they live in the ministry's key safe (docs/operations.md).

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail, ensure};
use chrono::{DateTime, Utc};
use egov_core::Db;
use egov_core::db::{Backend, Migrations};
use egov_core::settings::DatabaseSettings;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const MANIFEST: &str = "manifest.json";
const FORMAT: u32 = 1;
const SQLITE_FILE: &str = "database.sqlite";
const PG_FILE: &str = "database.pgdump";
const ANCHORS_FILE: &str = "anchors.jsonl";
const BLOBS_DIR: &str = "blobs";

/// What `manifest.json` says.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub egov_version: String,
    pub created_at: DateTime<Utc>,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The migration versions the copied database has applied.
    pub migrations: Vec<String>,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Relative to the backup directory, with `/`.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// Where a deployment keeps what a backup holds.
#[derive(Debug, Clone)]
pub struct Places {
    pub database: DatabaseSettings,
    /// The petition module's blob store (`petition.blob_dir`).
    pub blob_dir: PathBuf,
    /// `audit.anchor_file`.
    pub anchor_file: PathBuf,
    /// Where `pg_dump` and `pg_restore` are (their major version must be at least the
    /// server's); `None`: from `PATH`.
    pub pg_bin_dir: Option<PathBuf>,
}

impl Places {
    fn pg_tool(&self, name: &str) -> PathBuf {
        self.pg_bin_dir
            .as_ref()
            .map_or_else(|| PathBuf::from(name), |d| d.join(name))
    }
}

/// Makes a backup of the deployment at `places` into `out` (new, or an empty directory).
pub fn backup(
    places: &Places,
    sets: &[(&'static str, Migrations)],
    out: &Path,
) -> anyhow::Result<Manifest> {
    let backend = Backend::from_url(places.database.url.expose())?;
    if let Backend::Sqlite(path) = &backend {
        ensure!(path.exists(), "no database at {}", path.display());
    }
    make_private_dir(out)?;
    let db = Db::connect(&places.database)
        .with_context(|| format!("database {}", places.database.url))?;
    ensure!(
        !db.applied()?.is_empty(),
        "{} has no migrations applied: nothing to back up",
        places.database.url
    );

    // Anchors first: each then names a record the database copy holds.
    if places.anchor_file.exists() {
        copy_file(&places.anchor_file, &out.join(ANCHORS_FILE))?;
    }
    let migrations = match &backend {
        Backend::Sqlite(_) => {
            let file = out.join(SQLITE_FILE);
            db.sqlite_snapshot(&file)?;
            drop(db);
            // What the copy has, read from the copy.
            let copy = Db::connect(&DatabaseSettings {
                url: egov_core::settings::DatabaseUrl::new(format!("sqlite://{}", file.display())),
                pool_size: 1,
                ..places.database.clone()
            })?;
            let applied = copy.applied()?;
            drop(copy);
            // The copy was opened to read it: leave one file, not -wal/-shm beside it.
            remove_sidecars(&file);
            applied
        }
        Backend::Postgres => {
            drop(db);
            pg_dump(places, &out.join(PG_FILE))?;
            Db::connect(&places.database)?.applied()?
        }
    };
    let known: Vec<String> = egov_core::db::known_migrations(sets)?
        .into_iter()
        .map(|(_, v, _)| v)
        .collect();
    let newer: Vec<&String> = migrations.iter().filter(|v| !known.contains(v)).collect();
    if !newer.is_empty() {
        tracing::warn!(
            ?newer,
            "the database has migrations this build does not know"
        );
    }

    // Blobs last: each is written before the record that names it, so every blob the copy
    // names is already there.
    if places.blob_dir.exists() {
        copy_tree(&places.blob_dir, &out.join(BLOBS_DIR))?;
    }

    // Everything written so far reaches the disk in one pass (one syncfs), before the
    // manifest that says the backup is complete.
    sync_filesystem(out)?;
    let mut files = Vec::new();
    for rel in list_files(out)? {
        let (bytes, sha256) = digest_file(&out.join(&rel))?;
        files.push(FileEntry {
            path: rel,
            bytes,
            sha256,
        });
    }
    let manifest = Manifest {
        format: FORMAT,
        egov_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: Utc::now(),
        backend: backend.name().to_owned(),
        migrations,
        files,
    };
    let tmp = out.join(".manifest.json.tmp");
    write_synced(&tmp, serde_json::to_string_pretty(&manifest)?.as_bytes())?;
    std::fs::rename(&tmp, out.join(MANIFEST))?;
    sync_dir(out)?;
    Ok(manifest)
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub manifest: Manifest,
    pub blobs: usize,
    /// Whether the backup's anchors became `audit.anchor_file`: only when there was none (a
    /// live anchor file is never replaced; it may name records after the backup, which
    /// `egov audit verify` then reports as missing).
    pub anchors_written: bool,
}

/// Reads and checks a backup: the manifest, every file's size and digest, no file outside
/// the directory and no unlisted file. Changes nothing.
pub fn check(dir: &Path) -> anyhow::Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{}: no manifest (not a backup, or an unfinished one)",
            path.display()
        )
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a backup manifest", path.display()))?;
    ensure!(
        manifest.format == FORMAT,
        "backup format {} is not known to this build (it reads {FORMAT})",
        manifest.format
    );
    for f in &manifest.files {
        ensure!(
            is_plain_relative(&f.path),
            "the manifest names {:?}, outside the backup",
            f.path
        );
        let (bytes, sha256) =
            digest_file(&dir.join(&f.path)).with_context(|| format!("backup file {}", f.path))?;
        ensure!(
            bytes == f.bytes && sha256 == f.sha256,
            "backup file {} does not match the manifest ({} bytes, SHA-256 {}; the manifest says {} bytes, {}): the backup is damaged",
            f.path,
            bytes,
            sha256,
            f.bytes,
            f.sha256
        );
    }
    let listed: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    for rel in list_files(dir)? {
        ensure!(
            rel == MANIFEST || listed.contains(&rel.as_str()),
            "backup file {rel} is not in the manifest"
        );
    }
    let db_file = match manifest.backend.as_str() {
        "sqlite" => SQLITE_FILE,
        "postgres" => PG_FILE,
        other => bail!("backup of an unknown backend {other:?}"),
    };
    ensure!(
        listed.contains(&db_file),
        "the backup has no {db_file}: it is incomplete"
    );
    Ok(manifest)
}

/// Restores the backup in `dir` into the (new, empty) database and places of `places`.
pub fn restore(
    places: &Places,
    sets: &[(&'static str, Migrations)],
    dir: &Path,
) -> anyhow::Result<Restored> {
    let manifest = check(dir)?;
    let backend = Backend::from_url(places.database.url.expose())?;
    ensure!(
        backend.name() == manifest.backend,
        "the backup is of a {} database and the target is {}: restore into the same backend",
        manifest.backend,
        backend.name()
    );
    let known: Vec<String> = egov_core::db::known_migrations(sets)?
        .into_iter()
        .map(|(_, v, _)| v)
        .collect();
    let unknown: Vec<&str> = manifest
        .migrations
        .iter()
        .filter(|v| !known.contains(v))
        .map(String::as_str)
        .collect();
    ensure!(
        unknown.is_empty(),
        "the backup was made by a newer egov ({}): this build does not know its migrations {}; restore with that version or a later one",
        manifest.egov_version,
        unknown.join(", ")
    );
    // The target must be new.
    match &backend {
        Backend::Sqlite(path) => ensure!(
            !path.exists() || std::fs::metadata(path)?.len() == 0,
            "{} exists: a restore goes into a new database (move the old one away first)",
            path.display()
        ),
        Backend::Postgres => {
            let db = Db::connect(&places.database)
                .with_context(|| format!("database {}", places.database.url))?;
            ensure!(
                db.is_empty()?,
                "{} has tables: a restore goes into a new database (createdb a new one)",
                places.database.url
            );
        }
    }
    // Blobs already in place must be the same bytes (they are named by their digest).
    let blobs: Vec<&FileEntry> = manifest
        .files
        .iter()
        .filter(|f| f.path.starts_with("blobs/"))
        .collect();
    for f in &blobs {
        let target = places.blob_dir.join(&f.path["blobs/".len()..]);
        if target.exists() {
            let (_, sha) = digest_file(&target)?;
            ensure!(
                sha == f.sha256,
                "{} exists with other contents than the backup's",
                target.display()
            );
        }
    }

    // Nothing refused: write.
    match &backend {
        Backend::Sqlite(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            let tmp = path.with_extension("restoring");
            let _ = std::fs::remove_file(&tmp);
            copy_file(&dir.join(SQLITE_FILE), &tmp)?;
            std::fs::File::open(&tmp)?.sync_all()?;
            if let Err(e) = egov_core::db::sqlite_check_file(&tmp) {
                let _ = std::fs::remove_file(&tmp);
                return Err(e.into());
            }
            remove_sidecars(&tmp);
            std::fs::rename(&tmp, path)?;
        }
        Backend::Postgres => pg_restore(places, &dir.join(PG_FILE))?,
    }
    for f in &blobs {
        let target = places.blob_dir.join(&f.path["blobs/".len()..]);
        if !target.exists() {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            copy_file(&dir.join(&f.path), &target)?;
        }
    }
    if !blobs.is_empty() {
        sync_filesystem(&places.blob_dir)?;
    }

    let mut anchors_written = false;
    let anchors = dir.join(ANCHORS_FILE);
    if anchors.exists() && !places.anchor_file.exists() {
        if let Some(parent) = places
            .anchor_file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)?;
        }
        copy_file(&anchors, &places.anchor_file)?;
        sync_filesystem(&places.anchor_file)?;
        anchors_written = true;
    }
    Ok(Restored {
        blobs: blobs.len(),
        manifest,
        anchors_written,
    })
}

fn pg_dump(places: &Places, to: &Path) -> anyhow::Result<()> {
    let (url, password) = split_password(places.database.url.expose())?;
    let mut cmd = Command::new(places.pg_tool("pg_dump"));
    cmd.args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
        .arg(to)
        .arg("--dbname")
        .arg(url);
    run_pg(cmd, password, "pg_dump")
}

fn pg_restore(places: &Places, from: &Path) -> anyhow::Result<()> {
    let (url, password) = split_password(places.database.url.expose())?;
    let mut cmd = Command::new(places.pg_tool("pg_restore"));
    cmd.args([
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        "--no-privileges",
        "--dbname",
    ])
    .arg(url)
    .arg(from);
    run_pg(cmd, password, "pg_restore")
}

fn run_pg(mut cmd: Command, password: Option<String>, name: &str) -> anyhow::Result<()> {
    if let Some(p) = password {
        // Through the environment, not the command line other users can read.
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().with_context(|| {
        format!(
            "cannot run {name}: install PostgreSQL's client tools (a version at least the server's) or give --pg-bin-dir"
        )
    })?;
    ensure!(
        out.status.success(),
        "{name} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(())
}

/// The URL without its password, and the password.
fn split_password(url: &str) -> anyhow::Result<(String, Option<String>)> {
    let mut u = url::Url::parse(url).context("database.url")?;
    let password = u.password().map(|p| {
        url::form_urlencoded::parse(format!("p={p}").as_bytes())
            .next()
            .map_or_else(|| p.to_owned(), |(_, v)| v.into_owned())
    });
    if password.is_some() {
        u.set_password(None)
            .map_err(|()| anyhow::anyhow!("database.url: cannot remove the password"))?;
    }
    Ok((u.to_string(), password))
}

fn make_private_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        ensure!(dir.is_dir(), "{} is not a directory", dir.display());
        ensure!(
            std::fs::read_dir(dir)?.next().is_none(),
            "{} is not empty: a backup goes into a new directory",
            dir.display()
        );
    } else {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    Ok(())
}

fn remove_sidecars(file: &Path) {
    for ext in ["-wal", "-shm"] {
        let mut p = file.as_os_str().to_owned();
        p.push(ext);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn is_plain_relative(path: &str) -> bool {
    let p = Path::new(path);
    !path.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Every regular file under `dir`, relative, with `/`, sorted. Staged uploads (`.tmp-…`)
/// are left out.
fn list_files(dir: &Path) -> anyhow::Result<Vec<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> anyhow::Result<()> {
        for entry in std::fs::read_dir(dir).with_context(|| format!("{}", dir.display()))? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = entry.path();
            if kind.is_dir() {
                walk(root, &path, out)?;
            } else if kind.is_file() && !entry.file_name().to_string_lossy().starts_with(".tmp-") {
                let rel = path.strip_prefix(root)?;
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    for rel in list_files(from)? {
        let target = to.join(&rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        copy_file(&from.join(&rel), &target)?;
    }
    Ok(())
}

/// Copies one file (the caller makes the copies durable: [`sync_filesystem`]).
fn copy_file(from: &Path, to: &Path) -> anyhow::Result<()> {
    let mut src =
        std::fs::File::open(from).with_context(|| format!("cannot read {}", from.display()))?;
    let mut dst = private_file(to)?;
    std::io::copy(&mut src, &mut dst)?;
    Ok(())
}

/// Flushes every file written on the filesystem of `path` (a file or a directory) to disk,
/// in one call.
fn sync_filesystem(path: &Path) -> anyhow::Result<()> {
    let f = std::fs::File::open(path)?;
    rustix::fs::syncfs(&f).with_context(|| format!("syncfs {}", path.display()))?;
    Ok(())
}

/// A new file only its owner reads (a backup holds personal data).
fn private_file(path: &Path) -> anyhow::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))
}

fn write_synced(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = private_file(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

fn digest_file(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut f =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, hex::encode(hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_stay_inside_the_backup() {
        assert!(is_plain_relative("blobs/petition/ab/cdef"));
        assert!(is_plain_relative("database.sqlite"));
        for bad in ["", "../etc/passwd", "/etc/passwd", "blobs/../../x", "./x"] {
            assert!(!is_plain_relative(bad), "{bad}");
        }
    }

    #[test]
    fn the_password_leaves_the_url_for_the_environment() {
        let (url, password) =
            split_password("postgres://egov:s%40cret@db:5432/egov?sslmode=require").expect("URL");
        assert_eq!(url, "postgres://egov@db:5432/egov?sslmode=require");
        assert_eq!(password.as_deref(), Some("s@cret"));
        let (url, password) = split_password("postgres://egov@db/egov").expect("URL");
        assert_eq!(url, "postgres://egov@db/egov");
        assert_eq!(password, None);
    }

    #[test]
    fn a_damaged_or_padded_backup_is_refused() {
        let dir = tempfile::tempdir().expect("test set-up");
        std::fs::write(dir.path().join(SQLITE_FILE), b"data").expect("test set-up");
        let (bytes, sha256) = digest_file(&dir.path().join(SQLITE_FILE)).expect("test set-up");
        let manifest = Manifest {
            format: FORMAT,
            egov_version: "0".into(),
            created_at: Utc::now(),
            backend: "sqlite".into(),
            migrations: vec![],
            files: vec![FileEntry {
                path: SQLITE_FILE.into(),
                bytes,
                sha256,
            }],
        };
        std::fs::write(
            dir.path().join(MANIFEST),
            serde_json::to_string(&manifest).expect("test set-up"),
        )
        .expect("test set-up");
        check(dir.path()).expect("test set-up");

        std::fs::write(dir.path().join("extra"), b"x").expect("test set-up");
        let e = check(dir.path()).expect_err("refused").to_string();
        assert!(e.contains("extra is not in the manifest"), "{e}");
        std::fs::remove_file(dir.path().join("extra")).expect("test set-up");

        std::fs::write(dir.path().join(SQLITE_FILE), b"dat4").expect("test set-up");
        let e = check(dir.path()).expect_err("refused").to_string();
        assert!(e.contains("the backup is damaged"), "{e}");

        std::fs::remove_file(dir.path().join(MANIFEST)).expect("test set-up");
        let e = check(dir.path()).expect_err("refused").to_string();
        assert!(e.contains("no manifest"), "{e}");
    }
}
