//! Buying officers: create, edit and publish tenders.

use super::{Officer, agency_tender, fail, money_ok, view};
use crate::domain::lifecycle::{Action, Status};
use crate::domain::rules::Rules;
use crate::service::{self, Lot, status_of};
use crate::store::TenderRow;
use crate::{Procurement, errors};
use actix_web::{HttpResponse, post, put, web};
use chrono::{DateTime, Utc};
use egov_auth::Authorized;
use egov_core::error::FieldError;
use egov_core::text::free_text as text_ok;
use egov_core::{Error, text};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenderInput {
    /// A procedure of the country pack (`GET /procurement/v1/rules`).
    pub procedure: String,
    /// goods, works or services (the procedure must allow it).
    pub category: String,
    /// 3 to 300 characters.
    pub title: String,
    /// Up to 20000 characters.
    pub description: String,
    /// 1 to 50 lots.
    pub lots: Vec<Lot>,
    /// The opening committee's account ids: exactly the procedure's n officials of the buying
    /// agency with the role `procurement.committee`, each with a registered opening key by
    /// publication. The buyer pages choose them by name from the directory.
    pub committee: Vec<String>,
    /// The evaluators' account ids: officials of the buying agency with the role
    /// `procurement.evaluator` (1 to 15; required when the procedure scores bids).
    #[serde(default)]
    pub evaluators: Vec<String>,
    #[serde(deserialize_with = "egov_core::dates::instant")]
    pub enquiry_end: DateTime<Utc>,
    #[serde(deserialize_with = "egov_core::dates::instant")]
    pub deadline: DateTime<Utc>,
    #[serde(deserialize_with = "egov_core::dates::instant")]
    pub opening_at: DateTime<Utc>,
}

/// Checks a tender's contents. Where common auth runs in this process (`directory`), every
/// committee member and evaluator must be an official of the buying agency who holds the
/// role (not disabled): made-up account ids are refused.
pub(crate) async fn check_tender(
    p: &Procurement,
    r: &Rules,
    directory: Option<&egov_auth::Service>,
    agency: &str,
    t: &TenderInput,
) -> Result<(), Error> {
    let mut errs = Vec::new();
    let procedure = r.procedure(&t.procedure);
    match procedure {
        None => errs.push(FieldError::new(
            "/procedure",
            text!(
                "detail-proc-procedure-unknown",
                "not a procedure of the country pack"
            ),
        )),
        Some(pr) if !pr.categories.contains(&t.category) => errs.push(FieldError::new(
            "/category",
            text!(
                "detail-proc-category-not-covered",
                "the procedure does not cover this category"
            ),
        )),
        _ => {}
    }
    if !text_ok(&t.title, 3, 300) || t.title.contains('\n') {
        errs.push(FieldError::new(
            "/title",
            text!("detail-proc-title", "3 to 300 characters on one line"),
        ));
    }
    if !text_ok(&t.description, 0, 20_000) {
        errs.push(FieldError::new(
            "/description",
            text!("detail-proc-description", "up to 20000 characters"),
        ));
    }
    if t.lots.is_empty() || t.lots.len() > 50 {
        errs.push(FieldError::new(
            "/lots",
            text!("detail-proc-lots", "1 to 50 lots"),
        ));
    }
    let mut ids = std::collections::BTreeSet::new();
    for (i, l) in t.lots.iter().enumerate() {
        if l.id.is_empty()
            || l.id.len() > 16
            || !l.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            || !ids.insert(l.id.clone())
        {
            errs.push(FieldError::new(
                format!("/lots/{i}/id"),
                text!("detail-proc-lot-id", "1-16 of A-Za-z0-9-, unique"),
            ));
        }
        if !text_ok(&l.title, 1, 300) {
            errs.push(FieldError::new(
                format!("/lots/{i}/title"),
                text!("detail-proc-lot-title", "1 to 300 characters"),
            ));
        }
        if !money_ok(p, l.base_amount) {
            errs.push(FieldError::new(
                format!("/lots/{i}/base_amount"),
                text!(
                    "detail-proc-lot-amount",
                    "a positive amount in the currency's units"
                ),
            ));
        }
        if let Some(a) = l.a_amount
            && (a.is_sign_negative() || a >= l.base_amount)
        {
            errs.push(FieldError::new(
                format!("/lots/{i}/a_amount"),
                text!(
                    "detail-proc-lot-a-amount",
                    "at least 0 and below the base amount"
                ),
            ));
        }
    }
    let account_ok = |a: &String| text_ok(a, 1, 64) && !a.contains(char::is_whitespace);
    if let Some(pr) = procedure {
        let distinct: std::collections::BTreeSet<_> = t.committee.iter().collect();
        if t.committee.len() != usize::from(pr.committee.n)
            || distinct.len() != t.committee.len()
            || !t.committee.iter().all(account_ok)
        {
            errs.push(FieldError::new(
                "/committee",
                text!(
                    "detail-proc-committee-count",
                    "exactly {n} distinct accounts",
                    n = pr.committee.n
                ),
            ));
        }
        let distinct: std::collections::BTreeSet<_> = t.evaluators.iter().collect();
        if t.evaluators.len() > 15
            || distinct.len() != t.evaluators.len()
            || !t.evaluators.iter().all(account_ok)
            || (pr.evaluation.needs_scores() && t.evaluators.is_empty())
        {
            errs.push(FieldError::new(
                "/evaluators",
                text!(
                    "detail-proc-evaluators-count",
                    "1 to 15 distinct accounts (required when bids are scored)"
                ),
            ));
        }
    }
    if let Some(dir) = directory {
        for (pointer, people, role) in [
            ("/committee", &t.committee, crate::COMMITTEE_ROLE),
            ("/evaluators", &t.evaluators, crate::EVALUATOR_ROLE),
        ] {
            for (i, a) in people.iter().enumerate() {
                if account_ok(a) && !dir.is_official_with_role(a, agency, role).await? {
                    errs.push(FieldError::new(
                        format!("{pointer}/{i}"),
                        text!(
                            "detail-proc-not-official",
                            "not an official of your agency with the role {role}",
                            role = role
                        ),
                    ));
                }
            }
        }
    }
    let now = p.now().and_utc();
    if t.enquiry_end <= now || t.enquiry_end > t.deadline {
        errs.push(FieldError::new(
            "/enquiry_end",
            text!(
                "detail-proc-enquiry-end",
                "in the future and not after the deadline"
            ),
        ));
    }
    if t.opening_at < t.deadline {
        errs.push(FieldError::new(
            "/opening_at",
            text!("detail-proc-opening", "not before the deadline"),
        ));
    }
    if let Some(pr) = procedure
        && t.deadline - now < p.days(pr.min_tendering_days)
    {
        errs.push(FieldError::new(
            "/deadline",
            text!(
                "detail-proc-min-days",
                "at least {days} days after publication ({citation})",
                days = pr.min_tendering_days,
                citation = &pr.citation
            ),
        ));
    }
    fail(errs)
}

egov_core::problems!(CreateTenderErrors:
    egov_core::error::codes::FORBIDDEN,
    crate::errors::PROCEDURE_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Creates a draft tender for the officer's agency.
#[utoipa::path(
    tag = "procurement",
    request_body = TenderInput,
    responses(
        (status = 201, description = "The draft", body = crate::service::TenderView),
        CreateTenderErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders")]
pub async fn create_tender(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    directory: Option<web::Data<egov_auth::Service>>,
    input: web::Json<TenderInput>,
) -> Result<HttpResponse, Error> {
    let directory = directory.as_ref().map(|d| d.get_ref());
    let row = new_tender(&p, directory, &auth, input.into_inner()).await?;
    Ok(HttpResponse::Created().json(view(&p, row).await?))
}

/// Creates a draft tender for the officer's agency (the API's and the buyer page's way).
pub(crate) async fn new_tender(
    p: &Procurement,
    directory: Option<&egov_auth::Service>,
    who: &egov_auth::Principal,
    t: TenderInput,
) -> Result<TenderRow, Error> {
    let rules = p.rules()?;
    let agency = who.agency.clone().ok_or_else(|| {
        Error::with_detail(
            egov_core::error::codes::FORBIDDEN,
            "an officer without an agency cannot buy",
        )
    })?;
    check_tender(p, rules, directory, &agency, &t).await?;
    let pr = rules
        .procedure(&t.procedure)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = p.now();
    let row = TenderRow {
        ocid: format!("{}-{}", p.config().ocid_prefix, id),
        id,
        agency,
        procedure_id: t.procedure,
        category: t.category,
        title: t.title.trim().to_owned(),
        description: t.description,
        status: Status::Draft.as_str().into(),
        prev_status: None,
        lots: json!(t.lots).to_string(),
        committee: json!(t.committee).to_string(),
        evaluators: json!(t.evaluators).to_string(),
        k: i32::from(pr.committee.k),
        n: i32::from(pr.committee.n),
        public_key: None,
        seed_commitment: None,
        seed_sealed: None,
        enquiry_end: t.enquiry_end.naive_utc(),
        deadline: t.deadline.naive_utc(),
        opening_at: t.opening_at.naive_utc(),
        amendment: 0,
        bid_count: None,
        commitments: None,
        opening: None,
        ranking: None,
        standstill_end: None,
        suspended_at: None,
        cancel_reason: None,
        created_at: now,
        published_at: None,
        updated_at: now,
        version: 1,
    };
    service::create_tender(p, row.clone(), who.subject.clone()).await?;
    Ok(row)
}

egov_core::problems!(EditTenderErrors:
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::CONCURRENT_CHANGE,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::PROCEDURE_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Replaces a draft's contents (drafts only).
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = TenderInput,
    responses(
        (status = 200, description = "The draft", body = crate::service::TenderView),
        EditTenderErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[put("/tenders/{id}")]
pub async fn edit_tender(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    directory: Option<web::Data<egov_auth::Service>>,
    id: web::Path<String>,
    input: web::Json<TenderInput>,
) -> Result<HttpResponse, Error> {
    let rules = p.rules()?;
    let mut row = agency_tender(&p, &auth, &id).await?;
    if !status_of(&row).permits(Action::EditDraft) {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            "only drafts can be edited; published tenders are amended",
        ));
    }
    let directory = directory.as_ref().map(|d| d.get_ref());
    check_tender(&p, rules, directory, &row.agency, &input).await?;
    let t = input.into_inner();
    let pr = rules
        .procedure(&t.procedure)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    row.procedure_id = t.procedure;
    row.category = t.category;
    row.title = t.title.trim().to_owned();
    row.description = t.description;
    row.lots = json!(t.lots).to_string();
    row.committee = json!(t.committee).to_string();
    row.evaluators = json!(t.evaluators).to_string();
    row.k = i32::from(pr.committee.k);
    row.n = i32::from(pr.committee.n);
    row.enquiry_end = t.enquiry_end.naive_utc();
    row.deadline = t.deadline.naive_utc();
    row.opening_at = t.opening_at.naive_utc();
    row.updated_at = p.now();
    let row = service::save_draft(&p, row).await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

egov_core::problems!(PublishErrors:
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::DEADLINE_SLOT_FULL,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::COMMITTEE_KEY_MISSING,
    crate::errors::PROCEDURE_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Publishes a draft: the opening key is generated and split among the committee (each share
/// sealed to its member's key), the lottery seed's commitment is published, the notice goes
/// out as an OCDS `tender` release and an exchange event.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "The published tender", body = crate::service::TenderView),
        PublishErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/publish")]
pub async fn publish(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let row = publish_tender(&p, &auth, &id).await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

/// Publishes the agency's draft `id` (the API's and the buyer page's way).
pub(crate) async fn publish_tender(
    p: &Procurement,
    who: &egov_auth::Principal,
    id: &str,
) -> Result<TenderRow, Error> {
    let rules = p.rules()?;
    let row = agency_tender(p, who, id).await?;
    let pr = rules
        .procedure(&row.procedure_id)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    let now = p.now();
    if row.enquiry_end <= now || row.deadline - now < p.days(pr.min_tendering_days) {
        return Err(Error::invalid_field(
            "/deadline",
            text!(
                "detail-proc-publish-late",
                "the deadline must be at least {days} days away and the enquiry end in the future",
                days = pr.min_tendering_days
            ),
        ));
    }
    let q = p.clone();
    let by = who.subject.clone();
    p.db()
        .transaction(move |c| {
            service::deadline_slot(&q, c, &row)?;
            service::publish(&q, c, &row.id, &by)
        })
        .await
}
