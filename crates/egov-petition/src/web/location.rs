//! Where a report about a place is (e-People's and Open311's location): one page between the
//! form and the documents. Without JavaScript it is an address field; with it, "Use my
//! location" fills the coordinates from the browser's position (the device's own, nothing
//! sent anywhere else), and where the deployment has a tile server (`[web.map]`) a map marks
//! the place with a click (or Enter on its centre); the address stays to say more. Then "check your answers" shows
//! the place and the open reports like it nearby, so a person can follow one instead of
//! sending the same report again.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_web::{CsrfForm, Page, PageError, SignedIn, see_other};
use serde::Deserialize;

use crate::Petition;
use crate::domain::lifecycle::Status;
use crate::http::ApplicantPolicy;
use crate::service::applications::{self, Place};
use crate::service::status_of;
use crate::store::CaseRow;

type Who = SignedIn<ApplicantPolicy>;

#[derive(Template)]
#[template(path = "web/location.html")]
struct LocationPage<'a> {
    /// The error summary: (link to the field, message).
    errors: Vec<(String, String)>,
    t: &'a Page,
    title: String,
    service: String,
    id: &'a str,
    csrf: &'a str,
    address: String,
    lat: String,
    long: String,
    error: Option<String>,
    /// The scripts, in order (Leaflet and the map's first when there is a map).
    scripts: Vec<String>,
    /// The map's settings, when the deployment has a tile server.
    map: Option<MapView>,
}

/// What the page's map needs (read by `egov-map.js` from `data-` attributes).
struct MapView {
    tiles: String,
    attribution: String,
    lat: String,
    long: String,
    zoom: u8,
    max_zoom: u8,
    stylesheet: String,
}

/// The place of a case in words: the address, and the coordinates when given.
pub(crate) fn place_text(t: &Page, row: &CaseRow) -> String {
    let coords = row.lat.zip(row.lon).map(|(a, o)| {
        t.t_with(
            "location-coordinates",
            &[("lat", format!("{a:.5}")), ("long", format!("{o:.5}"))],
        )
    });
    match (row.address.as_deref().filter(|a| !a.is_empty()), coords) {
        (Some(a), Some(c)) => format!("{a} ({c})"),
        (Some(a), None) => a.to_owned(),
        (None, Some(c)) => c,
        (None, None) => t.t("location-none"),
    }
}

/// Open reports like this one, in words: receipt number, status, date sent, distance.
pub(crate) async fn similar_lines(
    t: &Page,
    p: &Petition,
    row: &CaseRow,
) -> Result<Vec<String>, PageError> {
    let found = applications::similar(p, row)
        .await
        .map_err(|e| t.error(&e))?;
    Ok(found
        .into_iter()
        .filter(|s| s.receipt_no.is_some())
        .map(|s| {
            let mut line = t.t_with(
                "similar-line",
                &[
                    ("receipt", s.receipt_no.clone().unwrap_or_default()),
                    (
                        "status",
                        t.t(&format!("status-{}", s.status.as_str().replace('_', "-"))),
                    ),
                    (
                        "date",
                        s.submitted_at.map(|d| t.local_date(d)).unwrap_or_default(),
                    ),
                ],
            );
            if let Some(m) = s.distance_m {
                line.push_str(" · ");
                line.push_str(&t.t_with("similar-distance", &[("metres", m.to_string())]));
            }
            line
        })
        .collect())
}

async fn draft(
    who: &Who,
    p: &Petition,
    id: &str,
) -> Result<(CaseRow, crate::domain::catalogue::Service), PageError> {
    let (row, service) = super::own_case_and_service(who, p, id).await?;
    if !service.open311 {
        return Err(who.page.not_found());
    }
    Ok((row, service))
}

#[allow(clippy::too_many_arguments)]
fn page(
    who: &Who,
    row: &CaseRow,
    service: &crate::domain::catalogue::Service,
    address: &str,
    lat: &str,
    long: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let title = t.t("location-title");
    let map = t.web().map();
    let html = LocationPage {
        t,
        title: title.clone(),
        service: t.pick(&service.names).to_owned(),
        id: &row.id,
        csrf: who.csrf(),
        address: address.to_owned(),
        lat: lat.to_owned(),
        long: long.to_owned(),
        errors: error
            .iter()
            .map(|e| ("#address".to_owned(), e.clone()))
            .collect(),
        error,
        scripts: map
            .iter()
            .flat_map(|_| ["leaflet/leaflet.js", "egov-map.js"])
            .chain(["egov-locate.js"])
            .map(egov_web::assets::url)
            .collect(),
        map: map.map(|m| MapView {
            tiles: m.tiles.clone(),
            attribution: m.attribution.clone(),
            lat: m.lat.to_string(),
            long: m.long.to_string(),
            zoom: m.zoom,
            max_zoom: m.max_zoom,
            stylesheet: egov_web::assets::url("leaflet/leaflet.css"),
        }),
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(super::in_my_applications(t, status, &title, &html))
}

/// Where is it?
#[get("/my/applications/{id}/location")]
pub async fn location(
    who: Who,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let (row, service) = draft(&who, &p, &id).await?;
    if status_of(&row) != Status::Draft {
        return Ok(see_other(&format!("/my/applications/{}", row.id)));
    }
    let coord = |v: Option<f64>| v.map(|x| format!("{x:.6}")).unwrap_or_default();
    page(
        &who,
        &row,
        &service,
        row.address.as_deref().unwrap_or_default(),
        &coord(row.lat),
        &coord(row.lon),
        None,
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub struct LocationForm {
    #[serde(default)]
    address: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    long: String,
}

/// Saves the place: an address (one line, at most 300 characters), coordinates from "Use my
/// location", or both; neither, or something unreadable, shows the page again with the error.
#[post("/my/applications/{id}/location")]
pub async fn save_location(
    who: Who,
    form: CsrfForm<LocationForm>,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let (row, service) = draft(&who, &p, &id).await?;
    let t = &who.page;
    if status_of(&row) != Status::Draft {
        return Ok(see_other(&format!("/my/applications/{}", row.id)));
    }
    let f = form.0;
    let address = f.address.trim().to_owned();
    let coords = match (f.lat.trim(), f.long.trim()) {
        ("", "") => Ok(None),
        (a, o) => match (a.parse::<f64>(), o.parse::<f64>()) {
            (Ok(a), Ok(o)) if (-90.0..=90.0).contains(&a) && (-180.0..=180.0).contains(&o) => {
                Ok(Some((a, o)))
            }
            _ => Err(()),
        },
    };
    let error = match (&coords, address.is_empty()) {
        (Err(()), _) => Some(t.t("location-error-coordinates")),
        (Ok(None), true) => Some(t.t("location-error-missing")),
        _ if address.chars().count() > 300 || address.contains(['\n', '\r']) => {
            Some(t.t("location-error-address"))
        }
        _ => None,
    };
    if let Some(e) = error {
        return page(
            &who,
            &row,
            &service,
            &address,
            &f.lat,
            &f.long,
            Some(e),
            StatusCode::BAD_REQUEST,
        );
    }
    let coords = coords.ok().flatten();
    let form = super::apply::saved_form(&row);
    let id = row.id.clone();
    applications::save_form(
        &p,
        row,
        service.clone(),
        form,
        Some(Place {
            lat: coords.map(|c| c.0),
            lon: coords.map(|c| c.1),
            address: (!address.is_empty()).then_some(address),
        }),
    )
    .await
    .map_err(|e| t.error(&e))?;
    Ok(see_other(&super::apply::next_after_location(&service, &id)))
}
