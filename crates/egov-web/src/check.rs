//! The public check of an issued document or certificate by the number printed on it: a form
//! with one field, an error summary linked to it, and the answer as a list of what was found.
//! Each module says what its numbers look like and what its documents state.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::{Page, PageError};

/// What the check found.
#[derive(Debug)]
pub struct Found {
    /// Authentic and valid.
    pub good: bool,
    pub headline: String,
    /// What the document states and its status, as label and value, in order.
    pub lines: Vec<(String, String)>,
}

/// The answer to a number.
#[derive(Debug)]
pub enum Outcome {
    /// No number asked yet: the form.
    Form,
    /// Not a number of this kind (400), with what to enter.
    Malformed(String),
    /// No such document, or past its checking window (404).
    NotFound(String),
    Found(Found),
}

/// A module's check page: its path and message ids.
#[derive(Debug)]
pub struct CheckPage<'a> {
    pub action: &'a str,
    /// Message ids: title, lead, field label, field hint, button.
    pub title: &'a str,
    pub lead: &'a str,
    pub label: &'a str,
    pub hint: &'a str,
    pub button: &'a str,
    pub max_length: usize,
}

#[derive(Template)]
#[template(path = "check.html")]
struct Rendered<'a> {
    action: &'a str,
    summary_title: String,
    title: String,
    lead: String,
    label: String,
    hint: String,
    button: String,
    max_length: usize,
    number: &'a str,
    error: Option<String>,
    result: Option<Found>,
}

impl CheckPage<'_> {
    /// The page for `number` and what checking it gave.
    pub fn answer(
        &self,
        page: &Page,
        number: &str,
        outcome: Outcome,
    ) -> Result<HttpResponse, PageError> {
        let (status, error, result) = match outcome {
            Outcome::Form => (StatusCode::OK, None, None),
            Outcome::Malformed(e) => (StatusCode::BAD_REQUEST, Some(e), None),
            Outcome::NotFound(e) => (StatusCode::NOT_FOUND, Some(e), None),
            Outcome::Found(f) => (StatusCode::OK, None, Some(f)),
        };
        let title = page.t(self.title);
        let main = Rendered {
            action: self.action,
            summary_title: page.t("error-summary-title"),
            title: title.clone(),
            lead: page.t(self.lead),
            label: page.t(self.label),
            hint: page.t(self.hint),
            button: page.t(self.button),
            max_length: self.max_length,
            number,
            error,
            result,
        }
        .render()
        .map_err(|e| page.error(&egov_core::Error::internal(e)))?;
        let crumbs = [(self.action.to_owned(), title.clone())];
        Ok(page.rendered(status, &title, &crumbs, &main).response())
    }
}
