//! Which language a request gets. The locale is always the first path segment.
pub const LOCALES: [&str; 3] = ["en", "uk", "ru"];
pub const DEFAULT_LOCALE: &str = "en";

pub fn is_supported(tag: &str) -> bool {
    LOCALES.contains(&tag)
}

/// Picks the best supported locale from an `Accept-Language` header (quality-weighted).
pub fn from_accept_language(header: &str) -> &'static str {
    let mut best: Option<(&'static str, f32)> = None;
    for part in header.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = pieces
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let Some(locale) = LOCALES.iter().find(|l| **l == primary) else {
            continue;
        };
        if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
            best = Some((locale, quality));
        }
    }
    best.map_or(DEFAULT_LOCALE, |(l, _)| l)
}

/// `/uk/refcodes?x=1` → `/ru/refcodes?x=1`: the same page in another language.
pub fn switch_path(path_and_query: &str, to: &str) -> String {
    let rest = path_and_query.trim_start_matches('/');
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if is_supported(&rest[..end]) {
        format!("/{to}{}", &rest[end..])
    } else {
        format!("/{to}/{rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_highest_quality_supported() {
        assert_eq!(from_accept_language("uk-UA,uk;q=0.9,en;q=0.8"), "uk");
        assert_eq!(from_accept_language("de-DE,ru;q=0.5,en;q=0.7"), "en");
        assert_eq!(from_accept_language("fr, ru;q=0.3"), "ru");
        assert_eq!(from_accept_language("fr"), "en");
        assert_eq!(from_accept_language(""), "en");
        assert_eq!(from_accept_language("ru;q=0"), "en");
    }

    #[test]
    fn switching_keeps_the_page() {
        assert_eq!(switch_path("/uk/refcodes?x=1", "ru"), "/ru/refcodes?x=1");
        assert_eq!(switch_path("/en", "uk"), "/uk");
        assert_eq!(switch_path("/en/", "uk"), "/uk/");
        assert_eq!(switch_path("/", "ru"), "/ru/");
        assert_eq!(switch_path("/en?ref=ABCD", "uk"), "/uk?ref=ABCD");
    }
}
