//! Who is calling, and what a route requires of them.
//!
//! Every protected handler takes an [`Authorized<P>`] argument, where `P` is a [`Policy`]: the
//! account kinds allowed, the roles required and the minimum assurance level. The extractor
//! verifies the bearer token and applies the policy before the handler runs; a [`Principal`]
//! can only be obtained through it. Each route also declares its policy in its OpenAPI
//! operation (`security(("bearer" = [..scopes..]))`, see [`Rule::scopes`]); the generated
//! authorization-matrix test checks every declared route against its real behaviour, and fails
//! on a route that declares nothing. A route whose path has an `{agency}` segment is agency
//! scoped: officers and agency admins reach only their own agency's.

use std::fmt;
use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use egov_core::Error;
use egov_core::error::codes;
use futures_util::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors;
use crate::verify::Auth;

/// The kinds of account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Citizen,
    Business,
    Officer,
    AgencyAdmin,
    PlatformAdmin,
    Auditor,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Citizen,
        Kind::Business,
        Kind::Officer,
        Kind::AgencyAdmin,
        Kind::PlatformAdmin,
        Kind::Auditor,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Citizen => "citizen",
            Kind::Business => "business",
            Kind::Officer => "officer",
            Kind::AgencyAdmin => "agency_admin",
            Kind::PlatformAdmin => "platform_admin",
            Kind::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Officials: their access to personal data goes to the privacy access log.
    pub fn is_official(self) -> bool {
        !matches!(self, Kind::Citizen | Kind::Business)
    }

    /// Kinds that belong to an agency.
    pub fn has_agency(self) -> bool {
        matches!(self, Kind::Officer | Kind::AgencyAdmin)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Authenticator assurance level (NIST SP 800-63B).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Aal {
    /// A password.
    Aal1 = 1,
    /// A password and a second factor (TOTP or a recovery code).
    Aal2 = 2,
}

impl Aal {
    pub fn as_str(self) -> &'static str {
        match self {
            Aal::Aal1 => "aal1",
            Aal::Aal2 => "aal2",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "aal1" => Some(Aal::Aal1),
            "aal2" => Some(Aal::Aal2),
            _ => None,
        }
    }

    pub fn level(self) -> i32 {
        self as i32
    }

    pub fn from_level(n: i32) -> Self {
        if n >= 2 { Aal::Aal2 } else { Aal::Aal1 }
    }
}

/// The verified caller of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Principal {
    /// Account id.
    pub subject: String,
    pub kind: Kind,
    pub roles: Vec<String>,
    /// Agency code, for officers and agency admins.
    pub agency: Option<String>,
    pub aal: Aal,
    /// The session the token belongs to.
    pub session_id: String,
    /// The person key (blind index of the national ID) of accounts that have one.
    pub person: Option<String>,
    /// The business registration number of a business account.
    pub business: Option<String>,
}

impl Principal {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// The data-subject key this account speaks for: a citizen's person key, or a business
    /// account's `business:<canonical registration number>` (checked against the pack's
    /// scheme). `None` for an account linked to neither.
    pub fn subject_key(&self, pack: &egov_core::CountryPack) -> Option<String> {
        match self.kind {
            Kind::Business => {
                let id = pack.parse_business_id(self.business.as_deref()?).ok()?;
                Some(egov_core::exchange::business_subject(id.canonical()))
            }
            _ => self.person.clone(),
        }
    }

    /// Agency scope: platform admins and auditors reach every agency; officers and agency
    /// admins only their own. Anyone else is refused.
    pub fn require_agency(&self, agency: &str) -> Result<(), Error> {
        match self.kind {
            Kind::PlatformAdmin | Kind::Auditor => Ok(()),
            Kind::Officer | Kind::AgencyAdmin if self.agency.as_deref() == Some(agency) => Ok(()),
            _ => Err(Error::with_detail(
                codes::FORBIDDEN,
                egov_core::text!(
                    "detail-other-agency",
                    "this resource belongs to another agency"
                ),
            )),
        }
    }
}

/// What a route requires. Build with the `const fn`s: `Rule::kinds(&[Kind::Officer]).aal2()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Allowed kinds; empty means any kind.
    pub kinds: &'static [Kind],
    /// Roles the caller must all hold.
    pub roles: &'static [&'static str],
    pub min_aal: Aal,
}

impl Rule {
    /// Any signed-in account.
    pub const ANY: Rule = Rule {
        kinds: &[],
        roles: &[],
        min_aal: Aal::Aal1,
    };

    pub const fn kinds(kinds: &'static [Kind]) -> Self {
        Rule {
            kinds,
            roles: &[],
            min_aal: Aal::Aal1,
        }
    }

    pub const fn roles(mut self, roles: &'static [&'static str]) -> Self {
        self.roles = roles;
        self
    }

    pub const fn aal2(mut self) -> Self {
        self.min_aal = Aal::Aal2;
        self
    }

    /// The OpenAPI security scopes that declare this rule: `kind:<k>` (any of), `role:<r>`
    /// (all of), `aal:<n>`.
    pub fn scopes(&self) -> Vec<String> {
        let mut s: Vec<String> = self
            .kinds
            .iter()
            .map(|k| format!("kind:{}", k.as_str()))
            .collect();
        s.extend(self.roles.iter().map(|r| format!("role:{r}")));
        s.push(format!("aal:{}", self.min_aal.level()));
        s
    }

    /// Whether `p` may call the route: `Err` is the answer to give.
    pub fn check(&self, p: &Principal) -> Result<(), Error> {
        if !self.kinds.is_empty() && !self.kinds.contains(&p.kind) {
            return Err(Error::with_detail(
                codes::FORBIDDEN,
                egov_core::text!(
                    "detail-not-for-kind",
                    "this operation is not available to {kind} accounts",
                    kind = p.kind.to_string()
                ),
            ));
        }
        if let Some(missing) = self.roles.iter().find(|r| !p.has_role(r)) {
            return Err(Error::with_detail(
                codes::FORBIDDEN,
                egov_core::text!(
                    "detail-needs-role",
                    "this operation needs the role `{role}`",
                    role = missing.to_string()
                ),
            ));
        }
        if p.aal < self.min_aal {
            return Err(errors::step_up(self.min_aal));
        }
        Ok(())
    }
}

/// A named route policy.
pub trait Policy: 'static {
    const RULE: Rule;
}

/// A request whose bearer token is valid and whose principal satisfies `P`.
pub struct Authorized<P: Policy> {
    pub principal: Principal,
    _policy: PhantomData<P>,
}

impl<P: Policy> fmt::Debug for Authorized<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorized")
            .field("principal", &self.principal)
            .field("rule", &P::RULE)
            .finish()
    }
}

impl<P: Policy> std::ops::Deref for Authorized<P> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

/// The bearer token of a request, if it has one.
pub fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl<P: Policy> FromRequest for Authorized<P> {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let auth = req.app_data::<web::Data<Auth>>().cloned();
        let token = bearer(req).map(str::to_owned);
        let agency = req.match_info().get("agency").map(str::to_owned);
        Box::pin(async move {
            let auth = auth.ok_or_else(|| {
                Error::internal(anyhow::anyhow!("the auth context is not registered"))
            })?;
            let token = token.ok_or_else(errors::unauthenticated)?;
            let principal = auth.authenticate(&token).await?;
            P::RULE.check(&principal)?;
            // Agency scope is declared by the path: a route with an `{agency}` segment admits
            // officers and agency admins of that agency only.
            if let Some(agency) = agency
                && principal.kind.has_agency()
            {
                principal.require_agency(&agency)?;
            }
            Ok(Authorized {
                principal,
                _policy: PhantomData,
            })
        })
    }
}

/// Policies shared by the auth service and modules.
pub mod policies {
    use super::{Kind, Policy, Rule};

    /// Any signed-in account, password only.
    #[derive(Debug)]
    pub struct SignedIn;
    impl Policy for SignedIn {
        const RULE: Rule = Rule::ANY;
    }

    /// Any signed-in account with a second factor.
    #[derive(Debug)]
    pub struct SignedInAal2;
    impl Policy for SignedInAal2 {
        const RULE: Rule = Rule::ANY.aal2();
    }

    /// A citizen.
    #[derive(Debug)]
    pub struct Citizen;
    impl Policy for Citizen {
        const RULE: Rule = Rule::kinds(&[Kind::Citizen]);
    }

    /// A business account.
    #[derive(Debug)]
    pub struct Business;
    impl Policy for Business {
        const RULE: Rule = Rule::kinds(&[Kind::Business]);
    }

    /// A platform admin with a second factor.
    #[derive(Debug)]
    pub struct PlatformAdmin;
    impl Policy for PlatformAdmin {
        const RULE: Rule = Rule::kinds(&[Kind::PlatformAdmin]).aal2();
    }

    /// A platform or agency admin with a second factor (agency scope checked per record).
    #[derive(Debug)]
    pub struct Admin;
    impl Policy for Admin {
        const RULE: Rule = Rule::kinds(&[Kind::PlatformAdmin, Kind::AgencyAdmin]).aal2();
    }

    /// An auditor with a second factor.
    #[derive(Debug)]
    pub struct Auditor;
    impl Policy for Auditor {
        const RULE: Rule = Rule::kinds(&[Kind::Auditor]).aal2();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(kind: Kind, aal: Aal, roles: &[&str]) -> Principal {
        Principal {
            subject: "a".into(),
            kind,
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            agency: Some("MOIS".into()),
            aal,
            session_id: "s".into(),
            person: None,
            business: None,
        }
    }

    #[test]
    fn rules_check_kind_then_role_then_level() {
        const R: Rule = Rule::kinds(&[Kind::Officer])
            .roles(&["petition.officer"])
            .aal2();
        assert_eq!(
            R.scopes(),
            ["kind:officer", "role:petition.officer", "aal:2"]
        );
        let e = R
            .check(&p(Kind::Citizen, Aal::Aal2, &[]))
            .expect_err("refused");
        assert_eq!(e.code().status, 403);
        let e = R
            .check(&p(Kind::Officer, Aal::Aal2, &[]))
            .expect_err("refused");
        assert_eq!(e.code().status, 403);
        let e = R
            .check(&p(Kind::Officer, Aal::Aal1, &["petition.officer"]))
            .expect_err("refused");
        assert_eq!(e.code().code, "insufficient_user_authentication");
        assert!(
            R.check(&p(Kind::Officer, Aal::Aal2, &["petition.officer"]))
                .is_ok()
        );
    }

    #[test]
    fn agency_scope() {
        assert!(
            p(Kind::Officer, Aal::Aal1, &[])
                .require_agency("MOIS")
                .is_ok()
        );
        assert!(
            p(Kind::AgencyAdmin, Aal::Aal1, &[])
                .require_agency("NTS")
                .is_err()
        );
        assert!(
            p(Kind::PlatformAdmin, Aal::Aal1, &[])
                .require_agency("NTS")
                .is_ok()
        );
        assert!(
            p(Kind::Citizen, Aal::Aal1, &[])
                .require_agency("MOIS")
                .is_err()
        );
    }
}
