//! Officers' work lists: the agency's open cases by view and filter in keyset pages, and its
//! deadlines.

use chrono::NaiveDateTime;
use egov_auth::Principal;
use egov_core::Error;
use egov_core::cursor::Cursor;

use crate::Petition;
use crate::domain::lifecycle::Status;
use crate::store::{self, CaseRow, WorkFilter};

/// The work list's views (as the desk's tabs show them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Every open case of the agency.
    All,
    /// Assigned to the officer asking.
    Mine,
    /// Assigned to no one.
    Unassigned,
    /// The clock runs and the case is due within the pack's "due soon" working hours.
    DueSoon,
    /// The clock runs and the due time has passed.
    Overdue,
    /// Escalated up the pack's ladder at least to the step of the asker's role (the
    /// supervisor's queue).
    Escalated,
}

impl View {
    pub const ALL: [View; 6] = [
        View::All,
        View::Mine,
        View::Unassigned,
        View::DueSoon,
        View::Overdue,
        View::Escalated,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            View::All => "all",
            View::Mine => "mine",
            View::Unassigned => "unassigned",
            View::DueSoon => "due_soon",
            View::Overdue => "overdue",
            View::Escalated => "escalated",
        }
    }
}

/// What a work list page asks for (checked by [`work_page`]).
#[derive(Debug, Default)]
pub struct WorkRequest {
    pub view: Option<String>,
    pub status: Option<String>,
    pub service: Option<String>,
    pub assignee: Option<String>,
    pub due_before: Option<NaiveDateTime>,
    pub after: Option<String>,
    pub limit: Option<u32>,
}

/// One page of the work list: its rows and the cursor of the next page.
#[derive(Debug)]
pub struct WorkPage {
    pub rows: Vec<CaseRow>,
    pub next: Option<String>,
}

/// A page of the officer's agency's open cases by due time (earliest first).
pub async fn work_page(p: &Petition, who: &Principal, q: WorkRequest) -> Result<WorkPage, Error> {
    let agency = agency_of(who)?;
    let max = p.0.config.max_page_size.max(1);
    let limit = q.limit.unwrap_or(50.min(max));
    if !(1..=max).contains(&limit) {
        return Err(Error::invalid_field(
            "limit",
            egov_core::cursor::limit_text(max),
        ));
    }
    if let Some(s) = &q.status
        && Status::parse(s).is_none_or(|s| s == Status::Draft)
    {
        return Err(Error::invalid_field(
            "status",
            egov_core::text!("detail-petition-case-status", "not a case status"),
        ));
    }
    if let Some(s) = &q.service
        && !p.catalogue().services.contains_key(s)
    {
        return Err(Error::invalid_field(
            "service",
            egov_core::text!("detail-petition-service", "a service of the catalogue"),
        ));
    }
    let view = match q.view.as_deref() {
        None => View::All,
        Some(v) => View::parse(v).ok_or_else(|| {
            Error::invalid_field(
                "view",
                egov_core::text!(
                    "detail-petition-view",
                    "all, mine, unassigned, due_soon, overdue or escalated"
                ),
            )
        })?,
    };
    let now = p.now();
    let mut filter = WorkFilter {
        status: q.status,
        service: q.service,
        assignee: q.assignee,
        due_before: q.due_before,
        after: q
            .after
            .as_deref()
            .map(Cursor::decode)
            .transpose()?
            .map(|c| (c.at, c.id)),
        open_only: true,
        unassigned: false,
        running_only: false,
        escalated_from: None,
    };
    let before = |f: &mut WorkFilter, t: NaiveDateTime| {
        f.due_before = Some(f.due_before.map_or(t, |d| d.min(t)));
        f.running_only = true;
    };
    match view {
        View::All => {}
        View::Mine => filter.assignee = Some(who.subject.clone()),
        View::Unassigned => filter.unassigned = true,
        View::Overdue => before(&mut filter, now),
        View::Escalated => filter.escalated_from = Some(escalated_from(p, who)),
        View::DueSoon => {
            let horizon = p
                .clock()
                .horizon(now, p.catalogue().policy.due_soon_working_hours)?;
            before(&mut filter, horizon);
        }
    }
    let want = i64::from(limit) + 1;
    let mut rows = p
        .db()
        .run(move |c| store::work_list(c, &agency, &filter, want))
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last()
            .and_then(|r| r.due_at.map(|d| Cursor::new(d, r.id.clone()).encode()))
    } else {
        None
    };
    Ok(WorkPage { rows, next })
}

/// The lowest step of the pack's ladder whose role the official holds (1: the first step when
/// they hold none): the escalated cases they are to see.
pub fn escalated_from(p: &Petition, who: &Principal) -> i32 {
    p.catalogue()
        .escalation
        .iter()
        .position(|s| who.has_role(&s.role))
        .map_or(1, |i| i32::try_from(i + 1).unwrap_or(1))
}

/// The officer's agency (an official without one sees nothing).
pub fn agency_of(who: &Principal) -> Result<String, Error> {
    who.agency.clone().ok_or_else(|| {
        Error::with_detail(
            egov_core::error::codes::FORBIDDEN,
            egov_core::text!("detail-no-agency", "this account belongs to no agency"),
        )
    })
}

/// The agency's running cases due before `to`, earliest first.
pub async fn due_before(
    p: &Petition,
    agency: String,
    to: NaiveDateTime,
    limit: i64,
) -> Result<Vec<CaseRow>, Error> {
    p.db()
        .run(move |c| store::due_before(c, &agency, to, limit))
        .await
}
