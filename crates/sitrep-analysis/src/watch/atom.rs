//! Alerts as an Atom 1.0 feed (RFC 4287).

use super::alerts::Alert;

/// Escapes text for XML content and attributes.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// The feed: newest alert first. `base` is the server's origin
/// (`http://127.0.0.1:8080`), used for links; `updated` the feed's time (RFC 3339),
/// e.g. the data vintage.
pub fn feed(alerts: &[&Alert], base: &str, updated: &str) -> String {
    let updated = if updated.is_empty() {
        "1970-01-01T00:00:00Z"
    } else {
        updated
    };
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    s.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    s.push_str("  <title>sitrep alerts</title>\n");
    s.push_str("  <id>urn:sitrep:alerts</id>\n");
    s.push_str(&format!("  <updated>{}</updated>\n", xml_escape(updated)));
    s.push_str("  <author><name>sitrep</name></author>\n");
    s.push_str(&format!(
        "  <link rel=\"self\" href=\"{}/api/v1/alerts.atom\"/>\n",
        xml_escape(base)
    ));
    s.push_str(&format!(
        "  <link rel=\"alternate\" href=\"{}/watch\"/>\n",
        xml_escape(base)
    ));
    let mut sorted: Vec<&&Alert> = alerts.iter().collect();
    sorted.sort_by(|a, b| {
        b.bucket_start
            .cmp(&a.bucket_start)
            .then(a.indicator.cmp(&b.indicator))
    });
    for a in sorted {
        let title = format!(
            "{}: {} ({} – {})",
            a.kind, a.title, a.bucket_start, a.bucket_end
        );
        let mut summary = a.note.clone();
        if a.incomplete {
            summary.push_str(" [latest bucket incomplete]");
        }
        if let Some(d) = a.data_through {
            summary.push_str(&format!(" Data through {d}."));
        }
        s.push_str("  <entry>\n");
        s.push_str(&format!(
            "    <id>urn:sitrep:alert:{}</id>\n",
            xml_escape(&a.id)
        ));
        s.push_str(&format!("    <title>{}</title>\n", xml_escape(&title)));
        s.push_str(&format!(
            "    <updated>{}T00:00:00Z</updated>\n",
            a.bucket_end
        ));
        s.push_str(&format!(
            "    <link href=\"{}/watch/{}\"/>\n",
            xml_escape(base),
            xml_escape(&a.indicator)
        ));
        s.push_str(&format!(
            "    <category term=\"{}\"/>\n",
            xml_escape(&a.kind)
        ));
        s.push_str(&format!(
            "    <summary>{}</summary>\n",
            xml_escape(summary.trim())
        ));
        s.push_str("  </entry>\n");
    }
    s.push_str("</feed>\n");
    s
}
