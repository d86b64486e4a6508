//! `GET /petition/v1/reports/compliance`: an agency's compliance report.

use actix_web::{get, web};
use chrono::NaiveDate;
use egov_auth::{Authorized, Kind, Policy, Principal, Rule};
use egov_core::Error;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::Petition;
use crate::service::reports::{self, ComplianceReport};

/// Who may open the compliance report's page: supervisors and the agency head (officers with
/// `petition.supervisor` or `petition.head`) for their own agency, auditors and platform
/// admins for any agency; with a second factor. The roles are checked by [`report_agency`].
#[derive(Debug)]
pub struct ReportReader;
impl Policy for ReportReader {
    const RULE: Rule = Rule::kinds(&[Kind::Officer, Kind::Auditor, Kind::PlatformAdmin]).aal2();
}

/// The API's supervisors: officers with `petition.supervisor`, their own agency.
#[derive(Debug)]
pub struct Supervisor;
impl Policy for Supervisor {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::SUPERVISOR_ROLE])
        .aal2();
}

/// The API's oversight: auditors and platform admins, any agency.
#[derive(Debug)]
pub struct Oversight;
impl Policy for Oversight {
    const RULE: Rule = Rule::kinds(&[Kind::Auditor, Kind::PlatformAdmin]).aal2();
}

/// The agency whose report `who` may read: their own (officers with a ladder role), or the
/// one asked for (auditors, platform admins).
pub fn report_agency(who: &Principal, asked: Option<String>) -> Result<String, Error> {
    let forbidden =
        |why: egov_core::error::Text| Error::with_detail(egov_core::error::codes::FORBIDDEN, why);
    match who.kind {
        Kind::Officer => {
            if !(who.has_role(crate::SUPERVISOR_ROLE) || who.has_role(crate::HEAD_ROLE)) {
                return Err(forbidden(egov_core::text!(
                    "detail-report-role",
                    "the compliance report is for supervisors and the agency head"
                )));
            }
            let own = who.agency.clone().ok_or_else(|| {
                forbidden(egov_core::text!(
                    "detail-no-agency",
                    "this account belongs to no agency"
                ))
            })?;
            match asked {
                Some(a) if a != own => Err(forbidden(egov_core::text!(
                    "detail-report-own-agency",
                    "only your own agency's report"
                ))),
                _ => Ok(own),
            }
        }
        Kind::Auditor | Kind::PlatformAdmin => asked.ok_or_else(|| {
            Error::invalid_field(
                "agency",
                egov_core::text!("detail-petition-agency", "an agency of the country pack"),
            )
        }),
        _ => Err(Error::new(egov_core::error::codes::FORBIDDEN)),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ComplianceQuery {
    /// First day of the period (submission date in the pack's time zone; default: 1 January
    /// of this year).
    pub from: Option<NaiveDate>,
    /// Last day of the period, included (at most 365 days after `from`; default: today).
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OversightQuery {
    /// The agency (a code of the country pack).
    pub agency: String,
    /// First day of the period (default: 1 January of this year).
    pub from: Option<NaiveDate>,
    /// Last day of the period, included (default: today).
    pub to: Option<NaiveDate>,
}

egov_core::problems!(ComplianceErrors:
    egov_core::error::codes::FORBIDDEN,
    egov_core::error::codes::VALIDATION_FAILED,
);

async fn report(
    p: &Petition,
    agency: String,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<web::Json<ComplianceReport>, Error> {
    let (f, t) = reports::default_period(p);
    Ok(web::Json(
        reports::compliance(p, agency, from.unwrap_or(f), to.unwrap_or(t)).await?,
    ))
}

/// The supervisor's agency's compliance report for the cases submitted in the period: per
/// service and in total, received, answered, answered within the statutory period (and the
/// share), the median working days to the answer, open, open and overdue, extended cases and
/// extensions. Counts only, no personal data (not access-logged).
#[utoipa::path(
    tag = "petition",
    params(ComplianceQuery),
    responses(
        (status = 200, body = ComplianceReport),
        ComplianceErrors,
    ),
    security(("bearer" = ["kind:officer", "role:petition.supervisor", "aal:2"])),
)]
#[get("/reports/compliance")]
pub async fn compliance_report(
    auth: Authorized<Supervisor>,
    p: web::Data<Petition>,
    query: web::Query<ComplianceQuery>,
) -> Result<web::Json<ComplianceReport>, Error> {
    let q = query.into_inner();
    let agency = report_agency(&auth, None)?;
    report(&p, agency, q.from, q.to).await
}

/// Any agency's compliance report, for auditors and platform admins (the same figures as
/// `GET /reports/compliance`).
#[utoipa::path(
    tag = "petition",
    params(OversightQuery),
    responses(
        (status = 200, body = ComplianceReport),
        ComplianceErrors,
    ),
    security(("bearer" = ["kind:auditor", "kind:platform_admin", "aal:2"])),
)]
#[get("/oversight/compliance")]
pub async fn oversight_report(
    _auth: Authorized<Oversight>,
    p: web::Data<Petition>,
    query: web::Query<OversightQuery>,
) -> Result<web::Json<ComplianceReport>, Error> {
    let q = query.into_inner();
    report(&p, q.agency, q.from, q.to).await
}
