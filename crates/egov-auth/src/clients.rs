//! Registered OpenID Connect clients: exact redirect URIs; public clients (PKCE only) or
//! confidential ones (a secret, stored as argon2-free SHA-256 of 256 random bits).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use egov_core::{Db, DbConnection, Error};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::random;
use crate::schema::auth_clients as c;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    #[schema(schema_with = egov_core::text::schema::name)]
    pub name: String,
    /// Exact redirect URIs (https, or http on localhost for development).
    #[schema(schema_with = redirect_uris)]
    pub redirect_uris: Vec<String>,
    /// Confidential clients get a secret; public ones (browser or mobile apps) rely on PKCE.
    #[serde(default)]
    pub confidential: bool,
    /// The algorithm of the client's ID tokens: `EdDSA` (the default) or `RS256`, for relying
    /// parties whose libraries take only RS256.
    #[serde(default)]
    pub id_token_signed_response_alg: IdTokenAlg,
}

/// The algorithms ID tokens are signed with (access tokens are always EdDSA).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum IdTokenAlg {
    #[default]
    EdDSA,
    RS256,
}

impl IdTokenAlg {
    pub fn as_str(self) -> &'static str {
        match self {
            IdTokenAlg::EdDSA => "EdDSA",
            IdTokenAlg::RS256 => "RS256",
        }
    }

    /// A stored value (anything unknown is the default).
    pub fn parse(s: &str) -> Self {
        if s == "RS256" {
            IdTokenAlg::RS256
        } else {
            IdTokenAlg::EdDSA
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Client {
    pub client_id: String,
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub confidential: bool,
    pub id_token_signed_response_alg: IdTokenAlg,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredClient {
    #[serde(flatten)]
    pub client: Client,
    /// Shown once; store it in the client's secret store.
    pub client_secret: Option<String>,
}

#[derive(Debug, Clone, Queryable)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub redirect_uris: String,
    pub secret_hash: Option<String>,
    pub created_at: NaiveDateTime,
    pub id_token_alg: String,
}

impl ClientRow {
    pub fn redirect_uris(&self) -> Vec<String> {
        serde_json::from_str(&self.redirect_uris).unwrap_or_default()
    }

    pub fn view(&self) -> Client {
        Client {
            client_id: self.id.clone(),
            name: self.name.clone(),
            redirect_uris: self.redirect_uris(),
            confidential: self.secret_hash.is_some(),
            id_token_signed_response_alg: self.id_token_alg(),
            created_at: self.created_at.and_utc(),
        }
    }

    /// The algorithm this client's ID tokens are signed with.
    pub fn id_token_alg(&self) -> IdTokenAlg {
        IdTokenAlg::parse(&self.id_token_alg)
    }

    /// Checks a presented secret (constant time). Public clients have none to check.
    pub fn secret_matches(&self, secret: Option<&str>) -> bool {
        match (&self.secret_hash, secret) {
            (None, None) => true,
            (Some(h), Some(s)) => random::same(h.as_bytes(), random::digest(s).as_bytes()),
            _ => false,
        }
    }
}

/// `redirect_uris` as [`check_redirect`] takes them, in the document: 1 to 10 absolute URIs
/// of at most 512 characters without a fragment, https or http on localhost.
fn redirect_uris() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(512))
                .pattern(Some(redirect_pattern()))
                .examples(["https://minwon.example.go.kr/callback"]),
        )
        .min_items(Some(1))
        .max_items(Some(10))
        .build()
}

/// A redirect URI's shape: https with a host name, or http on localhost; a path and query of
/// URL characters; no fragment.
fn redirect_pattern() -> String {
    use egov_core::text::schema::{HOST, PATH, PORT};
    format!(r"^(https://{HOST}|http://(localhost|127\.0\.0\.1|\[::1\])){PORT}{PATH}$")
}

fn check_redirect(i: usize, uri: &str) -> Result<(), Error> {
    static SHAPE: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(&redirect_pattern()).expect("regex"));
    let field = format!("/redirect_uris/{i}");
    let u =
        url::Url::parse(uri).map_err(|_| Error::invalid_field(&field, "not an absolute URI"))?;
    let local = matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if u.fragment().is_some() {
        return Err(Error::invalid_field(&field, "must not have a fragment"));
    }
    if !(u.scheme() == "https" || (u.scheme() == "http" && local)) {
        return Err(Error::invalid_field(
            &field,
            "must be https (http only on localhost)",
        ));
    }
    if uri.len() > 512 {
        return Err(Error::invalid_field(&field, "at most 512 characters"));
    }
    if !SHAPE.is_match(uri) {
        return Err(Error::invalid_field(
            &field,
            "a lower-case scheme, a host name, and a path and query of URL characters",
        ));
    }
    Ok(())
}

pub async fn register(db: &Db, new: NewClient) -> Result<RegisteredClient, Error> {
    let name = crate::routes::login::check_name("/name", &new.name)?;
    if new.redirect_uris.is_empty() || new.redirect_uris.len() > 10 {
        return Err(Error::invalid_field("/redirect_uris", "1 to 10 URIs"));
    }
    for (i, u) in new.redirect_uris.iter().enumerate() {
        check_redirect(i, u)?;
    }
    let id = format!("c-{}", &random::token()[..22]);
    let secret = new.confidential.then(random::token);
    let hash = secret.as_deref().map(random::digest);
    let uris = serde_json::to_string(&new.redirect_uris).map_err(Error::internal)?;
    let alg = new.id_token_signed_response_alg.as_str();
    let row = db
        .run(move |conn| {
            diesel::insert_into(c::table)
                .values((
                    c::id.eq(&id),
                    c::name.eq(&name),
                    c::redirect_uris.eq(&uris),
                    c::secret_hash.eq(&hash),
                    c::created_at.eq(Utc::now().naive_utc()),
                    c::id_token_signed_response_alg.eq(alg),
                ))
                .execute(conn)?;
            get(conn, &id)?.ok_or_else(|| Error::internal(anyhow::anyhow!("client vanished")))
        })
        .await?;
    Ok(RegisteredClient {
        client: row.view(),
        client_secret: secret,
    })
}

/// Registers (or updates) a first-party client under a fixed id: the platform's own pages, a
/// confidential client whose secret both sides derive from the deployment's keys.
pub fn ensure_first_party(
    conn: &mut DbConnection,
    id: &str,
    name: &str,
    redirect_uris: Vec<String>,
    secret: &str,
) -> Result<(), Error> {
    for (i, u) in redirect_uris.iter().enumerate() {
        check_redirect(i, u)?;
    }
    let uris = serde_json::to_string(&redirect_uris).map_err(Error::internal)?;
    let hash = random::digest(secret);
    egov_core::db::write_transaction(conn, |conn| {
        let updated = diesel::update(c::table.find(&id))
            .set((
                c::name.eq(&name),
                c::redirect_uris.eq(&uris),
                c::secret_hash.eq(Some(&hash)),
            ))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(c::table)
                .values((
                    c::id.eq(&id),
                    c::name.eq(&name),
                    c::redirect_uris.eq(&uris),
                    c::secret_hash.eq(Some(&hash)),
                    c::created_at.eq(Utc::now().naive_utc()),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<ClientRow>, Error> {
    Ok(c::table.find(id).first(conn).optional()?)
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<Client>, Error> {
    let rows: Vec<ClientRow> = c::table.order(c::created_at.asc()).load(conn)?;
    Ok(rows.iter().map(ClientRow::view).collect())
}

#[cfg(test)]
mod tests {
    use egov_core::text::schema::{self, accepts, probes};

    /// The request schemas say what the checks take: a value is schema-valid exactly when the
    /// check accepts it (the e-mail's 254-byte limit aside, which a schema cannot count).
    #[test]
    fn the_request_schemas_state_the_checks() {
        use crate::routes::{admin::agency_code, login};
        let redirect = super::redirect_uris();
        let utoipa::openapi::schema::ArrayItems::RefOrSchema(item) = &redirect.items else {
            panic!("redirect_uris has items");
        };
        let utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(item)) =
            item.as_ref()
        else {
            panic!("an inline item schema");
        };
        let (name, username, email, agency) = (
            schema::name(),
            schema::username(),
            schema::email(),
            schema::agency_code(),
        );
        let mut taken = [0; 5];
        for s in probes() {
            for (i, schema) in [&name, &username, &email, &agency, item].iter().enumerate() {
                taken[i] += usize::from(accepts(schema, &s));
            }
            assert_eq!(
                accepts(&name, &s),
                login::check_name("/n", &s).is_ok(),
                "name {s:?}"
            );
            assert_eq!(
                accepts(&username, &s),
                crate::service::normalize_username(&s).is_ok(),
                "username {s:?}"
            );
            assert_eq!(
                accepts(&email, &s),
                login::check_email(Some(s.clone())).is_ok(),
                "e-mail {s:?}"
            );
            assert_eq!(accepts(&agency, &s), agency_code(&s), "agency {s:?}");
            assert_eq!(
                accepts(item, &s),
                super::check_redirect(0, &s).is_ok(),
                "redirect URI {s:?}"
            );
        }
        // Each schema takes some probes and refuses others.
        let total = probes().len();
        assert!(
            taken.iter().all(|&n| n > 0 && n < total),
            "{taken:?} of {total}"
        );
    }
}
