//! The OpenAPI documents, kept gzip-compressed: serialized once per process at start and held
//! as ~70 kB instead of ~2 MB of JSON (the merged document alone is ~1 MB). They are public
//! and static, so compressing them carries no BREACH-style risk (the platform compresses no
//! response that carries secrets). Clients that accept gzip (every browser, curl
//! `--compressed`, HTTP libraries) get the compressed bytes; others get them inflated.

use std::io::{Read, Write};

use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpRequest, HttpResponse, ResponseError as _, web};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

/// One served document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where it is served (`/openapi.json`, `/openapi/<module>.json`).
    pub path: &'static str,
    /// Its name in Swagger UI's list.
    pub name: &'static str,
    gzip: web::Bytes,
}

impl Document {
    /// Compresses `json` for serving.
    pub fn new(path: &'static str, name: &'static str, json: &[u8]) -> std::io::Result<Self> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(json)?;
        let mut gzip = encoder.finish()?;
        gzip.shrink_to_fit();
        Ok(Self {
            path,
            name,
            gzip: web::Bytes::from(gzip),
        })
    }

    /// The document as JSON.
    pub fn json(&self) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        GzDecoder::new(&self.gzip[..]).read_to_end(&mut out)?;
        Ok(out)
    }

    /// The response to `req`: compressed when the client accepts gzip.
    pub fn respond(&self, req: &HttpRequest) -> HttpResponse {
        let mut res = HttpResponse::Ok();
        res.content_type("application/json")
            .insert_header((header::VARY, "Accept-Encoding"));
        if accepts_gzip(req.headers()) {
            res.insert_header((header::CONTENT_ENCODING, "gzip"))
                .body(self.gzip.clone())
        } else {
            match self.json() {
                Ok(json) => res.body(json),
                Err(e) => egov_core::Error::internal(e).error_response(),
            }
        }
    }
}

/// Whether `Accept-Encoding` allows gzip (listed, and not with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).expect("header"),
        );
        h
    }

    #[test]
    fn gzip_is_sent_only_to_clients_that_accept_it() {
        assert!(accepts_gzip(&headers("gzip, deflate, br")));
        assert!(accepts_gzip(&headers("br;q=1.0, gzip;q=0.8")));
        assert!(accepts_gzip(&headers("*")));
        assert!(!accepts_gzip(&headers("gzip;q=0")));
        assert!(!accepts_gzip(&headers("identity")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn the_document_inflates_to_the_json_it_was_made_from() {
        let json = br#"{"openapi":"3.1.0","paths":{}}"#;
        let doc = Document::new("/openapi.json", "egov", json).expect("gzip");
        assert_eq!(doc.json().expect("inflate"), json);
    }
}
