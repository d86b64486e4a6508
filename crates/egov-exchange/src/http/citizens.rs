//! Citizens: consents and how their data was used.

use super::bad;
use crate::Exchange;
use crate::consent::ConsentView;
use crate::errors;
use crate::http::audit::limit_of;
use crate::http::grants::check_items;
use crate::http::grants::check_purpose;
use crate::store::{self, ConsentRow};
use crate::xroad::{ClientId, ServiceId};
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Duration, Utc};
use egov_auth::principal::policies::Citizen;
use egov_auth::{Authorized, Kind, Policy, Rule, SubjectKey};
use egov_core::Error;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The data subject a citizen or business account speaks for: the citizen's person key, or
/// the business's subject key.
pub(crate) fn person(p: &egov_auth::Principal) -> Result<String, Error> {
    if p.kind == Kind::Business {
        return p
            .business
            .as_deref()
            .map(egov_core::exchange::business_subject)
            .ok_or_else(|| Error::new(errors::NO_PERSON_KEY));
    }
    p.person
        .clone()
        .ok_or_else(|| Error::new(errors::NO_PERSON_KEY))
}

/// Citizens, and business accounts for the data about their business.
#[derive(Debug)]
pub struct DataSubject;
impl Policy for DataSubject {
    const RULE: Rule = Rule::kinds(&[Kind::Citizen, Kind::Business]);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// Who may have the data: a client subsystem or a whole member.
    pub client: String,
    /// `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`.
    pub service: String,
    pub purpose: String,
    pub items: Vec<String>,
    /// How long the consent lasts, 1 to 365 days.
    pub days: u32,
}

egov_core::problems!(GrantConsentErrors:
    crate::errors::NO_PERSON_KEY,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Gives consent: this client may have these items of my data from this service for this
/// purpose until it expires or I withdraw it. The answer's `id` is the consent reference.
#[utoipa::path(
    tag = "exchange",
    request_body = ConsentInput,
    responses(
        (status = 201, description = "Given", body = ConsentView),
        GrantConsentErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/me/consents")]
pub async fn grant_consent(
    auth: Authorized<DataSubject>,
    exchange: web::Data<Exchange>,
    input: web::Json<ConsentInput>,
) -> Result<HttpResponse, Error> {
    let subject = person(&auth)?;
    let saved = give_consent(&exchange, subject, input.into_inner()).await?;
    Ok(HttpResponse::Created().json(saved))
}

/// The data subject `subject` (a person key or `business:<number>`) gives consent: checked,
/// recorded in this deployment's ledger, and returned (its `id` is the consent reference).
/// The API above and the pages (a checkbox next to "fetch it for me") call this.
pub async fn give_consent(
    exchange: &Exchange,
    subject: String,
    input: ConsentInput,
) -> Result<ConsentView, Error> {
    let client = ClientId::parse(&input.client).map_err(|e| bad("/client", e.to_string()))?;
    let service = ServiceId::parse(&input.service).map_err(|e| bad("/service", e.to_string()))?;
    check_purpose(&input.purpose, "/purpose")?;
    let items = check_items(&input.items, "/items")?;
    if !(1..=365).contains(&input.days) {
        return Err(bad(
            "/days",
            egov_core::text!("detail-consent-days", "must be 1 to 365"),
        ));
    }
    let now = Utc::now();
    let row = ConsentRow {
        id: uuid::Uuid::now_v7().to_string(),
        subject,
        client: client.to_string(),
        service: service.to_string(),
        purpose: input.purpose,
        items: String::new(),
        granted_at: crate::log::record_time(now).naive_utc(),
        expires_at: crate::log::record_time(now + Duration::days(i64::from(input.days)))
            .naive_utc(),
        withdrawn_at: None,
    };
    let saved = exchange
        .db()
        .run(move |c| store::add_consent(c, row, &items))
        .await?;
    Ok(ConsentView::from(saved))
}

egov_core::problems!(MyConsentsErrors:
    crate::errors::NO_PERSON_KEY,
);

/// My consents, newest first, with withdrawn and expired ones (the history).
#[utoipa::path(
    tag = "exchange",
    responses(
        (status = 200, description = "Consents", body = Vec<ConsentView>),
        MyConsentsErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/me/consents")]
pub async fn my_consents(
    auth: Authorized<DataSubject>,
    exchange: web::Data<Exchange>,
) -> Result<web::Json<Vec<ConsentView>>, Error> {
    let subject = person(&auth)?;
    let rows = consents_of(&exchange, subject).await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// The consents a data subject gave, newest first (withdrawn and expired ones too). The API
/// above and the pages call this.
pub async fn consents_of(exchange: &Exchange, subject: String) -> Result<Vec<ConsentRow>, Error> {
    exchange
        .db()
        .run(move |c| store::consents_of(c, &subject))
        .await
}

/// The data subject withdraws one of their consents (anyone else's, or one already withdrawn,
/// is not found). The API above and the pages call this.
pub async fn withdraw(
    exchange: &Exchange,
    subject: String,
    id: String,
) -> Result<ConsentRow, Error> {
    exchange
        .db()
        .run(move |c| {
            if !store::withdraw_consent(c, &id, &subject, Utc::now())? {
                return Err(Error::new(errors::CONSENT_NOT_FOUND));
            }
            store::consent(c, &id)
        })
        .await?
        .ok_or_else(|| Error::new(errors::CONSENT_NOT_FOUND))
}

egov_core::problems!(WithdrawConsentErrors:
    crate::errors::NO_PERSON_KEY,
    crate::errors::CONSENT_NOT_FOUND,
);

/// Withdraws one of my consents; providers refuse requests citing it from now on.
#[utoipa::path(
    tag = "exchange",
    params(("id" = String, Path, description = "Consent reference")),
    responses(
        (status = 200, description = "Withdrawn", body = ConsentView),
        WithdrawConsentErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/me/consents/{id}/withdraw")]
pub async fn withdraw_consent(
    auth: Authorized<DataSubject>,
    exchange: web::Data<Exchange>,
    id: web::Path<String>,
) -> Result<web::Json<ConsentView>, Error> {
    let subject = person(&auth)?;
    let row = withdraw(&exchange, subject, id.into_inner()).await?;
    Ok(web::Json(row.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DataUseQuery {
    /// 1 to 500, default 100 (of each source).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// One use of my data.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataUse {
    pub at: DateTime<Utc>,
    /// `exchange` (an agency's request through the exchange) or `access_log` (an official's
    /// view or change in a module, or an authentication event).
    pub source: String,
    /// The client agency's subsystem (exchange) or the module (access log).
    pub by: String,
    pub purpose: String,
    /// The service asked (exchange).
    pub service: Option<String>,
    /// The items released (exchange).
    pub items: Vec<String>,
    /// `ok` / `refused` (exchange), or the action (access log).
    pub outcome: String,
    /// The statute cited instead of consent, or the consent reference.
    pub basis: Option<String>,
    /// The message id or record reference.
    pub reference: Option<String>,
}

egov_core::problems!(DataUseErrors:
    egov_core::error::codes::INVALID_PARAMETER,
    crate::errors::NO_PERSON_KEY,
);

/// Who used my data: every exchange that involved my data (both sides' log records in this
/// deployment) joined with the access log of officials' views and changes, newest first.
/// Officials are shown by agency or module, not by name.
#[utoipa::path(
    tag = "exchange",
    params(DataUseQuery),
    responses(
        (status = 200, description = "Uses, newest first", body = Vec<DataUse>),
        DataUseErrors,
    ),
    security(("bearer" = ["kind:citizen", "aal:1"])),
)]
#[get("/me/data-use")]
pub async fn data_use(
    auth: Authorized<Citizen>,
    exchange: web::Data<Exchange>,
    q: web::Query<DataUseQuery>,
) -> Result<web::Json<Vec<DataUse>>, Error> {
    let subject = person(&auth)?;
    let limit = limit_of(q.limit.or(Some(100)))?;
    let account_key = exchange.0.index.account(&auth.subject);
    let with_access_log = exchange.0.access_log_here;
    let key = subject.clone();
    let (exchanges, accesses) = exchange
        .db()
        .run(move |c| {
            let ex = store::records(c, None, Some(&key), None, limit)?;
            let acc = if with_access_log {
                egov_auth::store::for_subjects(
                    c,
                    &[SubjectKey::from_stored(key.clone()), account_key],
                    None,
                    limit,
                )?
            } else {
                Vec::new()
            };
            Ok((ex, acc))
        })
        .await?;
    let mut uses: Vec<DataUse> = exchanges
        .into_iter()
        .map(|r| {
            let e = r.entry;
            DataUse {
                at: r.recorded_at,
                source: "exchange".into(),
                by: e.client,
                purpose: e.purpose,
                service: Some(e.service),
                items: e.items_released,
                outcome: e.outcome,
                basis: e.basis.or(e.consent),
                reference: Some(e.message_id),
            }
        })
        .collect();
    uses.extend(accesses.into_iter().map(|r| DataUse {
        at: r.occurred_at,
        source: "access_log".into(),
        by: r.entry.module,
        purpose: r.entry.purpose,
        service: None,
        items: Vec::new(),
        outcome: r.entry.action.as_str().to_owned(),
        basis: None,
        reference: r.entry.record_ref,
    }));
    uses.sort_by_key(|u| std::cmp::Reverse(u.at));
    Ok(web::Json(uses))
}
