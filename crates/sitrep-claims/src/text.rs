//! Claimant and target names → actor ids.

use chrono::NaiveDate;
use sitrep_resolve::Registry;

/// A key for a party the registry does not know: the folded name.
pub fn party_key(name: &str) -> String {
    sitrep_resolve::text::fold(name)
}

/// Resolves a name as analysts and logs write it: the whole name first, then without
/// parenthesised qualifiers ("Taliban fighters (per witnesses)"), then its first
/// clause (before `;`, ` vs `, ` and `, ` with `, `,`), then that clause without its
/// last words one at a time ("IS-KP militants" → "IS-KP"). `None` when nothing
/// resolves, or when the text names several actors ("Taliban and Pakistani border
/// forces") — a claim about two actors is not an attribution to one.
pub fn resolve_name(
    reg: &Registry,
    name: &str,
    country: Option<&str>,
    date: Option<NaiveDate>,
) -> Option<String> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let direct = |n: &str| {
        reg.resolve_ids(n, country, date)
            .map(|(id, _)| id.to_string())
    };
    if let Some(id) = direct(name) {
        return Some(id);
    }
    let stripped = strip_parens(name);
    if let Some(id) = direct(&stripped) {
        return Some(id);
    }
    let lower = stripped.to_ascii_lowercase();
    for sep in [" vs ", " and ", " with ", " + ", " & "] {
        if lower.contains(sep) {
            return None; // several actors
        }
    }
    let first = stripped.split([';', ',', '/']).next().unwrap_or("").trim();
    let words: Vec<&str> = first.split_whitespace().collect();
    for n in (1..=words.len()).rev() {
        let cand = words[..n].join(" ");
        if let Some(id) = direct(&cand) {
            return Some(id);
        }
    }
    None
}

/// The name without `( … )` parts.
pub fn strip_parens(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_logs_write_them_resolve() {
        let reg = Registry::bundled().unwrap();
        let d = NaiveDate::from_ymd_opt(2022, 5, 1);
        let r = |n: &str| resolve_name(&reg, n, Some("Afghanistan"), d);
        assert_eq!(r("IS-KP").as_deref(), Some("is-kp"));
        assert_eq!(r("Taliban (IEA)").as_deref(), Some("taliban"));
        assert_eq!(
            r("Taliban fighters (per witnesses)").as_deref(),
            Some("taliban")
        );
        assert_eq!(
            r("IS-KP militants (per agency reports)").as_deref(),
            Some("is-kp")
        );
        assert_eq!(r("NRF").as_deref(), Some("nrf"));
        assert_eq!(r("Taliban and Pakistani border forces"), None);
        assert_eq!(r(""), None);
    }
}
