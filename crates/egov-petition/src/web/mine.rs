//! "My applications": the signed-in applicant's cases with their status in plain words and the
//! statutory clock (the due date on the working-day calendar, in the pack's time zone, and
//! whether the clock is paused for a supplement).

use actix_web::web::Data;
use actix_web::{HttpResponse, get};
use askama::Template;
use egov_web::{PageError, SignedIn};

use crate::Petition;
use crate::http::ApplicantPolicy;
use crate::service::applications;
use crate::service::views::summary;

/// One row of the table, in the page's language.
#[derive(Debug)]
pub struct Row {
    pub id: String,
    pub receipt: String,
    pub service: String,
    pub status: String,
    pub submitted: String,
    pub due: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "web/mine.html")]
struct Mine<'a> {
    t: &'a egov_web::Page,
    title: &'a str,
    rows: Vec<Row>,
}

/// My applications, newest first.
#[get("/my/applications")]
pub async fn my_applications(
    who: SignedIn<ApplicantPolicy>,
    p: Data<Petition>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let key = crate::service::cases::applicant_key(&p, &who.principal).map_err(|e| t.error(&e))?;
    let cases = applications::cases_of(&p, key, 200)
        .await
        .map_err(|e| t.error(&e))?;
    let now = p.now();
    let catalogue = p.catalogue();
    let rows = cases
        .iter()
        .map(|c| {
            let s = summary(c, now);
            let status = s.status.as_str();
            Row {
                id: s.id.clone(),
                receipt: s
                    .receipt_no
                    .clone()
                    .unwrap_or_else(|| t.t("mine-no-receipt")),
                service: catalogue
                    .services
                    .get(&s.service)
                    .map_or_else(|| s.service.clone(), |x| t.pick(&x.names).to_owned()),
                status: t.t(&format!("status-{}", status.replace('_', "-"))),
                submitted: s.submitted_at.map(|d| t.local_date(d)).unwrap_or_default(),
                due: s
                    .due_at
                    .filter(|_| s.status.is_open())
                    .map(|d| t.local_date(d))
                    .unwrap_or_default(),
                note: if s.paused {
                    t.t("mine-paused")
                } else if s.overdue {
                    t.t("mine-overdue")
                } else {
                    String::new()
                },
            }
        })
        .collect();
    let title = t.t("mine-title");
    let html = Mine {
        t,
        title: &title,
        rows,
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.render(&title, &[("/my".into(), t.t("my-page"))], &html))
}
