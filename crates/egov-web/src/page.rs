//! A page: the extractor a page handler takes (the web layer and the request's language) and
//! the layout its content is rendered into.

use std::future::{Ready, ready};

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use askama::Template;

use crate::{Web, assets, format, i18n};

/// The cookie that keeps the language a person picked.
pub const LANG_COOKIE: &str = "egov_lang";

/// Pages: their own resources only; no inline script or style anywhere; no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// One page request: the web layer and the language it is answered in.
#[derive(Debug, Clone)]
pub struct Page {
    web: Web,
    lang: String,
    path: String,
    /// The query without `lang`, for the language links.
    query: Vec<(String, String)>,
    /// The person picked `lang` with a link now: keep it in the cookie.
    picked: bool,
    secure: bool,
    /// The path and query, to come back to after signing in.
    here: String,
    /// The browser has a page-session cookie (not checked: public pages read no session).
    has_session: bool,
    /// Signed in: the account's name and the sign-out form's token.
    account: Option<(String, String)>,
}

/// A rendered page: its status, HTML and language (and the language cookie to set).
#[derive(Debug, Clone)]
pub struct Rendered {
    status: StatusCode,
    html: String,
    lang: String,
    cookie: Option<Cookie<'static>>,
    /// Other cookies the answer sets or clears.
    cookies: Vec<Cookie<'static>>,
    /// The Content-Security-Policy (the deployment's: [`crate::Web::csp`]).
    csp: String,
}

impl Rendered {
    /// The answer also sets (or, with a removal cookie, clears) `c`.
    pub fn remove_cookie(&mut self, c: Cookie<'static>) {
        self.cookies.push(c);
    }

    /// The answer, with the headers every page carries.
    pub fn response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.content_type("text/html; charset=utf-8")
            .insert_header((header::CONTENT_SECURITY_POLICY, self.csp.clone()))
            .insert_header((header::CONTENT_LANGUAGE, self.lang.clone()))
            .insert_header((header::VARY, "Accept-Language, Cookie"))
            .insert_header((header::CACHE_CONTROL, "no-store"));
        if let Some(c) = &self.cookie {
            res.cookie(c.clone());
        }
        for c in &self.cookies {
            res.cookie(c.clone());
        }
        res.body(self.html.clone())
    }
}

/// A page that could not be shown as asked: the error page to answer with instead.
#[derive(Debug)]
pub struct PageError(pub Box<Rendered>);

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "page error {}", self.0.status)
    }
}

impl actix_web::ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        self.0.response()
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message<'a> {
    title: &'a str,
    text: &'a str,
    home: &'a str,
}

impl FromRequest for Page {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::of(req).ok_or_else(|| {
            actix_web::error::ErrorInternalServerError("the web layer is not configured")
        }))
    }
}

#[derive(Debug)]
struct LanguageLink {
    code: String,
    name: String,
    href: String,
    current: bool,
}

/// The header's account links.
#[derive(Debug)]
struct AccountBar {
    label: String,
    /// Signed in: name and the sign-out form's token.
    signed_in: Option<(String, String)>,
    /// The browser holds a session cookie (public pages do not read the session).
    has_session: bool,
    my_page: String,
    sign_in: String,
    sign_in_href: String,
    sign_out: String,
    register: String,
}

#[derive(Template)]
#[template(path = "layout.html")]
struct Layout<'a> {
    account: Option<AccountBar>,
    lang: &'a str,
    title: &'a str,
    portal: String,
    krds_css: String,
    egov_css: String,
    brand_css: Option<String>,
    logo: Option<String>,
    /// Where people get help: (label, text, link).
    contact: Vec<(String, String, String)>,
    skip: String,
    banner: String,
    language_label: String,
    languages: Vec<LanguageLink>,
    breadcrumb_label: String,
    home: String,
    breadcrumbs: &'a [(String, String)],
    main: &'a str,
    footer_about: String,
}

impl Page {
    /// The page of a request (`None` when the process serves no pages).
    pub fn of(req: &HttpRequest) -> Option<Self> {
        let web = req.app_data::<web::Data<Web>>()?.get_ref().clone();
        let m = web.messages();
        let query: Vec<(String, String)> =
            web::Query::<Vec<(String, String)>>::from_query(req.query_string())
                .map(web::Query::into_inner)
                .unwrap_or_default();
        let asked = query
            .iter()
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.clone())
            .filter(|l| m.supports(l));
        let cookie = req
            .cookie(LANG_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|l| m.supports(l));
        let accept = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(|a| m.negotiate(a));
        let picked = asked.is_some() && asked != cookie;
        let has_session = web
            .sign_in()
            .is_some_and(|s| req.cookie(s.session_cookie()).is_some());
        let lang = asked
            .or(cookie)
            .or(accept)
            .unwrap_or_else(|| m.default_language().to_owned());
        Some(Self {
            secure: req.connection_info().scheme() == "https",
            here: req
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned(),
            has_session,
            account: None,
            path: req.path().to_owned(),
            query: query.into_iter().filter(|(k, _)| k != "lang").collect(),
            web,
            lang,
            picked,
        })
    }

    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// This page for a signed-in account: its header shows the name and a sign-out button.
    pub fn signed_in(&self, name: &str, csrf: &str) -> Self {
        let mut p = self.clone();
        p.account = Some((name.to_owned(), csrf.to_owned()));
        p.has_session = true;
        p
    }

    /// The footer's contact lines from the pack's `[branding.contact]`.
    fn contact(&self) -> Vec<(String, String, String)> {
        let b = &self.web.pack().branding;
        let mut out = Vec::new();
        if let Some(p) = &b.phone {
            let tel: String = p
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            out.push((self.t("footer-phone"), p.clone(), format!("tel:{tel}")));
        }
        if let Some(e) = &b.email {
            out.push((self.t("footer-email"), e.clone(), format!("mailto:{e}")));
        }
        if let Some(u) = &b.url {
            out.push((self.t("footer-web"), u.clone(), u.clone()));
        }
        out
    }

    fn account_bar(&self) -> Option<AccountBar> {
        self.web.sign_in()?;
        Some(AccountBar {
            label: self.t("account-menu"),
            signed_in: self.account.clone(),
            has_session: self.has_session,
            my_page: self.t("my-page"),
            sign_in: self.t("sign-in"),
            sign_in_href: crate::session::signin_href(
                if self.path == "/" { "/my" } else { &self.here },
                false,
            ),
            sign_out: self.t("sign-out"),
            register: self.t("register-title"),
        })
    }

    pub fn web(&self) -> &Web {
        &self.web
    }

    /// Message `id` in the page's language.
    /// The title of a problem's code in the page's language (the API's `problem-<code>`
    /// message; the pack's default language where the page's has none; English last).
    pub fn problem_title(&self, e: &egov_core::Error) -> String {
        let code = e.code();
        if self.lang == "en" {
            return code.title.to_owned();
        }
        let m = self.web.messages();
        let id = egov_core::error::title_id(code.code);
        m.find_exact(&self.lang, &id)
            .or_else(|| {
                let default = m.default_language();
                (default != "en")
                    .then(|| m.find_exact(default, &id))
                    .flatten()
            })
            .unwrap_or_else(|| code.title.to_owned())
    }

    pub fn t(&self, id: &str) -> String {
        self.web.messages().get(&self.lang, id, None)
    }

    /// Message `id` with arguments.
    pub fn t_with(&self, id: &str, args: &[(&str, String)]) -> String {
        let a = i18n::args(args);
        self.web.messages().get(&self.lang, id, Some(&a))
    }

    /// A pack text given per language (names, descriptions): the page's language, the pack's
    /// default, then any.
    pub fn pick<'m>(&self, texts: &'m std::collections::BTreeMap<String, String>) -> &'m str {
        texts
            .get(&self.lang)
            .or_else(|| texts.get(self.web.messages().default_language()))
            .or_else(|| texts.values().next())
            .map_or("", String::as_str)
    }

    /// An amount in the pack's currency.
    pub fn money(&self, value: rust_decimal::Decimal) -> String {
        format::money(&self.lang, self.web.pack(), value)
    }

    /// A number as typed by a person of the page's language ([`format::parse_number`]).
    pub fn parse_number(&self, text: &str) -> Option<rust_decimal::Decimal> {
        format::parse_number(&self.lang, text)
    }

    /// A number grouped as the page's language writes it, without decimals.
    pub fn count(&self, value: rust_decimal::Decimal) -> String {
        format::number(&self.lang, value, 0)
    }

    pub fn date(&self, d: chrono::NaiveDate) -> String {
        format::date(&self.lang, d)
    }

    /// The date, in the pack's time zone, of a moment kept in UTC.
    pub fn local_date(&self, at: chrono::NaiveDateTime) -> String {
        self.date(
            at.and_utc()
                .with_timezone(&self.web.pack().time_zone)
                .date_naive(),
        )
    }

    /// The date and time (hours and minutes), in the pack's time zone, of a moment kept in
    /// UTC.
    pub fn local_time(&self, at: chrono::NaiveDateTime) -> String {
        let local = at.and_utc().with_timezone(&self.web.pack().time_zone);
        format!(
            "{} {}",
            self.date(local.date_naive()),
            local.format("%H:%M")
        )
    }

    /// A moment typed in a form as the pack's local date and time (`2026-12-07T09:00`, what a
    /// `datetime-local` input sends; a space instead of `T` and seconds are taken too), in UTC.
    /// `None` when it is not such a time, or does not exist in the zone (a gap).
    pub fn instant_of_local(&self, typed: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        let typed = typed.trim().replace(' ', "T");
        let naive = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
            .iter()
            .find_map(|f| chrono::NaiveDateTime::parse_from_str(&typed, f).ok())?;
        naive
            .and_local_timezone(self.web.pack().time_zone)
            .earliest()
            .map(|t| t.with_timezone(&chrono::Utc))
    }

    /// A moment kept in UTC as a `datetime-local` input's value in the pack's zone.
    pub fn local_input(&self, at: chrono::NaiveDateTime) -> String {
        at.and_utc()
            .with_timezone(&self.web.pack().time_zone)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    }

    /// A use case's text (a refusal's detail, a field's error) in the page's language, or its
    /// English where there is no translation.
    pub fn text(&self, text: &egov_core::error::Text) -> String {
        text.in_language(self.web.messages(), &self.lang)
    }

    /// The portal's name in the page's language.
    pub fn portal(&self) -> String {
        self.t_with(
            "portal-name",
            &[("country", self.web.pack().name(&self.lang).to_owned())],
        )
    }

    fn language_links(&self) -> Vec<LanguageLink> {
        self.web
            .messages()
            .languages()
            .iter()
            .map(|(code, name)| {
                let mut q = self.query.clone();
                q.push(("lang".into(), code.clone()));
                let qs = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(q)
                    .finish();
                LanguageLink {
                    code: code.clone(),
                    name: name.clone(),
                    href: format!("{}?{qs}", self.path),
                    current: *code == self.lang,
                }
            })
            .collect()
    }

    /// `main` (HTML the module's template made) inside the layout, with `status`.
    pub fn rendered(
        &self,
        status: StatusCode,
        title: &str,
        breadcrumbs: &[(String, String)],
        main: &str,
    ) -> Rendered {
        let country = self.web.pack().name(&self.lang).to_owned();
        let portal = self.portal();
        let layout = Layout {
            account: self.account_bar(),
            lang: &self.lang,
            title,
            krds_css: assets::url("krds/krds.css"),
            egov_css: assets::url("egov.css"),
            brand_css: self.web.brand().css.as_ref().map(crate::brand::File::url),
            logo: self.web.brand().logo.as_ref().map(crate::brand::File::url),
            contact: self.contact(),
            skip: self.t("skip-to-content"),
            banner: self.t_with("official-banner", &[("country", country)]),
            language_label: self.t("language-switcher"),
            languages: self.language_links(),
            breadcrumb_label: self.t("breadcrumb"),
            home: self.t("home"),
            breadcrumbs,
            main,
            footer_about: self.t_with("footer-about", &[("portal", portal.clone())]),
            portal,
        };
        let (status, html) = match layout.render() {
            Ok(h) => (status, h),
            Err(e) => {
                tracing::error!(error = %e, "layout failed to render");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "<!doctype html><title>Error</title><p>The page could not be shown.</p>".into(),
                )
            }
        };
        let cookie = self.picked.then(|| {
            let mut c = Cookie::new(LANG_COOKIE, self.lang.clone());
            c.set_path("/");
            c.set_same_site(SameSite::Lax);
            c.set_http_only(true);
            c.set_secure(self.secure);
            c.set_max_age(actix_web::cookie::time::Duration::days(365));
            c
        });
        Rendered {
            status,
            html,
            lang: self.lang.clone(),
            cookie,
            cookies: Vec::new(),
            csp: self.web.csp().to_owned(),
        }
    }

    /// `main` inside the layout, `200 OK`.
    pub fn render(
        &self,
        title: &str,
        breadcrumbs: &[(String, String)],
        main: &str,
    ) -> HttpResponse {
        self.rendered(StatusCode::OK, title, breadcrumbs, main)
            .response()
    }

    /// `main` inside the layout with `status`; a page that answers a mistake (not 2xx) says so
    /// first in its title ("Error: …"), so a screen reader hears it before anything else.
    pub fn answer(
        &self,
        status: StatusCode,
        title: &str,
        breadcrumbs: &[(String, String)],
        main: &str,
    ) -> HttpResponse {
        let title = if status.is_success() {
            title.to_owned()
        } else {
            self.t_with("title-with-errors", &[("title", title.to_owned())])
        };
        self.rendered(status, &title, breadcrumbs, main).response()
    }

    /// A page with a title and a paragraph, as an error answer.
    pub fn message(&self, status: StatusCode, title: &str, text: &str) -> PageError {
        let home = self.t("back-home");
        let main = Message {
            title,
            text,
            home: &home,
        }
        .render()
        .unwrap_or_default();
        PageError(Box::new(self.rendered(status, title, &[], &main)))
    }

    /// The "page not found" page.
    pub fn not_found(&self) -> PageError {
        self.message(
            StatusCode::NOT_FOUND,
            &self.t("error-not-found-title"),
            &self.t("error-not-found"),
        )
    }

    /// A form that could not be read (malformed, or fields the page does not have).
    pub fn bad_form(&self) -> PageError {
        self.message(
            StatusCode::BAD_REQUEST,
            &self.t("error-bad-request-title"),
            &self.t("error-bad-form"),
        )
    }

    /// A form whose token is not the session's: sent from elsewhere, or from a page older
    /// than the session.
    pub fn expired_form(&self) -> PageError {
        self.message(
            StatusCode::FORBIDDEN,
            &self.t("error-expired-form-title"),
            &self.t("error-expired-form"),
        )
    }

    /// Sign-in is not available in this process.
    pub fn unavailable(&self) -> PageError {
        self.message(
            StatusCode::SERVICE_UNAVAILABLE,
            &self.t("error-server-title"),
            &self.t("error-server"),
        )
    }

    /// The page for an error of the platform: its status, a title in the page's language.
    pub fn error(&self, e: &egov_core::Error) -> PageError {
        let status =
            StatusCode::from_u16(e.code().status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status == StatusCode::NOT_FOUND {
            return self.not_found();
        }
        if status.is_server_error() {
            return self.message(
                status,
                &self.t("error-server-title"),
                &self.t("error-server"),
            );
        }
        if status == StatusCode::FORBIDDEN {
            return self.message(
                status,
                &self.t("error-forbidden-title"),
                &self.t("error-forbidden"),
            );
        }
        self.message(
            status,
            &self.t("error-bad-request-title"),
            &self.problem_title(e),
        )
    }
}
