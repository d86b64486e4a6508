//! OpenAPI error responses generated from the error tables: an operation names the codes it can
//! answer with, and the responses (one per status, each listing its codes with their titles and
//! an example body per code) are built from the codes' table rows. No operation writes an error
//! row by hand, so the OpenAPI cannot drift from `docs/errors.md`, which is generated from the
//! same tables.
//!
//! ```ignore
//! egov_core::problems!(ApproveErrors: errors::NOT_YOUR_TURN, errors::DOCUMENT_NOT_FOUND);
//!
//! #[utoipa::path(post, path = "/documents/{id}/approve",
//!     responses((status = 200, body = Approved), ApproveErrors))]
//! ```
//!
//! The errors every operation can give (malformed input, missing token, overload) are added
//! to each operation by the server when it builds the document, from the platform's table.

use std::collections::BTreeMap;

use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

use crate::error::{ErrorCode, PROBLEM_JSON};

/// The responses of `codes`: one per HTTP status, in status order.
pub fn responses(codes: &[ErrorCode]) -> BTreeMap<String, RefOr<Response>> {
    grouped(codes.iter().map(|c| Documented {
        status: c.status,
        code: c.code,
        title: c.title,
        type_uri: c.type_uri(),
    }))
}

/// One documented problem: what a client can match on.
#[derive(Debug)]
pub struct Documented {
    pub status: u16,
    pub code: &'static str,
    pub title: &'static str,
    pub type_uri: String,
}

impl Documented {
    /// The named example of the problem: the body a client receives, without the parts
    /// that vary.
    pub fn example(&self) -> serde_json::Value {
        serde_json::json!({
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "code": self.code,
        })
    }
}

/// Responses for problems that do not come from an error table (the exchange's X-Road fault
/// types): one per status, each listing its problems once.
pub fn grouped(
    problems: impl IntoIterator<Item = Documented>,
) -> BTreeMap<String, RefOr<Response>> {
    let mut by_status: BTreeMap<u16, Vec<Documented>> = BTreeMap::new();
    for p in problems {
        let list = by_status.entry(p.status).or_default();
        if !list.iter().any(|q| q.code == p.code) {
            list.push(p);
        }
    }
    by_status
        .into_iter()
        .map(|(status, list)| (status.to_string(), RefOr::T(response(&list))))
        .collect()
}

/// The error responses of an OAuth 2.0 token endpoint (RFC 6749 §5.2), from `(code, OAuth
/// error)` pairs: a client's failed authentication is 401 and every other client error 400, as
/// `application/json` whose examples carry the OAuth `error` beside the problem's members (what
/// [`crate::Error::oauth_response`] answers); a server's failure stays a problem.
pub fn oauth_responses(codes: &[(ErrorCode, &'static str)]) -> BTreeMap<String, RefOr<Response>> {
    let mut by_status: BTreeMap<u16, Vec<(Documented, &'static str)>> = BTreeMap::new();
    let mut server = Vec::new();
    for (c, oauth) in codes {
        if c.status >= 500 {
            server.push(*c);
            continue;
        }
        let status = if c.status == 401 { 401 } else { 400 };
        let list = by_status.entry(status).or_default();
        if !list.iter().any(|(p, _)| p.code == c.code) {
            list.push((
                Documented {
                    status,
                    code: c.code,
                    title: c.title,
                    type_uri: c.type_uri(),
                },
                oauth,
            ));
        }
    }
    let mut out = responses(&server);
    for (status, list) in by_status {
        let description = list
            .iter()
            .map(|(p, oauth)| format!("`{oauth}` (`{}`): {}", p.code, p.title))
            .collect::<Vec<_>>()
            .join("; ");
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .examples_from_iter(list.iter().map(|(p, oauth)| {
                let mut value = p.example();
                value["error"] = (*oauth).into();
                value["error_description"] = p.title.into();
                (
                    p.code,
                    ExampleBuilder::new()
                        .summary(p.title)
                        .value(Some(value))
                        .build(),
                )
            }))
            .build();
        out.insert(
            status.to_string(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content("application/json", content)
                    .build(),
            ),
        );
    }
    out
}

/// One response listing `problems` (all of one status).
fn response(problems: &[Documented]) -> Response {
    let description = problems
        .iter()
        .map(|p| format!("`{}`: {}", p.code, p.title))
        .collect::<Vec<_>>()
        .join("; ");
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .examples_from_iter(problems.iter().map(|p| {
            (
                p.code,
                ExampleBuilder::new()
                    .summary(p.title)
                    .value(Some(p.example()))
                    .build(),
            )
        }))
        .build();
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, content)
        .build()
}

/// Declares a type whose OpenAPI responses are the problems of the listed codes, for the
/// `responses(...)` of a `#[utoipa::path]`: `problems!(pub TenderErrors: errors::TENDER_NOT_FOUND)`.
#[macro_export]
macro_rules! problems {
    ($vis:vis $name:ident : $($code:expr),+ $(,)?) => {
        #[doc = "The problems this operation can answer with (generated from the error tables)."]
        #[derive(Debug)]
        $vis struct $name;
        impl $name {
            /// The codes, for tests.
            #[allow(dead_code)]
            pub const CODES: &'static [$crate::error::ErrorCode] = &[$($code),+];
        }
        impl ::utoipa::IntoResponses for $name {
            fn responses() -> ::std::collections::BTreeMap<
                String,
                ::utoipa::openapi::RefOr<::utoipa::openapi::Response>,
            > {
                $crate::problems::responses(Self::CODES)
            }
        }
    };
}

/// [`problems!`] for an OAuth 2.0 token endpoint: each code with the OAuth `error` it is
/// answered with (`oauth_problems!(TokenErrors: errors::INVALID_GRANT => "invalid_grant")`);
/// the responses are [`oauth_responses`].
#[macro_export]
macro_rules! oauth_problems {
    ($vis:vis $name:ident : $($code:expr => $oauth:literal),+ $(,)?) => {
        #[doc = "The OAuth errors this operation can answer with (generated from the error tables)."]
        #[derive(Debug)]
        $vis struct $name;
        impl $name {
            /// The codes with their OAuth errors, for tests.
            #[allow(dead_code)]
            pub const CODES: &'static [($crate::error::ErrorCode, &'static str)] =
                &[$(($code, $oauth)),+];
        }
        impl ::utoipa::IntoResponses for $name {
            fn responses() -> ::std::collections::BTreeMap<
                String,
                ::utoipa::openapi::RefOr<::utoipa::openapi::Response>,
            > {
                $crate::problems::oauth_responses(Self::CODES)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::codes;

    #[test]
    fn oauth_errors_are_400_or_401_json_and_server_failures_stay_problems() {
        let r = oauth_responses(&[
            (codes::NOT_FOUND, "invalid_grant"),
            (codes::MALFORMED_BODY, "invalid_request"),
            (codes::UNAUTHORIZED, "invalid_client"),
            (codes::DATABASE_UNAVAILABLE, "temporarily_unavailable"),
        ]);
        assert_eq!(r.keys().collect::<Vec<_>>(), ["400", "401", "503"]);
        let RefOr::T(bad) = &r["400"] else {
            panic!("inline response expected")
        };
        let RefOr::T(json) = &bad.content["application/json"] else {
            panic!("inline content expected")
        };
        let RefOr::T(example) = &json.examples["not_found"] else {
            panic!("inline example expected")
        };
        let value = example.value.as_ref().expect("value");
        assert_eq!(value["status"], 400);
        assert_eq!(value["error"], "invalid_grant");
        let RefOr::T(unavailable) = &r["503"] else {
            panic!("inline response expected")
        };
        assert!(unavailable.content.contains_key(PROBLEM_JSON));
    }

    #[test]
    fn one_response_per_status_listing_each_code_once() {
        let r = responses(&[
            codes::CONFLICT,
            codes::NOT_FOUND,
            codes::UNKNOWN_COUNTRY,
            codes::CONFLICT,
        ]);
        assert_eq!(r.keys().collect::<Vec<_>>(), ["404", "409"]);
        let RefOr::T(not_found) = &r["404"] else {
            panic!("inline response expected")
        };
        assert_eq!(
            not_found.description,
            "`not_found`: Resource not found; `unknown_country`: No such country pack is loaded"
        );
        let examples = |status: &str| {
            let v = serde_json::to_value(&r[status]).expect("serializes");
            v["content"][PROBLEM_JSON]["examples"]
                .as_object()
                .map_or(0, |e| e.len())
        };
        assert_eq!(examples("404"), 2);
        assert_eq!(examples("409"), 1);
    }

    #[test]
    fn the_example_is_the_body_a_client_receives() {
        let c = codes::CONFLICT;
        let documented = Documented {
            status: c.status,
            code: c.code,
            title: c.title,
            type_uri: c.type_uri(),
        };
        assert_eq!(
            documented.example(),
            serde_json::json!({
                "type": "urn:egov:problem:conflict",
                "title": "Conflicts with the current state",
                "status": 409,
                "code": "conflict",
            })
        );
    }
}
