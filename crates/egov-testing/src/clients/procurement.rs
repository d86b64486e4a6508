//! `/procurement/v1`.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Answer, call, with_query};
use crate::TestApp;

/// The e-procurement module's API.
#[derive(Debug, Clone, Copy)]
pub struct Procurement<'a>(pub &'a TestApp);

impl Procurement<'_> {
    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        call(
            self.0,
            Method::GET,
            &format!("/procurement/v1{path}"),
            token,
            None,
        )
        .await
    }

    async fn post(&self, path: &str, token: &str, body: Option<&Value>) -> Answer {
        call(
            self.0,
            Method::POST,
            &format!("/procurement/v1{path}"),
            Some(token),
            body,
        )
        .await
    }

    /// `GET /tenders` (public) with its filters.
    pub async fn tenders(&self, query: &[(&str, &str)]) -> Answer {
        self.get(&with_query("/tenders", query), None).await
    }

    /// `GET /tenders/{id}` (public once published).
    pub async fn tender(&self, id: &str) -> Answer {
        self.get(&format!("/tenders/{id}"), None).await
    }

    /// `POST /tenders`: a draft.
    pub async fn create(&self, buyer: &str, tender: &Value) -> Answer {
        self.post("/tenders", buyer, Some(tender)).await
    }

    /// `POST /tenders/{id}/publish`.
    pub async fn publish(&self, buyer: &str, id: &str) -> Answer {
        self.post(&format!("/tenders/{id}/publish"), buyer, None)
            .await
    }

    /// `POST /tenders/{id}/amendments` (`{"reason", "changes"}`).
    pub async fn amend(&self, buyer: &str, id: &str, amendment: &Value) -> Answer {
        self.post(&format!("/tenders/{id}/amendments"), buyer, Some(amendment))
            .await
    }

    /// `POST /tenders/{id}/cancel`.
    pub async fn cancel(&self, buyer: &str, id: &str, reason: &str) -> Answer {
        self.post(
            &format!("/tenders/{id}/cancel"),
            buyer,
            Some(&json!({"reason": reason})),
        )
        .await
    }

    /// `PUT /suppliers/me`: registration.
    pub async fn register_supplier(&self, supplier: &str, registration: &Value) -> Answer {
        call(
            self.0,
            Method::PUT,
            "/procurement/v1/suppliers/me",
            Some(supplier),
            Some(registration),
        )
        .await
    }

    /// `POST /suppliers/me/eligibility` (a tax clearance through the exchange).
    pub async fn fetch_eligibility(&self, supplier: &str, body: &Value) -> Answer {
        self.post("/suppliers/me/eligibility", supplier, Some(body))
            .await
    }

    /// `POST /tenders/{id}/questions`.
    pub async fn ask(&self, supplier: &str, id: &str, question: &str) -> Answer {
        self.post(
            &format!("/tenders/{id}/questions"),
            supplier,
            Some(&json!({"question": question})),
        )
        .await
    }

    /// `POST /tenders/{id}/bids` (a sealed bid).
    pub async fn bid(&self, supplier: &str, id: &str, bid: &Value) -> Answer {
        self.post(&format!("/tenders/{id}/bids"), supplier, Some(bid))
            .await
    }

    /// `GET /tenders/{id}/bids/mine`.
    pub async fn my_bids(&self, supplier: &str, id: &str) -> Answer {
        self.get(&format!("/tenders/{id}/bids/mine"), Some(supplier))
            .await
    }

    /// `PUT /committee/key`.
    pub async fn register_committee_key(&self, member: &str, public_key: &str) -> Answer {
        call(
            self.0,
            Method::PUT,
            "/procurement/v1/committee/key",
            Some(member),
            Some(&json!({"public_key": public_key})),
        )
        .await
    }

    /// `GET /tenders/{id}/share`: the member's sealed key share.
    pub async fn share(&self, member: &str, id: &str) -> Answer {
        self.get(&format!("/tenders/{id}/share"), Some(member))
            .await
    }

    /// `POST /tenders/{id}/shares`: a member hands in their share.
    pub async fn hand_in_share(&self, member: &str, id: &str, share: &str) -> Answer {
        self.post(
            &format!("/tenders/{id}/shares"),
            member,
            Some(&json!({"share": share})),
        )
        .await
    }

    /// `POST /tenders/{id}/open`.
    pub async fn open(&self, buyer: &str, id: &str) -> Answer {
        self.post(&format!("/tenders/{id}/open"), buyer, None).await
    }

    /// `POST /tenders/{id}/rank`.
    pub async fn rank(&self, buyer: &str, id: &str) -> Answer {
        self.post(&format!("/tenders/{id}/rank"), buyer, None).await
    }

    /// `POST /tenders/{id}/award`.
    pub async fn award(&self, buyer: &str, id: &str) -> Answer {
        self.post(&format!("/tenders/{id}/award"), buyer, None)
            .await
    }

    /// `POST /tenders/{id}/complaints` (`against`: `terms` or `award`).
    pub async fn complain(&self, supplier: &str, id: &str, against: &str, text: &str) -> Answer {
        self.post(
            &format!("/tenders/{id}/complaints"),
            supplier,
            Some(&json!({"against": against, "text": text})),
        )
        .await
    }

    /// `GET /complaints` (the review body's pending complaints).
    pub async fn complaints(&self, reviewer: &str) -> Answer {
        self.get("/complaints", Some(reviewer)).await
    }

    /// `POST /complaints/{id}/decision`.
    pub async fn decide_complaint(&self, reviewer: &str, id: &str, decision: &Value) -> Answer {
        self.post(
            &format!("/complaints/{id}/decision"),
            reviewer,
            Some(decision),
        )
        .await
    }

    /// `POST /contracts/{id}/sign`.
    pub async fn sign_contract(&self, party: &str, id: &str) -> Answer {
        self.post(&format!("/contracts/{id}/sign"), party, None)
            .await
    }

    /// `GET /ocds/releases/{ocid}` (public).
    pub async fn releases(&self, ocid: &str) -> Answer {
        self.get(&format!("/ocds/releases/{ocid}"), None).await
    }
}

/// A supplier ready for the eligibility check where modules run apart: procurement granted
/// the tax clearance (by the platform admin of `tax`'s process), the business `business_id`
/// registered with `procurement` and its consent given there. Returns (token, consent id).
pub async fn supplier_with_consent(
    tax: &TestApp,
    procurement: &TestApp,
    business_id: &str,
) -> (String, String) {
    let member = tax
        .state
        .exchange
        .as_ref()
        .expect("exchange")
        .member()
        .to_string();
    let client = format!("{member}/procurement");
    let service = format!("{member}/tax/tax-clearance");
    let items = json!(["business_id", "arrears", "as_of", "valid_until"]);
    let (s, g) = tax
        .send(
            Method::POST,
            "/exchange/v1/admin/grants",
            Some(&tax.platform_admin()),
            Some(&json!({"client": client, "service": service,
                         "purpose": "procurement.eligibility", "items": items})),
        )
        .await;
    assert_eq!(s, 201, "{g}");
    let token = tax.business(business_id);
    let (s, v) = procurement
        .send(
            Method::PUT,
            "/procurement/v1/suppliers/me",
            Some(&token),
            Some(
                &json!({"name": format!("Supplier {business_id}"), "categories": ["goods"],
                         "licences": [], "representatives": [{"name": "Rep", "role": "CEO"}]}),
            ),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, c) = procurement
        .send(
            Method::POST,
            "/exchange/v1/me/consents",
            Some(&token),
            Some(&json!({"client": client, "service": service,
                         "purpose": "procurement.eligibility", "items": items, "days": 30})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    (token, c["id"].as_str().expect("consent").to_owned())
}
