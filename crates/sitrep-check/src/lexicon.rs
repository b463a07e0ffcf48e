//! [`NameLexicon`]: the extractor's [`Lexicon`] backed by sitrep's actor registry and
//! gazetteer.
//!
//! * **Actors**: every registry actor's id, canonical name and aliases whose scope
//!   holds for the article: no country scope or Afghanistan, and a date scope that
//!   contains the article date ("Government of Afghanistan" is the Taliban in a 2022
//!   article and the Islamic Republic in a 2019 one). A name that would stand for two
//!   actors is left out (ambiguous).
//! * **Places**: provinces (name, spelling variants, ISO code), provincial capitals
//!   (→ their province), districts (`district:<name>`), the country
//!   (`country:Afghanistan`), and compass regions ("the north", "the east and north",
//!   "northern provinces": `region:<direction>`, mapped to gazetteer regions by
//!   [`crate::query`]).
//!
//! Matching is word-bounded (a hyphen continues a word: "anti-Taliban" is not
//! "Taliban"), longest name first, and a registry or gazetteer name must start with
//! a capital letter in the text (proper nouns: "Kabul", not "kabul"); names with no
//! lower-case letters ("IS-KP", "NRF", "ALP") must match case exactly, so the
//! registry's "IS" never matches the verb "is".

use chrono::NaiveDate;
use sitrep_extract::text::Span;
use sitrep_extract::{Lexicon, Match, MatchKind, MemoryLexicon};
use sitrep_resolve::{Gazetteer, Registry};
use std::collections::HashMap;

/// The theatre: aliases scoped to another country do not apply.
pub const COUNTRY: &str = "Afghanistan";

/// Actor ids the lexicon leaves out: they are not parties a claim is "about"
/// ("civilians killed" is a measure, not an actor filter).
const SKIP_ACTORS: &[&str] = &["civilians", "unidentified"];

#[derive(Debug, Clone)]
struct Entry {
    /// As written in the registry or gazetteer.
    name: String,
    /// Lower-cased, for case-insensitive names.
    lower: String,
    /// No lower-case letter: match case exactly.
    exact: bool,
    id: String,
    kind: MatchKind,
}

/// Registry- and gazetteer-backed names for the extractor.
#[derive(Debug, Clone)]
pub struct NameLexicon {
    actors: Vec<Entry>,
    places: Vec<Entry>,
    regions: MemoryLexicon,
}

fn entry(name: &str, id: &str, kind: MatchKind) -> Option<Entry> {
    let name = name.trim();
    if name.chars().count() < 2 || !name.chars().next().is_some_and(char::is_alphanumeric) {
        return None;
    }
    let exact = !name.chars().any(char::is_lowercase);
    Some(Entry {
        name: name.to_string(),
        lower: name.to_lowercase(),
        exact,
        id: id.to_string(),
        kind,
    })
}

/// Keeps one entry per name; a name standing for two ids is dropped. Longest first.
fn finish(entries: Vec<Entry>) -> Vec<Entry> {
    let mut by_name: HashMap<String, Option<Entry>> = HashMap::new();
    for e in entries {
        let key = if e.exact {
            e.name.clone()
        } else {
            e.lower.clone()
        };
        match by_name.get_mut(&key) {
            None => {
                by_name.insert(key, Some(e));
            }
            Some(Some(old)) if old.id != e.id => {
                by_name.insert(key, None);
            }
            Some(_) => {}
        }
    }
    let mut out: Vec<Entry> = by_name.into_values().flatten().collect();
    out.sort_by(|a, b| b.name.len().cmp(&a.name.len()).then(a.name.cmp(&b.name)));
    out
}

impl NameLexicon {
    /// The lexicon for an article dated `article_date`.
    pub fn new(registry: &Registry, gazetteer: &Gazetteer, article_date: NaiveDate) -> Self {
        let mut actors = Vec::new();
        for a in registry.actors() {
            if SKIP_ACTORS.contains(&a.id.as_str()) {
                continue;
            }
            actors.extend(entry(&a.name, &a.id, MatchKind::Actor));
            if a.id.len() > 2 {
                actors.extend(entry(&a.id, &a.id, MatchKind::Actor).filter(|e| e.exact));
            }
            for al in &a.aliases {
                let country_ok = al
                    .country
                    .as_deref()
                    .is_none_or(|c| c.eq_ignore_ascii_case(COUNTRY));
                let date_ok = al.from.is_none_or(|f| f <= article_date)
                    && al.to.is_none_or(|t| article_date <= t);
                if country_ok && date_ok {
                    actors.extend(entry(&al.name, &a.id, MatchKind::Actor));
                }
            }
        }
        let mut places = Vec::new();
        for p in gazetteer.provinces() {
            places.extend(entry(&p.name, &p.code, MatchKind::Place));
            for v in &p.variants {
                places.extend(entry(v, &p.code, MatchKind::Place));
            }
            places.extend(entry(&p.code, &p.code, MatchKind::Place));
            if let Some(c) = &p.capital {
                places.extend(entry(&c.name, &p.code, MatchKind::Place));
                for v in &c.aliases {
                    places.extend(entry(v, &p.code, MatchKind::Place));
                }
            }
        }
        let taken: std::collections::HashSet<String> =
            places.iter().map(|e| e.lower.clone()).collect();
        for d in gazetteer.districts() {
            // A district that shares its name with a province or capital is that place.
            if d.name.chars().count() >= 4 && !taken.contains(&d.name.to_lowercase()) {
                places.extend(entry(
                    &d.name,
                    &format!("district:{}", d.name),
                    MatchKind::Place,
                ));
            }
        }
        places.extend(entry(
            COUNTRY,
            &format!("country:{COUNTRY}"),
            MatchKind::Place,
        ));
        NameLexicon {
            actors: finish(actors),
            places: finish(places),
            regions: MemoryLexicon::new().with_regions(),
        }
    }
}

/// A character that continues a word ("anti-Taliban" is one word).
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

fn find(text: &str, entries: &[Entry]) -> Vec<Match> {
    // Lower-casing may change byte lengths outside ASCII; fall back to ASCII folding.
    let lower = text.to_ascii_lowercase();
    let mut taken: Vec<Match> = Vec::new();
    for e in entries {
        let (hay, needle) = if e.exact {
            (text, e.name.as_str())
        } else {
            (lower.as_str(), e.lower.as_str())
        };
        if needle.len() != e.name.len() {
            continue; // non-ASCII case folding changed the length
        }
        let mut from = 0;
        while let Some(pos) = hay[from..].find(needle) {
            let s = from + pos;
            let en = s + needle.len();
            from = s + needle.chars().next().map_or(1, char::len_utf8);
            let before_ok = text[..s].chars().next_back().is_none_or(|c| !word_char(c));
            let after_ok = text[en..].chars().next().is_none_or(|c| !word_char(c));
            let capital = text[s..].chars().next().is_some_and(|c| !c.is_lowercase());
            if !before_ok || !after_ok || !capital {
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

impl Lexicon for NameLexicon {
    fn actors(&self, text: &str) -> Vec<Match> {
        find(text, &self.actors)
    }

    fn places(&self, text: &str) -> Vec<Match> {
        let mut out = find(text, &self.places);
        for r in self.regions.places(text) {
            if !out
                .iter()
                .any(|m| m.span.start < r.span.end && r.span.start < m.span.end)
            {
                out.push(r);
            }
        }
        out.sort_by_key(|m| m.span.start);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(date: &str) -> NameLexicon {
        NameLexicon::new(
            &Registry::bundled().unwrap(),
            &Gazetteer::bundled().unwrap(),
            date.parse().unwrap(),
        )
    }

    fn ids(ms: Vec<Match>) -> Vec<String> {
        ms.into_iter().map(|m| m.id).collect()
    }

    #[test]
    fn actors_by_alias_spelling_and_acronym() {
        let l = lex("2022-09-11");
        assert_eq!(
            ids(l.actors("IS-KP attacks on the Taleban and the NRF in Panjshir")),
            vec!["is-kp", "taliban", "nrf"]
        );
        assert_eq!(
            ids(l.actors("Islamic State-Khorasan Province (IS-KP) emerged")),
            vec!["is-kp", "is-kp"]
        );
        // Not inside a hyphenated word, not the verb "is", not lower case.
        assert!(l
            .actors("anti-Taliban groups; it is clear; the taliban")
            .is_empty());
    }

    #[test]
    fn date_scope_decides_the_government() {
        let text = "Government of Afghanistan forces attacked.";
        assert_eq!(ids(lex("2022-09-11").actors(text)), vec!["taliban"]);
        assert_ne!(ids(lex("2019-06-01").actors(text)), vec!["taliban"]);
    }

    #[test]
    fn places_provinces_capitals_regions() {
        let l = lex("2022-09-11");
        let got = ids(l.places(
            "In Panjshir province north east of Kabul, in Jalalabad and in the east and north of Afghanistan",
        ));
        assert_eq!(
            got,
            vec![
                "AF-PAN",
                "AF-KAB",
                "AF-NAN",
                "region:east",
                "region:north",
                "country:Afghanistan"
            ]
        );
    }
}
