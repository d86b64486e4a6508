//! OpenAPI 3.1 documents, generated from the same registration as the routes: a module's
//! handlers are documented because they are registered through `utoipa-actix-web`, so a route
//! cannot be served undocumented. Error responses every operation can give (malformed input,
//! oversized bodies, overload) are added here once, as RFC 9457 problems.

use actix_web::App;
use egov_core::Module;
use std::collections::btree_map::Entry;

use egov_core::error::{Problem, codes};
use egov_core::routes::{Collected, Routes};
use utoipa::openapi::info::License;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Ref, RefOr, Response};
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
        .license(Some(license()))
        .build();
    // Operation ids are the handlers' names, unique within a module: prefixed by it, they stay
    // unique in the merged document (`petition.list_services`, `tax.keys`).
    let prefix = format!("{}.", module.name());
    for op in doc.paths.paths.values_mut().flat_map(operations) {
        if let Some(id) = &mut op.operation_id
            && !id.starts_with(&prefix)
        {
            *id = format!("{prefix}{id}");
        }
    }
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
                .license(Some(license()))
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

/// egov's licence, by its SPDX identifier.
fn license() -> License {
    let mut license = License::new("Apache License 2.0");
    license.identifier = Some("Apache-2.0".to_owned());
    license
}

/// The operations of a path item.
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
        &mut item.head,
        &mut item.options,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

/// A response's description where its handler gave none (OpenAPI requires one): the status's
/// meaning.
fn describe_responses(op: &mut Operation) {
    for (status, response) in &mut op.responses.responses {
        if let RefOr::T(r) = response
            && r.description.is_empty()
        {
            r.description = status
                .parse::<u16>()
                .ok()
                .and_then(|s| actix_web::http::StatusCode::from_u16(s).ok())
                .and_then(|s| s.canonical_reason())
                .unwrap_or("The answer")
                .to_owned();
        }
    }
}

/// Adds the `Problem` schema, the error responses any operation can give, and the server the
/// document describes (relative: the host that served it).
fn finish(doc: &mut OpenApi) {
    doc.servers = Some(vec![Server::new("/")]);
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
    for op in doc.paths.paths.values_mut().flat_map(operations) {
        add_common_errors(op);
        describe_responses(op);
    }
    state_known_roles(components);
}

/// Common auth takes only the roles the binary's modules define (`egov_auth::Service::
/// set_known_roles`, from the same list): the role lists of its requests say which.
fn state_known_roles(components: &mut utoipa::openapi::Components) {
    use utoipa::openapi::schema::{ArrayItems, Schema};
    let role = egov_core::text::schema::roles();
    let ArrayItems::RefOrSchema(pattern) = &role.items else {
        return;
    };
    let RefOr::T(Schema::Object(pattern)) = pattern.as_ref() else {
        return;
    };
    let mut roles: Vec<&'static str> = crate::registered_modules()
        .iter()
        .flat_map(|m| m.roles())
        .map(|(role, _)| role)
        .collect();
    roles.sort_unstable();
    roles.dedup();
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::Object(object)) = schema else {
            continue;
        };
        if let Some(RefOr::T(Schema::Array(list))) = object.properties.get_mut("roles")
            && let ArrayItems::RefOrSchema(items) = &mut list.items
            && let RefOr::T(Schema::Object(items)) = items.as_mut()
            && items.pattern == pattern.pattern
        {
            items.enum_values = Some(roles.iter().map(|r| serde_json::json!(r)).collect());
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

/// The problems any operation of this shape can answer with, from the platform's and common
/// auth's error tables: merged into the operation's own (generated) error responses.
fn add_common_errors(op: &mut Operation) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let located = |place: ParameterIn| {
        params
            .iter()
            .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
    };
    let mut common = vec![
        codes::INTERNAL,
        codes::SERVICE_UNAVAILABLE,
        codes::DATABASE_UNAVAILABLE,
    ];
    if located(ParameterIn::Query) {
        common.push(codes::INVALID_PARAMETER);
    }
    if located(ParameterIn::Path) {
        common.push(codes::NOT_FOUND);
    }
    if let Some(scopes) = bearer_scopes(op) {
        common.extend([
            codes::UNAUTHORIZED,
            egov_auth::errors::INVALID_TOKEN,
            egov_auth::errors::INSUFFICIENT_AAL,
        ]);
        if scopes
            .iter()
            .any(|s| s.starts_with("kind:") || s.starts_with("role:") || s.starts_with("agency:"))
        {
            common.push(codes::FORBIDDEN);
        }
    }
    if op.request_body.is_some() {
        common.extend([codes::MALFORMED_BODY, codes::PAYLOAD_TOO_LARGE]);
        // An OAuth endpoint answers every other client error as an OAuth 400 (RFC 6749 §5.2).
        if !oauth(op) {
            common.extend([codes::UNSUPPORTED_MEDIA_TYPE, codes::VALIDATION_FAILED]);
        }
    }
    for (status, generated) in egov_core::problems::responses(&common) {
        match op.responses.responses.entry(status) {
            Entry::Vacant(slot) => {
                slot.insert(generated);
            }
            Entry::Occupied(mut slot) => {
                if let (RefOr::T(own), RefOr::T(generated)) = (slot.get_mut(), generated) {
                    merge_problems(own, generated);
                }
            }
        }
    }
}

/// Whether the operation's errors are OAuth 2.0's `application/json` (a token endpoint).
fn oauth(op: &Operation) -> bool {
    matches!(
        op.responses.responses.get("400"),
        Some(RefOr::T(r)) if r.content.contains_key("application/json")
            && !r.content.contains_key(PROBLEM_JSON)
    )
}

/// Adds the problems of `generated` that `own` does not list yet (description and examples).
fn merge_problems(own: &mut Response, generated: Response) {
    let Some((_, RefOr::T(extra))) = generated.content.into_iter().next() else {
        return;
    };
    // An OAuth endpoint's client errors are `application/json` (RFC 6749 §5.2): theirs too.
    let media = if own.content.contains_key("application/json")
        && !own.content.contains_key(PROBLEM_JSON)
    {
        "application/json"
    } else {
        PROBLEM_JSON
    };
    let content = own.content.entry(media.to_owned()).or_insert_with(|| {
        RefOr::T(
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(Problem::name())))
                .build(),
        )
    });
    let RefOr::T(content) = content else { return };
    for (code, example) in extra.examples {
        if content.examples.contains_key(&code) {
            continue;
        }
        if let RefOr::T(e) = &example {
            let title = &e.summary;
            if own.description.is_empty() {
                own.description = format!("`{code}`: {title}");
            } else {
                own.description.push_str(&format!("; `{code}`: {title}"));
            }
        }
        content.examples.insert(code, example);
    }
}
