//! `/petition/v1` and `/petition/verify`.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Answer, call, with_query};
use crate::TestApp;

/// The petition module's API.
#[derive(Debug, Clone, Copy)]
pub struct Petition<'a>(pub &'a TestApp);

impl Petition<'_> {
    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        call(
            self.0,
            Method::GET,
            &format!("/petition/v1{path}"),
            token,
            None,
        )
        .await
    }

    async fn post(&self, path: &str, token: &str, body: Option<&Value>) -> Answer {
        call(
            self.0,
            Method::POST,
            &format!("/petition/v1{path}"),
            Some(token),
            body,
        )
        .await
    }

    /// `GET /services` (public).
    pub async fn services(&self) -> Answer {
        self.get("/services", None).await
    }

    /// `GET /services/{id}` (public).
    pub async fn service(&self, id: &str) -> Answer {
        self.get(&format!("/services/{id}"), None).await
    }

    /// `GET /agencies` (public).
    pub async fn agencies(&self) -> Answer {
        self.get("/agencies", None).await
    }

    /// `GET /keys` (public).
    pub async fn keys(&self) -> Answer {
        self.get("/keys", None).await
    }

    /// `POST /applications`: a draft (`{"service", "form", "location"?}`).
    pub async fn create(&self, applicant: &str, application: &Value) -> Answer {
        self.post("/applications", applicant, Some(application))
            .await
    }

    /// `GET /applications`.
    pub async fn my_applications(&self, applicant: &str) -> Answer {
        self.get("/applications", Some(applicant)).await
    }

    /// `GET /applications/{id}`.
    pub async fn application(&self, applicant: &str, id: &str) -> Answer {
        self.get(&format!("/applications/{id}"), Some(applicant))
            .await
    }

    /// `PUT /applications/{id}/form` (`{"form", "location"?}`).
    pub async fn edit_form(&self, applicant: &str, id: &str, form: &Value) -> Answer {
        call(
            self.0,
            Method::PUT,
            &format!("/petition/v1/applications/{id}/form"),
            Some(applicant),
            Some(form),
        )
        .await
    }

    /// `POST /applications/{id}/attachments?{query}` with the raw bytes; `query` is given
    /// encoded (`filename=lease.pdf&evidence=lease`), so that tests can send what a hostile
    /// client would.
    pub async fn upload(
        &self,
        applicant: &str,
        id: &str,
        query: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> Answer {
        let res = self
            .0
            .client
            .post(self.0.url(&format!(
                "/petition/v1/applications/{id}/attachments?{query}"
            )))
            .bearer_auth(applicant)
            .header("content-type", content_type)
            .body(bytes.to_vec())
            .send()
            .await
            .expect("upload");
        let s = res.status().as_u16();
        (s, res.json().await.unwrap_or(Value::Null))
    }

    /// `POST /applications/{id}/evidence/{key}` under a consent given at the exchange.
    pub async fn fetch_evidence(
        &self,
        applicant: &str,
        id: &str,
        key: &str,
        consent: &str,
    ) -> Answer {
        self.post(
            &format!("/applications/{id}/evidence/{key}"),
            applicant,
            Some(&json!({"consent": consent})),
        )
        .await
    }

    /// `POST /applications/{id}/submit`.
    pub async fn submit(&self, applicant: &str, id: &str) -> Answer {
        self.post(&format!("/applications/{id}/submit"), applicant, None)
            .await
    }

    /// `POST /applications/{id}/withdraw`.
    pub async fn withdraw(&self, applicant: &str, id: &str, reason: &str) -> Answer {
        self.post(
            &format!("/applications/{id}/withdraw"),
            applicant,
            Some(&json!({"reason": reason})),
        )
        .await
    }

    /// `POST /applications/{id}/supplement` (`{"form"?, "note"?}`).
    pub async fn supplement(&self, applicant: &str, id: &str, body: &Value) -> Answer {
        self.post(
            &format!("/applications/{id}/supplement"),
            applicant,
            Some(body),
        )
        .await
    }

    /// `POST /applications/{id}/rating` (`{"rating", "comment"?}`).
    pub async fn rate(&self, applicant: &str, id: &str, body: &Value) -> Answer {
        self.post(&format!("/applications/{id}/rating"), applicant, Some(body))
            .await
    }

    /// `POST /applications/{id}/reopen`.
    pub async fn reopen(&self, applicant: &str, id: &str, reason: &str) -> Answer {
        self.post(
            &format!("/applications/{id}/reopen"),
            applicant,
            Some(&json!({"reason": reason})),
        )
        .await
    }

    /// `GET /applications/{id}/documents`.
    pub async fn my_documents(&self, applicant: &str, id: &str) -> Answer {
        self.get(&format!("/applications/{id}/documents"), Some(applicant))
            .await
    }

    /// `POST /me/delegations` (`{"grantee_national_id", "service"?, "days"}`).
    pub async fn delegate(&self, person: &str, delegation: &Value) -> Answer {
        self.post("/me/delegations", person, Some(delegation)).await
    }

    /// `GET /me/delegations`.
    pub async fn my_delegations(&self, person: &str) -> Answer {
        self.get("/me/delegations", Some(person)).await
    }

    /// `POST /me/delegations/{id}/withdraw`.
    pub async fn withdraw_delegation(&self, person: &str, id: &str) -> Answer {
        self.post(&format!("/me/delegations/{id}/withdraw"), person, None)
            .await
    }

    /// `GET /officer/cases` with the work list's filters (`status`, `service`, `limit`,
    /// `after`, …).
    pub async fn work_list(&self, officer: &str, query: &[(&str, &str)]) -> Answer {
        self.get(&with_query("/officer/cases", query), Some(officer))
            .await
    }

    /// `GET /officer/deadlines?kind=` (`overdue` or `due_soon`).
    pub async fn deadlines(&self, officer: &str, kind: &str) -> Answer {
        self.get(&format!("/officer/deadlines?kind={kind}"), Some(officer))
            .await
    }

    /// `GET /officer/cases/{id}?purpose=`.
    pub async fn officer_case(&self, officer: &str, id: &str, purpose: &str) -> Answer {
        let path = with_query(&format!("/officer/cases/{id}"), &[("purpose", purpose)]);
        self.get(&path, Some(officer)).await
    }

    /// `POST /officer/cases/{id}/actions` (`{"action", …}`).
    pub async fn act(&self, officer: &str, id: &str, action: Value) -> Answer {
        self.post(
            &format!("/officer/cases/{id}/actions"),
            officer,
            Some(&action),
        )
        .await
    }

    /// `POST /officer/documents/{number}/revoke`.
    pub async fn revoke_document(&self, officer: &str, number: &str, reason: &str) -> Answer {
        self.post(
            &format!("/officer/documents/{number}/revoke"),
            officer,
            Some(&json!({"reason": reason})),
        )
        .await
    }

    /// `GET /petition/verify/{number}` (public).
    pub async fn verify(&self, number: &str) -> Answer {
        call(
            self.0,
            Method::GET,
            &format!("/petition/verify/{number}"),
            None,
            None,
        )
        .await
    }
}
