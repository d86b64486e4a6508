//! Response headers every answer gets: no caching of what carries personal data or tokens,
//! no MIME sniffing, no framing, HSTS where egov is served over HTTPS, and a content-security
//! policy for the API documentation pages.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// One year, subdomains included (the HSTS preload list's minimum).
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Swagger UI at `/docs/`: its own scripts and styles only (its inline styles aside), the
/// documents from this origin, no framing, no plugins.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'none'; object-src 'none'";

/// The answer's security headers; `hsts` from `server.hsts`.
pub async fn security_headers(
    hsts: bool,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = req.path().starts_with("/docs");
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    if docs {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CSP),
        );
    } else if !h.contains_key(header::CACHE_CONTROL) {
        // Answers carry tokens and personal data: no shared or browser cache keeps them
        // unless a route says otherwise.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}
