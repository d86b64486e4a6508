//! Drafting (기안): the document's type, title and text, its classification and disclosure
//! class, the amount where the delegation table depends on it, and the approval line — review,
//! serial or parallel cooperation (the same group number runs in parallel), 결재 by the head or
//! 전결 under the delegation table shown beside the form, and circulation. The form checks
//! nothing the API does not: both call [`crate::http::documents::create_document`].

use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpResponse, get, post};
use askama::Template;
use chrono::{NaiveDate, TimeZone};
use egov_core::Error;
use egov_web::{CsrfForm, Page, PageError, see_other};
use serde_json::json;

use super::{Choice, Who, crumbs, desk_names, position_choices, step_text};
use crate::Docflow;
use crate::domain::line::StepKind;
use crate::http::documents::{DocumentInput, StepInput, create_document};
use crate::service::{self, Desk};

/// How many rows the line's table offers (the API takes up to 30 steps; a line longer than
/// this is built in steps with "insert" after drafting).
pub const LINE_ROWS: usize = 8;

/// The step kinds a drafter puts on a line (the draft step is theirs; post-reports are made
/// by the system).
const KINDS: [StepKind; 6] = [
    StepKind::Review,
    StepKind::Cooperation,
    StepKind::Approve,
    StepKind::DelegatedApprove,
    StepKind::PostApprove,
    StepKind::Circulate,
];

pub use egov_web::Sent;

/// One row of the line's table.
#[derive(Debug)]
pub struct LineRow {
    pub n: usize,
    pub kinds: Vec<Choice>,
    pub positions: Vec<Choice>,
    pub group: String,
}

/// A row of the delegation table in force.
#[derive(Debug)]
pub struct DelegationRow {
    pub doc_type: String,
    pub up_to: String,
    pub rank: String,
    pub from: String,
    pub source: String,
    pub citation: String,
}

#[derive(Template)]
#[template(path = "web/doc_draft.html")]
struct DraftPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    sent: &'a Sent,
    positions: Vec<Choice>,
    doc_types: Vec<Choice>,
    disclosures: Vec<Choice>,
    lines: Vec<LineRow>,
    delegations: Vec<DelegationRow>,
    currency: String,
}

fn choices<'a>(items: impl Iterator<Item = (&'a str, String)>, picked: &str) -> Vec<Choice> {
    items
        .map(|(value, label)| Choice {
            value: value.to_owned(),
            label,
            selected: value == picked,
        })
        .collect()
}

/// The amount as minor units of the pack's currency, from what was typed in major units.
fn minor_units(t: &Page, d: &Docflow, text: &str) -> Result<Option<i64>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value = t.parse_number(text).ok_or(())?;
    let scale = rust_decimal::Decimal::from(10_i64.pow(u32::from(d.pack().currency.minor_units())));
    let minor = value.checked_mul(scale).ok_or(())?;
    if minor.fract() != rust_decimal::Decimal::ZERO {
        return Err(());
    }
    i64::try_from(minor).map(Some).map_err(|_| ())
}

/// The end of `day` in the pack's time zone, as UTC.
pub(crate) fn end_of(d: &Docflow, day: NaiveDate) -> Option<chrono::DateTime<chrono::Utc>> {
    let end = day.and_hms_opt(23, 59, 59)?;
    d.pack()
        .time_zone
        .from_local_datetime(&end)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// The form as the API's input, or the fields the page itself could not read.
fn input_of(t: &Page, d: &Docflow, f: &Sent) -> Result<DocumentInput, Vec<(String, String)>> {
    let mut bad = Vec::new();
    let paragraphs: Vec<String> = f
        .get("body")
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    let amount = minor_units(t, d, f.get("amount")).unwrap_or_else(|()| {
        bad.push(("#amount".into(), t.t("doc-amount-error")));
        None
    });
    let due_at = match f.get("due").trim() {
        "" => None,
        s => match NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|day| end_of(d, day))
        {
            Some(at) => Some(at),
            None => {
                bad.push(("#due".into(), t.t("doc-due-error")));
                None
            }
        },
    };
    let mut line = Vec::new();
    for i in 0..LINE_ROWS {
        let kind = f.get(&format!("line-{i}-kind"));
        let position = f.get(&format!("line-{i}-position"));
        if kind.is_empty() && position.is_empty() {
            continue;
        }
        let Some(kind) = StepKind::parse(kind).filter(|k| KINDS.contains(k)) else {
            bad.push((
                format!("#line-{i}-kind"),
                t.t_with("doc-line-kind-error", &[("n", (i + 1).to_string())]),
            ));
            continue;
        };
        if position.is_empty() {
            bad.push((
                format!("#line-{i}-position"),
                t.t_with("doc-line-position-error", &[("n", (i + 1).to_string())]),
            ));
            continue;
        }
        let group = match f.get(&format!("line-{i}-group")).trim() {
            "" => 0,
            g => match g.parse::<i32>() {
                Ok(n) if (0..=99).contains(&n) => n,
                _ => {
                    bad.push((
                        format!("#line-{i}-group"),
                        t.t_with("doc-line-group-error", &[("n", (i + 1).to_string())]),
                    ));
                    0
                }
            },
        };
        line.push(StepInput {
            kind,
            position: position.to_owned(),
            group,
        });
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    let ground = f.get("disclosure_ground").trim();
    Ok(DocumentInput {
        position: f.get("position").to_owned(),
        doc_type: f.get("doc_type").to_owned(),
        title: f.get("title").trim().to_owned(),
        body: json!({ "paragraphs": paragraphs }),
        attachments: Vec::new(),
        classification: f.get("classification").trim().to_owned(),
        disclosure: f.get("disclosure").to_owned(),
        disclosure_ground: (!ground.is_empty()).then(|| ground.to_owned()),
        personal_data_subjects: f
            .get("subjects")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        amount,
        due_at,
        line,
    })
}

/// A field's label for the error summary (`line-2-position` → "Step 3: position").
fn label(t: &Page, name: &str) -> String {
    let parts: Vec<&str> = name.split('-').collect();
    match parts.as_slice() {
        ["line", n, field] => t.t_with(
            "doc-line-field",
            &[
                (
                    "n",
                    n.parse::<usize>()
                        .map_or_else(|_| n.to_string(), |n| (n + 1).to_string()),
                ),
                ("field", t.t(&format!("doc-field-{field}"))),
            ],
        ),
        ["personal_data_subjects", ..] => t.t("doc-field-subjects"),
        _ => t.t(&format!("doc-field-{}", name.replace('_', "-"))),
    }
}

async fn answer(
    who: &Who,
    d: &Docflow,
    directory: Option<&egov_auth::Service>,
    sent: &Sent,
    errors: Vec<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let rules = d.rules().map_err(|e| t.error(&e))?;
    let agency = who.principal.agency.clone().unwrap_or_default();
    let desk: Desk = service::desk(d, who.principal.subject.clone(), agency.clone())
        .await
        .map_err(|e| t.error(&e))?;
    let names = desk_names(directory, &desk, []).await;
    let positions = position_choices(&desk, &names, Some(&desk.held), sent.get("position"));
    let picked_type = sent.get("doc_type");
    let doc_types = choices(
        rules
            .doc_types
            .iter()
            .map(|x| (x.code.as_str(), x.name.clone())),
        if picked_type.is_empty() {
            "general"
        } else {
            picked_type
        },
    );
    let picked_disclosure = sent.get("disclosure");
    let disclosures = choices(
        rules
            .disclosure
            .iter()
            .map(|x| (x.code.as_str(), x.name.clone())),
        if picked_disclosure.is_empty() {
            "public"
        } else {
            picked_disclosure
        },
    );
    let lines = (0..LINE_ROWS)
        .map(|i| {
            let kind = sent.get(&format!("line-{i}-kind"));
            LineRow {
                n: i,
                kinds: choices(
                    KINDS.iter().map(|k| (k.as_str(), step_text(t, k.as_str()))),
                    kind,
                ),
                positions: position_choices(
                    &desk,
                    &names,
                    None,
                    sent.get(&format!("line-{i}-position")),
                ),
                group: sent.get(&format!("line-{i}-group")).to_owned(),
            }
        })
        .collect();
    let currency = d.pack().currency.code().to_owned();
    let scale = 10_i64.pow(u32::from(d.pack().currency.minor_units()));
    let delegations = service::delegations_in_force(d, agency)
        .await
        .map_err(|e| t.error(&e))?
        .into_iter()
        .map(|(r, source)| DelegationRow {
            doc_type: rules
                .doc_type(&r.doc_type)
                .map_or_else(|| r.doc_type.clone(), |x| x.name.clone()),
            up_to: r.max_amount.map_or_else(
                || t.t("doc-any-amount"),
                |m| t.money(rust_decimal::Decimal::new(m, 0) / rust_decimal::Decimal::from(scale)),
            ),
            rank: rules
                .rank(r.rank)
                .map_or_else(|| r.rank.to_string(), |x| x.name.clone()),
            from: t.date(r.effective_from),
            source: t.t(&format!("doc-table-{source}")),
            citation: r.citation.clone(),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let title = t.t("doc-new");
    let html = DraftPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        errors,
        sent,
        positions,
        doc_types,
        disclosures,
        lines,
        delegations,
        currency,
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    Ok(t.answer(status, &title, &crumbs(t), &html))
}

/// The drafting form.
#[get("/desk/documents/new")]
pub async fn new_page(
    who: Who,
    d: Data<Docflow>,
    directory: Option<Data<egov_auth::Service>>,
) -> Result<HttpResponse, PageError> {
    answer(
        &who,
        &d,
        directory.as_ref().map(|x| x.get_ref()),
        &Sent::default(),
        Vec::new(),
    )
    .await
}

/// Drafts the document and opens it; a refusal shows the form again with what to fix.
#[post("/desk/documents/new")]
pub async fn create(
    who: Who,
    d: Data<Docflow>,
    directory: Option<Data<egov_auth::Service>>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let sent = Sent(form.0);
    let t = &who.page;
    let directory = directory.as_ref().map(|x| x.get_ref());
    let input = match input_of(t, &d, &sent) {
        Ok(i) => i,
        Err(errors) => return answer(&who, &d, directory, &sent, errors).await,
    };
    match create_document(&d, &who.principal, input).await {
        Ok(doc) => Ok(see_other(&format!(
            "/desk/documents/{}?done=created",
            doc.id
        ))),
        Err(e) if actix_web::ResponseError::status_code(&e).is_client_error() => {
            let errors = t.refusal(&e, "", |n| label(t, n), "#line");
            answer(&who, &d, directory, &sent, errors).await
        }
        Err(e) => Err(t.error(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_back_what_was_sent() {
        let s = Sent(vec![("title".into(), "A".into()), ("x".into(), "1".into())]);
        assert_eq!(s.get("title"), "A");
        assert_eq!(s.get("missing"), "");
    }
}
