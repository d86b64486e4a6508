//! Who calls: tokens for the principals the tests act as, so that no test file declares its
//! own role helpers, and what the access log holds about a person.

use crate::{As, TestApp};

impl TestApp {
    /// A citizen with a national ID (the token carries the person key).
    pub fn citizen(&self, nid: &str) -> String {
        let key = self.person_key(nid);
        self.token(As {
            kind: "citizen",
            pid: Some(&key),
            ..As::default()
        })
    }

    /// A business account (`bid`: the registration number, digits only).
    pub fn business(&self, bid: &str) -> String {
        self.token(As {
            kind: "business",
            bid: Some(bid),
            ..As::default()
        })
    }

    /// An officer of `agency` with `roles` (a fresh account id).
    pub fn officer(&self, roles: &[&str], agency: &str) -> String {
        self.token(As {
            kind: "officer",
            roles,
            agency: Some(agency),
            ..As::default()
        })
    }

    /// An officer with a known account id (for work given to that person).
    pub fn officer_named(&self, sub: &str, roles: &[&str], agency: &str) -> String {
        self.token(As {
            kind: "officer",
            roles,
            agency: Some(agency),
            sub: Some(sub),
            ..As::default()
        })
    }

    /// The administrator of one agency.
    pub fn agency_admin(&self, agency: &str) -> String {
        self.token(As {
            kind: "agency_admin",
            agency: Some(agency),
            sub: Some("admin"),
            ..As::default()
        })
    }

    /// The platform's administrator.
    pub fn platform_admin(&self) -> String {
        self.token(As {
            kind: "platform_admin",
            ..As::default()
        })
    }

    /// An auditor.
    pub fn auditor(&self) -> String {
        self.token(As {
            kind: "auditor",
            ..As::default()
        })
    }

    /// The purposes recorded in the access log about the person with national ID `nid`,
    /// newest first (at most 100).
    pub async fn logged_about(&self, nid: &str) -> Vec<String> {
        let key = egov_auth::SubjectKey::from_stored(self.person_key(nid));
        self.state
            .db
            .run(move |c| egov_auth::store::for_subject(c, &key, None, 100))
            .await
            .expect("access log")
            .into_iter()
            .map(|r| r.entry.purpose)
            .collect()
    }
}
