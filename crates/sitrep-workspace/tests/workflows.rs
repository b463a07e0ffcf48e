//! The workspace's workflows as a program would call them, on real UCDP rows
//! (`data/ucdp/ged231_sample1000.csv`: 1,000 GED 23.1 events). Faults are made by
//! editing a copy of that file, and say so.

use sitrep_ingest::Format;
use sitrep_model::{Action, Decision, DecisionKind, Enricher, PairStatus, RecordRef};
use sitrep_workspace::{IngestInput, MatchSettings, NoProgress, Workspace, WorkspaceError};
use std::path::{Path, PathBuf};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// Rows and distinct event ids of a CSV, counted with the csv crate (independently of
/// sitrep's readers).
fn csv_rows(path: &Path) -> (usize, Vec<String>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let id = r.headers().unwrap().iter().position(|h| h == "id").unwrap();
    let ids: Vec<String> = r.records().map(|x| x.unwrap()[id].to_string()).collect();
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    (ids.len(), distinct)
}

fn input(path: &Path, source: &str) -> IngestInput {
    let mut i = IngestInput::file(path, Format::Auto).unwrap();
    i.source = Some(source.to_string());
    i
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn ingest_stores_each_file_or_refuses_it_whole_and_reports_both() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let good = data("data/ucdp/ged231_sample1000.csv");
        let (rows, ids) = csv_rows(&good);
        // Synthetic fault: the copy's 5th data row gets an impossible start date.
        let mut r = csv::Reader::from_path(&good).unwrap();
        let headers = r.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (id_col, date_col) = (col("id"), col("date_start"));
        let bad = dir.path().join("bad.csv");
        let mut w = csv::Writer::from_path(&bad).unwrap();
        w.write_record(&headers).unwrap();
        let mut target = String::new();
        for (i, rec) in r.records().enumerate() {
            let mut fields: Vec<String> = rec.unwrap().iter().map(str::to_string).collect();
            if i == 4 {
                target = fields[id_col].clone();
                fields[date_col] = "2013-02-31".into();
            }
            w.write_record(&fields).unwrap();
        }
        w.flush().unwrap();

        let mut ws = Workspace::create(&dir.path().join("store")).unwrap();
        let report = ws
            .ingest(
                vec![input(&good, "ged-a"), input(&bad, "ged-b")],
                "tester",
                &NoProgress,
            )
            .await
            .unwrap();
        assert_eq!(report.files.len(), 2);
        let first = report.files[0].result.as_ref().unwrap();
        assert_eq!(first.counts.read, rows as u64);
        assert_eq!(first.counts.new, ids.len() as u64);
        let errors = report.files[1].result.as_ref().unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].line, 6,
            "header is line 1, the 5th data row line 6"
        );
        assert!(report.refused());
        assert_eq!(report.total.new, ids.len() as u64);
        // Nothing of the refused file is stored; the good one is whole.
        assert_eq!(ws.store().source_names().await.unwrap(), vec!["ged-a"]);
        let a = RecordRef::new("ged-a", &target);
        assert!(ws.store().has_record(&a).await.unwrap());
        assert!(!ws
            .store()
            .has_record(&RecordRef::new("ged-b", &target))
            .await
            .unwrap());
        // The rollup was rebuilt over what is stored.
        assert_eq!(report.rollup.0, ids.len() as u64);
    });
}

#[test]
fn a_rejected_pair_stops_being_one_incident_and_the_journal_says_who() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let file = data("data/ucdp/ged231_sample1000.csv");
        let (_, ids) = csv_rows(&file);
        let mut ws = Workspace::create(&dir.path().join("store")).unwrap();
        ws.ingest(
            vec![input(&file, "copy-a"), input(&file, "copy-b")],
            "tester",
            &NoProgress,
        )
        .await
        .unwrap();
        let settings = MatchSettings::new(&["copy-a", "copy-b"]);
        let r = ws.run_matching(&settings, &NoProgress).await.unwrap();
        // Every event has its exact copy in the other source: a perfect one-to-one.
        assert_eq!(r.records, 2 * ids.len());
        assert_eq!(r.linked, ids.len());
        assert_eq!(r.sizes, vec![(2, ids.len())]);
        assert_eq!(ws.match_settings().unwrap().as_ref(), Some(&settings));

        let id = &ids[0];
        let (a, b) = (RecordRef::new("copy-a", id), RecordRef::new("copy-b", id));
        let members = ws.store().incident_members(&a).await.unwrap();
        assert_eq!(members.len(), 2);
        assert!(members.iter().any(|m| m.source == "copy-b"));

        let reject = Decision {
            kind: DecisionKind::Reject,
            a: a.clone(),
            b: b.clone(),
            by: "analyst".into(),
            at: "2026-12-02T00:00:00Z".into(),
            why: "different events".into(),
        };
        let d = ws
            .decide(
                Action::MatchRejected,
                std::slice::from_ref(&reject),
                &NoProgress,
            )
            .await
            .unwrap();
        let again = d.rematched.expect("the store has a run to repeat");
        let same = |p: &sitrep_model::MatchPair| p.a == a && p.b == b || p.a == b && p.b == a;
        assert!(
            again
                .pairs
                .iter()
                .filter(|p| same(p))
                .all(|p| p.status == PairStatus::Unselected),
            "the rejected pair is never linked again"
        );
        let members = ws.store().incident_members(&a).await.unwrap();
        assert!(
            members
                .iter()
                .all(|m| !(m.source == "copy-b" && &m.source_event_id == id)),
            "{members:?}"
        );
        assert_eq!(ws.decisions_in_force().unwrap(), vec![reject]);
        let entry = ws.ledger().journal().open().unwrap().entries;
        assert_eq!(entry.len(), 1);
        assert_eq!(entry[0].seq, d.entry);
        assert_eq!(entry[0].user, "analyst");

        // Refusals name what is wrong and store nothing.
        let self_pair = Decision {
            b: a.clone(),
            ..ws.decisions_in_force().unwrap()[0].clone()
        };
        let e = ws
            .decide(Action::MatchRejected, &[self_pair], &NoProgress)
            .await
            .unwrap_err();
        assert!(
            matches!(e, WorkspaceError::Input(ref m) if m.contains("cannot be paired with itself")),
            "{e}"
        );
        let ghost = Decision {
            b: RecordRef::new("copy-b", "no-such-id"),
            ..reject_clone(&a)
        };
        let e = ws
            .decide(Action::MatchRejected, &[ghost], &NoProgress)
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "copy-b:no-such-id: no such record in the store"
        );
        assert_eq!(e.class(), sitrep_model::ErrorClass::Input);
        assert_eq!(ws.ledger().journal().open().unwrap().entries.len(), 1);
    });
}

fn reject_clone(a: &RecordRef) -> Decision {
    Decision {
        kind: DecisionKind::Reject,
        a: a.clone(),
        b: a.clone(),
        by: "analyst".into(),
        at: "2026-12-02T00:00:00Z".into(),
        why: "x".into(),
    }
}

#[test]
fn two_workspaces_in_one_process_resolve_with_their_own_journal() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let file = data("data/ucdp/ged231_sample1000.csv");
        let (one, two) = (dir.path().join("one"), dir.path().join("two"));
        for root in [&one, &two] {
            let mut ws = Workspace::create(root).unwrap();
            ws.ingest(vec![input(&file, "ged")], "tester", &NoProgress)
                .await
                .unwrap();
        }
        let name = "Kandahar Night Riders";
        let ledger = sitrep_claims::Ledger::for_store(&one);
        ledger
            .add_alias(
                sitrep_claims::ActorAlias {
                    actor: "taliban".into(),
                    name: name.into(),
                    country: None,
                    from: None,
                    to: None,
                    note: None,
                },
                "analyst",
                "seen in local reporting",
                |_| Ok(()),
            )
            .unwrap();
        let (a, b) = (
            Workspace::open(&one).await.unwrap(),
            Workspace::open(&two).await.unwrap(),
        );
        let resolved = |ws: &Workspace| ws.resolver().registry().resolve(name, None, None).actor_id;
        assert_eq!(resolved(&a).as_deref(), Some("taliban"));
        assert_eq!(resolved(&b), None);
        assert_ne!(a.resolver().version(), b.resolver().version());
    });
}

#[test]
fn review_lists_the_most_informative_pairs_first_and_a_decision_removes_one() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("bundle");
        // The bundled store: two real GED releases matched (1 day, 10 km).
        sitrep_workspace::bundled::build(&root).await.unwrap();
        let mut ws = Workspace::open(&root).await.unwrap();
        let settings = ws.match_settings().unwrap().unwrap();
        assert_eq!(settings.sources, ["ucdp-ged211-subset", "ucdp-ged231"]);
        // Independent count: uncertain pairs of the stored run by the run's own rule.
        let cfg = settings.config();
        let uncertain = ws
            .store()
            .match_pairs()
            .await
            .unwrap()
            .into_iter()
            .filter(|p| sitrep_match::is_uncertain(p, &cfg))
            .count();
        let q = ws.review_queue(usize::MAX).await.unwrap();
        assert_eq!(q.total, uncertain);
        assert_eq!(q.items.len(), uncertain);
        assert!(uncertain > 0, "the bundle has close calls to review");
        // Ranked by the learned model first, in its order; unranked after.
        let ranks: Vec<Option<usize>> = q.items.iter().map(|i| i.rank).collect();
        let first_unranked = ranks
            .iter()
            .position(Option::is_none)
            .unwrap_or(ranks.len());
        assert!(ranks[first_unranked..].iter().all(Option::is_none));
        assert!(
            ranks[..first_unranked].windows(2).all(|w| w[0] < w[1]),
            "{ranks:?}"
        );
        assert!(first_unranked > 0, "the learned model scores some of them");
        assert!(q.items[..first_unranked]
            .iter()
            .all(|i| i.learned.is_some_and(|p| (0.0..=1.0).contains(&p))));
        // Deciding the first pair takes it off the list.
        let top = q.items[0].pair.clone();
        let d = Decision {
            kind: DecisionKind::Confirm,
            a: top.a.clone(),
            b: top.b.clone(),
            by: "analyst".into(),
            at: "2026-12-02T00:00:00Z".into(),
            why: "same event in both releases".into(),
        };
        ws.decide(Action::MatchConfirmed, &[d], &NoProgress)
            .await
            .unwrap();
        let after = ws.review_queue(usize::MAX).await.unwrap();
        assert!(after
            .items
            .iter()
            .all(|i| !(i.pair.a == top.a && i.pair.b == top.b)));
    });
}
