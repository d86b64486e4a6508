//! Administration of other members.

use super::bad;
use crate::Exchange;
use crate::http::discovery::MemberInfo;
use crate::keys::{Jwk, parse_jwk};
use crate::store::{self, KeyRow, MemberRow};
use crate::xroad::ClientId;
use actix_web::{put, web};
use chrono::Utc;
use egov_auth::Authorized;
use egov_auth::principal::policies::PlatformAdmin;
use egov_core::Error;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    /// `INSTANCE/CLASS/MEMBER`.
    #[schema(schema_with = crate::xroad::schema::member)]
    pub id: String,
    #[schema(schema_with = egov_core::text::schema::name)]
    pub name: String,
    /// The member's gateway (its `/r1` and `/exchange/v1/keys` are under it).
    #[schema(schema_with = egov_core::text::schema::optional_web_url)]
    pub base_url: Option<String>,
    /// Public keys to pin (for members that publish none, such as a system in another
    /// language); `kid` must be `<member>#<n>`.
    #[serde(default)]
    pub keys: Vec<Jwk>,
}

egov_core::problems!(PutMemberErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Registers or updates another member: its gateway address and, optionally, pinned keys.
#[utoipa::path(
    tag = "exchange",
    request_body = MemberInput,
    responses(
        (status = 200, description = "Registered", body = MemberInfo),
        PutMemberErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[put("/admin/members")]
pub async fn put_member(
    _auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    input: web::Json<MemberInput>,
) -> Result<web::Json<MemberInfo>, Error> {
    Ok(web::Json(register(&exchange, input.into_inner()).await?))
}

/// Checks and registers (or updates) a member: the API's and the exchange console's way.
pub(crate) async fn register(exchange: &Exchange, input: MemberInput) -> Result<MemberInfo, Error> {
    let id = ClientId::parse(&input.id).map_err(|e| bad("/id", e.to_string()))?;
    if id.subsystem.is_some() {
        return Err(bad(
            "/id",
            "a member is INSTANCE/CLASS/MEMBER, without a subsystem",
        ));
    }
    if id == *exchange.member() {
        return Err(bad(
            "/id",
            "this deployment's own member is managed by its settings",
        ));
    }
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(bad(
            "/name",
            "must be 1 to 200 characters, no control characters",
        ));
    }
    if let Some(u) = &input.base_url {
        let parsed = url::Url::parse(u).map_err(|e| bad("/base_url", e.to_string()))?;
        if !egov_core::text::web_url(u) || parsed.query().is_some() {
            return Err(bad(
                "/base_url",
                "must be an http(s) URL with a host name, without a query",
            ));
        }
    }
    let mut rows = Vec::new();
    for (i, jwk) in input.keys.iter().enumerate() {
        let key = parse_jwk(jwk).map_err(|e| bad(&format!("/keys/{i}"), e))?;
        if crate::keys::member_of(&jwk.kid).as_ref() != Some(&id) {
            return Err(bad(
                &format!("/keys/{i}/kid"),
                "must be <member>#<n> of this member",
            ));
        }
        rows.push(KeyRow {
            kid: jwk.kid.clone(),
            member: id.to_string(),
            public_key: base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                key.to_bytes(),
            ),
            private_sealed: None,
            created_at: Utc::now().naive_utc(),
            retire_at: None,
            revoked_at: None,
            revocation_reason: None,
        });
    }
    let row = MemberRow {
        id: id.to_string(),
        name,
        base_url: input.base_url,
        local: false,
        created_at: Utc::now().naive_utc(),
    };
    let saved = row.clone();
    exchange
        .db()
        .transaction(move |c| {
            store::put_member(c, &row)?;
            for k in &rows {
                store::add_key(c, k)?;
            }
            Ok(())
        })
        .await?;
    exchange.keys().reload().await?;
    Ok(saved.into())
}
