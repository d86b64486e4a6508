//! `/docflow/v1`.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Answer, call, with_query};
use crate::TestApp;

/// The document workflow module's API.
#[derive(Debug, Clone, Copy)]
pub struct Docflow<'a>(pub &'a TestApp);

impl Docflow<'_> {
    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        call(
            self.0,
            Method::GET,
            &format!("/docflow/v1{path}"),
            token,
            None,
        )
        .await
    }

    async fn post(&self, path: &str, token: &str, body: &Value) -> Answer {
        call(
            self.0,
            Method::POST,
            &format!("/docflow/v1{path}"),
            Some(token),
            Some(body),
        )
        .await
    }

    async fn put(&self, path: &str, token: &str, body: &Value) -> Answer {
        call(
            self.0,
            Method::PUT,
            &format!("/docflow/v1{path}"),
            Some(token),
            Some(body),
        )
        .await
    }

    /// `GET /rules` (public).
    pub async fn rules(&self) -> Answer {
        self.get("/rules", None).await
    }

    /// `GET /keys` (public).
    pub async fn keys(&self) -> Answer {
        self.get("/keys", None).await
    }

    /// `POST /packages/verify` (public).
    pub async fn verify_package(&self, package: &Value) -> Answer {
        call(
            self.0,
            Method::POST,
            "/docflow/v1/packages/verify",
            None,
            Some(package),
        )
        .await
    }

    /// `GET /org`.
    pub async fn org(&self, token: &str) -> Answer {
        self.get("/org", Some(token)).await
    }

    /// `POST /org/units`.
    pub async fn add_unit(&self, admin: &str, unit: &Value) -> Answer {
        self.post("/org/units", admin, unit).await
    }

    /// `POST /org/positions`.
    pub async fn add_position(&self, admin: &str, position: &Value) -> Answer {
        self.post("/org/positions", admin, position).await
    }

    /// `POST /org/assignments`.
    pub async fn assign(&self, admin: &str, assignment: &Value) -> Answer {
        self.post("/org/assignments", admin, assignment).await
    }

    /// `POST /org/stand-ins`.
    pub async fn add_stand_in(&self, admin: &str, stand_in: &Value) -> Answer {
        self.post("/org/stand-ins", admin, stand_in).await
    }

    /// `POST /org/handover`.
    pub async fn handover(&self, admin: &str, handover: &Value) -> Answer {
        self.post("/org/handover", admin, handover).await
    }

    /// `POST /delegations` (a row of the agency's delegation table).
    pub async fn add_delegation(&self, admin: &str, row: &Value) -> Answer {
        self.post("/delegations", admin, row).await
    }

    /// `POST /documents`: a draft.
    pub async fn create(&self, drafter: &str, document: &Value) -> Answer {
        self.post("/documents", drafter, document).await
    }

    /// `GET /documents/{id}` (with a purpose when it carries personal data).
    pub async fn show(&self, token: &str, id: &str, purpose: Option<&str>) -> Answer {
        let q: Vec<(&str, &str)> = purpose.map(|p| ("purpose", p)).into_iter().collect();
        self.get(&with_query(&format!("/documents/{id}"), &q), Some(token))
            .await
    }

    /// `PUT /documents/{id}`: a new version.
    pub async fn edit(&self, drafter: &str, id: &str, edit: &Value) -> Answer {
        self.put(&format!("/documents/{id}"), drafter, edit).await
    }

    /// `PUT /documents/{id}/line`.
    pub async fn set_line(&self, drafter: &str, id: &str, line: &Value) -> Answer {
        self.put(
            &format!("/documents/{id}/line"),
            drafter,
            &json!({"line": line}),
        )
        .await
    }

    /// `POST /documents/{id}/submit` at the version read.
    pub async fn submit(&self, drafter: &str, id: &str, version: i64) -> Answer {
        self.post(
            &format!("/documents/{id}/submit"),
            drafter,
            &json!({"version": version}),
        )
        .await
    }

    /// `POST /documents/{id}/actions` (`approve`, `disagree`, `confirm`, …).
    pub async fn act(
        &self,
        actor: &str,
        id: &str,
        action: &str,
        version: i64,
        opinion: Option<&str>,
    ) -> Answer {
        self.post(
            &format!("/documents/{id}/actions"),
            actor,
            &json!({"action": action, "version": version, "opinion": opinion}),
        )
        .await
    }

    /// `POST /documents/{id}/return`.
    pub async fn return_document(
        &self,
        actor: &str,
        id: &str,
        version: i64,
        reason: &str,
    ) -> Answer {
        self.post(
            &format!("/documents/{id}/return"),
            actor,
            &json!({"version": version, "reason": reason}),
        )
        .await
    }

    /// `POST /documents/{id}/recall`.
    pub async fn recall(&self, drafter: &str, id: &str, reason: Option<&str>) -> Answer {
        self.post(
            &format!("/documents/{id}/recall"),
            drafter,
            &json!({"reason": reason}),
        )
        .await
    }

    /// `POST /documents/{id}/circulate`.
    pub async fn circulate(&self, token: &str, id: &str, body: &Value) -> Answer {
        self.post(&format!("/documents/{id}/circulate"), token, body)
            .await
    }

    /// `GET /documents/{id}/signatures`.
    pub async fn signatures(&self, token: &str, id: &str) -> Answer {
        self.get(&format!("/documents/{id}/signatures"), Some(token))
            .await
    }

    /// `GET /documents/{id}/history`.
    pub async fn history(&self, token: &str, id: &str) -> Answer {
        self.get(&format!("/documents/{id}/history"), Some(token))
            .await
    }

    /// `GET /documents/{id}/package` (with a purpose when it carries personal data).
    pub async fn package(&self, token: &str, id: &str, purpose: Option<&str>) -> Answer {
        let q: Vec<(&str, &str)> = purpose.map(|p| ("purpose", p)).into_iter().collect();
        self.get(
            &with_query(&format!("/documents/{id}/package"), &q),
            Some(token),
        )
        .await
    }

    /// `GET /documents/{id}/records`.
    pub async fn records_status(&self, token: &str, id: &str) -> Answer {
        self.get(&format!("/documents/{id}/records"), Some(token))
            .await
    }

    /// `POST /documents/{id}/holds`.
    pub async fn place_hold(
        &self,
        records: &str,
        id: &str,
        reason: &str,
        authority: &str,
    ) -> Answer {
        self.post(
            &format!("/documents/{id}/holds"),
            records,
            &json!({"reason": reason, "authority": authority}),
        )
        .await
    }

    /// `POST /holds/{hold}/release`.
    pub async fn release_hold(&self, records: &str, hold: &str, reason: &str) -> Answer {
        self.post(
            &format!("/holds/{hold}/release"),
            records,
            &json!({"reason": reason}),
        )
        .await
    }

    /// `POST /documents/{id}/dispose`.
    pub async fn dispose(&self, token: &str, id: &str, reason: &str) -> Answer {
        self.post(
            &format!("/documents/{id}/dispose"),
            token,
            &json!({"reason": reason}),
        )
        .await
    }

    /// `GET /work/{list}` (`drafts`, `returned`, `awaiting`, `circulated`) with `limit` and
    /// `after`.
    pub async fn work(&self, officer: &str, list: &str, query: &[(&str, &str)]) -> Answer {
        self.get(&with_query(&format!("/work/{list}"), query), Some(officer))
            .await
    }

    /// `GET /ledger?unit=&year=&kind=`.
    pub async fn ledger(&self, token: &str, unit: &str, year: i32, kind: &str) -> Answer {
        let year = year.to_string();
        let path = with_query(
            "/ledger",
            &[("unit", unit), ("year", &year), ("kind", kind)],
        );
        self.get(&path, Some(token)).await
    }

    /// `GET /inbox`.
    pub async fn inbox(&self, office: &str) -> Answer {
        self.get("/inbox", Some(office)).await
    }
}
