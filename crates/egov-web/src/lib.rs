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

pub mod assets;
pub mod check;
pub mod format;
pub mod i18n;
pub mod page;

use std::sync::Arc;

pub use i18n::Messages;
pub use page::{Page, PageError};

/// The web layer of one process.
#[derive(Clone, Debug)]
pub struct Web(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    messages: Messages,
    packs: Arc<egov_core::CountryPacks>,
    links: Vec<(&'static str, &'static str)>,
}

impl Web {
    /// The layout's messages, the modules' (`(language, FTL)` pairs) and the pack's overrides
    /// (`<pack>/messages/<language>.ftl`, optional), in each language of the pack.
    pub fn new(
        packs: Arc<egov_core::CountryPacks>,
        pack_dir: &std::path::Path,
        modules: &[(&'static str, &'static str)],
        links: Vec<(&'static str, &'static str)>,
    ) -> anyhow::Result<Self> {
        let messages = Messages::load(packs.active(), pack_dir, modules)?;
        Ok(Self(Arc::new(Inner {
            messages,
            packs,
            links,
        })))
    }

    /// The public pages the modules of this process offer on the home page: path and the
    /// message id of the link's text.
    pub fn portal_links(&self) -> &[(&'static str, &'static str)] {
        &self.0.links
    }

    pub fn messages(&self) -> &Messages {
        &self.0.messages
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

/// The routes of the web layer itself: the embedded assets.
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(assets::serve);
}
