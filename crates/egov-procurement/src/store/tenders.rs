//! Tenders and their lists, key shares, amendments and questions.

use super::*;

pub fn tender(c: &mut DbConnection, id: &str) -> Result<Option<TenderRow>, Error> {
    Ok(procurement_tenders::table
        .find(id)
        .select(TenderRow::as_select())
        .first(c)
        .optional()?)
}

pub fn tender_by_ocid(c: &mut DbConnection, ocid: &str) -> Result<Option<TenderRow>, Error> {
    Ok(procurement_tenders::table
        .filter(procurement_tenders::ocid.eq(ocid))
        .select(TenderRow::as_select())
        .first(c)
        .optional()?)
}

pub fn insert_tender(c: &mut DbConnection, row: &TenderRow) -> Result<(), Error> {
    diesel::insert_into(procurement_tenders::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

/// Saves `row` if nobody changed it since `row.version` was read; bumps the version.
pub fn save_tender(c: &mut DbConnection, row: &mut TenderRow) -> Result<bool, Error> {
    let expected = row.version;
    row.version += 1;
    let n = diesel::update(
        procurement_tenders::table
            .find(&row.id)
            .filter(procurement_tenders::version.eq(expected)),
    )
    .set(&*row)
    .execute(c)?;
    if n == 0 {
        row.version = expected;
    }
    Ok(n == 1)
}

/// Moves a tender from `from` to `to` if it is still in `from`: true for exactly one caller,
/// however many processes try (the row lock orders them; the loser sees the new status).
pub fn claim(
    c: &mut DbConnection,
    id: &str,
    from: &str,
    to: &str,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    let n = diesel::update(
        procurement_tenders::table
            .find(id)
            .filter(procurement_tenders::status.eq(from)),
    )
    .set((
        procurement_tenders::status.eq(to),
        procurement_tenders::updated_at.eq(at),
        procurement_tenders::version.eq(procurement_tenders::version + 1),
    ))
    .execute(c)?;
    Ok(n == 1)
}

#[derive(Debug, QueryableByName)]
pub struct Gate {
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Timestamp)]
    pub deadline: NaiveDateTime,
}

/// Reads a tender's status and deadline for a bid, holding a shared lock on PostgreSQL (the
/// deadline transition's update waits for bids in flight, and a bid waits for it) — SQLite's
/// write transactions are already exclusive.
pub fn gate(c: &mut DbConnection, id: &str) -> Result<Option<Gate>, Error> {
    let sql = match c {
        DbConnection::Pg(_) => {
            "SELECT status, deadline FROM procurement_tenders WHERE id = $1 FOR SHARE"
        }
        DbConnection::Sqlite(_) => "SELECT status, deadline FROM procurement_tenders WHERE id = $1",
    };
    Ok(diesel::sql_query(sql)
        .bind::<Text, _>(id)
        .get_result(c)
        .optional()?)
}

/// Tenders whose time-driven transition is due at `now`.
pub fn due(c: &mut DbConnection, now: NaiveDateTime) -> Result<Vec<(String, String)>, Error> {
    use procurement_tenders::dsl as t;
    Ok(t::procurement_tenders
        .filter(
            t::status
                .eq("published")
                .or(t::status.eq("enquiry").and(t::enquiry_end.le(now)))
                .or(t::status.eq("tendering").and(t::deadline.le(now)))
                .or(t::status.eq("deadline").and(t::opening_at.le(now)))
                .or(t::status.eq("standstill").and(t::standstill_end.le(now))),
        )
        .select((t::id, t::status))
        .limit(500)
        .load(c)?)
}

/// Tenders with their deadline in `[from, to)`, cancelled and drafts aside.
pub fn deadlines_between(
    c: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
    except: &str,
) -> Result<i64, Error> {
    use procurement_tenders::dsl as t;
    Ok(t::procurement_tenders
        .filter(t::deadline.ge(from))
        .filter(t::deadline.lt(to))
        .filter(t::status.ne_all(["draft", "cancelled"]))
        .filter(t::id.ne(except))
        .count()
        .get_result(c)?)
}

/// Public list: everything published, newest first, keyset by (created_at, id).
pub fn tenders_page(
    c: &mut DbConnection,
    agency: Option<&str>,
    include_drafts: bool,
    status: Option<&str>,
    category: Option<&str>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<TenderRow>, Error> {
    use procurement_tenders::dsl as t;
    let mut q = t::procurement_tenders
        .select(TenderRow::as_select())
        .into_boxed();
    if let Some(c) = category {
        q = q.filter(t::category.eq(c.to_owned()));
    }
    if let Some(a) = agency {
        q = q.filter(t::agency.eq(a.to_owned()));
    }
    if !include_drafts {
        q = q.filter(t::status.ne("draft"));
    }
    if let Some(s) = status {
        q = q.filter(t::status.eq(s.to_owned()));
    }
    if let Some((at, id)) = after {
        q = q.filter(
            t::created_at
                .lt(at)
                .or(t::created_at.eq(at).and(t::id.lt(id))),
        );
    }
    Ok(q.order((t::created_at.desc(), t::id.desc()))
        .limit(limit)
        .load(c)?)
}

/// The tenders in `status` on which `evaluator` is an evaluator, newest first (the evaluators
/// are a JSON list of account ids: the quoted id is matched, wildcards escaped).
pub fn evaluator_tenders(
    c: &mut DbConnection,
    evaluator: &str,
    status: &str,
    limit: i64,
) -> Result<Vec<TenderRow>, Error> {
    use procurement_tenders::dsl as t;
    let quoted = serde_json::to_string(evaluator).map_err(Error::internal)?;
    let escaped = quoted
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Ok(t::procurement_tenders
        .filter(t::status.eq(status))
        .filter(t::evaluators.like(format!("%{escaped}%")).escape('\\'))
        .order((t::created_at.desc(), t::id.desc()))
        .limit(limit)
        .select(TenderRow::as_select())
        .load(c)?)
}

// ------------------------------------------------------------------ shares

pub fn insert_share(c: &mut DbConnection, row: &ShareRow) -> Result<(), Error> {
    diesel::insert_into(procurement_shares::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn shares(c: &mut DbConnection, tender: &str) -> Result<Vec<ShareRow>, Error> {
    Ok(procurement_shares::table
        .filter(procurement_shares::tender_id.eq(tender))
        .order(procurement_shares::member.asc())
        .select(ShareRow::as_select())
        .load(c)?)
}

/// The shares held by committee member `member` with their tenders, newest tender first.
pub fn member_shares(
    c: &mut DbConnection,
    member: &str,
    limit: i64,
) -> Result<Vec<(TenderRow, ShareRow)>, Error> {
    let shares: Vec<ShareRow> = procurement_shares::table
        .filter(procurement_shares::member.eq(member))
        .order(procurement_shares::tender_id.desc())
        .limit(limit)
        .select(ShareRow::as_select())
        .load(c)?;
    let mut out = Vec::with_capacity(shares.len());
    for s in shares {
        if let Some(t) = tender(c, &s.tender_id)? {
            out.push((t, s));
        }
    }
    Ok(out)
}

pub fn submit_share(
    c: &mut DbConnection,
    tender: &str,
    member: &str,
    share: &str,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    let n = diesel::update(
        procurement_shares::table
            .find((tender, member))
            .filter(procurement_shares::share.is_null()),
    )
    .set((
        procurement_shares::share.eq(share),
        procurement_shares::submitted_at.eq(at),
    ))
    .execute(c)?;
    Ok(n == 1)
}

// ------------------------------------------------------------------ amendments, questions

pub fn insert_amendment(c: &mut DbConnection, row: &AmendmentRow) -> Result<(), Error> {
    diesel::insert_into(procurement_amendments::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn amendments(c: &mut DbConnection, tender: &str) -> Result<Vec<AmendmentRow>, Error> {
    Ok(procurement_amendments::table
        .filter(procurement_amendments::tender_id.eq(tender))
        .order(procurement_amendments::number.asc())
        .select(AmendmentRow::as_select())
        .load(c)?)
}

pub fn insert_question(c: &mut DbConnection, row: &QuestionRow) -> Result<(), Error> {
    diesel::insert_into(procurement_questions::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn questions(c: &mut DbConnection, tender: &str) -> Result<Vec<QuestionRow>, Error> {
    Ok(procurement_questions::table
        .filter(procurement_questions::tender_id.eq(tender))
        .order((
            procurement_questions::asked_at.asc(),
            procurement_questions::id.asc(),
        ))
        .select(QuestionRow::as_select())
        .load(c)?)
}

pub fn answer_question(
    c: &mut DbConnection,
    tender: &str,
    id: &str,
    answer: &str,
    by: &str,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    let n = diesel::update(
        procurement_questions::table
            .find(id)
            .filter(procurement_questions::tender_id.eq(tender))
            .filter(procurement_questions::answer.is_null()),
    )
    .set((
        procurement_questions::answer.eq(answer),
        procurement_questions::answered_by.eq(by),
        procurement_questions::answered_at.eq(at),
    ))
    .execute(c)?;
    Ok(n == 1)
}
