//! The compliance report of an agency: per service, for the cases it received in a period,
//! the share answered within the statutory period, the median working days to the answer,
//! the open and overdue cases, and the extensions ([`crate::domain::compliance`]).

use std::collections::HashMap;

use chrono::NaiveDate;
use egov_core::Error;
use serde::Serialize;
use utoipa::ToSchema;

use crate::Petition;
use crate::domain::compliance::{self, CaseFacts, ComplianceLine};
use crate::domain::lifecycle::Status;
use crate::store;

/// The longest period one report covers.
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceReport {
    pub agency: String,
    /// The period, in the pack's time zone, both days included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// When the report was made (its "as things stand now").
    pub generated_at: chrono::DateTime<chrono::Utc>,
    /// One line per service the agency received cases of, by service id.
    pub services: Vec<ComplianceLine>,
    pub total: ComplianceLine,
}

/// This year to today, in the pack's time zone.
pub fn default_period(p: &Petition) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let today = p.clock().local(p.now()).date();
    (
        NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
        today,
    )
}

/// Checks a period: `from` no later than `to`, at most [`MAX_DAYS`] days.
pub fn check_period(from: NaiveDate, to: NaiveDate) -> Result<(), Error> {
    if to < from {
        return Err(Error::invalid_field(
            "to",
            egov_core::text!("detail-report-order", "on or after the first day"),
        ));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(Error::invalid_field(
            "to",
            egov_core::text!(
                "detail-report-span",
                "at most {days} days after the first day",
                days = MAX_DAYS - 1
            ),
        ));
    }
    Ok(())
}

/// The compliance report of `agency` for the cases submitted from `from` to `to` (days of the
/// pack's time zone, both included), as things stand now.
pub async fn compliance(
    p: &Petition,
    agency: String,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<ComplianceReport, Error> {
    check_period(from, to)?;
    if !p.catalogue().agencies.contains_key(&agency) {
        return Err(Error::invalid_field(
            "agency",
            egov_core::text!("detail-petition-agency", "an agency of the country pack"),
        ));
    }
    let clock = p.clock();
    let start = clock.utc(from.and_time(chrono::NaiveTime::MIN));
    let end = clock.utc(to.succ_opt().unwrap_or(to).and_time(chrono::NaiveTime::MIN));
    let a = agency.clone();
    let (rows, extended) = p
        .db()
        .run(move |c| {
            Ok((
                store::compliance_rows(c, &a, start, end)?,
                store::extensions_of(c, &a, start, end)?,
            ))
        })
        .await?;
    let mut extensions: HashMap<String, u32> = HashMap::new();
    for id in extended {
        *extensions.entry(id).or_default() += 1;
    }
    let facts: Vec<CaseFacts> = rows
        .into_iter()
        .map(|r| CaseFacts {
            working_days: match (r.submitted_at, r.answered_at) {
                (Some(s), Some(a)) => clock
                    .calendar
                    .working_days_between(clock.local(s).date(), clock.local(a).date())
                    .ok(),
                _ => None,
            },
            status: Status::parse(&r.status).unwrap_or(Status::Submitted),
            extensions: extensions.get(&r.id).copied().unwrap_or(0),
            service: r.service,
            due_at: r.due_at,
            answered_at: r.answered_at,
            paused: r.paused_at.is_some(),
        })
        .collect();
    let now = p.now();
    let (services, total) = compliance::report(&facts, now);
    Ok(ComplianceReport {
        agency,
        from,
        to,
        generated_at: now.and_utc(),
        services,
        total,
    })
}

/// The report as CSV (UTF-8 with a byte-order mark, so spreadsheets read Hangul right): a
/// header of `headers`, then one row per service (named by `name`) and the total.
pub fn csv(
    report: &ComplianceReport,
    headers: &[String],
    name: impl Fn(&str) -> String,
) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let internal = |e: csv::Error| Error::internal(anyhow::anyhow!("csv: {e}"));
    w.write_record(headers).map_err(internal)?;
    let opt = |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_default();
    for l in report.services.iter().chain(std::iter::once(&report.total)) {
        w.write_record([
            l.service.clone(),
            name(&l.service),
            l.received.to_string(),
            l.answered.to_string(),
            l.answered_on_time.to_string(),
            opt(l.on_time_percent),
            opt(l.median_working_days),
            l.open.to_string(),
            l.open_overdue.to_string(),
            l.extended_cases.to_string(),
            l.extensions.to_string(),
        ])
        .map_err(internal)?;
    }
    w.into_inner()
        .map_err(|e| Error::internal(anyhow::anyhow!("csv: {e}")))
}
