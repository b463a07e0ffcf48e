//! Record filters shared by export and queries, compiled to a SQL predicate.

use chrono::NaiveDate;

/// A conjunction of simple conditions on incidents. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// First day included (by `date_start`).
    pub from: Option<NaiveDate>,
    /// Last day included (by `date_start`).
    pub to: Option<NaiveDate>,
    /// Source names.
    pub sources: Vec<String>,
    /// Countries, as the source writes them.
    pub countries: Vec<String>,
    /// Common event types.
    pub event_types: Vec<String>,
    /// Keep only records at least this precise (geo_precision code ≤ N).
    pub min_geo_precision: Option<u8>,
    /// Keep only records at least this precisely dated (date_precision code ≤ N).
    pub min_date_precision: Option<u8>,
}

/// Quotes a string as a SQL literal.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn any_of(col: &str, values: &[String]) -> Option<String> {
    (!values.is_empty()).then(|| {
        format!(
            "{col} IN ({})",
            values
                .iter()
                .map(|v| quote(v))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

impl Filter {
    /// The SQL predicate (`TRUE` when empty). Values are quoted, never spliced raw.
    pub fn to_sql(&self) -> String {
        let mut parts = Vec::new();
        if let Some(d) = self.from {
            parts.push(format!("date_start >= DATE '{d}'"));
        }
        if let Some(d) = self.to {
            parts.push(format!("date_start <= DATE '{d}'"));
        }
        parts.extend(any_of("source", &self.sources));
        parts.extend(any_of("country", &self.countries));
        parts.extend(any_of("event_type", &self.event_types));
        if let Some(p) = self.min_geo_precision {
            parts.push(format!("geo_precision <= {p}"));
        }
        if let Some(p) = self.min_date_precision {
            parts.push(format!("date_precision <= {p}"));
        }
        if parts.is_empty() {
            "TRUE".into()
        } else {
            parts.join(" AND ")
        }
    }

    /// A human-readable description, for provenance footers.
    pub fn describe(&self) -> String {
        let s = self.to_sql();
        if s == "TRUE" {
            "all records".into()
        } else {
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn quotes_are_escaped() {
        let f = Filter {
            sources: vec!["a'b".into()],
            ..Filter::default()
        };
        assert_eq!(f.to_sql(), "source IN ('a''b')");
        assert_eq!(Filter::default().to_sql(), "TRUE");
    }
}
