//! `/tax/v1`.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Answer, call, with_query};
use crate::TestApp;

/// The tax module's API.
#[derive(Debug, Clone, Copy)]
pub struct Tax<'a>(pub &'a TestApp);

impl Tax<'_> {
    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        call(self.0, Method::GET, &format!("/tax/v1{path}"), token, None).await
    }

    async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        call(
            self.0,
            Method::POST,
            &format!("/tax/v1{path}"),
            token,
            Some(body),
        )
        .await
    }

    /// `POST /calculate/{year}` (public).
    pub async fn calculate(&self, year: i32, inputs: Value, trace: bool) -> Answer {
        self.post(
            &format!("/calculate/{year}"),
            None,
            &json!({"inputs": inputs, "trace": trace}),
        )
        .await
    }

    /// `GET /calendar/{year}` (public).
    pub async fn calendar(&self, year: i32) -> Answer {
        self.get(&format!("/calendar/{year}"), None).await
    }

    /// `GET /certificates/{number}/verify` (public).
    pub async fn verify_certificate(&self, number: &str) -> Answer {
        self.get(&format!("/certificates/{number}/verify"), None)
            .await
    }

    /// `POST /statements?year=` as JSON rows (an employer).
    pub async fn upload_statements(&self, employer: &str, year: i32, rows: &Value) -> Answer {
        self.post(&format!("/statements?year={year}"), Some(employer), rows)
            .await
    }

    /// `GET /me/returns/{year}`.
    pub async fn my_return(&self, taxpayer: &str, year: i32) -> Answer {
        self.get(&format!("/me/returns/{year}"), Some(taxpayer))
            .await
    }

    /// `PUT /me/returns/{year}` with the whole set of entries.
    pub async fn edit_return(&self, taxpayer: &str, year: i32, entries: Value) -> Answer {
        call(
            self.0,
            Method::PUT,
            &format!("/tax/v1/me/returns/{year}"),
            Some(taxpayer),
            Some(&json!({"entries": entries})),
        )
        .await
    }

    /// `POST /me/returns/{year}/submit` under an idempotency key.
    pub async fn submit_return(&self, taxpayer: &str, year: i32, key: &str) -> Answer {
        self.0
            .send_with(
                Method::POST,
                &format!("/tax/v1/me/returns/{year}/submit"),
                Some(taxpayer),
                None,
                &[("idempotency-key", key)],
            )
            .await
    }

    /// `GET /me/returns/{year}/versions`.
    pub async fn my_versions(&self, taxpayer: &str, year: i32) -> Answer {
        self.get(&format!("/me/returns/{year}/versions"), Some(taxpayer))
            .await
    }

    /// `GET /me/account`.
    pub async fn my_account(&self, taxpayer: &str) -> Answer {
        self.get("/me/account", Some(taxpayer)).await
    }

    /// `POST /me/certificates` (`tax_clearance`, or `income` for a year).
    pub async fn issue_certificate(&self, taxpayer: &str, kind: &str, year: Option<i32>) -> Answer {
        self.post(
            "/me/certificates",
            Some(taxpayer),
            &json!({"kind": kind, "year": year}),
        )
        .await
    }

    /// `GET /me/statements?year=`.
    pub async fn my_statements(&self, taxpayer: &str, year: i32) -> Answer {
        self.get(&format!("/me/statements?year={year}"), Some(taxpayer))
            .await
    }

    /// `POST /me/statements/{id}/dispute`.
    pub async fn dispute_statement(&self, taxpayer: &str, id: &str, reason: &str) -> Answer {
        self.post(
            &format!("/me/statements/{id}/dispute"),
            Some(taxpayer),
            &json!({"reason": reason}),
        )
        .await
    }

    /// `GET /officer/taxpayers?national_id=&purpose=`.
    pub async fn officer_taxpayer(
        &self,
        officer: &str,
        national_id: &str,
        purpose: &str,
    ) -> Answer {
        let path = with_query(
            "/officer/taxpayers",
            &[("national_id", national_id), ("purpose", purpose)],
        );
        self.get(&path, Some(officer)).await
    }

    /// `GET /officer/returns/{id}?purpose=`.
    pub async fn officer_return(&self, officer: &str, id: &str, purpose: &str) -> Answer {
        let path = with_query(&format!("/officer/returns/{id}"), &[("purpose", purpose)]);
        self.get(&path, Some(officer)).await
    }

    /// `POST /officer/returns/{id}/corrections`.
    pub async fn correct_return(&self, officer: &str, id: &str, correction: &Value) -> Answer {
        self.post(
            &format!("/officer/returns/{id}/corrections"),
            Some(officer),
            correction,
        )
        .await
    }

    /// `POST /officer/bank-transfers` (a settlement file's lines).
    pub async fn bank_transfers(&self, officer: &str, lines: &Value) -> Answer {
        self.post("/officer/bank-transfers", Some(officer), lines)
            .await
    }

    /// `POST /officer/refunds`.
    pub async fn refund(&self, officer: &str, return_id: &str, refund_id: &str) -> Answer {
        self.post(
            "/officer/refunds",
            Some(officer),
            &json!({"return_id": return_id, "refund_id": refund_id}),
        )
        .await
    }

    /// `POST /officer/assessments`.
    pub async fn assess(&self, officer: &str, notice: &Value) -> Answer {
        self.post("/officer/assessments", Some(officer), notice)
            .await
    }

    /// `GET /officer/approvals`.
    pub async fn approvals(&self, officer: &str) -> Answer {
        self.get("/officer/approvals", Some(officer)).await
    }

    /// `POST /officer/approvals/{id}/approve`.
    pub async fn approve(&self, officer: &str, id: &str) -> Answer {
        call(
            self.0,
            Method::POST,
            &format!("/tax/v1/officer/approvals/{id}/approve"),
            Some(officer),
            None,
        )
        .await
    }

    /// `POST /officer/approvals/{id}/reject`.
    pub async fn reject(&self, officer: &str, id: &str, reason: &str) -> Answer {
        self.post(
            &format!("/officer/approvals/{id}/reject"),
            Some(officer),
            &json!({"reason": reason}),
        )
        .await
    }

    /// `POST /officer/withholding-agents`.
    pub async fn register_agent(&self, officer: &str, business_id: &str) -> Answer {
        self.post(
            "/officer/withholding-agents",
            Some(officer),
            &json!({"business_id": business_id}),
        )
        .await
    }

    /// `POST /officer/withholding-agents/{business_id}/revoke`.
    pub async fn revoke_agent(&self, officer: &str, business_id: &str) -> Answer {
        call(
            self.0,
            Method::POST,
            &format!("/tax/v1/officer/withholding-agents/{business_id}/revoke"),
            Some(officer),
            None,
        )
        .await
    }

    /// `GET /officer/statement-reviews`.
    pub async fn statement_reviews(&self, officer: &str) -> Answer {
        self.get("/officer/statement-reviews", Some(officer)).await
    }

    /// `POST /officer/statements/{id}/resolve` (`count` or `void`).
    pub async fn resolve_statement(
        &self,
        officer: &str,
        id: &str,
        decision: &str,
        reason: &str,
    ) -> Answer {
        self.post(
            &format!("/officer/statements/{id}/resolve"),
            Some(officer),
            &json!({"decision": decision, "reason": reason}),
        )
        .await
    }

    /// `POST /officer/certificates/{number}/revoke`.
    pub async fn revoke_certificate(&self, officer: &str, number: &str, reason: &str) -> Answer {
        self.post(
            &format!("/officer/certificates/{number}/revoke"),
            Some(officer),
            &json!({"reason": reason}),
        )
        .await
    }

    /// `POST /officer/reminders`.
    pub async fn reminders(&self, officer: &str, year: i32) -> Answer {
        self.post("/officer/reminders", Some(officer), &json!({"year": year}))
            .await
    }
}
