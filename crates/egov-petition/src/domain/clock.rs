//! The statutory clock (pure): due times from the pack's working-day calendar, in the pack's
//! time zone, stored as UTC.
//!
//! - Working days: the day of receipt does not count; the case is due at the close of working
//!   hours of the n-th working day after it.
//! - Working hours: n hours of working time from receipt (a receipt outside working hours
//!   starts at the next opening).
//! - A supplement request pauses the clock: on resumption the due time moves by the working
//!   time (days or minutes, by the period's unit) that passed while it was paused.
//! - An extension adds working days.

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use egov_core::domain::calendar::{CalendarError, WorkingCalendar};

use crate::domain::catalogue::Period;

/// The pack's calendar and time zone.
#[derive(Debug, Clone, Copy)]
pub struct Clock<'a> {
    pub calendar: &'a WorkingCalendar,
    pub tz: Tz,
}

impl Clock<'_> {
    /// UTC → local wall time.
    pub fn local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        self.tz.from_utc_datetime(&utc).naive_local()
    }

    /// Local wall time → UTC (the earlier instant when a DST change makes it ambiguous).
    pub fn utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        self.tz
            .from_local_datetime(&local)
            .earliest()
            .map_or(local, |t| t.naive_utc())
    }

    /// When a case received at `start` (UTC) is due (UTC).
    pub fn due(
        &self,
        period: Period,
        start: NaiveDateTime,
    ) -> Result<NaiveDateTime, CalendarError> {
        let local = self.local(start);
        let due = match period {
            Period::WorkingDays(n) => {
                let (_, close) = self.calendar.working_hours();
                self.calendar
                    .add_working_days(local.date(), n)?
                    .and_time(close)
            }
            Period::WorkingHours(h) => self.calendar.add_working_hours(local, h)?,
        };
        Ok(self.utc(due))
    }

    /// The due time after a pause from `paused` to `resumed` (all UTC).
    pub fn resume(
        &self,
        period: Period,
        due: NaiveDateTime,
        paused: NaiveDateTime,
        resumed: NaiveDateTime,
    ) -> Result<NaiveDateTime, CalendarError> {
        let (due_l, from, to) = (self.local(due), self.local(paused), self.local(resumed));
        let moved = match period {
            Period::WorkingDays(_) => {
                let days = self.calendar.working_days_between(from.date(), to.date())?;
                self.calendar
                    .add_working_days(due_l.date(), days)?
                    .and_time(due_l.time())
            }
            Period::WorkingHours(_) => {
                let minutes = self.calendar.working_minutes_between(from, to)?;
                if minutes == 0 {
                    due_l
                } else {
                    self.calendar.add_working_minutes(due_l, minutes)?
                }
            }
        };
        Ok(self.utc(moved))
    }

    /// The due time extended by `days` working days.
    pub fn extend(&self, due: NaiveDateTime, days: u32) -> Result<NaiveDateTime, CalendarError> {
        let l = self.local(due);
        Ok(self.utc(
            self.calendar
                .add_working_days(l.date(), days)?
                .and_time(l.time()),
        ))
    }

    /// The moment `hours` working hours after `now`: cases due before it are "due soon".
    pub fn horizon(&self, now: NaiveDateTime, hours: u32) -> Result<NaiveDateTime, CalendarError> {
        Ok(self.utc(self.calendar.add_working_hours(self.local(now), hours)?))
    }
}

impl Clock<'_> {
    /// How many steps of the escalation ladder a running case due at `due` has reached at
    /// `now`: step `i` is reached once the case is overdue by `hours[i]` working hours (0: as
    /// soon as it is overdue). `hours` rises step by step.
    pub fn escalation_level(
        &self,
        due: NaiveDateTime,
        now: NaiveDateTime,
        hours: &[u32],
    ) -> Result<u32, CalendarError> {
        let mut level = 0;
        for h in hours {
            let at = if *h == 0 { due } else { self.horizon(due, *h)? };
            if now <= at {
                break;
            }
            level += 1;
        }
        Ok(level)
    }
}

/// Whether a case extended `done` times already may be extended again when the pack allows
/// `max` extensions per case.
pub fn may_extend(done: usize, max: u32) -> bool {
    u32::try_from(done).is_ok_and(|d| d < max)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{NaiveDate, NaiveTime, Weekday};
    use egov_core::domain::calendar::Holiday;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .expect("valid")
    }

    fn cal() -> WorkingCalendar {
        let h = |y, m, d| Holiday {
            date: NaiveDate::from_ymd_opt(y, m, d).expect("valid"),
            names: BTreeMap::new(),
        };
        WorkingCalendar::new(
            &[Weekday::Sat, Weekday::Sun],
            vec![h(2026, 12, 25), h(2027, 1, 1)],
            [2026, 2027].into_iter().collect(),
            NaiveTime::from_hms_opt(9, 0, 0).expect("t"),
            NaiveTime::from_hms_opt(18, 0, 0).expect("t"),
        )
    }

    #[test]
    fn days_skip_weekends_and_holidays_and_cross_the_year() {
        let c = cal();
        let clock = Clock {
            calendar: &c,
            tz: chrono_tz::UTC,
        };
        // Wed 23 Dec 2026 + 3 working days: Thu 24, (Fri 25 holiday, weekend) Mon 28, Tue 29.
        assert_eq!(
            clock.due(Period::WorkingDays(3), at(2026, 12, 23, 10, 0)),
            Ok(at(2026, 12, 29, 18, 0))
        );
        // Wed 30 Dec + 3: Thu 31, (1 Jan holiday, weekend) Mon 4 Jan, Tue 5 Jan 2027.
        assert_eq!(
            clock.due(Period::WorkingDays(3), at(2026, 12, 30, 10, 0)),
            Ok(at(2027, 1, 5, 18, 0))
        );
        // 3 working hours from Thu 24 Dec 16:30: 1.5 h Thursday, 1.5 h Monday 28th.
        assert_eq!(
            clock.due(Period::WorkingHours(3), at(2026, 12, 24, 16, 30)),
            Ok(at(2026, 12, 28, 10, 30))
        );
    }

    #[test]
    fn a_pause_gives_back_the_working_time_it_took() {
        let c = cal();
        let clock = Clock {
            calendar: &c,
            tz: chrono_tz::UTC,
        };
        let due = at(2026, 12, 29, 18, 0);
        // Paused Wed 23 Dec, resumed Mon 28 Dec: Thu 24 and Mon 28 passed (2 working days).
        assert_eq!(
            clock.resume(
                Period::WorkingDays(3),
                due,
                at(2026, 12, 23, 11, 0),
                at(2026, 12, 28, 9, 30)
            ),
            Ok(at(2026, 12, 31, 18, 0))
        );
        // Hours: paused for 2 working hours over a weekend.
        assert_eq!(
            clock.resume(
                Period::WorkingHours(3),
                at(2026, 12, 28, 10, 30),
                at(2026, 12, 24, 17, 0),
                at(2026, 12, 28, 10, 0)
            ),
            Ok(at(2026, 12, 28, 12, 30))
        );
        // Extension by 2 working days across New Year.
        assert_eq!(
            clock.extend(at(2026, 12, 31, 18, 0), 2),
            Ok(at(2027, 1, 5, 18, 0))
        );
    }

    #[test]
    fn a_year_the_pack_does_not_cover_is_an_error() {
        let c = cal();
        let clock = Clock {
            calendar: &c,
            tz: chrono_tz::UTC,
        };
        assert!(
            clock
                .due(Period::WorkingDays(5), at(2027, 12, 30, 10, 0))
                .is_err()
        );
    }

    #[test]
    fn a_case_is_extended_at_most_as_often_as_the_pack_allows() {
        assert!(may_extend(0, 1));
        assert!(!may_extend(1, 1));
        assert!(!may_extend(2, 1));
        assert!(!may_extend(0, 0), "a pack may allow no extension at all");
        assert!(may_extend(1, 2));
        assert!(!may_extend(usize::MAX, u32::MAX));
    }

    #[test]
    fn an_overdue_case_climbs_the_ladder_by_working_hours_overdue() {
        let calendar = cal();
        let c = Clock {
            calendar: &calendar,
            tz: chrono_tz::UTC,
        };
        // Due Friday 2026-12-04 18:00; steps at 0 and 16 working hours (9:00-18:00) overdue.
        let due = at(2026, 12, 4, 18, 0);
        let steps = [0, 16];
        assert_eq!(
            c.escalation_level(due, due, &steps),
            Ok(0),
            "due, not yet overdue"
        );
        let just_after = due + chrono::Duration::minutes(1);
        assert_eq!(c.escalation_level(due, just_after, &steps), Ok(1));
        // The weekend does not count: Monday 17:00 is 8 working hours overdue.
        assert_eq!(
            c.escalation_level(due, at(2026, 12, 7, 17, 0), &steps),
            Ok(1)
        );
        // Tuesday 16:00 is 16 working hours overdue (9 on Monday, 7 on Tuesday): still the
        // first step; a minute later, the second.
        let tuesday = at(2026, 12, 8, 16, 0);
        assert_eq!(c.escalation_level(due, tuesday, &steps), Ok(1));
        assert_eq!(
            c.escalation_level(due, tuesday + chrono::Duration::minutes(1), &steps),
            Ok(2)
        );
        assert_eq!(c.escalation_level(due, tuesday, &[]), Ok(0), "no ladder");
    }
}
