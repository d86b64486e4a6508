//! One error type for every module, one code table, one conversion to RFC 9457
//! `application/problem+json`.
//!
//! A module declares its own codes as [`ErrorCode`] constants (`"procurement.tender_closed"`)
//! and lists them in its registration so that they are documented; this file holds the codes the
//! platform itself uses. Unexpected failures become `internal` (500) with nothing internal in the
//! body: the cause is logged with the request id instead.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::request::current_request;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A stable, documented error code: the machine-readable part of a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ErrorCode {
    /// Stable identifier, `snake_case`, prefixed by the module for module codes.
    pub code: &'static str,
    /// HTTP status this code is answered with.
    pub status: u16,
    /// Short, human-readable summary that does not change from occurrence to occurrence.
    pub title: &'static str,
    /// When it is answered: the documentation's "When" column.
    pub when: &'static str,
}

impl ErrorCode {
    pub const fn new(code: &'static str, status: u16, title: &'static str) -> Self {
        Self {
            code,
            status,
            title,
            when: "",
        }
    }

    /// The same code, documented with when it is answered.
    pub const fn when(mut self, when: &'static str) -> Self {
        self.when = when;
        self
    }

    /// The problem `type` URI of this code.
    pub fn type_uri(&self) -> String {
        format!("urn:egov:problem:{}", self.code)
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// Declares a module's error codes in one table: each row becomes a `pub const` [`ErrorCode`]
/// (code, HTTP status, title, when it is answered), and `ALL` lists them for the generated
/// documentation (`docs/errors.md`) and its tests. The table is the only place a code is
/// written; handlers return `Error::new(errors::NAME)`.
#[macro_export]
macro_rules! error_codes {
    ($( $(#[$meta:meta])* $name:ident = ($code:literal, $status:literal, $title:literal, $when:literal); )*) => {
        $(
            $(#[$meta])*
            pub const $name: $crate::error::ErrorCode =
                $crate::error::ErrorCode::new($code, $status, $title).when($when);
        )*
        /// Every code of this table, for the documentation and its tests.
        pub const ALL: &[$crate::error::ErrorCode] = &[$($name),*];
    };
}

/// The platform's own error codes (`docs/errors.md` is generated from these tables).
pub mod codes {
    use super::ErrorCode;

    crate::error_codes! {
        BAD_REQUEST = ("bad_request", 400, "Bad request", "a 4xx that has no more specific code");
        MALFORMED_BODY = ("malformed_body", 400, "Request body is not well-formed", "the body is not parseable JSON");
        INVALID_PARAMETER = ("invalid_parameter", 400, "Invalid path or query parameter", "a query parameter is missing, unknown or malformed");
        UNAUTHORIZED = ("unauthorized", 401, "Authentication required", "no or invalid credentials");
        FORBIDDEN = ("forbidden", 403, "Not allowed", "authenticated but not permitted");
        NOT_FOUND = ("not_found", 404, "Resource not found", "no route, or no such resource");
        METHOD_NOT_ALLOWED = ("method_not_allowed", 405, "Method not allowed on this resource", "known path, other method (`Allow` says which)");
        NOT_ACCEPTABLE = ("not_acceptable", 406, "No acceptable representation", "the `Accept` header cannot be met");
        CONFLICT = ("conflict", 409, "Conflicts with the current state", "unique or foreign-key violation, state conflict");
        PAYLOAD_TOO_LARGE = ("payload_too_large", 413, "Request body too large", "over `server.max_body_bytes`");
        UNSUPPORTED_MEDIA_TYPE = ("unsupported_media_type", 415, "Unsupported content type", "a JSON body sent without `application/json`");
        VALIDATION_FAILED = ("validation_failed", 422, "Request failed validation", "well-formed input that breaks a rule; see `errors`");
        TOO_MANY_REQUESTS = ("too_many_requests", 429, "Too many requests", "rate limit reached");
        INTERNAL = ("internal", 500, "Internal server error", "an unexpected failure (logged)");
        SERVICE_UNAVAILABLE = ("service_unavailable", 503, "Service temporarily unavailable", "overload; retry after `Retry-After`");
        DATABASE_UNAVAILABLE = ("database_unavailable", 503, "Database temporarily unavailable", "database down, busy or pool exhausted");
        UNKNOWN_COUNTRY = ("unknown_country", 404, "No such country pack is loaded", "a country code with no pack");
        CALENDAR_NOT_COVERED = ("calendar_not_covered", 422, "The country pack has no working-day calendar for that date", "a date, given or computed (a statutory deadline, a due date), in a year the pack has no holiday list for: the operator adds the year to the pack; the same code in every module");
    }

    /// The generic code for a status that was produced without one (by actix itself, say).
    pub fn for_status(status: u16) -> ErrorCode {
        match status {
            400 => BAD_REQUEST,
            401 => UNAUTHORIZED,
            403 => FORBIDDEN,
            404 => NOT_FOUND,
            405 => METHOD_NOT_ALLOWED,
            406 => NOT_ACCEPTABLE,
            409 => CONFLICT,
            413 => PAYLOAD_TOO_LARGE,
            415 => UNSUPPORTED_MEDIA_TYPE,
            422 => VALIDATION_FAILED,
            429 => TOO_MANY_REQUESTS,
            503 => SERVICE_UNAVAILABLE,
            s if (400..500).contains(&s) => BAD_REQUEST,
            _ => INTERNAL,
        }
    }
}

/// A text shown to a caller (a problem's `detail`, a field error) that can be said in the
/// caller's language: the API's English text, and the Fluent message that says it in another
/// language (`detail-…`, with the values it names). Built with [`text!`](crate::text); a plain
/// string converts into one with no message (said in English only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    english: String,
    message: Option<(&'static str, Vec<(&'static str, String)>)>,
    /// Said before the text in every language (a rule number, say).
    prefix: Option<String>,
}

impl Text {
    /// English only.
    pub fn plain(english: impl Into<String>) -> Self {
        Self {
            english: english.into(),
            message: None,
            prefix: None,
        }
    }

    /// The English text and the message `id` with its arguments.
    pub fn message(
        id: &'static str,
        english: impl Into<String>,
        args: Vec<(&'static str, String)>,
    ) -> Self {
        Self {
            english: english.into(),
            message: Some((id, args)),
            prefix: None,
        }
    }

    /// The same text after `prefix` (`TAX-R0001: `) in every language.
    pub fn prefixed(mut self, prefix: &str) -> Self {
        self.english = format!("{prefix}{}", self.english);
        self.prefix = Some(prefix.to_owned());
        self
    }

    /// The API's English text.
    pub fn english(&self) -> &str {
        &self.english
    }

    /// The message id (`detail-…`), when the text has one.
    pub fn id(&self) -> Option<&'static str> {
        self.message.as_ref().map(|(id, _)| *id)
    }

    /// The value of argument `name`, when the text has one.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.message
            .as_ref()?
            .1
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text in `lang` through `titles`, English when it has no message there.
    pub fn in_language(&self, titles: &dyn ProblemTitles, lang: &str) -> String {
        self.message
            .as_ref()
            .and_then(|(id, args)| titles.text(lang, id, args))
            .map(|t| format!("{}{t}", self.prefix.as_deref().unwrap_or_default()))
            .unwrap_or_else(|| self.english.clone())
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Self::plain(s)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Self::plain(s)
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Self::plain(s.clone())
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.english == *other
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.english)
    }
}

/// A [`Text`] with a message: `text!("detail-limit", "from 1 to {max}", max = 500)`. The English is formatted from the named values; the same values are the
/// message's arguments. The message goes in the crate's `messages/problems.<lang>.ftl`.
#[macro_export]
macro_rules! text {
    ($id:literal, $english:literal $(, $name:ident = $value:expr)* $(,)?) => {{
        // Each value once (`max = max` is a common call).
        $(
            #[allow(clippy::redundant_locals)]
            let $name = $value;
        )*
        $crate::error::Text::message(
            $id,
            format!($english $(, $name = $name)*),
            vec![$((stringify!($name), $name.to_string())),*],
        )
    }};
}

/// One invalid input field, pointed at with a JSON Pointer (RFC 6901) or a parameter name.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// `/amount`, `/items/0/name`, or `query:date` for a parameter.
    pub pointer: String,
    /// What is wrong with it, in the caller's language when there is a translation.
    #[schema(value_type = String)]
    pub detail: Text,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, detail: impl Into<Text>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

/// The RFC 9457 body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI identifying the problem type: `urn:egov:problem:<code>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Explanation of this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path this occurrence happened on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Stable machine-readable error code (see `docs/errors.md`).
    pub code: String,
    /// Request id, also in the `X-Request-Id` header and every log line of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Invalid fields, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(default = json!([]))]
    pub errors: Vec<FieldError>,
    /// OAuth 2.0 error code (RFC 6749 §5.2), on OAuth endpoints only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// OAuth 2.0 error description: the same text as `detail`, on OAuth endpoints only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// The error every handler and store function returns. Boxed, so `Result`s stay small.
pub struct Error(Box<Inner>);

struct Inner {
    code: ErrorCode,
    detail: Option<Text>,
    errors: Vec<FieldError>,
    retry_after_secs: Option<u32>,
    allow: Option<String>,
    www_authenticate: Option<String>,
    oauth_error: Option<&'static str>,
    source: Option<anyhow::Error>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode) -> Self {
        Self(Box::new(Inner {
            code,
            detail: None,
            errors: Vec::new(),
            retry_after_secs: None,
            allow: None,
            www_authenticate: None,
            oauth_error: None,
            source: None,
        }))
    }

    /// An error with an explanation of this occurrence. The detail is shown to the caller:
    /// never put personal data or internals in it.
    pub fn with_detail(code: ErrorCode, detail: impl Into<Text>) -> Self {
        Self::new(code).detail(detail)
    }

    /// An unexpected failure: answered as a bare 500, the cause logged.
    pub fn internal(source: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(codes::INTERNAL);
        e.0.source = Some(source.into());
        e
    }

    /// A validation failure naming each invalid field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => Text::plain(format!("{}: {}", one.pointer, one.detail)),
            many => crate::text!(
                "detail-fields-invalid",
                "{count} fields are invalid",
                count = many.len()
            ),
        };
        let mut e = Self::with_detail(codes::VALIDATION_FAILED, detail);
        e.0.errors = errors;
        e
    }

    /// A single invalid field.
    pub fn invalid_field(pointer: impl Into<String>, detail: impl Into<Text>) -> Self {
        Self::validation(vec![FieldError::new(pointer, detail)])
    }

    /// Attaches field errors to an error of any code (e.g. a rejection naming the rules that
    /// fired).
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.0.errors = errors;
        self
    }

    pub fn detail(mut self, detail: impl Into<Text>) -> Self {
        self.0.detail = Some(detail.into());
        self
    }

    pub fn retry_after(mut self, secs: u32) -> Self {
        self.0.retry_after_secs = Some(secs);
        self
    }

    pub fn allow(mut self, methods: impl Into<String>) -> Self {
        self.0.allow = Some(methods.into());
        self
    }

    /// Sets the `WWW-Authenticate` challenge of a 401 (RFC 6750 / RFC 9470).
    pub fn www_authenticate(mut self, challenge: impl Into<String>) -> Self {
        self.0.www_authenticate = Some(challenge.into());
        self
    }

    /// Adds the OAuth 2.0 `error` member (RFC 6749 §5.2) next to the problem members, so
    /// OAuth clients read token-endpoint errors as they expect.
    pub fn oauth_error(mut self, error: &'static str) -> Self {
        self.0.oauth_error = Some(error);
        self
    }

    pub fn source_error(mut self, source: impl Into<anyhow::Error>) -> Self {
        self.0.source = Some(source.into());
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.0.errors
    }

    /// The explanation of this occurrence, when there is one.
    pub fn detail_text(&self) -> Option<&Text> {
        self.0.detail.as_ref()
    }

    /// Builds the problem body, filling `instance` and `request_id` from the current request.
    pub fn problem(&self) -> Problem {
        self.problem_in().0
    }

    /// The problem body and its language when it is not English: the title, the detail and
    /// the field errors in the first language of the caller's `Accept-Language` that the pack
    /// has (English for what has no translation there).
    fn problem_in(&self) -> (Problem, Option<String>) {
        let ctx = current_request();
        let titles = ctx.as_ref().and_then(|c| c.languages.as_ref());
        let localized = titles.and_then(|(accept, titles)| {
            titles
                .title(accept.to_str().ok()?, self.0.code.code)
                .map(|(title, lang)| (title, lang, titles.as_ref()))
        });
        let single = match self.0.errors.as_slice() {
            [one] if self.0.code == codes::VALIDATION_FAILED => Some(one),
            _ => None,
        };
        let (title, detail, errors, lang) = match localized {
            Some((title, lang, titles)) => {
                let say = |t: &Text| t.in_language(titles, &lang);
                let errors: Vec<FieldError> = self
                    .0
                    .errors
                    .iter()
                    .map(|e| FieldError::new(e.pointer.clone(), say(&e.detail)))
                    .collect();
                let detail = match single {
                    Some(one) => Some(format!("{}: {}", one.pointer, say(&one.detail))),
                    None => self.0.detail.as_ref().map(say),
                };
                (title, detail, errors, Some(lang))
            }
            None => (
                self.0.code.title.to_owned(),
                self.0.detail.as_ref().map(|d| d.english.clone()),
                self.0.errors.clone(),
                None,
            ),
        };
        let problem = Problem {
            type_uri: self.0.code.type_uri(),
            title,
            status: self.0.code.status,
            error_description: self
                .0
                .oauth_error
                .and(detail.clone())
                .or_else(|| self.0.oauth_error.map(|_| self.0.code.title.to_owned())),
            detail,
            instance: ctx.as_ref().map(|c| c.path.clone()),
            code: self.0.code.code.to_owned(),
            request_id: ctx.map(|c| c.request_id),
            errors,
            error: self.0.oauth_error.map(str::to_owned),
        };
        (problem, lang)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("code", &self.0.code.code)
            .field("detail", &self.0.detail)
            .field("errors", &self.0.errors)
            .field("source", &self.0.source)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.detail {
            Some(d) => write!(f, "{}: {}", self.0.code.code, d),
            None => write!(f, "{}: {}", self.0.code.code, self.0.code.title),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source.as_ref().map(|s| s.as_ref() as _)
    }
}

/// The platform's problem titles in other languages (see [`ProblemTitles`]).
pub const PROBLEM_TITLES: &[(&str, &str)] = &[
    ("ko", include_str!("../messages/problems.ko.ftl")),
    ("es", include_str!("../messages/problems.es.ftl")),
];

/// The Fluent id of a code's title: `problem-` and the code with `.` and `_` as `-`.
pub fn title_id(code: &str) -> String {
    format!("problem-{}", code.replace(['.', '_'], "-"))
}

/// Problems in people's languages: the English titles and details are the API's own; a caller
/// that sends `Accept-Language` gets the title in the first of its languages that has one, and
/// the detail and field errors in that language where they have a message ([`Text`]).
pub trait ProblemTitles: Send + Sync + fmt::Debug + 'static {
    /// The title of `code` in the best language of `accept_language` that has one, with that
    /// language; `None`: answer in English.
    fn title(&self, accept_language: &str, code: &str) -> Option<(String, String)>;

    /// Message `id` in `lang` with `args`; `None` when the language has no such message.
    fn text(&self, lang: &str, id: &str, args: &[(&'static str, String)]) -> Option<String>;
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        self.0.code.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        self.respond(self.status_code(), PROBLEM_JSON)
    }
}

/// Marks an error answer whose body its handler chose on purpose (the OAuth token endpoint's
/// `application/json` errors): the request middleware leaves it as it is.
#[derive(Debug, Clone, Copy)]
pub struct OwnErrorBody;

impl Error {
    /// The error as an OAuth 2.0 token endpoint answers it (RFC 6749 §5.2): `application/json`,
    /// status 400 (401 for a client that failed to authenticate), `error` the OAuth code
    /// (`invalid_request` where none was set) and `error_description`. The problem's other
    /// members stay, so a client that reads problems finds its `code` and request id as well.
    /// A server's failure stays a problem (RFC 6749 defines no body for it).
    pub fn oauth_response(mut self) -> HttpResponse {
        if self.0.code.status >= 500 {
            return self.error_response();
        }
        let status = if self.0.code.status == 401 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        if self.0.oauth_error.is_none() {
            self.0.oauth_error = Some(if status == StatusCode::UNAUTHORIZED {
                "invalid_client"
            } else {
                "invalid_request"
            });
        }
        let mut res = self.respond(status, "application/json");
        res.headers_mut()
            .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        res.extensions_mut().insert(OwnErrorBody);
        res
    }

    /// The answer with `status` and a body of `content_type` (problem+json, or JSON for OAuth).
    fn respond(&self, status: StatusCode, content_type: &'static str) -> HttpResponse {
        if status.is_server_error() {
            match &self.0.source {
                Some(source) => {
                    tracing::error!(code = self.0.code.code, error = %format!("{source:#}"), "request failed")
                }
                None => {
                    tracing::warn!(code = self.0.code.code, detail = ?self.0.detail, "request failed")
                }
            }
        }
        let (mut problem, lang) = self.problem_in();
        problem.status = status.as_u16();
        let body = serde_json::to_vec(&problem).unwrap_or_else(|_| b"{}".to_vec());
        let mut res = HttpResponse::build(status);
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(content_type)));
        if let Some(v) = lang.and_then(|l| HeaderValue::from_str(&l).ok()) {
            res.insert_header((header::CONTENT_LANGUAGE, v));
        }
        res.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        if let Some(secs) = self.0.retry_after_secs {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if let Some(challenge) = &self.0.www_authenticate
            && let Ok(v) = HeaderValue::from_str(challenge)
        {
            res.insert_header((header::WWW_AUTHENTICATE, v));
        }
        if let Some(allow) = &self.0.allow
            && let Ok(v) = HeaderValue::from_str(allow)
        {
            res.insert_header((header::ALLOW, v));
        }
        res.body(body)
    }
}

/// A rule's failure that means the same thing wherever it happens (a calendar that does not
/// cover a year, say): the type names its code once, and `?` turns it into the same problem
/// in every module, so the same condition never answers with two statuses.
pub trait DomainError: fmt::Display {
    /// The code this failure is answered with.
    fn code(&self) -> ErrorCode;

    /// What is said to the caller: the English `Display`, with a message where there is one.
    fn text(&self) -> Text {
        Text::plain(self.to_string())
    }
}

impl<E: DomainError> From<E> for Error {
    fn from(e: E) -> Self {
        Error::with_detail(e.code(), e.text())
    }
}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as D};
        match &e {
            D::NotFound => Error::new(codes::NOT_FOUND),
            D::DatabaseError(K::UniqueViolation, _) => Error::with_detail(
                codes::CONFLICT,
                crate::text!(
                    "detail-duplicate-key",
                    "a record with the same key already exists"
                ),
            ),
            D::DatabaseError(K::ForeignKeyViolation, _) => Error::with_detail(
                codes::CONFLICT,
                crate::text!(
                    "detail-reference",
                    "a referenced record does not exist or is still referenced"
                ),
            ),
            D::DatabaseError(K::SerializationFailure, _) => Error::new(codes::DATABASE_UNAVAILABLE)
                .retry_after(1)
                .source_error(e),
            D::DatabaseError(K::ClosedConnection, _) => Error::new(codes::DATABASE_UNAVAILABLE)
                .retry_after(2)
                .source_error(e),
            // PostgreSQL text cannot hold U+0000 (SQLite can): refused the same way on both
            // backends by input validation; this is the net for a field that missed it.
            D::DatabaseError(_, info) if info.message().contains("0x00") => Error::with_detail(
                codes::BAD_REQUEST,
                crate::text!(
                    "detail-nul",
                    "text must not contain NUL (U+0000) characters"
                ),
            ),
            D::DatabaseError(_, info) if is_busy_message(info.message()) => {
                Error::new(codes::DATABASE_UNAVAILABLE)
                    .retry_after(1)
                    .source_error(e)
            }
            _ => Error::internal(e),
        }
    }
}

fn is_busy_message(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}

impl From<r2d2::Error> for Error {
    fn from(e: r2d2::Error) -> Self {
        Error::new(codes::DATABASE_UNAVAILABLE)
            .retry_after(2)
            .source_error(anyhow::anyhow!("connection pool: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for Error {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Error::new(codes::SERVICE_UNAVAILABLE)
            .retry_after(1)
            .source_error(anyhow::anyhow!("blocking pool: {e}"))
    }
}
