//! Accepting and withdrawing sealed bids.

use super::*;

/// What a bid sealed by the server held (bids received before bidders sealed their own;
/// opened with [`seal::open`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sealed {
    pub tender: String,
    pub lot: String,
    pub supplier: String,
    pub price: String,
    #[serde(default)]
    pub reserve_picks: Vec<u8>,
    #[serde(default)]
    pub documents: Vec<Value>,
    pub nonce: String,
}

/// The bidder's signature on a sealed bid, checked by the caller: the registered key that
/// made it, and the signature (base64).
#[derive(Debug, Clone)]
pub struct BidderSignature {
    pub key: store::BidderKeyRow,
    pub signature: String,
}

/// Accepts a sealed bid (inside the caller's transaction): the tender's row is held shared,
/// the receipt time is taken after that, and must be before the deadline.
#[allow(clippy::too_many_arguments)]
pub fn accept_bid(
    p: &Procurement,
    c: &mut DbConnection,
    tender: &TenderRow,
    lot: &str,
    supplier: &str,
    account: &str,
    sealed: &[u8],
    signed: &BidderSignature,
    eligibility: &Value,
) -> Result<(BidRow, Value, String), Error> {
    let key = &signed.key;
    let gate = store::gate(c, &tender.id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    let received_at = p.now();
    if gate.status != "tendering" {
        return Err(Error::with_detail(
            errors::NOT_ACCEPTING_BIDS,
            format!("the tender is {}", gate.status),
        ));
    }
    if received_at >= gate.deadline {
        return Err(Error::with_detail(
            errors::NOT_ACCEPTING_BIDS,
            format!("the deadline {} has passed", gate.deadline.and_utc()),
        ));
    }
    let replaces = store::replace_active(c, &tender.id, supplier, lot)?;
    let id = uuid::Uuid::now_v7().to_string();
    let digest = egov_core::digest::sha256_hex(sealed);
    let receipt = json!({
        "bid_id": id,
        "tender_id": tender.id,
        "ocid": tender.ocid,
        "lot": lot,
        "supplier": supplier,
        "received_at": received_at.and_utc(),
        "digest": digest,
        "signed_with": key.id.clone(),
        "replaces": replaces,
    });
    let signature = p.sign(c, &receipt)?;
    let row = BidRow {
        id,
        tender_id: tender.id.clone(),
        lot_id: lot.to_owned(),
        supplier: supplier.to_owned(),
        account: account.to_owned(),
        status: "active".into(),
        sealed: seal::b64(sealed),
        digest,
        received_at,
        receipt: json!({"receipt": receipt, "signature": signature}).to_string(),
        eligibility: eligibility.to_string(),
        withdrawn_at: None,
        opened: None,
        price: None,
        rejection: None,
        sealing: "bidder".into(),
        key_id: Some(key.id.clone()),
        signer_key: Some(key.public_key.clone()),
        signature: Some(signed.signature.clone()),
    };
    store::insert_bid(c, &row)?;
    Ok((row, receipt, signature))
}

/// Withdraws the supplier's active bid before the deadline.
pub fn withdraw_bid(
    p: &Procurement,
    c: &mut DbConnection,
    tender: &str,
    bid: &str,
    supplier: &str,
) -> Result<(), Error> {
    let gate = store::gate(c, tender)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    let now = p.now();
    let row = store::bid(c, bid)?
        .filter(|b| b.tender_id == tender && b.supplier == supplier)
        .ok_or_else(|| Error::new(errors::BID_NOT_FOUND))?;
    if gate.status != "tendering" || now >= gate.deadline {
        return Err(Error::with_detail(
            errors::NOT_ACCEPTING_BIDS,
            "bids can be withdrawn only before the deadline",
        ));
    }
    if !store::withdraw_bid(c, &row.id, now)? {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            format!("the bid is {}", row.status),
        ));
    }
    Ok(())
}
