//! The document workspace (On-Nara's 문서관리) for officials, on the shared web layer: the work
//! lists (waiting on me and on the positions I stand in for, my drafts, returned, circulated
//! to me, and the document office's inbox), drafting with the approval line and the delegation
//! table in force beside it, and the document page with its line, signatures and every action
//! the reader may take now. Every page asks for a second factor; reading a document's content
//! is written to its history, and to the access log when it names people.

pub mod document;
pub mod draft;
pub mod org;
pub mod records;
pub mod work;

use std::collections::HashMap;

use egov_auth::{Kind, Policy, Rule};
use egov_core::routes::Routes;
use egov_web::{Page, SignedIn};

use crate::domain::line::StepKind;
use crate::service::Desk;

/// Officials of any agency, with a second factor (their actions sign documents).
#[derive(Debug)]
pub struct DeskOfficer;
impl Policy for DeskOfficer {
    const RULE: Rule = Rule::kinds(&[Kind::Officer]).aal2();
}

pub(crate) type Who = SignedIn<DeskOfficer>;

/// The pages' messages, per language (the pack's `messages/<lang>.ftl` overrides them).
pub const MESSAGES: &[(&str, &str)] = egov_web::messages!("ko", "en", "es", "gn");

pub fn configure(routes: &mut Routes<'_>) {
    routes
        .page(work::work_list)
        .page(draft::new_page)
        .page(draft::create)
        .page(document::document_page)
        .page(document::attachment)
        .page(document::pdf)
        .page(document::act)
        .page(document::upload)
        .page(records::records_page)
        .page(records::create_file)
        .page(org::org_page)
        .page(org::org_change);
}

/// The workspace's breadcrumb.
pub(crate) fn crumbs(t: &Page) -> Vec<(String, String)> {
    vec![
        ("/my".into(), t.t("my-page")),
        ("/desk/documents".into(), t.t("doc-work-title")),
    ]
}

/// A step kind in the page's words (the stamp's own label, 결재 or 전결, beside it in Korean
/// packs comes from the messages too).
pub(crate) fn step_text(t: &Page, kind: &str) -> String {
    match StepKind::parse(kind) {
        Some(k) => t.t(&format!("doc-step-{}", k.as_str().replace('_', "-"))),
        None => kind.to_owned(),
    }
}

/// A document status in the page's words.
pub(crate) fn status_text(t: &Page, status: &str) -> String {
    match status {
        "drafting" | "in_approval" | "returned" | "registered" | "dispatched" | "delivered"
        | "received" | "disposed" => t.t(&format!("doc-status-{}", status.replace('_', "-"))),
        other => other.to_owned(),
    }
}

/// A step's state in the page's words.
pub(crate) fn step_status_text(t: &Page, status: &str) -> String {
    match status {
        "pending" | "current" | "done" => t.t(&format!("doc-step-status-{status}")),
        other => other.to_owned(),
    }
}

/// A position as people say it: its title, its unit, and who holds it today.
pub(crate) fn position_text(desk: &Desk, names: &HashMap<String, String>, id: &str) -> String {
    let Some(p) = desk.positions.iter().find(|p| p.id == id) else {
        return id.to_owned();
    };
    let unit = desk
        .units
        .iter()
        .find(|u| u.id == p.unit_id)
        .map(|u| u.name.as_str())
        .unwrap_or_default();
    let holders: Vec<&str> = desk
        .holders
        .iter()
        .filter(|(pos, _)| pos == id)
        .map(|(_, acc)| names.get(acc).map_or(acc.as_str(), String::as_str))
        .collect();
    let mut s = p.title.clone();
    if !unit.is_empty() {
        s = format!("{s}, {unit}");
    }
    if !holders.is_empty() {
        s = format!("{s} ({})", holders.join(", "));
    }
    s
}

/// A name from the directory, or the id.
pub(crate) fn name_of(names: &HashMap<String, String>, id: &str) -> String {
    names.get(id).cloned().unwrap_or_else(|| id.to_owned())
}

/// An option of a select.
#[derive(Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The choices of positions (current ones of the agency), `picked` selected.
pub(crate) fn position_choices(
    desk: &Desk,
    names: &HashMap<String, String>,
    ids: Option<&[String]>,
    picked: &str,
) -> Vec<Choice> {
    let mut out: Vec<Choice> = desk
        .positions
        .iter()
        .filter(|p| ids.is_none_or(|ids| ids.contains(&p.id)))
        .map(|p| Choice {
            value: p.id.clone(),
            label: position_text(desk, names, &p.id),
            selected: p.id == picked,
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

/// Everyone the pages may name: the holders of the agency's positions, and `more`.
pub(crate) async fn desk_names(
    directory: Option<&egov_auth::Service>,
    desk: &Desk,
    more: impl IntoIterator<Item = String>,
) -> HashMap<String, String> {
    let mut ids: Vec<String> = desk.holders.iter().map(|(_, a)| a.clone()).collect();
    ids.extend(more);
    ids.sort();
    ids.dedup();
    egov_web::names(directory, ids).await
}
