//! A browser for page tests over HTTP: keeps cookies (one host), follows nothing on its own,
//! and signs in through the real pages (the provider's login page, the code flow, the
//! callback) as a person would.

use std::collections::BTreeMap;

use reqwest::StatusCode;

use crate::TestApp;

/// The words of a page as a person reads them: tags dropped, white space collapsed.
pub fn text(html: &str) -> String {
    let mut out = String::new();
    let mut tag = false;
    for c in html.chars() {
        match c {
            '<' => tag = true,
            '>' => {
                tag = false;
                out.push(' ');
            }
            c if !tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One browser's cookies and the app it talks to.
#[derive(Debug)]
pub struct Browser<'a> {
    pub app: &'a TestApp,
    cookies: BTreeMap<String, String>,
    /// `Accept-Language`, when set.
    pub language: Option<String>,
}

/// An answer: status, `Location`, body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    /// The error summary's links (`#field` anchors), in order; none when there is no summary.
    pub fn error_links(&self) -> Vec<String> {
        self.body
            .split("class=\"egov-error-summary\"")
            .nth(1)
            .and_then(|s| s.split("</ul>").next())
            .map(|s| {
                s.split("href=\"")
                    .skip(1)
                    .filter_map(|h| h.split('"').next())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The value of the first `name="<field>" value="…"` in the body (hidden form fields).
    pub fn field(&self, field: &str) -> Option<String> {
        let needle = format!(r#"name="{field}" value=""#);
        let start = self.body.find(&needle)? + needle.len();
        let end = self.body[start..].find('"')?;
        Some(self.body[start..start + end].replace("&#x2f;", "/"))
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
            language: None,
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    /// Another browser tab of the same person on `app` (another process of the deployment,
    /// say): the same cookies.
    pub fn tab<'b>(&self, app: &'b TestApp) -> Browser<'b> {
        Browser {
            app,
            cookies: self.cookies.clone(),
            language: self.language.clone(),
        }
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }

    fn url(&self, target: &str) -> String {
        if target.starts_with("http") {
            target.to_owned()
        } else {
            self.app.url(target)
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Answer {
        let mut req = req;
        if !self.cookies.is_empty() {
            let header = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req = req.header("cookie", header);
        }
        if let Some(l) = &self.language {
            req = req.header("accept-language", l);
        }
        let res = req.send().await.expect("request");
        for v in res.headers().get_all("set-cookie") {
            let v = v.to_str().expect("cookie");
            let pair = v.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let removed = value.is_empty() || v.to_ascii_lowercase().contains("max-age=0");
            if removed {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
        Answer {
            status: res.status(),
            location: res
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(str::to_owned),
            headers: res.headers().clone(),
            body: res.text().await.expect("body"),
        }
    }

    pub async fn get(&mut self, target: &str) -> Answer {
        let req = self.app.client.get(self.url(target));
        self.send(req).await
    }

    pub async fn post(&mut self, target: &str, form: &[(&str, &str)]) -> Answer {
        let req = self.app.client.post(self.url(target)).form(form);
        self.send(req).await
    }

    /// POSTs a `multipart/form-data` form as a browser does: `fields` in order, then the file
    /// input `file` with `filename` and `content`.
    pub async fn post_file(
        &mut self,
        target: &str,
        fields: &[(&str, &str)],
        filename: &str,
        content: &[u8],
    ) -> Answer {
        self.post_multipart(target, fields, Some(("file", filename, content)))
            .await
    }

    /// POSTs a `multipart/form-data` form: `fields` in order, then the file input
    /// `(name, filename, content)` when given.
    pub async fn post_multipart(
        &mut self,
        target: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Answer {
        let boundary = format!("----egovtest{}", uuid::Uuid::new_v4().simple());
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((name, filename, content)) = file {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = self
            .app
            .client
            .post(self.url(target))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(req).await
    }

    /// GETs `target` and follows redirects (at most 10); the last answer.
    pub async fn follow(&mut self, target: &str) -> Answer {
        let mut a = self.get(target).await;
        for _ in 0..10 {
            match (&a.status, &a.location) {
                (s, Some(l)) if s.is_redirection() => {
                    let l = l.clone();
                    a = self.get(&l).await;
                }
                _ => break,
            }
        }
        a
    }

    /// Opens `path` (a signed-in page), signs in on the provider's page with `username` and
    /// `password` (and `code`, when the account has a second factor) and returns the page.
    pub async fn sign_in(
        &mut self,
        path: &str,
        username: &str,
        password: &str,
        code: Option<&str>,
    ) -> Answer {
        let back = self.log_in(path, username, password, code).await;
        assert_eq!(
            back.status,
            StatusCode::SEE_OTHER,
            "the callback: {}",
            back.body
        );
        let l = back.location.clone().expect("back to the page");
        self.follow(&l).await
    }

    /// A browser in English signed in at `path` as `username`, who first enrols a second
    /// factor (the policies of officers' and businesses' pages ask for one); `path`'s page.
    pub async fn with_second_factor(
        app: &'a TestApp,
        path: &str,
        username: &str,
        password: &str,
    ) -> (Self, Answer) {
        let token = app.password_login(username, password).await;
        let (secret, _) = crate::mfa::enrol_totp(app, &token).await;
        let mut b = Self::new(app);
        b.language = Some("en".into());
        let page = b
            .sign_in(
                path,
                username,
                password,
                Some(&crate::mfa::totp(&secret, 0)),
            )
            .await;
        (b, page)
    }

    /// Like [`Browser::sign_in`], but stops at the pages' callback's answer (the redirect back
    /// to the page asked for, or a refusal).
    pub async fn log_in(
        &mut self,
        path: &str,
        username: &str,
        password: &str,
        code: Option<&str>,
    ) -> Answer {
        let login = self.follow(path).await;
        assert_eq!(
            login.status,
            StatusCode::OK,
            "the login page: {}",
            login.body
        );
        let handle = login.field("handle").expect("handle");
        let csrf = login.field("csrf").expect("csrf");
        let mut a = self
            .post(
                "/auth/authorize",
                &[
                    ("handle", &handle),
                    ("csrf", &csrf),
                    ("username", username),
                    ("password", password),
                ],
            )
            .await;
        if let Some(code) = code {
            assert_eq!(
                a.status,
                StatusCode::OK,
                "the second-factor step: {}",
                a.body
            );
            let handle = a.field("handle").expect("handle");
            let csrf = a.field("csrf").expect("csrf");
            a = self
                .post(
                    "/auth/authorize",
                    &[("handle", &handle), ("csrf", &csrf), ("code", code)],
                )
                .await;
        }
        assert_eq!(a.status, StatusCode::SEE_OTHER, "signed in: {}", a.body);
        let l = a.location.clone().expect("to the callback");
        self.get(&l).await
    }
}
