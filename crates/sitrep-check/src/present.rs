//! The report for people: a terminal table, Markdown, a self-contained HTML page, and
//! the small SVG figure per claim (the series with its periods shaded) that the
//! dashboard embeds too.

use crate::evaluate::{fmt, ClaimCheck, Figure};
use crate::{CheckReport, Verdict};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// Rows of the verdict table: (sentence index, sentence, claim, verdict, measured, why).
pub fn rows(r: &CheckReport) -> Vec<[String; 5]> {
    let mut out = Vec::new();
    for s in &r.sentences {
        if s.claims.is_empty() {
            let why = match (&s.reason, &s.detail) {
                (Some(r), Some(d)) => format!("{r}: {d}"),
                (Some(r), None) => r.clone(),
                _ => String::new(),
            };
            out.push([
                s.index.to_string(),
                s.text.clone(),
                "not checkable".into(),
                String::new(),
                why,
            ]);
        }
        for c in &s.claims {
            out.push([
                s.index.to_string(),
                s.text.clone(),
                c.verdict.label().into(),
                c.measured
                    .as_ref()
                    .map(|m| m.text.clone())
                    .unwrap_or_default(),
                format!("{} — {}", c.claimed, c.why),
            ]);
        }
    }
    out
}

/// An aligned table for a terminal: checkable sentences only, clipped.
pub fn table(r: &CheckReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:>3}  {:<16}  {:<48}  {}\n",
        "#", "verdict", "sentence", "claimed → measured"
    ));
    for s in &r.sentences {
        for c in &s.claims {
            out.push_str(&format!(
                "{:>3}  {:<16}  {:<48}  {} → {}\n",
                s.index,
                c.verdict.label(),
                clip(&s.text, 48),
                c.claimed,
                c.measured
                    .as_ref()
                    .map(|m| m.text.clone())
                    .unwrap_or_else(|| c.why.clone())
            ));
        }
    }
    out.push_str(&summary_line(r));
    out.push('\n');
    out
}

/// "8 of 39 sentences checkable; 2 supported, 1 contradicted, …".
pub fn summary_line(r: &CheckReport) -> String {
    let s = r.summary;
    format!(
        "{} of {} sentences checkable; claims: {} supported, {} contradicted, {} mixed, {} not enough data",
        s.checkable, s.sentences, s.supported, s.contradicted, s.mixed, s.not_enough_data
    )
}

/// The whole report as Markdown: a verdict table, then each claim's evidence.
pub fn markdown(r: &CheckReport) -> String {
    let mut out = format!(
        "# Claim check\n\nArticle date {}; {} words. {}.\n\nEvidence: {}.\n\n",
        r.article_date,
        r.words,
        summary_line(r),
        r.evidence.join("; ")
    );
    out.push_str("| # | sentence | verdict | measured | claimed — why |\n|---|---|---|---|---|\n");
    for row in rows(r) {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            row[0],
            md_cell(&row[1]),
            md_cell(&row[2]),
            md_cell(&row[3]),
            md_cell(&row[4])
        ));
    }
    for s in &r.sentences {
        for c in &s.claims {
            out.push_str(&format!(
                "\n## {}. “{}” — {}\n\n{}\n\n",
                s.index,
                c.claim,
                c.verdict.label(),
                claim_md(c)
            ));
        }
    }
    out
}

fn claim_md(c: &ClaimCheck) -> String {
    let mut l = vec![
        format!("- Claimed: {}", c.claimed),
        format!("- Why: {}", c.why),
    ];
    if let Some(m) = &c.measured {
        l.push(format!("- Measured: {}", m.text));
    }
    if !c.basis.is_empty() {
        l.push(format!("- Basis: {}", c.basis));
    }
    for cov in &c.coverage {
        l.push(format!("- Coverage: {cov}"));
    }
    for f in &c.flags {
        l.push(format!("- Flag: {f}"));
    }
    for v in &c.variants {
        l.push(format!(
            "- Variant ({}): {}{}",
            v.label,
            v.text,
            v.outcome
                .map(|o| format!(" — {}", outcome_word(o)))
                .unwrap_or_default()
        ));
    }
    for s in &c.sources {
        l.push(format!(
            "- Source {}: {} — {}",
            s.source,
            fmt(s.value),
            s.verdict.label()
        ));
    }
    if let Some(q) = &c.query {
        l.push(format!(
            "- Query: `{}` (explore: {})",
            q.series_command, q.explore_url
        ));
    }
    if let Some(rec) = &c.records {
        l.push(format!(
            "- Records: {} (first: {})",
            rec.count,
            rec.sample.join(", ")
        ));
    }
    l.join("\n")
}

fn outcome_word(o: crate::rules::Outcome) -> &'static str {
    match o {
        crate::rules::Outcome::Supports => "supports",
        crate::rules::Outcome::Opposes => "opposes",
        crate::rules::Outcome::Inconclusive => "inconclusive",
    }
}

/// A CSS class per verdict.
pub fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Supported => "v-supported",
        Verdict::Contradicted => "v-contradicted",
        Verdict::Mixed => "v-mixed",
        Verdict::NotEnoughData => "v-nodata",
    }
}

/// A small SVG line chart of the figure with its periods shaded (inline, no script).
pub fn figure_svg(f: &Figure) -> String {
    let (w, h, pad) = (320.0, 90.0, 4.0);
    let n = f.starts.len();
    if n < 2 || f.lines.is_empty() {
        return String::new();
    }
    let max = f
        .lines
        .iter()
        .flat_map(|l| l.values.iter().flatten())
        .copied()
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let x = |i: f64| pad + i * (w - 2.0 * pad) / (n as f64 - 1.0);
    let y = |v: f64| h - pad - v / max * (h - 2.0 * pad);
    let idx = |d: chrono::NaiveDate| {
        f.starts
            .iter()
            .position(|s| *s >= d)
            .map_or(n as f64 - 1.0, |i| i as f64)
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"mini\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{} series, {} buckets, maximum {}\">",
        f.bucket,
        n,
        fmt(max)
    );
    let shades = ["#fde68a", "#bfdbfe"];
    for (k, (label, p)) in f.shaded.iter().enumerate() {
        let (a, b) = (x(idx(p.from)), x(idx(p.to)));
        svg.push_str(&format!(
            "<rect x=\"{a:.1}\" y=\"0\" width=\"{:.1}\" height=\"{h}\" fill=\"{}\" opacity=\"0.6\"><title>{} {}</title></rect>",
            (b - a).max(1.0),
            shades[k % 2],
            esc(label),
            p
        ));
    }
    let colours = ["#1f2937", "#b91c1c"];
    for (k, line) in f.lines.iter().enumerate() {
        let mut d = String::new();
        let mut pen = false;
        for (i, v) in line.values.iter().enumerate() {
            match v {
                Some(v) => {
                    d.push_str(&format!(
                        "{}{:.1},{:.1} ",
                        if pen { "L" } else { "M" },
                        x(i as f64),
                        y(*v)
                    ));
                    pen = true;
                }
                None => pen = false,
            }
        }
        svg.push_str(&format!(
            "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.3\"><title>{}</title></path>",
            d.trim(),
            colours[k % 2],
            esc(&line.label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The whole report as one self-contained HTML page.
pub fn html(r: &CheckReport) -> String {
    let mut body = format!(
        "<h1>Claim check</h1><p>Article date {}; {} words. {}.</p><p class=\"evidence\">Evidence: {}.</p>",
        r.article_date,
        r.words,
        esc(&summary_line(r)),
        esc(&r.evidence.join("; "))
    );
    body.push_str(&claims_html(r, ""));
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Claim check · sitrep</title><style>{CSS}</style></head><body>{body}</body></html>"
    )
}

/// Styles for the verdict table (the dashboard adds them to its own).
pub const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:72rem;margin:1rem auto;padding:0 1rem;color:#111}table.check{border-collapse:collapse;width:100%}table.check td,table.check th{border-top:1px solid #ddd;padding:.4rem;vertical-align:top;text-align:left}.verdict{font-weight:600;white-space:nowrap}.v-supported{color:#166534}.v-contradicted{color:#b91c1c}.v-mixed{color:#92400e}.v-nodata{color:#4b5563}.nc{color:#6b7280}details{margin:.2rem 0}svg.mini{background:#fafafa;border:1px solid #eee}";

/// The verdict table as HTML; record links point at `{link_base}/incidents/{id}`.
pub fn claims_html(r: &CheckReport, link_base: &str) -> String {
    let mut t = String::from("<table class=\"check\"><thead><tr><th>#</th><th>Sentence</th><th>Verdict</th><th>Evidence</th></tr></thead><tbody>");
    for s in &r.sentences {
        if s.claims.is_empty() {
            let why = match (&s.reason, &s.detail) {
                (Some(r), Some(d)) => format!("not checkable: {r} ({d})"),
                (Some(r), None) => format!("not checkable: {r}"),
                _ => "not checkable".into(),
            };
            t.push_str(&format!(
                "<tr class=\"nc\"><td>{}</td><td>{}</td><td>—</td><td>{}</td></tr>",
                s.index,
                esc(&s.text),
                esc(&why)
            ));
            continue;
        }
        for c in &s.claims {
            t.push_str(&format!(
                "<tr><td>{}</td><td>{}<br><small>claim: “{}”</small></td><td class=\"verdict {}\">{}</td><td>{}</td></tr>",
                s.index,
                esc(&s.text),
                esc(&c.claim),
                verdict_class(c.verdict),
                c.verdict.label(),
                claim_html(c, link_base)
            ));
        }
    }
    t.push_str("</tbody></table>");
    t
}

fn claim_html(c: &ClaimCheck, link_base: &str) -> String {
    let mut h = format!("<p>Claimed: {}<br>{}</p>", esc(&c.claimed), esc(&c.why));
    if let Some(m) = &c.measured {
        h.push_str(&format!("<p>Measured: {}</p>", esc(&m.text)));
    }
    if let Some(f) = &c.figure {
        h.push_str(&figure_svg(f));
    }
    let mut list = String::new();
    if !c.basis.is_empty() {
        list.push_str(&format!("<li>Basis: {}</li>", esc(&c.basis)));
    }
    for x in &c.coverage {
        list.push_str(&format!("<li>Coverage: {}</li>", esc(x)));
    }
    for x in &c.flags {
        list.push_str(&format!("<li>Flag: {}</li>", esc(x)));
    }
    for v in &c.variants {
        list.push_str(&format!(
            "<li>Variant ({}): {}{}</li>",
            esc(&v.label),
            esc(&v.text),
            v.outcome
                .map(|o| format!(" — {}", outcome_word(o)))
                .unwrap_or_default()
        ));
    }
    for s in &c.sources {
        list.push_str(&format!(
            "<li>Source {}: {} — {}</li>",
            esc(&s.source),
            fmt(s.value),
            s.verdict.label()
        ));
    }
    if let Some(q) = &c.query {
        list.push_str(&format!(
            "<li>Query: <a href=\"{}{}\">explore</a> · <code>{}</code></li>",
            link_base,
            esc(&q.explore_url),
            esc(&q.series_command)
        ));
    }
    if let Some(r) = &c.records {
        let links: Vec<String> = r
            .sample
            .iter()
            .map(|id| {
                format!(
                    "<a href=\"{link_base}/incidents/{}\">{}</a>",
                    crate::query::encode(id),
                    esc(id)
                )
            })
            .collect();
        list.push_str(&format!(
            "<li>Records: {} (first: {})</li>",
            r.count,
            links.join(", ")
        ));
    }
    h.push_str(&format!(
        "<details><summary>Evidence</summary><ul>{list}</ul></details>"
    ));
    h
}
