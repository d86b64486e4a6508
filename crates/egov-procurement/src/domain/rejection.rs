//! Why the opening rejects a bid. The transcript records each reason in English: it is the
//! published record, signed and read by anyone, and does not change with a reader. The pages
//! show a reason in the reader's language by its kind ([`kind`]); a reason this table does not
//! know is shown as recorded.

/// The stored envelope does not hash to the digest its receipt names.
pub const DIGEST: &str = "the sealed bid does not match the digest on its receipt";
/// A server-sealed bid (the pack's fallback) does not open.
pub const NOT_OPEN: &str = "the sealed contents do not open";
/// The bidder's signature over the envelope does not verify (followed by `: <why>`).
pub const SIGNATURE: &str = "the bidder's signature does not hold";
/// The opened contents are not a bid.
pub const NOT_A_BID: &str =
    "the sealed contents are not a bid (JSON with tender, lot, supplier, price)";
/// The documents in the envelope break the format's limits.
pub const DOCUMENTS: &str =
    "the sealed documents are not at most 10, each with a title, a media type and base64 content";
/// The contents were sealed for another tender, lot or supplier.
pub const NAMES: &str = "the sealed contents name another tender, lot or supplier";
/// The bid's eligibility evidence is missing.
pub const ELIGIBILITY: &str = "no eligibility evidence recorded with the bid";
/// The supplier was debarred on the deadline day.
pub const DEBARRED: &str = "the supplier was debarred on the deadline day";
/// The envelope does not open with the tender's key (the envelope's own error).
const ENVELOPE_OPEN: &str =
    "the envelope does not open with the tender's key for this tender, lot and supplier";
const ENVELOPE_SHORT: &str = "the envelope is too short to be a sealed bid";

/// The price reason: `the price "<typed>" is not a positive amount`.
pub fn price(typed: &str) -> String {
    format!("the price {typed:?} is not a positive amount")
}

/// The reserve-price picks reason.
pub fn picks(count: u8, reserve_prices: u8) -> String {
    format!(
        "the reserve price picks must be {count} distinct numbers from 0 to {}",
        reserve_prices.saturating_sub(1)
    )
}

/// The kind of a recorded reason, as the id of its words in the pages' messages
/// (`proc-reject-<kind>`), or `None` for a reason this table does not know.
pub fn kind(reason: &str) -> Option<&'static str> {
    Some(match reason {
        DIGEST => "digest",
        NOT_OPEN | ENVELOPE_OPEN | ENVELOPE_SHORT => "open",
        NOT_A_BID => "not-a-bid",
        DOCUMENTS => "documents",
        NAMES => "names",
        ELIGIBILITY => "eligibility",
        DEBARRED => "debarred",
        r if r.starts_with(SIGNATURE) => "signature",
        r if r.starts_with("the price ") && r.ends_with(" is not a positive amount") => "price",
        r if r.starts_with("the reserve price picks must be ") => "picks",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::envelope::EnvelopeError;

    #[test]
    fn every_reason_the_opening_writes_has_a_kind() {
        for (reason, k) in [
            (DIGEST.to_owned(), "digest"),
            (NOT_OPEN.to_owned(), "open"),
            (EnvelopeError::Open.to_string(), "open"),
            (EnvelopeError::TooShort.to_string(), "open"),
            (
                format!("{SIGNATURE}: {}", EnvelopeError::SignatureMismatch),
                "signature",
            ),
            (NOT_A_BID.to_owned(), "not-a-bid"),
            (DOCUMENTS.to_owned(), "documents"),
            (NAMES.to_owned(), "names"),
            (price("-5"), "price"),
            (price("abc"), "price"),
            (picks(2, 15), "picks"),
            (ELIGIBILITY.to_owned(), "eligibility"),
            (DEBARRED.to_owned(), "debarred"),
        ] {
            assert_eq!(kind(&reason), Some(k), "{reason}");
        }
        assert_eq!(
            picks(2, 15),
            "the reserve price picks must be 2 distinct numbers from 0 to 14"
        );
        assert_eq!(price("-5"), "the price \"-5\" is not a positive amount");
    }

    #[test]
    fn an_unknown_reason_has_no_kind() {
        assert_eq!(kind("the moon was full"), None);
        assert_eq!(kind(""), None);
        assert_eq!(kind("the price is fine"), None);
    }
}
