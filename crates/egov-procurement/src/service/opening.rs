//! Opening: key shares combined, bids decrypted and checked, the reserve-price lottery drawn.

use super::*;
use crate::domain::rejection;

/// The result of one lot at the opening.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LotResult {
    pub lot: String,
    pub valid_bids: usize,
    /// `active` (enough valid bids for the procedure) or `unsuccessful`.
    pub status: &'static str,
    /// Why the lot is unsuccessful.
    pub reason: Option<String>,
    /// The reserve price draw, where the procedure has a lottery.
    pub draw: Option<crate::domain::lottery::Draw>,
}

/// The opening transcript: published with the tender, recomputable by anyone from the seed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpeningTranscript {
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub opened_by: String,
    /// The committee members whose key shares opened the bids.
    pub shares_from: Vec<String>,
    /// The lottery seed (hex), revealed: its SHA-256 is the `seed_commitment` published before
    /// the deadline.
    pub seed: String,
    pub seed_commitment: Option<String>,
    pub lottery: Option<crate::domain::rules::Lottery>,
    pub lots: Vec<LotResult>,
    pub bids: Vec<OpenedBid>,
}

/// A bid as published in the opening transcript.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenedBid {
    pub bid_id: String,
    pub lot: String,
    pub supplier: String,
    pub digest: String,
    pub received_at: chrono::DateTime<Utc>,
    pub price: Option<String>,
    pub reserve_picks: Vec<u8>,
    /// valid | rejected
    pub status: String,
    pub reasons: Vec<String>,
}

/// Opens the bids with the handed-in shares (exactly once: the first caller moves the tender
/// out of `opening`).
pub fn open(
    p: &Procurement,
    c: &mut DbConnection,
    id: &str,
    by: &str,
) -> Result<OpeningTranscript, Error> {
    let rules = p.rules()?;
    let row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    if !status_of(&row).permits(Action::OpenBids) {
        return Err(illegal(&row, "open"));
    }
    let procedure = rules
        .procedure(&row.procedure_id)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?
        .clone();
    let shares = store::shares(c, id)?;
    let handed: Vec<&store::ShareRow> = shares.iter().filter(|s| s.share.is_some()).collect();
    if handed.len() < usize::try_from(row.k).unwrap_or(usize::MAX) {
        return Err(Error::with_detail(
            errors::NOT_ENOUGH_SHARES,
            format!(
                "{} of {} shares handed in; {} needed",
                handed.len(),
                row.n,
                row.k
            ),
        ));
    }
    let raw: Vec<Vec<u8>> = handed
        .iter()
        .filter_map(|s| s.share.as_deref().and_then(seal::unb64))
        .collect();
    let k = u8::try_from(row.k).unwrap_or(u8::MAX);
    let secret = seal::recover(k, &raw, row.public_key.as_deref().unwrap_or_default())
        .map_err(|e| Error::with_detail(errors::SHARE_REJECTED, e.to_string()))?;
    // Exactly once: from here on this transaction owns the opening.
    let now = p.now();
    if !store::claim(c, id, "opening", "evaluation", now)? {
        return Err(Error::new(errors::CONCURRENT_CHANGE));
    }
    let seed = row
        .seed_sealed
        .as_deref()
        .and_then(seal::unb64)
        .and_then(|s| seal::open(&secret, &s).ok())
        .ok_or_else(|| Error::internal(anyhow::anyhow!("the lottery seed does not open")))?;
    if Some(lottery::commitment(&seed)) != row.seed_commitment {
        return Err(Error::internal(anyhow::anyhow!(
            "the lottery seed does not match its commitment"
        )));
    }
    let minor = u32::from(p.pack().currency.minor_units());
    let deadline_day = row.deadline.date();
    let lots = lots_of(&row);
    let debarred = store::debarred_on(c, deadline_day)?;
    let mut opened = Vec::new();
    let active = store::bids_with_status(c, id, &["active"])?;
    let mut results = Vec::with_capacity(active.len());
    // Checking a signature and opening an envelope is the opening's CPU work: on every core.
    let contents: Vec<Result<Sealed, String>> = {
        use rayon::prelude::*;
        active.par_iter().map(|b| open_one(&secret, b)).collect()
    };
    for (b, content) in active.iter().zip(contents) {
        let mut reasons = Vec::new();
        let content = match content {
            Ok(c) => Some(c),
            Err(why) => {
                reasons.push(why);
                None
            }
        };
        let mut price = None;
        let mut picks = Vec::new();
        match &content {
            None => {}
            Some(s) => {
                if s.tender != row.id || s.lot != b.lot_id || s.supplier != b.supplier {
                    reasons.push(rejection::NAMES.into());
                }
                match s.price.parse::<Decimal>() {
                    Ok(v) if v > Decimal::ZERO && v.scale() <= minor => price = Some(v),
                    _ => reasons.push(rejection::price(&s.price)),
                }
                picks = s.reserve_picks.clone();
                if let Some(l) = &procedure.lottery {
                    let mut sorted = picks.clone();
                    sorted.sort_unstable();
                    sorted.dedup();
                    if sorted.len() != usize::from(l.picks)
                        || sorted.iter().any(|&i| i >= l.reserve_prices)
                    {
                        reasons.push(rejection::picks(l.picks, l.reserve_prices));
                    }
                }
            }
        }
        let elig: Value = serde_json::from_str(&b.eligibility).unwrap_or(Value::Null);
        if elig["eligible"] != Value::Bool(true) {
            reasons.push(rejection::ELIGIBILITY.into());
        }
        let is_debarred = debarred.contains(&b.supplier);
        if is_debarred {
            reasons.push(rejection::DEBARRED.into());
        }
        let status = if reasons.is_empty() {
            "valid"
        } else {
            "rejected"
        };
        let opened_json = content
            .as_ref()
            .map(|s| serde_json::to_string(s).unwrap_or_default());
        results.push(store::Opened {
            id: b.id.clone(),
            status: status.into(),
            opened: opened_json.clone(),
            price: price.map(|v| v.to_string()),
            rejection: (!reasons.is_empty()).then(|| json!(reasons).to_string()),
        });
        opened.push(OpenedBid {
            bid_id: b.id.clone(),
            lot: b.lot_id.clone(),
            supplier: b.supplier.clone(),
            digest: b.digest.clone(),
            received_at: b.received_at.and_utc(),
            price: price.map(|v| v.to_string()),
            reserve_picks: picks,
            status: status.into(),
            reasons,
        });
    }
    store::set_opened_many(c, &results)?;
    let mut lot_results = Vec::new();
    let mut any_active = false;
    for lot in &lots {
        let valid: Vec<&OpenedBid> = opened
            .iter()
            .filter(|b| b.lot == lot.id && b.status == "valid")
            .collect();
        let draw = procedure.lottery.as_ref().and_then(|l| {
            lottery::to_minor(lot.base_amount, minor).map(|base| {
                let picks: Vec<Vec<u8>> = valid.iter().map(|b| b.reserve_picks.clone()).collect();
                lottery::draw(&seed, &lot.id, base, minor, l, &picks)
            })
        });
        let enough = u32::try_from(valid.len()).unwrap_or(u32::MAX) >= procedure.min_bids;
        any_active |= enough;
        lot_results.push(LotResult {
            lot: lot.id.clone(),
            valid_bids: valid.len(),
            status: if enough { "active" } else { "unsuccessful" },
            reason: (!enough).then(|| {
                format!(
                    "{} valid bid(s); the procedure needs {}",
                    valid.len(),
                    procedure.min_bids
                )
            }),
            draw,
        });
    }
    let valid_count = opened.iter().filter(|b| b.status == "valid").count();
    let transcript = OpeningTranscript {
        opened_at: now.and_utc(),
        opened_by: by.to_owned(),
        shares_from: handed.iter().map(|s| s.member.clone()).collect(),
        seed: hex::encode(&seed),
        seed_commitment: row.seed_commitment.clone(),
        lottery: procedure.lottery.clone(),
        lots: lot_results,
        bids: opened,
    };
    let mut row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    row.opening = Some(serde_json::to_string(&transcript).map_err(Error::internal)?);
    let to = if any_active {
        Status::Evaluation
    } else {
        Status::Unsuccessful
    };
    row.status = to.as_str().into();
    save(p, c, &mut row)?;
    event(
        p,
        c,
        id,
        by,
        "open",
        "opening",
        to.as_str(),
        None,
        json!({
            "bids": transcript.bids.len(),
            "valid": valid_count,
            "shares_from": transcript.shares_from,
        }),
    )?;
    release(p, c, id, &["tenderUpdate"])?;
    Ok(transcript)
}

/// Opens one stored bid: checks it against its digest and (sealed by the bidder) the
/// bidder's signature, then decrypts it. The error is the reason published for rejecting it.
fn open_one(secret: &crypto_box::SecretKey, b: &store::BidRow) -> Result<Sealed, String> {
    let bytes = seal::unb64(&b.sealed)
        .filter(|bytes| egov_core::digest::sha256_hex(bytes) == b.digest)
        .ok_or(rejection::DIGEST)?;
    if b.sealing != "bidder" {
        return seal::open(secret, &bytes)
            .ok()
            .and_then(|plain| serde_json::from_slice(&plain).ok())
            .ok_or_else(|| rejection::NOT_OPEN.to_owned());
    }
    envelope::verify(
        b.signer_key.as_deref().unwrap_or_default(),
        b.signature.as_deref().unwrap_or_default(),
        &b.tender_id,
        &b.lot_id,
        &b.supplier,
        &bytes,
    )
    .map_err(|e| format!("{}: {e}", rejection::SIGNATURE))?;
    let plain = envelope::open(
        &secret.to_bytes(),
        &bytes,
        &b.tender_id,
        &b.lot_id,
        &b.supplier,
    )
    .map_err(|e| e.to_string())?;
    let c: envelope::Contents = serde_json::from_slice(&plain).map_err(|_| rejection::NOT_A_BID)?;
    let mut documents = Vec::with_capacity(c.documents.len());
    for d in &c.documents {
        let bytes = seal::unb64(&d.content);
        if c.documents.len() > 10
            || !egov_core::text::free_text(&d.title, 1, 200)
            || !egov_core::text::free_text(&d.media_type, 3, 100)
            || bytes.is_none()
        {
            return Err(rejection::DOCUMENTS.into());
        }
        documents.push(json!({"title": d.title, "media_type": d.media_type,
            "sha256": egov_core::digest::sha256_hex(&bytes.unwrap_or_default()), "content": d.content}));
    }
    Ok(Sealed {
        tender: c.tender,
        lot: c.lot,
        supplier: c.supplier,
        price: c.price,
        reserve_picks: c.reserve_picks,
        documents,
        nonce: c.nonce,
    })
}
