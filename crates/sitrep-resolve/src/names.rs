//! The names a person may type in an actor or province field, for autocomplete:
//! every canonical name and alias of the registry, every province name and spelling
//! of the gazetteer, each with the id or code it resolves to. Only names that the
//! filters resolve to that very actor or province are offered
//! ([`crate::filters::actor_id`], [`crate::Gazetteer::province_index`]), so a chosen
//! name always means what its option says ("Daesh-Khorasan" → `is-kp`); names
//! scoped to a country or period ("IS" in Afghanistan) are left out.

use crate::actors::Registry;
use crate::gazetteer::Gazetteer;
use serde::Serialize;

/// One name and what it resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameOption {
    /// The name as offered.
    pub name: String,
    /// The actor id or province code it resolves to.
    pub id: String,
    /// The canonical name of that actor or province.
    pub label: String,
}

/// Actor names and aliases, sorted by name (case-insensitive), de-duplicated.
pub fn actor_names(reg: &Registry) -> Vec<NameOption> {
    let mut out = Vec::new();
    for a in reg.actors() {
        let names = std::iter::once(a.name.as_str()).chain(
            a.aliases
                .iter()
                .filter(|al| !al.is_scoped())
                .map(|al| al.name.as_str()),
        );
        for n in names {
            if crate::filters::actor_id(reg, n).is_ok_and(|id| id == a.id) {
                out.push(NameOption {
                    name: n.to_string(),
                    id: a.id.clone(),
                    label: a.name.clone(),
                });
            }
        }
    }
    sort(out)
}

/// Province names and spellings, sorted by name, de-duplicated.
pub fn province_names(g: &Gazetteer) -> Vec<NameOption> {
    let mut out = Vec::new();
    for p in g.provinces() {
        for n in std::iter::once(&p.name).chain(p.variants.iter()) {
            let resolves = g
                .province_index(n)
                .is_some_and(|i| g.provinces()[i].code == p.code);
            if resolves {
                out.push(NameOption {
                    name: n.clone(),
                    id: p.code.clone(),
                    label: p.name.clone(),
                });
            }
        }
    }
    sort(out)
}

fn sort(mut v: Vec<NameOption>) -> Vec<NameOption> {
    v.sort_by(|a, b| {
        (a.name.to_lowercase(), &a.name, &a.id).cmp(&(b.name.to_lowercase(), &b.name, &b.id))
    });
    v.dedup_by(|a, b| a.name == b.name);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_name_resolves_to_its_option() {
        let reg = Registry::bundled().unwrap();
        let names = actor_names(&reg);
        let dk = names.iter().find(|n| n.name == "Daesh-Khorasan").unwrap();
        assert_eq!(dk.id, "is-kp");
        // "IS" is IS-KP only in Afghanistan (a scoped alias): offered for `is` alone.
        assert!(names
            .iter()
            .filter(|n| n.name == "IS")
            .all(|n| n.id == "is"));
        for n in &names {
            assert_eq!(
                crate::filters::actor_id(&reg, &n.name).unwrap(),
                n.id,
                "{n:?}"
            );
        }
        assert_eq!(
            crate::filters::actor_id(&reg, "Daesh Khorasan").unwrap(),
            "is-kp",
            "typed with a space, the alias still resolves"
        );
        assert!(names.iter().all(|n| !n.name.is_empty()));
        let g = Gazetteer::bundled().unwrap();
        let p = province_names(&g);
        assert!(p.iter().any(|n| n.name == "Kandahar" && n.id == "AF-KAN"));
        assert!(p.len() >= 34);
    }
}
