//! OCDS release packages and records.

use crate::service;
use crate::{Procurement, errors, ocds};
use actix_web::{HttpRequest, HttpResponse, get, web};
use egov_core::Error;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

/// An ocid as this module makes them (`<prefix>-<uuid>`): anything else is not found.
pub(crate) fn ocid_ok(o: &str) -> bool {
    !o.is_empty() && o.len() <= 100 && o.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

egov_core::problems!(OcdsReleasesErrors:
    crate::errors::TENDER_NOT_FOUND,
);

/// Every OCDS release of a tender, as a release package.
#[utoipa::path(
    tag = "procurement",
    params(("ocid" = String, Path, description = "Open contracting id")),
    responses(
        (status = 200, description = "OCDS 1.1 release package", body = Object),
        OcdsReleasesErrors,
    ),
    security(()),
)]
#[get("/ocds/releases/{ocid}")]
pub async fn ocds_releases(
    p: web::Data<Procurement>,
    ocid: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    let o = ocid.into_inner();
    if !ocid_ok(&o) {
        return Err(Error::new(errors::TENDER_NOT_FOUND));
    }
    let rows = service::releases(&p, o).await?;
    if rows.is_empty() {
        return Err(Error::new(errors::TENDER_NOT_FOUND));
    }
    let mut pkg = ocds::envelope(&p, &format!("{}{}", p.settings().public_url(), req.path()));
    pkg.insert(
        "releases".into(),
        Value::Array(
            rows.iter()
                .map(|r| serde_json::from_str(&r.body).unwrap_or(Value::Null))
                .collect(),
        ),
    );
    Ok(HttpResponse::Ok().json(Value::Object(pkg)))
}

egov_core::problems!(OcdsRecordErrors:
    crate::errors::TENDER_NOT_FOUND,
);

/// A tender's OCDS record: its releases and the compiled release, as a record package.
#[utoipa::path(
    tag = "procurement",
    params(("ocid" = String, Path, description = "Open contracting id")),
    responses(
        (status = 200, description = "OCDS 1.1 record package", body = Object),
        OcdsRecordErrors,
    ),
    security(()),
)]
#[get("/ocds/records/{ocid}")]
pub async fn ocds_record(
    p: web::Data<Procurement>,
    ocid: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    let o = ocid.into_inner();
    if !ocid_ok(&o) {
        return Err(Error::new(errors::TENDER_NOT_FOUND));
    }
    let oc = o.clone();
    let rows = service::releases(&p, oc).await?;
    if rows.is_empty() {
        return Err(Error::new(errors::TENDER_NOT_FOUND));
    }
    let releases: Vec<Value> = rows
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap_or(Value::Null))
        .collect();
    let compiled = ocds::compile(&releases);
    let mut pkg = ocds::envelope(&p, &format!("{}{}", p.settings().public_url(), req.path()));
    pkg.insert(
        "records".into(),
        json!([{"ocid": o, "releases": releases, "compiledRelease": compiled}]),
    );
    Ok(HttpResponse::Ok().json(Value::Object(pkg)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BulkQuery {
    /// Releases after this sequence number (the `X-Next-After` of the previous export).
    #[param(minimum = 0)]
    pub after: Option<i64>,
}

egov_core::problems!(OcdsBulkErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Bulk export: every release (of every tender) in publication order as one release package,
/// streamed in batches so memory stays flat however large it is. `X-Next-After` tells where
/// the next incremental export starts.
#[utoipa::path(
    tag = "procurement",
    params(BulkQuery),
    responses(
        (status = 200, description = "OCDS 1.1 release package", body = Object),
        OcdsBulkErrors,
    ),
    security(()),
)]
#[get("/ocds/bulk")]
pub async fn ocds_bulk(
    p: web::Data<Procurement>,
    q: web::Query<BulkQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    if q.after.is_some_and(|a| a < 0) {
        return Err(Error::invalid_field(
            "after",
            "a release sequence number (0 or more)",
        ));
    }
    let start = q.after.unwrap_or(0);
    let last = service::last_release(&p, start).await?.unwrap_or(start);
    let head = ocds::envelope(&p, &format!("{}{}", p.settings().public_url(), req.path()));
    let head = serde_json::to_string(&Value::Object(head)).map_err(Error::internal)?;
    // `{<envelope>,"releases":[` + the batches + `]}`.
    let prefix = format!("{},\"releases\":[", head.trim_end_matches('}'));
    let q = p.get_ref().clone();
    let stream = futures_util::stream::unfold((0u8, start, true), move |(stage, after, first)| {
        let q = q.clone();
        let prefix = prefix.clone();
        async move {
            match stage {
                0 => Some((Ok::<_, Error>(web::Bytes::from(prefix)), (1, after, first))),
                1 => {
                    let rows = service::releases_after(&q, after, 500).await.ok()?;
                    if rows.is_empty() || after >= last {
                        return Some((Ok(web::Bytes::from_static(b"]}")), (2, after, first)));
                    }
                    let rows: Vec<_> = rows.into_iter().filter(|r| r.seq <= last).collect();
                    let next = rows.last().map(|r| r.seq).unwrap_or(last);
                    let mut out = String::new();
                    let mut f = first;
                    for r in &rows {
                        if !f {
                            out.push(',');
                        }
                        f = false;
                        out.push_str(&r.body);
                    }
                    Some((Ok(web::Bytes::from(out)), (1, next, f)))
                }
                _ => None,
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("X-Next-After", last.to_string()))
        .streaming(stream))
}
