//! Embedded static files: the vendored KRDS stylesheet, fonts and icons, the vendored Leaflet
//! (the location page's map), and egov's own stylesheet and scripts. Each is served at `/assets/{hash}/{path}` (the first 12 hex digits of its
//! SHA-256), so a page names the exact bytes it was written for and browsers keep them for a
//! year (`immutable`); a changed file gets a new URL.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use sha2::{Digest, Sha256};

macro_rules! embed {
    ($($path:literal => $ty:literal),* $(,)?) => {
        &[$(($path, $ty, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/", $path)) as &[u8])),*]
    };
}

/// Every embedded file: path under `assets/`, content type, bytes.
const FILES: &[(&str, &str, &[u8])] = embed![
    "krds/krds.css" => "text/css; charset=utf-8",
    "krds/fonts/PretendardGOV-Regular.subset.woff2" => "font/woff2",
    "krds/fonts/PretendardGOV-Medium.subset.woff2" => "font/woff2",
    "krds/fonts/PretendardGOV-Bold.subset.woff2" => "font/woff2",
    "krds/LICENSE" => "text/plain; charset=utf-8",
    "egov.css" => "text/css; charset=utf-8",
    "egov-locate.js" => "text/javascript; charset=utf-8",
    "egov-map.js" => "text/javascript; charset=utf-8",
    "egov-upload.js" => "text/javascript; charset=utf-8",
    "egov-bid.js" => "text/javascript; charset=utf-8",
    "egov-draw.js" => "text/javascript; charset=utf-8",
    "leaflet/leaflet.js" => "text/javascript; charset=utf-8",
    "leaflet/leaflet.css" => "text/css; charset=utf-8",
    "leaflet/images/marker-icon.png" => "image/png",
    "leaflet/images/marker-icon-2x.png" => "image/png",
    "leaflet/images/marker-shadow.png" => "image/png",
    "leaflet/LICENSE" => "text/plain; charset=utf-8",
];

/// The icons the KRDS stylesheet refers to (`krds/icons/*.svg`), embedded by the build script.
const ICONS: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/icons.rs"));

struct Asset {
    content_type: &'static str,
    bytes: &'static [u8],
    hash: String,
}

fn table() -> &'static HashMap<String, Asset> {
    static TABLE: OnceLock<HashMap<String, Asset>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = HashMap::new();
        let files = FILES.iter().map(|(p, ty, b)| ((*p).to_owned(), *ty, *b));
        let icons = ICONS
            .iter()
            .map(|(name, b)| (format!("krds/icons/{name}"), "image/svg+xml", *b));
        for (path, content_type, bytes) in files.chain(icons) {
            let hash = hex::encode(&Sha256::digest(bytes)[..6]);
            t.insert(
                path,
                Asset {
                    content_type,
                    bytes,
                    hash,
                },
            );
        }
        t
    })
}

/// The URL of an embedded file (`krds/krds.css` → `/assets/3f2a…/krds/krds.css`).
///
/// # Panics
/// On a path that is not embedded: a page naming a missing asset is a bug caught by the
/// first render in the tests.
pub fn url(path: &str) -> String {
    let a = table()
        .get(path)
        .unwrap_or_else(|| panic!("no embedded asset {path}"));
    format!("/assets/{}/{path}", a.hash)
}

/// Bytes served for a file (for the page-weight figures).
pub fn size(path: &str) -> Option<usize> {
    table().get(path).map(|a| a.bytes.len())
}

/// An embedded file. Relative URLs inside the stylesheets (`fonts/…`, `icons/…`) resolve under
/// the stylesheet's own hash; any hash serves a file that exists (and is cached only when it
/// is the file's own).
#[get("/assets/{hash}/{path:.*}")]
pub async fn serve(path: web::Path<(String, String)>) -> HttpResponse {
    let (hash, path) = path.into_inner();
    let Some(a) = table().get(&path) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found");
    };
    let cache = if hash == a.hash {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    HttpResponse::Ok()
        .content_type(a.content_type)
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(a.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_icon_the_stylesheet_names_is_embedded() {
        let css = std::str::from_utf8(FILES[0].2).expect("utf-8");
        let mut rest = css;
        let mut missing = Vec::new();
        while let Some(at) = rest.find("url(icons/") {
            let after = &rest[at + "url(icons/".len()..];
            let name: String = after.chars().take_while(|c| *c != ')').collect();
            if !table().contains_key(&format!("krds/icons/{name}")) {
                missing.push(name);
            }
            rest = after;
        }
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn urls_carry_the_content_hash() {
        let u = url("krds/krds.css");
        assert!(
            u.starts_with("/assets/") && u.ends_with("/krds/krds.css"),
            "{u}"
        );
        assert_eq!(u.split('/').nth(2).map(str::len), Some(12));
    }
}
