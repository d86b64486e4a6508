//! The shared web layer: what every module's pages (`web/` in each module crate) are built on.
//!
//! - [`Web`]: built once per process from the active country pack and the modules' message
//!   files; registered as app data for the pages.
//! - [`assets`]: the Korea design system (KRDS, vendored from npm `krds-uiux`, see
//!   `vendor/refresh-krds.py`) and egov's own stylesheet, embedded in the binary and served at
//!   content-hashed URLs, cached for a year.
//! - [`i18n`]: Fluent messages per language (the layout's, each module's, the pack's
//!   overrides), the language of a request (a `lang` link, the cookie it sets,
//!   `Accept-Language`, the pack's default) and the pack's formats for numbers, money and dates.
//! - [`page`]: the [`Page`] extractor a handler takes to render its content inside the layout,
//!   with the security headers pages need (a content-security policy without inline script or
//!   style, no framing, no caching of personal data).

pub mod admin;
pub mod assets;
pub mod audit;
pub mod brand;
pub mod check;
pub mod contact;
pub mod form;
pub mod format;
pub mod i18n;
pub mod invitation;
pub mod map;
pub mod my;
pub mod page;
pub mod platform;
pub mod privacy;
pub mod register;
pub mod representation;
pub mod security;
pub mod session;
pub mod signin;

use std::sync::Arc;

pub use form::{Sent, form_status};
pub use i18n::Messages;
pub use page::{Page, PageError};
pub use session::{CsrfForm, SignIn, SignedIn};

/// The `aria-describedby` of a form field `id`: its hint (`<id>-hint`) and its error
/// (`<id>-error`) when it has them, as the shared form markup names them.
pub fn described_by(id: &str, hint: bool, error: bool) -> String {
    match (hint, error) {
        (true, true) => format!("{id}-hint {id}-error"),
        (true, false) => format!("{id}-hint"),
        (false, true) => format!("{id}-error"),
        (false, false) => String::new(),
    }
}

/// `303 See Other` to `location`, not cached: where a page sends the browser after a form.
pub fn see_other(location: &str) -> actix_web::HttpResponse {
    actix_web::HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// A page's address with the query's parameters that have a value (in order, URL-encoded):
/// `link("/desk/documents", &[("list", Some("drafts")), ("after", None)])` is
/// `/desk/documents?list=drafts`.
pub fn link(path: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let set: Vec<(&str, &str)> = pairs
        .iter()
        .filter_map(|(k, v)| v.map(|v| (*k, v)))
        .collect();
    match serde_urlencoded::to_string(set) {
        Ok(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_owned(),
    }
}

/// The web layer's tables (its page sessions), one migration set per backend: run wherever a
/// module with pages runs.
pub const MIGRATIONS: egov_core::Migrations = egov_core::Migrations {
    postgres: || POSTGRES,
    sqlite: || SQLITE,
};
const POSTGRES: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations/postgres");
const SQLITE: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations/sqlite");

/// The web layer of one process.
#[derive(Clone, Debug)]
pub struct Web(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    messages: Arc<Messages>,
    packs: Arc<egov_core::CountryPacks>,
    links: Vec<(&'static str, &'static str)>,
    sections: Vec<egov_core::module::PortalSection>,
    my_links: Vec<(&'static str, &'static str)>,
    /// Officials' pages: path, message id, the role they need.
    work_links: Vec<(&'static str, &'static str, &'static str)>,
    /// The modules' roles and what each lets an official do (the admin console's choices).
    roles: Vec<(&'static str, &'static str)>,
    /// The settings in force, secrets hidden (the admin console's read-only view).
    settings: Vec<(String, String)>,
    sign_in: Option<SignIn>,
    brand: brand::Brand,
    /// The location page's map, when the deployment has a tile server.
    map: Option<map::Map>,
    /// The pages' Content-Security-Policy (with the tile server's origin for images).
    csp: String,
}

impl Web {
    /// The pages of a process, with its messages (the layout's, the modules' and the pack's
    /// overrides, loaded once by the server and shared with notices and problem titles).
    pub fn new(
        packs: Arc<egov_core::CountryPacks>,
        messages: Arc<Messages>,
        links: Vec<(&'static str, &'static str)>,
    ) -> anyhow::Result<Self> {
        let brand = brand::Brand::of(packs.active());
        Ok(Self(Arc::new(Inner {
            messages,
            brand,
            packs,
            links,
            sections: Vec::new(),
            my_links: Vec::new(),
            work_links: Vec::new(),
            roles: Vec::new(),
            settings: Vec::new(),
            sign_in: None,
            map: None,
            csp: page::CSP.to_owned(),
        })))
    }

    /// With the location page's map: its tiles' origin is added to the pages' `img-src`.
    pub fn with_map(mut self, map: Option<map::Map>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.csp = match &map {
                Some(m) => page::CSP.replace(
                    "img-src 'self' data:;",
                    &format!("img-src 'self' data: {};", m.origin),
                ),
                None => page::CSP.to_owned(),
            };
            inner.map = map;
        }
        self
    }

    /// The location page's map, when the deployment has a tile server.
    pub fn map(&self) -> Option<&map::Map> {
        self.0.map.as_ref()
    }

    /// The pages' Content-Security-Policy.
    pub fn csp(&self) -> &str {
        &self.0.csp
    }

    /// With sign-in (the pages' OpenID Connect client) and the signed-in pages of the modules
    /// that "My page" links to.
    pub fn with_sign_in(
        mut self,
        sign_in: SignIn,
        my_links: Vec<(&'static str, &'static str)>,
    ) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.sign_in = Some(sign_in);
            inner.my_links = my_links;
        }
        self
    }

    /// With the modules' other public pages, each a section of the home page.
    pub fn with_portal_sections(mut self, sections: Vec<egov_core::module::PortalSection>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.sections = sections;
        }
        self
    }

    /// With the officials' pages "My page" links to (path, message id, role needed), and the
    /// web layer's own: the admin console for administrators, the access log for auditors.
    pub fn with_work_links(
        mut self,
        links: Vec<(&'static str, &'static str, &'static str)>,
    ) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.work_links = links;
            inner.work_links.extend(admin::WORK_LINKS);
        }
        self
    }

    /// With the modules' roles (name, what it lets an official do).
    pub fn with_roles(mut self, roles: Vec<(&'static str, &'static str)>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.roles = roles;
        }
        self
    }

    /// With the settings in force, secrets already hidden (`Settings::in_force`).
    pub fn with_settings(mut self, settings: Vec<(String, String)>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.settings = settings;
        }
        self
    }

    /// The settings in force, secrets hidden.
    pub fn settings(&self) -> &[(String, String)] {
        &self.0.settings
    }

    /// The modules' roles (name, what it lets an official do).
    pub fn roles(&self) -> &[(&'static str, &'static str)] {
        &self.0.roles
    }

    /// The officials' pages `who` may open, as (path, message id): a link's role is one of
    /// theirs, or `kind:<kind>` names their kind of account (`kind:officer`).
    pub fn work_links_for(&self, who: &egov_auth::Principal) -> Vec<(&'static str, &'static str)> {
        let mut links: Vec<(&'static str, &'static str)> = Vec::new();
        for (path, id, role) in &self.0.work_links {
            let open = match role.strip_prefix("kind:") {
                Some(kind) => who.kind.as_str() == kind,
                None => who.roles.iter().any(|r| r == role),
            };
            if open && !links.iter().any(|(p, _)| p == path) {
                links.push((path, id));
            }
        }
        links
    }

    /// The pack's brand files (colours, logo).
    pub fn brand(&self) -> &brand::Brand {
        &self.0.brand
    }

    /// The pages' sign-in, when this process has it.
    pub fn sign_in(&self) -> Option<&SignIn> {
        self.0.sign_in.as_ref()
    }

    pub fn my_links(&self) -> &[(&'static str, &'static str)] {
        &self.0.my_links
    }

    /// The public pages the modules of this process offer on the home page: path and the
    /// message id of the link's text.
    pub fn portal_links(&self) -> &[(&'static str, &'static str)] {
        &self.0.links
    }

    /// The other public pages, each a section of the home page.
    pub fn portal_sections(&self) -> &[egov_core::module::PortalSection] {
        &self.0.sections
    }

    pub fn messages(&self) -> &Messages {
        &self.0.messages
    }

    /// The portal's name in the pack's default language (the name the sign-in page shows).
    pub fn portal_name(&self) -> String {
        let lang = self.messages().default_language().to_owned();
        let args = i18n::args(&[("country", self.pack().name(&lang).to_owned())]);
        self.messages().get(&lang, "portal-name", Some(&args))
    }

    /// The active country pack.
    pub fn pack(&self) -> &egov_core::CountryPack {
        self.0.packs.active()
    }
}

/// A module's page messages, `(language, Fluent source)` for each of `languages`, from the
/// crate's `src/web/messages/<language>.ftl`.
#[macro_export]
macro_rules! messages {
    ($($lang:literal),+ $(,)?) => {
        &[$(($lang, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/messages/", $lang, ".ftl")))),+]
    };
}

/// The names of the officials `ids` from common auth's directory when it runs in this process
/// (none otherwise: pages then show the ids).
pub async fn names(
    directory: Option<&egov_auth::Service>,
    ids: Vec<String>,
) -> std::collections::HashMap<String, String> {
    match directory {
        Some(d) => d.names(ids).await.unwrap_or_default(),
        None => Default::default(),
    }
}

/// The routes of the web layer itself: the embedded assets, sign-in and sign-out, "My page".
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(assets::serve)
        .service(brand::serve)
        .service(signin::start)
        .service(signin::callback)
        .service(signin::sign_out)
        .service(my::my_page)
        .service(privacy::privacy)
        .service(representation::person_page)
        .service(representation::answer)
        .service(representation::stop)
        .service(representation::representatives)
        .service(representation::ask)
        .service(representation::withdraw)
        .service(representation::remove)
        .service(security::security)
        .service(security::enrol)
        .service(security::confirm)
        .service(security::end_session)
        .service(contact::contact)
        .service(contact::save_contact)
        .service(register::register_page)
        .service(register::register)
        .service(invitation::invitation)
        .service(invitation::accept)
        .service(admin::officials)
        .service(admin::invite_form)
        .service(admin::invite)
        .service(admin::official)
        .service(admin::act)
        .service(platform::platform)
        .service(platform::act)
        .service(platform::settings)
        .service(audit::access_log)
        .service(audit::search);
}

#[cfg(test)]
mod link_tests {
    use super::link;

    #[test]
    fn a_link_keeps_the_parameters_that_have_a_value() {
        assert_eq!(link("/a", &[("x", None)]), "/a");
        assert_eq!(
            link("/a", &[("x", Some("1 & 2")), ("y", None), ("z", Some("é"))]),
            "/a?x=1+%26+2&z=%C3%A9"
        );
    }
}
