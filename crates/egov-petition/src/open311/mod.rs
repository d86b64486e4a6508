//! Open311 GeoReport v2 (XML and JSON) at `/petition/open311/v2`, mapped onto complaints:
//! services are the catalogue's services marked `open311`, their definitions are the
//! services' forms, a request is a case. The extended statuses map onto `open`/`closed` (see
//! `docs/petition/open311.md`). Departures from the letter of the specification: creating a
//! request needs an OAuth2 bearer token (a citizen's; an `api_key` sent beside it is accepted
//! and ignored), errors are RFC 9457 problem documents, and a request's text, address, address
//! id and media URL are shown only to its applicant and the agency's officers (others see the
//! status, service, agency, dates and a location rounded to about 100 m).

mod xml;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDateTime, TimeZone};
use egov_auth::Authorized;
use egov_auth::principal::policies::SignedIn;
use egov_core::Error;
use egov_core::error::{FieldError, codes};
use egov_core::request::RawBody;
use egov_core::routes::Routes;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::domain::catalogue::{FieldType, Service};
use crate::domain::lifecycle::Status;
use crate::http::applications::{LocationInput, check_location, draft_row};
use crate::http::{ApplicantPolicy, applicant_key};
use crate::service::{self, By, status_of};
use crate::store::{self, CaseRow};
use crate::{Petition, errors};

pub fn configure(cfg: &mut Routes<'_>) {
    cfg.scope("/petition/open311/v2", |s| {
        s.service(discovery)
            .service(services)
            .service(definition)
            .service(create_request)
            .service(list_requests)
            .service(one_request)
    });
}

/// GeoReport v2's two formats, chosen by the URL's extension (`.json`, `.xml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// The extension of the path; any other is no such resource.
    fn of(ext: &str) -> Result<Self, Error> {
        match ext {
            "json" => Ok(Self::Json),
            "xml" => Ok(Self::Xml),
            _ => Err(Error::new(codes::NOT_FOUND)),
        }
    }

    /// `value` in this format, with `root` as the XML document's root element.
    fn answer(self, status: StatusCode, root: &str, value: &Value) -> Result<HttpResponse, Error> {
        Ok(match self {
            Self::Json => HttpResponse::build(status).json(value),
            Self::Xml => HttpResponse::build(status)
                .content_type("text/xml; charset=utf-8")
                .body(xml::document(root, value)?),
        })
    }
}

/// A missing argument: 400, as GeoReport v2 says.
fn missing(name: &str, detail: impl Into<egov_core::error::Text>) -> Error {
    Error::new(codes::INVALID_PARAMETER)
        .detail(format!("{name}: required"))
        .with_errors(vec![FieldError::new(name, detail)])
}

fn open311_services(p: &Petition) -> impl Iterator<Item = &Service> {
    p.catalogue().services.values().filter(|s| s.open311)
}

fn service_by_code<'a>(p: &'a Petition, code: &str) -> Result<&'a Service, Error> {
    open311_services(p)
        .find(|s| s.id == code)
        .ok_or_else(|| Error::new(errors::SERVICE_NOT_FOUND))
}

fn datatype(f: FieldType) -> Option<&'static str> {
    Some(match f {
        FieldType::Text | FieldType::Address => "text",
        FieldType::Number => "number",
        FieldType::Date => "datetime",
        FieldType::Choice => "singlevaluelist",
        FieldType::MultiChoice => "multivaluelist",
        FieldType::NationalId | FieldType::Attachment => return None,
    })
}

fn iso(p: &Petition, t: NaiveDateTime) -> String {
    p.pack().time_zone.from_utc_datetime(&t).to_rfc3339()
}

egov_core::problems!(FormatErrors:
    egov_core::error::codes::NOT_FOUND,
);

/// The service-discovery document.
#[utoipa::path(
    tag = "open311",
    params(("format" = inline(Format), Path, description = "`json` or `xml`")),
    responses(
        (status = 200, description = "The discovery document", content(
            (Object = "application/json"),
            (String = "text/xml"),
        )),
        FormatErrors,
    ),
    security(()),
)]
#[get("/discovery.{format}")]
pub async fn discovery(
    p: web::Data<Petition>,
    format: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let format = Format::of(&format)?;
    let base = p.0.settings.server.public_url.clone().unwrap_or_default();
    format.answer(
        StatusCode::OK,
        "discovery",
        &json!({
            "changeset": "2026-12-07T00:00:00Z",
            "contact": "See the deployment's documentation",
            "key_service": "OAuth2 bearer tokens from /auth (an api_key is accepted beside one and ignored)",
            "endpoints": [{
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": format!("{}/petition/open311/v2", base.trim_end_matches('/')),
                "changeset": "2026-12-07T00:00:00Z",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }],
        }),
    )
}

/// The services offered through Open311.
#[utoipa::path(
    tag = "open311",
    params(("format" = inline(Format), Path, description = "`json` or `xml`")),
    responses(
        (status = 200, description = "The services", content(
            (Vec<Object> = "application/json"),
            (String = "text/xml"),
        )),
        FormatErrors,
    ),
    security(()),
)]
#[get("/services.{format}")]
pub async fn services(
    p: web::Data<Petition>,
    format: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let format = Format::of(&format)?;
    let lang = p.pack().default_language.clone();
    let list: Vec<Value> = open311_services(&p)
        .map(|s| {
            json!({
                "service_code": s.id,
                "service_name": s.name(&lang),
                "description": s.description.get(&lang).cloned().unwrap_or_default(),
                "metadata": s.fields.iter().any(|f| datatype(f.kind).is_some()),
                "type": "realtime",
                "keywords": s.category,
                "group": s.category,
            })
        })
        .collect();
    format.answer(StatusCode::OK, "services", &Value::Array(list))
}

egov_core::problems!(DefinitionErrors:
    crate::errors::SERVICE_NOT_FOUND,
    egov_core::error::codes::NOT_FOUND,
);

/// A service definition: its form as Open311 attributes.
#[utoipa::path(
    tag = "open311",
    params(
        ("code" = String, Path, description = "Service code"),
        ("format" = inline(Format), Path, description = "`json` or `xml`"),
    ),
    responses(
        (status = 200, description = "The service definition", content(
            (Object = "application/json"),
            (String = "text/xml"),
        )),
        DefinitionErrors,
    ),
    security(()),
)]
#[get("/services/{code}.{format}")]
pub async fn definition(
    p: web::Data<Petition>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (code, format) = path.into_inner();
    let format = Format::of(&format)?;
    let s = service_by_code(&p, &code)?;
    let lang = p.pack().default_language.clone();
    let attributes: Vec<Value> = s
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let dt = datatype(f.kind)?;
            Some(json!({
                "variable": true,
                "code": f.name,
                "datatype": dt,
                "required": f.required,
                "datatype_description": Value::Null,
                "order": i + 1,
                "description": f.label.get(&lang).cloned().unwrap_or_default(),
                "values": f.choices.iter().map(|c| json!({"key": c, "name": c})).collect::<Vec<_>>(),
            }))
        })
        .collect();
    format.answer(
        StatusCode::OK,
        "service_definition",
        &json!({"service_code": s.id, "attributes": attributes}),
    )
}

/// Parses the urlencoded body: plain arguments, and `attribute[code]` (repeated or
/// `attribute[code][]` for multi-value lists).
/// The plain arguments and the attributes of a request.
type Parsed = (Map<String, Value>, Map<String, Value>);

fn parse_body(bytes: &[u8]) -> Result<Parsed, Error> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes)
        .map_err(|_| Error::invalid_field("body", "application/x-www-form-urlencoded"))?;
    let mut args = Map::new();
    let mut attrs = Map::new();
    for (k, v) in pairs {
        if let Some(rest) = k.strip_prefix("attribute[") {
            let code = rest.trim_end_matches("[]").trim_end_matches(']').to_owned();
            if rest.ends_with("[]") {
                match attrs
                    .entry(code)
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(a) => a.push(Value::String(v)),
                    _ => return Err(Error::invalid_field("attribute", "mixed single and list")),
                }
            } else {
                attrs.insert(code, Value::String(v));
            }
        } else {
            args.insert(k, Value::String(v));
        }
    }
    Ok((args, attrs))
}

const ARGS: [&str; 15] = [
    "service_code",
    "api_key",
    "jurisdiction_id",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
];

egov_core::problems!(CreateRequestErrors:
    egov_core::error::codes::INVALID_PARAMETER,
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CALENDAR_NOT_COVERED,
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::SERVICE_NOT_FOUND,
    crate::errors::CONCURRENT_CHANGE,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::INCOMPLETE,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Creates a service request: a complaint case, submitted at once (receipt number, due date,
/// routing). Needs a citizen's bearer token (an `api_key` argument is accepted and ignored).
/// Body `application/x-www-form-urlencoded` as in GeoReport v2: `service_code` (missing: 400),
/// one of `lat`+`long`, `address_string` or `address_id`, `description`, `media_url` (an
/// http(s) URL of a picture), `attribute[code]=value`.
#[utoipa::path(
    tag = "open311",
    params(("format" = inline(Format), Path, description = "`json` or `xml`")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 201, description = "The request, created and submitted", content(
            (Vec<Object> = "application/json"),
            (String = "text/xml"),
        )),
        CreateRequestErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/requests.{format}")]
pub async fn create_request(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    format: web::Path<String>,
    body: RawBody,
) -> Result<HttpResponse, Error> {
    let format = Format::of(&format)?;
    let applicant = applicant_key(&p, &auth)?;
    let (args, attrs) = parse_body(&body.0)?;
    if let Some(k) = args.keys().find(|k| !ARGS.contains(&k.as_str())) {
        return Err(Error::invalid_field(
            k.clone(),
            egov_core::text!("detail-georeport-argument", "not a GeoReport v2 argument"),
        ));
    }
    let arg = |k: &str| args.get(k).and_then(Value::as_str).map(str::to_owned);
    let code = arg("service_code").ok_or_else(|| {
        missing(
            "service_code",
            egov_core::text!(
                "detail-georeport-service-code",
                "the service's code is required"
            ),
        )
    })?;
    let service = service_by_code(&p, &code)?;
    let num = |k: &str| -> Result<Option<f64>, Error> {
        arg(k)
            .map(|v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| Error::invalid_field(k, "a number"))
            })
            .transpose()
    };
    let location = LocationInput {
        lat: num("lat")?,
        long: num("long")?,
        address: arg("address_string"),
    };
    let address_id = arg("address_id");
    if location.lat.is_none() && location.address.is_none() && address_id.is_none() {
        return Err(missing(
            "lat",
            egov_core::text!(
                "detail-georeport-location",
                "one of lat+long, address_string or address_id is required"
            ),
        ));
    }
    check_location(&location)?;
    if let Some(a) = &address_id
        && (a.is_empty() || a.chars().count() > 100 || a.chars().any(char::is_control))
    {
        return Err(Error::invalid_field(
            "address_id",
            egov_core::text!(
                "detail-georeport-address-id",
                "1 to 100 characters, no control characters"
            ),
        ));
    }
    let media_url = arg("media_url").map(|u| check_media_url(&u)).transpose()?;
    let mut form = Map::new();
    for (k, v) in attrs {
        let f = service
            .field(&k)
            .filter(|f| datatype(f.kind).is_some())
            .ok_or_else(|| {
                Error::invalid_field(
                    format!("attribute[{k}]"),
                    egov_core::text!("detail-georeport-attribute", "no such attribute"),
                )
            })?;
        let v = match (f.kind, v) {
            (FieldType::MultiChoice, Value::String(s)) => json!([s]),
            (FieldType::Address, Value::String(s)) => json!({"line1": s}),
            (_, v) => v,
        };
        form.insert(k, v);
    }
    if let Some(d) = arg("description") {
        if d.chars().count() > 4000 {
            return Err(Error::invalid_field(
                "description",
                egov_core::text!("detail-georeport-description", "at most 4,000 characters"),
            ));
        }
        if service.field("description").is_some() {
            form.insert("description".into(), Value::String(d));
        }
    }
    let form = crate::domain::catalogue::check_form(service, &form, p.pack(), true)
        .map_err(Error::validation)?;
    let row = draft_row(
        applicant,
        auth.subject.clone(),
        service,
        form,
        Some(location),
        "open311",
        p.now(),
    );
    let extras = (address_id.is_some() || media_url.is_some()).then(|| store::Open311Row {
        case_id: row.id.clone(),
        address_id,
        media_url,
    });
    let by = By {
        account: auth.subject.clone(),
        role: crate::domain::lifecycle::Actor::Applicant,
        source_ip: None,
    };
    let pp = p.get_ref().clone();
    let row = p
        .db()
        .transaction(move |c| {
            store::insert_case(c, &row)?;
            if let Some(x) = &extras {
                store::insert_open311(c, x)?;
            }
            service::submit(&pp, c, row, &by)
        })
        .await?;
    p.count("application_submitted");
    format.answer(
        StatusCode::CREATED,
        "service_requests",
        &json!([{
            "service_request_id": row.receipt_no,
            "service_notice": row.due_at.map(|d| format!("Due by {}", iso(&p, d))),
            "account_id": Value::Null,
        }]),
    )
}

/// A `media_url`: an absolute http(s) URL of at most 2,000 characters, kept as given.
fn check_media_url(u: &str) -> Result<String, Error> {
    let ok = u.len() <= 2000
        && url::Url::parse(u).is_ok_and(|x| matches!(x.scheme(), "http" | "https") && x.has_host());
    if ok {
        Ok(u.to_owned())
    } else {
        Err(Error::invalid_field(
            "media_url",
            egov_core::text!(
                "detail-georeport-media-url",
                "an http or https URL of at most 2,000 characters"
            ),
        ))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RequestsQuery {
    /// Comma-separated request ids (overrides the other filters).
    pub service_request_id: Option<String>,
    /// Comma-separated service codes.
    pub service_code: Option<String>,
    /// ISO 8601: an RFC 3339 date-time or a date (default: 90 days before `end_date`).
    /// Like every filter, ignored when `service_request_id` is given (GeoReport v2), so the
    /// schema does not state its format.
    pub start_date: Option<String>,
    /// ISO 8601: an RFC 3339 date-time or a date (default: now).
    pub end_date: Option<String>,
    /// `open`, `closed`, or both as a comma list.
    pub status: Option<String>,
    /// `true`: add `extended_attributes` (the detailed status).
    pub extensions: Option<bool>,
    /// Accepted and ignored (one jurisdiction per deployment).
    pub jurisdiction_id: Option<String>,
    /// Accepted and ignored: send a bearer token to see your own requests' text.
    pub api_key: Option<String>,
}

/// The statuses a `status` argument asks for (`open`, `closed`, or a comma list of them).
fn statuses_of(arg: &str) -> Result<Vec<&'static str>, Error> {
    let mut wanted = Vec::new();
    for part in arg.split(',').map(str::trim) {
        let open = match part {
            "open" => true,
            "closed" => false,
            _ => {
                return Err(Error::invalid_field(
                    "status",
                    egov_core::text!(
                        "detail-georeport-status",
                        "open, closed, or both as a comma list"
                    ),
                ));
            }
        };
        for s in Status::ALL {
            if s != Status::Draft
                && (s.open311() == "open") == open
                && !wanted.contains(&s.as_str())
            {
                wanted.push(s.as_str());
            }
        }
    }
    Ok(wanted)
}

fn parse_time(k: &str, s: &str) -> Result<NaiveDateTime, Error> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.naive_utc())
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
        })
        .map_err(|_| {
            Error::invalid_field(
                k,
                egov_core::text!("detail-datetime", "an ISO 8601 date-time"),
            )
        })
}

/// Who may see a request's text: its applicant and the agency's officers.
fn sees_all(p: &Petition, who: Option<&egov_auth::Principal>, row: &CaseRow) -> bool {
    who.is_some_and(|w| {
        (w.kind == egov_auth::Kind::Officer
            && w.has_role(crate::OFFICER_ROLE)
            && w.agency.as_deref() == Some(row.agency.as_str()))
            || applicant_key(p, w).is_ok_and(|k| k == row.applicant)
    })
}

/// The Open311 extras (`address_id`, `media_url`) of `rows`, by case id.
async fn extras_of(
    p: &Petition,
    rows: &[CaseRow],
) -> Result<std::collections::HashMap<String, store::Open311Row>, Error> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    Ok(p.db()
        .run(move |c| store::open311_of(c, &ids))
        .await?
        .into_iter()
        .map(|x| (x.case_id.clone(), x))
        .collect())
}

fn request_json(
    p: &Petition,
    row: &CaseRow,
    extras: Option<&store::Open311Row>,
    full: bool,
    extensions: bool,
) -> Value {
    let status = status_of(row);
    let lang = &p.pack().default_language;
    let service = service::service_of(p, row).ok();
    let form: Map<String, Value> = serde_json::from_str(&row.form).unwrap_or_default();
    let round = |x: Option<f64>| {
        x.map(|v| {
            if full {
                v
            } else {
                (v * 1000.0).round() / 1000.0
            }
        })
    };
    let notes = match status {
        Status::Closed | Status::Issued => row.decision_reason.clone(),
        Status::Merged => Some("Merged into another request: follow that one".into()),
        _ => None,
    };
    let mut v = json!({
        "service_request_id": row.receipt_no,
        "status": status.open311(),
        "status_notes": notes.unwrap_or_else(|| status.as_str().replace('_', " ")),
        "service_name": service.map(|s| s.name(lang).to_owned()),
        "service_code": row.service,
        "description": if full { form.get("description").cloned().unwrap_or(Value::Null) } else { Value::Null },
        "agency_responsible": row.agency,
        "service_notice": Value::Null,
        "requested_datetime": row.submitted_at.map(|t| iso(p, t)),
        "updated_datetime": iso(p, row.updated_at),
        "expected_datetime": row.due_at.filter(|_| status.is_open()).map(|t| iso(p, t)),
        "address": if full { row.address.clone() } else { None },
        "address_id": extras.filter(|_| full).and_then(|x| x.address_id.clone()),
        "zipcode": Value::Null,
        "lat": round(row.lat),
        "long": round(row.lon),
        "media_url": extras.filter(|_| full).and_then(|x| x.media_url.clone()),
    });
    if extensions {
        v["extended_attributes"] = json!({
            "detailed_status": status.open311_extended(row.decision.as_deref().map(|d| d == "approved")),
            "status": status.as_str(),
        });
    }
    v
}

egov_core::problems!(ListRequestsErrors:
    egov_core::error::codes::NOT_FOUND,
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::SERVICE_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Service requests: by id list, or by service, dates (at most 90 days) and status; newest
/// first, at most 1,000.
#[utoipa::path(
    tag = "open311",
    params(("format" = inline(Format), Path, description = "`json` or `xml`"), RequestsQuery),
    responses(
        (status = 200, description = "The requests", content(
            (Vec<Object> = "application/json"),
            (String = "text/xml"),
        )),
        ListRequestsErrors,
    ),
    security(()),
)]
#[get("/requests.{format}")]
pub async fn list_requests(
    p: web::Data<Petition>,
    who: Option<Authorized<SignedIn>>,
    format: web::Path<String>,
    query: web::Query<RequestsQuery>,
) -> Result<HttpResponse, Error> {
    let format = Format::of(&format)?;
    let q = query.into_inner();
    let ext = q.extensions.unwrap_or(false);
    let codes: Vec<String> = open311_services(&p).map(|s| s.id.clone()).collect();
    let rows = if let Some(ids) = &q.service_request_id {
        let ids: Vec<String> = ids
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .take(100)
            .collect();
        p.db()
            .run(move |c| store::cases_by_receipts(c, &ids))
            .await?
            .into_iter()
            .filter(|r| codes.contains(&r.service))
            .collect()
    } else {
        let end = match &q.end_date {
            Some(s) => parse_time("end_date", s)?,
            None => p.now() + chrono::Duration::seconds(1),
        };
        let start = match &q.start_date {
            Some(s) => parse_time("start_date", s)?,
            None => end - chrono::Duration::days(90),
        };
        if start > end || end - start > chrono::Duration::days(90) {
            return Err(Error::invalid_field(
                "start_date",
                egov_core::text!(
                    "detail-georeport-start",
                    "before end_date, at most 90 days before it"
                ),
            ));
        }
        let wanted: Vec<String> = match &q.service_code {
            Some(s) => s
                .split(',')
                .map(str::trim)
                .filter(|c| codes.iter().any(|x| x == c))
                .map(str::to_owned)
                .collect(),
            None => codes,
        };
        let statuses = q.status.as_deref().map(statuses_of).transpose()?;
        p.db()
            .run(move |c| store::requests(c, &wanted, start, end, statuses.as_deref(), 1000))
            .await?
    };
    let who = who.map(|a| a.principal);
    let extras = extras_of(&p, &rows).await?;
    let list: Vec<Value> = rows
        .iter()
        .filter(|r| r.receipt_no.is_some())
        .map(|r| {
            let full = sees_all(&p, who.as_ref(), r);
            request_json(&p, r, extras.get(&r.id), full, ext)
        })
        .collect();
    format.answer(StatusCode::OK, "service_requests", &Value::Array(list))
}

egov_core::problems!(OneRequestErrors:
    egov_core::error::codes::NOT_FOUND,
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
);

/// One service request (by its id, the receipt number).
#[utoipa::path(
    tag = "open311",
    params(
        ("id" = String, Path, description = "Service request id (receipt number)"),
        ("format" = inline(Format), Path, description = "`json` or `xml`"),
    ),
    responses(
        (status = 200, description = "The request (a list of one, as GeoReport v2 answers)", content(
            (Vec<Object> = "application/json"),
            (String = "text/xml"),
        )),
        OneRequestErrors,
    ),
    security(()),
)]
#[get("/requests/{id}.{format}")]
pub async fn one_request(
    p: web::Data<Petition>,
    who: Option<Authorized<SignedIn>>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (id, format) = path.into_inner();
    let format = Format::of(&format)?;
    if id.len() > 64 {
        return Err(Error::new(errors::CASE_NOT_FOUND));
    }
    let row = p
        .db()
        .run(move |c| store::case_by_receipt(c, &id))
        .await?
        .filter(|r| service_by_code(&p, &r.service).is_ok())
        .ok_or_else(|| Error::new(errors::CASE_NOT_FOUND))?;
    let who = who.map(|a| a.principal);
    let extras = extras_of(&p, std::slice::from_ref(&row)).await?;
    let full = sees_all(&p, who.as_ref(), &row);
    let one = request_json(&p, &row, extras.get(&row.id), full, true);
    format.answer(StatusCode::OK, "service_requests", &json!([one]))
}
