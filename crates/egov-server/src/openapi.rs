//! OpenAPI 3.1 documents, generated from the same registration as the routes: a module's
//! handlers are documented because they are registered through `utoipa-actix-web`, so a route
//! cannot be served undocumented. Error responses every operation can give (malformed input,
//! oversized bodies, overload) are added here once, as RFC 9457 problems.

use actix_web::App;
use egov_core::Module;
use egov_core::error::Problem;
use egov_core::routes::{Collected, Routes};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Ref, RefOr, ResponseBuilder,
};
use utoipa::{PartialSchema, ToSchema};

const PROBLEM_JSON: &str = "application/problem+json";

/// One module's document, with its own info and the shared error responses.
pub fn module_document(module: &dyn Module) -> OpenApi {
    let mut collected = Collected::default();
    // The routes go into a throw-away app: only their description is kept.
    let _ = App::new().configure(|cfg| {
        module.configure(&mut Routes::documenting(cfg, &mut collected));
    });
    let mut doc = collected.into_openapi();
    doc.info = InfoBuilder::new()
        .title(format!("egov {}", module.title()))
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(module.description()))
        .build();
    doc.tags = Some(vec![
        TagBuilder::new()
            .name(module.name())
            .description(Some(module.description()))
            .build(),
    ]);
    finish(&mut doc);
    doc
}

/// The merged document of the given modules, served at `/openapi.json`.
pub fn merged_document(modules: &[&'static dyn Module]) -> OpenApi {
    let documents: Vec<OpenApi> = modules.iter().map(|m| module_document(*m)).collect();
    merge(documents)
}

/// Merges module documents (from [`module_document`]) into the one served at `/openapi.json`.
pub fn merge(module_documents: Vec<OpenApi>) -> OpenApi {
    let mut doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("egov")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "An open, modular e-government platform. Every error is an RFC 9457 \
                     `application/problem+json` body with a stable `code`; every response \
                     carries an `X-Request-Id` header.",
                ))
                .build(),
        )
        .build();
    let mut tags = Vec::new();
    for module_doc in module_documents {
        tags.extend(module_doc.tags.clone().unwrap_or_default());
        doc.merge(module_doc);
    }
    doc.tags = Some(tags);
    finish(&mut doc);
    doc
}

/// Adds the `Problem` schema and the error responses any operation can give.
fn finish(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .schemas
        .insert(Problem::name().into_owned(), Problem::schema());
    components.security_schemes.insert(
        "bearer".to_owned(),
        RefOr::T(SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "An egov access token from `/auth` (the JSON login API or the OpenID Connect \
                     code flow). The scopes listed on an operation declare its policy: \
                     `kind:<k>` (any of), `role:<r>` (all of), `aal:<n>` (minimum assurance level), \
                     `agency:<setting>` (the official's agency must be the one that setting names, \
                     e.g. `agency:tax.agency`).",
                ))
                .build(),
        )),
    );
    let mut nested = Vec::new();
    <Problem as ToSchema>::schemas(&mut nested);
    for (name, schema) in nested {
        components.schemas.entry(name).or_insert(schema);
    }
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            add_common_errors(op);
        }
    }
}

/// The scopes of the operation's bearer requirement, when it has one.
pub fn bearer_scopes(op: &Operation) -> Option<Vec<String>> {
    let reqs = op.security.as_ref()?;
    reqs.iter().find_map(|r| {
        let v = serde_json::to_value(r).ok()?;
        let scopes = v.get("bearer")?.as_array()?;
        Some(
            scopes
                .iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect(),
        )
    })
}

fn add_common_errors(op: &mut Operation) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let located = |place: ParameterIn| {
        params
            .iter()
            .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
    };
    let has_query = located(ParameterIn::Query);
    let has_path = located(ParameterIn::Path);
    let mut wanted: Vec<(&str, &str)> = vec![
        (
            "500",
            "Unexpected failure; details are logged under the request id",
        ),
        (
            "503",
            "Temporarily unavailable (database or worker pool); retry after `Retry-After`",
        ),
    ];
    if has_query {
        wanted.push(("400", "A query parameter is missing or malformed"));
    }
    if has_path {
        wanted.push((
            "404",
            "No such resource (for country packs: `unknown_country`)",
        ));
    }
    if let Some(scopes) = bearer_scopes(op) {
        wanted.push((
            "401",
            "No valid access token (`unauthorized`, `invalid_token`), or a stronger sign-in is \
             needed (`insufficient_user_authentication`, with `WWW-Authenticate`)",
        ));
        if scopes
            .iter()
            .any(|s| s.starts_with("kind:") || s.starts_with("role:") || s.starts_with("agency:"))
        {
            wanted.push((
                "403",
                "The account's kind, roles or agency do not allow this (`forbidden`)",
            ));
        }
    }
    if op.request_body.is_some() {
        wanted.push(("400", "The body is not well-formed JSON"));
        wanted.push(("413", "The body is larger than the server accepts"));
        wanted.push(("415", "The body is not `application/json`"));
        wanted.push(("422", "The body is well-formed but invalid"));
    }
    for (status, description) in wanted {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(problem_response(description)));
    }
}

fn problem_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(Problem::name())))
                .build(),
        )
        .build()
}
