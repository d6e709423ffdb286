//! QR codes of share links, drawn as inline SVG on the server (no image files, nothing for the browser to run).
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An `<svg>` element for `text`; empty if the text cannot fit a QR code (share links always do).
pub fn svg(text: &str) -> String {
    let Ok(code) = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) else {
        return String::new();
    };
    let image = code
        .render::<svg::Color>()
        .min_dimensions(160, 160)
        .dark_color(svg::Color("#111"))
        .light_color(svg::Color("#fff"))
        .build();
    // Inline in HTML: drop the XML declaration; the element itself stays as rendered.
    match image.find("<svg") {
        Some(start) => image[start..].to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_an_inline_svg() {
        let s = super::svg("https://ring.example/uk/?ref=SUMMER-24");
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"), "{s}");
        assert!(s.contains("<path"));
        assert_ne!(s, super::svg("https://ring.example/uk/?ref=SUMMER-25"));
    }
}
