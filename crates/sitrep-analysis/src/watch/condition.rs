//! A scenario's `when` condition: indicator ids combined with `and`, `or` and
//! parentheses (`and` binds tighter than `or`; the words are case-insensitive), read
//! with errors that give the offset of the offending word, and evaluated in Kleene's
//! three-valued logic so that missing data never reads as "quiet": an indicator
//! without data is *unknown*; `a and b` is false when either is false, true when both
//! are true, unknown otherwise; `a or b` is true when either is true, false when both
//! are false, unknown otherwise.

use serde::Serialize;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// An indicator id, with its byte offset in the expression.
    Indicator {
        /// The id.
        id: String,
        /// Byte offset in the expression.
        at: usize,
    },
    /// Every part holds.
    All(Vec<Condition>),
    /// Some part holds.
    Any(Vec<Condition>),
}

/// Why a condition could not be read: the byte offset in the expression and the message.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionError {
    /// Byte offset in the expression.
    pub at: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Id(String),
    And,
    Or,
    Open,
    Close,
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, ConditionError> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push((Tok::Open, i));
            i += 1;
        } else if c == ')' {
            out.push((Tok::Close, i));
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            let s = i;
            while i < b.len() && {
                let c = b[i] as char;
                c.is_ascii_alphanumeric() || c == '-' || c == '_'
            } {
                i += 1;
            }
            let w = &src[s..i];
            out.push((
                match w.to_ascii_lowercase().as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    _ => Tok::Id(w.to_string()),
                },
                s,
            ));
        } else {
            let ch = src[i..].chars().next().unwrap_or(c);
            return Err(ConditionError {
                at: i,
                message: format!(
                    "unexpected `{ch}`: write indicator ids joined by `and` / `or`, with parentheses"
                ),
            });
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }
    fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |t| t.1)
    }
    fn or(&mut self) -> Result<Condition, ConditionError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap()
        } else {
            Condition::Any(parts)
        })
    }
    fn and(&mut self) -> Result<Condition, ConditionError> {
        let mut parts = vec![self.atom()?];
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            parts.push(self.atom()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap()
        } else {
            Condition::All(parts)
        })
    }
    fn atom(&mut self) -> Result<Condition, ConditionError> {
        let at = self.at();
        match self.peek().cloned() {
            Some(Tok::Id(id)) => {
                self.pos += 1;
                Ok(Condition::Indicator { id, at })
            }
            Some(Tok::Open) => {
                self.pos += 1;
                let c = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(ConditionError {
                        at: self.at(),
                        message: format!("`(` at offset {} is not closed: expected `)`", at + 1),
                    });
                }
                self.pos += 1;
                Ok(c)
            }
            Some(t) => Err(ConditionError {
                at,
                message: format!(
                    "expected an indicator id or `(`, found `{}`",
                    match t {
                        Tok::And => "and",
                        Tok::Or => "or",
                        Tok::Close => ")",
                        _ => "",
                    }
                ),
            }),
            None => Err(ConditionError {
                at,
                message: "the condition ends where an indicator id or `(` is expected".into(),
            }),
        }
    }
}

impl Condition {
    /// Reads `src`.
    pub fn parse(src: &str) -> Result<Condition, ConditionError> {
        let toks = lex(src)?;
        let mut p = Parser {
            toks,
            pos: 0,
            end: src.len(),
        };
        let c = p.or()?;
        if p.pos < p.toks.len() {
            let (t, at) = &p.toks[p.pos];
            return Err(ConditionError {
                at: *at,
                message: match t {
                    Tok::Close => "`)` without a matching `(`".into(),
                    _ => "expected `and` or `or` between two indicators".into(),
                },
            });
        }
        Ok(c)
    }

    /// The indicator ids named, with their offsets, in order.
    pub fn ids(&self) -> Vec<(&str, usize)> {
        match self {
            Condition::Indicator { id, at } => vec![(id.as_str(), *at)],
            Condition::All(v) | Condition::Any(v) => v.iter().flat_map(|c| c.ids()).collect(),
        }
    }

    /// Kleene evaluation: `value(id)` is `Some(fired)` or `None` (no data).
    pub fn eval(&self, value: &dyn Fn(&str) -> Option<bool>) -> Option<bool> {
        match self {
            Condition::Indicator { id, .. } => value(id),
            Condition::All(v) => {
                let mut unknown = false;
                for c in v {
                    match c.eval(value) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                (!unknown).then_some(true)
            }
            Condition::Any(v) => {
                let mut unknown = false;
                for c in v {
                    match c.eval(value) {
                        Some(true) => return Some(true),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                (!unknown).then_some(false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v<'a>(t: &'a [&'a str], f: &'a [&'a str]) -> impl Fn(&str) -> Option<bool> + 'a {
        move |id| {
            if t.contains(&id) {
                Some(true)
            } else if f.contains(&id) {
                Some(false)
            } else {
                None
            }
        }
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let c = Condition::parse("a or b AND c").unwrap();
        assert_eq!(c.ids(), [("a", 0), ("b", 5), ("c", 11)]);
        // a or (b and c)
        assert_eq!(c.eval(&v(&["a"], &["b", "c"])), Some(true));
        assert_eq!(c.eval(&v(&["b"], &["a", "c"])), Some(false));
        let c = Condition::parse("(a or b) and c").unwrap();
        assert_eq!(c.eval(&v(&["a"], &["b", "c"])), Some(false));
        assert_eq!(c.eval(&v(&["a", "c"], &["b"])), Some(true));
    }

    #[test]
    fn missing_data_is_unknown_unless_the_rest_decides() {
        let and = Condition::parse("a and b").unwrap();
        assert_eq!(and.eval(&v(&["a"], &[])), None);
        assert_eq!(and.eval(&v(&[], &["a"])), Some(false));
        let or = Condition::parse("a or b").unwrap();
        assert_eq!(or.eval(&v(&["a"], &[])), Some(true));
        assert_eq!(or.eval(&v(&[], &["a"])), None);
        assert_eq!(or.eval(&v(&[], &["a", "b"])), Some(false));
    }

    #[test]
    fn errors_give_the_offset() {
        let e = |s| Condition::parse(s).unwrap_err();
        assert_eq!(e("a and").at, 5);
        assert_eq!(e("a b").at, 2);
        assert_eq!(e("(a or b").at, 7);
        assert_eq!(e("a) or b").at, 1);
        assert_eq!(e("a & b").at, 2);
        assert_eq!(e("").at, 0);
        assert_eq!(e("a or or b").at, 5);
        assert!(e("a and").message.contains("ends"));
    }
}
