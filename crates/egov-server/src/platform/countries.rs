//! Read-only view of the loaded country packs, and the pack-driven rules front ends need:
//! the working-day calendar and identifier validation.

use std::collections::BTreeMap;

use actix_web::{get, post, web};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use egov_core::domain::calendar::CalendarError;
use egov_core::domain::ids::CheckRule;
use egov_core::{CountryPack, CountryPacks, Error, codes};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Upper bounds that keep one request's work small whatever a caller sends.
const MAX_DAYS: u32 = 3_650;
const MAX_HOURS: u32 = 20_000;

#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyView {
    /// ISO 4217 code.
    pub code: String,
    /// Digits after the decimal point (0 for KRW and PYG).
    pub minor_units: u8,
    pub symbol: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountrySummary {
    /// ISO 3166-1 alpha-2 code, lower case.
    pub code: String,
    /// Name in the pack's default language.
    pub name: String,
    pub default_language: String,
    pub languages: Vec<String>,
    pub currency: CurrencyView,
    /// IANA time zone.
    pub time_zone: String,
    /// Whether this deployment serves this country.
    pub active: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdSchemeView {
    pub name: String,
    pub local_name: Option<String>,
    /// Regular expression the input must match.
    pub pattern: String,
    /// Check-digit rule.
    #[schema(value_type = String, example = "kr_brn")]
    pub check: CheckRule,
    /// Display template: `#` one character, `*` a variable run.
    pub display: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarView {
    /// Weekend days, `mon`..`sun`.
    pub weekend: Vec<String>,
    /// Opening time, local.
    pub working_hours_start: String,
    /// Closing time, local.
    pub working_hours_end: String,
    /// Years the pack has public holidays for; calendar questions outside them are refused.
    pub years: Vec<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountryDetail {
    #[serde(flatten)]
    pub summary: CountrySummary,
    pub iso_alpha3: String,
    /// Names by language.
    pub names: BTreeMap<String, String>,
    pub national_id: IdSchemeView,
    pub business_id: IdSchemeView,
    pub calendar: CalendarView,
}

fn summary(pack: &CountryPack, packs: &CountryPacks) -> CountrySummary {
    CountrySummary {
        code: pack.code.clone(),
        name: pack.name(&pack.default_language).to_owned(),
        default_language: pack.default_language.clone(),
        languages: pack.languages.clone(),
        currency: CurrencyView {
            code: pack.currency.code().to_owned(),
            minor_units: pack.currency.minor_units(),
            symbol: pack.currency_symbol.clone(),
        },
        time_zone: pack.time_zone.name().to_owned(),
        active: packs.active().code == pack.code,
    }
}

fn scheme_view(s: &egov_core::domain::ids::IdScheme) -> IdSchemeView {
    IdSchemeView {
        name: s.name.clone(),
        local_name: s.local_name.clone(),
        pattern: s.pattern().to_owned(),
        check: s.check,
        display: s.display_template().map(str::to_owned),
    }
}

fn pack<'a>(packs: &'a CountryPacks, code: &str) -> Result<&'a CountryPack, Error> {
    packs
        .get(code)
        .ok_or_else(|| Error::with_detail(codes::UNKNOWN_COUNTRY, "no country pack has that code"))
}

/// Lists the loaded country packs.
#[utoipa::path(
    tag = "countries",
    responses(
        (status = 200, description = "Loaded packs", body = Vec<CountrySummary>),
    ),
    security(()),
)]
#[get("")]
pub async fn list_countries(packs: web::Data<CountryPacks>) -> web::Json<Vec<CountrySummary>> {
    web::Json(packs.all().map(|p| summary(p, &packs)).collect())
}

egov_core::problems!(GetCountryErrors:
    egov_core::error::codes::UNKNOWN_COUNTRY,
);

/// Shows one country pack: languages, currency, ID schemes, calendar.
#[utoipa::path(
    tag = "countries",
    params(("code" = String, Path, description = "Country code (ISO 3166-1 alpha-2, lower case)", example = "kr", pattern = "^[a-z]{2}$")),
    responses(
        (status = 200, description = "The pack", body = CountryDetail),
        GetCountryErrors,
    ),
    security(()),
)]
#[get("/{code}")]
pub async fn get_country(
    packs: web::Data<CountryPacks>,
    code: web::Path<String>,
) -> Result<web::Json<CountryDetail>, Error> {
    let p = pack(&packs, &code)?;
    let (start, end) = p.calendar.working_hours();
    Ok(web::Json(CountryDetail {
        summary: summary(p, &packs),
        iso_alpha3: p.iso_alpha3.clone(),
        names: p.names.clone(),
        national_id: scheme_view(&p.national_id),
        business_id: scheme_view(&p.business_id),
        calendar: CalendarView {
            weekend: p
                .calendar
                .weekend()
                .iter()
                .map(|d| d.to_string().to_lowercase())
                .collect(),
            working_hours_start: start.format("%H:%M").to_string(),
            working_hours_end: end.format("%H:%M").to_string(),
            years: p.calendar.years().iter().copied().collect(),
        },
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct YearQuery {
    /// Calendar year, e.g. 2026.
    #[param(minimum = 1, maximum = 9999)]
    pub year: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayView {
    pub date: NaiveDate,
    /// Name in the pack's default language.
    pub name: String,
    /// Names by language.
    pub names: BTreeMap<String, String>,
}

egov_core::problems!(ListHolidaysErrors:
    egov_core::error::codes::UNKNOWN_COUNTRY,
    egov_core::error::codes::CALENDAR_NOT_COVERED,
);

/// Lists a year's public holidays.
#[utoipa::path(
    tag = "countries",
    params(("code" = String, Path, description = "Country code (ISO 3166-1 alpha-2, lower case)", example = "kr", pattern = "^[a-z]{2}$"), YearQuery),
    responses(
        (status = 200, description = "Holidays in date order", body = Vec<HolidayView>),
        ListHolidaysErrors,
    ),
    security(()),
)]
#[get("/{code}/holidays")]
pub async fn list_holidays(
    packs: web::Data<CountryPacks>,
    code: web::Path<String>,
    query: web::Query<YearQuery>,
) -> Result<web::Json<Vec<HolidayView>>, Error> {
    let p = pack(&packs, &code)?;
    let holidays = p.calendar.holidays_in(query.year)?;
    Ok(web::Json(
        holidays
            .into_iter()
            .map(|h| HolidayView {
                date: h.date,
                name: h
                    .names
                    .get(&p.default_language)
                    .cloned()
                    .unwrap_or_default(),
                names: h.names.clone(),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DateQuery {
    /// Local date, `YYYY-MM-DD`.
    #[serde(deserialize_with = "egov_core::dates::date")]
    pub date: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkingDayView {
    pub date: NaiveDate,
    pub working_day: bool,
    pub weekend: bool,
    /// The holiday's name in the default language, if it is one.
    pub holiday: Option<String>,
}

egov_core::problems!(CheckWorkingDayErrors:
    egov_core::error::codes::UNKNOWN_COUNTRY,
    egov_core::error::codes::CALENDAR_NOT_COVERED,
);

/// Says whether a date is a working day.
#[utoipa::path(
    tag = "countries",
    params(("code" = String, Path, description = "Country code (ISO 3166-1 alpha-2, lower case)", example = "kr", pattern = "^[a-z]{2}$"), DateQuery),
    responses(
        (status = 200, description = "The answer", body = WorkingDayView),
        CheckWorkingDayErrors,
    ),
    security(()),
)]
#[get("/{code}/calendar/working-day")]
pub async fn check_working_day(
    packs: web::Data<CountryPacks>,
    code: web::Path<String>,
    query: web::Query<DateQuery>,
) -> Result<web::Json<WorkingDayView>, Error> {
    let p = pack(&packs, &code)?;
    let working_day = p.calendar.is_working_day(query.date)?;
    Ok(web::Json(WorkingDayView {
        date: query.date,
        working_day,
        weekend: p.calendar.is_weekend(query.date),
        holiday: p
            .calendar
            .holiday(query.date)
            .and_then(|h| h.names.get(&p.default_language).cloned()),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AddDaysQuery {
    /// Local start date, `YYYY-MM-DD` (not itself counted).
    #[serde(deserialize_with = "egov_core::dates::date")]
    pub from: NaiveDate,
    /// Working days to add.
    #[param(minimum = 0, maximum = 3650)]
    pub days: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AddDaysView {
    pub from: NaiveDate,
    pub days: u32,
    /// The `days`-th working day after `from`.
    pub result: NaiveDate,
}

egov_core::problems!(AddWorkingDaysErrors:
    egov_core::error::codes::UNKNOWN_COUNTRY,
    egov_core::error::codes::CALENDAR_NOT_COVERED,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Adds working days to a date (a statutory deadline, say).
#[utoipa::path(
    tag = "countries",
    params(("code" = String, Path, description = "Country code (ISO 3166-1 alpha-2, lower case)", example = "kr", pattern = "^[a-z]{2}$"), AddDaysQuery),
    responses(
        (status = 200, description = "The resulting date", body = AddDaysView),
        AddWorkingDaysErrors,
    ),
    security(()),
)]
#[get("/{code}/calendar/add-working-days")]
pub async fn add_working_days(
    packs: web::Data<CountryPacks>,
    code: web::Path<String>,
    query: web::Query<AddDaysQuery>,
) -> Result<web::Json<AddDaysView>, Error> {
    let p = pack(&packs, &code)?;
    if query.days > MAX_DAYS {
        return Err(Error::invalid_field(
            "query:days",
            format!("must be at most {MAX_DAYS}"),
        ));
    }
    let result = p.calendar.add_working_days(query.from, query.days)?;
    Ok(web::Json(AddDaysView {
        from: query.from,
        days: query.days,
        result,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AddHoursQuery {
    /// Local start, `YYYY-MM-DDTHH:MM:SS`, in the pack's time zone.
    #[param(value_type = String, example = "2026-12-24T17:00:00")]
    pub from: NaiveDateTime,
    /// Working hours to add.
    #[param(minimum = 0, maximum = 20000)]
    pub hours: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AddHoursView {
    /// The start, RFC 3339 with the pack's UTC offset at that moment.
    #[schema(value_type = String, format = DateTime, example = "2026-12-24T17:00:00+09:00")]
    pub from: String,
    pub hours: u32,
    /// The end, RFC 3339 with the pack's UTC offset; always within working hours.
    #[schema(value_type = String, format = DateTime, example = "2026-12-28T10:00:00+09:00")]
    pub result: String,
    /// The pack's time zone (IANA name) the hours were counted in.
    pub time_zone: String,
}

/// A local time of the pack's time zone as RFC 3339 with its offset (the earlier one when a
/// clock change makes it ambiguous; a time a clock change skips is refused).
fn with_offset(tz: chrono_tz::Tz, local: NaiveDateTime, field: &str) -> Result<String, Error> {
    use chrono::TimeZone as _;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.fixed_offset().to_rfc3339())
        .ok_or_else(|| {
            Error::invalid_field(
                field,
                format!(
                    "{local} does not exist in {} (a clock change skips it)",
                    tz.name()
                ),
            )
        })
}

egov_core::problems!(AddWorkingHoursErrors:
    egov_core::error::codes::UNKNOWN_COUNTRY,
    egov_core::error::codes::CALENDAR_NOT_COVERED,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Adds working hours to a local date-time, skipping closed hours, weekends and holidays; the
/// answer gives both times in RFC 3339 with the pack's UTC offset.
#[utoipa::path(
    tag = "countries",
    params(("code" = String, Path, description = "Country code (ISO 3166-1 alpha-2, lower case)", example = "kr", pattern = "^[a-z]{2}$"), AddHoursQuery),
    responses(
        (status = 200, description = "The resulting local time", body = AddHoursView),
        AddWorkingHoursErrors,
    ),
    security(()),
)]
#[get("/{code}/calendar/add-working-hours")]
pub async fn add_working_hours(
    packs: web::Data<CountryPacks>,
    code: web::Path<String>,
    query: web::Query<AddHoursQuery>,
) -> Result<web::Json<AddHoursView>, Error> {
    let p = pack(&packs, &code)?;
    if query.hours > MAX_HOURS {
        return Err(Error::invalid_field(
            "query:hours",
            format!("must be at most {MAX_HOURS}"),
        ));
    }
    if !p.calendar.years().contains(&query.from.date().year()) {
        return Err(Error::from(CalendarError::YearNotCovered(
            query.from.date().year(),
        )));
    }
    let from = with_offset(p.time_zone, query.from, "query:from")?;
    let result = p.calendar.add_working_hours(query.from, query.hours)?;
    Ok(web::Json(AddHoursView {
        from,
        hours: query.hours,
        result: with_offset(p.time_zone, result, "query:from")?,
        time_zone: p.time_zone.name().to_owned(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdInput {
    /// The identifier as the person typed it.
    #[schema(min_length = 1, max_length = 64, example = "124-81-00998")]
    pub value: String,
}

/// A national ID to check (its own schema, so that its example is a national ID).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NationalIdInput {
    /// The national ID as the person typed it, in the country pack's format.
    #[schema(min_length = 1, max_length = 64, example = "900101-1234567")]
    pub value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdValidation {
    /// The identifier in its display form. National IDs are masked.
    pub display: String,
}

fn id_input(value: &str) -> Result<&str, Error> {
    if value.len() > 64 {
        return Err(Error::invalid_field(
            "/value",
            "must be at most 64 characters",
        ));
    }
    Ok(value)
}

egov_core::problems!(ValidateBusinessIdErrors:
    egov_core::error::codes::UNKNOWN_COUNTRY,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Validates a business identifier against the pack's format and check digit.
#[utoipa::path(
    tag = "countries",
    params(("code" = String, Path, description = "Country code (ISO 3166-1 alpha-2, lower case)", example = "kr", pattern = "^[a-z]{2}$")),
    request_body = IdInput,
    responses(
        (status = 200, description = "Valid; the display form", body = IdValidation),
        ValidateBusinessIdErrors,
    ),
    security(()),
)]
#[post("/{code}/business-ids/validate")]
pub async fn validate_business_id(
    packs: web::Data<CountryPacks>,
    code: web::Path<String>,
    input: web::Json<IdInput>,
) -> Result<web::Json<IdValidation>, Error> {
    let p = pack(&packs, &code)?;
    let id = p
        .parse_business_id(id_input(&input.value)?)
        .map_err(|e| Error::invalid_field("/value", e.text()))?;
    Ok(web::Json(IdValidation {
        display: id.to_string(),
    }))
}

egov_core::problems!(ValidateNationalIdErrors:
    egov_core::error::codes::UNKNOWN_COUNTRY,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Validates a national identifier. Nothing is stored or logged; the answer is masked.
#[utoipa::path(
    tag = "countries",
    params(("code" = String, Path, description = "Country code (ISO 3166-1 alpha-2, lower case)", example = "kr", pattern = "^[a-z]{2}$")),
    request_body = NationalIdInput,
    responses(
        (status = 200, description = "Valid; the masked display form", body = IdValidation),
        ValidateNationalIdErrors,
    ),
    security(()),
)]
#[post("/{code}/national-ids/validate")]
pub async fn validate_national_id(
    packs: web::Data<CountryPacks>,
    code: web::Path<String>,
    input: web::Json<NationalIdInput>,
) -> Result<web::Json<IdValidation>, Error> {
    let p = pack(&packs, &code)?;
    let id = p
        .parse_national_id(id_input(&input.value)?)
        .map_err(|e| Error::invalid_field("/value", e.text()))?;
    Ok(web::Json(IdValidation {
        display: id.to_string(),
    }))
}
