//! URL helpers for links between pages and API answers.

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Joins query parts, skipping empty ones, with a leading `?` when any remain.
pub fn qs(parts: &[&str]) -> String {
    let v: Vec<&str> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
    if v.is_empty() {
        String::new()
    } else {
        format!("?{}", v.join("&"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_reserved() {
        assert_eq!(super::encode("a b,c'&"), "a%20b%2Cc%27%26");
    }
}
