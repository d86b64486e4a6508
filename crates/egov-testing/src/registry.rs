//! A fixture module that provides exchange services, served only by tests and benchmarks: a
//! person register answering about a person (consent basis, full log) and a residence check
//! (statutory basis, metadata-only log). Its handlers answer from the national ID alone and
//! also return an undeclared internal item, so tests see stripping at work.

use std::sync::Arc;

use actix_web::post;

use egov_core::Module;
use egov_core::exchange::{Basis, Item, LogMode, ServiceCall, ServiceDef, ServiceError};
use serde_json::{Value, json};

pub const NAME: &str = "registry";

#[derive(Debug)]
pub struct RegistryModule;

async fn person(call: ServiceCall) -> Result<Value, ServiceError> {
    let nid = call
        .payload
        .get("national_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if nid.starts_with("00") {
        return Err(ServiceError::new(
            404,
            "registry.no_such_person",
            "no person with this national ID is registered",
        ));
    }
    Ok(json!({
        "name": "Hong Gildong",
        "birth_date": format!("19{}-{}-{}", &nid[0..2], &nid[2..4], &nid[4..6]),
        "address": "1 Sejong-daero, Jongno-gu, Seoul",
        "internal_note": "not for release",
    }))
}

async fn residence(_call: ServiceCall) -> Result<Value, ServiceError> {
    Ok(json!({ "resident": true, "since": "2001-03-01" }))
}

/// The person service's handler called directly, without the exchange: the benchmark's
/// baseline for the same work over plain HTTP.
#[utoipa::path(
    tag = "registry",
    request_body = Object,
    responses((status = 200, description = "The entry", body = Object)),
    security(()),
)]
#[post("/registry/person")]
pub async fn plain_person(
    db: actix_web::web::Data<egov_core::Db>,
    body: actix_web::web::Json<Value>,
) -> actix_web::HttpResponse {
    let call = ServiceCall {
        client: "plain".into(),
        message_id: String::new(),
        purpose: "plain".into(),
        user_id: None,
        issue: None,
        subject: None,
        payload: body.into_inner(),
        items: Vec::new(),
        db: db.get_ref().clone(),
        at: egov_core::clock::now_micros(),
    };
    match person(call).await {
        Ok(v) => actix_web::HttpResponse::Ok().json(v),
        Err(e) => actix_web::HttpResponse::NotFound().json(serde_json::json!({"code": e.code})),
    }
}

fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {"national_id": {"type": "string", "minLength": 1, "maxLength": 32}},
        "required": ["national_id"],
        "additionalProperties": false
    })
}

impl Module for RegistryModule {
    fn name(&self) -> &'static str {
        NAME
    }

    fn title(&self) -> &'static str {
        "Person register (test fixture)"
    }

    fn description(&self) -> &'static str {
        "Provides exchange services about a person, for tests and benchmarks."
    }

    fn exchange_services(&self) -> Vec<ServiceDef> {
        vec![
            ServiceDef {
                module: NAME,
                code: "person",
                version: "v1",
                title: "A person's register entry",
                description: "Name, birth date and address of a person.",
                request_schema: schema(),
                items: vec![
                    Item {
                        name: "name",
                        description: "Full name",
                        legal_basis: "Resident Registration Act art. 29",
                    },
                    Item {
                        name: "birth_date",
                        description: "Date of birth",
                        legal_basis: "Resident Registration Act art. 29",
                    },
                    Item {
                        name: "address",
                        description: "Registered address",
                        legal_basis: "Resident Registration Act art. 29",
                    },
                ],
                subject: Some("/national_id"),
                subject_kind: Default::default(),
                basis: Basis::Consent,
                log: LogMode::Full,
                handler: Arc::new(person),
            },
            ServiceDef {
                module: NAME,
                code: "residence",
                version: "v1",
                title: "Whether a person is resident",
                description: "A yes/no fact check with the date of registration.",
                request_schema: schema(),
                items: vec![
                    Item {
                        name: "resident",
                        description: "Whether the person is registered as resident",
                        legal_basis: "Electronic Government Act art. 36(1)",
                    },
                    Item {
                        name: "since",
                        description: "Since when",
                        legal_basis: "Electronic Government Act art. 36(1)",
                    },
                ],
                subject: Some("/national_id"),
                subject_kind: Default::default(),
                basis: Basis::Statute("Electronic Government Act art. 36(1)"),
                log: LogMode::Metadata,
                handler: Arc::new(residence),
            },
        ]
    }

    /// `POST /registry/person`: the same answer without the exchange (benchmark baseline).
    fn configure(&self, cfg: &mut egov_core::routes::Routes<'_>) {
        cfg.service(plain_person);
    }
}
