//! The actor network: actors as nodes, the registry's relations between them as
//! links, each with its kind, period and citation. sitrep-resolve computes an
//! [`ActorGraph`] from the registry (all relations, or those holding on one day);
//! sitrep-render draws it (SVG) and writes it for other tools (DOT, GraphML).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Actors and the relations between them, on one day or over all time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorGraph {
    /// The day the links hold on; `None`: every relation, whatever its period.
    pub at: Option<NaiveDate>,
    /// Every actor that is an end of a link, sorted by id.
    pub nodes: Vec<GraphNode>,
    /// The relations, sorted by source, target and kind.
    pub links: Vec<GraphLink>,
}

/// One actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphNode {
    /// Registry id (`taliban`, `is-kp`).
    pub id: String,
    /// Canonical name.
    pub name: String,
    /// Kind on the graph's day (its latest kind when the graph has no day):
    /// `state`, `rebel`, `jihadist`, `militia`, `foreign_state`, `civilians`, `unidentified`.
    pub kind: String,
    /// Number of links this actor is an end of.
    pub degree: usize,
}

/// One relation, as the registry states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphLink {
    /// The actor whose registry entry states the relation.
    pub source: String,
    /// The other actor.
    pub target: String,
    /// `ally`, `rival`, `splinter_of`, `hosts`, `claimed_merger`, `cooperates`, `branch_of`.
    pub kind: String,
    /// False for relations that read the same both ways (ally, rival, cooperates).
    pub directed: bool,
    /// First day (open if absent).
    pub from: Option<NaiveDate>,
    /// Last day (open if absent).
    pub to: Option<NaiveDate>,
    /// The evidence: a quoted sentence and its source.
    pub citation: String,
    /// Free-text remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl GraphLink {
    /// True when the link holds on `day` (its period's ends included).
    pub fn holds_on(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= day) && self.to.is_none_or(|t| day <= t)
    }
}

impl ActorGraph {
    /// The links of `id`, either end.
    pub fn links_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a GraphLink> + 'a {
        self.links
            .iter()
            .filter(move |l| l.source == id || l.target == id)
    }

    /// The part of the graph around `id`: its links and the actors at their ends.
    pub fn around(&self, id: &str) -> ActorGraph {
        let links: Vec<GraphLink> = self.links_of(id).cloned().collect();
        let mut nodes: Vec<GraphNode> = self
            .nodes
            .iter()
            .filter(|n| n.id == id || links.iter().any(|l| l.source == n.id || l.target == n.id))
            .cloned()
            .collect();
        for n in &mut nodes {
            n.degree = links
                .iter()
                .filter(|l| l.source == n.id || l.target == n.id)
                .count();
        }
        ActorGraph {
            at: self.at,
            nodes,
            links,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_holds_inside_its_period_only() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let l = GraphLink {
            source: "a".into(),
            target: "b".into(),
            kind: "rival".into(),
            directed: false,
            from: Some(d("2021-08-15")),
            to: Some(d("2022-01-01")),
            citation: "c".into(),
            note: None,
        };
        assert!(!l.holds_on(d("2021-08-14")));
        assert!(l.holds_on(d("2021-08-15")));
        assert!(l.holds_on(d("2022-01-01")));
        assert!(!l.holds_on(d("2022-01-02")));
    }
}
