//! A service's form as a page: each field type of the catalogue rendered as the design
//! system's input (text, number, date, one choice as radios, several as checkboxes, an address
//! as its parts, a national ID), read back from the posted form into the JSON the service
//! checks, and the service's errors shown beside each field and in a summary that links to it.

use std::collections::BTreeMap;

use egov_core::error::FieldError;
use egov_web::Page;
use serde_json::{Map, Value};

use crate::domain::catalogue::{Field, FieldType, Service};

/// The parts of an address field, in order, with their message ids.
pub const ADDRESS_PARTS: &[(&str, &str)] = &[
    ("line1", "address-line1"),
    ("line2", "address-line2"),
    ("city", "address-city"),
    ("region", "address-region"),
    ("postal_code", "address-postal-code"),
];

/// One choice of a choice field.
#[derive(Debug)]
pub struct ChoiceView {
    pub id: String,
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One part of an address field.
#[derive(Debug)]
pub struct PartView {
    pub id: String,
    pub name: String,
    pub label: String,
    pub value: String,
    pub autocomplete: &'static str,
}

/// One field, ready for the template.
#[derive(Debug)]
pub struct FieldView {
    pub name: String,
    pub id: String,
    /// `text`, `number`, `date`, `choice`, `multi`, `address`, `national_id`.
    pub kind: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub max_length: usize,
    pub choices: Vec<ChoiceView>,
    pub parts: Vec<PartView>,
    pub error: Option<String>,
}

impl FieldView {
    /// The `aria-describedby` of the input: its hint and its error.
    pub fn described_by(&self) -> String {
        egov_web::described_by(&self.id, !self.hint.is_empty(), self.error.is_some())
    }
}

/// The label a person sees for a choice: the pack's, else the code in words.
pub fn choice_label(page: &Page, f: &Field, code: &str) -> String {
    f.choice_labels
        .get(code)
        .map(|l| page.pick(l).to_owned())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| code.replace(['-', '_'], " "))
}

/// The fields a person fills on the form page (attachments come on the documents page).
pub fn form_fields(service: &Service) -> impl Iterator<Item = &Field> {
    service
        .fields
        .iter()
        .filter(|f| f.kind != FieldType::Attachment)
}

fn kind(f: &Field) -> &'static str {
    match f.kind {
        FieldType::Text => "text",
        FieldType::Number => "number",
        FieldType::Date => "date",
        FieldType::Choice => "choice",
        FieldType::MultiChoice => "multi",
        FieldType::Address => "address",
        FieldType::NationalId => "national_id",
        FieldType::Attachment => "attachment",
    }
}

fn as_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// The views of `service`'s fields with `values` (a saved or posted form) and `errors`.
pub fn views(
    page: &Page,
    service: &Service,
    values: &Map<String, Value>,
    errors: &BTreeMap<String, String>,
) -> Vec<FieldView> {
    form_fields(service)
        .map(|f| {
            let id = format!("f-{}", f.name);
            let v = values.get(&f.name);
            let selected: Vec<String> = match v {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect(),
                Some(Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            };
            let choices = f
                .choices
                .iter()
                .enumerate()
                .map(|(i, c)| ChoiceView {
                    id: if i == 0 {
                        id.clone()
                    } else {
                        format!("{id}-{i}")
                    },
                    value: c.clone(),
                    label: choice_label(page, f, c),
                    checked: selected.contains(c),
                })
                .collect();
            let parts = if f.kind == FieldType::Address {
                let o = v.and_then(Value::as_object);
                ADDRESS_PARTS
                    .iter()
                    .enumerate()
                    .map(|(i, (part, msg))| PartView {
                        // The first part carries the field's id: the error summary links to it.
                        id: if i == 0 {
                            id.clone()
                        } else {
                            format!("{id}-{part}")
                        },
                        name: format!("{}.{part}", f.name),
                        label: page.t(msg),
                        value: as_text(o.and_then(|o| o.get(*part))),
                        autocomplete: match *part {
                            "line1" => "address-line1",
                            "line2" => "address-line2",
                            "city" => "address-level2",
                            "region" => "address-level1",
                            _ => "postal-code",
                        },
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let hint = match f.kind {
                FieldType::Date => page.t("hint-date"),
                FieldType::NationalId => page
                    .web()
                    .pack()
                    .national_id
                    .display_template()
                    .map(|d| page.t_with("hint-national-id", &[("pattern", d.to_owned())]))
                    .unwrap_or_default(),
                FieldType::Number => match (f.min, f.max) {
                    (Some(a), Some(b)) => page.t_with(
                        "hint-number-between",
                        &[("min", a.to_string()), ("max", b.to_string())],
                    ),
                    _ => String::new(),
                },
                FieldType::MultiChoice => page.t("hint-choose-any"),
                _ => String::new(),
            };
            let label = page.pick(&f.label).to_owned();
            FieldView {
                label: if f.required {
                    label
                } else {
                    page.t_with("field-optional", &[("label", label)])
                },
                error: errors.get(&f.name).cloned(),
                name: f.name.clone(),
                kind: kind(f),
                hint,
                value: if matches!(f.kind, FieldType::Address | FieldType::MultiChoice) {
                    String::new()
                } else {
                    as_text(v)
                },
                max_length: f.max_length.unwrap_or(2000).min(2000),
                choices,
                parts,
                id,
            }
        })
        .collect()
}

/// The form a person posted, as the JSON the service checks: empty inputs are left out (a
/// required one is then reported as missing), several checkboxes make a list, an address its
/// object of the parts given.
pub fn read(service: &Service, posted: &[(String, String)]) -> Map<String, Value> {
    let get = |name: &str| -> Option<&str> {
        posted
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut form = Map::new();
    for f in form_fields(service) {
        let value = match f.kind {
            FieldType::MultiChoice => {
                let all: Vec<Value> = posted
                    .iter()
                    .filter(|(k, _)| *k == f.name)
                    .map(|(_, v)| Value::String(v.clone()))
                    .collect();
                (!all.is_empty()).then_some(Value::Array(all))
            }
            FieldType::Address => {
                let mut o = Map::new();
                for (part, _) in ADDRESS_PARTS {
                    if let Some(v) = get(&format!("{}.{part}", f.name)).map(str::trim)
                        && !v.is_empty()
                    {
                        o.insert((*part).to_owned(), Value::String(v.to_owned()));
                    }
                }
                (!o.is_empty()).then_some(Value::Object(o))
            }
            FieldType::Text => get(&f.name)
                .filter(|v| !v.trim().is_empty())
                .map(|v| Value::String(v.replace("\r\n", "\n"))),
            _ => get(&f.name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| Value::String(v.to_owned())),
        };
        if let Some(v) = value {
            form.insert(f.name.clone(), v);
        }
    }
    form
}

/// The service's field errors in the page's language, by field name (`/form/<name>`).
pub fn messages(page: &Page, service: &Service, errors: &[FieldError]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in errors {
        let Some(name) = e.pointer.strip_prefix("/form/") else {
            continue;
        };
        let Some(f) = service.field(name) else {
            continue;
        };
        let label = page.pick(&f.label).to_owned();
        let missing = e.detail.id() == Some("detail-required");
        let id = match (f.kind, missing) {
            (FieldType::Choice | FieldType::MultiChoice, true) => "error-choose",
            (_, true) => "error-enter",
            (FieldType::Text, false) => "error-text",
            (FieldType::Number, false) => match (f.min, f.max) {
                (Some(_), Some(_)) => "error-number-between",
                _ => "error-number",
            },
            (FieldType::Date, false) => "error-date",
            (FieldType::Choice | FieldType::MultiChoice, false) => "error-choose",
            (FieldType::Address, false) => "error-address",
            (FieldType::NationalId, false) => "error-national-id",
            (FieldType::Attachment, false) => "error-enter",
        };
        let text = page.t_with(
            id,
            &[
                ("label", label),
                ("max", f.max_length.unwrap_or(2000).to_string()),
                (
                    "min_value",
                    f.min.map(|d| d.to_string()).unwrap_or_default(),
                ),
                (
                    "max_value",
                    f.max.map(|d| d.to_string()).unwrap_or_default(),
                ),
                (
                    "pattern",
                    page.web()
                        .pack()
                        .national_id
                        .display_template()
                        .unwrap_or_default()
                        .to_owned(),
                ),
            ],
        );
        out.entry(name.to_owned()).or_insert(text);
    }
    out
}

/// A saved form's answers as a person reads them: label and value per filled field.
pub fn answers(page: &Page, service: &Service, form: &Map<String, Value>) -> Vec<(String, String)> {
    form_fields(service)
        .filter_map(|f| {
            let v = form.get(&f.name)?;
            let text = match f.kind {
                FieldType::Choice => choice_label(page, f, v.as_str().unwrap_or_default()),
                FieldType::MultiChoice => v
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(|c| choice_label(page, f, c))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
                FieldType::Address => v
                    .as_object()
                    .map(|o| {
                        ADDRESS_PARTS
                            .iter()
                            .filter_map(|(p, _)| o.get(*p).and_then(Value::as_str))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
                FieldType::NationalId => {
                    let scheme = &page.web().pack().national_id;
                    let raw = v.as_str().unwrap_or_default();
                    // A document's content holds it masked already.
                    scheme.normalize(raw).map_or_else(
                        |_| {
                            if raw.contains('*') {
                                raw.to_owned()
                            } else {
                                mask(raw)
                            }
                        },
                        |c| scheme.mask(&c),
                    )
                }
                FieldType::Date => v
                    .as_str()
                    .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                    .map_or_else(|| as_text(Some(v)), |d| page.date(d)),
                _ => as_text(Some(v)),
            };
            Some((page.pick(&f.label).to_owned(), text))
        })
        .collect()
}

/// A value that is not a valid ID (it cannot be, once saved): all but six characters hidden.
fn mask(id: &str) -> String {
    let shown: String = id.chars().take(6).collect();
    let hidden = id.chars().count().saturating_sub(6);
    format!("{shown}{}", "*".repeat(hidden))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_ids_are_shown_masked() {
        assert_eq!(mask("9001011234567"), "900101*******");
        assert_eq!(mask("123"), "123");
    }
}
