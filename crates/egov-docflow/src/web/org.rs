//! The agency's organisation for its administrator (조직 관리): units, positions with who holds
//! them, stand-ins (대결) in force and to come, and the forms that change them — a unit, a
//! position, an assignment (the agency's officials from common auth's directory to choose
//! from), a stand-in with its period in the pack's local time, ending a stand-in early, and a
//! person's handover to their successor. Every form calls the API's use case, so the page
//! refuses what the API refuses, with the same field errors in the page's language. Agency
//! administrators with a second factor.

use std::collections::HashMap;

use actix_web::web::{Data, Query};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use chrono::NaiveDate;
use egov_auth::{Kind, Policy, Rule};
use egov_core::Error;
use egov_web::{CsrfForm, Page, PageError, Sent, SignedIn, form_status, see_other};
use serde::Deserialize;

use super::Choice;
use crate::Docflow;
use crate::http::org::{
    AssignmentInput, HandoverInput, PositionInput, StandInInput, UnitInput, hand_over,
    new_assignment, new_position, new_stand_in, new_unit, stand_in_ended,
};
use crate::service::{self, Organisation};

/// Agency administrators, with a second factor.
#[derive(Debug)]
pub struct OrgDesk;
impl Policy for OrgDesk {
    const RULE: Rule = Rule::kinds(&[Kind::AgencyAdmin]).aal2();
}

type Who = SignedIn<OrgDesk>;

/// How many officials the assignment form offers (a bigger agency types the account id).
const OFFICIALS: usize = 2000;

/// The page's forms (`what` of a POST), the prefix of their fields' ids and their section.
const FORMS: [(&str, &str, &str); 6] = [
    ("unit", "unit-", "new-unit"),
    ("position", "position-", "new-position"),
    ("assign", "assign-", "new-assignment"),
    ("stand_in", "standin-", "new-stand-in"),
    ("end_stand_in", "", "stand-ins"),
    ("handover", "handover-", "handover"),
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgQuery {
    done: Option<String>,
}

/// A position as the table shows it.
#[derive(Debug)]
pub struct PositionRow {
    pub unit: String,
    pub title: String,
    pub rank: String,
    pub holders: Vec<String>,
}

/// A unit as the table shows it.
#[derive(Debug)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub parent: String,
    pub office: bool,
}

/// A stand-in as the table shows it.
#[derive(Debug)]
pub struct StandInRow {
    pub id: String,
    pub position: String,
    pub stand_in: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    /// In force, to come, ended early or over, in the page's words.
    pub state: String,
    /// It may still be ended.
    pub open: bool,
}

#[derive(Template)]
#[template(path = "web/doc_org.html")]
struct OrgPage<'a> {
    t: &'a Page,
    title: String,
    done: Option<String>,
    units: Vec<UnitRow>,
    positions: Vec<PositionRow>,
    stand_ins: Vec<StandInRow>,
    unit_choices: Vec<Choice>,
    parent_choices: Vec<Choice>,
    rank_choices: Vec<Choice>,
    position_choices: Vec<Choice>,
    stand_in_choices: Vec<Choice>,
    assign_position_choices: Vec<Choice>,
    /// The agency's officials, or none when common auth runs elsewhere (ids are typed).
    officials: Option<Vec<Choice>>,
    successors: Option<Vec<Choice>>,
    leavers: Option<Vec<Choice>>,
    now_local: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    what: String,
    sent: &'a Sent,
}

impl OrgPage<'_> {
    /// What was sent in `form`'s field `name` (empty for the other forms).
    fn v(&self, form: &str, name: &str) -> &str {
        if self.what == form {
            self.sent.get(name)
        } else {
            ""
        }
    }
}

fn pick(
    items: impl Iterator<Item = (String, String)>,
    picked: &str,
    blank: Option<String>,
) -> Vec<Choice> {
    let mut out: Vec<Choice> = blank
        .map(|label| Choice {
            value: String::new(),
            label,
            selected: picked.is_empty(),
        })
        .into_iter()
        .collect();
    out.extend(items.map(|(value, label)| Choice {
        selected: value == picked,
        value,
        label,
    }));
    out
}

/// A position as people say it: its title and unit, and who holds it today.
fn position_label(
    org: &Organisation,
    names: &HashMap<String, String>,
    today: NaiveDate,
    id: &str,
) -> String {
    let Some(p) = org.positions.iter().find(|p| p.id == id) else {
        return id.to_owned();
    };
    let unit = org
        .units
        .iter()
        .find(|u| u.id == p.unit)
        .map_or("", |u| u.name.as_str());
    let holders = holders(org, names, today, id);
    let mut s = format!("{}, {unit}", p.title);
    if !holders.is_empty() {
        s = format!("{s} ({})", holders.join(", "));
    }
    s
}

fn holders(
    org: &Organisation,
    names: &HashMap<String, String>,
    today: NaiveDate,
    id: &str,
) -> Vec<String> {
    org.assignments
        .iter()
        .filter(|a| {
            a.position == id && a.valid_from <= today && a.valid_to.is_none_or(|t| t > today)
        })
        .map(|a| {
            names
                .get(&a.account)
                .cloned()
                .unwrap_or_else(|| a.account.clone())
        })
        .collect()
}

async fn answer(
    who: &Who,
    d: &Docflow,
    directory: Option<&egov_auth::Service>,
    done: Option<String>,
    errors: Vec<(String, String)>,
    what: &str,
    sent: &Sent,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let rules = d.rules().map_err(|e| t.error(&e))?;
    let agency = who.principal.agency.clone().unwrap_or_default();
    let org = {
        let agency = agency.clone();
        d.db()
            .run(move |c| service::organisation(c, &agency))
            .await
            .map_err(|e| t.error(&e))?
    };
    let now = d.now();
    let today = now.date();
    let officials = match directory {
        Some(dir) => Some(
            dir.officials(&agency, OFFICIALS)
                .await
                .map_err(|e| t.error(&e))?,
        ),
        None => None,
    };
    let mut names: HashMap<String, String> = officials.iter().flatten().cloned().collect();
    let missing: Vec<String> = org
        .assignments
        .iter()
        .map(|a| a.account.clone())
        .filter(|a| !names.contains_key(a))
        .collect();
    names.extend(egov_web::names(directory, missing).await);

    let current_units: Vec<_> = org
        .units
        .iter()
        .filter(|u| u.valid_to.is_none_or(|v| v > today))
        .collect();
    let unit_name = |id: &str| {
        org.units
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_owned(), |u| u.name.clone())
    };
    let mut units: Vec<UnitRow> = current_units
        .iter()
        .map(|u| UnitRow {
            code: u.code.clone(),
            name: u.name.clone(),
            parent: u.parent.as_deref().map(unit_name).unwrap_or_default(),
            office: u.document_office,
        })
        .collect();
    units.sort_by(|a, b| a.code.cmp(&b.code));
    let current_positions: Vec<_> = org
        .positions
        .iter()
        .filter(|p| p.valid_to.is_none_or(|v| v > today))
        .collect();
    let mut positions: Vec<PositionRow> = current_positions
        .iter()
        .map(|p| PositionRow {
            unit: unit_name(&p.unit),
            title: p.title.clone(),
            rank: rules
                .rank(p.rank)
                .map_or_else(|| p.rank.to_string(), |r| r.name.clone()),
            holders: holders(&org, &names, today, &p.id),
        })
        .collect();
    positions.sort_by(|a, b| a.unit.cmp(&b.unit).then(a.title.cmp(&b.title)));

    let now_utc = now.and_utc();
    let mut stand_ins: Vec<StandInRow> = org
        .stand_ins
        .iter()
        .filter(|s| {
            s.ended_at
                .is_none_or(|e| e > now_utc - chrono::Duration::days(30))
        })
        .filter(|s| s.valid_to > now_utc - chrono::Duration::days(30))
        .map(|s| {
            let (state, open) = match s.ended_at {
                Some(_) => ("doc-org-ended", false),
                None if s.valid_to <= now_utc => ("doc-org-over", false),
                None if s.valid_from > now_utc => ("doc-org-to-come", true),
                None => ("doc-org-in-force", true),
            };
            StandInRow {
                id: s.id.clone(),
                position: position_label(&org, &names, today, &s.position),
                stand_in: position_label(&org, &names, today, &s.stand_in),
                from: t.local_time(s.valid_from.naive_utc()),
                to: t.local_time(s.valid_to.naive_utc()),
                reason: s.reason.clone(),
                state: t.t(state),
                open,
            }
        })
        .collect();
    stand_ins.sort_by(|a, b| b.open.cmp(&a.open).then(a.from.cmp(&b.from)));

    let choose = t.t("doc-org-choose");
    let mut position_items: Vec<(String, String)> = current_positions
        .iter()
        .map(|p| (p.id.clone(), position_label(&org, &names, today, &p.id)))
        .collect();
    position_items.sort_by(|a, b| a.1.cmp(&b.1));
    let unit_items = || {
        let mut v: Vec<(String, String)> = current_units
            .iter()
            .map(|u| (u.id.clone(), format!("{} ({})", u.name, u.code)))
            .collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    };
    let got = |form: &str, name: &str| if what == form { sent.get(name) } else { "" };
    let people = |form: &str, name: &str| {
        officials.as_ref().map(|list| {
            pick(
                list.iter()
                    .map(|(id, n)| (id.clone(), format!("{n} ({id})"))),
                got(form, name),
                Some(choose.clone()),
            )
        })
    };
    let done = done.map(|w| t.t(&format!("doc-org-done-{}", w.replace('_', "-"))));
    let title = t.t("doc-org-title");
    let status = form_status(&errors);
    let html = OrgPage {
        t,
        title: title.clone(),
        done,
        units,
        positions,
        stand_ins,
        unit_choices: pick(
            unit_items().into_iter(),
            got("position", "unit_id"),
            Some(choose.clone()),
        ),
        parent_choices: pick(
            unit_items().into_iter(),
            got("unit", "parent_id"),
            Some(t.t("doc-org-no-parent")),
        ),
        rank_choices: pick(
            rules
                .ranks
                .iter()
                .map(|r| (r.level.to_string(), r.name.clone())),
            got("position", "rank"),
            Some(choose.clone()),
        ),
        position_choices: pick(
            position_items.clone().into_iter(),
            got("stand_in", "position_id"),
            Some(choose.clone()),
        ),
        stand_in_choices: pick(
            position_items.clone().into_iter(),
            got("stand_in", "stand_in_position_id"),
            Some(choose.clone()),
        ),
        assign_position_choices: pick(
            position_items.into_iter(),
            got("assign", "position_id"),
            Some(choose.clone()),
        ),
        officials: people("assign", "account"),
        successors: people("handover", "to"),
        leavers: people("handover", "from"),
        now_local: t.local_input(now),
        csrf: who.csrf(),
        errors,
        what: what.to_owned(),
        sent,
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    Ok(t.answer(status, &title, &[("/my".into(), t.t("my-page"))], &html))
}

/// The agency's organisation and the forms that change it.
#[get("/desk/organisation")]
pub async fn org_page(
    who: Who,
    d: Data<Docflow>,
    directory: Option<Data<egov_auth::Service>>,
    q: Query<OrgQuery>,
) -> Result<HttpResponse, PageError> {
    let done = q
        .into_inner()
        .done
        .filter(|w| FORMS.iter().any(|(f, _, _)| f == w));
    answer(
        &who,
        &d,
        directory.as_ref().map(|x| x.get_ref()),
        done,
        Vec::new(),
        "",
        &Sent::default(),
    )
    .await
}

/// A date typed in a form (empty: none), or the field's error line.
fn date_field(
    t: &Page,
    sent: &Sent,
    name: &str,
    anchor: &str,
    errors: &mut Vec<(String, String)>,
) -> Option<NaiveDate> {
    let v = sent.get(name).trim();
    if v.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.push((anchor.to_owned(), t.t("doc-org-date-error")));
    }
    parsed
}

/// One of the page's forms: the change through the API's use case, then back to the page
/// with what was done; a refusal shows the page again with the form as it was sent.
#[post("/desk/organisation")]
pub async fn org_change(
    who: Who,
    d: Data<Docflow>,
    directory: Option<Data<egov_auth::Service>>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let sent = Sent(form.0);
    let what = sent.get("what").to_owned();
    let Some((_, prefix, section)) = FORMS.iter().find(|(f, _, _)| *f == what) else {
        let errors = vec![("#units".to_owned(), t.t("doc-org-unknown-form"))];
        return answer(
            &who,
            &d,
            directory.as_ref().map(|x| x.get_ref()),
            None,
            errors,
            "",
            &sent,
        )
        .await;
    };
    let dir = directory.as_ref().map(|x| x.get_ref());
    let p = &who.principal;
    let text = |n: &str| sent.get(n).trim().to_owned();
    let mut errors = Vec::new();
    let result: Result<(), Error> = match what.as_str() {
        "unit" => {
            let input = UnitInput {
                code: text("code"),
                name: text("name"),
                parent_id: Some(text("parent_id")).filter(|s| !s.is_empty()),
                document_office: sent.get("document_office") == "true",
                valid_from: None,
            };
            new_unit(&d, p, input).await.map(drop)
        }
        "position" => {
            let rank = sent.get("rank").parse::<i32>().unwrap_or(0);
            let input = PositionInput {
                unit_id: text("unit_id"),
                title: text("title"),
                rank,
                valid_from: None,
            };
            new_position(&d, p, input).await.map(drop)
        }
        "assign" => {
            let from = date_field(t, &sent, "valid_from", "#assign-valid_from", &mut errors);
            let to = date_field(t, &sent, "valid_to", "#assign-valid_to", &mut errors);
            let input = AssignmentInput {
                position_id: text("position_id"),
                account: text("account"),
                valid_from: from,
                valid_to: to,
            };
            if errors.is_empty() {
                new_assignment(&d, dir, p, input).await.map(drop)
            } else {
                Ok(())
            }
        }
        "stand_in" => {
            let mut instant = |name: &str| {
                let at = t.instant_of_local(sent.get(name));
                if at.is_none() {
                    errors.push((format!("#standin-{name}"), t.t("doc-org-time-error")));
                }
                at
            };
            let (from, to) = (instant("valid_from"), instant("valid_to"));
            match (from, to) {
                (Some(valid_from), Some(valid_to)) => {
                    let input = StandInInput {
                        position_id: text("position_id"),
                        stand_in_position_id: text("stand_in_position_id"),
                        valid_from,
                        valid_to,
                        reason: text("reason"),
                    };
                    new_stand_in(&d, p, input).await.map(drop)
                }
                _ => Ok(()),
            }
        }
        "end_stand_in" => stand_in_ended(&d, p, text("id")).await.map(drop),
        _ => {
            let input = HandoverInput {
                from: text("from"),
                to: text("to"),
                reason: text("reason"),
                take_positions: Some(sent.get("take_positions") == "true"),
            };
            hand_over(&d, dir, p, input).await.map(drop)
        }
    };
    match result {
        // Back to the top, where the banner says what was done.
        Ok(()) if errors.is_empty() => Ok(see_other(&format!("/desk/organisation?done={what}"))),
        Ok(()) => answer(&who, &d, dir, None, errors, &what, &sent).await,
        Err(e) if actix_web::ResponseError::status_code(&e).is_client_error() => {
            let lines = t.refusal(
                &e,
                prefix,
                |n| t.t(&format!("doc-org-field-{}", n.replace('_', "-"))),
                &format!("#{section}"),
            );
            answer(&who, &d, dir, None, lines, &what, &sent).await
        }
        Err(e) => Err(t.error(&e)),
    }
}
