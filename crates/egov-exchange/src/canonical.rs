//! The canonical form of an exchange message: what signatures cover and what the request hash
//! is computed over. It is plain UTF-8 text, one field a line, so that any language can build
//! it (see `docs/exchange/canonical-form.md` and the golden vectors):
//!
//! ```text
//! egov-exchange/1 request            | egov-exchange/1 response
//! GET                                | 200
//! /r1/KR/GOV/1210000/tax/...?a=1     | /r1/KR/GOV/1210000/tax/...?a=1
//! x-road-client:KR/GOV/1310000/petition
//! x-road-id:...
//! ... every header of `SIGNED_HEADERS`, in that order, `name:value`, empty when absent
//! body-sha256:<hex of SHA-256 of the body bytes>
//! ```
//!
//! An absent header is an empty line value, so removing a header changes the form just as
//! editing it does. Header values must not contain line breaks.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256, Sha512};

use crate::xroad::headers;

/// The headers a signature covers, in canonical order.
pub const SIGNED_HEADERS: &[&str] = &[
    headers::CLIENT,
    headers::ID,
    headers::USER_ID,
    headers::ISSUE,
    headers::REPRESENTED_PARTY,
    headers::REQUEST_HASH,
    TIMESTAMP,
    PURPOSE,
    CONSENT,
];

/// Seconds since the epoch when the message was sent (replay window and clock skew).
pub const TIMESTAMP: &str = "x-egov-timestamp";
/// The purpose code the client states.
pub const PURPOSE: &str = "x-egov-purpose";
/// The consent reference for a request about a person's data.
pub const CONSENT: &str = "x-egov-consent";

/// Which kind of message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Request,
    /// A response, with its HTTP status.
    Response(u16),
}

/// A message as signatures see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    pub kind: Kind,
    /// The request method (requests), ignored for responses.
    pub method: &'a str,
    /// The request path with its query, as sent (also in responses: what it answers).
    pub path: &'a str,
    /// Header (name, value) pairs; names are matched case-insensitively, others ignored.
    pub headers: Vec<(&'a str, &'a str)>,
    pub body: &'a [u8],
}

/// A header value with a line break cannot be put in the canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("header {0} contains a line break")]
pub struct LineBreak(pub String);

impl Message<'_> {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .rev() // the protocol: a repeated header counts with its last value (§4.3)
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.trim())
    }

    /// The signed header block: `name:value` lines in `SIGNED_HEADERS` order.
    pub fn header_block(&self) -> Result<String, LineBreak> {
        let mut out = String::new();
        for name in SIGNED_HEADERS {
            let value = self.header(name);
            if value.contains(['\r', '\n']) {
                return Err(LineBreak((*name).to_owned()));
            }
            out.push_str(name);
            out.push(':');
            out.push_str(value);
            out.push('\n');
        }
        Ok(out)
    }

    /// The canonical form.
    pub fn canonical(&self) -> Result<String, LineBreak> {
        self.canonical_with_digest(&hex::encode(Sha256::digest(self.body)))
    }

    /// The canonical form with the body given by its SHA-256 (hex): what a verifier of a
    /// metadata-only log record can rebuild.
    pub fn canonical_with_digest(&self, body_sha256_hex: &str) -> Result<String, LineBreak> {
        if self.path.contains(['\r', '\n']) {
            return Err(LineBreak("path".into()));
        }
        let (first, second) = match self.kind {
            Kind::Request => ("request", self.method.to_ascii_uppercase()),
            Kind::Response(status) => ("response", status.to_string()),
        };
        Ok(format!(
            "egov-exchange/1 {first}\n{second}\n{}\n{}body-sha256:{}",
            self.path,
            self.header_block()?,
            body_sha256_hex
        ))
    }

    /// The X-Road request hash: `base64(SHA-512(SHA-512(headers) ‖ SHA-512(body)))`, where
    /// `headers` is the signed header block of the request.
    pub fn request_hash(&self) -> Result<String, LineBreak> {
        let mut outer = Sha512::new();
        outer.update(Sha512::digest(self.header_block()?.as_bytes()));
        outer.update(Sha512::digest(self.body));
        Ok(STANDARD.encode(outer.finalize()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(headers: Vec<(&'a str, &'a str)>, body: &'a [u8]) -> Message<'a> {
        Message {
            kind: Kind::Request,
            method: "post",
            path: "/r1/KR/GOV/1210000/tax/income-certificate.v1",
            headers,
            body,
        }
    }

    #[test]
    fn every_signed_header_and_the_body_change_the_form() {
        let base = request(
            vec![
                ("X-Road-Client", "KR/GOV/1310000/petition"),
                ("X-Road-Id", "a"),
            ],
            b"{}",
        );
        let form = base.canonical().expect("form");
        assert!(form.starts_with("egov-exchange/1 request\nPOST\n/r1/"));
        assert!(form.contains("\nx-road-client:KR/GOV/1310000/petition\n"));
        assert!(
            form.contains("\nx-road-issue:\n"),
            "absent headers are empty lines"
        );
        let other_body = request(base.headers.clone(), b"{ }");
        assert_ne!(other_body.canonical(), Ok(form.clone()));
        assert_ne!(other_body.request_hash(), base.request_hash());
        let without_id = request(vec![("X-Road-Client", "KR/GOV/1310000/petition")], b"{}");
        assert_ne!(without_id.canonical(), Ok(form.clone()));
        // Unsigned headers do not matter; a repeated header counts with its last value.
        let extra = request(
            vec![
                ("X-Road-Client", "KR/GOV/1/x"),
                ("X-Road-Client", "KR/GOV/1310000/petition"),
                ("X-Road-Id", "a"),
                ("User-Agent", "curl"),
            ],
            b"{}",
        );
        assert_eq!(extra.canonical(), Ok(form));
        let bad = request(vec![("X-Road-Issue", "a\nx-road-client:evil")], b"");
        assert!(bad.canonical().is_err());
    }
}
