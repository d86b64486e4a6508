//! A country pack's brand on the pages: the primary colour scale of the Korea design system
//! (KRDS) tokens, a logo, and where people get help. Pure rules: parsing colours, the WCAG
//! contrast ratio, and the checks a pack's brand must pass so that its pages stay readable.

/// The stops of KRDS's primary scale (`--krds-color-light-primary-<stop>`).
pub const STOPS: [u8; 11] = [5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95];

/// KRDS's own primary scale, which a pack's brand overrides stop by stop.
pub const KRDS_PRIMARY: [(u8, Rgb); 11] = [
    (5, Rgb(0xec, 0xf2, 0xfe)),
    (10, Rgb(0xd8, 0xe5, 0xfd)),
    (20, Rgb(0xb1, 0xce, 0xfb)),
    (30, Rgb(0x86, 0xaf, 0xf9)),
    (40, Rgb(0x4c, 0x87, 0xf6)),
    (50, Rgb(0x25, 0x6e, 0xf4)),
    (60, Rgb(0x0b, 0x50, 0xd0)),
    (70, Rgb(0x08, 0x38, 0x91)),
    (80, Rgb(0x05, 0x25, 0x61)),
    (90, Rgb(0x03, 0x16, 0x3a)),
    (95, Rgb(0x02, 0x0f, 0x27)),
];

/// The WCAG 2.1 AA ratio for normal text.
pub const AA: f64 = 4.5;

/// A colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const WHITE: Self = Self(255, 255, 255);

    /// `#rrggbb` (either case).
    pub fn parse(s: &str) -> Option<Self> {
        let h = s.strip_prefix('#')?;
        if h.len() != 6 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let n = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
        Some(Self(n(0)?, n(2)?, n(4)?))
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG 2.1 relative luminance.
    pub fn luminance(self) -> f64 {
        let c = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.039_28 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(self.0) + 0.7152 * c(self.1) + 0.0722 * c(self.2)
    }

    /// WCAG 2.1 contrast ratio with `other` (1 to 21).
    pub fn contrast(self, other: Self) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
        (hi + 0.05) / (lo + 0.05)
    }
}

/// The pack's primary scale: KRDS's with the pack's stops over it.
pub fn scale(overrides: &[(u8, Rgb)]) -> Vec<(u8, Rgb)> {
    KRDS_PRIMARY
        .iter()
        .map(|(stop, c)| {
            let own = overrides.iter().find(|(s, _)| s == stop).map(|(_, c)| *c);
            (*stop, own.unwrap_or(*c))
        })
        .collect()
}

/// What the pages put on the scale's stops and must stay readable (WCAG 2.1 AA): white text
/// on buttons filled with stop 50 and, hovered, 60; links and primary text in stop 60 on
/// white and on the lightest surface (stop 5). Each failure as `(what, ratio)`.
pub fn unreadable(scale: &[(u8, Rgb)]) -> Vec<(&'static str, f64)> {
    let at = |stop: u8| {
        scale
            .iter()
            .find(|(s, _)| *s == stop)
            .map_or(Rgb::WHITE, |(_, c)| *c)
    };
    let pairs = [
        (
            "white text on a primary button (stop 50)",
            Rgb::WHITE,
            at(50),
        ),
        (
            "white text on a hovered primary button (stop 60)",
            Rgb::WHITE,
            at(60),
        ),
        ("primary text (stop 60) on white", at(60), Rgb::WHITE),
        (
            "primary text (stop 60) on the light surface (stop 5)",
            at(60),
            at(5),
        ),
    ];
    pairs
        .into_iter()
        .map(|(what, a, b)| (what, a.contrast(b)))
        .filter(|(_, r)| *r < AA)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_as_six_hex_digits_only() {
        assert_eq!(Rgb::parse("#1B7A3E"), Some(Rgb(0x1b, 0x7a, 0x3e)));
        assert_eq!(Rgb(0x1b, 0x7a, 0x3e).hex(), "#1b7a3e");
        for bad in ["1b7a3e", "#1b7a3", "#1b7a3e0", "#1g7a3e", "", "#", "red"] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn contrast_is_the_wcag_ratio() {
        assert!((Rgb::WHITE.contrast(Rgb(0, 0, 0)) - 21.0).abs() < 1e-9);
        assert!((Rgb::WHITE.contrast(Rgb::WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the well-known 4.54:1.
        let r = Rgb(0x76, 0x76, 0x76).contrast(Rgb::WHITE);
        assert!((r - 4.54).abs() < 0.01, "{r}");
        assert!((Rgb(0x76, 0x76, 0x76).contrast(Rgb::WHITE) - r).abs() < 1e-12);
    }

    #[test]
    fn krds_own_scale_is_readable_and_a_pale_brand_is_not() {
        assert!(unreadable(&scale(&[])).is_empty());
        // A green brand dark enough for white text.
        let green = scale(&[(50, Rgb(0x1b, 0x7a, 0x3e)), (60, Rgb(0x14, 0x60, 0x2f))]);
        assert!(unreadable(&green).is_empty(), "{:?}", unreadable(&green));
        // A yellow one is not: white on it is unreadable.
        let yellow = scale(&[(50, Rgb(0xff, 0xd1, 0x00))]);
        let bad = unreadable(&yellow);
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].0.contains("stop 50") && bad[0].1 < AA);
    }

    #[test]
    fn a_pack_overrides_only_the_stops_it_names() {
        let s = scale(&[(50, Rgb(1, 2, 3))]);
        assert_eq!(s.len(), 11);
        assert_eq!(
            s.iter().find(|(k, _)| *k == 50).map(|(_, c)| *c),
            Some(Rgb(1, 2, 3))
        );
        assert_eq!(
            s.iter().find(|(k, _)| *k == 5).map(|(_, c)| *c),
            Some(KRDS_PRIMARY[0].1)
        );
    }
}
