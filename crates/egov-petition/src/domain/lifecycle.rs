//! The case lifecycle (pure): statuses, who may move a case from which status to which, and
//! the Open311 view of each status.
//!
//! ```text
//! draft ─submit→ submitted ─receive→ received ─review→ in_review ─request_supplement→
//!   supplement_requested ─supplement→ supplemented ─review→ in_review ─decide→ decided
//!   decided ─issue→ issued   decided ─close→ closed
//! withdraw (applicant): any open status → withdrawn
//! transfer (officer): any open status → submitted at the receiving agency
//! merge (officer, complaints): open → merged
//! reopen (applicant, complaints, within the pack's window): closed → in_review
//! ```

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    Received,
    InReview,
    SupplementRequested,
    Supplemented,
    Decided,
    Issued,
    Closed,
    Withdrawn,
    Merged,
}

impl Status {
    pub const ALL: [Status; 11] = [
        Self::Draft,
        Self::Submitted,
        Self::Received,
        Self::InReview,
        Self::SupplementRequested,
        Self::Supplemented,
        Self::Decided,
        Self::Issued,
        Self::Closed,
        Self::Withdrawn,
        Self::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Received => "received",
            Self::InReview => "in_review",
            Self::SupplementRequested => "supplement_requested",
            Self::Supplemented => "supplemented",
            Self::Decided => "decided",
            Self::Issued => "issued",
            Self::Closed => "closed",
            Self::Withdrawn => "withdrawn",
            Self::Merged => "merged",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Submitted and not yet finished: on an agency's work list, under the clock.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Submitted
                | Self::Received
                | Self::InReview
                | Self::SupplementRequested
                | Self::Supplemented
        )
    }

    /// Finished: nothing more happens unless the applicant reopens a complaint.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Issued | Self::Closed | Self::Withdrawn | Self::Merged
        )
    }

    /// GeoReport v2 knows `open` and `closed` only.
    pub fn open311(self) -> &'static str {
        if self.is_final() { "closed" } else { "open" }
    }

    /// The extended status (mySociety's vocabulary) given with `extensions=true`.
    pub fn open311_extended(self, approved: Option<bool>) -> &'static str {
        match self {
            Self::Draft | Self::Submitted => "for_triage",
            Self::Received => "open",
            Self::InReview | Self::Supplemented => "investigating",
            Self::SupplementRequested => "action_scheduled",
            Self::Decided => "in_progress",
            Self::Issued => "fixed",
            Self::Closed => match approved {
                Some(true) => "fixed",
                Some(false) => "no_further_action",
                None => "closed",
            },
            Self::Withdrawn => "closed",
            Self::Merged => "duplicate",
        }
    }
}

/// Something that happens to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Submit,
    Receive,
    Review,
    RequestSupplement,
    Supplement,
    Decide,
    Issue,
    Close,
    Withdraw,
    Transfer,
    Merge,
    Reopen,
    Extend,
    Assign,
    Rate,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Receive => "receive",
            Self::Review => "review",
            Self::RequestSupplement => "request_supplement",
            Self::Supplement => "supplement",
            Self::Decide => "decide",
            Self::Issue => "issue",
            Self::Close => "close",
            Self::Withdraw => "withdraw",
            Self::Transfer => "transfer",
            Self::Merge => "merge",
            Self::Reopen => "reopen",
            Self::Extend => "extend",
            Self::Assign => "assign",
            Self::Rate => "rate",
        }
    }
}

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Applicant,
    Officer,
}

/// The facts about a case the rules depend on.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub epeople: bool,
    pub issues_document: bool,
    pub approved: Option<bool>,
}

/// The status `action` by `actor` leads to from `from`, or `None` when it is not allowed.
/// Actions that do not change the status (extend, assign, rate) return `from`.
pub fn next(from: Status, action: Action, actor: Actor, f: Facts) -> Option<Status> {
    use Action as A;
    use Actor::{Applicant, Officer};
    use Status as S;
    let to = match (actor, action, from) {
        (Applicant, A::Submit, S::Draft) => S::Submitted,
        (Applicant, A::Supplement, S::SupplementRequested) => S::Supplemented,
        (Applicant, A::Withdraw, s) if s.is_open() || s == S::Draft => S::Withdrawn,
        (Applicant, A::Reopen, S::Closed) if f.epeople => S::InReview,
        (Applicant, A::Rate, s) if matches!(s, S::Closed | S::Issued) => s,
        (Officer, A::Receive, S::Submitted) => S::Received,
        (Officer, A::Review, S::Received | S::Supplemented) => S::InReview,
        (Officer, A::RequestSupplement, S::InReview) => S::SupplementRequested,
        (Officer, A::Decide, S::InReview | S::Supplemented) => S::Decided,
        (Officer, A::Issue, S::Decided) if f.issues_document && f.approved == Some(true) => {
            S::Issued
        }
        (Officer, A::Close, S::Decided) if !(f.issues_document && f.approved == Some(true)) => {
            S::Closed
        }
        (Officer, A::Transfer, s) if s.is_open() => S::Submitted,
        (Officer, A::Merge, s) if s.is_open() && f.epeople => S::Merged,
        (Officer, A::Extend, s) if s.is_open() && s != S::SupplementRequested => s,
        (Officer, A::Assign, s) if s.is_open() || s == S::Decided => s,
        _ => return None,
    };
    Some(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: Facts = Facts {
        epeople: false,
        issues_document: true,
        approved: Some(true),
    };

    #[test]
    fn the_certificate_path_and_only_it() {
        use Action as A;
        use Actor::{Applicant as C, Officer as O};
        let mut s = Status::Draft;
        for (actor, a) in [
            (C, A::Submit),
            (O, A::Receive),
            (O, A::Review),
            (O, A::RequestSupplement),
            (C, A::Supplement),
            (O, A::Review),
            (O, A::Decide),
            (O, A::Issue),
        ] {
            s = next(s, a, actor, CERT).unwrap_or_else(|| panic!("{a:?} from {s:?}"));
        }
        assert_eq!(s, Status::Issued);
        // Closing an approved case that must issue a document is refused; so is issuing twice.
        assert_eq!(next(Status::Decided, A::Close, O, CERT), None);
        assert_eq!(next(Status::Issued, A::Issue, O, CERT), None);
        // The applicant cannot act for the officer, nor the officer for the applicant.
        assert_eq!(next(Status::Submitted, A::Receive, C, CERT), None);
        assert_eq!(
            next(Status::SupplementRequested, A::Supplement, O, CERT),
            None
        );
        // Statutory cases are not reopened or merged.
        assert_eq!(next(Status::Closed, A::Reopen, C, CERT), None);
        assert_eq!(next(Status::Received, A::Merge, O, CERT), None);
    }

    #[test]
    fn open311_maps_every_status() {
        for s in Status::ALL {
            assert!(matches!(s.open311(), "open" | "closed"));
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::Merged.open311(), "closed");
        assert_eq!(Status::SupplementRequested.open311(), "open");
    }

    const ACTIONS: [Action; 15] = [
        Action::Submit,
        Action::Receive,
        Action::Review,
        Action::RequestSupplement,
        Action::Supplement,
        Action::Decide,
        Action::Issue,
        Action::Close,
        Action::Withdraw,
        Action::Transfer,
        Action::Merge,
        Action::Reopen,
        Action::Extend,
        Action::Assign,
        Action::Rate,
    ];

    /// The law of the lifecycle written out as a table, one row per allowed move: who, what,
    /// from which statuses, under which facts, to which status (`None`: the status stays).
    type Row = (
        Actor,
        Action,
        &'static [Status],
        fn(Facts) -> bool,
        Option<Status>,
    );

    fn always(_: Facts) -> bool {
        true
    }

    fn table() -> Vec<Row> {
        use Action as A;
        use Actor::{Applicant as C, Officer as O};
        use Status as S;
        const OPEN: &[Status] = &[
            S::Submitted,
            S::Received,
            S::InReview,
            S::SupplementRequested,
            S::Supplemented,
        ];
        vec![
            (C, A::Submit, &[S::Draft], always, Some(S::Submitted)),
            (
                C,
                A::Supplement,
                &[S::SupplementRequested],
                always,
                Some(S::Supplemented),
            ),
            (
                C,
                A::Withdraw,
                &[
                    S::Draft,
                    S::Submitted,
                    S::Received,
                    S::InReview,
                    S::SupplementRequested,
                    S::Supplemented,
                ],
                always,
                Some(S::Withdrawn),
            ),
            (C, A::Reopen, &[S::Closed], |f| f.epeople, Some(S::InReview)),
            (C, A::Rate, &[S::Closed, S::Issued], always, None),
            (O, A::Receive, &[S::Submitted], always, Some(S::Received)),
            (
                O,
                A::Review,
                &[S::Received, S::Supplemented],
                always,
                Some(S::InReview),
            ),
            (
                O,
                A::RequestSupplement,
                &[S::InReview],
                always,
                Some(S::SupplementRequested),
            ),
            (
                O,
                A::Decide,
                &[S::InReview, S::Supplemented],
                always,
                Some(S::Decided),
            ),
            (
                O,
                A::Issue,
                &[S::Decided],
                |f| f.issues_document && f.approved == Some(true),
                Some(S::Issued),
            ),
            (
                O,
                A::Close,
                &[S::Decided],
                |f| !(f.issues_document && f.approved == Some(true)),
                Some(S::Closed),
            ),
            (O, A::Transfer, OPEN, always, Some(S::Submitted)),
            (O, A::Merge, OPEN, |f| f.epeople, Some(S::Merged)),
            (
                O,
                A::Extend,
                &[S::Submitted, S::Received, S::InReview, S::Supplemented],
                always,
                None,
            ),
            (
                O,
                A::Assign,
                &[
                    S::Submitted,
                    S::Received,
                    S::InReview,
                    S::SupplementRequested,
                    S::Supplemented,
                    S::Decided,
                ],
                always,
                None,
            ),
        ]
    }

    #[test]
    fn every_status_action_actor_and_fact_follows_the_table() {
        let rows = table();
        let mut allowed = 0;
        let mut checked = 0;
        for epeople in [false, true] {
            for issues_document in [false, true] {
                for approved in [None, Some(false), Some(true)] {
                    let f = Facts {
                        epeople,
                        issues_document,
                        approved,
                    };
                    for from in Status::ALL {
                        for action in ACTIONS {
                            for actor in [Actor::Applicant, Actor::Officer] {
                                let expected = rows
                                    .iter()
                                    .find(|(who, what, froms, when, _)| {
                                        *who == actor
                                            && *what == action
                                            && froms.contains(&from)
                                            && when(f)
                                    })
                                    .map(|(.., to)| to.unwrap_or(from));
                                assert_eq!(
                                    next(from, action, actor, f),
                                    expected,
                                    "{actor:?} {action:?} from {from:?} with {f:?}"
                                );
                                checked += 1;
                                allowed += usize::from(expected.is_some());
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 12 * 11 * 15 * 2);
        // Final statuses accept nothing but rating (and reopening a closed complaint).
        assert!(allowed > 0);
        for from in [Status::Withdrawn, Status::Merged] {
            for action in ACTIONS {
                for actor in [Actor::Applicant, Actor::Officer] {
                    assert_eq!(next(from, action, actor, CERT), None, "{action:?}");
                }
            }
        }
    }
}
