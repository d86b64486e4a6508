//! What an attachment is, decided by its content rather than by what the uploader says: the
//! media type from the bytes' signature (text types, which have none, only as valid UTF-8
//! that does not look like markup), and a file name made safe and given the extension of the
//! detected type, so a PDF/HTML polyglot named `lease.html` is stored and served as
//! `lease.pdf`, `application/pdf`.

/// Text types accepted without a signature, when declared and the content is plain UTF-8.
const TEXT_TYPES: &[(&str, &str)] = &[("text/csv", "csv"), ("text/plain", "txt")];

/// An attachment as it will be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub name: String,
    pub media_type: String,
}

/// Decides the stored media type and name of an upload, or says why it is refused.
/// `accepted` lists the media types the deployment takes (`docflow.attachment_types`).
pub fn classify(
    name: &str,
    declared: &str,
    bytes: &[u8],
    accepted: &[String],
) -> Result<Classified, String> {
    let is_accepted = |t: &str| accepted.iter().any(|a| a == t);
    let (media_type, extension) = match infer::get(bytes) {
        Some(t) => (t.mime_type().to_owned(), t.extension().to_owned()),
        None => {
            let declared = declared
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let Some((t, ext)) = TEXT_TYPES.iter().find(|(t, _)| *t == declared) else {
                return Err(format!(
                    "the content is not of a recognised type; accepted: {}",
                    accepted.join(", ")
                ));
            };
            if !plain_text(bytes) {
                return Err(format!("{t} content must be UTF-8 text without markup"));
            }
            ((*t).to_owned(), (*ext).to_owned())
        }
    };
    if !is_accepted(&media_type) {
        return Err(format!(
            "the content is {media_type}; accepted: {}",
            accepted.join(", ")
        ));
    }
    Ok(Classified {
        name: safe_name(name, &extension),
        media_type,
    })
}

/// UTF-8 without control characters (tab and line breaks aside) and without an HTML or XML
/// tag opening, so a browser that ignores the type still has nothing to run.
fn plain_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let lower = text.to_ascii_lowercase();
    !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        && ![
            "<html",
            "<script",
            "<svg",
            "<!doctype",
            "<?xml",
            "<iframe",
            "<body",
        ]
        .iter()
        .any(|m| lower.contains(m))
}

/// A name that is safe in a file system and a `Content-Disposition` header: no separators,
/// quotes or control characters, at most 120 characters, ending in the detected type's
/// extension.
pub fn safe_name(name: &str, extension: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | '"' | ':' | '*' | '?' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.');
    let stem = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.eq_ignore_ascii_case(extension) => stem,
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => cleaned,
    };
    let stem: String = stem.chars().take(110).collect();
    let stem = if stem.trim().is_empty() {
        "attachment".to_owned()
    } else {
        stem
    };
    format!("{stem}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted() -> Vec<String> {
        ["application/pdf", "image/png", "text/csv", "text/plain"]
            .map(str::to_owned)
            .to_vec()
    }

    #[test]
    fn a_pdf_html_polyglot_is_a_pdf_with_a_pdf_name() {
        let polyglot = b"%PDF-1.7\n<html><script>alert(1)</script></html>";
        let c = classify("lease.html", "text/html", polyglot, &accepted()).expect("pdf");
        assert_eq!(c.media_type, "application/pdf");
        assert_eq!(c.name, "lease.pdf");
    }

    #[test]
    fn declared_types_do_not_decide() {
        // HTML declared as CSV: refused as markup.
        assert!(
            classify(
                "a.csv",
                "text/csv",
                b"<html><body>x</body></html>",
                &accepted()
            )
            .is_err()
        );
        // HTML declared as HTML: not a type taken without a signature.
        assert!(classify("a.html", "text/html", b"<p>hello</p>", &accepted()).is_err());
        // An executable, whatever its name.
        assert!(classify("a.pdf", "application/pdf", b"MZ\x90\0 exe", &accepted()).is_err());
        // Binary junk declared as text.
        assert!(classify("a.txt", "text/plain", b"\x00\x01\x02", &accepted()).is_err());
        // A PNG is a PNG even when named .csv; a type outside the list is refused.
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(
            classify("chart.csv", "text/csv", png, &accepted()).expect("png"),
            Classified {
                name: "chart.png".into(),
                media_type: "image/png".into()
            }
        );
        assert!(classify("x.png", "image/png", png, &["application/pdf".to_owned()]).is_err());
    }

    #[test]
    fn plain_csv_is_kept_as_declared() {
        let c = classify(
            "table.csv",
            "text/csv; charset=utf-8",
            b"a,b\n1,2\n",
            &accepted(),
        )
        .expect("csv");
        assert_eq!(
            (c.name.as_str(), c.media_type.as_str()),
            ("table.csv", "text/csv")
        );
    }

    #[test]
    fn names_are_made_safe() {
        let n = safe_name("../../etc/passwd", "txt");
        assert!(
            !n.contains('/') && n.ends_with(".txt") && !n.starts_with('.'),
            "{n}"
        );
        assert_eq!(safe_name("a\"b\r\n.pdf", "pdf"), "a_b__.pdf");
        assert_eq!(safe_name("", "pdf"), "attachment.pdf");
        assert_eq!(safe_name("...", "pdf"), "attachment.pdf");
        assert_eq!(safe_name("보고서.PDF", "pdf"), "보고서.pdf");
        assert!(safe_name(&"x".repeat(500), "pdf").chars().count() <= 114);
    }
}
