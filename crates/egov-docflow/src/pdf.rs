//! The approved document as a PDF (A4): header (agency, registration number), title, body,
//! attachments, and the footer's approval stamps — one box per signature of the final round
//! in line order (기안, 검토, 협조, 전결/결재, marked 대결 when a stand-in acted) with the
//! position, the person's name and the local time, labelled in the pack's language — then the
//! disclosure class and the version digest. Text is set in the font `egov_pdf::font_for` picks
//! for the pack's languages (`[docflow] pdf_fonts`, then the built-in Pretendard); a document
//! with a character that font cannot draw is refused, never printed with empty boxes.

use egov_pdf::PdfFont;
use egov_pdf::krilla::Document;
use egov_pdf::krilla::geom::{PathBuilder, Point, Rect};
use egov_pdf::krilla::page::PageSettings;
use egov_pdf::krilla::paint::Stroke;
use egov_pdf::krilla::text::TextDirection;
use serde_json::Value;
use std::path::PathBuf;

/// What is printed.
#[derive(Debug, Clone)]
pub struct Printable {
    pub agency: String,
    pub registration_no: String,
    pub registered_at: String,
    pub title: String,
    pub body: Value,
    pub attachments: Vec<String>,
    /// (label, position title, name, local time) per stamp.
    pub stamps: Vec<(String, String, String, String)>,
    /// The disclosure class's name.
    pub disclosure: String,
    pub digest: String,
    /// The words the page itself prints, in the pack's language.
    pub words: Words,
}

/// The words of the printed document, in the pack's language.
#[derive(Debug, Clone)]
pub struct Words {
    /// Before each attachment's number (붙임).
    pub attachment: String,
    /// Before the disclosure class (공개구분).
    pub disclosure: String,
}

impl Printable {
    /// Every text the document prints (to check the font draws it all).
    pub fn text(&self) -> String {
        let mut all = vec![
            self.agency.clone(),
            self.registration_no.clone(),
            self.registered_at.clone(),
            self.title.clone(),
            self.disclosure.clone(),
            self.words.attachment.clone(),
            self.words.disclosure.clone(),
        ];
        all.extend(body_lines(&self.body));
        all.extend(self.attachments.iter().cloned());
        for (a, b, c, d) in &self.stamps {
            all.extend([a.clone(), b.clone(), c.clone(), d.clone()]);
        }
        all.join(" ")
    }
}

/// Lines of the body: `paragraphs` (strings), or `text`, or the JSON itself.
pub(crate) fn body_lines(body: &Value) -> Vec<String> {
    if let Some(p) = body.get("paragraphs").and_then(Value::as_array) {
        return p
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| s.to_string())
            })
            .collect();
    }
    if let Some(t) = body.get("text").and_then(Value::as_str) {
        return t.lines().map(str::to_owned).collect();
    }
    serde_json::to_string_pretty(body)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Wraps a line to about `width` points at `size` (CJK characters count as a full em).
fn wrap(line: &str, size: f32, width: f32) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut w = 0.0;
    for ch in line.chars() {
        let cw = if ch.is_ascii() { size * 0.55 } else { size };
        if w + cw > width && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
            w = 0.0;
        }
        cur.push(ch);
        w += cw;
    }
    out.push(cur);
    out
}

/// The printed document's words in the pack's language (its default), from the messages:
/// what a registered document's stamps and footer say whoever downloads it.
pub fn words(web: Option<&egov_web::Web>, d: &crate::Docflow) -> crate::service::PdfWords {
    let Some(web) = web else {
        return crate::service::PdfWords::korean();
    };
    let m = web.messages();
    let lang = d.pack().default_language.as_str();
    let say = |id: &str, fallback: &str| {
        m.find(lang, id, None)
            .unwrap_or_else(|| fallback.to_owned())
    };
    let korean = crate::service::PdfWords::korean();
    crate::service::PdfWords {
        steps: crate::domain::line::StepKind::ALL
            .iter()
            .map(|k| {
                (
                    k.as_str().to_owned(),
                    say(
                        &format!("doc-stamp-{}", k.as_str().replace('_', "-")),
                        k.label(),
                    ),
                )
            })
            .collect(),
        acting: say("doc-stamp-acting", &korean.acting),
        disagree: say("doc-stamp-disagree", &korean.disagree),
        words: Words {
            attachment: say("doc-stamp-attachment", &korean.words.attachment),
            disclosure: say("doc-stamp-disclosure", &korean.words.disclosure),
        },
    }
}

/// Checks that the font draws every character of the document, then renders it; `Err` says
/// why not.
pub fn render(doc: &Printable, fonts: &[PathBuf], needs: &str) -> Result<Vec<u8>, String> {
    let chosen: PdfFont = egov_pdf::font_for(fonts, needs)?;
    let lacks = chosen.missing(&doc.text());
    if !lacks.is_empty() {
        return Err(format!(
            "the PDF font {} cannot draw {}",
            chosen.name,
            lacks.iter().collect::<String>()
        ));
    }
    draw(doc, &chosen.font).ok_or_else(|| "the document could not be laid out".to_owned())
}

fn draw(doc: &Printable, font: &egov_pdf::krilla::text::Font) -> Option<Vec<u8>> {
    let (pw, ph) = (595.0_f32, 842.0_f32);
    let margin = 56.0_f32;
    let mut document = Document::new();
    let mut lines: Vec<(f32, String)> = Vec::new();
    lines.push((10.0, doc.agency.clone()));
    lines.push((
        10.0,
        format!("{}  ({})", doc.registration_no, doc.registered_at),
    ));
    lines.push((10.0, String::new()));
    for l in wrap(&doc.title, 16.0, pw - 2.0 * margin) {
        lines.push((16.0, l));
    }
    lines.push((11.0, String::new()));
    for para in body_lines(&doc.body) {
        for l in wrap(&para, 11.0, pw - 2.0 * margin) {
            lines.push((11.0, l));
        }
    }
    if !doc.attachments.is_empty() {
        lines.push((11.0, String::new()));
        for (i, a) in doc.attachments.iter().enumerate() {
            lines.push((10.0, format!("{} {}. {a}", doc.words.attachment, i + 1)));
        }
    }
    // Body pages.
    let mut i = 0;
    let stamp_h = 84.0;
    let rows = doc.stamps.len().div_ceil(5).max(1) as f32;
    let footer = stamp_h * rows + 60.0;
    loop {
        let mut page = document.start_page_with(PageSettings::from_wh(pw, ph)?);
        let mut surface = page.surface();
        let mut y = margin;
        while i < lines.len() {
            let (size, text) = &lines[i];
            if y + size * 1.5 > ph - margin - footer {
                break;
            }
            y += size * 1.5;
            if !text.is_empty() {
                surface.draw_text(
                    Point::from_xy(margin, y),
                    font.clone(),
                    *size,
                    text,
                    false,
                    TextDirection::Auto,
                );
            }
            i += 1;
        }
        let last = i >= lines.len();
        if last {
            // The approval stamps.
            surface.set_stroke(Some(Stroke::default()));
            let top = ph - margin - footer + 10.0;
            let bw = (pw - 2.0 * margin) / 5.0;
            for n in 0..doc.stamps.len() {
                let x = margin + bw * (n % 5) as f32;
                let y0 = top + stamp_h * (n / 5) as f32;
                let mut pb = PathBuilder::new();
                if let Some(r) = Rect::from_xywh(x, y0, bw - 4.0, stamp_h - 6.0) {
                    pb.push_rect(r);
                }
                if let Some(path) = pb.finish() {
                    surface.draw_path(&path);
                }
            }
            surface.set_stroke(None);
            for (n, (label, position, name, at)) in doc.stamps.iter().enumerate() {
                let x = margin + bw * (n % 5) as f32;
                let y0 = top + stamp_h * (n / 5) as f32;
                // Each field wrapped to the box (the position on up to two lines), never cut
                // to an unreadable stub.
                let mut rows: Vec<String> = Vec::new();
                rows.extend(wrap(label, 8.5, bw - 10.0).into_iter().take(1));
                rows.extend(wrap(position, 8.0, bw - 10.0).into_iter().take(2));
                rows.extend(wrap(name, 8.5, bw - 10.0).into_iter().take(1));
                rows.push(at.clone());
                for (k, t) in rows.iter().enumerate() {
                    surface.draw_text(
                        Point::from_xy(x + 4.0, y0 + 14.0 + 12.5 * k as f32),
                        font.clone(),
                        if k == 0 { 8.5 } else { 8.0 },
                        t,
                        false,
                        TextDirection::Auto,
                    );
                }
            }
            let y1 = top + stamp_h * rows + 12.0;
            surface.draw_text(
                Point::from_xy(margin, y1),
                font.clone(),
                8.0,
                &format!("{} {}", doc.words.disclosure, doc.disclosure),
                false,
                TextDirection::Auto,
            );
            surface.draw_text(
                Point::from_xy(margin, y1 + 12.0),
                font.clone(),
                7.0,
                &format!("SHA-256 {}", doc.digest),
                false,
                TextDirection::Auto,
            );
        }
        surface.finish();
        page.finish();
        if last {
            break;
        }
    }
    document.finish().ok()
}
