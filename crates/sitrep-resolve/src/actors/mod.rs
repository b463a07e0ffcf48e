//! The actor registry: canonical actors from reviewed TOML files, and the resolution
//! of the names sources use to them.
//!
//! Resolution tries three keys in turn, each coarser than the last (see
//! [`crate::text`]): the exact string, the folded string (case, diacritics,
//! punctuation), and the loose key (transliteration: Taleban/Taliban, Daesh/Daish).
//! At each level the aliases whose scope fits the record (country, date) compete and
//! the most specific scope wins: a country-and-date alias beats a country alias,
//! which beats an unscoped one. So "IS" is the Islamic State in general, but IS-KP for
//! records in Afghanistan; "Government of Afghanistan" is the Islamic Republic before
//! 15 August 2021 and the Taliban from that day. If two different actors tie, or no
//! alias fits, the name is unresolved and similar names are suggested.

mod model;

pub use model::{
    Actor, ActorKind, Alias, KindPeriod, Leader, LeaderStatus, Relation, RelationKind,
};

use crate::error::ResolveError;
use crate::text;
use chrono::NaiveDate;
use model::FileDoc;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

const BUNDLED: &[(&str, &str)] = &[
    (
        "data/actors/afghanistan.toml",
        include_str!("../../../../data/actors/afghanistan.toml"),
    ),
    (
        "data/actors/regional.toml",
        include_str!("../../../../data/actors/regional.toml"),
    ),
    (
        "data/actors/global.toml",
        include_str!("../../../../data/actors/global.toml"),
    ),
];

/// How a name was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The name is an unscoped alias, letter for letter.
    Exact,
    /// The name matches an unscoped alias after normalisation (case, diacritics,
    /// punctuation, transliteration).
    Normalised,
    /// The name matched an alias scoped to the record's country and/or date.
    Scoped,
    /// No actor: see the suggestions.
    Unresolved,
}

/// A possible actor for an unresolved name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// Actor id.
    pub id: String,
    /// Actor name.
    pub name: String,
    /// Similarity in 0..=1 (1: same normalised name, but its scope did not fit or
    /// several actors share it).
    pub score: f64,
    /// The alias that matched best.
    pub alias: String,
}

/// The result of resolving one name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolution {
    /// The name as given.
    pub query: String,
    /// The actor, if resolved.
    pub actor_id: Option<String>,
    /// The top-level actor (factions rolled up to their parent).
    pub root_id: Option<String>,
    /// How it was resolved.
    pub method: Method,
    /// The alias that matched.
    pub matched_alias: Option<Alias>,
    /// For unresolved names: likely actors, best first.
    pub suggestions: Vec<Suggestion>,
}

/// One name to check, with how often it occurs: input of [`Registry::unresolved`]
/// (a model type: the store's typed reads count names).
pub use sitrep_model::NameCount;

/// Names that do not resolve, with counts and suggestions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnresolvedReport {
    /// Distinct names checked.
    pub names_checked: usize,
    /// Records checked (sum of counts).
    pub records_checked: u64,
    /// Records whose name did not resolve.
    pub records_unresolved: u64,
    /// The unresolved names, most frequent first.
    pub unresolved: Vec<UnresolvedName>,
}

/// One unresolved name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnresolvedName {
    /// The name.
    pub name: String,
    /// The country it was checked with.
    pub country: Option<String>,
    /// Number of records.
    pub count: u64,
    /// Likely actors, best first.
    pub suggestions: Vec<Suggestion>,
}

/// One alias in a lookup table.
#[derive(Debug, Clone)]
struct Entry {
    actor: usize,
    alias: usize,
    country: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl Entry {
    fn fits(&self, country: Option<&str>, date: Option<NaiveDate>) -> bool {
        let country_ok = match (&self.country, country) {
            (None, _) => true,
            (Some(c), Some(q)) => *c == q,
            (Some(_), None) => false,
        };
        let date_ok = match date {
            Some(d) => self.from.is_none_or(|f| f <= d) && self.to.is_none_or(|t| d <= t),
            None => self.from.is_none() && self.to.is_none(),
        };
        country_ok && date_ok
    }
    fn specificity(&self) -> u8 {
        u8::from(self.country.is_some()) + u8::from(self.from.is_some() || self.to.is_some())
    }
}

/// One lookup table: key → aliases with that key.
type Table = HashMap<String, Vec<Entry>>;

/// What one lookup level found.
enum Found {
    One(usize, usize),
    Tie(Vec<usize>),
    Nothing,
}

/// The actor registry. Build it with [`Registry::bundled`] or [`Registry::load`].
#[derive(Debug)]
pub struct Registry {
    actors: Vec<Actor>,
    by_id: HashMap<String, usize>,
    roots: Vec<usize>,
    exact: HashMap<String, Vec<Entry>>,
    folded: HashMap<String, Vec<Entry>>,
    loose: HashMap<String, Vec<Entry>>,
    /// Every day on which some alias's scope starts or ends: resolution of any name
    /// is constant between two consecutive boundaries.
    boundaries: Vec<NaiveDate>,
    version: String,
}

impl Registry {
    /// The registry compiled into the binary (`data/actors/*.toml`).
    pub fn bundled() -> Result<Self, ResolveError> {
        Self::from_sources(
            BUNDLED
                .iter()
                .map(|(n, t)| (PathBuf::from(n), t.to_string()))
                .collect(),
        )
    }

    /// The bundled registry plus more files (e.g. an analyst's `[[alias]]` tables).
    pub fn bundled_with(extra: Vec<(PathBuf, String)>) -> Result<Self, ResolveError> {
        let mut sources: Vec<(PathBuf, String)> = BUNDLED
            .iter()
            .map(|(n, t)| (PathBuf::from(n), t.to_string()))
            .collect();
        sources.extend(extra);
        Self::from_sources(sources)
    }

    /// Every `*.toml` file of a directory, in name order.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, ResolveError> {
        let dir = dir.as_ref();
        let entries = std::fs::read_dir(dir).map_err(|source| ResolveError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(ResolveError::Invalid {
                file: dir.to_path_buf(),
                line: None,
                message: "no *.toml actor files in this directory".into(),
            });
        }
        let mut sources = Vec::new();
        for p in paths {
            let t = crate::gazetteer::read(&p)?;
            sources.push((p, t));
        }
        Self::from_sources(sources)
    }

    /// A registry from (file name, TOML text) pairs. All problems in all files are
    /// reported together.
    pub fn from_sources(sources: Vec<(PathBuf, String)>) -> Result<Self, ResolveError> {
        let mut hasher = crate::Fnv::new();
        let mut errors = Vec::new();
        let mut actors: Vec<Actor> = Vec::new();
        // Where each id, parent and relation target is written, for error lines.
        let mut id_at: Vec<(usize, usize)> = Vec::new();
        let mut parent_at: Vec<Option<usize>> = Vec::new();
        let mut relation_at: Vec<Vec<usize>> = Vec::new();
        let mut file_of: Vec<usize> = Vec::new();
        // `[[alias]]` tables: (file, offset of `actor`, actor id, alias).
        let mut extra: Vec<(usize, usize, String, Alias)> = Vec::new();
        for (fi, (path, text)) in sources.iter().enumerate() {
            hasher.write(path.to_string_lossy().as_bytes());
            hasher.write(text.as_bytes());
            let doc: FileDoc = match toml::from_str(text) {
                Ok(d) => d,
                Err(e) => {
                    errors.push(ResolveError::toml(path, text, &e));
                    continue;
                }
            };
            for x in doc.aliases {
                let at = x.actor.span().start;
                extra.push((
                    fi,
                    at,
                    x.actor.into_inner(),
                    Alias {
                        name: x.name,
                        country: x.country,
                        from: x.from,
                        to: x.to,
                        note: x.note,
                    },
                ));
            }
            for a in doc.actors {
                id_at.push((fi, a.id.span().start));
                parent_at.push(a.parent.as_ref().map(|p| p.span().start));
                relation_at.push(a.relations.iter().map(|r| r.with.span().start).collect());
                file_of.push(fi);
                let mut aliases: Vec<Alias> = a.aliases.into_iter().map(Alias::from).collect();
                if !aliases.iter().any(|x| x.name == a.name && !x.is_scoped()) {
                    aliases.insert(
                        0,
                        Alias {
                            name: a.name.clone(),
                            country: None,
                            from: None,
                            to: None,
                            note: None,
                        },
                    );
                }
                actors.push(Actor {
                    id: a.id.into_inner(),
                    name: a.name,
                    kind: a.kind,
                    kind_history: a.kind_history,
                    parent: a.parent.map(|p| p.into_inner()),
                    factions: Vec::new(),
                    description: a.description,
                    countries: a.countries,
                    ucdp_ids: a.ucdp_ids,
                    aliases,
                    relations: a
                        .relations
                        .into_iter()
                        .map(|r| Relation {
                            kind: r.kind,
                            with: r.with.into_inner(),
                            from: r.from,
                            to: r.to,
                            citation: r.citation,
                            note: r.note,
                        })
                        .collect(),
                    leaders: a.leaders,
                    file: path.to_string_lossy().into_owned(),
                });
            }
        }
        let err_at = |i: usize, offset: Option<usize>, msg: String| {
            let (path, text) = &sources[file_of[i]];
            ResolveError::invalid_at(path, text, offset, msg)
        };
        let mut by_id = HashMap::new();
        for (i, a) in actors.iter().enumerate() {
            let id_ok = !a.id.is_empty()
                && a.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !id_ok {
                errors.push(err_at(
                    i,
                    Some(id_at[i].1),
                    format!("id {:?}: use lower-case letters, digits and '-'", a.id),
                ));
            }
            if let Some(prev) = by_id.insert(a.id.clone(), i) {
                errors.push(err_at(
                    i,
                    Some(id_at[i].1),
                    format!(
                        "duplicate id {:?} (first defined in {})",
                        a.id, actors[prev].file
                    ),
                ));
            }
        }
        for (fi, at, id, alias) in extra {
            match by_id.get(&id) {
                Some(&i) => {
                    if let (Some(f), Some(t)) = (alias.from, alias.to) {
                        if f > t {
                            let (path, text) = &sources[fi];
                            errors.push(ResolveError::invalid_at(
                                path,
                                text,
                                Some(at),
                                format!("alias {:?} of {id} ends before it starts", alias.name),
                            ));
                            continue;
                        }
                    }
                    if !actors[i].aliases.contains(&alias) {
                        actors[i].aliases.push(alias);
                    }
                }
                None => {
                    let (path, text) = &sources[fi];
                    errors.push(ResolveError::invalid_at(
                        path,
                        text,
                        Some(at),
                        format!("alias {:?} of unknown actor {id:?}", alias.name),
                    ));
                }
            }
        }
        for (i, a) in actors.iter().enumerate() {
            if let Some(p) = &a.parent {
                if !by_id.contains_key(p) {
                    errors.push(err_at(
                        i,
                        parent_at[i],
                        format!("{}: unknown parent {p:?}", a.id),
                    ));
                }
            }
            for (r, rel) in a.relations.iter().enumerate() {
                if !by_id.contains_key(&rel.with) {
                    errors.push(err_at(
                        i,
                        Some(relation_at[i][r]),
                        format!("{}: relation with unknown actor {:?}", a.id, rel.with),
                    ));
                }
                if rel.citation.trim().is_empty() {
                    errors.push(err_at(
                        i,
                        Some(relation_at[i][r]),
                        format!(
                            "{}: relation {} {} has no citation",
                            a.id,
                            rel.kind.as_str(),
                            rel.with
                        ),
                    ));
                }
                if let (Some(f), Some(t)) = (rel.from, rel.to) {
                    if f > t {
                        errors.push(err_at(
                            i,
                            Some(relation_at[i][r]),
                            format!("{}: relation with {} ends before it starts", a.id, rel.with),
                        ));
                    }
                }
            }
            for al in &a.aliases {
                if al.name.trim().is_empty() {
                    errors.push(err_at(
                        i,
                        Some(id_at[i].1),
                        format!("{}: empty alias", a.id),
                    ));
                }
                if let (Some(f), Some(t)) = (al.from, al.to) {
                    if f > t {
                        errors.push(err_at(
                            i,
                            Some(id_at[i].1),
                            format!("{}: alias {:?} ends before it starts", a.id, al.name),
                        ));
                    }
                }
            }
        }
        ResolveError::collect(errors)?;

        // Roots (with cycle detection) and factions.
        let mut roots = Vec::with_capacity(actors.len());
        let mut errors = Vec::new();
        for i in 0..actors.len() {
            let mut cur = i;
            let mut steps = 0;
            while let Some(p) = &actors[cur].parent {
                cur = by_id[p];
                steps += 1;
                if steps > actors.len() {
                    errors.push(err_at(
                        i,
                        parent_at[i],
                        format!("{}: parent chain loops", actors[i].id),
                    ));
                    break;
                }
            }
            roots.push(cur);
        }
        ResolveError::collect(errors)?;
        for i in 0..actors.len() {
            if let Some(p) = actors[i].parent.clone() {
                let id = actors[i].id.clone();
                actors[by_id[&p]].factions.push(id);
            }
        }

        // Lookup tables.
        let mut exact: HashMap<String, Vec<Entry>> = HashMap::new();
        let mut folded: HashMap<String, Vec<Entry>> = HashMap::new();
        let mut loose: HashMap<String, Vec<Entry>> = HashMap::new();
        let mut boundaries = BTreeSet::new();
        let mut errors = Vec::new();
        for (ai, a) in actors.iter().enumerate() {
            for (li, al) in a.aliases.iter().enumerate() {
                let e = Entry {
                    actor: ai,
                    alias: li,
                    country: al.country.as_deref().map(text::fold),
                    from: al.from,
                    to: al.to,
                };
                if let Some(f) = al.from {
                    boundaries.insert(f);
                }
                if let Some(t) = al.to.and_then(|t| t.succ_opt()) {
                    boundaries.insert(t);
                }
                let key = al.name.trim().to_string();
                let list = exact.entry(key).or_default();
                if let Some(other) = list.iter().find(|o| {
                    o.actor != ai && o.country == e.country && o.from == e.from && o.to == e.to
                }) {
                    errors.push(err_at(
                        ai,
                        Some(id_at[ai].1),
                        format!(
                            "alias {:?} with the same scope is given for both {} and {}: scope one by country or date",
                            al.name, actors[other.actor].id, a.id
                        ),
                    ));
                }
                if !list.iter().any(|o| {
                    o.actor == ai && o.country == e.country && o.from == e.from && o.to == e.to
                }) {
                    list.push(e.clone());
                }
                for (map, key) in [
                    (&mut folded, text::fold(&al.name)),
                    (&mut loose, text::loose(&al.name)),
                ] {
                    let list = map.entry(key).or_default();
                    if !list.iter().any(|o| {
                        o.actor == ai && o.country == e.country && o.from == e.from && o.to == e.to
                    }) {
                        list.push(e.clone());
                    }
                }
            }
        }
        ResolveError::collect(errors)?;
        Ok(Registry {
            actors,
            by_id,
            roots,
            exact,
            folded,
            loose,
            boundaries: boundaries.into_iter().collect(),
            version: format!("{:016x}", hasher.finish()),
        })
    }

    /// All actors, in file order.
    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }

    /// The actor with this id.
    pub fn get(&self, id: &str) -> Option<&Actor> {
        self.by_id.get(id).map(|&i| &self.actors[i])
    }

    /// The top-level actor of `id` (itself if it has no parent).
    pub fn root_of(&self, id: &str) -> Option<&Actor> {
        self.by_id.get(id).map(|&i| &self.actors[self.roots[i]])
    }

    /// A hash of the registry files (hex).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Index of the date interval (between scope boundaries) that contains `date`:
    /// two dates in the same bucket resolve every name the same way.
    pub fn date_bucket(&self, date: Option<NaiveDate>) -> u32 {
        match date {
            Some(d) => self.boundaries.partition_point(|b| *b <= d) as u32,
            None => u32::MAX,
        }
    }

    fn lookup(
        &self,
        map: &HashMap<String, Vec<Entry>>,
        key: &str,
        country: Option<&str>,
        date: Option<NaiveDate>,
    ) -> Found {
        let Some(list) = map.get(key) else {
            return Found::Nothing;
        };
        let best = list
            .iter()
            .filter(|e| e.fits(country, date))
            .map(Entry::specificity)
            .max();
        let Some(best) = best else {
            return Found::Nothing;
        };
        let mut winners: Vec<&Entry> = list
            .iter()
            .filter(|e| e.fits(country, date) && e.specificity() == best)
            .collect();
        winners.dedup_by_key(|e| e.actor);
        let mut actors: Vec<usize> = winners.iter().map(|e| e.actor).collect();
        actors.sort_unstable();
        actors.dedup();
        if actors.len() == 1 {
            Found::One(winners[0].actor, winners[0].alias)
        } else {
            Found::Tie(actors)
        }
    }

    /// Resolve without suggestions: (actor index, alias index, method) or the tied
    /// actors. The fast path used by [`crate::Resolver`].
    fn resolve_index(
        &self,
        name: &str,
        country: Option<&str>,
        date: Option<NaiveDate>,
    ) -> Result<(usize, usize, Method), Vec<usize>> {
        let country = country.map(text::fold);
        let country = country.as_deref().filter(|c| !c.is_empty());
        let levels: [(&Table, String, Method); 3] = [
            (&self.exact, name.trim().to_string(), Method::Exact),
            (&self.folded, text::fold(name), Method::Normalised),
            (&self.loose, text::loose(name), Method::Normalised),
        ];
        for (map, key, method) in levels {
            if key.is_empty() {
                continue;
            }
            match self.lookup(map, &key, country, date) {
                Found::One(a, l) => {
                    let m = if self.actors[a].aliases[l].is_scoped() {
                        Method::Scoped
                    } else {
                        method
                    };
                    return Ok((a, l, m));
                }
                Found::Tie(v) => return Err(v),
                Found::Nothing => {}
            }
        }
        Err(Vec::new())
    }

    /// Index of the actor a name resolves to (crate-internal fast path).
    pub(crate) fn resolve_actor_index(
        &self,
        name: &str,
        country: Option<&str>,
        date: Option<NaiveDate>,
    ) -> Option<usize> {
        self.resolve_index(name, country, date)
            .ok()
            .map(|(a, _, _)| a)
    }

    /// Id and root id of an actor by index.
    pub(crate) fn ids_of(&self, i: usize) -> (&str, &str) {
        (&self.actors[i].id, &self.actors[self.roots[i]].id)
    }

    /// The actor id and root id a name resolves to, or `None`: no suggestions, no
    /// allocation beyond the key strings.
    pub fn resolve_ids(
        &self,
        name: &str,
        country: Option<&str>,
        date: Option<NaiveDate>,
    ) -> Option<(&str, &str)> {
        self.resolve_index(name, country, date)
            .ok()
            .map(|(a, _, _)| {
                (
                    self.actors[a].id.as_str(),
                    self.actors[self.roots[a]].id.as_str(),
                )
            })
    }

    /// Resolve a source's actor name for a record in `country` on `date`.
    pub fn resolve(
        &self,
        name: &str,
        country: Option<&str>,
        date: Option<NaiveDate>,
    ) -> Resolution {
        match self.resolve_index(name, country, date) {
            Ok((a, l, method)) => Resolution {
                query: name.to_string(),
                actor_id: Some(self.actors[a].id.clone()),
                root_id: Some(self.actors[self.roots[a]].id.clone()),
                method,
                matched_alias: Some(self.actors[a].aliases[l].clone()),
                suggestions: Vec::new(),
            },
            Err(tied) => {
                let mut suggestions = self.suggest(name, 5);
                // Tied actors first, at full score: the name is theirs but ambiguous.
                for &t in tied.iter().rev() {
                    suggestions.retain(|s| s.id != self.actors[t].id);
                    suggestions.insert(
                        0,
                        Suggestion {
                            id: self.actors[t].id.clone(),
                            name: self.actors[t].name.clone(),
                            score: 1.0,
                            alias: name.to_string(),
                        },
                    );
                }
                Resolution {
                    query: name.to_string(),
                    actor_id: None,
                    root_id: None,
                    method: Method::Unresolved,
                    matched_alias: None,
                    suggestions,
                }
            }
        }
    }

    /// Up to `n` actors whose aliases look most like `name`, best first (score ≥ 0.6).
    pub fn suggest(&self, name: &str, n: usize) -> Vec<Suggestion> {
        let f = text::fold(name);
        let l = text::loose(name);
        let mut best: Vec<Option<(f64, usize)>> = vec![None; self.actors.len()];
        for (ai, a) in self.actors.iter().enumerate() {
            for (li, al) in a.aliases.iter().enumerate() {
                let s = text::similarity(&f, &text::fold(&al.name))
                    .max(text::similarity(&l, &text::loose(&al.name)));
                if best[ai].is_none_or(|(b, _)| s > b) {
                    best[ai] = Some((s, li));
                }
            }
        }
        let mut out: Vec<Suggestion> = best
            .into_iter()
            .enumerate()
            .filter_map(|(ai, b)| b.map(|(s, li)| (ai, s, li)))
            .filter(|(_, s, _)| *s >= 0.6)
            .map(|(ai, s, li)| Suggestion {
                id: self.actors[ai].id.clone(),
                name: self.actors[ai].name.clone(),
                score: (s * 1000.0).round() / 1000.0,
                alias: self.actors[ai].aliases[li].name.clone(),
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        out.truncate(n);
        out
    }

    /// Which of these names do not resolve, most frequent first, with suggestions.
    pub fn unresolved(&self, names: &[NameCount]) -> UnresolvedReport {
        let mut unresolved = Vec::new();
        let mut records_unresolved = 0;
        for n in names {
            if self
                .resolve_index(&n.name, n.country.as_deref(), n.date)
                .is_err()
            {
                records_unresolved += n.count;
                unresolved.push(UnresolvedName {
                    name: n.name.clone(),
                    country: n.country.clone(),
                    count: n.count,
                    suggestions: self
                        .resolve(&n.name, n.country.as_deref(), n.date)
                        .suggestions,
                });
            }
        }
        unresolved.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        UnresolvedReport {
            names_checked: names.len(),
            records_checked: names.iter().map(|n| n.count).sum(),
            records_unresolved,
            unresolved,
        }
    }

    /// Relations of an actor in both directions: its own, and others' towards it
    /// (`incoming = true`).
    pub fn relations_of(&self, id: &str) -> Vec<(bool, &Actor, &Relation)> {
        let mut out = Vec::new();
        let Some(me) = self.get(id) else { return out };
        for r in &me.relations {
            out.push((false, me, r));
        }
        for a in &self.actors {
            for r in &a.relations {
                if r.with == id && a.id != id {
                    out.push((true, a, r));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(text: &str) -> Result<Registry, ResolveError> {
        Registry::from_sources(vec![(PathBuf::from("t.toml"), text.to_string())])
    }

    const SMALL: &str = r#"
[[actor]]
id = "a"
name = "Alpha Front"
kind = "rebel"
aliases = ["AF", { name = "Govt", country = "X", to = "2020-12-31" }]
[[actor]]
id = "b"
name = "Beta"
kind = "state"
aliases = [{ name = "Govt", country = "X", from = "2021-01-01" }, { name = "AF", country = "Y" }]
[[actor]]
id = "b-sub"
name = "Beta Faction"
kind = "militia"
parent = "b"
"#;

    #[test]
    fn scopes_pick_by_country_and_date() {
        let r = reg(SMALL).unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(
            r.resolve("Govt", Some("X"), d("2020-06-01"))
                .actor_id
                .as_deref(),
            Some("a")
        );
        let res = r.resolve("Govt", Some("X"), d("2021-06-01"));
        assert_eq!(
            (res.actor_id.as_deref(), res.method),
            (Some("b"), Method::Scoped)
        );
        assert_eq!(
            r.resolve("Govt", Some("X"), None).method,
            Method::Unresolved
        );
        assert_eq!(
            r.resolve("AF", Some("Y"), None).actor_id.as_deref(),
            Some("b")
        );
        assert_eq!(r.resolve("AF", None, None).actor_id.as_deref(), Some("a"));
        assert_eq!(
            r.resolve("alpha-front", None, None).method,
            Method::Normalised
        );
        let res = r.resolve("Beta Faction", None, None);
        assert_eq!(
            (res.actor_id.as_deref(), res.root_id.as_deref()),
            (Some("b-sub"), Some("b"))
        );
        assert_eq!(r.get("b").unwrap().factions, vec!["b-sub".to_string()]);
        assert_ne!(
            r.date_bucket(d("2020-12-31")),
            r.date_bucket(d("2021-01-01"))
        );
        assert_eq!(
            r.date_bucket(d("2021-01-01")),
            r.date_bucket(d("2024-01-01"))
        );
    }

    #[test]
    fn unresolved_names_get_suggestions() {
        let r = reg(SMALL).unwrap();
        let res = r.resolve("Alpha Fronts", None, None);
        assert_eq!(res.method, Method::Unresolved);
        assert_eq!(res.suggestions[0].id, "a");
    }

    #[test]
    fn bad_files_report_every_problem_with_lines() {
        let text = "[[actor]]\nid = \"x\"\nname = \"X\"\nkind = \"rebel\"\nparent = \"nobody\"\n[[actor.relation]]\nkind = \"ally\"\nwith = \"ghost\"\ncitation = \"c\"\n[[actor]]\nid = \"x\"\nname = \"Y\"\nkind = \"rebel\"\n";
        let err = reg(text).unwrap_err().to_string();
        assert!(
            err.contains("t.toml:5: x: unknown parent \"nobody\""),
            "{err}"
        );
        assert!(
            err.contains("t.toml:8: x: relation with unknown actor \"ghost\""),
            "{err}"
        );
        assert!(err.contains("t.toml:11: duplicate id \"x\""), "{err}");
        let err = reg("[[actor]]\nid = \"x\"\nname = \"X\"\nkind = \"rebbel\"\n").unwrap_err();
        assert_eq!(err.line(), Some(4), "{err}");
    }

    #[test]
    fn same_alias_same_scope_on_two_actors_is_an_error() {
        let text = "[[actor]]\nid = \"x\"\nname = \"X\"\nkind = \"rebel\"\naliases = [\"Z\"]\n[[actor]]\nid = \"y\"\nname = \"Y\"\nkind = \"rebel\"\naliases = [\"Z\"]\n";
        assert!(reg(text)
            .unwrap_err()
            .to_string()
            .contains("alias \"Z\" with the same scope"));
    }

    #[test]
    fn alias_tables_add_names_to_actors_of_other_files() {
        let extra = "[[alias]]\nactor = \"b\"\nname = \"The Betas\"\ncountry = \"X\"\nfrom = \"2022-01-01\"\n";
        let two = |e: &str| {
            Registry::from_sources(vec![
                (PathBuf::from("t.toml"), SMALL.to_string()),
                (PathBuf::from("journal.toml"), e.to_string()),
            ])
        };
        let r = two(extra).unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(
            r.resolve("The Betas", Some("X"), d("2022-03-01"))
                .actor_id
                .as_deref(),
            Some("b")
        );
        // Outside its scope the alias does not apply.
        assert_eq!(
            r.resolve("The Betas", Some("X"), d("2021-03-01")).method,
            Method::Unresolved
        );
        assert_ne!(r.version(), reg(SMALL).unwrap().version());
        // An alias of an actor nobody defines, and one that clashes, are errors with lines.
        let err = two("\n[[alias]]\nactor = \"ghost\"\nname = \"G\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("journal.toml:3: alias \"G\" of unknown actor \"ghost\""),
            "{err}"
        );
        let err = two("[[alias]]\nactor = \"b\"\nname = \"AF\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("alias \"AF\" with the same scope"), "{err}");
    }
}
