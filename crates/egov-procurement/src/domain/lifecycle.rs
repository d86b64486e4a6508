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

/// Everything that can happen to a tender, by people or by the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The buyer edits the draft.
    EditDraft,
    Publish,
    /// Scheduler: the notice is out, questions open.
    OpenEnquiry,
    AskQuestion,
    /// Scheduler: the enquiry period ends, bids open.
    OpenTendering,
    /// Submit, replace or withdraw a sealed bid.
    Bid,
    Postpone,
    Resume,
    /// Amend the terms (before the deadline, or while a complaint against them is pending).
    Amend,
    Cancel,
    /// Scheduler: the deadline passes.
    CloseTendering,
    /// Scheduler: the opening time comes.
    StartOpening,
    /// A committee member fetches or hands in a key share.
    HandInShare,
    OpenBids,
    Score,
    Rank,
    DecideAward,
    /// Scheduler: the standstill ends without a pending complaint.
    EndStandstill,
    /// Both parties have signed every contract.
    Contract,
    /// The review body decides the pending complaint.
    DecideComplaint,
}

impl Action {
    pub const ALL: [Action; 20] = [
        Self::EditDraft,
        Self::Publish,
        Self::OpenEnquiry,
        Self::AskQuestion,
        Self::OpenTendering,
        Self::Bid,
        Self::Postpone,
        Self::Resume,
        Self::Amend,
        Self::Cancel,
        Self::CloseTendering,
        Self::StartOpening,
        Self::HandInShare,
        Self::OpenBids,
        Self::Score,
        Self::Rank,
        Self::DecideAward,
        Self::EndStandstill,
        Self::Contract,
        Self::DecideComplaint,
    ];
}

impl Status {
    /// Whether `action` is allowed in this status (the one table every check reads).
    /// Complaints are not here: whether one may be filed depends on the status the tender was
    /// in before a pending complaint suspended it, and on the clock (`service::complain`).
    pub fn permits(self, action: Action) -> bool {
        use Action as A;
        match action {
            A::EditDraft | A::Publish => self == Self::Draft,
            A::OpenEnquiry => self == Self::Published,
            A::AskQuestion => self == Self::Enquiry,
            A::OpenTendering => self == Self::Enquiry,
            A::Bid | A::CloseTendering => self == Self::Tendering,
            A::Postpone => matches!(self, Self::Enquiry | Self::Tendering),
            A::Resume => self == Self::Postponed,
            A::Amend => self.before_deadline() || self == Self::Suspended,
            A::Cancel => self.cancellable(),
            A::StartOpening => self == Self::Deadline,
            A::HandInShare => matches!(self, Self::Deadline | Self::Opening),
            A::OpenBids => self == Self::Opening,
            A::Score | A::Rank => self == Self::Evaluation,
            A::DecideAward => self == Self::AwardPending,
            A::EndStandstill => self == Self::Standstill,
            A::Contract => self == Self::Awarded,
            A::DecideComplaint => self == Self::Suspended,
        }
    }

    /// The status `action` leads to, where it does not depend on more than the status
    /// (`None`: not permitted, or decided by the use case: opening and ranking end
    /// unsuccessful without enough valid bids, a resumed tender returns to the period its
    /// dates say, a decided complaint returns to the status before it).
    pub fn after(self, action: Action) -> Option<Status> {
        use Action as A;
        if !self.permits(action) {
            return None;
        }
        match action {
            A::EditDraft | A::AskQuestion | A::Bid | A::Amend | A::HandInShare | A::Score => {
                Some(self)
            }
            A::Publish => Some(Self::Published),
            A::OpenEnquiry => Some(Self::Enquiry),
            A::OpenTendering => Some(Self::Tendering),
            A::Postpone => Some(Self::Postponed),
            A::Cancel => Some(Self::Cancelled),
            A::CloseTendering => Some(Self::Deadline),
            A::StartOpening => Some(Self::Opening),
            A::DecideAward => Some(Self::Standstill),
            A::EndStandstill => Some(Self::Awarded),
            A::Contract => Some(Self::Contracted),
            A::Resume | A::OpenBids | A::Rank | A::DecideComplaint => None,
        }
    }

    /// The scheduler's time-driven step from this status, if it has one.
    pub fn scheduled(self) -> Option<(Action, Status)> {
        [
            Action::OpenEnquiry,
            Action::OpenTendering,
            Action::CloseTendering,
            Action::StartOpening,
            Action::EndStandstill,
        ]
        .into_iter()
        .find_map(|a| self.after(a).map(|to| (a, to)))
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

    /// Every status × every action: the allowed pairs, written out, and nothing else allowed.
    #[test]
    fn every_status_and_action() {
        use Action as A;
        use Status as S;
        let allowed: &[(S, &[A])] = &[
            (S::Draft, &[A::EditDraft, A::Publish]),
            (S::Published, &[A::OpenEnquiry, A::Amend, A::Cancel]),
            (
                S::Enquiry,
                &[
                    A::AskQuestion,
                    A::OpenTendering,
                    A::Postpone,
                    A::Amend,
                    A::Cancel,
                ],
            ),
            (
                S::Tendering,
                &[A::Bid, A::CloseTendering, A::Postpone, A::Amend, A::Cancel],
            ),
            (S::Postponed, &[A::Resume, A::Amend, A::Cancel]),
            (S::Deadline, &[A::StartOpening, A::HandInShare, A::Cancel]),
            (S::Opening, &[A::HandInShare, A::OpenBids, A::Cancel]),
            (S::Evaluation, &[A::Score, A::Rank, A::Cancel]),
            (S::AwardPending, &[A::DecideAward, A::Cancel]),
            (S::Standstill, &[A::EndStandstill, A::Cancel]),
            (S::Awarded, &[A::Contract]),
            (S::Contracted, &[]),
            (S::Cancelled, &[]),
            (S::Unsuccessful, &[]),
            (S::Suspended, &[A::Amend, A::Cancel, A::DecideComplaint]),
        ];
        assert_eq!(allowed.len(), Status::ALL.len());
        for status in Status::ALL {
            let listed = allowed
                .iter()
                .find(|(s, _)| *s == status)
                .map(|(_, a)| *a)
                .expect("every status listed");
            for action in Action::ALL {
                assert_eq!(
                    status.permits(action),
                    listed.contains(&action),
                    "{status:?} × {action:?}"
                );
                if !listed.contains(&action) {
                    assert_eq!(status.after(action), None, "{status:?} × {action:?}");
                }
            }
        }
    }

    #[test]
    fn where_each_action_leads() {
        use Action as A;
        use Status as S;
        let cases = [
            (S::Draft, A::Publish, Some(S::Published)),
            (S::Draft, A::EditDraft, Some(S::Draft)),
            (S::Published, A::OpenEnquiry, Some(S::Enquiry)),
            (S::Enquiry, A::OpenTendering, Some(S::Tendering)),
            (S::Enquiry, A::Postpone, Some(S::Postponed)),
            (S::Tendering, A::Bid, Some(S::Tendering)),
            (S::Tendering, A::CloseTendering, Some(S::Deadline)),
            (S::Deadline, A::StartOpening, Some(S::Opening)),
            (S::Opening, A::OpenBids, None),
            (S::Evaluation, A::Rank, None),
            (S::AwardPending, A::DecideAward, Some(S::Standstill)),
            (S::Standstill, A::EndStandstill, Some(S::Awarded)),
            (S::Awarded, A::Contract, Some(S::Contracted)),
            (S::Standstill, A::Cancel, Some(S::Cancelled)),
            (S::Suspended, A::Amend, Some(S::Suspended)),
            (S::Postponed, A::Resume, None),
        ];
        for (from, action, to) in cases {
            assert_eq!(from.after(action), to, "{from:?} × {action:?}");
        }
    }

    #[test]
    fn the_scheduler_moves_only_time_driven_statuses() {
        use Status as S;
        let steps: Vec<_> = Status::ALL
            .into_iter()
            .filter_map(|s| s.scheduled().map(|(_, to)| (s, to)))
            .collect();
        assert_eq!(
            steps,
            [
                (S::Published, S::Enquiry),
                (S::Enquiry, S::Tendering),
                (S::Tendering, S::Deadline),
                (S::Deadline, S::Opening),
                (S::Standstill, S::Awarded),
            ]
        );
    }
}
