//! The opening committee's key shares and the evaluators' scores.

use super::{Committee, Evaluator, fail, field, public_tender, uuid_ok};
use crate::domain::lifecycle::Action;
use crate::domain::seal;
use crate::service::{self, list_of, status_of};
use crate::store::TenderRow;
use crate::{Procurement, errors};
use actix_web::{HttpResponse, get, post, put, web};
use egov_auth::{Authorized, Principal};
use egov_core::Error;
use egov_core::text::free_text as text_ok;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitteeKeyInput {
    /// The member's X25519 public key, base64 (32 bytes). The private key stays with the
    /// member: it opens the member's shares.
    pub public_key: String,
}

egov_core::problems!(RegisterCommitteeKeyErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Registers the committee member's opening key (used for tenders published afterwards).
#[utoipa::path(
    tag = "procurement",
    request_body = CommitteeKeyInput,
    responses(
        (status = 204, description = "Registered"),
        RegisterCommitteeKeyErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.committee", "aal:2"])),
)]
#[put("/committee/key")]
pub async fn register_committee_key(
    auth: Authorized<Committee>,
    p: web::Data<Procurement>,
    input: web::Json<CommitteeKeyInput>,
) -> Result<HttpResponse, Error> {
    seal::public_key(&input.public_key)
        .map_err(|e| Error::invalid_field("/public_key", e.to_string()))?;
    let account = auth.subject.clone();
    let key = input.into_inner().public_key;
    service::save_committee_key(&p, account, key).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub(crate) async fn committee_tender(
    p: &Procurement,
    who: &Principal,
    id: &str,
) -> Result<TenderRow, Error> {
    let row = public_tender(p, id).await?;
    if list_of(&row.committee).contains(&who.subject) {
        Ok(row)
    } else {
        Err(Error::new(errors::NOT_COMMITTEE))
    }
}

egov_core::problems!(MyShareErrors:
    crate::errors::NOT_COMMITTEE,
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::ILLEGAL_TRANSITION,
);

/// The member's share of the tender's opening key, sealed to the member's key: only after the
/// deadline, when it is to be handed in.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "The sealed share", body = SealedShare),
        MyShareErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.committee", "aal:2"])),
)]
#[get("/tenders/{id}/share")]
pub async fn my_share(
    auth: Authorized<Committee>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let row = committee_tender(&p, &auth, &id).await?;
    // Before the deadline a share is of no use to its holder and a risk (k members could
    // open the bids early): it is given out only when it is to be handed in.
    if !status_of(&row).permits(Action::HandInShare) {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            format!(
                "a share is given out after the deadline, to be handed in; the tender is {}",
                row.status
            ),
        ));
    }
    let me = auth.subject.clone();
    let s = service::shares(&p, row.id)
        .await?
        .into_iter()
        .find(|s| s.member == me)
        .ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    Ok(HttpResponse::Ok().json(SealedShare {
        member: s.member,
        sealed_share: s.sealed_share,
        share_digest: s.share_digest,
        handed_in_at: s.submitted_at.map(|t| t.and_utc()),
    }))
}

/// A committee member's share of the tender's opening key, sealed to the member's own key.
#[derive(Debug, Serialize, ToSchema)]
pub struct SealedShare {
    pub member: String,
    /// Open it with the member's secret key (never sent to egov).
    pub sealed_share: String,
    /// SHA-256 of the opened share: what `POST …/shares` checks.
    pub share_digest: String,
    pub handed_in_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// How many shares are in.
#[derive(Debug, Serialize, ToSchema)]
pub struct SharesIn {
    pub handed_in: usize,
    /// The procedure's threshold (k).
    pub needed: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    /// The member's opened share, base64.
    pub share: String,
}

egov_core::problems!(HandInShareErrors:
    crate::errors::NOT_COMMITTEE,
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::SHARE_ALREADY_GIVEN,
    crate::errors::SHARE_REJECTED,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Hands in the member's share after the deadline.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = ShareInput,
    responses(
        (status = 200, description = "Accepted; how many are in", body = SharesIn),
        HandInShareErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.committee", "aal:2"])),
)]
#[post("/tenders/{id}/shares")]
pub async fn hand_in_share(
    auth: Authorized<Committee>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<ShareInput>,
) -> Result<HttpResponse, Error> {
    let out = hand_in(&p, &auth, &id, input.into_inner().share).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A committee member hands in the opened share (the API's and the committee page's way).
pub(crate) async fn hand_in(
    p: &Procurement,
    who: &Principal,
    id: &str,
    share: String,
) -> Result<SharesIn, Error> {
    let raw = seal::unb64(share.trim())
        .filter(|b| b.len() == 33)
        .ok_or_else(|| {
            Error::invalid_field(
                "/share",
                egov_core::text!("detail-proc-share", "a key share, base64"),
            )
        })?;
    let row = committee_tender(p, who, id).await?;
    if !status_of(&row).permits(Action::HandInShare) {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            format!(
                "shares are handed in after the deadline; the tender is {}",
                row.status
            ),
        ));
    }
    let (given, k) =
        service::hand_in_share(p, row, who.subject.clone(), share.trim().to_owned(), raw).await?;
    Ok(SharesIn {
        handed_in: given,
        needed: k,
    })
}

egov_core::problems!(OpenErrors:
    crate::errors::NOT_COMMITTEE,
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::CONCURRENT_CHANGE,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::NOT_ENOUGH_SHARES,
    crate::errors::PROCEDURE_NOT_FOUND,
    crate::errors::SHARE_REJECTED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Opens the bids with the handed-in shares (k of n, at or after the opening time): every
/// bid is decrypted and checked against its commitment, invalid bids are rejected with
/// reasons, the lottery seed is revealed and the estimated price drawn. Exactly once.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "The opening transcript", body = crate::service::OpeningTranscript),
        OpenErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.committee", "aal:2"])),
)]
#[post("/tenders/{id}/open")]
pub async fn open(
    auth: Authorized<Committee>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let transcript = open_bids(&p, &auth, &id).await?;
    Ok(HttpResponse::Ok().json(transcript))
}

/// A committee member opens the bids (the API's and the committee page's way).
pub(crate) async fn open_bids(
    p: &Procurement,
    who: &Principal,
    id: &str,
) -> Result<crate::service::OpeningTranscript, Error> {
    let row = committee_tender(p, who, id).await?;
    let q = p.clone();
    let by = who.subject.clone();
    p.db()
        .transaction(move |c| service::open(&q, c, &row.id, &by))
        .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    pub bid_id: String,
    /// Technical score 0–100 (weighted procedures) or capability points (qualification review,
    /// up to the procedure's maximum).
    #[schema(value_type = String)]
    pub score: Decimal,
    /// Up to 2000 characters.
    #[serde(default)]
    pub comment: String,
}

egov_core::problems!(ScoreErrors:
    crate::errors::NOT_EVALUATOR,
    crate::errors::BID_NOT_FOUND,
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::ALREADY_SCORED,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::PROCEDURE_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Records the evaluator's score of a valid bid, signed by the module with the evaluator's
/// account and time; final once given.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = ScoreInput,
    responses(
        (status = 201, description = "The signed score record", body = crate::service::SignedScore),
        ScoreErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.evaluator", "aal:2"])),
)]
#[post("/tenders/{id}/scores")]
pub async fn score(
    auth: Authorized<Evaluator>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<ScoreInput>,
) -> Result<HttpResponse, Error> {
    let out = score_bid(&p, &auth, &id, input.into_inner()).await?;
    Ok(HttpResponse::Created().json(out))
}

/// The highest score a procedure gives: its capability points (qualification review) or 100.
pub(crate) fn max_score(pr: &crate::domain::rules::Procedure) -> Decimal {
    pr.qualification
        .as_ref()
        .map_or(Decimal::from(100), |q| q.capability_points)
}

/// An evaluator of the tender scores one of its valid bids (the API's and the evaluation
/// page's way).
pub(crate) async fn score_bid(
    p: &Procurement,
    who: &Principal,
    id: &str,
    input: ScoreInput,
) -> Result<crate::service::SignedScore, Error> {
    let rules = p.rules()?;
    let row = public_tender(p, id).await?;
    if !list_of(&row.evaluators).contains(&who.subject) {
        return Err(Error::new(errors::NOT_EVALUATOR));
    }
    let pr = rules
        .procedure(&row.procedure_id)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    let max = max_score(pr);
    let mut errs = Vec::new();
    if input.score.is_sign_negative() || input.score > max || input.score.scale() > 4 {
        errs.push(field("/score", &format!("0 to {max}, at most 4 decimals")));
    }
    if !text_ok(&input.comment, 0, 2000) {
        errs.push(field("/comment", "up to 2000 characters"));
    }
    fail(errs)?;
    uuid_ok(&input.bid_id, errors::BID_NOT_FOUND)?;
    if !status_of(&row).permits(Action::Score) {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            format!("the tender is {}", row.status),
        ));
    }
    let q = p.clone();
    let me = who.subject.clone();
    p.db()
        .transaction(move |c| {
            service::score(&q, c, &row, &input.bid_id, &me, input.score, &input.comment)
        })
        .await
}
