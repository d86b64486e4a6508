//! My tax: the years I can file, each year's pre-filled return (every amount with where it
//! came from), "why this number" (the steps that computed it, each with its rule, citation and
//! the values it read), and the form of my entries over the pre-fill.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_web::{CsrfForm, Page, PageError, see_other};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{
    Who, in_my_tax, input_label, internal, return_crumb, rule_text, rules, tax_name, taxpayer,
    value_label,
};
use crate::Tax;
use crate::domain::RuleSet;
use crate::domain::eval::to_json;
use crate::domain::rules::InputType;
use crate::service::{ReturnView, taxpayers};

/// One year on "My tax".
#[derive(Debug)]
pub struct YearRow {
    pub year: i32,
    pub tax: String,
    pub status: String,
    pub due: String,
}

#[derive(Template)]
#[template(path = "web/my_tax.html")]
struct MyTax<'a> {
    t: &'a Page,
    title: String,
    years: Vec<YearRow>,
}

/// A return's status in words.
pub(crate) fn status_word(t: &Page, status: &str, version: i32) -> String {
    match status {
        "submitted" if version > 1 => {
            t.t_with("tax-status-amended", &[("version", version.to_string())])
        }
        "submitted" => t.t("tax-status-submitted"),
        "draft" => t.t("tax-status-draft"),
        _ => t.t("tax-status-prefilled"),
    }
}

/// My tax: each year of the pack's rules, newest first, with where my return stands.
#[get("/my/tax")]
pub async fn my_tax(who: Who, tax: Data<Tax>) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let me = taxpayer(&tax, t, &who.principal)?;
    let mine = taxpayers::returns(&tax, me)
        .await
        .map_err(|e| t.error(&e))?;
    let mut years = tax.years();
    years.sort_unstable_by(|a, b| b.cmp(a));
    let years = years
        .into_iter()
        .filter_map(|y| tax.rules(y).map(|r| (y, r.clone())))
        .map(|(year, r)| {
            let row = mine.iter().find(|x| x.year == year && x.tax == r.tax);
            YearRow {
                year,
                tax: tax_name(t, &r),
                status: row.map_or_else(
                    || t.t("tax-status-not-opened"),
                    |x| {
                        let draft_empty = x.draft == "{}" || x.draft.is_empty();
                        let s = if x.status == "draft" && draft_empty {
                            "prefilled"
                        } else {
                            x.status.as_str()
                        };
                        status_word(t, s, x.latest_version)
                    },
                ),
                due: crate::service::due_date(&tax, &r)
                    .map(|d| t.date(d))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let title = t.t("tax-my-title");
    let html = MyTax {
        t,
        title: title.clone(),
        years,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.render(&title, &[("/my".into(), t.t("my-page"))], &html))
}

/// A pre-filled amount as the return page shows it.
#[derive(Debug)]
pub struct Prefilled {
    pub label: String,
    pub amount: String,
    pub sources: String,
    pub received: String,
}

/// A statement about me, as the return page lists it.
#[derive(Debug)]
pub struct Source {
    /// The statement's id in the tax office (the dispute page's address).
    pub id: String,
    /// Counted or held: the filer may still dispute it.
    pub disputable: bool,
    pub employer: String,
    pub statement: String,
    pub status: String,
    pub counted: bool,
    pub note: String,
}

/// One of the return's results.
#[derive(Debug)]
pub struct ResultRow {
    pub name: String,
    pub label: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "web/return.html")]
struct ReturnPage<'a> {
    t: &'a Page,
    title: String,
    year: i32,
    status: String,
    due: String,
    reference: String,
    filed: i32,
    prefilled: Vec<Prefilled>,
    sources: Vec<Source>,
    entries: Vec<(String, String)>,
    results: Vec<ResultRow>,
    balance: String,
    rejects: Vec<String>,
    alerts: Vec<String>,
    disputed: bool,
}

/// An input's value as the pages show it.
fn shown(t: &Page, rules: &RuleSet, name: &str, v: &Value) -> String {
    let Some(decl) = rules.input(name) else {
        return v.to_string();
    };
    match decl.ty {
        InputType::Flag => {
            if v.as_bool() == Some(true) || v.as_i64() == Some(1) {
                t.t("tax-yes")
            } else {
                t.t("tax-no")
            }
        }
        InputType::People => t.t_with(
            "tax-people-count",
            &[("count", v.as_array().map_or(0, Vec::len).to_string())],
        ),
        InputType::Choice => v
            .as_str()
            .map_or_else(|| v.to_string(), |c| super::choice_label(t, name, c)),
        InputType::Money => decimal(v).map_or_else(|| v.to_string(), |d| t.money(d)),
        _ => decimal(v).map_or_else(|| v.to_string(), |d| t.count(d)),
    }
}

/// The input a value name shows: itself, or the input whose annual amount it is
/// (`monthly_wages:annual`).
fn input_of(name: &str) -> &str {
    name.strip_suffix(crate::domain::rules::ANNUAL)
        .unwrap_or(name)
}

/// A value of the calculation as the pages show it: an amount of money, or a count, a rate
/// or a flag as its input or its rule says.
pub(crate) fn value_text(t: &Page, rules: &RuleSet, name: &str, d: Decimal) -> String {
    if let Some(decl) = rules.input(input_of(name)) {
        return match decl.ty {
            InputType::Money => t.money(d),
            InputType::Flag => t.t(if d.is_zero() { "tax-no" } else { "tax-yes" }),
            _ => t.count(d),
        };
    }
    match rules.nodes.iter().find(|n| n.name == name).map(|n| &n.op) {
        Some(crate::domain::rules::Op::Count { .. }) => t.count(d),
        _ => t.money(d),
    }
}

/// A JSON number or numeric string as a decimal.
pub(crate) fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The filer's own return of a year (opened, pre-filled, on first sight).
async fn my_return(
    who: &Who,
    tax: &Tax,
    year: i32,
) -> Result<(std::sync::Arc<RuleSet>, ReturnView), PageError> {
    let t = &who.page;
    let r = rules(tax, t, year)?;
    let me = taxpayer(tax, t, &who.principal)?;
    let view = taxpayers::return_view(tax, me, year)
        .await
        .map_err(|e| t.error(&e))?;
    Ok((r, view))
}

/// The balance in words: owed, to be refunded, or nothing.
pub(crate) fn balance_words(t: &Page, balance: Decimal) -> String {
    if balance > Decimal::ZERO {
        t.t_with("tax-balance-owed", &[("amount", t.money(balance))])
    } else if balance < Decimal::ZERO {
        t.t_with("tax-balance-refund", &[("amount", t.money(-balance))])
    } else {
        t.t("tax-balance-none")
    }
}

/// My return for a year.
#[get("/my/tax/returns/{year}")]
pub async fn return_page(
    who: Who,
    req: actix_web::HttpRequest,
    tax: Data<Tax>,
    year: Path<i32>,
) -> Result<HttpResponse, PageError> {
    let year = year.into_inner();
    // Back from disputing a statement: say what happened to it.
    let disputed = req.query_string().split('&').any(|p| p == "disputed=1");
    let (r, view) = my_return(&who, &tax, year).await?;
    let t = &who.page;
    let prefilled = view
        .prefill
        .iter()
        .map(|p| Prefilled {
            label: input_label(t, &r, &p.input),
            amount: t.money(p.value),
            sources: p.documents.join(", "),
            received: t.local_date(p.received_at),
        })
        .collect();
    let sources = view
        .sources
        .iter()
        .map(|s| Source {
            id: s.id.clone(),
            disputable: s.status == "counted" || s.status == "held",
            employer: s.employer.clone(),
            statement: s.statement_id.clone(),
            status: t.t(&format!("tax-statement-{}", s.status)),
            counted: s.counted,
            note: s.note.clone().unwrap_or_default(),
        })
        .collect();
    let entries = view
        .entries
        .iter()
        .map(|(k, v)| (input_label(t, &r, k), shown(t, &r, k, v)))
        .collect();
    let results = view
        .outcome
        .as_ref()
        .map(|o| {
            r.outputs
                .iter()
                .map(|name| ResultRow {
                    name: name.clone(),
                    label: value_label(t, &r, name),
                    amount: t.money(o.get(name)),
                })
                .collect()
        })
        .unwrap_or_default();
    let balance = match (&view.outcome, &r.balance) {
        (Some(o), Some(b)) => balance_words(t, o.get(b)),
        _ => String::new(),
    };
    let (rejects, alerts): (Vec<_>, Vec<_>) = view
        .rules_fired
        .iter()
        .partition(|h| h.severity == "reject");
    let title = t.t_with("tax-return-title", &[("year", year.to_string())]);
    let html = ReturnPage {
        t,
        title: title.clone(),
        year,
        status: status_word(t, &view.status, view.latest_version),
        due: view.due_date.map(|d| t.date(d)).unwrap_or_default(),
        reference: view.payment_reference.clone(),
        filed: view.latest_version,
        prefilled,
        sources,
        entries,
        results,
        balance,
        rejects: rejects.into_iter().map(|h| rule_text(t, &r, h)).collect(),
        alerts: alerts.into_iter().map(|h| rule_text(t, &r, h)).collect(),
        disputed,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(in_my_tax(t, StatusCode::OK, &title, &[], &html))
}

#[derive(Debug, Deserialize)]
pub struct WhyQuery {
    /// The value to explain; every value when absent.
    value: Option<String>,
}

/// One step of "why this number".
#[derive(Debug)]
pub struct StepView {
    pub id: String,
    pub label: String,
    pub amount: String,
    pub how: String,
    pub detail: String,
    pub cite: String,
    /// (label, amount, link to its own step when it has one).
    pub uses: Vec<(String, String, Option<String>)>,
}

/// An input a step read, and where it came from.
#[derive(Debug)]
pub struct InputView {
    pub label: String,
    pub amount: String,
    pub origin: String,
}

#[derive(Template)]
#[template(path = "web/why.html")]
struct WhyPage<'a> {
    t: &'a Page,
    title: String,
    lead: String,
    year: i32,
    law: String,
    steps: Vec<StepView>,
    inputs: Vec<InputView>,
    engine: String,
}

/// Why this number: the steps that computed a value, in the order they were computed (the
/// value asked for last), each with the rule applied, its legal citation and the values it
/// read; then the inputs those steps read, with where each came from.
#[get("/my/tax/returns/{year}/why")]
pub async fn why(
    who: Who,
    tax: Data<Tax>,
    year: Path<i32>,
    query: Query<WhyQuery>,
) -> Result<HttpResponse, PageError> {
    let year = year.into_inner();
    let (r, view) = my_return(&who, &tax, year).await?;
    let t = &who.page;
    let Some(outcome) = view.outcome.as_ref() else {
        // Entries the rules refuse: nothing is computed until they are corrected.
        return Err(t.message(
            StatusCode::CONFLICT,
            &t.t("tax-why-none-title"),
            &t.t("tax-why-none"),
        ));
    };
    let trace = outcome.trace.clone().unwrap_or_default();
    let by_name: BTreeMap<&str, usize> = trace
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    // The steps the value depends on (all of them without a value).
    let wanted: BTreeSet<usize> = match &query.value {
        None => (0..trace.len()).collect(),
        Some(v) => {
            let start = *by_name.get(v.as_str()).ok_or_else(|| t.not_found())?;
            let mut seen = BTreeSet::new();
            let mut todo = vec![start];
            while let Some(i) = todo.pop() {
                if seen.insert(i) {
                    todo.extend(
                        trace[i]
                            .uses
                            .keys()
                            .filter_map(|n| by_name.get(n.as_str()).copied()),
                    );
                }
            }
            seen
        }
    };
    let mut read_inputs = BTreeSet::new();
    let steps = wanted
        .iter()
        .map(|&i| {
            let s = &trace[i];
            StepView {
                id: format!("v-{}", s.name),
                label: value_label(t, &r, &s.name),
                amount: value_text(t, &r, &s.name, s.value),
                how: {
                    let id = format!("tax-how-{}", s.rule);
                    let w = t.t(&id);
                    if w == id { s.rule.clone() } else { w }
                },
                detail: s.detail.clone(),
                cite: s.cite.clone(),
                uses: s
                    .uses
                    .iter()
                    .map(|(n, v)| {
                        let link = by_name.contains_key(n.as_str()).then(|| format!("#v-{n}"));
                        if link.is_none() {
                            read_inputs.insert(n.clone());
                        }
                        (value_label(t, &r, n), value_text(t, &r, n, *v), link)
                    })
                    .collect(),
            }
        })
        .collect();
    let prefilled: BTreeMap<&str, &crate::service::Provenance> =
        view.prefill.iter().map(|p| (p.input.as_str(), p)).collect();
    let inputs = read_inputs
        .iter()
        .map(|n| InputView {
            label: input_label(t, &r, n),
            amount: value_text(t, &r, n, outcome.get(n)),
            // A monthly input's annual amount comes from where the input does.
            origin: if view.entries.contains_key(input_of(n)) {
                t.t("tax-origin-entry")
            } else if let Some(p) = prefilled.get(input_of(n)) {
                t.t_with(
                    "tax-origin-prefilled",
                    &[("documents", p.documents.join(", "))],
                )
            } else {
                t.t("tax-origin-default")
            },
        })
        .collect();
    let (title, lead) = match &query.value {
        Some(v) => (
            t.t_with("tax-why-title", &[("value", value_label(t, &r, v))]),
            t.t_with(
                "tax-why-lead",
                &[("amount", value_text(t, &r, v, outcome.get(v)))],
            ),
        ),
        None => (t.t("tax-why-all-title"), t.t("tax-why-all-lead")),
    };
    let html = WhyPage {
        t,
        title: title.clone(),
        lead,
        year,
        law: r.law.clone(),
        steps,
        inputs,
        engine: format!(
            "{} · {}",
            outcome.engine_version,
            &outcome.rules_hash[..outcome.rules_hash.len().min(16)]
        ),
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(in_my_tax(
        t,
        StatusCode::OK,
        &title,
        &[return_crumb(t, year)],
        &html,
    ))
}

/// One field of the entries form.
#[derive(Debug)]
pub struct FieldView {
    pub id: String,
    pub name: String,
    /// `money`, `count`, `flag` or `people`.
    pub kind: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub checked: bool,
    pub error: Option<String>,
    pub people: Vec<PersonView>,
    pub relations: Vec<(String, String)>,
    /// For a choice: (value, label), in the rules' order.
    pub choices: Vec<(String, String)>,
}

impl FieldView {
    pub fn described_by(&self) -> String {
        egov_web::described_by(&self.id, !self.hint.is_empty(), self.error.is_some())
    }
}

/// One person of a people field (a row of the form).
#[derive(Debug)]
pub struct PersonView {
    pub prefix: String,
    pub number: usize,
    pub relation: String,
    pub age: String,
    /// (flag, label, checked).
    pub flags: Vec<(String, String, bool)>,
    /// The person's own amounts: (field, label, value as typed, error).
    pub amounts: Vec<(String, String, String, Option<String>)>,
}

#[derive(Template)]
#[template(path = "web/edit.html")]
struct EditPage<'a> {
    t: &'a Page,
    title: String,
    year: i32,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    fields: Vec<FieldView>,
}

/// What the form holds: numbers as typed, flags, and people as rows.
#[derive(Debug, Default)]
struct Posted {
    text: BTreeMap<String, String>,
    people: BTreeMap<String, Vec<BTreeMap<String, String>>>,
    /// Rows to show for each people field (one more after "Add a person").
    extra_rows: usize,
}

/// The form's values from my saved entries.
fn posted_from_entries(t: &Page, r: &RuleSet, entries: &Map<String, Value>) -> Posted {
    let mut p = Posted::default();
    for decl in &r.inputs {
        let Some(v) = entries.get(&decl.name) else {
            continue;
        };
        match decl.ty {
            InputType::People => {
                let rows = v
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|person| {
                                let mut row = BTreeMap::new();
                                if let Some(o) = person.as_object() {
                                    for (k, x) in o {
                                        let s = match x {
                                            Value::String(s) => s.clone(),
                                            Value::Bool(true) => "yes".into(),
                                            Value::Bool(false) => continue,
                                            Value::Number(_) if k != "age" => decimal(x)
                                                .map_or_else(|| x.to_string(), |d| t.count(d)),
                                            other => other.to_string(),
                                        };
                                        row.insert(k.clone(), s);
                                    }
                                }
                                row
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                p.people.insert(decl.name.clone(), rows);
            }
            InputType::Flag => {
                if v.as_bool() == Some(true) || v.as_i64() == Some(1) {
                    p.text.insert(decl.name.clone(), "yes".into());
                }
            }
            InputType::Choice => {
                if let Some(c) = v.as_str() {
                    p.text.insert(decl.name.clone(), c.to_owned());
                }
            }
            _ => {
                let d = decimal(v);
                p.text.insert(
                    decl.name.clone(),
                    d.map_or_else(|| v.to_string(), |d| t.count(d)),
                );
            }
        }
    }
    p
}

/// Reads the posted form: `in-<input>` fields, and `<input>-<row>-<field>` for people.
fn read_form(r: &RuleSet, form: &[(String, String)]) -> Result<Posted, ()> {
    let mut p = Posted::default();
    for (k, v) in form {
        if k == "csrf" {
            continue;
        }
        if k == "action" {
            if v == "add" {
                p.extra_rows = 1;
            }
            continue;
        }
        if let Some(name) = k.strip_prefix("in-") {
            if r.input(name).is_none() || v.len() > 100 {
                return Err(());
            }
            p.text.insert(name.to_owned(), v.trim().to_owned());
            continue;
        }
        // People: `<input>-<row>-<field>`.
        let mut parts = k.rsplitn(3, '-');
        let (Some(field), Some(row), Some(name)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(());
        };
        let Some(decl) = r.input(name).filter(|d| d.ty == InputType::People) else {
            return Err(());
        };
        let row: usize = row.parse().map_err(|_| ())?;
        if row > decl.max_people || v.len() > 40 {
            return Err(());
        }
        if field != "relation"
            && field != "age"
            && !decl.flags.iter().any(|f| f == field)
            && !decl.fields.iter().any(|(f, _)| f == field)
        {
            return Err(());
        }
        let rows = p.people.entry(name.to_owned()).or_default();
        while rows.len() <= row {
            rows.push(BTreeMap::new());
        }
        rows[row].insert(field.to_owned(), v.trim().to_owned());
    }
    Ok(p)
}

/// The entries the form asks to save: numbers read in the page's language, empty fields and
/// values equal to the pre-fill left out (the pre-fill stands), people rows without a
/// relation dropped. Page errors by field id for what cannot be read.
fn entries_of(
    t: &Page,
    r: &RuleSet,
    p: &Posted,
    prefill: &Map<String, Value>,
) -> (Map<String, Value>, BTreeMap<String, String>) {
    let mut entries = Map::new();
    let mut errors = BTreeMap::new();
    for decl in &r.inputs {
        let name = &decl.name;
        match decl.ty {
            InputType::Flag => {
                if p.text.get(name).is_some_and(|v| v == "yes") {
                    entries.insert(name.clone(), Value::Bool(true));
                }
            }
            InputType::Choice => {
                let text = p.text.get(name).map_or("", String::as_str);
                if text.is_empty() {
                    continue;
                }
                let default = decl.choices.get(decl.default.to_usize().unwrap_or(0));
                if default.is_some_and(|d| d == text) {
                    // The default holds without an entry.
                } else if decl.choices.iter().any(|c| c == text) {
                    entries.insert(name.clone(), Value::String(text.to_owned()));
                } else {
                    errors.insert(format!("f-{name}"), t.t("tax-error-choice"));
                }
            }
            InputType::People => {
                let mut list = Vec::new();
                for (i, row) in p.people.get(name).into_iter().flatten().enumerate() {
                    let relation = row.get("relation").map_or("", String::as_str);
                    if relation.is_empty() {
                        continue;
                    }
                    let mut person = Map::new();
                    person.insert("relation".into(), Value::String(relation.to_owned()));
                    let age = row.get("age").map_or("", String::as_str);
                    match age.parse::<u32>() {
                        Ok(a) if a <= 150 => {
                            person.insert("age".into(), Value::from(a));
                        }
                        _ => {
                            errors.insert(format!("f-{name}-{i}-age"), t.t("tax-error-age"));
                        }
                    }
                    for f in &decl.flags {
                        if row.get(f).is_some_and(|v| v == "yes") {
                            person.insert(f.clone(), Value::Bool(true));
                        }
                    }
                    for (f, ty) in &decl.fields {
                        let text = row.get(f).map_or("", String::as_str);
                        if text.is_empty() {
                            continue;
                        }
                        match t.parse_number(text) {
                            Some(d) => {
                                person.insert(f.clone(), to_json(d));
                            }
                            None => {
                                // Named with the person and the field: the error summary
                                // lists one link for each, and their words must differ.
                                let id = match ty {
                                    InputType::Money => "tax-error-person-money",
                                    _ => "tax-error-person-number",
                                };
                                let field = super::person_field_label(t, name, f);
                                errors.insert(
                                    format!("f-{name}-{i}-{f}"),
                                    t.t_with(
                                        id,
                                        &[("number", (i + 1).to_string()), ("field", field)],
                                    ),
                                );
                            }
                        }
                    }
                    list.push(Value::Object(person));
                }
                if !list.is_empty() {
                    entries.insert(name.clone(), Value::Array(list));
                }
            }
            _ => {
                let text = p.text.get(name).map_or("", String::as_str);
                if text.is_empty() {
                    continue;
                }
                match t.parse_number(text) {
                    Some(d) => {
                        let v = to_json(d);
                        if prefill.get(name).and_then(decimal) != Some(d) {
                            entries.insert(name.clone(), v);
                        }
                    }
                    None => {
                        let id = match decl.ty {
                            InputType::Money => "tax-error-money",
                            InputType::Count => "tax-error-count",
                            _ => "tax-error-number",
                        };
                        errors.insert(format!("f-{name}"), t.t(id));
                    }
                }
            }
        }
    }
    (entries, errors)
}

/// The form's fields with what is posted (or saved) and the errors.
fn field_views(
    t: &Page,
    r: &RuleSet,
    p: &Posted,
    prefill: &Map<String, Value>,
    errors: &BTreeMap<String, String>,
) -> Vec<FieldView> {
    // People last: the form's first button (what Enter presses) is "Save", before "Add a
    // person".
    let ordered = r
        .inputs
        .iter()
        .filter(|d| d.ty != InputType::People)
        .chain(r.inputs.iter().filter(|d| d.ty == InputType::People));
    ordered
        .map(|decl| {
            let name = &decl.name;
            let id = format!("f-{name}");
            let kind = match decl.ty {
                InputType::Money => "money",
                InputType::Flag => "flag",
                InputType::People => "people",
                InputType::Number => "number",
                InputType::Count => "count",
                InputType::Choice => "choice",
            };
            let mut hint = Vec::new();
            if let Some(v) = prefill.get(name) {
                hint.push(t.t_with("tax-hint-prefilled", &[("value", shown(t, r, name, v))]));
            } else if matches!(
                decl.ty,
                InputType::Money | InputType::Count | InputType::Number
            ) {
                hint.push(t.t_with("tax-hint-default", &[("value", t.count(decl.default))]));
            }
            if decl.monthly && r.period == "annual" {
                hint.push(t.t("tax-hint-monthly"));
            }
            if decl.ty == InputType::People {
                hint.push(t.t("tax-hint-people"));
            }
            let people = if decl.ty == InputType::People {
                let rows = p.people.get(name).cloned().unwrap_or_default();
                let shown_rows = (rows
                    .iter()
                    .filter(|r| !r.get("relation").is_none_or(String::is_empty))
                    .count()
                    + 1
                    + p.extra_rows)
                    .min(decl.max_people);
                (0..shown_rows)
                    .map(|i| {
                        let row = rows.get(i).cloned().unwrap_or_default();
                        PersonView {
                            prefix: format!("{name}-{i}"),
                            number: i + 1,
                            relation: row.get("relation").cloned().unwrap_or_default(),
                            age: row.get("age").cloned().unwrap_or_default(),
                            flags: decl
                                .flags
                                .iter()
                                .map(|f| {
                                    (
                                        f.clone(),
                                        t.t(&format!("tax-flag-{f}")),
                                        row.get(f).is_some_and(|v| v == "yes"),
                                    )
                                })
                                .collect(),
                            amounts: decl
                                .fields
                                .iter()
                                .map(|(f, _)| {
                                    (
                                        f.clone(),
                                        super::person_field_label(t, name, f),
                                        row.get(f).cloned().unwrap_or_default(),
                                        errors.get(&format!("{id}-{i}-{f}")).cloned(),
                                    )
                                })
                                .collect(),
                        }
                    })
                    .collect()
            } else {
                Vec::new()
            };
            FieldView {
                error: errors.get(&id).cloned().or_else(|| {
                    // A person's row error names the field's fieldset too.
                    errors
                        .iter()
                        .find(|(k, _)| k.starts_with(&format!("{id}-")))
                        .map(|(_, v)| v.clone())
                }),
                id,
                name: name.clone(),
                kind,
                label: input_label(t, r, name),
                hint: hint.join(" "),
                // A choice shows the one that holds: the typed one, else the default.
                value: p.text.get(name).cloned().unwrap_or_else(|| {
                    if decl.ty == InputType::Choice {
                        decl.choices
                            .get(decl.default.to_usize().unwrap_or(0))
                            .cloned()
                            .unwrap_or_default()
                    } else {
                        String::new()
                    }
                }),
                checked: p.text.get(name).is_some_and(|v| v == "yes"),
                people,
                relations: decl
                    .relations
                    .iter()
                    .map(|x| (x.clone(), t.t(&format!("tax-relation-{x}"))))
                    .collect(),
                choices: decl
                    .choices
                    .iter()
                    .map(|c| (c.clone(), super::choice_label(t, name, c)))
                    .collect(),
            }
        })
        .collect()
}

fn edit_page(
    who: &Who,
    r: &RuleSet,
    year: i32,
    p: &Posted,
    prefill: &Map<String, Value>,
    errors: &BTreeMap<String, String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let fields = field_views(t, r, p, prefill, errors);
    let title = t.t_with("tax-edit-title", &[("year", year.to_string())]);
    let html = EditPage {
        t,
        title: title.clone(),
        year,
        csrf: who.csrf(),
        errors: errors
            .iter()
            .map(|(k, v)| (format!("#{k}"), v.clone()))
            .collect(),
        fields,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(in_my_tax(
        t,
        status,
        &title,
        &[return_crumb(t, year)],
        &html,
    ))
}

/// The pre-fill of a return, by input.
fn prefill_of(view: &ReturnView) -> Map<String, Value> {
    view.prefill
        .iter()
        .map(|p| (p.input.clone(), to_json(p.value)))
        .collect()
}

/// The form of my entries, filled with what I saved.
#[get("/my/tax/returns/{year}/edit")]
pub async fn edit(who: Who, tax: Data<Tax>, year: Path<i32>) -> Result<HttpResponse, PageError> {
    let year = year.into_inner();
    let (r, view) = my_return(&who, &tax, year).await?;
    let posted = posted_from_entries(&who.page, &r, &view.entries);
    edit_page(
        &who,
        &r,
        year,
        &posted,
        &prefill_of(&view),
        &BTreeMap::new(),
        StatusCode::OK,
    )
}

/// Saves my entries (or, with "Add a person", shows the form with one more row); the form
/// again with an error summary when something cannot be read or the rules refuse it.
#[post("/my/tax/returns/{year}/edit")]
pub async fn save(
    who: Who,
    form: CsrfForm<Vec<(String, String)>>,
    tax: Data<Tax>,
    year: Path<i32>,
) -> Result<HttpResponse, PageError> {
    let year = year.into_inner();
    let (r, view) = my_return(&who, &tax, year).await?;
    let t = &who.page;
    let posted = read_form(&r, &form.0).map_err(|()| t.bad_form())?;
    let prefill = prefill_of(&view);
    if posted.extra_rows > 0 {
        return edit_page(
            &who,
            &r,
            year,
            &posted,
            &prefill,
            &BTreeMap::new(),
            StatusCode::OK,
        );
    }
    let (entries, mut errors) = entries_of(t, &r, &posted, &prefill);
    if errors.is_empty() {
        let me = taxpayer(&tax, t, &who.principal)?;
        match taxpayers::save_entries(&tax, me, &r, entries).await {
            Ok(_) => return Ok(see_other(&format!("/my/tax/returns/{year}"))),
            Err(e) if e.code().code == crate::errors::INVALID_INPUTS.code => {
                for fe in e.errors() {
                    let path = fe.pointer.trim_start_matches("/entries/");
                    let mut parts = path.split('/');
                    let name = parts.next().unwrap_or_default();
                    let id = match parts.next() {
                        Some(row) => format!("f-{name}-{row}-relation"),
                        None => format!("f-{name}"),
                    };
                    errors.insert(
                        id,
                        t.t_with("tax-error-refused", &[("field", input_label(t, &r, name))]),
                    );
                }
            }
            Err(e) => return Err(t.error(&e)),
        }
    }
    edit_page(
        &who,
        &r,
        year,
        &posted,
        &prefill,
        &errors,
        StatusCode::BAD_REQUEST,
    )
}
