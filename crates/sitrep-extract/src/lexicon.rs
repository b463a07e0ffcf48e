//! Names through a trait: the caller plugs in its actor registry and gazetteer by
//! implementing [`Lexicon`]. [`MemoryLexicon`] is a small in-memory table (aliases →
//! ids, case-insensitive, word-boundary aware, longest match first) used in tests and
//! as a reference implementation; it also knows compass regions ("the north", "the
//! east and north") as places.

use serde::Serialize;

use crate::text::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MatchKind {
    Actor,
    Place,
    /// A compass region of the country ("the north", "the south-east").
    Region,
}

/// A name found in text: where, which canonical id, and the surface form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Match {
    /// Byte span in the text given to the lexicon.
    pub span: Span,
    /// Canonical id in the caller's registry (e.g. "actor:is-kp", "place:AF-PAN").
    pub id: String,
    /// The text as it appears.
    pub surface: String,
    pub kind: MatchKind,
}

/// Resolves names in a sentence. Implementations must return non-overlapping matches
/// in text order, with spans into `text`.
pub trait Lexicon {
    fn actors(&self, text: &str) -> Vec<Match>;
    fn places(&self, text: &str) -> Vec<Match>;
}

/// A lexicon that knows nothing (every sentence gets the article's default scope).
pub struct NoLexicon;

impl Lexicon for NoLexicon {
    fn actors(&self, _: &str) -> Vec<Match> {
        Vec::new()
    }
    fn places(&self, _: &str) -> Vec<Match> {
        Vec::new()
    }
}

#[derive(Debug, Clone)]
struct Entry {
    alias: String,
    id: String,
    kind: MatchKind,
}

/// An in-memory table of aliases → ids.
#[derive(Debug, Clone, Default)]
pub struct MemoryLexicon {
    actors: Vec<Entry>,
    places: Vec<Entry>,
}

const DIRECTIONS: &[(&str, &str)] = &[
    ("north-east", "northeast"),
    ("north east", "northeast"),
    ("northeast", "northeast"),
    ("north-west", "northwest"),
    ("north west", "northwest"),
    ("northwest", "northwest"),
    ("south-east", "southeast"),
    ("south east", "southeast"),
    ("southeast", "southeast"),
    ("south-west", "southwest"),
    ("south west", "southwest"),
    ("southwest", "southwest"),
    ("north", "north"),
    ("south", "south"),
    ("east", "east"),
    ("west", "west"),
];

impl MemoryLexicon {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add an actor with its aliases.
    pub fn actor(mut self, id: &str, aliases: &[&str]) -> Self {
        for a in aliases {
            self.actors.push(Entry {
                alias: a.to_ascii_lowercase(),
                id: id.to_string(),
                kind: MatchKind::Actor,
            });
        }
        sort(&mut self.actors);
        self
    }

    /// Add a place with its aliases.
    pub fn place(mut self, id: &str, aliases: &[&str]) -> Self {
        for a in aliases {
            self.places.push(Entry {
                alias: a.to_ascii_lowercase(),
                id: id.to_string(),
                kind: MatchKind::Place,
            });
        }
        sort(&mut self.places);
        self
    }

    /// Add compass regions: "the north", "the north-east", "the country's south",
    /// "northern" + place-word ("northern provinces"), ids `"region:<direction>"`.
    pub fn with_regions(mut self) -> Self {
        for (surface, id) in DIRECTIONS {
            let id = format!("region:{id}");
            for form in [
                format!("the {surface}"),
                format!("the country's {surface}"),
                format!("the country\u{2019}s {surface}"),
                format!("{surface}ern provinces"),
                format!("{surface}ern afghanistan"),
            ] {
                self.places.push(Entry {
                    alias: form,
                    id: id.clone(),
                    kind: MatchKind::Region,
                });
            }
        }
        sort(&mut self.places);
        self
    }
}

fn sort(v: &mut [Entry]) {
    v.sort_by(|a, b| {
        b.alias
            .len()
            .cmp(&a.alias.len())
            .then(a.alias.cmp(&b.alias))
    });
}

/// A character that continues a word for boundary purposes (a hyphen does: "anti-Taliban"
/// is not "Taliban").
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

fn find_all(text: &str, entries: &[Entry]) -> Vec<Match> {
    let lower = text.to_ascii_lowercase();
    let mut taken: Vec<Match> = Vec::new();
    for e in entries {
        if e.alias.is_empty() {
            continue;
        }
        let mut from = 0;
        while let Some(pos) = lower[from..].find(&e.alias) {
            let s = from + pos;
            let en = s + e.alias.len();
            from = s + 1;
            while !lower.is_char_boundary(from) {
                from += 1;
            }
            let before_ok = lower[..s].chars().next_back().is_none_or(|c| !word_char(c));
            let after_ok = lower[en..].chars().next().is_none_or(|c| !word_char(c));
            if !before_ok || !after_ok {
                continue;
            }
            if taken.iter().any(|m| m.span.start < en && s < m.span.end) {
                continue;
            }
            taken.push(Match {
                span: Span::new(s, en),
                id: e.id.clone(),
                surface: text[s..en].to_string(),
                kind: e.kind,
            });
        }
    }
    taken.sort_by_key(|m| m.span.start);
    taken
}

impl Lexicon for MemoryLexicon {
    fn actors(&self, text: &str) -> Vec<Match> {
        find_all(text, &self.actors)
    }

    fn places(&self, text: &str) -> Vec<Match> {
        let mut found = find_all(text, &self.places);
        // "the east and north": a bare direction joined to a region match.
        let lower = text.to_ascii_lowercase();
        let mut extra = Vec::new();
        for m in found.iter().filter(|m| m.kind == MatchKind::Region) {
            let rest = &lower[m.span.end..];
            for conj in [" and ", " or ", ", "] {
                if let Some(r) = rest.strip_prefix(conj) {
                    for (surface, id) in DIRECTIONS {
                        if r.starts_with(surface)
                            && r[surface.len()..]
                                .chars()
                                .next()
                                .is_none_or(|c| !word_char(c))
                        {
                            let s = m.span.end + conj.len();
                            let e = s + surface.len();
                            extra.push(Match {
                                span: Span::new(s, e),
                                id: format!("region:{id}"),
                                surface: text[s..e].to_string(),
                                kind: MatchKind::Region,
                            });
                            break;
                        }
                    }
                }
            }
        }
        for x in extra {
            if !found
                .iter()
                .any(|m| m.span.start < x.span.end && x.span.start < m.span.end)
            {
                found.push(x);
            }
        }
        found.sort_by_key(|m| m.span.start);
        found
    }
}
