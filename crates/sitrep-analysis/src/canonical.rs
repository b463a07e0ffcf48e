//! Filter names made canonical before the store compiles them: actor names and
//! aliases to registry ids, province names to codes, regions and districts checked
//! against the gazetteer ([`sitrep_resolve::filters::canonical`]). The store's one
//! compiler ([`sitrep_store::query`]) then turns them into its reads.

use crate::AnalysisError;
use sitrep_model::figure::Filters;
use sitrep_resolve::filters::FilterNameError;
use sitrep_resolve::{Gazetteer, Registry};

/// The registry and gazetteer names are checked against.
pub(crate) struct Compiler<'a> {
    pub registry: Option<&'a Registry>,
    pub gazetteer: Option<&'a Gazetteer>,
}

impl Compiler<'_> {
    /// The filters with names made canonical (actor ids, province codes, regions,
    /// districts): an unknown name is an input error, never a silent zero.
    pub fn canonical(&self, f: &Filters) -> Result<Filters, AnalysisError> {
        sitrep_resolve::filters::canonical(f, self.registry, self.gazetteer).map_err(|e| match e {
            FilterNameError::UnknownActor { given, closest } => {
                AnalysisError::UnknownActor { id: given, closest }
            }
            other => AnalysisError::Invalid(other.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_model::figure::Role;

    #[test]
    fn names_become_ids_and_unknown_actors_are_input_errors() {
        let reg = Registry::bundled().unwrap();
        let g = Gazetteer::bundled().unwrap();
        let c = Compiler {
            registry: Some(&reg),
            gazetteer: Some(&g),
        };
        let f = Filters {
            actors: vec!["Taleban".into()],
            role: Role::A,
            provinces: vec!["Ningarhar".into()],
            ..Filters::default()
        };
        let got = c.canonical(&f).unwrap();
        assert_eq!(got.actors, vec!["taliban".to_string()]);
        assert_eq!(got.provinces, vec!["AF-NAN".to_string()]);
        assert_eq!(got.role, Role::A);
        let e = c
            .canonical(&Filters {
                actors: vec!["iskp-x".into()],
                ..Filters::default()
            })
            .unwrap_err();
        assert!(matches!(e, AnalysisError::UnknownActor { .. }), "{e}");
        assert!(e.is_input(), "{e}");
    }
}
