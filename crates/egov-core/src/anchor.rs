//! Anchors: the hash chains' heads, signed with a key the database does not hold and written
//! to a write-once sink outside it, so that whoever can write the database cannot rewrite a
//! trail unseen.
//!
//! A hash chain alone proves only that its links agree with each other: someone who can write
//! the database can delete the last records and move the head back, edit a record and
//! re-hash every later one, or delete early records behind a made-up retention checkpoint.
//! Each anchor states "trail T, chain C had record N with hash H at time t", signed with the
//! deployment's anchoring key (a file or an environment variable, never the database), and
//! is appended to `audit.anchor_file` (JSON lines, flushed to disk) that the operator ships
//! to storage the database's writers cannot change. Retention purges first write a signed
//! `purge` anchor, so a checkpoint without one is a forgery.
//!
//! [`check`] compares a trail with its anchors: every anchored record must still be there with
//! the anchored hash (or be covered by a signed purge), no chain may end before its anchor,
//! and every retention checkpoint must be signed. What was written after a chain's last anchor
//! cannot be checked; [`Report::window`] says from where, honestly.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::{DbConnection, Error};

/// One chain's head (or any record) of a trail. Single-chain trails use an empty `chain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub chain: String,
    pub seq: i64,
    pub hash: String,
}

/// A hash-chained trail that can be anchored: the access log, the exchange's message log,
/// docflow's document histories.
pub trait Trail: Send + Sync {
    /// The trail's name in anchors (`auth.access_log`).
    fn name(&self) -> &'static str;
    /// The head of every chain of the trail.
    fn heads(&self, conn: &mut DbConnection) -> Result<Vec<Head>, Error>;
    /// The stored hash of record `seq` of `chain`, if the record is there.
    fn hash_at(
        &self,
        conn: &mut DbConnection,
        chain: &str,
        seq: i64,
    ) -> Result<Option<String>, Error>;
    /// The retention checkpoints stored in the database (each must have a signed purge).
    fn checkpoints(&self, _conn: &mut DbConnection) -> Result<Vec<Head>, Error> {
        Ok(Vec::new())
    }
}

/// What an anchor states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The chain's head at `at`.
    Head,
    /// Records up to `seq` (whose hash is `hash`) are purged under retention, with this
    /// authority.
    Purge,
}

/// One signed line of the anchor file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub v: u8,
    pub kind: Kind,
    pub trail: String,
    pub chain: String,
    pub seq: i64,
    pub hash: String,
    pub at: DateTime<Utc>,
    /// The signing key's id (first 16 hex digits of SHA-256 of the public key).
    pub key: String,
    /// Ed25519 over [`Anchor::message`], base64.
    pub sig: String,
}

impl Anchor {
    /// The signed bytes: every field but the signature, one per line, under a domain label.
    pub fn message(&self) -> Vec<u8> {
        let kind = match self.kind {
            Kind::Head => "head",
            Kind::Purge => "purge",
        };
        format!(
            "egov-anchor-v1\n{kind}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.trail,
            self.chain,
            self.seq,
            self.hash,
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            self.key
        )
        .into_bytes()
    }

    /// Whether one of `keys` signed it.
    pub fn signed_by_any(&self, keys: &[VerifyingKey]) -> bool {
        let Ok(sig) = STANDARD.decode(&self.sig) else {
            return false;
        };
        let Ok(sig) = ed25519_dalek::Signature::from_slice(&sig) else {
            return false;
        };
        keys.iter()
            .any(|k| key_id(k) == self.key && k.verify(&self.message(), &sig).is_ok())
    }
}

/// A public key's id in anchors.
pub fn key_id(key: &VerifyingKey) -> String {
    crate::digest::sha256_hex(key.as_bytes())[..16].to_owned()
}

/// Reads an anchor file (JSON lines). A line that is not an anchor is an error naming it.
pub fn read(path: &Path) -> Result<Vec<Anchor>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map_err(|e| format!("{} line {}: not an anchor: {e}", path.display(), i + 1))
        })
        .collect()
}

/// Signs anchors and appends them to the sink. One per process; the anchors written so far
/// are remembered so that only chains that moved are anchored again.
pub struct Anchorer {
    key: SigningKey,
    sink: PathBuf,
    last: Mutex<HashMap<(String, String), (i64, String)>>,
}

impl std::fmt::Debug for Anchorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Anchorer")
            .field("key", &key_id(&self.key.verifying_key()))
            .field("sink", &self.sink)
            .finish_non_exhaustive()
    }
}

impl Anchorer {
    /// The anchorer of `settings.audit`: the key from `anchor_key` (64 hex digits) or
    /// `anchor_key_file` (created when missing and `generate_anchor_key` is on).
    pub fn from_settings(settings: &crate::settings::AuditSettings) -> anyhow::Result<Self> {
        let key = load_key(settings)?;
        Self::new(key, settings.anchor_file.clone())
    }

    pub fn new(key: SigningKey, sink: PathBuf) -> anyhow::Result<Self> {
        let mut last = HashMap::new();
        for a in read(&sink).map_err(anyhow::Error::msg)? {
            let entry = last
                .entry((a.trail.clone(), a.chain.clone()))
                .or_insert((a.seq, a.hash.clone()));
            if a.seq >= entry.0 {
                *entry = (a.seq, a.hash.clone());
            }
        }
        Ok(Self {
            key,
            sink,
            last: Mutex::new(last),
        })
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    pub fn sink(&self) -> &Path {
        &self.sink
    }

    fn sign(&self, kind: Kind, trail: &str, head: &Head, at: DateTime<Utc>) -> Anchor {
        let mut a = Anchor {
            v: 1,
            kind,
            trail: trail.to_owned(),
            chain: head.chain.clone(),
            seq: head.seq,
            hash: head.hash.clone(),
            at,
            key: key_id(&self.key.verifying_key()),
            sig: String::new(),
        };
        a.sig = STANDARD.encode(self.key.sign(&a.message()).to_bytes());
        a
    }

    /// Appends anchors and flushes them to the disk before returning.
    fn write(&self, anchors: &[Anchor]) -> Result<(), Error> {
        if anchors.is_empty() {
            return Ok(());
        }
        if let Some(dir) = self.sink.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(Error::internal)?;
        }
        let mut out = String::new();
        for a in anchors {
            out.push_str(&serde_json::to_string(a).map_err(Error::internal)?);
            out.push('\n');
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.sink)
            .map_err(Error::internal)?;
        f.write_all(out.as_bytes()).map_err(Error::internal)?;
        f.sync_all().map_err(Error::internal)?;
        Ok(())
    }

    /// Anchors every chain of `trail` whose head moved since its last anchor; how many.
    pub fn anchor(
        &self,
        conn: &mut DbConnection,
        trail: &dyn Trail,
        at: DateTime<Utc>,
    ) -> Result<usize, Error> {
        self.anchor_new(conn, trail, at).map(|a| a.len())
    }

    /// [`Anchorer::anchor`], returning the anchors written (to send to a countersigning peer).
    pub fn anchor_new(
        &self,
        conn: &mut DbConnection,
        trail: &dyn Trail,
        at: DateTime<Utc>,
    ) -> Result<Vec<Anchor>, Error> {
        let heads = trail.heads(conn)?;
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let moved: Vec<Anchor> = heads
            .iter()
            .filter(|h| h.seq > 0)
            .filter(|h| {
                last.get(&(trail.name().to_owned(), h.chain.clone()))
                    .is_none_or(|(s, x)| *s != h.seq || *x != h.hash)
            })
            .map(|h| self.sign(Kind::Head, trail.name(), h, at))
            .collect();
        self.write(&moved)?;
        for a in &moved {
            last.insert((a.trail.clone(), a.chain.clone()), (a.seq, a.hash.clone()));
        }
        Ok(moved)
    }

    /// The signed authority for a retention purge up to `head` (written before the purge).
    pub fn purge(&self, trail: &str, head: &Head, at: DateTime<Utc>) -> Result<(), Error> {
        self.write(&[self.sign(Kind::Purge, trail, head, at)])
    }
}

fn load_key(settings: &crate::settings::AuditSettings) -> anyhow::Result<SigningKey> {
    let parse = |hex_seed: &str, from: &str| -> anyhow::Result<SigningKey> {
        let bytes = hex::decode(hex_seed.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| anyhow::anyhow!("{from}: the anchoring key must be 64 hex digits"))?;
        Ok(SigningKey::from_bytes(&bytes))
    };
    if let Some(k) = &settings.anchor_key {
        return parse(k.expose(), "audit.anchor_key");
    }
    let path = &settings.anchor_key_file;
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && settings.generate_anchor_key => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed)
                .map_err(|e| anyhow::anyhow!("operating system random source failed: {e}"))?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            write_private(path, &hex::encode(seed))?;
            tracing::warn!(
                file = %path.display(),
                "created a new anchoring key: keep it off the database's machine in production"
            );
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) => Err(anyhow::anyhow!(
            "{}: {e} (set EGOV__AUDIT__ANCHOR_KEY, 64 hex digits, or audit.anchor_key_file)",
            path.display()
        )),
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)?.write_all(text.as_bytes())
}

/// The public keys anchors are checked against: `audit.anchor_public_keys` (64 hex digits
/// each) and, where this machine holds it, the anchoring key's own.
pub fn trusted_keys(
    settings: &crate::settings::AuditSettings,
) -> anyhow::Result<Vec<VerifyingKey>> {
    let mut keys = Vec::new();
    for k in &settings.anchor_public_keys {
        let bytes = hex::decode(k.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| {
                anyhow::anyhow!("audit.anchor_public_keys: {k:?} is not 64 hex digits")
            })?;
        keys.push(VerifyingKey::from_bytes(&bytes)?);
    }
    let local = settings.anchor_key.is_some() || settings.anchor_key_file.is_file();
    if local {
        keys.push(load_key(settings)?.verifying_key());
    }
    Ok(keys)
}

/// What the anchors say about a trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub trail: String,
    /// Anchors of this trail with a valid signature.
    pub anchors: usize,
    /// Chains checked against their last anchor.
    pub chains: usize,
    /// What does not agree with the anchors: each a tampering (or an anchor file that is not
    /// this deployment's).
    pub problems: Vec<String>,
    /// What cannot be checked: records written after the last anchor of their chain.
    pub window: String,
}

impl Report {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks `trail` in the database against `anchors` signed by one of `keys`.
pub fn check(
    conn: &mut DbConnection,
    trail: &dyn Trail,
    anchors: &[Anchor],
    keys: &[VerifyingKey],
) -> Result<Report, Error> {
    let mut problems = Vec::new();
    let mine: Vec<&Anchor> = anchors.iter().filter(|a| a.trail == trail.name()).collect();
    let mut valid: Vec<&Anchor> = Vec::with_capacity(mine.len());
    for a in &mine {
        if a.signed_by_any(keys) {
            valid.push(a);
        } else {
            problems.push(format!(
                "an anchor of chain {:?} at record {} is not signed by a trusted key",
                a.chain, a.seq
            ));
        }
    }
    // The last head anchor and the furthest purge of each chain.
    let mut last: HashMap<&str, &Anchor> = HashMap::new();
    let mut purged: HashMap<&str, Vec<&Anchor>> = HashMap::new();
    for a in &valid {
        match a.kind {
            Kind::Head => {
                let e = last.entry(a.chain.as_str()).or_insert(a);
                if a.seq > e.seq || (a.seq == e.seq && a.at > e.at) {
                    *e = a;
                }
            }
            Kind::Purge => purged.entry(a.chain.as_str()).or_default().push(a),
        }
    }
    let heads: HashMap<String, Head> = trail
        .heads(conn)?
        .into_iter()
        .map(|h| (h.chain.clone(), h))
        .collect();
    for (chain, a) in &last {
        let head = heads.get(*chain).map_or(0, |h| h.seq);
        if head < a.seq {
            problems.push(format!(
                "{}the chain ends at record {head}, but record {} was anchored on {}: records were removed from the end",
                label(chain),
                a.seq,
                when(a.at)
            ));
            continue;
        }
        match trail.hash_at(conn, chain, a.seq)? {
            Some(h) if h == a.hash => {}
            Some(_) => problems.push(format!(
                "{}record {} differs from its anchor of {}: the chain was rewritten",
                label(chain),
                a.seq,
                when(a.at)
            )),
            None => {
                let covered = purged
                    .get(*chain)
                    .is_some_and(|p| p.iter().any(|p| p.seq >= a.seq));
                if !covered {
                    problems.push(format!(
                        "{}record {} (anchored on {}) is gone without a signed purge",
                        label(chain),
                        a.seq,
                        when(a.at)
                    ));
                }
            }
        }
    }
    for cp in trail.checkpoints(conn)? {
        let signed = purged
            .get(cp.chain.as_str())
            .is_some_and(|p| p.iter().any(|p| p.seq == cp.seq && p.hash == cp.hash));
        if !signed {
            problems.push(format!(
                "{}the retention checkpoint at record {} has no signed purge anchor: it may be forged to hide deleted records",
                label(&cp.chain),
                cp.seq
            ));
        }
    }
    let unanchored: Vec<(&String, i64, Option<DateTime<Utc>>)> = heads
        .values()
        .filter_map(|h| {
            let a = last.get(h.chain.as_str());
            let anchored = a.map_or(0, |a| a.seq);
            (h.seq > anchored).then(|| (&h.chain, anchored, a.map(|a| a.at)))
        })
        .collect();
    let window = match unanchored.as_slice() {
        [] => "every record is anchored".to_owned(),
        [(chain, seq, at)] => format!(
            "{}records after {seq} (last anchored {}) are not anchored yet: a change to them cannot be detected",
            label(chain),
            at.map_or_else(|| "never".to_owned(), when)
        ),
        many => format!(
            "{} chains have records after their last anchor (the oldest last anchored {}): changes to those records cannot be detected",
            many.len(),
            many.iter()
                .filter_map(|(_, _, at)| *at)
                .min()
                .map_or_else(|| "never".to_owned(), when)
        ),
    };
    Ok(Report {
        trail: trail.name().to_owned(),
        anchors: valid.len(),
        chains: last.len(),
        problems,
        window,
    })
}

/// "" for a single-chain trail, "chain <id>: " for one of many.
fn label(chain: &str) -> String {
    if chain.is_empty() {
        String::new()
    } else {
        format!("chain {chain}: ")
    }
}

fn when(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
