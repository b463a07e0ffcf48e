//! A [`Panel`] as CSV, so a back-test can be re-run outside the store (the release
//! bench `examples/forecast_backtest.rs`, or any other tool).
//!
//! One row per unit: `unit,neighbours,YYYY-MM,YYYY-MM,…`. `neighbours` lists the
//! unit's neighbour indexes (0-based row numbers) separated by `;`; a count cell is a
//! number, or empty for a month no source covered (`None`). The first month's header
//! gives [`Panel::first_calendar_month`]. Covariates are not written.

use super::{Panel, PanelError};

impl Panel {
    /// The panel as CSV; `first_month` is `(year, month)` of month index 0, which
    /// labels the columns.
    pub fn to_csv(&self, first_month: (i32, u32)) -> String {
        let mut out = String::from("unit,neighbours");
        let (y0, m0) = (first_month.0, first_month.1.clamp(1, 12) as i32 - 1);
        for t in 0..self.months as i32 {
            let k = m0 + t;
            out.push_str(&format!(
                ",{}-{:02}",
                y0 + k.div_euclid(12),
                k.rem_euclid(12) + 1
            ));
        }
        out.push('\n');
        for (u, name) in self.units.iter().enumerate() {
            out.push_str(&csv_field(name));
            out.push(',');
            if let Some(ns) = self.neighbours.get(u) {
                let ns: Vec<String> = ns.iter().map(|n| n.to_string()).collect();
                out.push_str(&ns.join(";"));
            }
            for v in &self.y[u] {
                out.push(',');
                if let Some(v) = v {
                    out.push_str(&v.to_string());
                }
            }
            out.push('\n');
        }
        out
    }

    /// Parses [`Panel::to_csv`]'s format (unit names may not contain commas or quotes
    /// when written by hand; `to_csv` quotes them). Errors name the line.
    pub fn from_csv(text: &str) -> Result<Panel, PanelError> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines
            .next()
            .ok_or_else(|| PanelError("empty panel CSV".into()))?;
        let cols: Vec<&str> = header.split(',').collect();
        if cols.len() < 2 || cols[0] != "unit" || cols[1] != "neighbours" {
            return Err(PanelError(format!(
                "line 1: header must start with unit,neighbours, not {header:?}"
            )));
        }
        let months = cols.len() - 2;
        let first_calendar_month = cols
            .get(2)
            .and_then(|c| c.split('-').nth(1))
            .and_then(|m| m.parse::<u8>().ok());
        let (mut units, mut y, mut neighbours) = (Vec::new(), Vec::new(), Vec::new());
        for (i, line) in lines {
            let at = |what: String| PanelError(format!("line {}: {what}", i + 1));
            let (name, rest) = split_name(line).ok_or_else(|| at("unclosed quote".into()))?;
            let fields: Vec<&str> = rest.split(',').collect();
            if fields.len() != months + 1 {
                return Err(at(format!(
                    "{} fields, expected {}",
                    fields.len() + 1,
                    months + 2
                )));
            }
            let ns = fields[0]
                .split(';')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<usize>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| at(format!("neighbours {:?}: {e}", fields[0])))?;
            let row = fields[1..]
                .iter()
                .map(|f| {
                    if f.is_empty() {
                        Ok(None)
                    } else {
                        f.parse::<f64>()
                            .map(Some)
                            .map_err(|e| at(format!("count {f:?}: {e}")))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            units.push(name);
            neighbours.push(ns);
            y.push(row);
        }
        let p = Panel {
            units,
            months,
            y,
            neighbours,
            covariates: Vec::new(),
            first_calendar_month,
        };
        p.validate()?;
        Ok(p)
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Splits the (possibly quoted) first field from the rest of the line.
fn split_name(line: &str) -> Option<(String, &str)> {
    if let Some(q) = line.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = q.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().map(|(_, c)| *c) == Some('"') {
                    chars.next();
                    name.push('"');
                } else {
                    let rest = &q[i + 1..];
                    return Some((name, rest.strip_prefix(',').unwrap_or(rest)));
                }
            } else {
                name.push(c);
            }
        }
        None
    } else {
        let (a, b) = line.split_once(',').unwrap_or((line, ""));
        Some((a.to_string(), b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_gaps_neighbours_and_calendar() {
        let mut p = Panel::new(
            vec!["Kabul".into(), "a, \"b\"".into()],
            vec![
                vec![Some(1.0), None, Some(2.5)],
                vec![Some(0.0), Some(7.0), None],
            ],
        )
        .unwrap();
        p.neighbours = vec![vec![1], vec![0]];
        p.first_calendar_month = Some(11);
        let text = p.to_csv((2019, 11));
        assert_eq!(
            text,
            "unit,neighbours,2019-11,2019-12,2020-01\nKabul,1,1,,2.5\n\"a, \"\"b\"\"\",0,0,7,\n"
        );
        assert_eq!(Panel::from_csv(&text).unwrap(), p);
    }

    #[test]
    fn bad_rows_are_reported_with_their_line() {
        let e = Panel::from_csv("unit,neighbours,2020-01\nA,,1,2\n").unwrap_err();
        assert_eq!(e.0, "line 2: 4 fields, expected 3");
        let e = Panel::from_csv("unit,neighbours,2020-01\nA,x,1\n").unwrap_err();
        assert!(e.0.starts_with("line 2: neighbours \"x\""), "{}", e.0);
        assert!(Panel::from_csv("unit,neighbours,2020-01\nA,5,1\n").is_err());
        assert!(Panel::from_csv("").is_err());
    }
}
