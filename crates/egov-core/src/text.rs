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

/// Whether `s` is an absolute http(s) URL of the shape [`schema::web_url`] states (and
/// `url::Url` parses): what webhooks and gateways are registered with.
pub fn web_url(s: &str) -> bool {
    static RE: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(&schema::web_url_pattern()).expect("regex"));
    s.chars().count() <= 2000
        && RE.is_match(s)
        && url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// The same rules as OpenAPI schemas (`#[schema(schema_with = ...)]`), so that a client or a
/// fuzzer can tell from the document what the server will accept: the patterns accept what
/// the checks accept, surrounding white space (which the checks trim) included. The character
/// classes are spelled out, not `\s`, because regular-expression engines disagree on it.
pub mod schema {
    use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, SchemaType, Type};

    /// A host as `url::Url` takes it: a name (labels of letters, digits and inner hyphens, the
    /// last one starting with a letter, since an all-digit last label would be read as IPv4),
    /// an IPv4 address in dotted decimal, or an IPv6 address in brackets.
    pub const HOST: &str = concat!(
        r"(([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?",
        r"|((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])",
        r"|\[(([0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}",
        r"|(([0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4})?::(([0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4})?)\])"
    );

    /// An optional port, 0 to 65535 (`url::Url` takes leading zeros and an empty port).
    pub const PORT: &str =
        "(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[0-5][0-9]{4}|[0-9]{1,4})?)?";
    /// A URL path and query of unreserved, sub-delimiter and percent characters.
    pub const PATH: &str =
        r"(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?(\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?";

    /// Control characters (Unicode category Cc).
    const CONTROL: &str = r"\u0000-\u001F\u007F-\u009F";
    /// White space that is not a control character (Rust's `char::is_whitespace` has these
    /// and the controls `\t \n \v \f \r` and U+0085).
    const SPACE: &str = r" \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
    /// What `str::trim` removes: white space, controls among it included.
    const TRIMMED: &str =
        r"[\t\n\u000B\u000C\r\u0085 \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";

    fn string(pattern: String, description: &str) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(pattern))
            .description(Some(description))
    }

    fn nullable(mut schema: Object) -> Object {
        schema.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
        schema
    }

    /// A name (of a person, an agency, a client, a subscriber): 1 to 200 characters besides
    /// surrounding white space, no control characters.
    pub fn name() -> Object {
        let end = format!("[^{CONTROL}{SPACE}]");
        string(
            format!("^{TRIMMED}*{end}([^{CONTROL}]{{0,198}}{end})?{TRIMMED}*$"),
            "1 to 200 characters, no control characters",
        )
        .min_length(Some(1))
        .build()
    }

    /// An optional name: absent, or as [`name`].
    pub fn optional_name() -> Object {
        nullable(name())
    }

    /// A reason for an official action ([`super::reason`]): 5 to 1000 characters, at least 5
    /// besides surrounding white space, line breaks and tabs allowed, no other controls.
    pub fn reason() -> Object {
        let end = format!("[^{CONTROL}{SPACE}]");
        string(
            format!(
                r"^[\t\n\r{SPACE}]*{end}[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{{3,}}{end}[\t\n\r{SPACE}]*$"
            ),
            "5 to 1000 characters (5 besides surrounding white space), no control characters but line breaks and tabs",
        )
        .min_length(Some(5))
        .max_length(Some(1000))
        .build()
    }

    /// A login name: 3 to 64 of letters, digits, `.`, `_`, `-`, `@` (kept in lower case;
    /// surrounding white space is dropped).
    pub fn username() -> Object {
        string(
            format!("^{TRIMMED}*[A-Za-z0-9._@-]{{3,64}}{TRIMMED}*$"),
            "3 to 64 of letters, digits, `.`, `_`, `-`, `@` (kept in lower case)",
        )
        .min_length(Some(3))
        .build()
    }

    /// An agency code: 2 to 32 of `A-Z`, `0-9`, `_`, `-`.
    pub fn agency_code() -> Object {
        string(
            "^[A-Z0-9_-]{2,32}$".to_owned(),
            "agency code: 2 to 32 of `A-Z`, `0-9`, `_`, `-`",
        )
        .min_length(Some(2))
        .max_length(Some(32))
        .build()
    }

    /// Roles: at most 32 names of 1 to 64 of `a-z`, `0-9`, `.`, `_` (each one a module defines;
    /// the server's document lists them).
    pub fn roles() -> utoipa::openapi::schema::Array {
        ArrayBuilder::new()
            .items(
                string(
                    "^[a-z0-9._]{1,64}$".to_owned(),
                    "a role a module defines, such as `petition.officer`",
                )
                .min_length(Some(1))
                .max_length(Some(64)),
            )
            .max_items(Some(32))
            .build()
    }

    /// The pattern of [`web_url`].
    pub fn web_url_pattern() -> String {
        format!("^[Hh][Tt][Tt][Pp][Ss]?://{HOST}{PORT}{PATH}$")
    }

    /// An absolute http(s) URL with a host name (a webhook, a member's gateway), at most 2,000
    /// characters; [`super::web_url`] checks it.
    pub fn web_url() -> Object {
        string(
            web_url_pattern(),
            "an absolute http(s) URL with a host name",
        )
        .min_length(Some(8))
        .max_length(Some(2000))
        .build()
    }

    /// An optional [`web_url`].
    pub fn optional_web_url() -> Object {
        nullable(web_url())
    }

    /// 1 to `max` printable ASCII characters, no spaces (identifiers: event ids, types).
    pub fn printable(max: usize) -> Object {
        string(format!("^[!-~]{{1,{max}}}$"), "printable ASCII, no spaces")
            .min_length(Some(1))
            .max_length(Some(max))
            .build()
    }

    /// Whether `value` meets `schema`'s pattern and lengths (in characters, as JSON Schema
    /// counts them): for tests that hold a schema to the check it states.
    pub fn accepts(schema: &Object, value: &str) -> bool {
        let n = value.chars().count();
        schema.pattern.as_deref().is_none_or(|p| {
            regex::Regex::new(p)
                .expect("the pattern compiles")
                .is_match(value)
        }) && schema.min_length.is_none_or(|m| n >= m)
            && schema.max_length.is_none_or(|m| n <= m)
    }

    /// Strings that probe the rules' edges (white space of each kind, controls, lengths,
    /// non-ASCII), for those tests.
    pub fn probes() -> Vec<String> {
        let mut v: Vec<String> = [
            "",
            " ",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "  abcde  ",
            " a ",
            "line one\nline two",
            "tab\tbed",
            "bell\u{7}ring",
            "\u{85}abcde",
            "\tabcde",
            "abcde\u{b}",
            "\u{b}abcde",
            "가나다라마",
            "Kim Minji",
            "a\u{3000}",
            "\u{3000}abcdef\u{3000}",
            "abcd\u{3000}e",
            "\u{feff}abcde",
            "a\u{9b}",
            "×ø\u{9b}",
            "a@b.c",
            " a@b.c ",
            "@b.c",
            "a@bc",
            "a @b.c",
            "a@b@c.d",
            "김@예.한국",
            "kim.minji",
            "KIM_minji-2@x",
            " kim.minji ",
            "a/b",
            "MOIS",
            "mo",
            "M",
            "https://a.example/x",
            "HTTPS://a.example/x",
            "https://a.example/x#f",
            "https://a.example/x?q=1",
            "http://localhost:8080/cb",
            "http://127.0.0.1:43567/signin/callback",
            "http://127.0.0.1:65536/",
            "http://10.0.0.256/",
            "http://[::1]:8080/",
            "http://127.0.0.1:065535/",
            "http://localhost:/x",
            "http://LOCALHOST/cb",
            "http://a.example/cb",
            "ftp://a.b",
            "http://a",
            "http://-a.b",
            "http://a_b.c",
            "https://X.OXOYcF0.0:0000",
            "http://1.2.3.4/",
            "https://a.example/é",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        v.extend([
            "x".repeat(200),
            "x".repeat(201),
            "y".repeat(1000),
            "y".repeat(1001),
        ]);
        v.push(format!(" {} ", "z".repeat(200)));
        v
    }

    /// An e-mail address as the server takes it: empty or white space (none), or a local part,
    /// `@` and a domain with a dot, no white space or control characters inside.
    pub fn email() -> Object {
        let c = format!("[^{CONTROL}{SPACE}]");
        let local = format!("[^@{CONTROL}{SPACE}]");
        nullable(
            string(
                format!(r"^{TRIMMED}*({local}+@{c}*\.{c}*)?{TRIMMED}*$"),
                "an e-mail address (at most 254 bytes in UTF-8); empty or absent: none",
            )
            .build(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schemas_state_the_checks() {
        let reason_schema = schema::reason();
        let url_schema = schema::web_url();
        for s in schema::probes() {
            assert_eq!(
                schema::accepts(&reason_schema, &s),
                reason("/r", &s).is_ok(),
                "reason {s:?}"
            );
            // A URL the schema's shape allows may still not parse (an `xn--` label that is
            // not punycode): the schema is never looser than the check.
            assert!(
                !web_url(&s) || schema::accepts(&url_schema, &s),
                "url {s:?}"
            );
        }
        assert!(web_url("https://a.example/x?q=1") && !web_url("https://a_b.example/"));
    }

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
