//! The approval line (결재선) as data: a typed, ordered list of steps, and the pure rules of
//! what a line may look like and which step acts next. The service applies these rules to
//! the stored steps; nothing here touches the database.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A step's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// 기안: the drafter; completed by submitting.
    Draft,
    /// 검토: a reviewer.
    Review,
    /// 협조: another unit's sign-off; steps with the same `group` (> 0) run in parallel.
    Cooperation,
    /// 결재: final approval by the head of the agency.
    Approve,
    /// 전결: final approval by a lower rank under the delegation table in force on the day.
    DelegatedApprove,
    /// 후결: a superior confirms after the final approval (when the pack enables it).
    PostApprove,
    /// 공람: the position's holders are circulated the registered document.
    Circulate,
    /// The post-report of an acting approval (대결) of an important document to the absent
    /// approver's position; created by the system, never part of a submitted line.
    PostReport,
}

impl StepKind {
    /// Every kind, in the order of a line.
    pub const ALL: [StepKind; 8] = [
        Self::Draft,
        Self::Review,
        Self::Cooperation,
        Self::Approve,
        Self::DelegatedApprove,
        Self::PostApprove,
        Self::Circulate,
        Self::PostReport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Review => "review",
            Self::Cooperation => "cooperation",
            Self::Approve => "approve",
            Self::DelegatedApprove => "delegated_approve",
            Self::PostApprove => "post_approve",
            Self::Circulate => "circulate",
            Self::PostReport => "post_report",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => Self::Draft,
            "review" => Self::Review,
            "cooperation" => Self::Cooperation,
            "approve" => Self::Approve,
            "delegated_approve" => Self::DelegatedApprove,
            "post_approve" => Self::PostApprove,
            "circulate" => Self::Circulate,
            "post_report" => Self::PostReport,
            _ => return None,
        })
    }

    /// Steps the document waits for before it is approved.
    pub fn blocking(self) -> bool {
        matches!(
            self,
            Self::Draft | Self::Review | Self::Cooperation | Self::Approve | Self::DelegatedApprove
        )
    }

    /// The final approval (결재 or 전결).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Approve | Self::DelegatedApprove)
    }

    /// Korean label as shown on the approval stamps.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "기안",
            Self::Review => "검토",
            Self::Cooperation => "협조",
            Self::Approve => "결재",
            Self::DelegatedApprove => "전결",
            Self::PostApprove => "후결",
            Self::Circulate => "공람",
            Self::PostReport => "사후보고",
        }
    }
}

/// A step's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    Current,
    Done,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Current => "current",
            Self::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "current" => Self::Current,
            "done" => Self::Done,
            _ => return None,
        })
    }
}

/// What the rules need of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub seq: i32,
    pub group: i32,
    pub kind: StepKind,
    pub status: StepStatus,
}

/// Checks a line as submitted (kinds and parallel groups, in order); every problem is
/// `(index, message)`.
pub fn check(line: &[(StepKind, i32)], post_hoc: bool) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    if line.first().map(|s| s.0) != Some(StepKind::Draft) {
        out.push((0, "the first step is the draft (기안)".to_owned()));
    }
    let finals: Vec<usize> = (0..line.len()).filter(|&i| line[i].0.is_final()).collect();
    if finals.len() != 1 {
        out.push((
            line.len().saturating_sub(1),
            "exactly one final approval (approve or delegated_approve)".to_owned(),
        ));
    }
    let fin = finals.first().copied().unwrap_or(line.len());
    let mut post = 0;
    for (i, &(kind, group)) in line.iter().enumerate() {
        match kind {
            StepKind::Draft if i != 0 => out.push((i, "only the first step is a draft".into())),
            StepKind::Review | StepKind::Cooperation if i > fin => out.push((
                i,
                "reviews and cooperation come before the final approval".into(),
            )),
            StepKind::PostApprove | StepKind::Circulate if i < fin => out.push((
                i,
                "post-hoc approval and circulation come after the final approval".into(),
            )),
            StepKind::PostApprove if !post_hoc => out.push((
                i,
                "post-hoc approval (후결) is not enabled by the country pack".into(),
            )),
            StepKind::PostApprove => post += 1,
            StepKind::PostReport => out.push((
                i,
                "post-report steps are created by acting approvals, not submitted".into(),
            )),
            _ => {}
        }
        if group < 0 || (group > 0 && kind != StepKind::Cooperation) {
            out.push((
                i,
                "only cooperation steps form parallel groups (group > 0)".into(),
            ));
        }
        if group > 0 && i > 0 && line[i - 1].1 != group {
            // A group is one run of consecutive steps.
            if line[..i].iter().any(|s| s.1 == group) {
                out.push((i, "a parallel group's steps must be consecutive".into()));
            }
        }
    }
    if post > 1 {
        out.push((fin, "at most one post-hoc approval".into()));
    }
    out
}

/// The steps that act now (indexes into `steps`, which are ordered by `seq`): the first
/// blocking step not done, with the rest of its parallel group. Empty when every blocking
/// step is done.
pub fn current(steps: &[Step]) -> Vec<usize> {
    let Some(first) = steps
        .iter()
        .position(|s| s.kind.blocking() && s.status != StepStatus::Done)
    else {
        return Vec::new();
    };
    let g = steps[first].group;
    if g == 0 {
        return vec![first];
    }
    (first..steps.len())
        .take_while(|&i| steps[i].group == g)
        .filter(|&i| steps[i].status != StepStatus::Done)
        .collect()
}

/// Where a step may be inserted mid-flight: after every done or current step and before or
/// at the final approval. `Ok(seq)` is the sequence number the new step takes (the steps
/// from it on move one down).
pub fn insert_at(steps: &[Step], after_seq: i32) -> Result<i32, &'static str> {
    let last_started = steps
        .iter()
        .filter(|s| s.status != StepStatus::Pending)
        .map(|s| s.seq)
        .max()
        .unwrap_or(0);
    let fin = steps
        .iter()
        .find(|s| s.kind.is_final())
        .map(|s| s.seq)
        .ok_or("the line has no final approval")?;
    if after_seq < last_started {
        return Err("a step can only be inserted after the steps that have acted or are acting");
    }
    if after_seq >= fin {
        return Err("a step can only be inserted before the final approval");
    }
    Ok(after_seq + 1)
}

/// Whether a step may be removed mid-flight: pending, blocking and not the final approval.
pub fn removable(step: &Step) -> Result<(), &'static str> {
    if step.status != StepStatus::Pending {
        return Err("only a step that has not acted and is not acting can be removed");
    }
    if step.kind.is_final() || step.kind == StepKind::Draft {
        return Err("the draft and the final approval cannot be removed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use StepKind::*;

    fn steps(v: &[(StepKind, i32, StepStatus)]) -> Vec<Step> {
        v.iter()
            .enumerate()
            .map(|(i, &(kind, group, status))| Step {
                seq: i as i32,
                group,
                kind,
                status,
            })
            .collect()
    }

    #[test]
    fn lines_are_checked() {
        assert!(check(&[(Draft, 0), (Review, 0), (Approve, 0)], false).is_empty());
        assert!(
            check(
                &[
                    (Draft, 0),
                    (Cooperation, 1),
                    (Cooperation, 1),
                    (DelegatedApprove, 0),
                    (Circulate, 0)
                ],
                false
            )
            .is_empty()
        );
        assert!(!check(&[(Review, 0), (Approve, 0)], false).is_empty());
        assert!(!check(&[(Draft, 0), (Review, 0)], false).is_empty());
        assert!(!check(&[(Draft, 0), (Approve, 0), (Approve, 0)], false).is_empty());
        assert!(!check(&[(Draft, 0), (Approve, 0), (PostApprove, 0)], false).is_empty());
        assert!(check(&[(Draft, 0), (Approve, 0), (PostApprove, 0)], true).is_empty());
        assert!(!check(&[(Draft, 0), (Approve, 0), (Review, 0)], false).is_empty());
        assert!(!check(&[(Draft, 0), (Review, 1), (Approve, 0)], false).is_empty());
        assert!(
            !check(
                &[
                    (Draft, 0),
                    (Cooperation, 1),
                    (Review, 0),
                    (Cooperation, 1),
                    (Approve, 0)
                ],
                false
            )
            .is_empty()
        );
    }

    #[test]
    fn a_parallel_group_acts_together() {
        use StepStatus::*;
        let s = steps(&[
            (Draft, 0, Done),
            (Cooperation, 1, Pending),
            (Cooperation, 1, Done),
            (Cooperation, 1, Pending),
            (Approve, 0, Pending),
            (Circulate, 0, Pending),
        ]);
        assert_eq!(current(&s), vec![1, 3]);
        let s = steps(&[
            (Draft, 0, Done),
            (Approve, 0, Done),
            (Circulate, 0, Pending),
        ]);
        assert!(current(&s).is_empty());
    }

    #[test]
    fn insertion_and_removal_respect_what_has_acted() {
        use StepStatus::*;
        let s = steps(&[
            (Draft, 0, Done),
            (Review, 0, Current),
            (Review, 0, Pending),
            (Approve, 0, Pending),
        ]);
        assert_eq!(insert_at(&s, 1), Ok(2));
        assert_eq!(insert_at(&s, 2), Ok(3));
        assert!(insert_at(&s, 0).is_err());
        assert!(insert_at(&s, 3).is_err());
        assert!(removable(&s[2]).is_ok());
        assert!(removable(&s[1]).is_err());
        assert!(removable(&s[3]).is_err());
    }
}
