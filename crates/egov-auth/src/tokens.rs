//! Signed tokens: EdDSA (Ed25519) JWTs with a `kid`, a JWKS that publishes the public keys,
//! and a verifier that accepts nothing else.
//!
//! The verifier decides the algorithm, never the token: only EdDSA is allowed, so `alg: none`
//! and HMAC tokens "signed" with the public key are refused before any signature check. It
//! checks `iss`, `aud`, `exp` and `nbf`, requires a known `kid`, and checks the token's
//! `purpose`, so a password-reset or invitation token is never accepted as an access token.
//! Keys rotate by publishing the new key next to the old one until the old one's tokens expire.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm,
    OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse, RSAKeyParameters, RSAKeyType,
};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Access,
    Invitation,
    PasswordReset,
    /// The second step of a JSON login: password verified, a factor is due (minutes).
    MfaChallenge,
}

/// The claims of every egov token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: u64,
    pub nbf: u64,
    pub iat: u64,
    pub jti: String,
    pub purpose: Purpose,
    /// Account kind: citizen, business, officer, agency_admin, platform_admin, auditor.
    pub kind: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// Authentication assurance: `aal1` (password) or `aal2` (password and a second factor).
    pub acr: String,
    /// Session id, for revocation.
    pub sid: String,
    /// When the session's user authenticated (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<u64>,
    /// Authentication methods (RFC 8176): `pwd`, `otp`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// The person key of a citizen: the keyed blind index of their national ID (a linking
    /// identifier like Korea's CI, not reversible without the deployment's key). Modules and the
    /// exchange match a person's records and consents by it without seeing the national ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<String>,
    /// The business registration number of a business account (public information), so
    /// modules know which business is acting without reading the auth tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bid: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token algorithm {0} is not accepted")]
    Algorithm(String),
    #[error("token has no key id")]
    NoKeyId,
    #[error("token is signed with an unknown key")]
    UnknownKey,
    #[error("token is for {0:?}, not for this use")]
    WrongPurpose(Purpose),
    #[error("token is invalid: {0}")]
    Invalid(String),
    #[error("cannot sign: {0}")]
    Signing(String),
}

/// An Ed25519 signing key with its id.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    pkcs8: Vec<u8>,
    public: [u8; 32],
    encoding: EncodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<Self, TokenError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| TokenError::Signing(e.to_string()))?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let der = key
            .to_pkcs8_der()
            .map_err(|e| TokenError::Signing(e.to_string()))?;
        Self::from_pkcs8(der.as_bytes())
    }

    /// A stored key (PKCS#8 DER). The key id is derived from the public key.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, TokenError> {
        use ed25519_dalek::pkcs8::DecodePrivateKey;
        let key = ed25519_dalek::SigningKey::from_pkcs8_der(der)
            .map_err(|e| TokenError::Signing(e.to_string()))?;
        let public = key.verifying_key().to_bytes();
        let digest = Sha256::digest(public);
        Ok(Self {
            kid: format!("ed-{}", hex::encode(&digest[..8])),
            pkcs8: der.to_vec(),
            public,
            encoding: EncodingKey::from_ed_der(der),
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The private key for storage (encrypt it at rest).
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public key as a JWK (RFC 8037 `OKP`/`Ed25519`) with `kid`, `alg` and `use`.
    pub fn public_jwk(&self) -> Jwk {
        Jwk {
            common: signature_key(&self.kid, KeyAlgorithm::EdDSA),
            algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
                key_type: OctetKeyPairType::OctetKeyPair,
                curve: EllipticCurve::Ed25519,
                x: URL_SAFE_NO_PAD.encode(self.public),
            }),
        }
    }

    /// Signs `claims` (egov claims, or an OpenID Connect ID token's).
    pub fn sign<C: Serialize>(&self, claims: &C) -> Result<String, TokenError> {
        sign_jwt(Algorithm::EdDSA, &self.kid, &self.encoding, claims)
    }
}

/// A JWK's common part for a signing key: `use: sig`, its `alg` and `kid`.
fn signature_key(kid: &str, alg: KeyAlgorithm) -> CommonParameters {
    CommonParameters {
        public_key_use: Some(PublicKeyUse::Signature),
        key_algorithm: Some(alg),
        key_id: Some(kid.to_owned()),
        ..CommonParameters::default()
    }
}

/// A JWT of `claims` with `alg` and `kid` in its header.
fn sign_jwt<C: Serialize>(
    alg: Algorithm,
    kid: &str,
    key: &EncodingKey,
    claims: &C,
) -> Result<String, TokenError> {
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, key).map_err(|e| TokenError::Signing(e.to_string()))
}

/// An RSA key (2048 bits) that signs the ID tokens of clients registered for RS256, the
/// algorithm OpenID Connect requires every provider to offer. Access tokens stay EdDSA: the
/// verifier takes nothing else.
#[derive(Clone)]
pub struct RsaSigningKey {
    kid: String,
    pkcs8: Vec<u8>,
    n: Vec<u8>,
    e: Vec<u8>,
    encoding: EncodingKey,
}

impl std::fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaSigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The prefix of RSA key ids (`rs-`), which tells them apart from Ed25519 ones (`ed-`).
pub const RSA_KID_PREFIX: &str = "rs-";

impl RsaSigningKey {
    /// A fresh 2048-bit key from the operating system's random source.
    pub fn generate() -> Result<Self, TokenError> {
        use rsa::pkcs8::EncodePrivateKey as _;
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
            .map_err(|e| TokenError::Signing(e.to_string()))?;
        let der = key
            .to_pkcs8_der()
            .map_err(|e| TokenError::Signing(e.to_string()))?;
        Self::from_pkcs8(der.as_bytes())
    }

    /// A stored key (PKCS#8 DER). The key id is derived from the modulus.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, TokenError> {
        use rsa::pkcs1::EncodeRsaPrivateKey as _;
        use rsa::pkcs8::DecodePrivateKey as _;
        use rsa::traits::PublicKeyParts as _;
        let key = rsa::RsaPrivateKey::from_pkcs8_der(der)
            .map_err(|e| TokenError::Signing(e.to_string()))?;
        let pkcs1 = key
            .to_pkcs1_der()
            .map_err(|e| TokenError::Signing(e.to_string()))?;
        let n = key.n().to_bytes_be();
        let digest = Sha256::digest(&n);
        Ok(Self {
            kid: format!("{RSA_KID_PREFIX}{}", hex::encode(&digest[..8])),
            pkcs8: der.to_vec(),
            e: key.e().to_bytes_be(),
            n,
            encoding: EncodingKey::from_rsa_der(pkcs1.as_bytes()),
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The private key for storage (encrypt it at rest).
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public key as a JWK (RFC 7518 `RSA`) with `kid`, `alg: RS256` and `use: sig`.
    pub fn public_jwk(&self) -> Jwk {
        Jwk {
            common: signature_key(&self.kid, KeyAlgorithm::RS256),
            algorithm: AlgorithmParameters::RSA(RSAKeyParameters {
                key_type: RSAKeyType::RSA,
                n: URL_SAFE_NO_PAD.encode(&self.n),
                e: URL_SAFE_NO_PAD.encode(&self.e),
            }),
        }
    }

    /// Signs an ID token's claims with RS256.
    pub fn sign<C: Serialize>(&self, claims: &C) -> Result<String, TokenError> {
        sign_jwt(Algorithm::RS256, &self.kid, &self.encoding, claims)
    }
}

/// The published key set of one or more signing keys (current and still-valid old ones).
pub fn jwks(keys: &[&SigningKey]) -> JwkSet {
    JwkSet {
        keys: keys.iter().map(|k| k.public_jwk()).collect(),
    }
}

/// Verifies tokens against a JWKS, for one issuer and one audience.
#[derive(Clone)]
pub struct Verifier {
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("kids", &self.keys.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// `leeway_secs` tolerates clock skew on `exp` and `nbf` (keep it small: 30-60 s).
    pub fn new(
        jwks: &JwkSet,
        issuer: &str,
        audience: &str,
        leeway_secs: u64,
    ) -> Result<Self, TokenError> {
        let mut keys = HashMap::new();
        for jwk in &jwks.keys {
            // Only Ed25519 signing keys are taken from the set, whatever else it holds.
            let usable = matches!(
                &jwk.algorithm,
                AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519
            ) && jwk.common.public_key_use != Some(PublicKeyUse::Encryption);
            if let (true, Some(kid)) = (usable, &jwk.common.key_id) {
                let key =
                    DecodingKey::from_jwk(jwk).map_err(|e| TokenError::Invalid(e.to_string()))?;
                keys.insert(kid.clone(), key);
            }
        }
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = leeway_secs;
        Ok(Self { keys, validation })
    }

    /// The claims of a valid token for `purpose`.
    pub fn verify(&self, token: &str, purpose: Purpose) -> Result<Claims, TokenError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| TokenError::Invalid(e.to_string()))?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Algorithm(format!("{:?}", header.alg)));
        }
        let kid = header.kid.ok_or(TokenError::NoKeyId)?;
        let key = self.keys.get(&kid).ok_or(TokenError::UnknownKey)?;
        let data = jsonwebtoken::decode::<Claims>(token, key, &self.validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        if data.claims.purpose != purpose {
            return Err(TokenError::WrongPurpose(data.claims.purpose));
        }
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISS: &str = "https://egov.example/auth";
    const AUD: &str = "egov";

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default()
    }

    fn claims() -> Claims {
        let t = now();
        Claims {
            iss: ISS.into(),
            sub: "officer-1".into(),
            aud: AUD.into(),
            exp: t + 600,
            nbf: t - 5,
            iat: t - 5,
            jti: "j-1".into(),
            purpose: Purpose::Access,
            kind: "officer".into(),
            roles: vec!["petition.reviewer".into()],
            agency: Some("MOIS".into()),
            acr: "aal2".into(),
            sid: "s-1".into(),
            auth_time: None,
            amr: Vec::new(),
            pid: None,
            bid: None,
        }
    }

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn setup() -> (SigningKey, Verifier) {
        let key = SigningKey::generate().expect("key");
        let set = jwks(&[&key]);
        let verifier = Verifier::new(&set, ISS, AUD, 0).expect("verifier");
        (key, verifier)
    }

    #[test]
    fn a_good_token_verifies_and_keys_survive_storage() {
        let (key, verifier) = setup();
        // One set of claims: two calls may straddle a second and differ in `iat`.
        let expected = claims();
        let token = key.sign(&expected).expect("sign");
        assert_eq!(verifier.verify(&token, Purpose::Access), Ok(expected));
        let reloaded = SigningKey::from_pkcs8(key.pkcs8()).expect("reload");
        assert_eq!(reloaded.kid(), key.kid());
        assert!(
            verifier
                .verify(&reloaded.sign(&claims()).expect("sign"), Purpose::Access)
                .is_ok()
        );
        // The JWKS is plain JSON that other languages read.
        let json = serde_json::to_value(jwks(&[&key])).expect("json");
        assert_eq!(json["keys"][0]["kty"], "OKP");
        assert_eq!(json["keys"][0]["crv"], "Ed25519");
        assert_eq!(json["keys"][0]["kid"], key.kid());
        assert!(json["keys"][0].get("d").is_none(), "private part published");
    }

    #[test]
    fn forged_tokens_are_refused() {
        let (key, verifier) = setup();
        // Signed by another key that claims the same kid.
        let mut other = SigningKey::generate().expect("key");
        other.kid = key.kid().to_owned();
        let forged = other.sign(&claims()).expect("sign");
        assert!(matches!(
            verifier.verify(&forged, Purpose::Access),
            Err(TokenError::Invalid(_))
        ));
        // alg: none.
        let payload = b64(&serde_json::to_vec(&claims()).expect("json"));
        let none_header = b64(format!(r#"{{"alg":"none","kid":"{}"}}"#, key.kid()).as_bytes());
        let none = format!("{none_header}.{payload}.");
        assert!(verifier.verify(&none, Purpose::Access).is_err());
        // HS256 with the public key as the HMAC secret.
        let public = match &key.public_jwk().algorithm {
            AlgorithmParameters::OctetKeyPair(p) => p.x.clone(),
            _ => unreachable!("ed25519 key"),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(key.kid().to_owned());
        let hs = jsonwebtoken::encode(
            &header,
            &claims(),
            &EncodingKey::from_secret(public.as_bytes()),
        )
        .expect("hs256");
        assert_eq!(
            verifier.verify(&hs, Purpose::Access),
            Err(TokenError::Algorithm("HS256".into()))
        );
        // No kid, unknown kid, garbage.
        let mut c = Header::new(Algorithm::EdDSA);
        c.kid = None;
        let no_kid = jsonwebtoken::encode(&c, &claims(), &key.encoding).expect("sign");
        assert_eq!(
            verifier.verify(&no_kid, Purpose::Access),
            Err(TokenError::NoKeyId)
        );
        let stranger = SigningKey::generate()
            .expect("key")
            .sign(&claims())
            .expect("sign");
        assert_eq!(
            verifier.verify(&stranger, Purpose::Access),
            Err(TokenError::UnknownKey)
        );
        assert!(verifier.verify("not.a.token", Purpose::Access).is_err());
    }

    #[test]
    fn time_issuer_audience_and_purpose_are_checked() {
        let (key, verifier) = setup();
        let t = now();
        let check = |c: Claims| verifier.verify(&key.sign(&c).expect("sign"), Purpose::Access);
        let mut c = claims();
        c.exp = t - 1;
        assert!(matches!(check(c), Err(TokenError::Invalid(e)) if e.contains("Expired")));
        let mut c = claims();
        c.nbf = t + 300;
        assert!(matches!(check(c), Err(TokenError::Invalid(e)) if e.contains("Immature")));
        let mut c = claims();
        c.aud = "another-system".into();
        assert!(matches!(check(c), Err(TokenError::Invalid(e)) if e.contains("Audience")));
        let mut c = claims();
        c.iss = "https://evil.example".into();
        assert!(matches!(check(c), Err(TokenError::Invalid(e)) if e.contains("Issuer")));
        let mut c = claims();
        c.purpose = Purpose::PasswordReset;
        assert_eq!(
            check(c),
            Err(TokenError::WrongPurpose(Purpose::PasswordReset))
        );
        let mut c = claims();
        c.purpose = Purpose::Invitation;
        let invite = key.sign(&c).expect("sign");
        assert!(verifier.verify(&invite, Purpose::Invitation).is_ok());
    }

    #[test]
    fn rotation_keeps_old_tokens_valid_while_the_old_key_is_published() {
        let old = SigningKey::generate().expect("key");
        let new = SigningKey::generate().expect("key");
        let old_token = old.sign(&claims()).expect("sign");
        let both = Verifier::new(&jwks(&[&new, &old]), ISS, AUD, 0).expect("verifier");
        assert!(both.verify(&old_token, Purpose::Access).is_ok());
        assert!(
            both.verify(&new.sign(&claims()).expect("sign"), Purpose::Access)
                .is_ok()
        );
        let new_only = Verifier::new(&jwks(&[&new]), ISS, AUD, 0).expect("verifier");
        assert_eq!(
            new_only.verify(&old_token, Purpose::Access),
            Err(TokenError::UnknownKey)
        );
    }

    #[test]
    fn rsa_keys_sign_rs256_id_tokens_that_the_access_token_verifier_still_refuses() {
        let rsa = RsaSigningKey::generate().expect("rsa key");
        assert!(rsa.kid().starts_with(RSA_KID_PREFIX));
        let reloaded = RsaSigningKey::from_pkcs8(rsa.pkcs8()).expect("reload");
        assert_eq!(reloaded.kid(), rsa.kid());
        let token = rsa.sign(&claims()).expect("sign");
        let header = jsonwebtoken::decode_header(&token).expect("header");
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.kid.as_deref(), Some(rsa.kid()));
        // Anyone with the published JWK verifies it.
        let jwk = rsa.public_jwk();
        let mut v = Validation::new(Algorithm::RS256);
        v.set_audience(&[AUD]);
        v.set_issuer(&[ISS]);
        let decoded = jsonwebtoken::decode::<Claims>(
            &token,
            &DecodingKey::from_jwk(&jwk).expect("decoding key"),
            &v,
        )
        .expect("verifies with the published key");
        assert_eq!(decoded.claims.sub, "officer-1");
        // A key set with both keys: egov's own verifier takes only the Ed25519 one, so an
        // RS256 token is never an access token.
        let ed = SigningKey::generate().expect("key");
        let mut set = jwks(&[&ed]);
        set.keys.push(jwk);
        let verifier = Verifier::new(&set, ISS, AUD, 0).expect("verifier");
        assert_eq!(
            verifier.verify(&token, Purpose::Access),
            Err(TokenError::Algorithm("RS256".into()))
        );
    }
}
