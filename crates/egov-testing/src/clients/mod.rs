//! Typed clients of each module's API: one method per operation, named as the operation is,
//! taking the path's parts and the body and answering the status and the JSON body (errors
//! are checked to be `application/problem+json` by [`TestApp::send_with`]).

pub mod docflow;
pub mod petition;
pub mod procurement;
pub mod tax;

use reqwest::Method;
use serde_json::Value;

use crate::TestApp;

/// A status and a JSON body.
pub type Answer = (u16, Value);

/// The request every client method makes.
pub(crate) async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Answer {
    app.send(method, path, token, body).await
}

/// `path` with the query string of `query` when there is one.
pub(crate) fn with_query(path: &str, query: &[(&str, &str)]) -> String {
    if query.is_empty() {
        return path.to_owned();
    }
    let q = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    format!("{path}?{q}")
}
