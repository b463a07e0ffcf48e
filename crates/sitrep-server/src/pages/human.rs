//! Numbers as people read them on pages and in tables: thousands separators
//! ([`super::num`]), shares as percentages, ranges as "low–high". Raw values stay
//! unchanged in CSV and JSON answers (the API modules never call these).

use super::num;

/// A share (0–1) as a percentage: whole percent from 10 %, one decimal below,
/// "<0.1%" for tiny non-zero shares ("83%", "4.2%", "<0.1%", "0%").
pub(crate) fn percent(share: f64) -> String {
    let p = share * 100.0;
    if !p.is_finite() {
        "–".into()
    } else if p == 0.0 {
        "0%".into()
    } else if p.abs() < 0.1 {
        "<0.1%".into()
    } else if p.abs() < 10.0 {
        format!("{p:.1}%")
    } else {
        format!("{}%", num(p.round() as i64))
    }
}

/// A range "low–high" with separators, one number when both ends agree, and
/// "unknown" for a missing high end.
pub(crate) fn range(low: i64, high: Option<i64>) -> String {
    match high {
        Some(h) if h == low => num(low),
        Some(h) => format!("{}–{}", num(low), num(h)),
        None => format!("{}–unknown", num(low)),
    }
}

/// A best estimate with its range: "1,234 (1,000–2,000)", or the number alone when
/// the range is one value.
pub(crate) fn best_with_range(best: i64, low: i64, high: Option<i64>) -> String {
    if high == Some(low) {
        num(best)
    } else {
        format!("{} ({})", num(best), range(low, high))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(percent(0.834), "83%");
        assert_eq!(percent(0.0421), "4.2%");
        assert_eq!(percent(0.0004), "<0.1%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(12.5), "1,250%");
        assert_eq!(range(1200, Some(15000)), "1,200–15,000");
        assert_eq!(range(3, Some(3)), "3");
        assert_eq!(range(3, None), "3–unknown");
        assert_eq!(
            best_with_range(1500, 1200, Some(2100)),
            "1,500 (1,200–2,100)"
        );
        assert_eq!(best_with_range(7, 7, Some(7)), "7");
    }
}
