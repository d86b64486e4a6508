//! A document in the workspace: its facts, its content (read only with a purpose when it names
//! people; every read of content is written to the document's history and, then, to the
//! access log), the approval line with who acted, how (전결, 대결) and their opinions, the
//! circulation with who has read it, the signatures' check, and a form for each action the
//! reader may take now: submit, approve / agree / disagree / confirm / object with an opinion,
//! return to the drafter or an earlier step, recall, insert a reviewer or co-operator.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post};
use askama::Template;
use egov_core::Error;
use egov_web::{CsrfForm, Page, PageError, see_other};
use futures_util::StreamExt;
use serde::Deserialize;

use super::draft::Sent;
use super::{
    Choice, Who, crumbs, desk_names, name_of, position_choices, position_text, status_text,
    step_status_text, step_text,
};
use crate::Docflow;
use crate::domain::line::StepKind;
use crate::http::approvals::{
    ActionInput, ActionKind, InsertInput, RecallInput, ReturnInput, act_on, insert,
    recall_document, return_document,
};
use crate::http::circulation::{CirculateInput, circulate_document};
use crate::http::dispatch::{
    DispatchInput, ReceiveInput, Recipient, dispatch_to, receive_document,
};
use crate::http::documents::submit_document;
use crate::http::records::{HoldInput, dispose_document, place_hold, release};
use crate::http::{content_read, visible};
use crate::service::{self, Desk, DocumentDetail};
use crate::store::DocumentRow;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocQuery {
    purpose: Option<String>,
    done: Option<String>,
}

/// The actions a form may name (also the `done` confirmations).
const ACTIONS: [&str; 16] = [
    "created",
    "submit",
    "approve",
    "disagree",
    "confirm",
    "object",
    "return",
    "recall",
    "insert",
    "dispatch",
    "circulate",
    "receive",
    "file",
    "hold",
    "release",
    "dispose",
];

/// How many recipients the dispatch form offers at once.
pub const RECIPIENT_ROWS: usize = 3;

/// One step of the line, in the page's words.
#[derive(Debug)]
pub struct Step {
    pub seq: i32,
    pub kind: String,
    pub position: String,
    pub status: String,
    pub current: bool,
    pub acted_by: String,
    pub action: String,
    pub opinion: String,
    pub at: String,
}

/// What the reader may do now.
#[derive(Debug, Default)]
pub struct Can {
    pub submit: bool,
    /// The actions on the reader's current step (`approve`, `disagree`, …).
    pub act: Vec<(String, String)>,
    pub give_back: bool,
    pub recall: bool,
    pub insert: bool,
    /// 시행: send the registered document to other agencies.
    pub dispatch: bool,
    /// 공람: show it to readers of the agency.
    pub circulate: bool,
    /// 접수: the document office registers a delivered document.
    pub receive: bool,
    /// The records manager's section: file, legal holds, disposal.
    pub records: bool,
}

impl Can {
    fn any(&self) -> bool {
        self.submit
            || !self.act.is_empty()
            || self.give_back
            || self.recall
            || self.insert
            || self.dispatch
            || self.circulate
            || self.receive
            || self.records
    }
}

/// The records manager's view of the document.
#[derive(Debug, Default)]
pub struct Records {
    pub facts: Vec<(String, String)>,
    /// Holds in force: (id, reason, authority, placed).
    pub holds: Vec<(String, String, String, String)>,
    pub files: Vec<Choice>,
    pub disposed: bool,
}

/// A dispatch of the document, in the page's words.
#[derive(Debug)]
pub struct DispatchRow {
    pub agency: String,
    pub status: String,
    pub receipt: String,
    pub at: String,
}

/// A reader who may be shown the document (공람).
#[derive(Debug)]
pub struct Reader {
    pub account: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "web/doc_page.html")]
struct DocPage<'a> {
    t: &'a Page,
    title: String,
    id: &'a str,
    caption: String,
    purpose: String,
    done: String,
    facts: Vec<(String, String)>,
    paragraphs: Vec<String>,
    files: Vec<(String, String)>,
    steps: Vec<Step>,
    readers: Vec<(String, String)>,
    signatures: String,
    pdf: Option<String>,
    can: Can,
    any: bool,
    version: i32,
    step: String,
    return_to: Vec<Choice>,
    after: Vec<Choice>,
    insert_kinds: Vec<Choice>,
    positions: Vec<Choice>,
    dispatches: Vec<DispatchRow>,
    readers_to_pick: Vec<Reader>,
    member: String,
    recipient_rows: Vec<usize>,
    units: Vec<Choice>,
    handlers: Vec<Choice>,
    records: Records,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    sent: &'a Sent,
}

#[derive(Template)]
#[template(path = "web/doc_purpose.html")]
struct PurposePage<'a> {
    t: &'a Page,
    title: String,
    id: &'a str,
    purpose: String,
    errors: Vec<(String, String)>,
}

fn purpose_of(q: &Option<String>) -> Option<String> {
    q.as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
}

/// The page's address with the purpose carried (and a confirmation).
fn href(id: &str, purpose: Option<&str>, done: Option<&str>) -> String {
    egov_web::link(
        &format!("/desk/documents/{id}"),
        &[("purpose", purpose), ("done", done)],
    )
}

/// The document if the reader may see it, else the "not found" page.
async fn open(who: &Who, d: &Docflow, id: &str) -> Result<DocumentRow, PageError> {
    visible(d, &who.principal, id)
        .await
        .map_err(|e| who.page.error(&e))
}

/// The purpose form: nothing of the document is shown before it.
fn purpose_page(
    who: &Who,
    id: &str,
    purpose: &str,
    errors: Vec<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let title = t.t("doc-purpose-title");
    let html = PurposePage {
        t,
        title: title.clone(),
        id,
        purpose: purpose.to_owned(),
        errors,
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    Ok(t.answer(status, &title, &crumbs(t), &html))
}

/// The stamp's words for how a step was acted on: 전결 and 대결 marked.
fn action_text(t: &Page, action: Option<&str>, mode: Option<&str>) -> String {
    let mut s = match action {
        Some(a) => {
            let key = format!("doc-did-{}", a.replace('_', "-"));
            let said = t.t(&key);
            if said == key { a.to_owned() } else { said }
        }
        None => String::new(),
    };
    match mode {
        Some("acting") => s = format!("{s} ({})", t.t("doc-mode-acting")),
        Some("delegated") => s = format!("{s} ({})", t.t("doc-mode-delegated")),
        _ => {}
    }
    s
}

/// The reader's current steps on the line (held, or stood in for today; a post-report only
/// when held).
fn my_steps<'a>(detail: &'a DocumentDetail, desk: &Desk) -> Vec<&'a service::StepView> {
    detail
        .line
        .iter()
        .filter(|s| s.status == "current" && desk.acting.contains(&s.position))
        // A post-report goes to the approver themself, not to their stand-in.
        .filter(|s| s.kind != StepKind::PostReport.as_str() || desk.held.contains(&s.position))
        .collect()
}

/// Renders the document page (the content read is recorded by the caller).
#[allow(clippy::too_many_arguments)]
async fn page(
    who: &Who,
    d: &Docflow,
    directory: Option<&egov_auth::Service>,
    doc: DocumentRow,
    purpose: Option<&str>,
    done: Option<&str>,
    errors: Vec<(String, String)>,
    sent: &Sent,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let rules = d.rules().map_err(|e| t.error(&e))?;
    let agency = who.principal.agency.clone().unwrap_or(doc.agency.clone());
    let desk = service::desk(d, who.principal.subject.clone(), agency)
        .await
        .map_err(|e| t.error(&e))?;
    let checked = service::check_signatures(d, doc.clone())
        .await
        .map_err(|e| t.error(&e))?;
    let records_role = who.principal.has_role(crate::RECORDS_ROLE);
    let records = if records_role {
        records_view(t, d, &doc, &who.principal, sent).await?
    } else {
        Records::default()
    };
    let from: Option<serde_json::Value> = doc
        .sender
        .as_deref()
        .and_then(|x| serde_json::from_str(x).ok());
    let detail = service::detail(d, doc, true)
        .await
        .map_err(|e| t.error(&e))?;
    let doc = &detail.document;
    let mut ids: Vec<String> = vec![doc.drafter.clone()];
    ids.extend(detail.line.iter().filter_map(|s| s.acted_by.clone()));
    ids.extend(detail.circulation.iter().map(|c| c.reader.clone()));
    let names: HashMap<String, String> = desk_names(directory, &desk, ids).await;
    let me = who.principal.subject.as_str();
    let status = doc.status.as_str();
    let mine = my_steps(&detail, &desk);
    let drafter = doc.drafter == me;

    let mut facts = vec![
        (t.t("doc-status"), status_text(t, status)),
        (
            t.t("doc-type"),
            rules
                .doc_type(&doc.doc_type)
                .map_or_else(|| doc.doc_type.clone(), |x| x.name.clone()),
        ),
    ];
    if !doc.drafter.is_empty() {
        let mut who_drafted = name_of(&names, &doc.drafter);
        if let Some(p) = &doc.drafter_position {
            who_drafted = format!("{who_drafted} — {}", position_text(&desk, &names, p));
        }
        // A received document's "drafter" is the handler it was given to.
        let label = if doc.origin == "received" {
            "doc-field-handler"
        } else {
            "doc-drafter"
        };
        facts.push((t.t(label), who_drafted));
    }
    facts.push((t.t("doc-due"), t.local_time(doc.due_at.naive_utc())));
    if let Some(a) = doc.amount {
        let scale =
            rust_decimal::Decimal::from(10_i64.pow(u32::from(d.pack().currency.minor_units())));
        facts.push((
            t.t("doc-field-amount"),
            t.money(rust_decimal::Decimal::new(a, 0) / scale),
        ));
    }
    facts.push((
        t.t("doc-field-disclosure"),
        rules
            .disclosure(&doc.disclosure)
            .map_or_else(|| doc.disclosure.clone(), |x| x.name.clone()),
    ));
    if let Some(g) = &doc.disclosure_ground {
        facts.push((t.t("doc-field-disclosure-ground"), g.clone()));
    }
    facts.push((t.t("doc-field-classification"), doc.classification.clone()));
    facts.push((t.t("doc-version"), doc.version.to_string()));
    if let (Some(n), Some(at)) = (&doc.registration_no, doc.registered_at) {
        facts.push((
            t.t(if doc.origin == "received" {
                "doc-receipt-registration"
            } else {
                "doc-registration"
            }),
            format!("{n} ({})", t.local_time(at.naive_utc())),
        ));
    }
    if doc.personal_data {
        facts.push((t.t("doc-personal-data"), t.t("doc-personal-data-yes")));
    }

    let (paragraphs, files, title) = match &detail.current {
        Some(v) => {
            let body = v.body.clone().unwrap_or_default();
            let paragraphs = crate::pdf::body_lines(&body);
            let files = v
                .attachments
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| {
                    let sha = a["sha256"].as_str()?;
                    let name = a["name"].as_str()?;
                    Some((
                        egov_web::link(
                            &format!("/desk/documents/{}/attachments/{sha}", doc.id),
                            &[("purpose", purpose)],
                        ),
                        name.to_owned(),
                    ))
                })
                .collect();
            (paragraphs, files, v.title.clone())
        }
        None => (Vec::new(), Vec::new(), t.t("doc-disposed")),
    };

    let steps = detail
        .line
        .iter()
        .map(|s| Step {
            seq: s.seq,
            kind: if s.group > 0 {
                format!(
                    "{} ({})",
                    step_text(t, &s.kind),
                    t.t_with("doc-parallel", &[("group", s.group.to_string())])
                )
            } else {
                step_text(t, &s.kind)
            },
            position: position_text(&desk, &names, &s.position),
            status: step_status_text(t, &s.status),
            current: s.status == "current",
            acted_by: s
                .acted_by
                .as_deref()
                .map(|a| name_of(&names, a))
                .unwrap_or_default(),
            action: action_text(t, s.action.as_deref(), s.mode.as_deref()),
            opinion: s.opinion.clone().unwrap_or_default(),
            at: s
                .acted_at
                .map(|a| t.local_time(a.naive_utc()))
                .unwrap_or_default(),
        })
        .collect();
    let readers = detail
        .circulation
        .iter()
        .map(|c| {
            (
                name_of(&names, &c.reader),
                c.read_at
                    .map(|r| t.local_time(r.naive_utc()))
                    .unwrap_or_else(|| t.t("doc-unread")),
            )
        })
        .collect();
    let signatures = if checked.signatures.is_empty() {
        t.t("doc-signatures-none")
    } else if checked.valid {
        t.t_with(
            "doc-signatures-valid",
            &[("n", checked.signatures.len().to_string())],
        )
    } else {
        t.t_with(
            "doc-signatures-invalid",
            &[(
                "n",
                checked
                    .signatures
                    .iter()
                    .filter(|s| !s.valid)
                    .count()
                    .to_string(),
            )],
        )
    };

    let office = who.principal.has_role(crate::OFFICE_ROLE);
    let dispatched = service::dispatches_of(d, doc.id.clone())
        .await
        .map_err(|e| t.error(&e))?;
    let dispatches = dispatched
        .iter()
        .filter(|x| x.kind == "dispatch")
        .map(|x| DispatchRow {
            agency: x.agency.clone(),
            status: match (&x.error, x.status.as_str()) {
                (Some(why), "failed") => {
                    format!("{} ({why})", t.t("doc-dispatch-failed"))
                }
                (_, st) => t.t(&format!("doc-dispatch-{st}")),
            },
            receipt: x.receipt_no.clone().unwrap_or_default(),
            at: t.local_time(x.received_at.or(x.delivered_at).unwrap_or(x.created_at)),
        })
        .collect();
    if let Some(from) = &from {
        let what = [
            from["sender"]["agency"].as_str(),
            from["member"].as_str(),
            from["sender"]["registration_no"].as_str(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        facts.push((t.t("doc-from"), what));
    }
    let already: Vec<&str> = detail
        .circulation
        .iter()
        .map(|c| c.reader.as_str())
        .collect();
    let picked: Vec<&str> = sent.all("reader");
    let mut readers_to_pick: Vec<Reader> = desk
        .holders
        .iter()
        .filter(|(_, acc)| acc != me && !already.contains(&acc.as_str()))
        .map(|(pos, acc)| Reader {
            account: acc.clone(),
            label: format!(
                "{} — {}",
                name_of(&names, acc),
                desk.positions
                    .iter()
                    .find(|p| &p.id == pos)
                    .map(|p| p.title.as_str())
                    .unwrap_or_default()
            ),
            checked: picked.contains(&acc.as_str()),
        })
        .collect();
    readers_to_pick.sort_by(|a, b| a.label.cmp(&b.label));
    readers_to_pick.dedup_by(|a, b| a.account == b.account);
    let units = desk
        .units
        .iter()
        .map(|u| Choice {
            value: u.id.clone(),
            label: u.name.clone(),
            selected: sent.get("unit_id") == u.id,
        })
        .collect();
    let mut handlers: Vec<Choice> = desk
        .holders
        .iter()
        .map(|(pos, acc)| Choice {
            value: acc.clone(),
            label: format!(
                "{} — {}",
                name_of(&names, acc),
                position_text(&desk, &HashMap::new(), pos)
            ),
            selected: sent.get("handler") == acc,
        })
        .collect();
    handlers.sort_by(|a, b| a.label.cmp(&b.label));
    handlers.dedup_by(|a, b| a.value == b.value);

    let in_approval = status == "in_approval";
    let first_mine = mine.first();
    let mut can = Can {
        submit: drafter && matches!(status, "drafting" | "returned"),
        give_back: in_approval && first_mine.is_some(),
        recall: drafter && in_approval,
        insert: in_approval && (drafter || first_mine.is_some()),
        dispatch: matches!(status, "registered" | "dispatched") && (drafter || office),
        circulate: matches!(status, "registered" | "dispatched" | "received")
            && (drafter || office)
            && !readers_to_pick.is_empty(),
        receive: status == "delivered" && office,
        records: records_role,
        ..Can::default()
    };
    // A step of the reader's acting now: the line in approval, or a post-report after a
    // registered 대결.
    if let Some(s) = first_mine {
        let acts: &[&str] = match StepKind::parse(&s.kind) {
            Some(StepKind::Cooperation) => &["approve", "disagree"],
            Some(StepKind::PostApprove) => &["confirm", "object"],
            Some(StepKind::PostReport) => &["confirm"],
            _ => &["approve"],
        };
        can.act = acts
            .iter()
            .map(|a| {
                let key = match (StepKind::parse(&s.kind), *a) {
                    (Some(StepKind::Cooperation), "approve") => "doc-do-agree".to_owned(),
                    _ => format!("doc-do-{a}"),
                };
                ((*a).to_owned(), t.t(&key))
            })
            .collect();
    }
    let my_seq = first_mine.map_or(0, |s| s.seq);
    let mut return_to = vec![Choice {
        value: "0".into(),
        label: t.t("doc-to-drafter"),
        selected: sent.get("to_step") == "0",
    }];
    return_to.extend(
        detail
            .line
            .iter()
            .filter(|s| s.seq > 0 && s.seq < my_seq && s.status == "done")
            .map(|s| Choice {
                value: s.seq.to_string(),
                label: format!(
                    "{}. {} — {}",
                    s.seq,
                    step_text(t, &s.kind),
                    position_text(&desk, &names, &s.position)
                ),
                selected: sent.get("to_step") == s.seq.to_string(),
            }),
    );
    let after = detail
        .line
        .iter()
        .filter(|s| !StepKind::parse(&s.kind).is_some_and(StepKind::is_final))
        .filter(|s| s.status != "pending" || s.seq >= my_seq)
        .map(|s| Choice {
            value: s.seq.to_string(),
            label: format!("{}. {}", s.seq, step_text(t, &s.kind)),
            selected: sent.get("after_seq") == s.seq.to_string(),
        })
        .collect();
    let insert_kinds = [StepKind::Review, StepKind::Cooperation]
        .iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: step_text(t, k.as_str()),
            selected: sent.get("kind") == k.as_str(),
        })
        .collect();
    let positions = position_choices(&desk, &names, None, sent.get("position"));
    let done_text = done
        .filter(|a| ACTIONS.contains(a) || *a == "attach")
        .map(|a| t.t(&format!("doc-done-{a}")))
        .unwrap_or_default();
    let caption = doc
        .registration_no
        .clone()
        .unwrap_or_else(|| status_text(t, status));
    let http_status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let any = can.any();
    let html = DocPage {
        t,
        title: title.clone(),
        id: &doc.id,
        caption,
        purpose: purpose.unwrap_or_default().to_owned(),
        done: done_text,
        facts,
        paragraphs,
        files,
        steps,
        readers,
        signatures,
        pdf: doc
            .registration_no
            .as_ref()
            .filter(|_| status != "disposed")
            .map(|_| {
                egov_web::link(
                    &format!("/desk/documents/{}/pdf", doc.id),
                    &[("purpose", purpose)],
                )
            }),
        can,
        any,
        version: doc.version,
        step: first_mine.map(|s| s.id.clone()).unwrap_or_default(),
        return_to,
        after,
        insert_kinds,
        positions,
        dispatches,
        readers_to_pick,
        member: if sent.get("dispatch-0-member").is_empty() {
            d.member().to_owned()
        } else {
            sent.get("dispatch-0-member").to_owned()
        },
        recipient_rows: (0..RECIPIENT_ROWS).collect(),
        units,
        handlers,
        records,
        csrf: who.csrf(),
        errors,
        sent,
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    Ok(t.answer(http_status, &title, &crumbs(t), &html))
}

/// The document's records status for a records manager: retention, holds, disposal, and the
/// agency's record files to file it in.
async fn records_view(
    t: &Page,
    d: &Docflow,
    doc: &DocumentRow,
    who: &egov_auth::Principal,
    sent: &Sent,
) -> Result<Records, PageError> {
    let st = service::records_status(d, doc.clone())
        .await
        .map_err(|e| t.error(&e))?;
    let mut facts = vec![(
        t.t("doc-field-retention"),
        st.retention_name
            .clone()
            .unwrap_or_else(|| st.retention.clone()),
    )];
    facts.push((
        t.t("doc-retain-until"),
        if st.permanent {
            t.t("doc-permanent")
        } else {
            st.retain_until
                .map(|day| t.date(day))
                .unwrap_or_else(|| t.t("doc-not-complete"))
        },
    ));

    if let Some(x) = &st.disposal {
        facts.push((t.t("doc-disposed-at"), t.local_time(x.at.naive_utc())));
    }
    let holds = st
        .holds
        .iter()
        .filter(|h| h.in_force)
        .map(|h| {
            (
                h.id.clone(),
                h.reason.clone(),
                h.authority.clone(),
                t.local_time(h.placed_at.naive_utc()),
            )
        })
        .collect();
    let all = service::files(d, who.agency.clone().unwrap_or_default())
        .await
        .map_err(|e| t.error(&e))?;
    if let Some(file) = &doc.file_id {
        let title = all
            .iter()
            .find(|f| &f.id == file)
            .map_or_else(|| file.clone(), |f| format!("{} ({})", f.title, f.year));
        facts.push((t.t("doc-file"), title));
    }
    let files = all
        .into_iter()
        .map(|f| Choice {
            selected: sent.get("file_id") == f.id || doc.file_id.as_deref() == Some(f.id.as_str()),
            label: format!("{} ({}, {})", f.title, f.classification, f.year),
            value: f.id,
        })
        .collect();
    Ok(Records {
        facts,
        holds,
        files,
        disposed: st.disposal.is_some(),
    })
}

/// Reads the content with the purpose (recorded), or asks for the purpose first.
async fn read(
    who: &Who,
    d: &Docflow,
    req: &HttpRequest,
    doc: &DocumentRow,
    purpose: Option<&str>,
) -> Result<Option<HttpResponse>, PageError> {
    let t = &who.page;
    if doc.personal_data && purpose.is_none() {
        return purpose_page(who, &doc.id, "", Vec::new()).map(Some);
    }
    match content_read(d, req, &who.principal, doc, purpose, "document").await {
        Ok(()) => Ok(None),
        Err(e) if e.status_code() == StatusCode::UNPROCESSABLE_ENTITY => purpose_page(
            who,
            &doc.id,
            purpose.unwrap_or_default(),
            vec![("#purpose".into(), t.t("doc-purpose-error"))],
        )
        .map(Some),
        Err(e) => Err(t.error(&e)),
    }
}

/// A document in the workspace.
#[get("/desk/documents/{id}")]
pub async fn document_page(
    who: Who,
    d: Data<Docflow>,
    directory: Option<Data<egov_auth::Service>>,
    req: HttpRequest,
    id: Path<String>,
    query: Query<DocQuery>,
) -> Result<HttpResponse, PageError> {
    let q = query.into_inner();
    let doc = open(&who, &d, &id).await?;
    let purpose = purpose_of(&q.purpose);
    if let Some(asked) = read(&who, &d, &req, &doc, purpose.as_deref()).await? {
        return Ok(asked);
    }
    page(
        &who,
        &d,
        directory.as_ref().map(|x| x.get_ref()),
        doc,
        purpose.as_deref(),
        q.done.as_deref(),
        Vec::new(),
        &Sent::default(),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileQuery {
    purpose: Option<String>,
}

/// An attachment's content, its read recorded.
#[get("/desk/documents/{id}/attachments/{sha}")]
pub async fn attachment(
    who: Who,
    d: Data<Docflow>,
    req: HttpRequest,
    path: Path<(String, String)>,
    query: Query<FileQuery>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let (id, sha) = path.into_inner();
    let doc = open(&who, &d, &id).await?;
    let found = service::attachment(&d, doc.id.clone(), sha.clone())
        .await
        .map_err(|e| t.error(&e))?;
    let Some((a, bytes)) = found else {
        return Err(t.not_found());
    };
    let purpose = purpose_of(&query.purpose);
    content_read(
        &d,
        &req,
        &who.principal,
        &doc,
        purpose.as_deref(),
        &format!("attachment-{sha}"),
    )
    .await
    .map_err(|e| t.error(&e))?;
    Ok(HttpResponse::Ok()
        .content_type(a.media_type)
        .insert_header(egov_core::request::attachment_disposition(&a.name))
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes))
}

/// The registered document as PDF with its approval stamps, its read recorded.
#[get("/desk/documents/{id}/pdf")]
pub async fn pdf(
    who: Who,
    d: Data<Docflow>,
    directory: Option<Data<egov_auth::Service>>,
    req: HttpRequest,
    id: Path<String>,
    query: Query<FileQuery>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let doc = open(&who, &d, &id).await?;
    if doc.registration_no.is_none() || doc.status == crate::service::status::DISPOSED {
        return Err(t.not_found());
    }
    let purpose = purpose_of(&query.purpose);
    content_read(&d, &req, &who.principal, &doc, purpose.as_deref(), "pdf")
        .await
        .map_err(|e| t.error(&e))?;
    let name = format!(
        "{}.pdf",
        doc.registration_no
            .clone()
            .unwrap_or_else(|| doc.id.clone())
    );
    let words = crate::pdf::words(Some(t.web()), &d);
    let bytes = service::render_pdf(&d, doc, words, directory.as_ref().map(|x| x.get_ref()))
        .await
        .map_err(|e| t.error(&e))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(egov_core::request::attachment_disposition(&name))
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes))
}

fn int(f: &Sent, name: &str) -> Result<i32, Vec<(String, String)>> {
    f.get(name)
        .trim()
        .parse()
        .map_err(|_| vec![(format!("#{name}"), name.to_owned())])
}

fn opt(f: &Sent, name: &str) -> Option<String> {
    let v = f.get(name).trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// Does what the form asks.
async fn perform(d: &Docflow, who: &Who, id: &str, f: &Sent) -> Result<(), Error> {
    let p = &who.principal;
    let version = f.get("version").trim().parse::<i32>().unwrap_or(-1);
    match f.get("action") {
        "submit" => submit_document(d, p, id, version).await.map(|_| ()),
        a @ ("approve" | "disagree" | "confirm" | "object") => {
            let action = match a {
                "approve" => ActionKind::Approve,
                "disagree" => ActionKind::Disagree,
                "confirm" => ActionKind::Confirm,
                _ => ActionKind::Object,
            };
            act_on(
                d,
                p,
                id,
                ActionInput {
                    action,
                    version,
                    opinion: opt(f, "opinion"),
                    step: opt(f, "step"),
                },
            )
            .await
            .map(|_| ())
        }
        "return" => return_document(
            d,
            p,
            id,
            ReturnInput {
                version,
                to_step: opt(f, "to_step").and_then(|s| s.parse().ok()),
                reason: f.get("reason").trim().to_owned(),
            },
        )
        .await
        .map(|_| ()),
        "recall" => recall_document(
            d,
            p,
            id,
            RecallInput {
                reason: opt(f, "reason"),
            },
        )
        .await
        .map(|_| ()),
        "insert" => {
            let after_seq = f.get("after_seq").trim().parse().unwrap_or(-1);
            let kind = StepKind::parse(f.get("kind")).ok_or_else(|| {
                Error::invalid_field(
                    "/kind",
                    egov_core::text!("detail-docflow-insert-kind", "review or cooperation"),
                )
            })?;
            insert(
                d,
                p,
                id,
                InsertInput {
                    after_seq,
                    kind,
                    position: f.get("position").to_owned(),
                    reason: f.get("reason").trim().to_owned(),
                },
            )
            .await
            .map(|_| ())
        }
        "dispatch" => {
            let recipients = (0..RECIPIENT_ROWS)
                .filter_map(|i| {
                    let agency = f.get(&format!("dispatch-{i}-agency")).trim();
                    let member = f.get(&format!("dispatch-{i}-member")).trim();
                    (!agency.is_empty()).then(|| Recipient {
                        member: if member.is_empty() {
                            d.member().to_owned()
                        } else {
                            member.to_owned()
                        },
                        agency: agency.to_owned(),
                    })
                })
                .collect();
            dispatch_to(d, p, id, DispatchInput { recipients })
                .await
                .map(|_| ())
        }
        "circulate" => circulate_document(
            d,
            p,
            id,
            CirculateInput {
                readers: f.all("reader").into_iter().map(str::to_owned).collect(),
                agencies: Vec::new(),
            },
        )
        .await
        .map(|_| ()),
        "receive" => {
            let due_at = match f.get("due").trim() {
                "" => None,
                s => Some(
                    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .ok()
                        .and_then(|day| super::draft::end_of(d, day))
                        .ok_or_else(|| {
                            Error::invalid_field(
                                "/due",
                                egov_core::text!("detail-docflow-date", "a date"),
                            )
                        })?,
                ),
            };
            receive_document(
                d,
                p,
                id,
                ReceiveInput {
                    unit_id: f.get("unit_id").to_owned(),
                    handler: f.get("handler").to_owned(),
                    doc_type: None,
                    retention: None,
                    due_at,
                },
            )
            .await
            .map(|_| ())
        }
        "file" => {
            let file_id = f.get("file_id").to_owned();
            service::file_document(
                d,
                crate::http::doc_id(id)?,
                p.subject.clone(),
                p.agency.clone().unwrap_or_default(),
                file_id,
            )
            .await
            .map(|_| ())
        }
        "hold" => place_hold(
            d,
            p,
            id,
            HoldInput {
                reason: f.get("reason").trim().to_owned(),
                authority: f.get("authority").trim().to_owned(),
            },
        )
        .await
        .map(|_| ()),
        "release" => release(d, p, f.get("hold"), f.get("reason").trim().to_owned()).await,
        "dispose" => dispose_document(d, p, id, f.get("reason").trim().to_owned())
            .await
            .map(|_| ()),
        _ => Err(Error::invalid_field(
            "/action",
            egov_core::text!("detail-docflow-page-action", "an action of the page"),
        )),
    }
}

/// An action's form: done, then back to the document with a confirmation; refused, the page
/// again with what to fix beside the form.
#[post("/desk/documents/{id}/actions")]
pub async fn act(
    who: Who,
    d: Data<Docflow>,
    directory: Option<Data<egov_auth::Service>>,
    req: HttpRequest,
    id: Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let sent = Sent(form.0);
    let doc = open(&who, &d, &id).await?;
    let action = sent.get("action").to_owned();
    if !ACTIONS.contains(&action.as_str()) || action == "created" {
        return Err(t.bad_form());
    }
    let purpose = opt(&sent, "purpose");
    if int(&sent, "version").is_err()
        && !matches!(
            action.as_str(),
            "recall" | "insert" | "dispatch" | "circulate" | "receive"
        )
    {
        return Err(t.bad_form());
    }
    match perform(&d, &who, &doc.id, &sent).await {
        Ok(()) => Ok(see_other(&href(&doc.id, purpose.as_deref(), Some(&action)))),
        Err(e) if e.status_code().is_client_error() => {
            let group = match action.as_str() {
                "approve" | "disagree" | "confirm" | "object" => "act",
                other => other,
            };
            // The API names a recipient's field `/recipients/0/agency`; the form's input is
            // `dispatch-0-agency`.
            let errors = t
                .refusal(
                    &e,
                    &format!("{group}-"),
                    |n| {
                        let field = n.rsplit('-').next().unwrap_or(n);
                        t.t(&format!("doc-field-{}", field.replace('_', "-")))
                    },
                    &format!("#do-{group}"),
                )
                .into_iter()
                .map(|(a, m)| (a.replace("#dispatch-recipients-", "#dispatch-"), m))
                .collect();
            if let Some(asked) = read(&who, &d, &req, &doc, purpose.as_deref()).await? {
                return Ok(asked);
            }
            let doc = open(&who, &d, &id).await?;
            page(
                &who,
                &d,
                directory.as_ref().map(|x| x.get_ref()),
                doc,
                purpose.as_deref(),
                None,
                errors,
                &sent,
            )
            .await
        }
        Err(e) => Err(t.error(&e)),
    }
}

/// A short text field of the upload form (at most 512 bytes).
async fn small_field(part: &mut actix_multipart::Field) -> Option<String> {
    let mut value = Vec::new();
    while let Some(chunk) = part.next().await {
        let chunk = chunk.ok()?;
        if value.len() + chunk.len() > 512 {
            return None;
        }
        value.extend_from_slice(&chunk);
    }
    String::from_utf8(value).ok()
}

/// Adds an attachment to a draft (or a returned document) from the page: a multipart form
/// (the form's token, the version it was made from, the purpose where the document names
/// people, then the file), checked like the API's attachments (name, accepted types by their
/// content, size); a new version keeps the title and text. A refusal comes back beside the
/// form; nothing is added.
#[post("/desk/documents/{id}/attachments")]
pub async fn upload(
    who: Who,
    d: Data<Docflow>,
    directory: Option<Data<egov_auth::Service>>,
    req: HttpRequest,
    id: Path<String>,
    mut parts: actix_multipart::Multipart,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let doc = open(&who, &d, &id).await?;
    let max = d.config().max_attachment_bytes;
    let (mut csrf_ok, mut version, mut purpose) = (false, None, None);
    let mut file: Option<(String, String, Vec<u8>)> = None;
    let mut errors = Vec::new();
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|_| t.bad_form())?;
        let name = part.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "csrf" | "version" | "purpose" => {
                let value = small_field(&mut part).await.ok_or_else(|| t.bad_form())?;
                match name.as_str() {
                    "csrf" => {
                        csrf_ok = egov_auth::random::same(value.as_bytes(), who.csrf().as_bytes());
                    }
                    "version" => version = value.parse::<i32>().ok(),
                    _ => purpose = Some(value).filter(|p| !p.trim().is_empty()),
                }
            }
            "file" => {
                // The token comes before the file in the form.
                if !csrf_ok {
                    return Err(t.expired_form());
                }
                let filename = part
                    .content_disposition()
                    .and_then(|c| c.get_filename())
                    .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f).to_owned())
                    .unwrap_or_default();
                let media_type = part.content_type().map_or_else(
                    || "application/octet-stream".to_owned(),
                    ToString::to_string,
                );
                let mut bytes = Vec::new();
                let mut too_big = false;
                while let Some(chunk) = part.next().await {
                    let chunk = chunk.map_err(|_| t.bad_form())?;
                    if bytes.len() + chunk.len() > max {
                        too_big = true;
                        continue;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if filename.is_empty() {
                    errors.push(("#attach-file".to_owned(), t.t("doc-attach-choose")));
                } else if too_big {
                    errors.push((
                        "#attach-file".to_owned(),
                        t.t_with(
                            "doc-attach-too-big",
                            &[("max", t.count((max as u64).into()))],
                        ),
                    ));
                } else {
                    file = Some((filename, media_type, bytes));
                }
            }
            _ => return Err(t.bad_form()),
        }
    }
    if !csrf_ok {
        return Err(t.expired_form());
    }
    let Some(version) = version else {
        return Err(t.bad_form());
    };
    let result = match file {
        None => Ok(()),
        Some((name, media_type, bytes)) => {
            use base64::Engine;
            let mut e = Vec::new();
            let checked = crate::http::documents::attachments_in(
                &d,
                vec![crate::http::documents::AttachmentInput {
                    name,
                    media_type,
                    content: base64::engine::general_purpose::STANDARD.encode(&bytes),
                }],
                &mut e,
            );
            match crate::http::fields(e) {
                Err(e) => Err(e),
                Ok(()) => {
                    let (dd, acc, ag, doc_id) = (
                        d.get_ref().clone(),
                        who.principal.subject.clone(),
                        who.principal.agency.clone().unwrap_or_default(),
                        doc.id.clone(),
                    );
                    d.db()
                        .transaction(move |c| {
                            service::add_attachments(
                                c,
                                &dd,
                                &acc,
                                &ag,
                                &doc_id,
                                version,
                                checked,
                                Some("attachment added".into()),
                            )
                        })
                        .await
                        .map(drop)
                }
            }
        }
    };
    match result {
        Ok(()) if errors.is_empty() => Ok(see_other(&href(
            &doc.id,
            purpose.as_deref(),
            Some("attach"),
        ))),
        Err(e) if !e.status_code().is_client_error() => Err(t.error(&e)),
        other => {
            if let Err(e) = other {
                // The API names the file `/attachments/0/…`; the form has one file input.
                errors.extend(
                    t.refusal(&e, "attach-", |_| t.t("doc-field-attachment"), "#do-attach")
                        .into_iter()
                        .map(|(a, m)| {
                            if a.starts_with("#attach-attachments") {
                                ("#attach-file".to_owned(), m)
                            } else {
                                (a, m)
                            }
                        }),
                );
            }
            if let Some(asked) = read(&who, &d, &req, &doc, purpose.as_deref()).await? {
                return Ok(asked);
            }
            let doc = open(&who, &d, &id).await?;
            page(
                &who,
                &d,
                directory.as_ref().map(|x| x.get_ref()),
                doc,
                purpose.as_deref(),
                None,
                errors,
                &Sent::default(),
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_address_carries_the_purpose() {
        assert_eq!(href("x", None, None), "/desk/documents/x");
        assert_eq!(
            href("x", Some("audit & review"), Some("approve")),
            "/desk/documents/x?purpose=audit+%26+review&done=approve"
        );
    }
}
