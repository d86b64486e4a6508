//! The country pack's brand on every page: its primary colours as KRDS tokens (a small
//! stylesheet after KRDS's, so components keep their shapes and take the pack's colours), its
//! logo beside the portal's name, and where people get help in the footer. Made once per
//! process from the pack (`[branding]` in `pack.toml`, checked for WCAG contrast when the pack
//! loads) and served at `/brand/{hash}/…` like the embedded assets: content-hashed, cached for
//! a year.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use sha2::{Digest, Sha256};

use crate::Web;

/// One generated file.
#[derive(Debug, Clone)]
pub struct File {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    pub hash: String,
}

impl File {
    fn new(name: &'static str, content_type: &'static str, bytes: Vec<u8>) -> Self {
        let hash = hex::encode(&Sha256::digest(&bytes)[..6]);
        Self {
            name,
            content_type,
            bytes,
            hash,
        }
    }

    pub fn url(&self) -> String {
        format!("/brand/{}/{}", self.hash, self.name)
    }
}

/// The pack's brand files.
#[derive(Debug, Clone, Default)]
pub struct Brand {
    pub css: Option<File>,
    pub logo: Option<File>,
    pub flag: Option<File>,
}

impl Brand {
    pub fn of(pack: &egov_core::CountryPack) -> Self {
        use egov_core::country::Flag;
        let b = &pack.branding;
        let image = |name: [&'static str; 2], (bytes, kind): (&Vec<u8>, &'static str)| {
            let name = if kind == "image/png" {
                name[0]
            } else {
                name[1]
            };
            File::new(name, kind, bytes.clone())
        };
        let logo = b
            .logo
            .as_ref()
            .map(|(bytes, kind)| image(["logo.png", "logo.svg"], (bytes, kind)));
        let flag = match &b.flag {
            Flag::Image(bytes, kind) => Some(image(["flag.png", "flag.svg"], (bytes, kind))),
            _ => None,
        };
        let mut css = String::new();
        if !b.primary.is_empty() {
            css.push_str(":root {\n");
            for (stop, colour) in &b.primary {
                css.push_str(&format!(
                    "  --krds-color-light-primary-{stop}: {};\n",
                    colour.hex()
                ));
            }
            css.push_str("}\n");
        }
        // The official-site banner: KRDS draws Korea's flag; another country's pack shows its
        // own, or none.
        const BANNER_FLAG: &str = "#krds-masthead .toggle-head .nuri-txt::before";
        match (&b.flag, &flag) {
            (Flag::Krds, _) => {}
            (_, Some(f)) => css.push_str(&format!(
                "{BANNER_FLAG} {{ background-image: url({}); }}\n",
                f.url()
            )),
            _ => css.push_str(&format!("{BANNER_FLAG} {{ display: none; }}\n")),
        }
        let css = (!css.is_empty())
            .then(|| File::new("brand.css", "text/css; charset=utf-8", css.into_bytes()));
        Self { css, logo, flag }
    }
}

/// A brand file of this process's pack.
#[get("/brand/{hash}/{name}")]
pub async fn serve(req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (hash, name) = path.into_inner();
    let brand = req.app_data::<web::Data<Web>>().map(|w| w.brand().clone());
    let file = brand.and_then(|b| {
        [b.css, b.logo]
            .into_iter()
            .flatten()
            .find(|f| f.name == name)
    });
    let Some(f) = file else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found");
    };
    let cache = if hash == f.hash {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    HttpResponse::Ok()
        .content_type(f.content_type)
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // An SVG opened on its own runs nothing.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(f.bytes)
}
