//! The working-day calendar of a country pack: weekends, public holidays per year and working
//! hours, in the pack's time zone. Statutory deadlines ("within 7 working days") are computed
//! here, so a year the pack has no holiday list for is an error, never a guess.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the country pack has no public holidays for {0}")]
    YearNotCovered(i32),
    #[error("date out of range")]
    OutOfRange,
}

impl crate::error::DomainError for CalendarError {
    fn code(&self) -> crate::error::ErrorCode {
        crate::error::codes::CALENDAR_NOT_COVERED
    }

    fn text(&self) -> crate::error::Text {
        match self {
            Self::YearNotCovered(year) => crate::text!(
                "detail-calendar-year",
                "the country pack has no public holidays for {year}",
                year = year
            ),
            Self::OutOfRange => crate::text!("detail-date-range", "date out of range"),
        }
    }
}

/// A holiday with its names by language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub names: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    weekend: [bool; 7],
    holidays: BTreeMap<NaiveDate, Holiday>,
    years: BTreeSet<i32>,
    day_start: NaiveTime,
    day_end: NaiveTime,
}

impl WorkingCalendar {
    /// `years` are the years whose holiday lists the pack provides (possibly empty lists).
    pub fn new(
        weekend: &[Weekday],
        holidays: Vec<Holiday>,
        years: BTreeSet<i32>,
        day_start: NaiveTime,
        day_end: NaiveTime,
    ) -> Self {
        let mut mask = [false; 7];
        for d in weekend {
            mask[d.num_days_from_monday() as usize] = true;
        }
        Self {
            weekend: mask,
            holidays: holidays.into_iter().map(|h| (h.date, h)).collect(),
            years,
            day_start,
            day_end,
        }
    }

    pub fn years(&self) -> &BTreeSet<i32> {
        &self.years
    }

    pub fn weekend(&self) -> Vec<Weekday> {
        (0..7)
            .filter(|&i| self.weekend[i as usize])
            .filter_map(|i| Weekday::try_from(i).ok())
            .collect()
    }

    pub fn working_hours(&self) -> (NaiveTime, NaiveTime) {
        (self.day_start, self.day_end)
    }

    pub fn holidays_in(&self, year: i32) -> Result<Vec<&Holiday>, CalendarError> {
        self.cover(year)?;
        let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(CalendarError::OutOfRange)?;
        let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(CalendarError::OutOfRange)?;
        Ok(self.holidays.range(from..=to).map(|(_, h)| h).collect())
    }

    fn cover(&self, year: i32) -> Result<(), CalendarError> {
        if self.years.contains(&year) {
            Ok(())
        } else {
            Err(CalendarError::YearNotCovered(year))
        }
    }

    pub fn holiday(&self, date: NaiveDate) -> Option<&Holiday> {
        self.holidays.get(&date)
    }

    pub fn is_weekend(&self, date: NaiveDate) -> bool {
        self.weekend[date.weekday().num_days_from_monday() as usize]
    }

    /// Whether `date` is neither a weekend day nor a public holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.cover(date.year())?;
        Ok(!self.is_weekend(date) && !self.holidays.contains_key(&date))
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        // A year has at most 366 days; no pack makes a whole year non-working.
        for _ in 0..=366 {
            d = d.succ_opt().ok_or(CalendarError::OutOfRange)?;
            if self.is_working_day(d)? {
                return Ok(d);
            }
        }
        Err(CalendarError::OutOfRange)
    }

    /// `date` when it is a working day, else the next one: where a deadline that falls on a
    /// weekend or holiday moves to (one that falls on a working day stays).
    pub fn on_or_after(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        if self.is_working_day(date)? {
            Ok(date)
        } else {
            self.next_working_day(date)
        }
    }

    /// The `n`-th working day after `date` (`date` itself does not count). `n = 0` is `date`.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        for _ in 0..n {
            d = self.next_working_day(d)?;
        }
        Ok(d)
    }

    /// Working days in `(from, to]`: how many `add_working_days` steps lead from `from` past `to`.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u32, CalendarError> {
        let mut count = 0;
        let mut d = from;
        while d < to {
            d = d.succ_opt().ok_or(CalendarError::OutOfRange)?;
            if self.is_working_day(d)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Adds `minutes` of working time to a local date-time. A start outside working hours
    /// begins at the next opening; the result never falls outside working hours (a deadline
    /// that uses up a day exactly ends at closing time).
    pub fn add_working_minutes(
        &self,
        start: NaiveDateTime,
        minutes: u32,
    ) -> Result<NaiveDateTime, CalendarError> {
        let mut cursor = self.clamp_to_working_time(start)?;
        let mut remaining = i64::from(minutes);
        loop {
            let close = cursor.date().and_time(self.day_end);
            let available = (close - cursor).num_minutes();
            if remaining <= available {
                return Ok(cursor + Duration::minutes(remaining));
            }
            remaining -= available;
            let next = self.next_working_day(cursor.date())?;
            cursor = next.and_time(self.day_start);
        }
    }

    /// `add_working_minutes` in whole hours.
    pub fn add_working_hours(
        &self,
        start: NaiveDateTime,
        hours: u32,
    ) -> Result<NaiveDateTime, CalendarError> {
        self.add_working_minutes(start, hours.saturating_mul(60))
    }

    /// Working minutes in `[from, to)`: the working time that passes between two local
    /// date-times (a clock paused over that span owes this much back). Zero when `to <= from`.
    pub fn working_minutes_between(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<u32, CalendarError> {
        let mut total: i64 = 0;
        let mut day = from.date();
        while day <= to.date() {
            if self.is_working_day(day)? {
                let open = day.and_time(self.day_start).max(from);
                let close = day.and_time(self.day_end).min(to);
                if close > open {
                    total += (close - open).num_minutes();
                }
            }
            day = day.succ_opt().ok_or(CalendarError::OutOfRange)?;
        }
        u32::try_from(total).map_err(|_| CalendarError::OutOfRange)
    }

    fn clamp_to_working_time(&self, t: NaiveDateTime) -> Result<NaiveDateTime, CalendarError> {
        let date = t.date();
        if self.is_working_day(date)? {
            if t.time() < self.day_start {
                return Ok(date.and_time(self.day_start));
            }
            if t.time() < self.day_end {
                return Ok(t);
            }
        }
        Ok(self.next_working_day(date)?.and_time(self.day_start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
    }

    fn holiday(date: NaiveDate) -> Holiday {
        Holiday {
            date,
            names: BTreeMap::new(),
        }
    }

    /// Sat/Sun weekend, 09:00-18:00, holidays 25 Dec 2026, 1 Jan 2027, years 2026-2027.
    fn cal() -> WorkingCalendar {
        WorkingCalendar::new(
            &[Weekday::Sat, Weekday::Sun],
            vec![holiday(d(2026, 12, 25)), holiday(d(2027, 1, 1))],
            [2026, 2027].into_iter().collect(),
            t(9, 0),
            t(18, 0),
        )
    }

    #[test]
    fn working_minutes_between_counts_only_working_time() {
        let c = cal();
        // Thu 24 Dec 17:00 -> Mon 28 Dec 10:00: 60 min Thursday, Friday 25th is a holiday,
        // the weekend counts nothing, 60 min Monday.
        let from = d(2026, 12, 24).and_time(t(17, 0));
        let to = d(2026, 12, 28).and_time(t(10, 0));
        assert_eq!(c.working_minutes_between(from, to), Ok(120));
        assert_eq!(c.working_minutes_between(to, from), Ok(0));
        // Resuming by that much gives back the same span of working time.
        let due = d(2026, 12, 24).and_time(t(17, 30));
        assert_eq!(
            c.add_working_minutes(due, 120),
            Ok(d(2026, 12, 28).and_time(t(10, 30)))
        );
    }

    #[test]
    fn weekends_and_holidays_are_not_working_days() {
        let c = cal();
        assert_eq!(c.is_working_day(d(2026, 11, 23)), Ok(true)); // Monday
        assert_eq!(c.is_working_day(d(2026, 11, 28)), Ok(false)); // Saturday
        assert_eq!(c.is_working_day(d(2026, 11, 29)), Ok(false)); // Sunday
        assert_eq!(c.is_working_day(d(2026, 12, 25)), Ok(false)); // Friday, holiday
    }

    #[test]
    fn adding_days_skips_weekends_holidays_and_crosses_the_year() {
        let c = cal();
        // Thu 24 Dec + 1: Fri 25 is a holiday, weekend -> Mon 28 Dec.
        assert_eq!(c.add_working_days(d(2026, 12, 24), 1), Ok(d(2026, 12, 28)));
        // Wed 30 Dec + 2: Thu 31, (Fri 1 Jan holiday, weekend) Mon 4 Jan 2027.
        assert_eq!(c.add_working_days(d(2026, 12, 30), 2), Ok(d(2027, 1, 4)));
        // From a Saturday, the first working day is Monday.
        assert_eq!(c.add_working_days(d(2026, 11, 28), 1), Ok(d(2026, 11, 30)));
        assert_eq!(c.add_working_days(d(2026, 11, 28), 0), Ok(d(2026, 11, 28)));
        assert_eq!(
            c.working_days_between(d(2026, 12, 24), d(2027, 1, 4)),
            Ok(5)
        );
    }

    #[test]
    fn a_deadline_on_a_working_day_stays_and_one_on_a_day_off_moves() {
        let c = cal();
        // Mon 31 May 2027 is a working day: it stays (it used to move to Tuesday).
        assert_eq!(c.on_or_after(d(2027, 5, 31)), Ok(d(2027, 5, 31)));
        // Sat 29 May 2027 moves to Monday; Fri 25 Dec 2026, a holiday, to Mon 28 Dec.
        assert_eq!(c.on_or_after(d(2027, 5, 29)), Ok(d(2027, 5, 31)));
        assert_eq!(c.on_or_after(d(2026, 12, 25)), Ok(d(2026, 12, 28)));
        assert_eq!(
            c.on_or_after(d(2028, 3, 1)),
            Err(CalendarError::YearNotCovered(2028))
        );
    }

    #[test]
    fn an_uncovered_year_is_an_error_not_a_guess() {
        let c = cal();
        assert_eq!(
            c.is_working_day(d(2028, 3, 1)),
            Err(CalendarError::YearNotCovered(2028))
        );
        assert_eq!(
            c.add_working_days(d(2027, 12, 30), 3),
            Err(CalendarError::YearNotCovered(2028))
        );
        assert_eq!(
            c.holidays_in(2025).map(|h| h.len()),
            Err(CalendarError::YearNotCovered(2025))
        );
        assert_eq!(c.holidays_in(2026).map(|h| h.len()), Ok(1));
    }

    #[test]
    fn working_hours_roll_over_to_the_next_working_day() {
        let c = cal();
        let mon = d(2026, 11, 23);
        // 16:00 + 3h: 2h today, 1h from Tuesday's opening.
        assert_eq!(
            c.add_working_hours(mon.and_time(t(16, 0)), 3),
            Ok(d(2026, 11, 24).and_time(t(10, 0)))
        );
        // Before opening counts from opening; exactly a full day ends at closing.
        assert_eq!(
            c.add_working_hours(mon.and_time(t(7, 30)), 9),
            Ok(mon.and_time(t(18, 0)))
        );
        // After closing on Friday -> Monday.
        let fri = d(2026, 11, 27);
        assert_eq!(
            c.add_working_hours(fri.and_time(t(19, 0)), 1),
            Ok(d(2026, 11, 30).and_time(t(10, 0)))
        );
        // Thu 24 Dec 17:00 + 2h: 1h on Thursday, then Mon 28 Dec 10:00.
        assert_eq!(
            c.add_working_hours(d(2026, 12, 24).and_time(t(17, 0)), 2),
            Ok(d(2026, 12, 28).and_time(t(10, 0)))
        );
        // Thu 31 Dec 17:30 + 30m ends at closing; + 31m goes to Mon 4 Jan 09:01.
        let eve = d(2026, 12, 31).and_time(t(17, 30));
        assert_eq!(
            c.add_working_minutes(eve, 30),
            Ok(d(2026, 12, 31).and_time(t(18, 0)))
        );
        assert_eq!(
            c.add_working_minutes(eve, 31),
            Ok(d(2027, 1, 4).and_time(t(9, 1)))
        );
    }

    #[test]
    fn other_weekends_work_too() {
        // A Friday-Saturday weekend, as in several Gulf states.
        let c = WorkingCalendar::new(
            &[Weekday::Fri, Weekday::Sat],
            vec![],
            [2026].into_iter().collect(),
            t(8, 0),
            t(15, 0),
        );
        assert_eq!(c.is_working_day(d(2026, 11, 29)), Ok(true)); // Sunday
        assert_eq!(c.add_working_days(d(2026, 11, 26), 1), Ok(d(2026, 11, 29)));
    }
}
