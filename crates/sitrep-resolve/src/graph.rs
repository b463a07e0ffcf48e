//! The actor network over time: [`Registry::graph`] turns the registry's relations
//! (`[[actor.relation]]`) into an [`ActorGraph`], all of them or those that hold on
//! one day. The server's `/api/v1/actors/graph` and `/actors/graph` and the CLI's
//! `sitrep actors graph` each make this one call.
//!
//! A relation holds on a day when the day lies in its period (ends included; an
//! open end is unbounded). A symmetric relation (ally, rival, cooperates) stated by
//! both actors with the same period is one link, its citations joined. Nodes are
//! the actors at the ends of the links, with their kind on the day.

use crate::actors::Registry;
use chrono::NaiveDate;
use sitrep_model::graph::{ActorGraph, GraphLink, GraphNode};
use std::collections::BTreeMap;

impl Registry {
    /// The relations that hold on `at` (every relation when `None`), and their actors.
    pub fn graph(&self, at: Option<NaiveDate>) -> ActorGraph {
        let mut links: Vec<GraphLink> = Vec::new();
        for a in self.actors() {
            for r in &a.relations {
                if self.get(&r.with).is_none() {
                    continue;
                }
                let link = GraphLink {
                    source: a.id.clone(),
                    target: r.with.clone(),
                    kind: r.kind.as_str().to_string(),
                    directed: !r.kind.is_symmetric(),
                    from: r.from,
                    to: r.to,
                    citation: r.citation.clone(),
                    note: r.note.clone(),
                };
                if at.is_some_and(|d| !link.holds_on(d)) {
                    continue;
                }
                // The same symmetric relation stated from the other side.
                let twin = links.iter_mut().find(|l| {
                    !l.directed
                        && !link.directed
                        && l.kind == link.kind
                        && l.source == link.target
                        && l.target == link.source
                        && l.from == link.from
                        && l.to == link.to
                });
                match twin {
                    Some(t) => {
                        if t.citation != link.citation {
                            t.citation = format!("{}; {}", t.citation, link.citation);
                        }
                    }
                    None => links.push(link),
                }
            }
        }
        links.sort_by(|a, b| {
            (&a.source, &a.target, &a.kind, a.from).cmp(&(&b.source, &b.target, &b.kind, b.from))
        });
        let mut degree: BTreeMap<&str, usize> = BTreeMap::new();
        for l in &links {
            *degree.entry(l.source.as_str()).or_default() += 1;
            *degree.entry(l.target.as_str()).or_default() += 1;
        }
        let nodes = degree
            .into_iter()
            .filter_map(|(id, degree)| {
                let a = self.get(id)?;
                Some(GraphNode {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    kind: at.map_or(a.kind, |d| a.kind_on(d)).as_str().to_string(),
                    degree,
                })
            })
            .collect();
        ActorGraph { at, nodes, links }
    }
}

#[cfg(test)]
mod tests {
    use crate::actors::Registry;
    use std::path::PathBuf;

    const SMALL: &str = r#"
[[actor]]
id = "a"
name = "Alpha"
kind = "rebel"
kind_history = [{ kind = "state", from = "2021-08-15" }]
[[actor.relation]]
kind = "rival"
with = "b"
from = "2021-08-15"
citation = "x"
[[actor.relation]]
kind = "hosts"
with = "c"
to = "2001-12-31"
citation = "y"
[[actor]]
id = "b"
name = "Beta"
kind = "rebel"
[[actor.relation]]
kind = "rival"
with = "a"
from = "2021-08-15"
citation = "z"
[[actor]]
id = "c"
name = "Gamma"
kind = "jihadist"
[[actor]]
id = "d"
name = "Delta"
kind = "militia"
"#;

    #[test]
    fn the_graph_holds_the_relations_of_the_day() {
        let r = Registry::from_sources(vec![(PathBuf::from("t.toml"), SMALL.into())]).unwrap();
        let all = r.graph(None);
        assert_eq!(all.links.len(), 2, "{:?}", all.links);
        assert_eq!(all.nodes.len(), 3, "d has no relation");
        let rival = all.links.iter().find(|l| l.kind == "rival").unwrap();
        assert_eq!(rival.citation, "x; z", "one link for both statements");
        let d = |s: &str| Some(s.parse().unwrap());
        let old = r.graph(d("2000-01-01"));
        assert_eq!(old.links.len(), 1);
        assert_eq!(old.links[0].kind, "hosts");
        assert_eq!(old.nodes[0].kind, "rebel");
        let new = r.graph(d("2022-01-01"));
        assert_eq!(new.links.len(), 1);
        assert_eq!(new.links[0].kind, "rival");
        assert_eq!(new.nodes[0].kind, "state", "kind on the day");
        assert_eq!(r.graph(d("2010-01-01")).links.len(), 0);
    }
}
