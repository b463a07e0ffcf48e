//! A small SVG writer: escaping, rounded coordinates, text-width estimates.
//!
//! Text is measured by estimate (average glyph widths of Helvetica/Arial), because
//! the SVG is rendered later by a browser with whatever sans-serif font it has; the
//! estimates err wide so that labels do not collide.

use std::fmt::Write;

/// Escapes text for XML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with one decimal, without a trailing `.0`.
pub fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// Estimated width in px of `s` at `size` px in a sans-serif font. The glyph widths
/// are DejaVu Sans's (the widest common default sans-serif, used where Helvetica and
/// Arial are missing), so text fits wherever the SVG is opened.
pub fn text_width(s: &str, size: f64) -> f64 {
    let em: f64 = s
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.3,
            ' ' => 0.32,
            'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '-' => 0.42,
            'm' | 'w' | 'M' | 'W' | '—' | '%' => 0.95,
            c if c.is_ascii_uppercase() => 0.72,
            c if c.is_ascii_digit() => 0.64,
            _ => 0.61,
        })
        .sum();
    em * size
}

/// Bold text is about 10% wider.
pub const BOLD: f64 = 1.1;

/// Splits `s` into lines no wider than `width` px at `size` px (words are not broken).
pub fn wrap(s: &str, size: f64, width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if text_width(&candidate, size) > width && !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_string();
        } else {
            cur = candidate;
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Horizontal text anchor.
#[derive(Clone, Copy)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// Text style.
#[derive(Clone, Copy)]
pub struct Font {
    pub size: f64,
    pub bold: bool,
    pub fill: &'static str,
    pub anchor: Anchor,
    /// White outline behind the glyphs, for text drawn over data.
    pub halo: bool,
}

impl Font {
    pub fn new(size: f64) -> Font {
        Font {
            size,
            bold: false,
            fill: "#222",
            anchor: Anchor::Start,
            halo: false,
        }
    }
    pub fn bold(mut self) -> Font {
        self.bold = true;
        self
    }
    pub fn fill(mut self, fill: &'static str) -> Font {
        self.fill = fill;
        self
    }
    pub fn anchor(mut self, anchor: Anchor) -> Font {
        self.anchor = anchor;
        self
    }
    pub fn halo(mut self) -> Font {
        self.halo = true;
        self
    }
}

/// An SVG document being written.
pub struct Svg {
    pub out: String,
}

impl Svg {
    /// Opens the `<svg>` element.
    /// `id` makes the element ids unique when several SVGs share one HTML page.
    pub fn new(id: &str, width: f64, height: f64, title: &str, desc: &str) -> Svg {
        let id = esc(id);
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Helvetica, Arial, sans-serif" role="img" aria-labelledby="title-{id} desc-{id}">"#,
            w = n(width),
            h = n(height)
        );
        let _ = write!(
            out,
            "\n<title id=\"title-{id}\">{}</title><desc id=\"desc-{id}\">{}</desc>",
            esc(title),
            esc(desc)
        );
        let _ = write!(
            out,
            "\n<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
            n(width),
            n(height)
        );
        Svg { out }
    }

    /// Closes the document and returns it.
    pub fn finish(mut self) -> String {
        self.out.push_str("\n</svg>\n");
        self.out
    }

    /// Raw markup (callers escape).
    pub fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    pub fn text(&mut self, x: f64, y: f64, font: Font, s: &str) {
        self.text_attrs(x, y, font, s, "");
    }

    /// Text with extra attributes (e.g. a `transform`).
    pub fn text_attrs(&mut self, x: f64, y: f64, font: Font, s: &str, extra: &str) {
        let weight = if font.bold {
            r#" font-weight="bold""#
        } else {
            ""
        };
        let halo = if font.halo {
            r##" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke""##
        } else {
            ""
        };
        let anchor = match font.anchor {
            Anchor::Start => String::new(),
            a => format!(r#" text-anchor="{}""#, a.as_str()),
        };
        let _ = write!(
            self.out,
            "\n<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{}\"{weight}{anchor}{halo}{extra}>{}</text>",
            n(x),
            n(y),
            n(font.size),
            font.fill,
            esc(s)
        );
    }

    #[allow(clippy::too_many_arguments)] // two points, stroke, width, extra: all needed
    pub fn line(
        &mut self,
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        stroke: &str,
        width: f64,
        extra: &str,
    ) {
        let _ = write!(
            self.out,
            "\n<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"{extra}/>",
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            n(width)
        );
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, extra: &str) {
        let _ = write!(
            self.out,
            "\n<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{extra}/>",
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0))
        );
    }

    /// `<path d=…>` with extra attributes and optional hover title.
    pub fn path(&mut self, d: &str, attrs: &str, title: Option<&str>) {
        match title {
            Some(t) => {
                let _ = write!(
                    self.out,
                    "\n<path d=\"{d}\"{attrs}><title>{}</title></path>",
                    esc(t)
                );
            }
            None => {
                let _ = write!(self.out, "\n<path d=\"{d}\"{attrs}/>");
            }
        }
    }
}

/// A path through points: `M x y L x y …`.
pub fn polyline(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        let _ = write!(d, "{}{} {}", if i == 0 { "M" } else { " L" }, n(*x), n(*y));
    }
    d
}

/// A closed polygon path.
pub fn polygon(points: &[(f64, f64)]) -> String {
    let mut d = polyline(points);
    if !d.is_empty() {
        d.push_str(" Z");
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_rounds() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(n(3.04), "3");
        assert_eq!(n(-2.26), "-2.3");
        assert_eq!(n(12.36), "12.4");
        let lines = wrap("one two three four five six", 10.0, 60.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l, 10.0) <= 60.0));
    }
}
