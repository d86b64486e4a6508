//! What a page's form sent, and a refusal of the API's use case in the page's words.
//!
//! A page posts to a handler that calls the same use case as the API; when the use case
//! refuses, the page is answered again with an error summary whose lines link to the fields
//! (`#<prefix><field>`) and with what was typed kept ([`Sent`]).

use crate::Page;

/// A form as sent, in order (repeated names kept, for checkboxes and table rows).
#[derive(Debug, Default, Clone)]
pub struct Sent(pub Vec<(String, String)>);

impl Sent {
    /// Every value sent under `name` (checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value sent under `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

/// The status of a form page: `400` when it answers with errors, else `200`.
pub fn form_status(errors: &[(String, String)]) -> actix_web::http::StatusCode {
    if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::BAD_REQUEST
    }
}

impl Page {
    /// A refused use case as error-summary lines: one per field the problem names (anchor
    /// `#<prefix><field>`, the field's `label` and the detail in the page's language), else one
    /// line with the problem's title and detail linking to `fallback`.
    pub fn refusal(
        &self,
        e: &egov_core::Error,
        prefix: &str,
        label: impl Fn(&str) -> String,
        fallback: &str,
    ) -> Vec<(String, String)> {
        if !e.errors().is_empty() {
            return e
                .errors()
                .iter()
                .map(|f| {
                    let name = f.pointer.trim_start_matches('/').replace('/', "-");
                    (
                        format!("#{prefix}{name}"),
                        self.t_with(
                            "field-error",
                            &[("field", label(&name)), ("detail", self.text(&f.detail))],
                        ),
                    )
                })
                .collect();
        }
        let mut m = self.problem_title(e);
        if let Some(d) = e.detail_text() {
            m = format!("{m}: {}", self.text(d));
        }
        vec![(fallback.to_owned(), m)]
    }
}

impl Page {
    /// A provider's problem answer (JSON) as error-summary lines, like [`Page::refusal`]:
    /// one per field error (`#<prefix><field>`), else the title and detail.
    pub fn problem_lines(
        &self,
        problem: &serde_json::Value,
        prefix: &str,
        label: impl Fn(&str) -> String,
        fallback: &str,
    ) -> Vec<(String, String)> {
        let fields: Vec<(String, String)> = problem["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let name = e["pointer"]
                    .as_str()?
                    .trim_start_matches('/')
                    .replace('/', "-");
                let detail = e["detail"].as_str().unwrap_or_default();
                Some((
                    format!("#{prefix}{name}"),
                    self.t_with(
                        "field-error",
                        &[("field", label(&name)), ("detail", detail.to_owned())],
                    ),
                ))
            })
            .collect();
        if !fields.is_empty() {
            return fields;
        }
        let title = problem["title"].as_str().unwrap_or_default();
        let line = match problem["detail"].as_str() {
            Some(d) if !d.is_empty() => format!("{title}: {d}"),
            _ => title.to_owned(),
        };
        vec![(fallback.to_owned(), line)]
    }
}

impl Page {
    /// Sends `method` to `path` of common auth's API as the signed-in person (or nobody),
    /// asking for problems in the page's language: the status and the answer's JSON (a
    /// problem for a 4xx); the provider unreachable or failing is the error page.
    pub async fn provider(
        &self,
        live: Option<&crate::session::Live>,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(actix_web::http::StatusCode, serde_json::Value), crate::PageError> {
        let si = self
            .web()
            .sign_in()
            .cloned()
            .ok_or_else(|| self.unavailable())?;
        let (status, value) = si
            .provider_call(live, Some(self.lang()), method, path, body)
            .await
            .map_err(|e| self.error(&e))?;
        Ok((
            actix_web::http::StatusCode::from_u16(status.as_u16())
                .unwrap_or(actix_web::http::StatusCode::BAD_GATEWAY),
            value,
        ))
    }

    /// A provider's refusal (its problem JSON) as this site's error page.
    pub fn provider_refused(
        &self,
        status: actix_web::http::StatusCode,
        problem: &serde_json::Value,
    ) -> crate::PageError {
        if status == actix_web::http::StatusCode::NOT_FOUND {
            return self.not_found();
        }
        self.message(
            status,
            problem["title"].as_str().unwrap_or_default(),
            problem["detail"].as_str().unwrap_or_default(),
        )
    }

    /// A provider's answer to `GET path` read as `T`; a refusal is the error page.
    pub async fn provider_read<T: serde::de::DeserializeOwned>(
        &self,
        live: &crate::session::Live,
        path: &str,
    ) -> Result<T, crate::PageError> {
        let (status, v) = self
            .provider(Some(live), reqwest::Method::GET, path, None)
            .await?;
        if !status.is_success() {
            return Err(self.provider_refused(status, &v));
        }
        serde_json::from_value(v).map_err(|e| self.error(&egov_core::Error::internal(e)))
    }
}
