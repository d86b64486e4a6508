//! Bidding, for businesses (KONEPS's 입찰참가자격 등록): the supplier registers once for every
//! buyer, checks its eligibility (the tax clearance that the tax agency gives through the
//! exchange, with the consent spelled out in words and given on the page), and registers the
//! keys that sign its sealed bids — made in the browser (Web Crypto, kept non-extractable in
//! the browser's storage) or by `egov procurement bidder-key` and pasted in.
//!
//! Each form calls the same use case as the API (`PUT /suppliers/me`,
//! `POST /suppliers/me/eligibility`, `POST /suppliers/me/keys`).

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_core::Error;
use egov_exchange::Exchange;
use egov_exchange::http::citizens::{ConsentInput, give_consent};
use egov_web::{CsrfForm, Page, PageError, see_other};
use serde::Deserialize;
use serde_json::json;

use super::{Who, internal, refusal};
use crate::http::bidder_keys::{BidderKeyInput, new_key};
use crate::http::supplier_id;
use crate::http::suppliers::fetch_clearance;
use crate::service;
use crate::{Procurement, store};

/// How long a consent given on this page lasts.
pub(crate) const CONSENT_DAYS: u32 = 30;
/// What the tax clearance request asks for (the exchange checks it against the consent).
pub(crate) const CLEARANCE_ITEMS: [&str; 4] = ["business_id", "arrears", "as_of", "valid_until"];

/// A bid signing key as listed.
#[derive(Debug)]
pub struct KeyRow {
    pub id: String,
    pub label: String,
    pub public_key: String,
    pub created: String,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "web/supplier.html")]
struct HomePage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    business: String,
    registered: bool,
    form: RegistrationForm,
    categories: Vec<(String, String)>,
    clearance: String,
    consent_text: String,
    keys: Vec<KeyRow>,
    key_label: String,
    key_public: String,
    script: String,
    done: String,
}

/// The registration form as sent (and shown again).
#[derive(Debug, Default, Deserialize)]
pub struct RegistrationForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub goods: Option<String>,
    #[serde(default)]
    pub works: Option<String>,
    #[serde(default)]
    pub services: Option<String>,
    #[serde(default)]
    pub rep_name: String,
    #[serde(default)]
    pub rep_role: String,
    #[serde(default)]
    pub licence_kind: String,
    #[serde(default)]
    pub licence_number: String,
}

impl RegistrationForm {
    pub fn has(&self, category: &str) -> bool {
        match category {
            "goods" => self.goods.is_some(),
            "works" => self.works.is_some(),
            _ => self.services.is_some(),
        }
    }

    fn of(row: &store::SupplierRow) -> Self {
        let cats: Vec<String> = serde_json::from_str(&row.categories).unwrap_or_default();
        let reps: Vec<serde_json::Value> =
            serde_json::from_str(&row.representatives).unwrap_or_default();
        let lics: Vec<serde_json::Value> = serde_json::from_str(&row.licences).unwrap_or_default();
        let s = |v: Option<&serde_json::Value>, k: &str| {
            v.and_then(|v| v[k].as_str()).unwrap_or_default().to_owned()
        };
        let on = |c: &str| cats.iter().any(|x| x == c).then(|| "on".to_owned());
        Self {
            name: row.name.clone(),
            goods: on("goods"),
            works: on("works"),
            services: on("services"),
            rep_name: s(reps.first(), "name"),
            rep_role: s(reps.first(), "role"),
            licence_kind: s(lics.first(), "kind"),
            licence_number: s(lics.first(), "number"),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// The consent in words: who asks whom for what, why and for how long.
pub(crate) fn consent_text(t: &Page, p: &Procurement) -> String {
    // The purpose in words, with the code the exchange records (and My consents shows).
    let code = p
        .rules()
        .map(|r| r.eligibility.purpose.clone())
        .unwrap_or_default();
    let purpose = format!("{} ({code})", t.t("proc-consent-purpose"));
    t.t_with(
        "proc-consent-text",
        &[
            ("items", t.t("proc-consent-items")),
            ("purpose", purpose),
            ("days", CONSENT_DAYS.to_string()),
        ],
    )
}

/// Gives the consent shown on the page, for the tax clearance request: its reference.
pub(crate) async fn consent_for_clearance(
    p: &Procurement,
    x: &Exchange,
    business: &str,
) -> Result<String, Error> {
    let rules = p.rules()?;
    let consent = give_consent(
        x,
        egov_core::exchange::business_subject(business),
        ConsentInput {
            client: format!("{}/{}", x.member(), crate::NAME),
            service: format!("{}/tax/tax-clearance", x.member()),
            purpose: rules.eligibility.purpose.clone(),
            items: CLEARANCE_ITEMS.iter().map(|s| (*s).to_owned()).collect(),
            days: CONSENT_DAYS,
        },
    )
    .await?;
    Ok(consent.id)
}

#[allow(clippy::too_many_arguments)]
async fn render(
    who: &Who,
    p: &Procurement,
    form: Option<RegistrationForm>,
    key: (String, String),
    errors: Vec<(String, String)>,
    done: &str,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let business = supplier_id(p, &who.principal).map_err(|e| t.error(&e))?;
    let standing = service::standing(p, business.clone())
        .await
        .map_err(|e| t.error(&e))?;
    let registered = standing.registration.is_some();
    let form = form.unwrap_or_else(|| {
        standing
            .registration
            .as_ref()
            .map(RegistrationForm::of)
            .unwrap_or_default()
    });
    let today = p.now().date();
    let clearance = if let Some(d) = standing.debarments.iter().find(|d| d.active_on(today)) {
        t.t_with(
            "proc-debarred",
            &[
                ("from", t.date(d.from_date)),
                ("basis", d.legal_basis.clone()),
                ("reason", d.reason.clone()),
            ],
        )
    } else {
        match &standing.clearance {
            Some(c) if c.eligible => t.t_with(
                "proc-clearance-ok",
                &[("until", t.local_time(c.valid_until))],
            ),
            Some(c) => t.t_with(
                "proc-clearance-arrears",
                &[("checked", t.local_time(c.checked_at))],
            ),
            None => t.t("proc-clearance-none"),
        }
    };
    let keys = service::bidder_keys(p, business.clone())
        .await
        .map_err(|e| t.error(&e))?
        .into_iter()
        .map(|k| KeyRow {
            created: t.local_time(k.created_at),
            revoked: k.revoked_at.map(|r| t.local_time(r)),
            id: k.id,
            label: k.label,
            public_key: k.public_key,
        })
        .collect();
    let title = t.t("proc-supplier-title");
    let html = HomePage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        errors,
        business,
        registered,
        form,
        categories: ["goods", "works", "services"]
            .into_iter()
            .map(|c| (c.to_owned(), t.t(&format!("proc-category-{c}"))))
            .collect(),
        clearance,
        consent_text: consent_text(t, p),
        keys,
        key_label: key.0,
        key_public: key.1,
        script: egov_web::assets::url("egov-bid.js"),
        done: match done {
            "registered" | "checked" | "key" | "revoked" => t.t(&format!("proc-done-{done}")),
            _ => String::new(),
        },
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &[("/my".to_owned(), t.t("my-page"))], &html))
}

/// The supplier's page: registration, eligibility, bid signing keys.
#[get("/my/procurement")]
pub async fn home(
    who: Who,
    p: Data<Procurement>,
    q: actix_web::web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    render(
        &who,
        &p,
        None,
        Default::default(),
        Vec::new(),
        &q.done,
        StatusCode::OK,
    )
    .await
}

/// The field a problem pointer names on this page's registration form.
fn registration_anchor(name: &str) -> String {
    match name {
        "categories" => "cat-goods".into(),
        "representatives" => "rep_name".into(),
        "licences" => "licence_kind".into(),
        other => other.into(),
    }
}

/// Registers (or updates) the business as a supplier.
#[post("/my/procurement/registration")]
pub async fn register(
    who: Who,
    p: Data<Procurement>,
    form: CsrfForm<RegistrationForm>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let f = form.0;
    let business = supplier_id(&p, &who.principal).map_err(|e| t.error(&e))?;
    let categories: Vec<&str> = ["goods", "works", "services"]
        .into_iter()
        .filter(|c| f.has(c))
        .collect();
    let mut licences = Vec::new();
    if !f.licence_kind.trim().is_empty() || !f.licence_number.trim().is_empty() {
        licences.push(json!({"kind": f.licence_kind.trim(), "number": f.licence_number.trim()}));
    }
    let input = crate::http::suppliers::SupplierInput {
        name: f.name.clone(),
        categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        licences: serde_json::from_value(json!(licences)).unwrap_or_default(),
        representatives: vec![crate::http::suppliers::Representative {
            name: f.rep_name.trim().to_owned(),
            role: f.rep_role.trim().to_owned(),
        }],
    };
    match crate::http::suppliers::register(&p, &who.principal, business, input).await {
        Ok(_) => Ok(see_other("/my/procurement?done=registered#registration")),
        Err(e) => {
            let (errors, status) = refusal(t, &e, "", |n| t.t(&format!("proc-reg-{n}")), "#name")?;
            let errors = errors
                .into_iter()
                .map(|(a, m)| {
                    let name = a.trim_start_matches('#');
                    (format!("#{}", registration_anchor(name)), m)
                })
                .collect();
            render(&who, &p, Some(f), Default::default(), errors, "", status).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    consent: Option<String>,
}

/// Gives the consent spelled out on the page and asks the tax agency for the clearance now.
#[post("/my/procurement/eligibility")]
pub async fn eligibility(
    who: Who,
    p: Data<Procurement>,
    x: Option<Data<Exchange>>,
    form: CsrfForm<ConsentForm>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let again = |errors, status| render(&who, &p, None, Default::default(), errors, "", status);
    if form.0.consent.as_deref() != Some("yes") {
        let errors = vec![("#consent".to_owned(), t.t("proc-consent-missing"))];
        return again(errors, StatusCode::BAD_REQUEST).await;
    }
    let business = supplier_id(&p, &who.principal).map_err(|e| t.error(&e))?;
    let result = async {
        service::supplier(&p, business.clone())
            .await?
            .ok_or_else(|| Error::new(crate::errors::NOT_REGISTERED))?;
        let x = x.as_ref().map(|d| d.get_ref()).ok_or_else(|| {
            Error::with_detail(
                crate::errors::ELIGIBILITY_UNAVAILABLE,
                "the exchange is not served in this process",
            )
        })?;
        let consent = consent_for_clearance(&p, x, &business).await?;
        fetch_clearance(&p, Some(x), &who.principal, &business, Some(&consent)).await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other("/my/procurement?done=checked#eligibility")),
        Err(e) => {
            let (errors, status) = refusal(t, &e, "", |_| String::new(), "#consent")?;
            again(errors, status).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    public_key: String,
}

/// Registers a bid signing key (made in the browser by the page's script, or pasted from
/// `egov procurement bidder-key`).
#[post("/my/procurement/keys")]
pub async fn add_key(
    who: Who,
    p: Data<Procurement>,
    form: CsrfForm<KeyForm>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let KeyForm { label, public_key } = form.0;
    let business = supplier_id(&p, &who.principal).map_err(|e| t.error(&e))?;
    let result = async {
        let row = new_key(
            &p,
            &business,
            &who.principal.subject,
            BidderKeyInput {
                label: label.clone(),
                public_key: public_key.trim().to_owned(),
            },
        )?;
        service::register_bidder_key(&p, row).await
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/my/procurement?done=key#keys")),
        Err(e) => {
            let anchor = |n: &str| match n {
                "label" => "key-label".to_owned(),
                _ => "key-public".to_owned(),
            };
            let (errors, status) =
                refusal(t, &e, "", |n| t.t(&format!("proc-key-{n}")), "#key-public")?;
            let errors = errors
                .into_iter()
                .map(|(a, m)| (format!("#{}", anchor(a.trim_start_matches('#'))), m))
                .collect();
            render(&who, &p, None, (label, public_key), errors, "", status).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

/// Revokes a bid signing key: it signs no new bid.
#[post("/my/procurement/keys/{id}/revoke")]
pub async fn revoke_key(
    who: Who,
    p: Data<Procurement>,
    id: Path<String>,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let business = supplier_id(&p, &who.principal).map_err(|e| t.error(&e))?;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(t.not_found());
    }
    service::revoke_bidder_key(&p, business, id.into_inner())
        .await
        .map_err(|e| t.error(&e))?;
    Ok(see_other("/my/procurement?done=revoked#keys"))
}
