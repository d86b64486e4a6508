//! "My page": the signed-in person's start page, linking to the signed-in pages of the
//! modules this process serves.

use actix_web::{HttpResponse, get};
use askama::Template;

use crate::page::PageError;
use crate::session::SignedIn;

#[derive(Template)]
#[template(path = "my.html")]
struct My<'a> {
    title: &'a str,
    lead: String,
    services: String,
    links: Vec<(&'static str, String)>,
    /// An official's work pages.
    work: String,
    work_links: Vec<(&'static str, String)>,
    privacy_heading: String,
    privacy_link: String,
    /// Who acts for whom: a person's or a business's page.
    representation: Option<(&'static str, String)>,
    security: String,
    note: String,
    security_link: String,
    contact_link: String,
    csrf: &'a str,
    sign_out: String,
}

/// My page.
#[get("/my")]
pub async fn my_page(who: SignedIn) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let title = t.t("my-title");
    let name = if who.live.name.is_empty() {
        who.principal.subject.clone()
    } else {
        who.live.name.clone()
    };
    let html = My {
        title: &title,
        lead: t.t_with("my-lead", &[("name", name)]),
        services: t.t("my-services"),
        // Officials act for their agency, not as applicants: their page links to their work.
        links: if who.principal.kind.is_official() {
            Vec::new()
        } else {
            t.web()
                .my_links()
                .iter()
                .map(|(href, id)| (*href, t.t(id)))
                .collect()
        },
        work: t.t("my-work"),
        work_links: t
            .web()
            .work_links_for(&who.principal)
            .into_iter()
            .map(|(href, id)| (href, t.t(id)))
            .collect(),
        privacy_heading: t.t("my-privacy"),
        privacy_link: t.t("privacy-title"),
        representation: match who.principal.kind {
            egov_auth::Kind::Citizen => Some(("/my/representation", t.t("representation-title"))),
            egov_auth::Kind::Business => {
                Some(("/my/representatives", t.t("representatives-title")))
            }
            _ => None,
        },
        security: t.t("my-security"),
        note: t.t("my-sessions-note"),
        security_link: t.t("security-title"),
        contact_link: t.t("contact-title"),
        csrf: who.csrf(),
        sign_out: t.t("sign-out"),
    }
    .render()
    .map_err(|_| t.unavailable())?;
    Ok(t.render(&title, &[], &html))
}
