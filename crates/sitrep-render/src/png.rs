//! PNG export: an SVG drawn by this crate rasterised in-process with `resvg`, its
//! text set in DejaVu Sans, which is compiled in (`fonts/DejaVuSans.ttf` from
//! Debian's fonts-dejavu-core 2.37; licence in `fonts/LICENSE-DejaVu.txt`). No
//! system font is read, so a PNG looks the same on every machine. The background is
//! white; the PNG is the SVG's `width` × `height` times `scale` pixels.

use crate::RenderError;
use resvg::{tiny_skia, usvg};
use std::sync::{Arc, LazyLock};

/// The bundled font (DejaVu Sans, Bitstream Vera licence; see fonts/LICENSE-DejaVu.txt).
const FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// Largest scale accepted (a 900 × 560 figure at 4× is 3600 × 2240 pixels).
pub const MAX_SCALE: f32 = 4.0;

static FONTS: LazyLock<Arc<usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(FONT.to_vec());
    // Every family the SVGs name (Helvetica, Arial, sans-serif) falls back to it.
    db.set_sans_serif_family("DejaVu Sans");
    db.set_serif_family("DejaVu Sans");
    db.set_monospace_family("DejaVu Sans");
    Arc::new(db)
});

/// Rasterises `svg` at `scale` (1 = the SVG's own size in pixels; 0 < scale ≤ 4).
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, RenderError> {
    if !(scale > 0.0 && scale <= MAX_SCALE) {
        return Err(RenderError::Png(format!(
            "scale must be above 0 and at most {MAX_SCALE}, found {scale}"
        )));
    }
    let opt = usvg::Options {
        fontdb: Arc::clone(&FONTS),
        font_family: "DejaVu Sans".into(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| RenderError::Png(e.to_string()))?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).round() as u32,
        (size.height() * scale).round() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(w.max(1), h.max(1))
        .ok_or_else(|| RenderError::Png(format!("cannot allocate {w} × {h} pixels")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| RenderError::Png(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_has_the_svg_size_times_the_scale_and_draws_text() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40" font-family="Helvetica, Arial, sans-serif"><text x="4" y="28" font-size="24" fill="#000">Kabul</text></svg>"##;
        for (scale, w, h) in [(1.0, 120, 40), (2.0, 240, 80)] {
            let png = svg_to_png(svg, scale).unwrap();
            let decoder = png::Decoder::new(std::io::Cursor::new(&png));
            let mut reader = decoder.read_info().unwrap();
            let mut buf = vec![0; reader.output_buffer_size()];
            let info = reader.next_frame(&mut buf).unwrap();
            assert_eq!((info.width, info.height), (w, h));
            // The text is drawn: some pixels are dark.
            let dark = buf[..info.buffer_size()]
                .chunks(info.line_size / info.width as usize)
                .filter(|p| p[0] < 100)
                .count();
            assert!(dark > 50, "{dark} dark pixels at scale {scale}");
        }
        assert!(svg_to_png(svg, 0.0).is_err());
        assert!(svg_to_png("<svg", 1.0).is_err());
    }
}
