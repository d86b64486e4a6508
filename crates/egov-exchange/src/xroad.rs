//! X-Road identifiers (PR-REST 1.0.4 §4): `INSTANCE/CLASS/MEMBER[/SUBSYSTEM]` for clients and
//! `INSTANCE/CLASS/MEMBER/[SUBSYSTEM/]SERVICE` for services. Since 1.0.3 each part may contain
//! only `A–Z a–z 0–9 ' ( ) + , - . = ?` (§4.8); in URLs and headers parts are percent-encoded
//! UTF-8.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The request headers of the protocol.
pub mod headers {
    pub const CLIENT: &str = "x-road-client";
    pub const ID: &str = "x-road-id";
    pub const USER_ID: &str = "x-road-userid";
    pub const ISSUE: &str = "x-road-issue";
    pub const REPRESENTED_PARTY: &str = "x-road-represented-party";
    pub const SERVICE: &str = "x-road-service";
    pub const REQUEST_ID: &str = "x-road-request-id";
    pub const REQUEST_HASH: &str = "x-road-request-hash";
    pub const ERROR: &str = "x-road-error";
}

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("expected {expected} parts separated by `/`, found {found}")]
    Parts {
        expected: &'static str,
        found: usize,
    },
    #[error("part {index} is empty")]
    Empty { index: usize },
    #[error("part {index} is not valid percent-encoded UTF-8")]
    Encoding { index: usize },
    #[error("part {index} contains {found:?}; allowed are A-Z a-z 0-9 ' ( ) + , - . = ?")]
    Character { index: usize, found: char },
    #[error("part {index} is longer than 255 characters")]
    Length { index: usize },
}

/// OpenAPI schemas of the identifiers, in their unencoded form (each part 1 to 255 of the
/// characters PR-REST allows), for `#[schema(schema_with = ...)]`.
pub mod schema {
    use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

    const PART: &str = r"[A-Za-z0-9'()+,.=?-]{1,255}";

    fn id(pattern: String, description: &str) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(pattern))
            .description(Some(description))
            .build()
    }

    /// `INSTANCE/CLASS/MEMBER`.
    pub fn member() -> Object {
        id(format!("^{PART}/{PART}/{PART}$"), "INSTANCE/CLASS/MEMBER")
    }

    /// `INSTANCE/CLASS/MEMBER[/SUBSYSTEM]`.
    pub fn client() -> Object {
        id(
            format!("^{PART}/{PART}/{PART}(/{PART})?$"),
            "INSTANCE/CLASS/MEMBER[/SUBSYSTEM]",
        )
    }

    /// `INSTANCE/CLASS/MEMBER/[SUBSYSTEM/]SERVICE`.
    pub fn service() -> Object {
        id(
            format!("^{PART}/{PART}/{PART}/{PART}(/{PART})?$"),
            "INSTANCE/CLASS/MEMBER/[SUBSYSTEM/]SERVICE",
        )
    }
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || "'()+,-.=?".contains(c)
}

/// Decodes and checks the `/`-separated parts of an identifier.
fn parts(raw: &str) -> Result<Vec<String>, IdError> {
    raw.split('/')
        .enumerate()
        .map(|(index, p)| {
            let decoded =
                url::form_urlencoded::parse(format!("v={}", p.replace('+', "%2B")).as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .ok_or(IdError::Encoding { index })?;
            if decoded.is_empty() {
                return Err(IdError::Empty { index });
            }
            if decoded.chars().count() > 255 {
                return Err(IdError::Length { index });
            }
            if let Some(found) = decoded.chars().find(|c| !allowed(*c)) {
                return Err(IdError::Character { index, found });
            }
            Ok(decoded)
        })
        .collect()
}

/// Percent-encodes one part for a URL path or header (only `A–Z a–z 0–9 - .` stay as they are).
fn encode(part: &str) -> String {
    part.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A member, or one of its subsystems: the client of an exchange.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ClientId {
    pub instance: String,
    pub member_class: String,
    pub member_code: String,
    pub subsystem: Option<String>,
}

impl ClientId {
    /// Parses `INSTANCE/CLASS/MEMBER[/SUBSYSTEM]` (percent-encoded parts).
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let p = parts(raw.trim())?;
        match p.as_slice() {
            [i, c, m] => Ok(Self {
                instance: i.clone(),
                member_class: c.clone(),
                member_code: m.clone(),
                subsystem: None,
            }),
            [i, c, m, s] => Ok(Self {
                instance: i.clone(),
                member_class: c.clone(),
                member_code: m.clone(),
                subsystem: Some(s.clone()),
            }),
            _ => Err(IdError::Parts {
                expected: "3 or 4",
                found: p.len(),
            }),
        }
    }

    /// The member this client belongs to (without its subsystem).
    pub fn member(&self) -> ClientId {
        ClientId {
            subsystem: None,
            ..self.clone()
        }
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            encode(&self.instance),
            encode(&self.member_class),
            encode(&self.member_code)
        )?;
        if let Some(s) = &self.subsystem {
            write!(f, "/{}", encode(s))?;
        }
        Ok(())
    }
}

/// A service: its provider (member or subsystem) and service code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ServiceId {
    pub provider: ClientId,
    pub service_code: String,
}

impl ServiceId {
    /// Parses `INSTANCE/CLASS/MEMBER/[SUBSYSTEM/]SERVICE`.
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let raw = raw.trim();
        let (provider, service) = raw.rsplit_once('/').ok_or(IdError::Parts {
            expected: "4 or 5",
            found: 1,
        })?;
        let provider = ClientId::parse(provider).map_err(|e| match e {
            IdError::Parts { found, .. } => IdError::Parts {
                expected: "4 or 5",
                found: found + 1,
            },
            other => other,
        })?;
        let index = if provider.subsystem.is_some() { 4 } else { 3 };
        let code = parts(service).map_err(|e| match e {
            IdError::Empty { .. } => IdError::Empty { index },
            IdError::Encoding { .. } => IdError::Encoding { index },
            IdError::Character { found, .. } => IdError::Character { index, found },
            IdError::Length { .. } => IdError::Length { index },
            other => other,
        })?;
        Ok(Self {
            provider,
            service_code: code.into_iter().next().unwrap_or_default(),
        })
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.provider, encode(&self.service_code))
    }
}

/// The X-Road request line path for a service: `/r1/<service id>[/<path>]`.
pub fn request_path(service: &ServiceId, rest: &str) -> String {
    let rest = rest.trim_start_matches('/');
    if rest.is_empty() {
        format!("/r1/{service}")
    } else {
        format!("/r1/{service}/{rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_and_services_parse_and_print_round_trip() {
        let c = ClientId::parse("KR/GOV/1310000/petition").expect("client");
        assert_eq!(c.instance, "KR");
        assert_eq!(c.subsystem.as_deref(), Some("petition"));
        assert_eq!(c.to_string(), "KR/GOV/1310000/petition");
        assert_eq!(c.member().to_string(), "KR/GOV/1310000");
        let s = ServiceId::parse("KR/GOV/1210000/tax/income-certificate.v1").expect("service");
        assert_eq!(s.provider.member_code, "1210000");
        assert_eq!(s.service_code, "income-certificate.v1");
        assert_eq!(s.to_string(), "KR/GOV/1210000/tax/income-certificate.v1");
        let bare = ServiceId::parse("KR/COM/1248100998/status").expect("service without subsystem");
        assert!(bare.provider.subsystem.is_none());
        assert_eq!(
            request_path(&s, "/persons/x"),
            "/r1/KR/GOV/1210000/tax/income-certificate.v1/persons/x"
        );
    }

    #[test]
    fn the_protocol_character_rules_hold_after_decoding() {
        // §4.8: ' ( ) + , - . = ? are allowed, percent-encoded in URLs.
        let c = ClientId::parse("EE/GOV/70000310/a%27b%28c%29d%2Be%2Cf%3Dg%3F").expect("allowed");
        assert_eq!(c.subsystem.as_deref(), Some("a'b(c)d+e,f=g?"));
        assert_eq!(ClientId::parse(&c.to_string()), Ok(c));
        assert_eq!(
            ClientId::parse("EE/GOV/70000310/a%2Fb"),
            Err(IdError::Character {
                index: 3,
                found: '/'
            })
        );
        assert_eq!(
            ClientId::parse("EE/GOV/70000310/ä"),
            Err(IdError::Character {
                index: 3,
                found: 'ä'
            })
        );
        assert_eq!(
            ClientId::parse("EE/GOV//x"),
            Err(IdError::Empty { index: 2 })
        );
        assert!(matches!(
            ClientId::parse("EE/GOV"),
            Err(IdError::Parts { .. })
        ));
        assert!(matches!(
            ServiceId::parse("EE/GOV/1/2/3/4"),
            Err(IdError::Parts { .. })
        ));
        assert_eq!(
            ServiceId::parse("EE/GOV/1/sub/bad%20code"),
            Err(IdError::Character {
                index: 4,
                found: ' '
            })
        );
    }
}
