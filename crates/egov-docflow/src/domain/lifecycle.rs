//! A document's statuses and what may be done in each (pure): the one table the services read.

/// Document statuses.
pub mod status {
    pub const DRAFTING: &str = "drafting";
    pub const IN_APPROVAL: &str = "in_approval";
    pub const RETURNED: &str = "returned";
    pub const REGISTERED: &str = "registered";
    pub const DISPATCHED: &str = "dispatched";
    /// Delivered by another agency, waiting for the document office to receive it.
    pub const DELIVERED: &str = "delivered";
    pub const RECEIVED: &str = "received";
    pub const DISPOSED: &str = "disposed";
}

/// Everything that can be done to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Change the approval line before submission.
    SetLine,
    /// Edit the content (the drafter before submission or after a return; the current approver
    /// in approval).
    Edit,
    Submit,
    /// Approve, agree or disagree, confirm a post-approval (후결), on the current step.
    Act,
    ReturnTo,
    Recall,
    InsertStep,
    RemoveStep,
    /// Send to another agency through the exchange.
    Dispatch,
    /// Circulate to another agency.
    CirculateAway,
    /// The document office receives a delivered document.
    Receive,
    /// Confirm the receipt back to the sender.
    ConfirmReceipt,
    /// Place a legal hold.
    Hold,
    Dispose,
}

impl Action {
    pub const ALL: [Action; 14] = [
        Self::SetLine,
        Self::Edit,
        Self::Submit,
        Self::Act,
        Self::ReturnTo,
        Self::Recall,
        Self::InsertStep,
        Self::RemoveStep,
        Self::Dispatch,
        Self::CirculateAway,
        Self::Receive,
        Self::ConfirmReceipt,
        Self::Hold,
        Self::Dispose,
    ];
}

/// Every document status.
pub const STATUSES: [&str; 8] = [
    status::DRAFTING,
    status::IN_APPROVAL,
    status::RETURNED,
    status::REGISTERED,
    status::DISPATCHED,
    status::DELIVERED,
    status::RECEIVED,
    status::DISPOSED,
];

/// Whether `action` is allowed on a document in status `current`. Who may do it (the drafter, the
/// current approver, the document office, a records manager) and the other conditions
/// (completion, retention, holds) are checked by the use case.
pub fn permits(current: &str, action: Action) -> bool {
    use self::status as s;
    use Action as A;
    match action {
        A::SetLine | A::Submit => matches!(current, s::DRAFTING | s::RETURNED),
        A::Edit => matches!(current, s::DRAFTING | s::RETURNED | s::IN_APPROVAL),
        // After registration, steps that come after the final approval (post-approval 후결
        // and its confirmation, circulation reading) are still acted on.
        A::Act => matches!(current, s::IN_APPROVAL | s::REGISTERED | s::DISPATCHED),
        A::ReturnTo | A::Recall | A::InsertStep | A::RemoveStep => current == s::IN_APPROVAL,
        A::Dispatch => matches!(current, s::REGISTERED | s::DISPATCHED),
        A::CirculateAway => matches!(current, s::REGISTERED | s::DISPATCHED | s::RECEIVED),
        A::Receive => current == s::DELIVERED,
        A::ConfirmReceipt => current == s::RECEIVED,
        A::Hold | A::Dispose => current != s::DISPOSED && STATUSES.contains(&current),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every status × every action: the allowed pairs, written out, and nothing else allowed.
    #[test]
    fn every_status_and_action() {
        use Action as A;
        use status as s;
        let allowed: &[(&str, &[A])] = &[
            (
                s::DRAFTING,
                &[A::SetLine, A::Edit, A::Submit, A::Hold, A::Dispose],
            ),
            (
                s::RETURNED,
                &[A::SetLine, A::Edit, A::Submit, A::Hold, A::Dispose],
            ),
            (
                s::IN_APPROVAL,
                &[
                    A::Edit,
                    A::Act,
                    A::ReturnTo,
                    A::Recall,
                    A::InsertStep,
                    A::RemoveStep,
                    A::Hold,
                    A::Dispose,
                ],
            ),
            (
                s::REGISTERED,
                &[A::Act, A::Dispatch, A::CirculateAway, A::Hold, A::Dispose],
            ),
            (
                s::DISPATCHED,
                &[A::Act, A::Dispatch, A::CirculateAway, A::Hold, A::Dispose],
            ),
            (s::DELIVERED, &[A::Receive, A::Hold, A::Dispose]),
            (
                s::RECEIVED,
                &[A::CirculateAway, A::ConfirmReceipt, A::Hold, A::Dispose],
            ),
            (s::DISPOSED, &[]),
        ];
        assert_eq!(allowed.len(), STATUSES.len());
        for st in STATUSES {
            let listed = allowed
                .iter()
                .find(|(x, _)| *x == st)
                .map(|(_, a)| *a)
                .expect("every status listed");
            for action in Action::ALL {
                assert_eq!(
                    permits(st, action),
                    listed.contains(&action),
                    "{st} × {action:?}"
                );
            }
        }
        for action in Action::ALL {
            assert!(!permits("no_such_status", action), "{action:?}");
        }
    }
}
