//! The actor network drawn and written out: [`render_graph_svg`] draws an
//! [`ActorGraph`] (actors coloured by kind, relations coloured by kind with their
//! period and citation as hover text); [`graph_dot`] and [`graph_graphml`] write it
//! for Graphviz and Gephi.
//!
//! The drawing holds *every* link of the graph it is given, each with its period in
//! `data-from` / `data-to`; the links that do not hold on the chosen day carry the
//! class `off` (hidden), and actors with no link that day the class `idle` (faded).
//! A page can so move a date slider over one drawing without asking the server
//! again, and the drawing without script shows the chosen day.
//!
//! The layout is a deterministic force layout (Fruchterman–Reingold from a circle in
//! id order), so one graph is always drawn the same.

use crate::svg::{esc, n};
use chrono::NaiveDate;
use sitrep_model::graph::{ActorGraph, GraphLink};
use std::fmt::Write;

/// Colour of an actor kind.
pub fn kind_colour(kind: &str) -> &'static str {
    match kind {
        "state" => "#1f4e79",
        "rebel" => "#2e8b57",
        "jihadist" => "#222222",
        "militia" => "#b8860b",
        "foreign_state" => "#6a5acd",
        "civilians" => "#888888",
        _ => "#aaaaaa",
    }
}

/// Colour and dash pattern of a relation kind.
pub fn relation_style(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "rival" => ("#c0392b", ""),
        "ally" => ("#27ae60", ""),
        "hosts" => ("#e67e22", ""),
        "cooperates" => ("#2980b9", ""),
        "claimed_merger" => ("#8e44ad", "6 4"),
        "splinter_of" => ("#7f8c8d", "6 4"),
        "branch_of" => ("#795548", "2 3"),
        _ => ("#999999", "2 2"),
    }
}

/// Node positions in `[0, 1]²`, in the order of `graph.nodes`.
pub fn layout(graph: &ActorGraph) -> Vec<(f64, f64)> {
    let k = graph.nodes.len();
    if k == 0 {
        return Vec::new();
    }
    let index = |id: &str| graph.nodes.iter().position(|n| n.id == id);
    let edges: Vec<(usize, usize)> = graph
        .links
        .iter()
        .filter_map(|l| Some((index(&l.source)?, index(&l.target)?)))
        .filter(|(a, b)| a != b)
        .collect();
    let mut pos: Vec<(f64, f64)> = (0..k)
        .map(|i| {
            let t = i as f64 / k as f64 * std::f64::consts::TAU;
            (0.5 + 0.4 * t.cos(), 0.5 + 0.4 * t.sin())
        })
        .collect();
    let ideal = (1.0 / k as f64).sqrt() * 0.8;
    let mut temp = 0.1;
    for _ in 0..500 {
        let mut disp = vec![(0.0f64, 0.0f64); k];
        for i in 0..k {
            for j in (i + 1)..k {
                let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let d2 = (dx * dx + dy * dy).max(1e-6);
                let f = ideal * ideal / d2;
                disp[i].0 += dx * f;
                disp[i].1 += dy * f;
                disp[j].0 -= dx * f;
                disp[j].1 -= dy * f;
            }
        }
        for &(a, b) in &edges {
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let d = (dx * dx + dy * dy).sqrt().max(1e-3);
            let f = d / ideal;
            disp[a].0 -= dx * f;
            disp[a].1 -= dy * f;
            disp[b].0 += dx * f;
            disp[b].1 += dy * f;
        }
        for i in 0..k {
            // A pull to the centre keeps the parts together; the frame keeps the
            // unlinked ones on the canvas.
            disp[i].0 += 0.5 - pos[i].0;
            disp[i].1 += 0.5 - pos[i].1;
            let len = (disp[i].0.powi(2) + disp[i].1.powi(2)).sqrt().max(1e-9);
            let step = len.min(temp);
            pos[i].0 = (pos[i].0 + disp[i].0 / len * step).clamp(0.02, 0.98);
            pos[i].1 = (pos[i].1 + disp[i].1 / len * step).clamp(0.02, 0.98);
        }
        temp = (temp * 0.99).max(0.003);
    }
    // Fit to the unit square.
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in &pos {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    let (w, h) = ((x1 - x0).max(1e-9), (y1 - y0).max(1e-9));
    pos.iter()
        .map(|&(x, y)| {
            (
                if k == 1 { 0.5 } else { (x - x0) / w },
                if k == 1 { 0.5 } else { (y - y0) / h },
            )
        })
        .collect()
}

fn period(l: &GraphLink) -> String {
    match (l.from, l.to) {
        (None, None) => "no dates stated".into(),
        (Some(f), None) => format!("from {f}"),
        (None, Some(t)) => format!("until {t}"),
        (Some(f), Some(t)) => format!("{f} to {t}"),
    }
}

/// Draws `graph` (every link it has) with the links that hold on `at` shown and the
/// others hidden (`class="off"`); with no day, every link is shown. `href` gives each
/// actor's link target (none: the node is not a link).
pub fn render_graph_svg(
    graph: &ActorGraph,
    at: Option<NaiveDate>,
    href: &dyn Fn(&str) -> Option<String>,
) -> String {
    let (w, h) = (900.0, 640.0);
    let (mx, top, legend_h) = (90.0, 30.0, 70.0);
    let pos = layout(graph);
    let xy = |i: usize| {
        (
            mx + pos[i].0 * (w - 2.0 * mx),
            top + pos[i].1 * (h - top - legend_h - 30.0),
        )
    };
    let index = |id: &str| graph.nodes.iter().position(|n| n.id == id);
    let live = |l: &GraphLink| at.is_none_or(|d| l.holds_on(d));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="actor-graph" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Helvetica, Arial, sans-serif" role="img" aria-labelledby="graph-title" data-at="{}">"#,
        at.map(|d| d.to_string()).unwrap_or_default()
    );
    let _ = write!(
        s,
        "\n<title id=\"graph-title\">Actors and their relations{}</title>\n",
        at.map(|d| format!(" on {d}")).unwrap_or_default()
    );
    s.push_str("<style>.off{display:none}.idle{opacity:.25}.node text{paint-order:stroke;stroke:#fff;stroke-width:3px}</style>\n");
    s.push_str("<defs>");
    for kind in [
        "rival",
        "ally",
        "hosts",
        "cooperates",
        "claimed_merger",
        "splinter_of",
        "branch_of",
    ] {
        let (c, _) = relation_style(kind);
        let _ = write!(
            s,
            r#"<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="19" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{c}"/></marker>"#
        );
    }
    s.push_str("</defs>\n<g class=\"links\">\n");
    for l in &graph.links {
        let (Some(a), Some(b)) = (index(&l.source), index(&l.target)) else {
            continue;
        };
        let ((x1, y1), (x2, y2)) = (xy(a), xy(b));
        let (c, dash) = relation_style(&l.kind);
        let name = |i: usize| graph.nodes[i].name.as_str();
        let _ = write!(
            s,
            r#"<line class="link{}" data-source="{}" data-target="{}" data-kind="{}" data-from="{}" data-to="{}" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{c}" stroke-width="2"{}{}><title>{} — {} — {} ({}). {}</title></line>"#,
            if live(l) { "" } else { " off" },
            esc(&l.source),
            esc(&l.target),
            esc(&l.kind),
            l.from.map(|d| d.to_string()).unwrap_or_default(),
            l.to.map(|d| d.to_string()).unwrap_or_default(),
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            if dash.is_empty() {
                String::new()
            } else {
                format!(" stroke-dasharray=\"{dash}\"")
            },
            if l.directed {
                format!(" marker-end=\"url(#arrow-{})\"", esc(&l.kind))
            } else {
                String::new()
            },
            esc(name(a)),
            esc(&l.kind.replace('_', " ")),
            esc(name(b)),
            period(l),
            esc(&l.citation),
        );
        s.push('\n');
    }
    s.push_str("</g>\n<g class=\"nodes\">\n");
    for (i, node) in graph.nodes.iter().enumerate() {
        let (x, y) = xy(i);
        let active = graph
            .links
            .iter()
            .any(|l| (l.source == node.id || l.target == node.id) && live(l));
        let r = 6.0 + (node.degree as f64).sqrt() * 2.0;
        let body = format!(
            r##"<g class="node{}" data-id="{}" data-kind="{}"><circle cx="{}" cy="{}" r="{}" fill="{}" stroke="#fff" stroke-width="1.5"/><text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#1b1b1b">{}</text><title>{} ({})</title></g>"##,
            if active { "" } else { " idle" },
            esc(&node.id),
            esc(&node.kind),
            n(x),
            n(y),
            n(r),
            kind_colour(&node.kind),
            n(x),
            n(y - r - 4.0),
            esc(&short(&node.name)),
            esc(&node.name),
            esc(&node.kind.replace('_', " ")),
        );
        match href(&node.id) {
            Some(h) => {
                let _ = write!(s, "<a href=\"{}\">{body}</a>", esc(&h));
            }
            None => s.push_str(&body),
        }
        s.push('\n');
    }
    s.push_str("</g>\n");
    // Legend: the kinds present.
    let mut kinds: Vec<&str> = graph.nodes.iter().map(|n| n.kind.as_str()).collect();
    kinds.sort();
    kinds.dedup();
    let mut rels: Vec<&str> = graph.links.iter().map(|l| l.kind.as_str()).collect();
    rels.sort();
    rels.dedup();
    let (mut x, y) = (20.0, h - legend_h + 10.0);
    s.push_str("<g class=\"legend\" font-size=\"11\">");
    for k in &kinds {
        let label = k.replace('_', " ");
        let _ = write!(
            s,
            r##"<circle cx="{}" cy="{}" r="5" fill="{}"/><text x="{}" y="{}" fill="#1b1b1b">{}</text>"##,
            n(x + 5.0),
            n(y),
            kind_colour(k),
            n(x + 14.0),
            n(y + 4.0),
            esc(&label)
        );
        x += 24.0 + crate::svg::text_width(&label, 11.0);
    }
    x = 20.0;
    let y = y + 24.0;
    for k in &rels {
        let (c, dash) = relation_style(k);
        let label = k.replace('_', " ");
        let _ = write!(
            s,
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{c}" stroke-width="2"{}/><text x="{}" y="{}" fill="#1b1b1b">{}</text>"##,
            n(x),
            n(y),
            n(x + 22.0),
            n(y),
            if dash.is_empty() {
                String::new()
            } else {
                format!(" stroke-dasharray=\"{dash}\"")
            },
            n(x + 27.0),
            n(y + 4.0),
            esc(&label)
        );
        x += 38.0 + crate::svg::text_width(&label, 11.0);
    }
    s.push_str("</g>\n</svg>\n");
    s
}

/// A node label: names past 28 characters are cut with an ellipsis.
fn short(name: &str) -> String {
    if name.chars().count() <= 28 {
        name.to_string()
    } else {
        format!("{}…", name.chars().take(27).collect::<String>())
    }
}

fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The graph in Graphviz DOT: a digraph; symmetric relations have `dir=none`.
pub fn graph_dot(graph: &ActorGraph) -> String {
    let mut s = String::from("digraph actors {\n");
    if let Some(d) = graph.at {
        let _ = writeln!(
            s,
            "  label={};",
            dot_quote(&format!("Actor relations on {d}"))
        );
    }
    s.push_str("  node [shape=ellipse, style=filled, fontcolor=white];\n");
    for n in &graph.nodes {
        let _ = writeln!(
            s,
            "  {} [label={}, kind={}, fillcolor={}];",
            dot_quote(&n.id),
            dot_quote(&n.name),
            dot_quote(&n.kind),
            dot_quote(kind_colour(&n.kind))
        );
    }
    for l in &graph.links {
        let (c, _) = relation_style(&l.kind);
        let _ = writeln!(
            s,
            "  {} -> {} [label={}, kind={}, from={}, to={}, citation={}, color={}{}];",
            dot_quote(&l.source),
            dot_quote(&l.target),
            dot_quote(&l.kind.replace('_', " ")),
            dot_quote(&l.kind),
            dot_quote(&l.from.map(|d| d.to_string()).unwrap_or_default()),
            dot_quote(&l.to.map(|d| d.to_string()).unwrap_or_default()),
            dot_quote(&l.citation),
            dot_quote(c),
            if l.directed { "" } else { ", dir=none" }
        );
    }
    s.push_str("}\n");
    s
}

/// The graph in GraphML (for Gephi, yEd, networkx): node attributes `name`, `kind`;
/// edge attributes `kind`, `from`, `to`, `citation`; symmetric relations are
/// undirected edges of a directed graph.
pub fn graph_graphml(graph: &ActorGraph) -> String {
    let mut s = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
        "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n",
        "  <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n",
        "  <key id=\"relation\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n",
        "  <key id=\"from\" for=\"edge\" attr.name=\"from\" attr.type=\"string\"/>\n",
        "  <key id=\"to\" for=\"edge\" attr.name=\"to\" attr.type=\"string\"/>\n",
        "  <key id=\"citation\" for=\"edge\" attr.name=\"citation\" attr.type=\"string\"/>\n",
    ));
    let _ = writeln!(
        s,
        "  <graph id=\"actors{}\" edgedefault=\"directed\">",
        graph.at.map(|d| format!("-{d}")).unwrap_or_default()
    );
    for n in &graph.nodes {
        let _ = writeln!(
            s,
            "    <node id=\"{}\"><data key=\"name\">{}</data><data key=\"kind\">{}</data></node>",
            esc(&n.id),
            esc(&n.name),
            esc(&n.kind)
        );
    }
    for (i, l) in graph.links.iter().enumerate() {
        let _ =
            write!(
            s,
            "    <edge id=\"e{i}\" source=\"{}\" target=\"{}\"{}><data key=\"relation\">{}</data>",
            esc(&l.source),
            esc(&l.target),
            if l.directed { "" } else { " directed=\"false\"" },
            esc(&l.kind)
        );
        if let Some(f) = l.from {
            let _ = write!(s, "<data key=\"from\">{f}</data>");
        }
        if let Some(t) = l.to {
            let _ = write!(s, "<data key=\"to\">{t}</data>");
        }
        let _ = writeln!(
            s,
            "<data key=\"citation\">{}</data></edge>",
            esc(&l.citation)
        );
    }
    s.push_str("  </graph>\n</graphml>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_model::graph::GraphNode;

    fn g() -> ActorGraph {
        let node = |id: &str, kind: &str| GraphNode {
            id: id.into(),
            name: id.to_uppercase(),
            kind: kind.into(),
            degree: 1,
        };
        ActorGraph {
            at: None,
            nodes: vec![
                node("a", "state"),
                node("b", "rebel"),
                node("c", "jihadist"),
            ],
            links: vec![
                GraphLink {
                    source: "a".into(),
                    target: "b".into(),
                    kind: "rival".into(),
                    directed: false,
                    from: Some("2021-08-15".parse().unwrap()),
                    to: None,
                    citation: "Report, \"quoted\" & <cited>".into(),
                    note: None,
                },
                GraphLink {
                    source: "a".into(),
                    target: "c".into(),
                    kind: "hosts".into(),
                    directed: true,
                    from: None,
                    to: Some("2001-12-31".parse().unwrap()),
                    citation: "x".into(),
                    note: None,
                },
            ],
        }
    }

    #[test]
    fn the_drawing_hides_the_links_that_do_not_hold_on_the_day() {
        let svg = render_graph_svg(&g(), Some("2022-01-01".parse().unwrap()), &|id| {
            Some(format!("/actors/{id}"))
        });
        assert_eq!(svg.matches("<line class=\"link\"").count(), 1);
        assert_eq!(svg.matches("<line class=\"link off\"").count(), 1);
        assert!(svg.contains("<g class=\"node idle\" data-id=\"c\""));
        assert!(svg.contains("href=\"/actors/a\""));
        assert!(svg.contains("&quot;quoted&quot; &amp; &lt;cited&gt;"));
        assert_eq!(layout(&g()), layout(&g()), "deterministic");
    }

    #[test]
    fn dot_and_graphml_carry_every_link() {
        let dot = graph_dot(&g());
        assert!(dot.contains("\"a\" -> \"b\""), "{dot}");
        assert!(dot.contains("dir=none"));
        assert!(dot.contains("\\\"quoted\\\""));
        let xml = graph_graphml(&g());
        assert_eq!(xml.matches("<edge ").count(), 2);
        assert_eq!(xml.matches("<node ").count(), 3);
        assert!(xml.contains("directed=\"false\""));
    }
}
