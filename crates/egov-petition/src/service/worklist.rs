//! Officers' work lists: the agency's open cases by filter, and its deadlines.

use chrono::NaiveDateTime;
use egov_core::Error;

use crate::Petition;
use crate::store::{self, CaseRow, WorkFilter};

/// A page of the agency's open cases (one more than `limit` when there is a next page).
pub async fn work_list(
    p: &Petition,
    agency: String,
    filter: WorkFilter,
    limit: i64,
) -> Result<Vec<CaseRow>, Error> {
    p.db()
        .run(move |c| store::work_list(c, &agency, &filter, limit))
        .await
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
