//! Printable documents as PDF (A4), one implementation for every module that prints:
//! - [`font_for`]: the first font of a deployment's list (`pdf_fonts` in a module's settings),
//!   then the built-in one ([`BUILT_IN`], OFL), that draws every character the pack's
//!   languages need ([`needs`]); chosen once per list and shared. A document with a character
//!   the font cannot draw is refused, never printed with empty boxes;
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

/// The font every `egov` binary carries, the last of every module's `pdf_fonts`: Pretendard
/// Regular (npm `pretendard` 1.3.9, SIL Open Font License 1.1; `fonts/SOURCE.toml`), which
/// has every Hangul syllable and the Latin letters of English, Spanish and Guaraní.
pub const BUILT_IN: &[u8] = include_bytes!("../fonts/Pretendard-Regular.otf");
const BUILT_IN_NAME: &str = "Pretendard Regular (built in)";

/// A font a document is set in, with the characters it can draw.
#[derive(Clone)]
pub struct PdfFont {
    pub font: Font,
    data: Arc<Vec<u8>>,
    /// Its file, or the built-in font's name.
    pub name: String,
}

impl std::fmt::Debug for PdfFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfFont").field("name", &self.name).finish()
    }
}

impl PdfFont {
    fn load(data: Vec<u8>, name: String) -> Option<Self> {
        let data = Arc::new(data);
        skrifa::FontRef::from_index(data.as_slice(), 0).ok()?;
        let font = Font::new(data.clone().into(), 0)?;
        Some(Self { font, data, name })
    }

    /// The characters of `text` the font has no glyph for (spaces and controls aside), each
    /// once, in order.
    pub fn missing(&self, text: &str) -> Vec<char> {
        use skrifa::MetadataProvider as _;
        let Ok(f) = skrifa::FontRef::from_index(self.data.as_slice(), 0) else {
            return text.chars().filter(|c| !c.is_whitespace()).collect();
        };
        let map = f.charmap();
        let mut out: Vec<char> = Vec::new();
        for c in text.chars() {
            if !c.is_whitespace() && !c.is_control() && map.map(c).is_none() && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }
}

/// The characters documents in `languages` need (their letters and punctuation), and `extra`
/// (the pack's currency symbol): what a PDF font must draw to serve the pack.
pub fn needs(languages: &[String], extra: &str) -> String {
    let mut s: String = (0x20u8..0x7f).map(char::from).collect();
    s.push_str("‘’“”–—…·");
    for l in languages {
        match l.split('-').next().unwrap_or_default() {
            // Every modern Hangul syllable.
            "ko" => s.extend((0xAC00u32..=0xD7A3).filter_map(char::from_u32)),
            "es" => s.push_str("áéíóúüñÁÉÍÓÚÜÑ¿¡«»"),
            // Nasal vowels, the puso (glottal stop) and the combining tilde of g̃.
            "gn" => s.push_str("ãẽĩõũỹñÃẼĨÕŨỸÑáéíóúý’\u{0303}"),
            _ => {}
        }
    }
    s.push_str(extra);
    s
}

type Fonts = Mutex<HashMap<(Vec<PathBuf>, String), Result<PdfFont, String>>>;
static FONTS: OnceLock<Fonts> = OnceLock::new();

/// The first font of `candidates`, then the built-in one, that draws every character of
/// `needs` (see [`needs`]), chosen once per list and needs (the same from two modules shares
/// one copy). A font that loads but lacks characters is passed over with a warning that names
/// them; `Err` says what each lacked when none will do.
pub fn font_for(candidates: &[PathBuf], needs: &str) -> Result<PdfFont, String> {
    let fonts = FONTS.get_or_init(Fonts::default);
    let mut fonts = fonts
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    fonts
        .entry((candidates.to_vec(), needs.to_owned()))
        .or_insert_with(|| {
            let mut why = Vec::new();
            let mut fonts = Vec::new();
            for p in candidates {
                // A listed file that is not there is the usual case (a font package not
                // installed): the next is tried.
                let Ok(data) = std::fs::read(p) else { continue };
                match PdfFont::load(data, p.display().to_string()) {
                    Some(f) => fonts.push(f),
                    None => why.push(format!("{}: not a font", p.display())),
                }
            }
            fonts.extend(PdfFont::load(BUILT_IN.to_vec(), BUILT_IN_NAME.into()));
            for f in fonts {
                let lacks = f.missing(needs);
                if lacks.is_empty() {
                    tracing::info!(font = %f.name, "PDF font");
                    return Ok(f);
                }
                let sample: String = lacks.iter().take(12).collect();
                tracing::warn!(font = %f.name, lacks = lacks.len(), sample = %sample,
                    "PDF font passed over: it cannot draw the pack's languages");
                why.push(format!(
                    "{} lacks {} characters ({sample})",
                    f.name,
                    lacks.len()
                ));
            }
            Err(format!(
                "no PDF font draws the pack's languages: {}",
                why.join("; ")
            ))
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

/// The document as PDF bytes, set in the font [`font_for`] picks for `needs`; refused (with
/// why) when that font cannot draw a character of the document — an official document never
/// shows empty boxes — or the QR code cannot hold the URL.
pub fn render(doc: &Printable, fonts: &[PathBuf], needs: &str) -> Result<Vec<u8>, String> {
    let chosen = font_for(fonts, needs)?;
    let all: String = [
        doc.issuer.as_str(),
        &doc.title,
        &doc.number,
        &doc.verify_url,
    ]
    .into_iter()
    .chain(doc.lines.iter().flat_map(|(l, v)| [l.as_str(), v.as_str()]))
    .collect::<Vec<_>>()
    .join(" ");
    let lacks = chosen.missing(&all);
    if !lacks.is_empty() {
        return Err(format!(
            "the PDF font {} cannot draw {}",
            chosen.name,
            lacks.iter().collect::<String>()
        ));
    }
    draw(doc, &chosen.font).ok_or_else(|| "the document could not be laid out".to_owned())
}

fn draw(doc: &Printable, font: &Font) -> Option<Vec<u8>> {
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

    fn langs(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_built_in_font_draws_every_language_of_the_shipped_packs() {
        let f = font_for(&[], &needs(&langs(&["ko", "en", "es", "gn"]), "₩₲")).expect("font");
        assert!(f.name.contains("built in"), "{}", f.name);
        assert_eq!(f.missing("가힣 añandú g̃ ¿Qué? ₩"), Vec::<char>::new());
    }

    #[test]
    fn a_font_without_hangul_is_passed_over_for_korean() {
        let dejavu = PathBuf::from("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
        let missing = PathBuf::from("/nonexistent/font.ttf");
        // For English, the first font that loads is used.
        if dejavu.exists() {
            let f = font_for(
                &[missing.clone(), dejavu.clone()],
                &needs(&langs(&["en"]), ""),
            )
            .expect("font");
            assert_eq!(f.name, dejavu.display().to_string());
        }
        // For Korean, DejaVu (no Hangul) is passed over: the built-in font is used.
        let f = font_for(&[missing, dejavu], &needs(&langs(&["ko"]), "₩")).expect("font");
        assert!(f.name.contains("built in"), "{}", f.name);
    }

    #[test]
    fn a_document_renders_in_korean_and_one_the_font_cannot_draw_is_refused() {
        let need = needs(&langs(&["ko", "en"]), "₩");
        let mut doc = sample();
        doc.title = "사업자등록증명".into();
        let pdf = render(&doc, &[], &need).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 1000);
        // To look at it: EGOV_PDF_OUT=/tmp/doc.pdf cargo test -p egov-pdf
        if let Ok(out) = std::env::var("EGOV_PDF_OUT") {
            std::fs::write(out, &pdf).expect("write the sample");
        }
        // Hanja is not in the font: refused, saying which characters, rather than boxes.
        doc.lines.push(("상호".into(), "漢江書店".into()));
        let why = render(&doc, &[], &need).expect_err("refused");
        assert!(why.contains('漢') && why.contains("cannot draw"), "{why}");
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
