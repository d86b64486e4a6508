//! The rules for free text that people type (reasons, purposes, titles, questions), one place
//! for every module: a length in characters and no control characters but line breaks and tabs.

use crate::Error;

/// `min` to `max` characters (at least `min` besides surrounding spaces), no control characters
/// other than `\n`, `\r` and `\t`.
pub fn free_text(s: &str, min: usize, max: usize) -> bool {
    s.trim().chars().count() >= min
        && s.chars().count() <= max
        && !s
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
}

/// A reason given for an official action (published or kept on the record): 5 to 1000
/// characters; a 422 naming `pointer` otherwise.
pub fn reason(pointer: &str, s: &str) -> Result<(), Error> {
    if free_text(s, 5, 1000) {
        Ok(())
    } else {
        Err(Error::invalid_field(
            pointer,
            crate::text!(
                "detail-length-no-control",
                "{min} to {max} characters, no control characters",
                min = 5,
                max = 1000
            ),
        ))
    }
}

/// The purpose an official gives for reading personal data (kept in the access log): 3 to 200
/// characters on one line; a 422 on the `purpose` parameter otherwise, `what` saying what is
/// read.
pub fn purpose(s: &str, what: &str) -> Result<(), Error> {
    if free_text(s, 3, 200) && !s.contains('\n') && !s.contains('\r') {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "purpose",
            crate::text!(
                "detail-purpose",
                "why you read {what}: 3 to 200 characters on one line",
                what = what.to_owned()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_control_characters() {
        assert!(free_text("line one\nline two\tend", 5, 100));
        assert!(!free_text("bell\u{7}", 1, 100));
        assert!(!free_text("   ab   ", 3, 100));
        assert!(!free_text("abcdef", 1, 5));
        assert!(reason("/reason", "four").is_err());
        assert!(reason("/reason", "a good reason").is_ok());
        assert!(purpose("audit", "the case").is_ok());
        assert!(purpose("two\nlines", "the case").is_err());
    }
}
