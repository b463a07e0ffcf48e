//! Self-contained HTML reports: prose, inline SVG figures, data tables, methods.
//!
//! The file makes no external request: styles are inline, fonts are the reader's
//! own sans-serif, figures are inline SVG. Every piece of text is escaped; the
//! analyst's prose supports paragraphs, `- ` lists, `### ` headings, `**bold**`,
//! `*italic*` and `` `code` ``, nothing more (no raw HTML).

use crate::csv_out::render_csv;
use crate::layout::thousands;
use crate::svg::esc;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sitrep_model::figure::{FigureData, FigureSpec, ReportSpec, SourceRef};
use std::fmt::Write;

/// The methods section's inputs beyond what each figure carries.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Methods {
    /// Every source used, with citation, version and ingest time. When empty, the
    /// sources of the figures' provenance are listed.
    pub sources: Vec<SourceRef>,
    /// Further notes (markdown-ish, like prose): definitions, caveats.
    pub notes: Vec<String>,
    /// When the report was generated.
    pub generated_at: Option<DateTime<Utc>>,
    /// The program that made it, e.g. `sitrep 0.1.0`.
    pub generator: Option<String>,
}

impl Methods {
    /// Sources of all figures, each once (by name), in order of first appearance.
    pub fn sources_of(figures: &[(FigureSpec, FigureData, String)]) -> Vec<SourceRef> {
        let mut out: Vec<SourceRef> = Vec::new();
        for (_, d, _) in figures {
            for s in &d.provenance.sources {
                if !out.iter().any(|o| o.name == s.name) {
                    out.push(s.clone());
                }
            }
        }
        out
    }
}

const CSS: &str = "
body{margin:0;background:#fafafa;color:#1b1b1b;font-family:Helvetica,Arial,sans-serif;line-height:1.5}
main{max-width:960px;margin:0 auto;padding:24px 28px 48px;background:#fff}
h1{font-size:28px;margin:8px 0 4px}h2{font-size:21px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}.byline{color:#555;margin:0 0 16px}
nav ol{padding-left:20px;color:#444}nav a{color:#1f4e79}
figure{margin:24px 0;padding:0}figure svg{max-width:100%;height:auto;display:block;border:1px solid #eee}
figcaption{font-size:14px;color:#333;margin-top:6px}
details{margin-top:8px;font-size:13px}summary{cursor:pointer;color:#1f4e79}
table{border-collapse:collapse;font-size:12.5px;margin:8px 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
.tablewrap{max-height:420px;overflow:auto}
.prov{font-size:12px;color:#555}.cite{font-size:13.5px}
code{background:#f3f3f3;padding:0 3px}
footer{margin-top:40px;font-size:12px;color:#666}
";

/// Inline formatting on already-escaped text: `**bold**`, `*italic*`, `` `code` ``.
fn inline(escaped: &str) -> String {
    // Pairs `delim…delim` around non-empty text that does not start or end with a
    // space; anything else stays literal.
    fn pair(s: &str, delim: &str, open: &str, close: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(a) = rest.find(delim) {
            let after = &rest[a + delim.len()..];
            let closing = after.find(delim).filter(|&b| {
                let inner = &after[..b];
                !inner.is_empty() && !inner.starts_with(' ') && !inner.ends_with(' ')
            });
            match closing {
                Some(b) => {
                    out.push_str(&rest[..a]);
                    out.push_str(open);
                    out.push_str(&after[..b]);
                    out.push_str(close);
                    rest = &after[b + delim.len()..];
                }
                None => {
                    out.push_str(&rest[..a + delim.len()]);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
    let s = pair(escaped, "`", "<code>", "</code>");
    let s = pair(&s, "**", "<strong>", "</strong>");
    pair(&s, "*", "<em>", "</em>")
}

/// Renders the analyst's markdown-ish prose as HTML (escaped).
pub fn prose_html(text: &str) -> String {
    let mut out = String::new();
    let blocks = text.replace("\r\n", "\n");
    for block in blocks
        .split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        let lines: Vec<&str> = block.lines().map(str::trim).collect();
        let bullet = |l: &str| l.starts_with("- ") || l.starts_with("* ");
        let numbered = |l: &str| {
            let digits = l.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && l[digits..].starts_with(". ")
        };
        if lines.iter().all(|l| bullet(l)) {
            out.push_str("<ul>");
            for l in &lines {
                let _ = write!(out, "<li>{}</li>", inline(&esc(&l[2..])));
            }
            out.push_str("</ul>\n");
        } else if lines.iter().all(|l| numbered(l)) {
            out.push_str("<ol>");
            for l in &lines {
                let rest = &l[l.find(". ").map_or(0, |i| i + 2)..];
                let _ = write!(out, "<li>{}</li>", inline(&esc(rest)));
            }
            out.push_str("</ol>\n");
        } else if let Some(h) = lines[0].strip_prefix("### ") {
            let _ = writeln!(out, "<h3>{}</h3>", inline(&esc(h)));
            if lines.len() > 1 {
                let _ = writeln!(out, "<p>{}</p>", inline(&esc(&lines[1..].join(" "))));
            }
        } else {
            let _ = writeln!(out, "<p>{}</p>", inline(&esc(&lines.join(" "))));
        }
    }
    out
}

/// An SVG ready to inline in HTML: any XML declaration or doctype removed.
fn inline_svg(svg: &str) -> &str {
    let s = svg.trim_start();
    let s = if s.starts_with("<?xml") {
        s[s.find("?>").map_or(0, |i| i + 2)..].trim_start()
    } else {
        s
    };
    if s.starts_with("<!DOCTYPE") {
        s[s.find('>').map_or(0, |i| i + 1)..].trim_start()
    } else {
        s
    }
}

/// The CSV of a figure as an HTML table (comment lines left out; they are in the
/// methods section).
fn csv_table(csv_text: &str) -> (String, usize) {
    let body: String = csv_text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut out = String::from("<div class=\"tablewrap\"><table>");
    let mut rows = 0;
    // A figure's CSV may hold two tables separated by a blank line.
    for part in body.split("\n\n").filter(|p| !p.trim().is_empty()) {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(part.as_bytes());
        if let Ok(h) = r.headers() {
            out.push_str("<thead><tr>");
            for c in h {
                let _ = write!(out, "<th>{}</th>", esc(c));
            }
            out.push_str("</tr></thead>");
        }
        out.push_str("<tbody>");
        for rec in r.records().flatten() {
            rows += 1;
            out.push_str("<tr>");
            for c in &rec {
                let class = if !c.is_empty() && c.parse::<f64>().is_ok() {
                    " class=\"num\""
                } else {
                    ""
                };
                let _ = write!(out, "<td{class}>{}</td>", esc(c));
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody>");
    }
    out.push_str("</table></div>");
    (out, rows)
}

fn figure_html(
    out: &mut String,
    number: usize,
    spec: &FigureSpec,
    data: &FigureData,
    svg: &str,
    open: bool,
) {
    let _ = write!(out, "\n<figure id=\"figure-{}\">\n", esc(&spec.id));
    out.push_str(inline_svg(svg));
    let _ = write!(
        out,
        "\n<figcaption><strong>Figure {number}.</strong> {}",
        esc(&spec.title)
    );
    if let Some(c) = &spec.caption {
        let stop = if spec.title.ends_with(['.', '!', '?']) {
            ""
        } else {
            "."
        };
        let _ = write!(out, "{stop} {}", inline(&esc(c)));
    }
    let p = &data.provenance;
    let _ = write!(
        out,
        "<br/><span class=\"prov\">{} records; filters: {}{}</span></figcaption>",
        thousands(p.record_count),
        esc(if p.filters.is_empty() {
            "none"
        } else {
            &p.filters
        }),
        p.data_date
            .map(|d| format!("; data to {d}"))
            .unwrap_or_default()
    );
    let (table, rows) = csv_table(&render_csv(spec, data));
    let _ = write!(
        out,
        "\n<details{}><summary>Data behind Figure {number} ({} rows)</summary>{table}</details>\n</figure>\n",
        if open { " open=\"open\"" } else { "" },
        rows
    );
}

/// A section ready to write: heading, prose, its figures, ids with open tables.
type Placed<'a> = (
    String,
    String,
    Vec<&'a (FigureSpec, FigureData, String)>,
    Vec<String>,
);

/// Renders a report as one self-contained HTML file.
///
/// `figures` are the rendered figures (spec, data, SVG). They are placed in the
/// sections that name them (`figures` and `figure_specs` ids), numbered in order of
/// appearance; figures no section names follow in a last section. A figure id in
/// a section's `tables` gets its data table open rather than collapsed.
pub fn render_report(
    report: &ReportSpec,
    figures: &[(FigureSpec, FigureData, String)],
    methods: &Methods,
) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    let _ = write!(
        out,
        "<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(&report.title)
    );
    let _ = write!(out, "<header><h1>{}</h1>", esc(&report.title));
    let byline: Vec<String> = report
        .author
        .iter()
        .cloned()
        .chain(report.date.map(|d| d.format("%-d %B %Y").to_string()))
        .collect();
    if !byline.is_empty() {
        let _ = write!(out, "<p class=\"byline\">{}</p>", esc(&byline.join(" · ")));
    }
    out.push_str("</header>\n");

    // Place figures into sections.
    let find = |id: &str| figures.iter().find(|(s, _, _)| s.id == id);
    let mut placed: Vec<&str> = Vec::new();
    let mut sections: Vec<Placed> = Vec::new();
    for s in &report.sections {
        let mut figs = Vec::new();
        for id in s
            .figures
            .iter()
            .map(String::as_str)
            .chain(s.figure_specs.iter().map(|f| f.id.as_str()))
        {
            if let Some(f) = find(id) {
                if !placed.contains(&id) {
                    placed.push(id);
                    figs.push(f);
                }
            }
        }
        sections.push((s.heading.clone(), s.prose.clone(), figs, s.tables.clone()));
    }
    let rest: Vec<_> = figures
        .iter()
        .filter(|(s, _, _)| !placed.contains(&s.id.as_str()))
        .collect();
    if !rest.is_empty() {
        sections.push(("Figures".to_string(), String::new(), rest, Vec::new()));
    }

    out.push_str("<nav><ol>");
    for (i, (heading, ..)) in sections.iter().enumerate() {
        let _ = write!(
            out,
            "<li><a href=\"#section-{}\">{}</a></li>",
            i + 1,
            esc(heading)
        );
    }
    out.push_str("<li><a href=\"#methods\">Methods and sources</a></li></ol></nav>\n");

    let mut number = 0;
    let mut numbered: Vec<(usize, &FigureSpec, &FigureData)> = Vec::new();
    for (i, (heading, prose, figs, tables)) in sections.iter().enumerate() {
        let _ = write!(
            out,
            "\n<section id=\"section-{}\">\n<h2>{}</h2>\n",
            i + 1,
            esc(heading)
        );
        out.push_str(&prose_html(prose));
        for (spec, data, svg) in figs {
            number += 1;
            numbered.push((number, spec, data));
            figure_html(&mut out, number, spec, data, svg, tables.contains(&spec.id));
        }
        out.push_str("</section>\n");
    }

    // Methods.
    out.push_str("\n<section id=\"methods\">\n<h2>Methods and sources</h2>\n<h3>Sources</h3>\n<ul class=\"cite\">");
    let sources = if methods.sources.is_empty() {
        Methods::sources_of(figures)
    } else {
        methods.sources.clone()
    };
    if sources.is_empty() {
        out.push_str("<li>No sources recorded.</li>");
    }
    for s in &sources {
        let _ = write!(out, "<li><strong>{}</strong>", esc(&s.name));
        if let Some(v) = &s.version {
            let _ = write!(out, " (version {})", esc(v));
        }
        let citation = if s.citation.is_empty() {
            SourceRef::standard_citation(&s.name, s.ingested_at.map(|t| t.date_naive()))
        } else {
            s.citation.clone()
        };
        let _ = write!(out, ": {}", esc(&citation));
        if let Some(t) = s.ingested_at {
            let _ = write!(out, ". Ingested {}", t.format("%Y-%m-%d %H:%M UTC"));
        }
        out.push_str(".</li>");
    }
    out.push_str("</ul>\n");
    if sources
        .iter()
        .any(|s| s.name.to_ascii_lowercase().contains("acled"))
    {
        out.push_str(
            "<p>ACLED's terms of use allow publishing aggregates, not raw rows: this report shows counts only.</p>\n",
        );
    }
    out.push_str("<h3>Figures: filters, records and exclusions</h3>\n<div class=\"tablewrap\"><table><thead><tr><th>Figure</th><th>Filters</th><th>Records</th><th>Excluded</th><th>Data to</th></tr></thead><tbody>");
    for (number, spec, data) in &numbered {
        let p = &data.provenance;
        let excluded = if p.excluded.is_empty() {
            "none".to_string()
        } else {
            p.excluded
                .iter()
                .map(|(why, k)| format!("{why}: {}", thousands(*k)))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let _ = write!(
            out,
            "<tr><td>{number}. {}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&spec.title),
            esc(&p.filters),
            thousands(p.record_count),
            esc(&excluded),
            p.data_date.map(|d| d.to_string()).unwrap_or_default()
        );
    }
    out.push_str("</tbody></table></div>\n");
    let comparisons: Vec<_> = numbered
        .iter()
        .flat_map(|(k, _, d)| d.comparisons.iter().map(move |c| (k, c)))
        .collect();
    if !comparisons.is_empty() {
        out.push_str("<h3>Period comparisons</h3>\n<p>Weekly rates are counts divided by the period's length in weeks; the 95% interval of the ratio is from the Poisson model of both counts.</p>\n<ul>");
        for (k, c) in comparisons {
            let _ = write!(
                out,
                "<li>Figure {k}, {}: {} ({} in {:.1} weeks against {} in {:.1} weeks).</li>",
                esc(&c.label),
                esc(&c.describe()),
                c.count_a,
                c.weeks_a,
                c.count_b,
                c.weeks_b
            );
        }
        out.push_str("</ul>\n");
    }
    if !methods.notes.is_empty() {
        out.push_str("<h3>Notes</h3>\n");
        for note in &methods.notes {
            out.push_str(&prose_html(note));
        }
    }
    out.push_str("</section>\n");
    let mut foot = String::from("Generated");
    if let Some(g) = &methods.generator {
        let _ = write!(foot, " by {g}");
    }
    if let Some(t) = methods.generated_at {
        let _ = write!(foot, " on {}", t.format("%Y-%m-%d %H:%M UTC"));
    }
    let _ = write!(out, "\n<footer>{}. Every figure's data is in the table under it.</footer>\n</main>\n</body>\n</html>\n", esc(&foot));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_escaped_and_formatted() {
        let html = prose_html(
            "A <b>tag</b> & **bold** and *it*.\n\n- one\n- two `x`\n\n1. first\n2. second",
        );
        assert!(
            html.contains("A &lt;b&gt;tag&lt;/b&gt; &amp; <strong>bold</strong> and <em>it</em>."),
            "{html}"
        );
        assert!(
            html.contains("<ul><li>one</li><li>two <code>x</code></li></ul>"),
            "{html}"
        );
        assert!(
            html.contains("<ol><li>first</li><li>second</li></ol>"),
            "{html}"
        );
        // An unpaired marker stays literal.
        assert_eq!(inline("a ** b"), "a ** b");
    }
}
