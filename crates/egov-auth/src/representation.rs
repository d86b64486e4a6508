//! Representation of businesses by people, by invitation: a business asks for a person by
//! national ID; the person sees the request in their own account and accepts or refuses it.
//! Until they decide, the business learns nothing about the national ID (the answer to a
//! request is the same whether or not anyone has registered with it).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use egov_core::error::codes;
use egov_core::{DbConnection, Error};
use serde::Serialize;
use utoipa::ToSchema;

use crate::schema::auth_business_representatives as r;
use crate::schema::auth_representation_invitations as inv;

/// How long a request waits for the person's answer.
pub const VALID_DAYS: i64 = 14;

/// Most requests a business may have waiting at once.
pub const MAX_PENDING: i64 = 50;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = RepresentationStatus)]
pub enum Status {
    /// Waiting for the person (also when no one has registered with the national ID).
    Pending,
    Accepted,
    Refused,
    /// Taken back by the business before the person answered.
    Withdrawn,
    /// Not answered within the time allowed.
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Refused => "refused",
            Self::Withdrawn => "withdrawn",
            Self::Expired => "expired",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "accepted" => Self::Accepted,
            "refused" => Self::Refused,
            "withdrawn" => Self::Withdrawn,
            "expired" => Self::Expired,
            _ => Self::Pending,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inv)]
pub struct InvitationRow {
    pub id: String,
    pub business_account_id: String,
    pub national_id_index: String,
    pub national_id_masked: String,
    pub status: String,
    pub citizen_account_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
}

impl InvitationRow {
    /// The status as of `now` (a pending request past its time is expired).
    pub fn status_at(&self, now: NaiveDateTime) -> Status {
        match Status::parse(&self.status) {
            Status::Pending if self.expires_at <= now => Status::Expired,
            s => s,
        }
    }
}

/// A new request from `business` for the person with national-ID index `index`. A request
/// still waiting for the same person is returned instead of a second one.
pub fn invite(
    conn: &mut DbConnection,
    business: &str,
    index: &str,
    masked: &str,
    now: NaiveDateTime,
) -> Result<InvitationRow, Error> {
    egov_core::db::write_transaction(conn, |conn| {
        let waiting = inv::table
            .filter(inv::business_account_id.eq(business))
            .filter(inv::national_id_index.eq(index))
            .filter(inv::status.eq(Status::Pending.as_str()))
            .filter(inv::expires_at.gt(now))
            .select(InvitationRow::as_select())
            .first(conn)
            .optional()?;
        if let Some(w) = waiting {
            return Ok(w);
        }
        let pending: i64 = inv::table
            .filter(inv::business_account_id.eq(business))
            .filter(inv::status.eq(Status::Pending.as_str()))
            .filter(inv::expires_at.gt(now))
            .count()
            .get_result(conn)?;
        if pending >= MAX_PENDING {
            return Err(Error::with_detail(
                codes::CONFLICT,
                egov_core::text!(
                    "detail-too-many-pending",
                    "{count} requests are waiting for an answer; withdraw some or wait for answers",
                    count = MAX_PENDING
                ),
            ));
        }
        let row = InvitationRow {
            id: uuid::Uuid::now_v7().to_string(),
            business_account_id: business.to_owned(),
            national_id_index: index.to_owned(),
            national_id_masked: masked.to_owned(),
            status: Status::Pending.as_str().to_owned(),
            citizen_account_id: None,
            created_at: now,
            expires_at: now + Duration::days(VALID_DAYS),
            decided_at: None,
        };
        diesel::insert_into(inv::table)
            .values((
                inv::id.eq(&row.id),
                inv::business_account_id.eq(&row.business_account_id),
                inv::national_id_index.eq(&row.national_id_index),
                inv::national_id_masked.eq(&row.national_id_masked),
                inv::status.eq(&row.status),
                inv::created_at.eq(row.created_at),
                inv::expires_at.eq(row.expires_at),
            ))
            .execute(conn)?;
        Ok(row)
    })
}

/// A business's requests, newest first (at most 200).
pub fn sent_by(conn: &mut DbConnection, business: &str) -> Result<Vec<InvitationRow>, Error> {
    Ok(inv::table
        .filter(inv::business_account_id.eq(business))
        .order((inv::created_at.desc(), inv::id.desc()))
        .limit(200)
        .select(InvitationRow::as_select())
        .load(conn)?)
}

/// The requests waiting for the person with national-ID index `index`.
pub fn waiting_for(
    conn: &mut DbConnection,
    index: &str,
    now: NaiveDateTime,
) -> Result<Vec<InvitationRow>, Error> {
    Ok(inv::table
        .filter(inv::national_id_index.eq(index))
        .filter(inv::status.eq(Status::Pending.as_str()))
        .filter(inv::expires_at.gt(now))
        .order((inv::created_at.desc(), inv::id.desc()))
        .limit(200)
        .select(InvitationRow::as_select())
        .load(conn)?)
}

fn not_found() -> Error {
    Error::with_detail(
        codes::NOT_FOUND,
        egov_core::text!(
            "detail-no-waiting-request",
            "no such request waiting for an answer"
        ),
    )
}

/// The person's answer: accepting links them as a representative. Only a waiting request
/// addressed to `index` can be answered (anything else is not found).
pub fn answer(
    conn: &mut DbConnection,
    id: &str,
    citizen: &str,
    index: &str,
    accept: bool,
    now: NaiveDateTime,
) -> Result<InvitationRow, Error> {
    egov_core::db::write_transaction(conn, |conn| {
        let status = if accept {
            Status::Accepted
        } else {
            Status::Refused
        };
        let changed = diesel::update(
            inv::table
                .find(id)
                .filter(inv::national_id_index.eq(index))
                .filter(inv::status.eq(Status::Pending.as_str()))
                .filter(inv::expires_at.gt(now)),
        )
        .set((
            inv::status.eq(status.as_str()),
            inv::citizen_account_id.eq(citizen),
            inv::decided_at.eq(now),
        ))
        .execute(conn)?;
        if changed != 1 {
            return Err(not_found());
        }
        let row: InvitationRow = inv::table
            .find(id)
            .select(InvitationRow::as_select())
            .first(conn)?;
        if accept {
            let exists: i64 = r::table
                .filter(r::business_account_id.eq(&row.business_account_id))
                .filter(r::citizen_account_id.eq(citizen))
                .count()
                .get_result(conn)?;
            if exists == 0 {
                diesel::insert_into(r::table)
                    .values((
                        r::business_account_id.eq(&row.business_account_id),
                        r::citizen_account_id.eq(citizen),
                        r::added_at.eq(now),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(row)
    })
}

/// The business takes back a request still waiting; the row it withdrew.
pub fn withdraw(
    conn: &mut DbConnection,
    id: &str,
    business: &str,
    now: NaiveDateTime,
) -> Result<InvitationRow, Error> {
    egov_core::db::write_transaction(conn, |conn| {
        let changed = diesel::update(
            inv::table
                .find(id)
                .filter(inv::business_account_id.eq(business))
                .filter(inv::status.eq(Status::Pending.as_str())),
        )
        .set((
            inv::status.eq(Status::Withdrawn.as_str()),
            inv::decided_at.eq(now),
        ))
        .execute(conn)?;
        if changed != 1 {
            return Err(not_found());
        }
        Ok(inv::table
            .find(id)
            .select(InvitationRow::as_select())
            .first(conn)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str, expires_in_days: i64) -> InvitationRow {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .expect("time")
            .naive_utc();
        InvitationRow {
            id: "i".into(),
            business_account_id: "b".into(),
            national_id_index: "x".into(),
            national_id_masked: "m".into(),
            status: status.into(),
            citizen_account_id: None,
            created_at: now,
            expires_at: now + Duration::days(expires_in_days),
            decided_at: None,
        }
    }

    #[test]
    fn a_pending_request_past_its_time_is_expired_and_answered_ones_stay_answered() {
        let now = row("pending", 0).created_at;
        assert_eq!(row("pending", 1).status_at(now), Status::Pending);
        assert_eq!(row("pending", 0).status_at(now), Status::Expired);
        for s in [
            Status::Accepted,
            Status::Refused,
            Status::Withdrawn,
            Status::Expired,
        ] {
            assert_eq!(row(s.as_str(), -1).status_at(now), s);
            assert_eq!(row(s.as_str(), 1).status_at(now), s);
        }
    }
}
