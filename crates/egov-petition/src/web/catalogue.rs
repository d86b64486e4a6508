//! The portal's home page and the service catalogue, from the country pack.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use egov_web::{Page, PageError};
use serde::Deserialize;

use crate::Petition;
use crate::domain::catalogue::{FieldType, Period, PetitionKind, Service};

/// A service as the catalogue lists it, in the page's language.
#[derive(Debug)]
pub struct Item {
    pub id: String,
    pub name: String,
    pub description: String,
    pub fee: String,
    pub period: String,
    pub agency: String,
}

const KINDS: &[(PetitionKind, &str)] = &[
    (PetitionKind::Statutory, "statutory"),
    (PetitionKind::Complaint, "complaint"),
    (PetitionKind::Proposal, "proposal"),
    (PetitionKind::Inquiry, "inquiry"),
];

fn kind_code(k: PetitionKind) -> &'static str {
    KINDS
        .iter()
        .find(|(x, _)| *x == k)
        .map_or("statutory", |(_, c)| c)
}

fn period(page: &Page, p: Period) -> String {
    match p {
        Period::WorkingDays(n) => page.t_with("period-working-days", &[("n", n.to_string())]),
        Period::WorkingHours(n) => page.t_with("period-working-hours", &[("n", n.to_string())]),
    }
}

fn agency(page: &Page, p: &Petition, s: &Service) -> String {
    match &s.agency {
        Some(code) => p
            .catalogue()
            .agencies
            .get(code)
            .map_or_else(|| code.clone(), |a| page.pick(&a.names).to_owned()),
        None => page.t("agency-routed"),
    }
}

fn item(page: &Page, p: &Petition, s: &Service) -> Item {
    Item {
        id: s.id.clone(),
        name: page.pick(&s.names).to_owned(),
        description: page.pick(&s.description).to_owned(),
        fee: if s.fee.is_zero() {
            page.t("fee-free")
        } else {
            page.money(s.fee)
        },
        period: period(page, s.period),
        agency: agency(page, p, s),
    }
}

#[derive(Template)]
#[template(path = "web/home.html")]
struct Home<'a> {
    t: &'a Page,
    portal: String,
    checks: Vec<(&'static str, String)>,
    /// Other public pages: path, heading, lead, link text.
    sections: Vec<(&'static str, String, String, String)>,
    kinds: Vec<(&'static str, String, usize)>,
    items: Vec<Item>,
}

/// The portal's home page: search, the kinds of service, every service.
#[get("/")]
pub async fn home_page(page: Page, p: web::Data<Petition>) -> Result<HttpResponse, PageError> {
    let services: Vec<&Service> = p.catalogue().services.values().collect();
    let kinds = KINDS
        .iter()
        .map(|(k, code)| {
            (
                *code,
                page.t(&format!("kind-{code}")),
                services.iter().filter(|s| s.kind == *k).count(),
            )
        })
        .filter(|k| k.2 > 0)
        .collect();
    let items = services.iter().map(|s| item(&page, &p, s)).collect();
    let portal = page.portal();
    let checks = page
        .web()
        .portal_links()
        .iter()
        .map(|(path, id)| (*path, page.t(id)))
        .collect();
    let sections = page
        .web()
        .portal_sections()
        .iter()
        .map(|(path, heading, lead, link)| (*path, page.t(heading), page.t(lead), page.t(link)))
        .collect();
    let main = Home {
        t: &page,
        portal: portal.clone(),
        checks,
        sections,
        kinds,
        items,
    }
    .render()
    .map_err(|e| page.error(&egov_core::Error::internal(e)))?;
    Ok(page.render(&portal, &[], &main))
}

/// The catalogue's search.
#[derive(Debug, Deserialize)]
pub struct Search {
    /// Words to find in the services' names and descriptions (any language of the pack).
    #[serde(default)]
    pub q: String,
    /// `statutory`, `complaint`, `proposal` or `inquiry`.
    #[serde(default)]
    pub kind: String,
}

#[derive(Template)]
#[template(path = "web/services.html")]
struct Services<'a> {
    t: &'a Page,
    q: &'a str,
    kind: &'a str,
    kinds: Vec<(&'static str, String)>,
    errors: Vec<(&'static str, String)>,
    items: Vec<Item>,
    count: String,
}

/// The service catalogue: search by words and by kind.
#[get("/services")]
pub async fn service_list(
    page: Page,
    p: web::Data<Petition>,
    query: web::Query<Search>,
) -> Result<HttpResponse, PageError> {
    let q = query.q.trim();
    let mut errors = Vec::new();
    if q.chars().count() > 100 || q.chars().any(char::is_control) {
        errors.push(("q", page.t("search-q-invalid")));
    }
    let kind = KINDS
        .iter()
        .find(|(_, c)| *c == query.kind)
        .map(|(k, _)| *k);
    if !query.kind.is_empty() && kind.is_none() {
        errors.push(("kind", page.t("search-kind-invalid")));
    }
    let words: Vec<String> = if errors.is_empty() {
        q.split_whitespace().map(str::to_lowercase).collect()
    } else {
        Vec::new()
    };
    let items: Vec<Item> = p
        .catalogue()
        .services
        .values()
        .filter(|s| kind.is_none_or(|k| s.kind == k))
        .filter(|s| {
            let text = s
                .names
                .values()
                .chain(s.description.values())
                .map(|t| t.to_lowercase())
                .collect::<Vec<_>>()
                .join(" ");
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .map(|s| item(&page, &p, s))
        .collect();
    let count = page.t_with("search-count", &[("n", items.len().to_string())]);
    let title = page.t("services-title");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let kinds = KINDS
        .iter()
        .map(|(_, c)| (*c, page.t(&format!("kind-{c}"))))
        .collect();
    let main = Services {
        t: &page,
        q,
        kind: if kind.is_some() { &query.kind } else { "" },
        kinds,
        errors,
        items,
        count,
    }
    .render()
    .map_err(|e| page.error(&egov_core::Error::internal(e)))?;
    Ok(page
        .rendered(
            status,
            &title,
            &[("/services".into(), title.clone())],
            &main,
        )
        .response())
}

/// What the service page lists as needed.
#[derive(Debug)]
pub struct Needed {
    pub name: String,
    pub how: String,
}

#[derive(Template)]
#[template(path = "web/service.html")]
struct ServicePage<'a> {
    t: &'a Page,
    s: Item,
    kind: String,
    who: String,
    legal_basis: &'a str,
    needed: Vec<Needed>,
    fields: Vec<String>,
    document: Option<String>,
}

/// One service: what it is, who handles it, what it needs, what it costs and how long it
/// takes.
#[get("/services/{id}")]
pub async fn service_page(
    page: Page,
    p: web::Data<Petition>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let Some(s) = p.catalogue().services.get(id.as_str()) else {
        return Err(page.not_found());
    };
    let needed = s
        .evidence
        .iter()
        .map(|e| Needed {
            name: page.pick(&e.names).to_owned(),
            how: if e.source == "exchange" {
                page.t("evidence-exchange")
            } else {
                page.t("evidence-upload")
            },
        })
        .chain(
            s.fields
                .iter()
                .filter(|f| f.kind == FieldType::Attachment)
                .map(|f| Needed {
                    name: page.pick(&f.label).to_owned(),
                    how: page.t("evidence-upload"),
                }),
        )
        .collect();
    let fields = s
        .fields
        .iter()
        .filter(|f| f.kind != FieldType::Attachment)
        .map(|f| {
            let label = page.pick(&f.label).to_owned();
            if f.required {
                label
            } else {
                page.t_with("field-optional", &[("label", label)])
            }
        })
        .collect();
    let document = s.issues_document.then(|| {
        page.t_with(
            "document-valid",
            &[("days", s.document_valid_days.to_string())],
        )
    });
    let it = item(&page, &p, s);
    let title = it.name.clone();
    let crumbs = [
        ("/services".to_owned(), page.t("services-title")),
        (format!("/services/{}", s.id), title.clone()),
    ];
    let main = ServicePage {
        t: &page,
        kind: page.t(&format!("kind-{}", kind_code(s.kind))),
        who: page.t(&format!("who-{}", kind_code(s.kind))),
        s: it,
        legal_basis: &s.legal_basis,
        needed,
        fields,
        document,
    }
    .render()
    .map_err(|e| page.error(&egov_core::Error::internal(e)))?;
    Ok(page.render(&title, &crumbs, &main))
}
