//! The map of a report's location page (`[web.map]`): Leaflet (vendored, `assets/leaflet/`)
//! over the deployment's tile server. The tile server is a deployment's choice (a national
//! mapping agency's, a commercial one under contract, one of its own), so nothing is set by
//! default: without `tiles` the page has no map and the address field (with "Use my location")
//! is the way, as it is without script. With it, the pages' Content-Security-Policy allows
//! images from the tile server's origin and nothing else from it.

use serde::Deserialize;

/// The `[web.map]` settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapSettings {
    /// Tile URL template with `{z}`, `{x}` and `{y}` (and optionally `{s}` or `{r}`), https
    /// (http only on localhost); empty: no map.
    #[serde(default)]
    pub tiles: String,
    /// The credit the tile server's terms ask for, shown on the map.
    #[serde(default)]
    pub attribution: String,
    /// Where the map opens: latitude and longitude (required with `tiles`).
    #[serde(default)]
    pub center_lat: Option<f64>,
    #[serde(default)]
    pub center_long: Option<f64>,
    /// The zoom it opens at (0 to 19).
    #[serde(default = "default_zoom")]
    pub zoom: u8,
    /// The tile server's deepest zoom (1 to 22).
    #[serde(default = "default_max_zoom")]
    pub max_zoom: u8,
}

fn default_zoom() -> u8 {
    12
}

fn default_max_zoom() -> u8 {
    19
}

/// A map the pages can show: checked settings and the tile server's origin.
#[derive(Debug, Clone)]
pub struct Map {
    pub tiles: String,
    pub attribution: String,
    pub lat: f64,
    pub long: f64,
    pub zoom: u8,
    pub max_zoom: u8,
    /// `https://tiles.example.kr` (for `img-src`).
    pub origin: String,
}

impl MapSettings {
    /// The map, `None` without `tiles`; an error naming the setting when it is not usable.
    pub fn map(&self) -> anyhow::Result<Option<Map>> {
        let tiles = self.tiles.trim();
        if tiles.is_empty() {
            return Ok(None);
        }
        let bad = |why: &str| anyhow::anyhow!("[web.map] {why}");
        for part in ["{z}", "{x}", "{y}"] {
            if !tiles.contains(part) {
                return Err(bad(&format!("tiles must contain {part}: {tiles}")));
            }
        }
        // The template's placeholders are not URL characters: parse it with them filled.
        let sample = tiles
            .replace("{z}", "0")
            .replace("{x}", "0")
            .replace("{y}", "0")
            .replace("{s}", "a")
            .replace("{r}", "");
        let url = url::Url::parse(&sample).map_err(|e| bad(&format!("tiles: {e}")))?;
        let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        if !(url.scheme() == "https" || (url.scheme() == "http" && local)) {
            return Err(bad("tiles must be https (http only on localhost)"));
        }
        if url.host_str().is_none_or(|h| h.contains('*')) || sample.contains(['"', '\'', ';', ' '])
        {
            return Err(bad(
                "tiles must name one host, without quotes, spaces or `;`",
            ));
        }
        let origin = url.origin().ascii_serialization();
        let (lat, long) = self
            .center_lat
            .zip(self.center_long)
            .ok_or_else(|| bad("center_lat and center_long are required with tiles"))?;
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&long) {
            return Err(bad(
                "center must be a latitude (-90..90) and a longitude (-180..180)",
            ));
        }
        if self.zoom > 19 || !(1..=22).contains(&self.max_zoom) || self.zoom > self.max_zoom {
            return Err(bad("zoom must be 0 to 19 and at most max_zoom (1 to 22)"));
        }
        if self.attribution.chars().count() > 300 || self.attribution.chars().any(char::is_control)
        {
            return Err(bad("attribution: at most 300 characters on one line"));
        }
        Ok(Some(Map {
            tiles: tiles.to_owned(),
            attribution: self.attribution.trim().to_owned(),
            lat,
            long,
            zoom: self.zoom,
            max_zoom: self.max_zoom,
            origin,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(tiles: &str) -> MapSettings {
        MapSettings {
            tiles: tiles.into(),
            attribution: "© The mapping agency".into(),
            center_lat: Some(37.5663),
            center_long: Some(126.9779),
            zoom: 12,
            max_zoom: 19,
        }
    }

    #[test]
    fn no_tiles_no_map_and_a_usable_template_gives_its_origin() {
        assert!(MapSettings::default().map().expect("ok").is_none());
        let m = settings("https://tiles.example.kr/base/{z}/{x}/{y}.png")
            .map()
            .expect("ok")
            .expect("a map");
        assert_eq!(m.origin, "https://tiles.example.kr");
        let m = settings("http://127.0.0.1:8080/{z}/{x}/{y}.png")
            .map()
            .expect("ok")
            .expect("a map");
        assert_eq!(m.origin, "http://127.0.0.1:8080");
    }

    #[test]
    fn unusable_settings_are_refused_with_what_is_wrong() {
        for (tiles, why) in [
            ("https://tiles.example.kr/{z}/{x}.png", "{y}"),
            ("http://tiles.example.kr/{z}/{x}/{y}.png", "https"),
            (
                "https://tiles.example.kr/{z}/{x}/{y}.png'; script-src *",
                "quotes",
            ),
            ("not a url {z}{x}{y}", "tiles"),
        ] {
            let e = settings(tiles).map().expect_err(tiles).to_string();
            assert!(e.contains(why), "{tiles}: {e}");
        }
        let mut s = settings("https://t.example/{z}/{x}/{y}.png");
        s.center_long = None;
        assert!(s.map().expect_err("center").to_string().contains("center"));
        (s.center_lat, s.center_long) = (Some(91.0), Some(0.0));
        assert!(s.map().is_err());
        s.center_lat = Some(0.0);
        s.zoom = 20;
        assert!(s.map().is_err());
    }
}
