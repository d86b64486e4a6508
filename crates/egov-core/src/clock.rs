//! The time every module reads. A process has one [`Clock`]; modules get it in their start
//! context and read "now" from it, so a test can move time forward (a deadline passes, a
//! statutory period runs out) instead of sleeping.
//!
//! Times are whole microseconds: PostgreSQL keeps microseconds and SQLite whatever it is given,
//! so a time that is stored, read back and signed must be truncated before it is used.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// The process's clock: the system time plus an offset that only a movable (test) clock can
/// change.
#[derive(Debug, Clone)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
    movable: bool,
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl Clock {
    /// The system clock (what every deployment uses).
    pub fn system() -> Self {
        Self {
            offset_micros: Arc::new(AtomicI64::new(0)),
            movable: false,
        }
    }

    /// A clock that starts at the system time and can be moved forward with
    /// [`Clock::advance`]: for tests that need time to pass.
    pub fn movable() -> Self {
        Self {
            offset_micros: Arc::new(AtomicI64::new(0)),
            movable: true,
        }
    }

    /// Now, in UTC, truncated to microseconds.
    pub fn now(&self) -> DateTime<Utc> {
        let offset = self.offset_micros.load(Ordering::Relaxed);
        (Utc::now() + chrono::Duration::microseconds(offset)).trunc_subsecs(6)
    }

    /// Now as a naive UTC time (what the stores keep), truncated to microseconds.
    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    /// Moves a movable clock forward; the system clock cannot be moved.
    ///
    /// # Panics
    /// On the system clock: moving production time is a programming error.
    pub fn advance(&self, by: chrono::Duration) {
        assert!(self.movable, "the system clock cannot be moved");
        let micros = by.num_microseconds().unwrap_or(i64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

/// The system time now, truncated to microseconds, as a naive UTC time. For code that has no
/// module state at hand (start-up, command-line tools); request paths read their module's
/// [`Clock`].
pub fn now_micros() -> NaiveDateTime {
    truncate_micros(Utc::now().naive_utc())
}

/// Drops the nanoseconds below the microsecond.
pub fn truncate_micros(t: NaiveDateTime) -> NaiveDateTime {
    t.trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_whole_microseconds() {
        let t = Clock::system().now();
        assert_eq!(t.timestamp_subsec_nanos() % 1000, 0);
        assert_eq!(now_micros().and_utc().timestamp_subsec_nanos() % 1000, 0);
        let odd = DateTime::from_timestamp(1, 123_456_789)
            .expect("time")
            .naive_utc();
        assert_eq!(
            truncate_micros(odd).and_utc().timestamp_subsec_nanos(),
            123_456_000
        );
    }

    #[test]
    fn a_movable_clock_moves_and_its_copies_follow() {
        let clock = Clock::movable();
        let copy = clock.clone();
        let before = copy.now();
        clock.advance(chrono::Duration::days(3));
        let after = copy.now();
        assert!(after - before >= chrono::Duration::days(3));
        assert!(after - before < chrono::Duration::days(3) + chrono::Duration::minutes(1));
    }

    #[test]
    #[should_panic(expected = "cannot be moved")]
    fn the_system_clock_cannot_be_moved() {
        Clock::system().advance(chrono::Duration::seconds(1));
    }
}
