//! A tender's statuses and the OCDS codes they publish as (pure).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = TenderStatus)]
pub enum Status {
    Draft,
    /// The notice is out; the enquiry period starts at the scheduler's next tick.
    Published,
    /// Questions are accepted; answers are published to all.
    Enquiry,
    /// Bids are accepted until the deadline.
    Tendering,
    /// The deadline was moved off (e.g. after an outage); no bids until resumed.
    Postponed,
    /// The deadline has passed: the number of bids and their commitments are public.
    Deadline,
    /// The opening time has come: the committee hands in its shares.
    Opening,
    /// Bids are open; evaluators score.
    Evaluation,
    /// The ranking is computed; the award decision is pending.
    AwardPending,
    /// The award is decided; complaints against it are possible until the standstill ends.
    Standstill,
    Awarded,
    Contracted,
    Cancelled,
    /// Fewer valid bids than the procedure's minimum, or no bid could be awarded (유찰).
    Unsuccessful,
    /// A complaint is pending.
    Suspended,
}

impl Status {
    pub const ALL: [Status; 15] = [
        Self::Draft,
        Self::Published,
        Self::Enquiry,
        Self::Tendering,
        Self::Postponed,
        Self::Deadline,
        Self::Opening,
        Self::Evaluation,
        Self::AwardPending,
        Self::Standstill,
        Self::Awarded,
        Self::Contracted,
        Self::Cancelled,
        Self::Unsuccessful,
        Self::Suspended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Enquiry => "enquiry",
            Self::Tendering => "tendering",
            Self::Postponed => "postponed",
            Self::Deadline => "deadline",
            Self::Opening => "opening",
            Self::Evaluation => "evaluation",
            Self::AwardPending => "award_pending",
            Self::Standstill => "standstill",
            Self::Awarded => "awarded",
            Self::Contracted => "contracted",
            Self::Cancelled => "cancelled",
            Self::Unsuccessful => "unsuccessful",
            Self::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// OCDS `tenderStatus`.
    pub fn ocds(self) -> &'static str {
        match self {
            Self::Draft => "planning",
            Self::Awarded | Self::Contracted => "complete",
            Self::Cancelled => "cancelled",
            Self::Unsuccessful => "unsuccessful",
            _ => "active",
        }
    }

    /// Before the deadline: the terms can be amended, questioned and complained about.
    pub fn before_deadline(self) -> bool {
        matches!(
            self,
            Self::Published | Self::Enquiry | Self::Tendering | Self::Postponed
        )
    }

    /// The officer may cancel the tender (not after the award is final).
    pub fn cancellable(self) -> bool {
        !matches!(
            self,
            Self::Draft | Self::Awarded | Self::Contracted | Self::Cancelled | Self::Unsuccessful
        )
    }

    /// Visible to the public (everything after publication).
    pub fn public(self) -> bool {
        !matches!(self, Self::Draft)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("nope"), None);
    }
}
