//! The compliance report (pure): for the cases an agency received in a period, per service
//! and in total, how many were answered, the share answered within the statutory period (the
//! due time with its lawful pauses and extensions), the median working days from receipt to
//! answer, how many are still open and how many of those are overdue, and the extensions.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::lifecycle::Status;

/// What the report needs of one case.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub service: String,
    pub status: Status,
    pub due_at: Option<NaiveDateTime>,
    pub answered_at: Option<NaiveDateTime>,
    pub paused: bool,
    /// Working days from receipt to the answer (answered cases).
    pub working_days: Option<u32>,
    pub extensions: u32,
}

/// One line of the report: a service, or the total.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ComplianceLine {
    /// The service id (`*` for the total).
    pub service: String,
    /// Cases received in the period (withdrawn and merged ones included).
    pub received: u32,
    /// Answered: decided, or closed without a decision.
    pub answered: u32,
    /// Answered no later than the due time.
    pub answered_on_time: u32,
    /// `answered_on_time / answered` in percent, one decimal (absent when none answered).
    pub on_time_percent: Option<f64>,
    /// The median of the working days from receipt to the answer.
    pub median_working_days: Option<f64>,
    /// Still open (received, in review, waiting for a supplement, …).
    pub open: u32,
    /// Open, the clock running, and past the due time.
    pub open_overdue: u32,
    /// Cases whose period was extended, and the extensions in all.
    pub extended_cases: u32,
    pub extensions: u32,
}

/// The report's lines, one per service (by id) and the total, at `now`.
pub fn report(cases: &[CaseFacts], now: NaiveDateTime) -> (Vec<ComplianceLine>, ComplianceLine) {
    let mut by_service: BTreeMap<&str, Vec<&CaseFacts>> = BTreeMap::new();
    for c in cases {
        by_service.entry(c.service.as_str()).or_default().push(c);
    }
    let lines = by_service
        .into_iter()
        .map(|(service, cs)| line(service, &cs, now))
        .collect();
    let all: Vec<&CaseFacts> = cases.iter().collect();
    (lines, line("*", &all, now))
}

fn line(service: &str, cases: &[&CaseFacts], now: NaiveDateTime) -> ComplianceLine {
    let mut l = ComplianceLine {
        service: service.to_owned(),
        ..ComplianceLine::default()
    };
    let mut days = Vec::new();
    for c in cases {
        l.received += 1;
        if c.extensions > 0 {
            l.extended_cases += 1;
            l.extensions += c.extensions;
        }
        if let Some(answered) = c.answered_at {
            l.answered += 1;
            if c.due_at.is_none_or(|due| answered <= due) {
                l.answered_on_time += 1;
            }
            if let Some(d) = c.working_days {
                days.push(d);
            }
        } else if c.status.is_open() {
            l.open += 1;
            if !c.paused && c.due_at.is_some_and(|due| due < now) {
                l.open_overdue += 1;
            }
        }
    }
    l.on_time_percent = (l.answered > 0)
        .then(|| (f64::from(l.answered_on_time) * 1000.0 / f64::from(l.answered)).round() / 10.0);
    l.median_working_days = median(&mut days);
    l
}

/// The median (the mean of the two middle values for an even count).
pub fn median(values: &mut [u32]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        f64::from(values[mid])
    } else {
        (f64::from(values[mid - 1]) + f64::from(values[mid])) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, d)
            .and_then(|x| x.and_hms_opt(h, 0, 0))
            .expect("valid")
    }

    fn case(
        service: &str,
        status: Status,
        due: u32,
        answered: Option<u32>,
        days: u32,
    ) -> CaseFacts {
        CaseFacts {
            service: service.into(),
            status,
            due_at: Some(at(due, 18)),
            answered_at: answered.map(|d| at(d, 10)),
            paused: false,
            working_days: answered.map(|_| days),
            extensions: 0,
        }
    }

    #[test]
    fn answers_on_time_late_open_and_overdue_are_counted_per_service_and_in_total() {
        let now = at(20, 12);
        let mut paused = case("road", Status::SupplementRequested, 10, None, 0);
        paused.paused = true;
        let mut extended = case("road", Status::Closed, 15, Some(14), 7);
        extended.extensions = 1;
        let cases = vec![
            case("road", Status::Closed, 10, Some(9), 3), // on time
            case("road", Status::Decided, 10, Some(12), 6), // late
            extended,                                     // on time after an extension
            case("road", Status::InReview, 10, None, 0),  // open, overdue
            paused,                                       // open, paused: not overdue
            case("road", Status::Withdrawn, 30, None, 0), // neither answered nor open
            case("copy", Status::Issued, 25, Some(19), 1),
            case("copy", Status::Received, 25, None, 0), // open, not yet due
        ];
        let (lines, total) = report(&cases, now);
        assert_eq!(
            lines.iter().map(|l| l.service.as_str()).collect::<Vec<_>>(),
            ["copy", "road"]
        );
        let road = &lines[1];
        assert_eq!(
            (road.received, road.answered, road.answered_on_time),
            (6, 3, 2)
        );
        assert_eq!(road.on_time_percent, Some(66.7));
        assert_eq!(road.median_working_days, Some(6.0));
        assert_eq!((road.open, road.open_overdue), (2, 1));
        assert_eq!((road.extended_cases, road.extensions), (1, 1));
        let copy = &lines[0];
        assert_eq!(copy.on_time_percent, Some(100.0));
        assert_eq!((copy.open, copy.open_overdue), (1, 0));
        assert_eq!(total.service, "*");
        assert_eq!(
            (total.received, total.answered, total.answered_on_time),
            (8, 4, 3)
        );
        assert_eq!(total.on_time_percent, Some(75.0));
        assert_eq!(total.median_working_days, Some(4.5), "1, 3, 6, 7");
        assert_eq!(total.open_overdue, 1);
    }

    #[test]
    fn nothing_answered_has_no_share_and_no_median() {
        let (lines, total) = report(&[], at(1, 9));
        assert!(lines.is_empty());
        assert_eq!(total.received, 0);
        assert_eq!(
            (total.on_time_percent, total.median_working_days),
            (None, None)
        );
        let (_, t) = report(&[case("x", Status::Submitted, 1, None, 0)], at(2, 9));
        assert_eq!((t.on_time_percent, t.open_overdue), (None, 1));
    }

    #[test]
    fn the_median_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5]), Some(5.0));
        assert_eq!(median(&mut [9, 1, 5]), Some(5.0));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2.5));
    }
}
