//! `egov procurement …`: the bidder's tools for suppliers who integrate by API, and the opening
//! committee member's key and share tools. Nothing here
//! talks to a server: a key is made and a bid sealed on the bidder's machine, and the output
//! is what the bidder sends.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use ed25519_dalek::SigningKey;
use egov_procurement::domain::envelope::{self, Contents, Document};
use egov_procurement::domain::seal::{self, b64, unb64};
use serde::{Deserialize, Serialize};

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once from the command line
pub enum ProcurementCommand {
    /// Make a bid signing key (Ed25519) in a file only its owner can read. Register the
    /// printed public key with `POST /procurement/v1/suppliers/me/keys`, then put the key's
    /// id in the file (`key_id`) or pass it to `seal-bid`.
    BidderKey {
        /// Where to write the key (refuses to overwrite).
        #[arg(long)]
        out: PathBuf,
    },
    /// Seal a bid on this machine to the tender's opening key and sign it: prints the body for
    /// `POST /procurement/v1/tenders/{id}/bids`. The price and documents never leave this
    /// machine in clear.
    SealBid {
        /// The tender as published (`GET /procurement/v1/tenders/{id}`, JSON): its `id` and
        /// `opening_key` are used.
        #[arg(long)]
        tender: PathBuf,
        /// The key file from `bidder-key`.
        #[arg(long)]
        key: PathBuf,
        /// The registered key's id [default: `key_id` in the key file].
        #[arg(long)]
        key_id: Option<String>,
        /// The lot bid for.
        #[arg(long)]
        lot: String,
        /// The supplier's business number (as the supplier is registered).
        #[arg(long)]
        supplier: String,
        /// The price, a decimal in the pack's currency.
        #[arg(long)]
        price: String,
        /// Reserve prices picked (numbers from 0), comma-separated, where the procedure has
        /// the lottery.
        #[arg(long, value_delimiter = ',')]
        picks: Vec<u8>,
        /// A document to seal with the bid, `TITLE=PATH` (repeatable, at most 10).
        #[arg(long = "document")]
        documents: Vec<String>,
        /// A consent reference for the tax clearance, when none is on file.
        #[arg(long)]
        consent: Option<String>,
        /// Write the body here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Make an opening committee member's key (X25519) in a file only its owner can read.
    /// Register the printed public key with `PUT /procurement/v1/committee/key`; the tender's
    /// key shares are sealed to it.
    CommitteeKey {
        /// Where to write the key (refuses to overwrite).
        #[arg(long)]
        out: PathBuf,
    },
    /// Open the member's sealed key share of a tender (`sealed_share` from
    /// `GET /procurement/v1/tenders/{id}/share`, after the deadline): prints the share to hand
    /// in with `POST /procurement/v1/tenders/{id}/shares`.
    OpenShare {
        /// The key file from `committee-key`.
        #[arg(long)]
        key: PathBuf,
        /// The sealed share, base64.
        #[arg(long)]
        sealed_share: String,
    },
}

/// A committee member's key file.
#[derive(Debug, Serialize, Deserialize)]
struct MemberKeyFile {
    /// The X25519 secret key, base64 (32 bytes).
    secret: String,
    /// The public key to register, base64 (32 bytes).
    public_key: String,
}

/// A bidder's key file.
#[derive(Debug, Serialize, Deserialize)]
struct KeyFile {
    /// The Ed25519 secret seed, base64 (32 bytes).
    secret: String,
    /// The public key to register, base64 (32 bytes).
    public_key: String,
    /// The id the server gave the key when it was registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_id: Option<String>,
}

#[allow(clippy::print_stdout)] // A CLI prints its results.
pub fn run(command: ProcurementCommand) -> anyhow::Result<ExitCode> {
    match command {
        ProcurementCommand::BidderKey { out } => {
            let (key, public) = envelope::bidder_keypair();
            let file = KeyFile {
                secret: b64(key.as_bytes()),
                public_key: public.clone(),
                key_id: None,
            };
            write_private(&out, &serde_json::to_vec_pretty(&file)?)?;
            println!("{public}");
            eprintln!(
                "key written to {}; register it: POST /procurement/v1/suppliers/me/keys \
                 {{\"label\": \"…\", \"public_key\": \"{public}\"}}",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        ProcurementCommand::CommitteeKey { out } => {
            let (key, public) = seal::member_keypair();
            let file = MemberKeyFile {
                secret: seal::member_secret_b64(&key),
                public_key: public.clone(),
            };
            write_private(&out, &serde_json::to_vec_pretty(&file)?)?;
            println!("{public}");
            eprintln!(
                "key written to {}; register it: PUT /procurement/v1/committee/key \
                 {{\"public_key\": \"{public}\"}}",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        ProcurementCommand::OpenShare { key, sealed_share } => {
            let kf: MemberKeyFile = serde_json::from_slice(
                &std::fs::read(&key).with_context(|| format!("cannot read {}", key.display()))?,
            )
            .with_context(|| format!("{} is not a key file from `committee-key`", key.display()))?;
            let secret = seal::member_secret(&kf.secret).map_err(|_| {
                anyhow::anyhow!("{}: `secret` is not 32 bytes of base64", key.display())
            })?;
            let share = seal::open_share(&secret, sealed_share.trim()).map_err(|_| {
                anyhow::anyhow!(
                    "the share does not open with this key: it was sealed to another member"
                )
            })?;
            println!("{share}");
            Ok(ExitCode::SUCCESS)
        }
        ProcurementCommand::SealBid {
            tender,
            key,
            key_id,
            lot,
            supplier,
            price,
            picks,
            documents,
            consent,
            out,
        } => {
            let t: serde_json::Value = serde_json::from_slice(
                &std::fs::read(&tender)
                    .with_context(|| format!("cannot read {}", tender.display()))?,
            )
            .with_context(|| format!("{} is not JSON", tender.display()))?;
            let (Some(tender_id), Some(opening_key)) =
                (t["id"].as_str(), t["opening_key"].as_str())
            else {
                bail!(
                    "{} has no `id` and `opening_key`: save it from GET /procurement/v1/tenders/{{id}} once the tender is published",
                    tender.display()
                );
            };
            let kf: KeyFile = serde_json::from_slice(
                &std::fs::read(&key).with_context(|| format!("cannot read {}", key.display()))?,
            )
            .with_context(|| format!("{} is not a key file from `bidder-key`", key.display()))?;
            let seed: [u8; 32] = unb64(&kf.secret)
                .and_then(|v| v.try_into().ok())
                .with_context(|| {
                    format!("{}: `secret` is not 32 bytes of base64", key.display())
                })?;
            let signing = SigningKey::from_bytes(&seed);
            let key_id = key_id.or(kf.key_id).context(
                "no key id: pass --key-id, or add `key_id` (from the registration) to the key file",
            )?;
            if documents.len() > 10 {
                bail!("at most 10 documents");
            }
            let docs = documents
                .iter()
                .map(|d| document(d))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let contents = Contents {
                tender: tender_id.to_owned(),
                lot,
                supplier,
                price,
                reserve_picks: picks,
                documents: docs,
                nonce: envelope::nonce(),
            };
            let sealed = envelope::seal_and_sign(opening_key, &contents, &signing, &key_id)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut body = serde_json::to_value(&sealed)?;
            if let Some(c) = consent {
                body["consent"] = serde_json::Value::String(c);
            }
            let text = serde_json::to_string_pretty(&body)?;
            match out {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => println!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `TITLE=PATH`: the file, with its media type recognised from its contents.
fn document(arg: &str) -> anyhow::Result<Document> {
    let (title, path) = arg
        .split_once('=')
        .with_context(|| format!("--document {arg}: expected TITLE=PATH"))?;
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
    let media_type = match infer::get(&bytes) {
        Some(t) => t.mime_type().to_owned(),
        None if std::str::from_utf8(&bytes).is_ok() => "text/plain".to_owned(),
        None => "application/octet-stream".to_owned(),
    };
    Ok(Document {
        title: title.to_owned(),
        media_type,
        content: b64(&bytes),
    })
}

/// Writes a new file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
    f.write_all(bytes)?;
    Ok(())
}
