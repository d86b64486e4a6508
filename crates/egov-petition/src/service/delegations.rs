//! Delegations: a person lets someone else apply for documents about them.

use egov_core::Error;

use crate::store::{self, DelegationRow};
use crate::{Petition, errors};

/// Stores a delegation.
pub async fn give(p: &Petition, row: DelegationRow) -> Result<(), Error> {
    p.db().run(move |c| store::insert_delegation(c, &row)).await
}

/// The delegations a person gave or received.
pub async fn of(p: &Petition, key: String) -> Result<Vec<DelegationRow>, Error> {
    p.db().run(move |c| store::delegations_of(c, &key)).await
}

/// Withdraws a live delegation the person gave.
pub async fn withdraw(p: &Petition, grantor: String, id: String) -> Result<(), Error> {
    let now = p.now();
    let done = p
        .db()
        .run(move |c| store::withdraw_delegation(c, &id, &grantor, now))
        .await?;
    if done {
        Ok(())
    } else {
        Err(Error::with_detail(
            errors::DELEGATION_NOT_FOUND,
            egov_core::text!(
                "detail-no-delegation",
                "no live delegation of yours with this id"
            ),
        ))
    }
}
