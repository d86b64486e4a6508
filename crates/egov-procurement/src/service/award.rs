//! Evaluation (scores, ranking) and the award with its standstill, and contracts.

use super::*;

/// An evaluator's score of a bid, as signed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreRecord {
    pub tender_id: String,
    pub bid_id: String,
    pub evaluator: String,
    /// A decimal string.
    pub score: String,
    pub comment: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// A score record and the module key's signature over it (canonical JSON).
#[derive(Debug, Serialize, ToSchema)]
pub struct SignedScore {
    pub record: ScoreRecord,
    pub signature: String,
}

/// Records an evaluator's signed score for a valid bid.
pub fn score(
    p: &Procurement,
    c: &mut DbConnection,
    tender: &TenderRow,
    bid: &str,
    evaluator: &str,
    value: Decimal,
    comment: &str,
) -> Result<SignedScore, Error> {
    let b = store::bid(c, bid)?
        .filter(|b| b.tender_id == tender.id && b.status == "valid")
        .ok_or_else(|| Error::new(errors::BID_NOT_FOUND))?;
    let at = p.now();
    let record = ScoreRecord {
        tender_id: tender.id.clone(),
        bid_id: b.id.clone(),
        evaluator: evaluator.to_owned(),
        score: value.to_string(),
        comment: comment.to_owned(),
        at: at.and_utc(),
    };
    let signature = p.sign(c, &serde_json::to_value(&record).map_err(Error::internal)?)?;
    let ok = store::insert_score(
        c,
        &store::ScoreRow {
            id: uuid::Uuid::now_v7().to_string(),
            tender_id: tender.id.clone(),
            bid_id: b.id.clone(),
            evaluator: evaluator.to_owned(),
            score: value.to_string(),
            comment: comment.to_owned(),
            at,
            signature: signature.clone(),
        },
    )?;
    if !ok {
        return Err(Error::new(errors::ALREADY_SCORED));
    }
    event(
        p,
        c,
        &tender.id,
        evaluator,
        "score",
        &tender.status,
        &tender.status,
        None,
        json!({"bid_id": b.id}),
    )?;
    Ok(SignedScore { record, signature })
}

/// Computes the ranking of every lot (evaluation → award pending).
pub fn rank(
    p: &Procurement,
    c: &mut DbConnection,
    id: &str,
    by: &str,
) -> Result<Vec<Ranking>, Error> {
    let rules = p.rules()?;
    let mut row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    if !status_of(&row).permits(Action::Rank) {
        return Err(illegal(&row, "rank"));
    }
    let procedure: &Procedure = rules
        .procedure(&row.procedure_id)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    let valid = store::bids_with_status(c, id, &["valid"])?;
    let scores = store::scores(c, id)?;
    let evaluators = list_of(&row.evaluators);
    let mut missing = Vec::new();
    let mut means: HashMap<String, Decimal> = HashMap::new();
    if procedure.evaluation.needs_scores() {
        let mut by_bid: HashMap<&str, Vec<&store::ScoreRow>> = HashMap::new();
        for s in &scores {
            by_bid.entry(s.bid_id.as_str()).or_default().push(s);
        }
        for b in &valid {
            let given = by_bid
                .get(b.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let mine: Vec<Decimal> = given.iter().filter_map(|s| s.score.parse().ok()).collect();
            for e in &evaluators {
                if !given.iter().any(|s| &s.evaluator == e) {
                    missing.push(format!("{e} has not scored bid {}", b.id));
                }
            }
            if !mine.is_empty() {
                let n = Decimal::from(mine.len() as u64);
                means.insert(
                    b.id.clone(),
                    (mine.iter().copied().sum::<Decimal>() / n)
                        .round_dp(4)
                        .normalize(),
                );
            }
        }
    }
    if !missing.is_empty() {
        missing.truncate(20);
        return Err(Error::with_detail(
            errors::SCORES_MISSING,
            missing.join("; "),
        ));
    }
    let transcript: Value = row
        .opening
        .as_deref()
        .and_then(|o| serde_json::from_str(o).ok())
        .unwrap_or(Value::Null);
    let mut rankings = Vec::new();
    for lot in lots_of(&row) {
        let lr = transcript["lots"]
            .as_array()
            .and_then(|a| a.iter().find(|l| l["lot"] == lot.id.as_str()))
            .cloned()
            .unwrap_or(Value::Null);
        if lr["status"] == "unsuccessful" {
            continue;
        }
        let estimated = lr["draw"]["estimated_price"]
            .as_str()
            .and_then(|s| s.parse().ok());
        let candidates: Vec<Candidate> = valid
            .iter()
            .filter(|b| b.lot_id == lot.id)
            .filter_map(|b| {
                Some(Candidate {
                    bid_id: b.id.clone(),
                    supplier: b.supplier.clone(),
                    price: b.price.as_deref()?.parse().ok()?,
                    received_at: b.received_at,
                    score: means.get(&b.id).copied(),
                })
            })
            .collect();
        rankings.push(evaluation::rank(
            &lot.id,
            procedure,
            estimated,
            lot.a_amount.unwrap_or_default(),
            &candidates,
        ));
    }
    let any = rankings.iter().any(|r| r.winner.is_some());
    row.ranking = Some(json!(rankings).to_string());
    let to = if any {
        Status::AwardPending
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
        "rank",
        "evaluation",
        to.as_str(),
        None,
        json!({
            "winners": rankings.iter().map(|r| json!({"lot": r.lot, "bid": r.winner})).collect::<Vec<_>>(),
        }),
    )?;
    release(p, c, id, &["tenderUpdate"])?;
    Ok(rankings)
}

/// The award decision: the ranking's winners get pending awards; the standstill starts.
pub fn award(
    p: &Procurement,
    c: &mut DbConnection,
    id: &str,
    by: &str,
) -> Result<TenderRow, Error> {
    let rules = p.rules()?;
    let mut row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    if !status_of(&row).permits(Action::DecideAward) {
        return Err(illegal(&row, "award"));
    }
    let procedure = rules
        .procedure(&row.procedure_id)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    let rankings: Vec<Value> = row
        .ranking
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    let now = p.now();
    for r in &rankings {
        let Some(winner) = r["winner"].as_str() else {
            continue;
        };
        let b = store::bid(c, winner)?.ok_or_else(|| Error::new(errors::BID_NOT_FOUND))?;
        store::insert_award(
            c,
            &AwardRow {
                id: uuid::Uuid::now_v7().to_string(),
                tender_id: id.to_owned(),
                lot_id: b.lot_id.clone(),
                bid_id: b.id.clone(),
                supplier: b.supplier.clone(),
                amount: b.price.clone().unwrap_or_default(),
                status: "pending".into(),
                decided_at: now,
                decided_by: by.to_owned(),
            },
        )?;
    }
    row.status = Status::Standstill.as_str().into();
    row.standstill_end = Some(now + p.days(procedure.standstill_days));
    save(p, c, &mut row)?;
    event(
        p,
        c,
        id,
        by,
        "award",
        "award_pending",
        "standstill",
        None,
        json!({
            "standstill_end": row.standstill_end.map(|e| e.and_utc()),
        }),
    )?;
    release(p, c, id, &["award"])?;
    Ok(row)
}

pub(super) fn create_contract(
    p: &Procurement,
    c: &mut DbConnection,
    tender: &TenderRow,
    a: &AwardRow,
) -> Result<(), Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let lot = lots_of(tender).into_iter().find(|l| l.id == a.lot_id);
    let terms = json!({
        "title": format!("{} — {}", tender.title, lot.map(|l| l.title).unwrap_or_default()),
        "lot": a.lot_id,
        "supplier": a.supplier,
        "buyer": tender.agency,
        "amount": a.amount,
        "currency": p.pack().currency.code(),
        "award_id": a.id,
    });
    store::insert_contract(
        c,
        &ContractRow {
            id: id.clone(),
            tender_id: tender.id.clone(),
            award_id: a.id.clone(),
            supplier: a.supplier.clone(),
            status: "pending".into(),
            version: 1,
            created_at: p.now(),
        },
    )?;
    store::insert_contract_version(
        c,
        &ContractVersionRow {
            contract_id: id,
            version: 1,
            digest: egov_core::digest::sha256_hex(
                egov_exchange::signature::canonical_json(&terms).as_bytes(),
            ),
            terms: terms.to_string(),
            reason: "award".into(),
            created_at: p.now(),
            created_by: "scheduler".into(),
            buyer_by: None,
            buyer_at: None,
            buyer_signature: None,
            supplier_by: None,
            supplier_at: None,
            supplier_signature: None,
        },
    )
}

/// Which side signs a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Buyer,
    Supplier,
}

/// Signs the contract's latest version for one party (a server-attested signature naming the
/// account); when both have signed, the version is in force.
pub fn sign_contract(
    p: &Procurement,
    c: &mut DbConnection,
    contract: &ContractRow,
    party: Party,
    account: &str,
) -> Result<ContractSigned, Error> {
    let versions = store::contract_versions(c, &contract.id)?;
    let mut v = versions
        .last()
        .cloned()
        .ok_or_else(|| Error::new(errors::CONTRACT_NOT_FOUND))?;
    let signed = match party {
        Party::Buyer => v.buyer_signature.is_some(),
        Party::Supplier => v.supplier_signature.is_some(),
    };
    if signed {
        return Err(Error::new(errors::ALREADY_SIGNED));
    }
    let at = p.now();
    let statement = json!({
        "contract_id": contract.id, "version": v.version, "digest": v.digest,
        "party": if party == Party::Buyer { "buyer" } else { "supplier" },
        "account": account, "at": at.and_utc(),
    });
    let sig = json!({"statement": statement, "signature": p.sign(c, &statement)?}).to_string();
    match party {
        Party::Buyer => {
            v.buyer_by = Some(account.to_owned());
            v.buyer_at = Some(at);
            v.buyer_signature = Some(sig);
        }
        Party::Supplier => {
            v.supplier_by = Some(account.to_owned());
            v.supplier_at = Some(at);
            v.supplier_signature = Some(sig);
        }
    }
    store::save_contract_version(c, &v)?;
    let both = v.buyer_signature.is_some() && v.supplier_signature.is_some();
    if both {
        store::set_contract(c, &contract.id, "active", v.version)?;
        let tender = contract.tender_id.clone();
        let all = store::contracts(c, &tender)?;
        let all_active = all
            .iter()
            .all(|k| k.id == contract.id || k.status == "active");
        let tag = if v.version == 1 {
            "contractUpdate"
        } else {
            "contractAmendment"
        };
        if all_active && store::claim(c, &tender, "awarded", "contracted", at)? {
            event(
                p,
                c,
                &tender,
                account,
                "contract",
                "awarded",
                "contracted",
                None,
                json!({"contract_id": contract.id}),
            )?;
        } else {
            event(
                p,
                c,
                &tender,
                account,
                "contract_signed",
                "",
                "",
                None,
                json!({"contract_id": contract.id, "version": v.version}),
            )?;
        }
        release(p, c, &tender, &[tag])?;
    }
    Ok(ContractSigned {
        version: v.version,
        in_force: both,
    })
}

/// Proposes an amended version of an active contract (both parties sign it again).
pub fn amend_contract(
    p: &Procurement,
    c: &mut DbConnection,
    contract: &ContractRow,
    by: &str,
    changes: &Value,
    reason: &str,
) -> Result<i32, Error> {
    let versions = store::contract_versions(c, &contract.id)?;
    let last = versions
        .last()
        .ok_or_else(|| Error::new(errors::CONTRACT_NOT_FOUND))?;
    if last.buyer_signature.is_none() || last.supplier_signature.is_none() {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            "the latest version is not signed by both parties yet",
        ));
    }
    let mut terms: Value = serde_json::from_str(&last.terms).unwrap_or(json!({}));
    if let (Some(t), Some(ch)) = (terms.as_object_mut(), changes.as_object()) {
        for (k, v) in ch {
            t.insert(k.clone(), v.clone());
        }
    }
    let version = last.version + 1;
    store::insert_contract_version(
        c,
        &ContractVersionRow {
            contract_id: contract.id.clone(),
            version,
            digest: egov_core::digest::sha256_hex(
                egov_exchange::signature::canonical_json(&terms).as_bytes(),
            ),
            terms: terms.to_string(),
            reason: reason.to_owned(),
            created_at: p.now(),
            created_by: by.to_owned(),
            buyer_by: None,
            buyer_at: None,
            buyer_signature: None,
            supplier_by: None,
            supplier_at: None,
            supplier_signature: None,
        },
    )?;
    event(
        p,
        c,
        &contract.tender_id,
        by,
        "contract_amendment",
        "",
        "",
        Some(reason),
        json!({"contract_id": contract.id, "version": version}),
    )?;
    Ok(version)
}
