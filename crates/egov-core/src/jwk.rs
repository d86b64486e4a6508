//! Public keys as JSON Web Keys (RFC 7517; Ed25519 as `OKP` keys per RFC 8037): every module
//! publishes the keys that verify what it signs (receipts, acknowledgements, documents) in the
//! same shape.

use serde::Serialize;
use utoipa::ToSchema;

/// An Ed25519 public key as a JWK.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Ed25519Jwk)]
pub struct Jwk {
    /// `OKP`.
    pub kty: &'static str,
    /// `Ed25519`.
    pub crv: &'static str,
    /// `EdDSA`.
    pub alg: &'static str,
    /// `sig`.
    #[serde(rename = "use")]
    pub use_: &'static str,
    pub kid: String,
    /// Base64url of the raw 32-byte public key.
    pub x: String,
    /// The agency the key signs for, where a module keeps one key per agency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
}

impl Jwk {
    /// The JWK of an Ed25519 key: `x` is the base64url raw public key.
    pub fn ed25519(kid: impl Into<String>, x: impl Into<String>) -> Self {
        Self {
            kty: "OKP",
            crv: "Ed25519",
            alg: "EdDSA",
            use_: "sig",
            kid: kid.into(),
            x: x.into(),
            agency: None,
        }
    }

    /// The same key, naming the agency it signs for.
    pub fn for_agency(mut self, agency: impl Into<String>) -> Self {
        self.agency = Some(agency.into());
        self
    }
}

/// A JWK set.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Ed25519JwkSet)]
pub struct JwkSet {
    pub keys: Vec<Jwk>,
}

/// An RSA public key as a JWK (RFC 7518 §6.3): the token issuer's key for RS256 ID tokens.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RsaJwk {
    /// `RSA`.
    pub kty: &'static str,
    /// `RS256`.
    pub alg: &'static str,
    /// `sig`.
    #[serde(rename = "use")]
    pub use_: &'static str,
    pub kid: String,
    /// Base64url of the modulus.
    pub n: String,
    /// Base64url of the public exponent.
    pub e: String,
}

/// A key of the token issuer's set: Ed25519 (access tokens, and ID tokens by default) or RSA
/// (ID tokens of clients registered for RS256).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum IssuerJwk {
    Ed25519(Jwk),
    Rsa(RsaJwk),
}

/// The token issuer's JWK set (`GET /auth/jwks`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuerJwkSet {
    pub keys: Vec<IssuerJwk>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_rfc_8037_okp_keys() {
        let set = JwkSet {
            keys: vec![
                Jwk::ed25519("k1", "abc"),
                Jwk::ed25519("k2", "def").for_agency("MOIS"),
            ],
        };
        assert_eq!(
            serde_json::to_value(&set).expect("json"),
            serde_json::json!({"keys": [
                {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": "k1", "x": "abc"},
                {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": "k2", "x": "def", "agency": "MOIS"},
            ]})
        );
    }
}
