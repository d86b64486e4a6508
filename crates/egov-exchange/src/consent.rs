//! The consent ledger's records and the provider's check of a consent reference.
//!
//! A consent names the person (person key), the using client (a subsystem, or a whole
//! member), the service, the purpose, the items, when it was granted and when it expires; a
//! withdrawal takes effect at once, because providers ask the ledger on every request.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::Fault;
use crate::store::ConsentRow;
use crate::xroad::ClientId;

/// A consent as the ledger shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConsentView {
    /// The consent reference (send it as `X-Egov-Consent`).
    pub id: String,
    /// The person key (blind index of the national ID).
    pub subject: String,
    /// The client the person lets use their data: `INSTANCE/CLASS/MEMBER/SUBSYSTEM` or a whole
    /// member.
    pub client: String,
    pub service: String,
    pub purpose: String,
    pub items: Vec<String>,
    pub granted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl From<ConsentRow> for ConsentView {
    fn from(r: ConsentRow) -> Self {
        Self {
            items: r.item_list(),
            id: r.id,
            subject: r.subject,
            client: r.client,
            service: r.service,
            purpose: r.purpose,
            granted_at: r.granted_at.and_utc(),
            expires_at: r.expires_at.and_utc(),
            withdrawn_at: r.withdrawn_at.map(|t| t.and_utc()),
        }
    }
}

/// Checks that `record` lets `client` have `subject`'s data from `service` for `purpose` at
/// `now`, and returns the items it covers.
pub fn covers(
    record: Option<&ConsentView>,
    subject: &str,
    client: &ClientId,
    service: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, Fault> {
    let invalid = |why: &str| Fault::new(403, "Client.ConsentInvalid", why.to_owned());
    let r = record.ok_or_else(|| invalid("the consent reference is not in the ledger"))?;
    if r.subject != subject {
        return Err(invalid("the consent was given by another person"));
    }
    if r.client != client.to_string() && r.client != client.member().to_string() {
        return Err(invalid("the consent was given to another client"));
    }
    if r.service != service {
        return Err(invalid("the consent is for another service"));
    }
    if r.purpose != purpose {
        return Err(invalid("the consent is for another purpose"));
    }
    if let Some(at) = r.withdrawn_at {
        return Err(Fault::new(
            403,
            "Client.ConsentWithdrawn",
            format!("the person withdrew this consent at {}", at.to_rfc3339()),
        ));
    }
    if r.expires_at <= now {
        return Err(Fault::new(
            403,
            "Client.ConsentExpired",
            format!("the consent expired at {}", r.expires_at.to_rfc3339()),
        ));
    }
    Ok(r.items.clone())
}
