//! Printable documents as PDF (A4), one implementation for every module that prints:
//! - [`font`]: the first usable font of a deployment's list (`pdf_fonts` in a module's
//!   settings; a Hangul font for Korean, glyphs a font lacks are drawn as boxes), loaded once
//!   per list and shared;
//! - [`Printable`] and [`render`]: an issued document (a certificate, a civil-service
//!   document) as people download and print it: the issuing agency, the title, what it states
//!   as label and value lines, the number, and a QR code that opens the public page where
//!   anyone checks it (authentic, valid or revoked).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, TextDirection};

pub use krilla;

/// What is printed: (label, value) lines under the title.
#[derive(Debug, Clone)]
pub struct Printable {
    pub issuer: String,
    pub title: String,
    pub lines: Vec<(String, String)>,
    pub number: String,
    /// Printed under the QR code, and encoded in it.
    pub verify_url: String,
    pub digest: String,
}

type Fonts = Mutex<HashMap<Vec<PathBuf>, Option<Font>>>;
static FONTS: OnceLock<Fonts> = OnceLock::new();

/// The first font of `candidates` that loads, read once per list of candidates (the same
/// list from two modules shares one copy); `None` when none loads.
pub fn font(candidates: &[PathBuf]) -> Option<Font> {
    let fonts = FONTS.get_or_init(Fonts::default);
    let mut fonts = fonts
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    fonts
        .entry(candidates.to_vec())
        .or_insert_with(|| {
            candidates.iter().find_map(|p| {
                let data = std::fs::read(p).ok()?;
                let f = Font::new(Arc::new(data).into(), 0)?;
                tracing::info!(font = %p.display(), "PDF font");
                Some(f)
            })
        })
        .clone()
}

/// The QR code of `text`: its width in modules and the dark modules, row by row.
pub fn qr_modules(text: &str) -> Option<(usize, Vec<bool>)> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Some((width, dark))
}

/// The document as PDF bytes; `None` without a usable font or when the QR code cannot hold
/// the URL.
pub fn render(doc: &Printable, fonts: &[PathBuf]) -> Option<Vec<u8>> {
    let font = font(fonts)?;
    let (pw, ph) = (595.0_f32, 842.0_f32);
    let margin = 56.0_f32;
    let mut document = Document::new();
    let mut page = document.start_page_with(PageSettings::from_wh(pw, ph)?);
    let mut surface = page.surface();
    let mut y = margin;
    let text = |surface: &mut krilla::surface::Surface<'_>, x: f32, y: f32, size: f32, s: &str| {
        surface.draw_text(
            Point::from_xy(x, y),
            font.clone(),
            size,
            s,
            false,
            TextDirection::Auto,
        );
    };
    y += 12.0;
    text(&mut surface, margin, y, 11.0, &doc.issuer);
    y += 36.0;
    text(&mut surface, margin, y, 20.0, &doc.title);
    y += 36.0;
    for (label, value) in &doc.lines {
        if y > ph - 260.0 {
            break;
        }
        text(&mut surface, margin, y, 10.0, label);
        let value: String = value.chars().take(70).collect();
        text(&mut surface, margin + 170.0, y, 11.0, &value);
        y += 20.0;
    }
    // The QR code, bottom right, with its quiet zone; the number and the URL beside it.
    let (width, dark) = qr_modules(&doc.verify_url)?;
    let module = 3.0_f32;
    let side = module * (width as f32 + 8.0);
    let x0 = pw - margin - side + 4.0 * module;
    let y0 = ph - margin - side + 4.0 * module;
    let mut pb = PathBuilder::new();
    for (i, d) in dark.iter().enumerate() {
        if *d
            && let Some(r) = Rect::from_xywh(
                x0 + module * (i % width) as f32,
                y0 + module * (i / width) as f32,
                module,
                module,
            )
        {
            pb.push_rect(r);
        }
    }
    surface.set_fill(Some(Fill::default()));
    if let Some(path) = pb.finish() {
        surface.draw_path(&path);
    }
    let tx = margin;
    let ty = ph - margin - side + 16.0;
    text(&mut surface, tx, ty, 12.0, &doc.number);
    let url: String = doc.verify_url.chars().take(80).collect();
    text(&mut surface, tx, ty + 18.0, 7.5, &url);
    text(
        &mut surface,
        tx,
        ty + 32.0,
        6.5,
        &format!("SHA-256 {}", doc.digest),
    );
    surface.finish();
    page.finish();
    document.finish().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_reads_back_as_the_verification_url() {
        let url = "https://gov.example/documents/verify?number=1234-5678-9012";
        let (width, dark) = qr_modules(url).expect("qr");
        // Draw it as a scanner sees it: 4 pixels a module, a 4-module quiet zone.
        let (scale, quiet) = (4, 4);
        let side = (width + 2 * quiet) * scale;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = (x / scale, y / scale);
            if mx < quiet || my < quiet || mx >= width + quiet || my >= width + quiet {
                return 255;
            }
            if dark[(my - quiet) * width + (mx - quiet)] {
                0
            } else {
                255
            }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().expect("decodes");
        assert_eq!(content, url);
    }

    #[test]
    fn a_document_renders_as_a_pdf_with_a_latin_font() {
        let fonts = [PathBuf::from(
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        )];
        if !fonts[0].exists() {
            // The font package is part of the machine (fonts-dejavu-core); without it there
            // is nothing to render with, which `render` reports as `None`.
            assert!(render(&sample(), &[]).is_none());
            return;
        }
        let pdf = render(&sample(), &fonts).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        // To look at it: EGOV_PDF_OUT=/tmp/doc.pdf cargo test -p egov-pdf
        if let Ok(out) = std::env::var("EGOV_PDF_OUT") {
            std::fs::write(out, &pdf).expect("write the sample");
        }
        assert!(pdf.len() > 1000);
    }

    fn sample() -> Printable {
        Printable {
            issuer: "National Tax Service".into(),
            title: "Business registration certificate".into(),
            lines: vec![("Trade name".into(), "Hangang Books".into())],
            number: "1234-5678-9012".into(),
            verify_url: "http://127.0.0.1:8080/documents/verify?number=1234-5678-9012".into(),
            digest: "ab".repeat(32),
        }
    }
}
