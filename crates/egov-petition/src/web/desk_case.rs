//! A case on the petition desk. Opening it asks the officer why first; the case's contents
//! (the applicant's form, location, attachments, evidence) are shown only with a purpose, and
//! every opening and every download is recorded in the access log with it. The page shows the
//! statutory clock, the suggested duplicates, the history with the officials' names, and a
//! form for each action the case's status allows (receive, assign, request a supplement,
//! extend, decide with remedies, issue, close, transfer, merge).

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse, get, post};
use askama::Template;
use egov_core::Error;
use egov_web::{CsrfForm, Page, PageError, see_other};
use serde::Deserialize;

use super::desk::{Choice, Who, crumbs, names, status_text};
use super::form;
use crate::Petition;
use crate::domain::lifecycle::{Action, Actor, Facts, next};
use crate::service::cases::{self, Decision, OfficerAction};
use crate::service::views::CaseView;

/// The reasons an officer picks from (the access log records the words in the page's
/// language), or `other` with their own words.
const WHY: [&str; 4] = ["handling", "duplicate", "enquiry", "supervision"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    why: Option<String>,
    why_other: Option<String>,
    /// The action just done (for the confirmation).
    done: Option<String>,
}

impl CaseQuery {
    /// The purpose in words, `None` when not given yet, or the field's error.
    fn purpose(&self, t: &Page) -> Result<Option<String>, String> {
        match self.why.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some("other") => {
                let own = self.why_other.as_deref().unwrap_or_default().trim();
                crate::http::purpose_ok(own).map_err(|_| t.t("desk-why-other-error"))?;
                Ok(Some(own.to_owned()))
            }
            Some(w) if WHY.contains(&w) => Ok(Some(t.t(&format!("desk-why-{w}")))),
            Some(_) => Err(t.t("desk-why-error")),
        }
    }

    /// The purpose as a query string, for the page's own links.
    fn encoded(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(w) = &self.why {
            pairs.push(("why", w.as_str()));
        }
        if let Some(o) = self
            .why_other
            .as_ref()
            .filter(|_| self.why.as_deref() == Some("other"))
        {
            pairs.push(("why_other", o.as_str()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "web/desk_why.html")]
struct WhyPage<'a> {
    t: &'a Page,
    title: String,
    id: &'a str,
    receipt: String,
    choices: Vec<Choice>,
    other: String,
    errors: Vec<(String, String)>,
}

/// One line of the history.
#[derive(Debug)]
pub struct Event {
    pub at: String,
    pub what: String,
    pub who: String,
    pub reason: String,
}

/// A suggested duplicate.
#[derive(Debug)]
pub struct Duplicate {
    pub id: String,
    pub receipt: String,
    pub status: String,
    pub submitted: String,
    pub distance: String,
}

/// An attachment with its download address (which records the purpose).
#[derive(Debug)]
pub struct File {
    pub href: String,
    pub name: String,
    pub size: String,
}

/// What the officer may do now.
#[derive(Debug, Default)]
pub struct Can {
    pub receive: bool,
    pub review: bool,
    pub assign: bool,
    pub supplement: bool,
    pub extend: bool,
    pub decide: bool,
    pub issue: bool,
    pub close: bool,
    pub transfer: bool,
    pub merge: bool,
}

impl Can {
    fn any(&self) -> bool {
        self.receive
            || self.review
            || self.assign
            || self.supplement
            || self.extend
            || self.decide
            || self.issue
            || self.close
            || self.transfer
            || self.merge
    }
}

#[derive(Template)]
#[template(path = "web/desk_case.html")]
struct CasePage<'a> {
    t: &'a Page,
    title: String,
    id: &'a str,
    receipt: String,
    /// The purpose, to carry on the page's links and forms.
    why_code: String,
    why_other: String,
    facts: Vec<(String, String)>,
    answers: Vec<(String, String)>,
    location: String,
    files: Vec<File>,
    evidence: Vec<String>,
    duplicates: Vec<Duplicate>,
    merged: Vec<String>,
    events: Vec<Event>,
    documents: Vec<(String, String)>,
    can: Can,
    any: bool,
    officers: Vec<Choice>,
    agencies: Vec<Choice>,
    max_days: u32,
    done: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    sent: &'a ActionForm,
}

/// The posted form of any action (each action's form sends its own fields).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionForm {
    action: String,
    why: Option<String>,
    why_other: Option<String>,
    note: Option<String>,
    reason: Option<String>,
    assignee: Option<String>,
    working_days: Option<String>,
    decision: Option<String>,
    remedies: Option<String>,
    agency: Option<String>,
    into: Option<String>,
    into_other: Option<String>,
}

impl ActionForm {
    /// The value of a text field the officer typed, for the form shown again.
    pub fn value(&self, name: &str) -> &str {
        let v = match name {
            "note" => &self.note,
            "reason" => &self.reason,
            "working_days" => &self.working_days,
            "remedies" => &self.remedies,
            "into_other" => &self.into_other,
            _ => &None,
        };
        v.as_deref().unwrap_or_default()
    }
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The form as the API's action, or the fields that are missing or unreadable.
fn action_of(f: &ActionForm) -> Result<OfficerAction, Vec<(String, String)>> {
    let a = f.action.as_str();
    let need = |name: &str, v: &Option<String>| {
        trimmed(v).ok_or_else(|| vec![(format!("#{a}-{name}"), name.to_owned())])
    };
    let reason = || need("reason", &f.reason);
    Ok(match a {
        "receive" => OfficerAction::Receive {
            note: trimmed(&f.note),
        },
        "review" => OfficerAction::Review {
            note: trimmed(&f.note),
        },
        "close" => OfficerAction::Close {
            note: trimmed(&f.note),
        },
        "assign" => OfficerAction::Assign {
            assignee: need("assignee", &f.assignee)?,
        },
        "request_supplement" => OfficerAction::RequestSupplement { reason: reason()? },
        "extend" => {
            let days = need("working_days", &f.working_days).and_then(|d| {
                d.parse::<u32>()
                    .map_err(|_| vec![(format!("#{a}-working_days"), "working_days".into())])
            });
            match (days, reason()) {
                (Ok(working_days), Ok(reason)) => OfficerAction::Extend {
                    working_days,
                    reason,
                },
                (d, r) => {
                    return Err(d.err().into_iter().chain(r.err()).flatten().collect());
                }
            }
        }
        "decide" => {
            let decision = match f.decision.as_deref() {
                Some("approved") => Ok(Decision::Approved),
                Some("rejected") => Ok(Decision::Rejected),
                _ => Err(vec![(format!("#{a}-decision"), "decision".to_owned())]),
            };
            match (decision, reason()) {
                (Ok(decision), Ok(reason)) => OfficerAction::Decide {
                    decision,
                    reason,
                    remedies: trimmed(&f.remedies),
                },
                (d, r) => {
                    return Err(d.err().into_iter().chain(r.err()).flatten().collect());
                }
            }
        }
        "issue" => OfficerAction::Issue {},
        "transfer" => OfficerAction::Transfer {
            agency: need("agency", &f.agency)?,
            reason: reason()?,
        },
        "merge" => {
            let into = match trimmed(&f.into).as_deref() {
                Some("other") | None => need("into_other", &f.into_other),
                Some(r) => Ok(r.to_owned()),
            };
            match (into, reason()) {
                (Ok(into), Ok(reason)) => OfficerAction::Merge { into, reason },
                (i, r) => return Err(i.err().into_iter().chain(r.err()).flatten().collect()),
            }
        }
        _ => return Err(vec![("#actions".into(), "action".into())]),
    })
}

/// The label of an action's field, as its form shows it.
fn field_label(t: &Page, action: &str, field: &str) -> String {
    match (action, field) {
        ("request_supplement", "reason") => t.t("desk-field-what-needed"),
        _ => t.t(&format!("desk-field-{}", field.replace('_', "-"))),
    }
}

/// A refused action in the page's words: one line per field, or the refusal with its detail.
fn refusal(t: &Page, action: &str, e: &Error) -> Vec<(String, String)> {
    t.refusal(
        e,
        &format!("{action}-"),
        |name| field_label(t, action, name),
        &format!("#act-{action}"),
    )
}

fn local_or_blank(t: &Page, at: Option<chrono::NaiveDateTime>) -> String {
    at.map(|d| t.local_time(d)).unwrap_or_default()
}

/// The case's facts in the page's words: status, agency, handler, dates, the clock.
fn facts(
    t: &Page,
    p: &Petition,
    v: &CaseView,
    who_names: &std::collections::HashMap<String, String>,
) -> Vec<(String, String)> {
    let now = p.now();
    let mut out = vec![
        (t.t("desk-status"), status_text(t, v.status)),
        (t.t("desk-agency"), agency_name(t, p, &v.agency)),
        (
            t.t("desk-assignee"),
            v.assignee
                .as_ref()
                .map(|a| who_names.get(a).cloned().unwrap_or_else(|| a.clone()))
                .unwrap_or_else(|| t.t("desk-unassigned")),
        ),
        (t.t("desk-submitted"), local_or_blank(t, v.submitted_at)),
    ];
    let clock = match (v.status.is_open(), v.paused_since, v.due_at) {
        (true, Some(since), _) => t.t_with("desk-clock-paused", &[("since", t.local_time(since))]),
        (true, None, Some(due)) if due < now => {
            t.t_with("desk-clock-overdue", &[("due", t.local_time(due))])
        }
        (true, None, Some(due)) => t.t_with("desk-clock-due", &[("due", t.local_time(due))]),
        (false, _, _) => t.t_with(
            "desk-clock-closed",
            &[("at", local_or_blank(t, v.closed_at))],
        ),
        _ => String::new(),
    };
    if !clock.is_empty() {
        out.push((t.t("desk-clock"), clock));
    }
    let used = v.extensions;
    out.push((
        t.t("desk-extensions"),
        t.t_with(
            "desk-extensions-used",
            &[
                ("used", used.to_string()),
                ("max", p.catalogue().policy.max_extensions.to_string()),
            ],
        ),
    ));
    if let (true, Some(at)) = (v.escalation_level > 0, v.escalated_at) {
        out.push((
            t.t("desk-escalated"),
            t.t_with(
                "desk-escalated-level",
                &[
                    ("level", v.escalation_level.to_string()),
                    ("at", t.local_time(at)),
                ],
            ),
        ));
    }
    if let Some(d) = &v.decision {
        let mut text = t.t(&format!("desk-decision-{d}"));
        if let Some(r) = &v.decision_reason {
            text = format!("{text}: {r}");
        }
        out.push((t.t("desk-decision"), text));
    }
    if let Some(r) = &v.remedies {
        out.push((t.t("desk-remedies"), r.clone()));
    }
    if let Some(into) = &v.merged_into {
        out.push((t.t("desk-merged-into"), into.clone()));
    }
    if let Some(score) = v.rating {
        let comment = v.rating_comment.clone().unwrap_or_default();
        out.push((
            t.t("desk-rating"),
            format!("{score} / 5 {comment}").trim().to_owned(),
        ));
    }
    out
}

fn agency_name(t: &Page, p: &Petition, code: &str) -> String {
    p.catalogue()
        .agencies
        .get(code)
        .map_or_else(|| code.to_owned(), |a| t.pick(&a.names).to_owned())
}

/// The purpose form (nothing of the case is read but its receipt number and service).
async fn why_page(
    who: &Who,
    p: &Petition,
    id: &str,
    q: &CaseQuery,
    errors: Vec<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let row = cases::agency_case(p, &who.principal, id)
        .await
        .map_err(|e| t.error(&e))?;
    let service = p
        .catalogue()
        .services
        .get(&row.service)
        .map_or_else(|| row.service.clone(), |s| t.pick(&s.names).to_owned());
    let picked = q.why.as_deref().unwrap_or("handling");
    let choices = WHY
        .iter()
        .chain(std::iter::once(&"other"))
        .map(|w| Choice {
            value: (*w).into(),
            label: t.t(&format!("desk-why-{w}")),
            selected: *w == picked,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let title = t.t("desk-why-title");
    let html = WhyPage {
        t,
        title: title.clone(),
        id,
        receipt: format!("{} · {service}", row.receipt_no.unwrap_or_default()),
        choices,
        other: q.why_other.clone().unwrap_or_default(),
        errors,
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    Ok(t.answer(status, &title, &crumbs(t), &html))
}

/// The case page, its reading recorded with the purpose.
#[allow(clippy::too_many_arguments)]
async fn case_answer(
    who: &Who,
    p: &Petition,
    directory: Option<&egov_auth::Service>,
    req: &HttpRequest,
    id: &str,
    q: &CaseQuery,
    purpose: &str,
    errors: Vec<(String, String)>,
    sent: &ActionForm,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let reader = crate::http::reader(p, req, &who.principal);
    let v = cases::officer_case(p, &reader, &who.principal, id, purpose)
        .await
        .map_err(|e| t.error(&e))?;
    let service = p.catalogue().services.get(&v.service);
    let name = service.map_or_else(|| v.service.clone(), |s| t.pick(&s.names).to_owned());
    let mut ids: Vec<String> = v.events.iter().filter_map(|e| e.actor.clone()).collect();
    ids.extend(v.assignee.clone());
    let agency = v.agency.clone();
    let officers = match directory {
        Some(d) => d
            .officials_with_role(&agency, crate::OFFICER_ROLE, 500)
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let who_names = names(directory, ids).await;
    let why_q = q.encoded();
    let answers = match (service, v.form.as_object()) {
        (Some(s), Some(f)) => form::answers(t, s, f),
        _ => Vec::new(),
    };
    let location = [
        v.location.address.clone().unwrap_or_default(),
        match (v.location.lat, v.location.long) {
            (Some(la), Some(lo)) => format!("({la:.5}, {lo:.5})"),
            _ => String::new(),
        },
    ]
    .join(" ")
    .trim()
    .to_owned();
    let files = v
        .attachments
        .iter()
        .map(|a| File {
            href: format!("/desk/petitions/{}/attachments/{}?{why_q}", v.id, a.id),
            name: a.filename.clone(),
            size: t.t_with(
                "desk-file-size",
                &[("kb", ((a.size + 1023) / 1024).to_string())],
            ),
        })
        .collect();
    let evidence = v
        .evidence
        .iter()
        .map(|e| match (&e.provider, &e.message_id) {
            (Some(pr), Some(m)) => t.t_with(
                "desk-evidence-exchange",
                &[
                    ("key", e.key.clone()),
                    ("provider", pr.clone()),
                    ("message", m.clone()),
                ],
            ),
            _ => t.t_with("desk-evidence-upload", &[("key", e.key.clone())]),
        })
        .collect();
    let duplicates = v
        .suggested_duplicates
        .iter()
        .map(|d| Duplicate {
            id: d.id.clone(),
            receipt: d.receipt_no.clone().unwrap_or_default(),
            status: status_text(t, d.status),
            submitted: local_or_blank(t, d.submitted_at),
            distance: d
                .distance_m
                .map(|m| t.t_with("desk-distance", &[("metres", m.to_string())]))
                .unwrap_or_default(),
        })
        .collect();
    let events = v
        .events
        .iter()
        .map(|e| Event {
            at: t.local_time(e.at),
            what: {
                let id = format!("desk-action-{}", e.action.replace('_', "-"));
                t.t(&id)
            },
            who: match e.actor_role.as_str() {
                "officer" => e
                    .actor
                    .as_ref()
                    .map(|a| who_names.get(a).cloned().unwrap_or_else(|| a.clone()))
                    .unwrap_or_default(),
                "applicant" => t.t("desk-by-applicant"),
                _ => t.t("desk-by-system"),
            },
            reason: e.reason.clone().unwrap_or_default(),
        })
        .collect();
    let facts_of = Facts {
        epeople: service.is_some_and(|s| s.kind.is_epeople()),
        issues_document: service.is_some_and(|s| s.issues_document),
        approved: v.decision.as_deref().map(|d| d == "approved"),
    };
    let may = |a: Action| next(v.status, a, Actor::Officer, facts_of).is_some();
    let extended = usize::try_from(v.extensions).unwrap_or(0);
    let can = Can {
        receive: may(Action::Receive),
        review: may(Action::Review),
        assign: may(Action::Assign),
        supplement: may(Action::RequestSupplement),
        extend: may(Action::Extend)
            && crate::domain::clock::may_extend(extended, p.catalogue().policy.max_extensions),
        decide: may(Action::Decide),
        issue: may(Action::Issue),
        close: may(Action::Close),
        transfer: may(Action::Transfer),
        merge: may(Action::Merge),
    };
    let agencies = p
        .catalogue()
        .agencies
        .values()
        .filter(|a| a.code != v.agency)
        .map(|a| Choice {
            value: a.code.clone(),
            label: t.pick(&a.names).to_owned(),
            selected: sent.agency.as_deref() == Some(a.code.as_str()),
        })
        .collect();
    let officers = officers
        .into_iter()
        .map(|(id, name)| Choice {
            selected: v.assignee.as_deref() == Some(id.as_str()),
            value: id,
            label: name,
        })
        .collect();
    let done = q
        .done
        .as_deref()
        .filter(|d| d.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !d.is_empty())
        .map(|d| t.t(&format!("desk-action-{}", d.replace('_', "-"))))
        .unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let title = name.clone();
    let html = CasePage {
        t,
        title: name,
        id: &v.id,
        receipt: v.receipt_no.clone().unwrap_or_default(),
        why_code: q.why.clone().unwrap_or_default(),
        why_other: q
            .why_other
            .clone()
            .filter(|_| q.why.as_deref() == Some("other"))
            .unwrap_or_default(),
        facts: facts(t, p, &v, &who_names),
        answers,
        location,
        files,
        evidence,
        duplicates,
        merged: v.merged_from.clone(),
        events,
        documents: v
            .documents
            .iter()
            .map(|d| {
                (
                    d.number.clone(),
                    format!("/documents/verify?number={}", d.number),
                )
            })
            .collect(),
        any: can.any(),
        can,
        officers,
        agencies,
        max_days: p.catalogue().policy.max_extension_working_days,
        done,
        csrf: who.csrf(),
        errors,
        sent,
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    Ok(t.answer(status, &title, &crumbs(t), &html))
}

/// A case of the officer's agency: the purpose form, then the case.
#[get("/desk/petitions/{id}")]
pub async fn case_page(
    who: Who,
    p: Data<Petition>,
    directory: Option<Data<egov_auth::Service>>,
    id: Path<String>,
    query: Query<CaseQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let q = query.into_inner();
    match q.purpose(t) {
        Ok(Some(purpose)) => {
            case_answer(
                &who,
                &p,
                directory.as_ref().map(|d| d.get_ref()),
                &req,
                &id,
                &q,
                &purpose,
                Vec::new(),
                &ActionForm::default(),
            )
            .await
        }
        Ok(None) => why_page(&who, &p, &id, &q, Vec::new()).await,
        Err(message) => {
            let anchor = if q.why.as_deref() == Some("other") {
                "#why-other"
            } else {
                "#why"
            };
            why_page(&who, &p, &id, &q, vec![(anchor.into(), message)]).await
        }
    }
}

/// An attachment of the case, downloaded with the purpose the case was opened with.
#[get("/desk/petitions/{id}/attachments/{attachment}")]
pub async fn attachment(
    who: Who,
    p: Data<Petition>,
    path: Path<(String, String)>,
    query: Query<CaseQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let (id, att) = path.into_inner();
    let q = query.into_inner();
    let Ok(Some(purpose)) = q.purpose(t) else {
        return Ok(see_other(&format!("/desk/petitions/{id}")));
    };
    let reader = crate::http::reader(&p, &req, &who.principal);
    let (a, bytes) = cases::officer_attachment(&p, &reader, &who.principal, &id, att, &purpose)
        .await
        .map_err(|e| t.error(&e))?;
    Ok(HttpResponse::Ok()
        .content_type(a.content_type)
        .insert_header(egov_core::request::attachment_disposition(&a.filename))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("cache-control", "no-store"))
        .body(bytes))
}

/// One of the case's actions, from its form; back to the case with what was done, or the
/// case again with the refusal beside the form.
#[post("/desk/petitions/{id}/actions")]
pub async fn act(
    who: Who,
    p: Data<Petition>,
    directory: Option<Data<egov_auth::Service>>,
    id: Path<String>,
    form: CsrfForm<ActionForm>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let f = form.0;
    let q = CaseQuery {
        why: f.why.clone(),
        why_other: f.why_other.clone(),
        done: None,
    };
    let Ok(Some(purpose)) = q.purpose(t) else {
        return Ok(see_other(&format!("/desk/petitions/{id}")));
    };
    let errors = match action_of(&f) {
        Err(missing) => missing
            .into_iter()
            .map(|(anchor, field)| {
                let message = t.t_with(
                    "desk-field-missing",
                    &[("field", field_label(t, &f.action, &field))],
                );
                (anchor, message)
            })
            .collect(),
        Ok(input) => {
            let checked = match crate::http::cases::check_action(&p, &input) {
                Ok(()) => {
                    cases::check_assignee(
                        directory.as_ref().map(|d| d.get_ref()),
                        &who.principal,
                        &input,
                    )
                    .await
                }
                Err(e) => Err(e),
            };
            let result = match checked {
                Ok(()) => {
                    let reader = crate::http::reader(&p, &req, &who.principal);
                    cases::act(&p, &reader, &who.principal, &id, input).await
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(_) => {
                    let mut back = q.encoded();
                    back.push_str("&done=");
                    back.push_str(&f.action);
                    return Ok(see_other(&format!("/desk/petitions/{id}?{back}")));
                }
                Err(e) if (400..500).contains(&e.code().status) && e.code().status != 404 => {
                    refusal(t, &f.action, &e)
                }
                Err(e) => return Err(t.error(&e)),
            }
        }
    };
    case_answer(
        &who,
        &p,
        directory.as_ref().map(|d| d.get_ref()),
        &req,
        &id,
        &q,
        &purpose,
        errors,
        &f,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(action: &str, pairs: &[(&str, &str)]) -> ActionForm {
        let mut all = vec![("action", action)];
        all.extend_from_slice(pairs);
        let encoded = serde_urlencoded::to_string(&all).expect("encode");
        serde_urlencoded::from_str(&encoded).expect("form")
    }

    #[test]
    fn each_action_form_reads_as_the_apis_action() {
        assert!(matches!(
            action_of(&form("receive", &[("note", "  ")])),
            Ok(OfficerAction::Receive { note: None })
        ));
        assert!(matches!(
            action_of(&form(
                "extend",
                &[("working_days", "5"), ("reason", "site visit")]
            )),
            Ok(OfficerAction::Extend {
                working_days: 5,
                ..
            })
        ));
        assert!(matches!(
            action_of(&form("merge", &[("into", "other"), ("into_other", "X-1"), ("reason", "same hole")])),
            Ok(OfficerAction::Merge { ref into, .. }) if into == "X-1"
        ));
        assert!(matches!(
            action_of(&form("merge", &[("into", "X-2"), ("reason", "same hole")])),
            Ok(OfficerAction::Merge { ref into, .. }) if into == "X-2"
        ));
        assert!(matches!(
            action_of(&form(
                "decide",
                &[
                    ("decision", "rejected"),
                    ("reason", "no"),
                    ("remedies", "appeal")
                ]
            )),
            Ok(OfficerAction::Decide {
                decision: Decision::Rejected,
                remedies: Some(_),
                ..
            })
        ));
    }

    #[test]
    fn what_is_missing_or_unreadable_points_at_its_field() {
        let e = action_of(&form("extend", &[("working_days", "five")])).expect_err("refused");
        let anchors: Vec<&str> = e.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(anchors, ["#extend-working_days", "#extend-reason"]);
        let e = action_of(&form("decide", &[("reason", "ok")])).expect_err("refused");
        assert_eq!(e[0].0, "#decide-decision");
        let e = action_of(&form("merge", &[("reason", "dup")])).expect_err("refused");
        assert_eq!(e[0].0, "#merge-into_other");
        let e = action_of(&form("explode", &[])).expect_err("refused");
        assert_eq!(e[0].0, "#actions");
    }
}
