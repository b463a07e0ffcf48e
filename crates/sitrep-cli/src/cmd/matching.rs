//! `sitrep match`: run the matcher, review its uncertain decisions, confirm or reject pairs.

use super::read_store;
use crate::args::{
    Cli, DecideArgs, IncidentsAction, IncidentsArgs, MatchAction, MatchArgs, MatchRunArgs,
    OutFormat,
};
use crate::Failure;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use sitrep_match::{Config, TypeScore};
use sitrep_model::{Decision, DecisionKind, MatchPair, PairStatus, RecordRef};
use sitrep_store::{MatchingRun, Store};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub async fn run(cli: &Cli, a: &MatchArgs) -> anyhow::Result<ExitCode> {
    match &a.action {
        None => run_matcher(cli, &a.run).await,
        Some(MatchAction::Review { limit, format }) => review(cli, *limit, *format).await,
        Some(MatchAction::Confirm(d)) => decide(cli, d, DecisionKind::Confirm).await,
        Some(MatchAction::Reject(d)) => decide(cli, d, DecisionKind::Reject).await,
        Some(MatchAction::Explain {
            a: x,
            b: y,
            sources,
            days,
            km,
        }) => explain(cli, x.as_deref(), y.as_deref(), sources, *days, *km).await,
    }
}

/// `sitrep match explain`: the learning matcher's fitted m/u tables, its own expected
/// precision and recall, and one pair's weight by field.
async fn explain(
    cli: &Cli,
    a: Option<&str>,
    b: Option<&str>,
    sources: &[String],
    days: u32,
    km: f64,
) -> anyhow::Result<ExitCode> {
    let store = read_store(&cli.store).await?;
    let records = store.match_records(sources).await?;
    let decisions = decisions_in_force(&store)?;
    let cfg = Config {
        days,
        km,
        ..Config::default()
    };
    let em = sitrep_match::EmConfig::default();
    let l = tokio::task::block_in_place(|| {
        sitrep_match::run_em(&records, &decisions, &cfg, &em, &sitrep_match::NoProgress)
    });
    let mut out = std::io::stdout().lock();
    for m in &l.models {
        writeln!(
            out,
            "{} × {}: λ {:.4}, {} pairs, {} decisions, {} EM iterations{}",
            m.sources.0,
            m.sources.1,
            m.model.lambda,
            m.pairs,
            m.labelled,
            m.model.iterations,
            if m.pooled { " (pooled model)" } else { "" }
        )?;
        writeln!(
            out,
            "  {:<11} {:<40} {:>8} {:>8} {:>7}",
            "field", "level", "m", "u", "weight"
        )?;
        for r in m.model.table().iter().filter(|r| r.level > 0) {
            writeln!(
                out,
                "  {:<11} {:<40} {:>8.4} {:>8.4} {:>+7.2}",
                r.field.name(),
                r.label,
                r.m,
                r.u,
                r.weight
            )?;
        }
    }
    writeln!(
        out,
        "expected precision {:.4}, recall {:.4} ({} links at probability ≥ {:.3})",
        l.expected.precision, l.expected.recall, l.expected.links, l.threshold
    )?;
    if let (Some(a), Some(b)) = (a, b) {
        let (ra, rb) = (parse_record(a)?, parse_record(b)?);
        let find = |r: &RecordRef| {
            records
                .iter()
                .find(|x| &x.event == r)
                .ok_or_else(|| Failure::Input(format!("{r}: not among the matched records")))
        };
        let (x, y) = (find(&ra)?, find(&rb)?);
        let (s1, s2) = (x.event.source.clone(), y.event.source.clone());
        let pair = (s1.clone().min(s2.clone()), s1.max(s2));
        let model = &l
            .models
            .iter()
            .find(|m| m.sources == pair)
            .ok_or_else(|| Failure::Input("no candidate pairs between these two sources".into()))?
            .model;
        let e = sitrep_match::explain_pair(x, y, model);
        writeln!(out, "{ra} × {rb}: prior {:+.2}", e.prior_weight)?;
        for c in &e.fields {
            writeln!(
                out,
                "  {:<11} {:<40} {:+.2}",
                c.field.name(),
                c.label,
                c.weight
            )?;
        }
        writeln!(
            out,
            "  weight {:+.2}, P(match) {:.4} (fields independent, before one-to-one)",
            e.weight, e.probability
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn store_dir(cli: &Cli) -> anyhow::Result<&Path> {
    cli.store.as_deref().ok_or_else(|| {
        Failure::Input(
            "match writes to a store: pass --store DIR or set SITREP_STORE; the bundled data is read-only".into(),
        )
        .into()
    })
}

/// The settings stored with a run (so `review` knows its threshold).
#[derive(Debug, Serialize, Deserialize)]
struct Settings {
    sources: Vec<String>,
    days: u32,
    km: f64,
    threshold: f32,
    review_band: f32,
    review_margin: f32,
    dedupe: bool,
    taxonomy: bool,
}

impl Settings {
    fn config(&self) -> Config {
        Config {
            days: self.days,
            km: self.km,
            threshold: self.threshold,
            review_band: self.review_band,
            review_margin: self.review_margin,
            dedupe: self.dedupe,
            type_score: if self.taxonomy {
                TypeScore::Taxonomy
            } else {
                TypeScore::Common
            },
            ..Config::default()
        }
    }
}

struct Bar(ProgressBar);

impl sitrep_match::Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, done: u64) {
        self.0.inc(done);
    }
}

async fn run_matcher(cli: &Cli, a: &MatchRunArgs) -> anyhow::Result<ExitCode> {
    let dir = store_dir(cli)?;
    if !(a.km > 0.0 && a.km.is_finite()) {
        return Err(Failure::Input(format!("--km {}: must be a positive number", a.km)).into());
    }
    if !(0.0..=1.0).contains(&a.threshold) {
        return Err(
            Failure::Input(format!("--threshold {}: must lie in 0..1", a.threshold)).into(),
        );
    }
    let _ = Store::open(dir)?;
    let mut store = read_store(&cli.store).await?;
    let started = std::time::Instant::now();
    let records = store.match_records(&a.sources).await?;
    let mut present: Vec<&str> = records.iter().map(|r| r.event.source.as_str()).collect();
    present.sort_unstable();
    present.dedup();
    let missing: Vec<&String> = a
        .sources
        .iter()
        .filter(|s| !present.contains(&s.as_str()))
        .collect();
    if !missing.is_empty() {
        let all = store
            .sql("SELECT DISTINCT source FROM records ORDER BY source")
            .await?;
        let mut known = Vec::new();
        for b in &all {
            let col = sitrep_store::arrow::array::AsArray::as_string::<i32>(b.column(0));
            known.extend(col.iter().flatten().map(str::to_string));
        }
        return Err(Failure::Input(format!(
            "--sources: no records from {}; the store has: {}",
            missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            known.join(", ")
        ))
        .into());
    }
    let settings = Settings {
        sources: a.sources.clone(),
        days: a.days,
        km: a.km,
        threshold: a.threshold,
        review_band: Config::default().review_band,
        review_margin: Config::default().review_margin,
        dedupe: a.dedupe,
        taxonomy: a.taxonomy,
    };
    apply(
        cli.quiet,
        true,
        &mut store,
        &settings,
        &records,
        a.pairs_out.as_deref(),
        started,
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// The analysts' match decisions in force: the journal's `match:` subjects once the
/// journal holds any (so an undone decision stops applying), else the store's list.
fn decisions_in_force(store: &Store) -> anyhow::Result<Vec<Decision>> {
    let ledger = sitrep_claims::Ledger::for_store(store.root());
    if ledger.exists()
        && ledger
            .has_match_history()
            .map_err(super::claims::ledger_err)?
    {
        return Ok(ledger
            .view(sitrep_claims::AsOf::Now)
            .map_err(super::claims::ledger_err)?
            .match_decisions());
    }
    Ok(store.decisions()?)
}

/// Re-applies the last run's settings with the decisions now in force, so a decision
/// shows in `incidents` at once. Returns false when there is no run to repeat.
pub(super) async fn rematch(cli: &Cli) -> anyhow::Result<bool> {
    let mut store = read_store(&cli.store).await?;
    let Some(entry) = store.manifest().matching.clone() else {
        return Ok(false);
    };
    let settings: Settings = serde_json::from_str(&entry.settings)?;
    let started = std::time::Instant::now();
    let records = store.match_records(&settings.sources).await?;
    apply(
        cli.quiet, true, &mut store, &settings, &records, None, started,
    )
    .await?;
    Ok(true)
}

/// Matches `sources` of `store` with the default windows (1 day, 10 km, threshold
/// 0.7) and commits the run: how the bundled store makes one event of two releases.
pub(crate) async fn match_sources(
    store: &mut Store,
    sources: &[&str],
    quiet: bool,
) -> anyhow::Result<()> {
    let settings = Settings {
        sources: sources.iter().map(|s| s.to_string()).collect(),
        days: 1,
        km: 10.0,
        threshold: 0.7,
        review_band: Config::default().review_band,
        review_margin: Config::default().review_margin,
        dedupe: false,
        taxonomy: false,
    };
    let started = std::time::Instant::now();
    let records = store.match_records(&settings.sources).await?;
    apply(quiet, !quiet, store, &settings, &records, None, started).await
}

/// Matches `records` with `settings` and the decisions in force, commits the run and
/// rebuilds the rollup.
async fn apply(
    quiet: bool,
    report: bool,
    store: &mut Store,
    settings: &Settings,
    records: &[sitrep_model::MatchRecord],
    pairs_out: Option<&Path>,
    started: std::time::Instant,
) -> anyhow::Result<()> {
    let mut present: Vec<&str> = records.iter().map(|r| r.event.source.as_str()).collect();
    present.sort_unstable();
    present.dedup();
    let cfg = settings.config();
    let decisions = decisions_in_force(store)?;
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(records.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("matching [{bar:30}] {pos}/{len} records, eta {eta}")
            .expect("valid template"),
    );
    let progress = Bar(bar.clone());
    let out =
        tokio::task::block_in_place(|| sitrep_match::run(records, &decisions, &cfg, &progress));
    bar.finish_and_clear();
    let clusters: Vec<sitrep_model::Cluster> = out
        .clusters
        .iter()
        .map(|c| sitrep_match::reconcile(records, c))
        .collect();
    let pairs = out.model_pairs(records);
    if let Some(path) = pairs_out {
        write_pairs_csv(path, &pairs)?;
    }
    let linked = pairs
        .iter()
        .filter(|p| p.status != PairStatus::Unselected)
        .count();
    let confirmed = pairs
        .iter()
        .filter(|p| p.status == PairStatus::Confirmed)
        .count();
    let uncertain = pairs
        .iter()
        .filter(|p| sitrep_match::is_uncertain(p, &cfg))
        .count();
    let run = MatchingRun {
        settings: serde_json::to_string(settings)?,
        considered: out.considered,
        pairs,
        clusters,
    };
    let entry = store.commit_matching(&run)?;
    // Incidents are now clusters: the rollup counts them afresh.
    store.build_rollup().await?;
    if report {
        let sizes = out.sizes(records.len());
        eprintln!(
            "{} records from {} sources; {} candidate pairs considered; {} matches ({} confirmed by analysts, {} decisions on file); run {} in {:.2?}",
            records.len(),
            present.len(),
            out.considered,
            linked,
            confirmed,
            decisions.len(),
            entry.run,
            started.elapsed()
        );
        let sizes: Vec<String> = sizes
            .iter()
            .map(|(size, n)| format!("{size}: {n}"))
            .collect();
        eprintln!("clusters by size: {}", sizes.join(", "));
        eprintln!(
            "uncertain: {uncertain} (list them with `sitrep match review`); incidents now has one row per cluster"
        );
        if let Some(p) = pairs_out {
            eprintln!("pairs: {}", p.display());
        }
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The linked pairs as CSV, written atomically (temporary file, then rename).
fn write_pairs_csv(path: &Path, pairs: &[MatchPair]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "pairs.csv".into())
    ));
    let io = |e: std::io::Error| Failure::Input(format!("{}: {e}", path.display()));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(io)?);
    writeln!(
        f,
        "source_a,source_event_id_a,source_b,source_event_id_b,score,score_date,score_space,score_event_type,score_actor,score_fatalities,runner_up,status"
    )
    .map_err(io)?;
    let num = |x: Option<f32>| x.map(|v| format!("{v:.4}")).unwrap_or_default();
    for p in pairs.iter().filter(|p| p.status != PairStatus::Unselected) {
        writeln!(
            f,
            "{},{},{},{},{:.4},{:.4},{:.4},{:.4},{},{},{},{}",
            csv_field(&p.a.source),
            csv_field(&p.a.source_event_id),
            csv_field(&p.b.source),
            csv_field(&p.b.source_event_id),
            p.score,
            p.parts.date,
            p.parts.space,
            p.parts.event_type,
            num(p.parts.actor),
            num(p.parts.fatalities),
            num(p.runner_up),
            p.status.as_str()
        )
        .map_err(io)?;
    }
    let f = f.into_inner().map_err(|e| io(e.into_error()))?;
    f.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    Ok(())
}

#[derive(Serialize)]
struct ReviewRow {
    a: String,
    b: String,
    status: &'static str,
    score: String,
    runner_up: String,
    why: String,
    parts: String,
}

async fn review(cli: &Cli, limit: usize, format: OutFormat) -> anyhow::Result<ExitCode> {
    store_dir(cli)?;
    let store = read_store(&cli.store).await?;
    let Some(entry) = store.manifest().matching.clone() else {
        return Err(Failure::Input(
            "no matching run in this store (or a later ingest changed records): run `sitrep match` first".into(),
        )
        .into());
    };
    let settings: Settings = serde_json::from_str(&entry.settings)?;
    let cfg = settings.config();
    let decided = store.decisions()?;
    let latest = sitrep_match::latest_decisions(&decided);
    let mut rows: Vec<(f32, MatchPair)> = store
        .match_pairs()
        .await?
        .into_iter()
        .filter(|p| sitrep_match::is_uncertain(p, &cfg))
        .filter(|p| {
            let key = if p.a <= p.b {
                (p.a.clone(), p.b.clone())
            } else {
                (p.b.clone(), p.a.clone())
            };
            !latest.contains_key(&key)
        })
        .map(|p| {
            // How close the decision was: distance to the threshold or to the runner-up.
            let to_threshold = (p.score - cfg.threshold).abs();
            let to_runner = match (p.status, p.runner_up) {
                (PairStatus::Matched, Some(r)) => p.score - r,
                _ => f32::INFINITY,
            };
            (to_threshold.min(to_runner), p)
        })
        .collect();
    rows.sort_by(|x, y| x.0.total_cmp(&y.0).then_with(|| x.1.a.cmp(&y.1.a)));
    let total = rows.len();
    let f = |x: f32| format!("{x:.3}");
    let out: Vec<ReviewRow> = rows
        .into_iter()
        .take(limit)
        .map(|(_, p)| {
            let why = match p.status {
                PairStatus::Matched
                    if p.runner_up.is_some_and(|r| p.score - r < cfg.review_margin) =>
                {
                    format!("runner-up within {}", cfg.review_margin)
                }
                PairStatus::Matched => format!(
                    "linked, score within {} of the threshold {}",
                    cfg.review_band, cfg.threshold
                ),
                _ if p.score >= cfg.threshold => "not linked: lost to a better pair".into(),
                _ => format!(
                    "not linked: score within {} below the threshold",
                    cfg.review_band
                ),
            };
            ReviewRow {
                a: p.a.to_string(),
                b: p.b.to_string(),
                status: p.status.as_str(),
                score: f(p.score),
                runner_up: p.runner_up.map(f).unwrap_or_default(),
                why,
                parts: format!(
                    "date {} place {} type {} actor {} deaths {}",
                    f(p.parts.date),
                    f(p.parts.space),
                    f(p.parts.event_type),
                    p.parts.actor.map(f).unwrap_or_else(|| "-".into()),
                    p.parts.fatalities.map(f).unwrap_or_else(|| "-".into())
                ),
            }
        })
        .collect();
    crate::output::print_rows(&out, format)?;
    if !cli.quiet {
        eprintln!(
            "{total} uncertain pairs without a decision ({} shown); decide with `sitrep match confirm|reject A B --by NAME --why TEXT`",
            out.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_record(s: &str) -> anyhow::Result<RecordRef> {
    RecordRef::parse(s).ok_or_else(|| {
        Failure::Input(format!(
            "{s:?}: not a record; write SOURCE:EVENT_ID, e.g. ged241:182027"
        ))
        .into()
    })
}

/// Fails unless every record is in the store.
pub(super) async fn check_exist(store: &Store, refs: &[&RecordRef]) -> anyhow::Result<()> {
    for r in refs {
        let n = store
            .sql(&format!(
                "SELECT count(*) FROM records WHERE source = {} AND source_event_id = {}",
                sitrep_store::quote(&r.source),
                sitrep_store::quote(&r.source_event_id)
            ))
            .await?;
        let count = n
            .first()
            .map(|b| {
                sitrep_store::arrow::array::AsArray::as_primitive::<
                    sitrep_store::arrow::datatypes::Int64Type,
                >(b.column(0))
                .value(0)
            })
            .unwrap_or(0);
        if count == 0 {
            return Err(Failure::Input(format!("{r}: no such record in the store")).into());
        }
    }
    Ok(())
}

/// Stores decisions (the store's list and, as one entry, the journal, which is what
/// applies), then re-applies the matching so `incidents` shows them at once.
pub(super) async fn record_decisions(
    cli: &Cli,
    mut store: Store,
    action: sitrep_model::Action,
    decisions: &[Decision],
) -> anyhow::Result<()> {
    let (Some(first), true) = (decisions.first(), !decisions.is_empty()) else {
        return Ok(());
    };
    for d in decisions {
        store.append_decision(d)?;
    }
    let entry = sitrep_claims::Ledger::for_store(store.root())
        .decide_matches(action, decisions, &first.by, &first.why)
        .map_err(super::claims::ledger_err)?;
    drop(store);
    let applied = rematch(cli).await?;
    eprintln!(
        "recorded {} decision{} by {} as journal entry {} ({}); {}",
        decisions.len(),
        if decisions.len() == 1 { "" } else { "s" },
        first.by,
        entry.seq,
        action.as_str(),
        if applied {
            "the matching was re-applied with the last run's settings"
        } else {
            "no matching run to repeat: `sitrep match` applies it"
        }
    );
    Ok(())
}

fn decision(kind: DecisionKind, a: &RecordRef, b: &RecordRef, by: &str, why: &str) -> Decision {
    Decision {
        kind,
        a: a.clone(),
        b: b.clone(),
        by: by.trim().to_string(),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        why: why.trim().to_string(),
    }
}

async fn decide(cli: &Cli, d: &DecideArgs, kind: DecisionKind) -> anyhow::Result<ExitCode> {
    let dir = store_dir(cli)?;
    let (a, b) = (parse_record(&d.a)?, parse_record(&d.b)?);
    if a == b {
        return Err(Failure::Input(format!("{a}: a record cannot be paired with itself")).into());
    }
    if d.by.trim().is_empty() || d.why.trim().is_empty() {
        return Err(Failure::Input("--by and --why must not be empty".into()).into());
    }
    let store = Store::open(dir)?;
    check_exist(&store, &[&a, &b]).await?;
    let action = match kind {
        DecisionKind::Confirm => sitrep_model::Action::MatchConfirmed,
        DecisionKind::Reject => sitrep_model::Action::MatchRejected,
    };
    record_decisions(cli, store, action, &[decision(kind, &a, &b, &d.by, &d.why)]).await?;
    Ok(ExitCode::SUCCESS)
}

/// `sitrep incidents show|merge|split`.
pub async fn incidents(cli: &Cli, a: &IncidentsArgs) -> anyhow::Result<ExitCode> {
    let dir = store_dir(cli)?;
    match &a.action {
        IncidentsAction::Show { record, format } => {
            let r = parse_record(record)?;
            let store = read_store(&cli.store).await?;
            check_exist(&store, &[&r]).await?;
            let rows = members(&store, &r).await?;
            crate::output::print_rows(&rows, *format)?;
            if !cli.quiet {
                let sources: std::collections::BTreeSet<&str> =
                    rows.iter().map(|m| m.source.as_str()).collect();
                eprintln!(
                    "{} record{} from {} source{} in this incident",
                    rows.len(),
                    if rows.len() == 1 { "" } else { "s" },
                    sources.len(),
                    if sources.len() == 1 { "" } else { "s" }
                );
            }
        }
        IncidentsAction::Merge {
            records,
            reason,
            user,
        } => {
            let refs = records
                .iter()
                .map(|s| parse_record(s))
                .collect::<anyhow::Result<Vec<_>>>()?;
            for (i, r) in refs.iter().enumerate() {
                if refs[..i].contains(r) {
                    return Err(Failure::Input(format!("{r} is given twice")).into());
                }
            }
            let store = Store::open(dir)?;
            check_exist(&store, &refs.iter().collect::<Vec<_>>()).await?;
            let by = super::claims::cli_user(user);
            let ds: Vec<Decision> = refs[1..]
                .iter()
                .map(|b| decision(DecisionKind::Confirm, &refs[0], b, &by, reason))
                .collect();
            record_decisions(cli, store, sitrep_model::Action::IncidentMerged, &ds).await?;
        }
        IncidentsAction::Split {
            record,
            reason,
            user,
        } => {
            let r = parse_record(record)?;
            let store = read_store(&cli.store).await?;
            check_exist(&store, &[&r]).await?;
            let others: Vec<RecordRef> = members(&store, &r)
                .await?
                .into_iter()
                .map(|m| RecordRef::new(m.source, m.source_event_id))
                .filter(|m| *m != r)
                .collect();
            if others.is_empty() {
                return Err(Failure::Input(format!(
                    "{r} is not linked to other records: it is an incident of its own"
                ))
                .into());
            }
            let by = super::claims::cli_user(user);
            let ds: Vec<Decision> = others
                .iter()
                .map(|o| decision(DecisionKind::Reject, &r, o, &by, reason))
                .collect();
            record_decisions(cli, store, sitrep_model::Action::IncidentSplit, &ds).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One member record of an incident.
#[derive(Debug, Serialize)]
pub(super) struct Member {
    pub incident_id: String,
    pub source: String,
    pub source_event_id: String,
    pub primary: bool,
    pub date: String,
    pub province: String,
    pub side_a: String,
    pub side_b: String,
    pub deaths_best: String,
}

/// The records of the incident `r` belongs to (just `r` when it is not linked).
pub(super) async fn members(store: &Store, r: &RecordRef) -> anyhow::Result<Vec<Member>> {
    let q = |s: &str| sitrep_store::quote(s);
    let this = format!(
        "SELECT record_id FROM records WHERE source = {} AND source_event_id = {} \
         AND NOT EXISTS (SELECT 1 FROM changes c WHERE c.record_id = records.record_id)",
        q(&r.source),
        q(&r.source_event_id)
    );
    let sql = format!(
        "WITH me AS ({this}), \
         inc AS (SELECT incident_id FROM match_members WHERE record_id IN (SELECT record_id FROM me)), \
         ids AS (SELECT record_id, incident_id, is_primary FROM match_members WHERE incident_id IN (SELECT incident_id FROM inc) \
                 UNION ALL SELECT record_id, NULL, true FROM me WHERE NOT EXISTS (SELECT 1 FROM inc)) \
         SELECT COALESCE(ids.incident_id, concat(r.source, ':', r.source_event_id)), r.source, r.source_event_id, ids.is_primary, \
                CAST(r.date_start AS VARCHAR), COALESCE(e.province_name, ''), COALESCE(r.actor1, ''), COALESCE(r.actor2, ''), \
                COALESCE(CAST(r.fatalities_best AS VARCHAR), '') \
         FROM ids JOIN records r ON r.record_id = ids.record_id LEFT JOIN enrichment e ON e.record_id = r.record_id \
         ORDER BY ids.is_primary DESC, r.source, r.source_event_id"
    );
    use sitrep_store::arrow::array::AsArray;
    let mut out = Vec::new();
    for b in store.sql(&sql).await? {
        let s = |i: usize| -> anyhow::Result<sitrep_store::arrow::array::StringArray> {
            let c = sitrep_store::arrow::compute::cast(
                b.column(i),
                &sitrep_store::arrow::datatypes::DataType::Utf8,
            )?;
            Ok(c.as_string::<i32>().clone())
        };
        let (inc, src, id, date, prov, a1, a2, best) =
            (s(0)?, s(1)?, s(2)?, s(4)?, s(5)?, s(6)?, s(7)?, s(8)?);
        let prim = b.column(3).as_boolean().clone();
        for i in 0..b.num_rows() {
            out.push(Member {
                incident_id: inc.value(i).to_string(),
                source: src.value(i).to_string(),
                source_event_id: id.value(i).to_string(),
                primary: prim.value(i),
                date: date.value(i).to_string(),
                province: prov.value(i).to_string(),
                side_a: a1.value(i).to_string(),
                side_b: a2.value(i).to_string(),
                deaths_best: best.value(i).to_string(),
            });
        }
    }
    Ok(out)
}
