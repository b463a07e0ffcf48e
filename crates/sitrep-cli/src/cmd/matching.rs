//! `sitrep match`: run the matcher, review its uncertain decisions, confirm or reject pairs.

use super::Bar;
use crate::args::{
    Cli, DecideArgs, IncidentsAction, IncidentsArgs, MatchAction, MatchArgs, MatchRunArgs,
    OutFormat,
};
use crate::Failure;
use serde::Serialize;
use sitrep_match::Config;
use sitrep_model::{Action, Decision, DecisionKind, MatchPair, PairStatus, RecordRef};
use sitrep_workspace::{MatchReport, MatchSettings, Workspace};
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
    let ws = super::workspace(&cli.store).await?;
    let records = ws.store().match_records(sources).await?;
    let decisions = ws.decisions_in_force()?;
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

async fn run_matcher(cli: &Cli, a: &MatchRunArgs) -> anyhow::Result<ExitCode> {
    let dir = store_dir(cli)?;
    let settings = MatchSettings {
        sources: a.sources.clone(),
        days: a.days,
        km: a.km,
        threshold: a.threshold,
        dedupe: a.dedupe,
        taxonomy: a.taxonomy,
        model: a.model,
        target_precision: a.target_precision,
        ..MatchSettings::new(&[])
    };
    settings.check()?;
    let started = std::time::Instant::now();
    let mut ws = Workspace::open(dir).await?;
    let r = ws.run_matching(&settings, &Bar::records(cli.quiet)).await?;
    if let Some(path) = a.pairs_out.as_deref() {
        write_pairs_csv(path, &r.pairs)?;
    }
    report(&r, started);
    if let Some(p) = a.pairs_out.as_deref() {
        eprintln!("pairs: {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// What a matching run did, on standard error.
fn report(r: &MatchReport, started: std::time::Instant) {
    eprintln!(
        "{} records from {} sources; {} candidate pairs considered; {} matches ({} confirmed by analysts, {} decisions on file); run {} in {:.2?}",
        r.records,
        r.sources,
        r.considered,
        r.linked,
        r.confirmed,
        r.decisions,
        r.run,
        started.elapsed()
    );
    let sizes: Vec<String> = r
        .sizes
        .iter()
        .map(|(size, n)| format!("{size}: {n}"))
        .collect();
    eprintln!("clusters by size: {}", sizes.join(", "));
    if let Some((e, at)) = &r.expected {
        eprintln!(
            "learned model: expected precision {:.4}, recall {:.4} ({} links; the model's own estimate from its pair probabilities, threshold {at:.3})",
            e.precision, e.recall, e.links
        );
    }
    eprintln!(
        "uncertain: {} (list them with `sitrep match review`); incidents now has one row per cluster",
        r.uncertain
    );
}

/// Re-applies the last run's settings with the decisions now in force (after a
/// journal undo). Returns false when there is no run to repeat.
pub(super) async fn rematch(cli: &Cli) -> anyhow::Result<bool> {
    let mut ws = Workspace::open_for_write(store_dir(cli)?)?;
    let started = std::time::Instant::now();
    let r = ws.rematch(&Bar::records(cli.quiet)).await?;
    if let Some(r) = &r {
        report(r, started);
    }
    Ok(r.is_some())
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
    p_learned: String,
    parts: String,
}

async fn review(cli: &Cli, limit: usize, format: OutFormat) -> anyhow::Result<ExitCode> {
    store_dir(cli)?;
    let ws = super::workspace(&cli.store).await?;
    let q = ws.review_queue(limit).await?;
    let f = |x: f32| format!("{x:.3}");
    let out: Vec<ReviewRow> = q
        .items
        .into_iter()
        .map(|i| {
            let p = i.pair;
            ReviewRow {
                a: p.a.to_string(),
                b: p.b.to_string(),
                status: p.status.as_str(),
                score: f(p.score),
                runner_up: p.runner_up.map(f).unwrap_or_default(),
                why: i.why,
                p_learned: i.learned.map(|p| format!("{p:.3}")).unwrap_or_default(),
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
            "{} uncertain pairs without a decision ({} shown, most informative first by the learned model's P(match)); decide with `sitrep match confirm|reject A B --by NAME --why TEXT`",
            q.total,
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

/// Records decisions through the workspace (store list and journal, then the
/// matching re-applied) and says what happened.
async fn record_decisions(
    cli: &Cli,
    mut ws: Workspace,
    action: Action,
    decisions: &[Decision],
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let d = ws
        .decide(action, decisions, &Bar::records(cli.quiet))
        .await?;
    if let Some(r) = &d.rematched {
        report(r, started);
    }
    let first = &decisions[0];
    eprintln!(
        "recorded {} decision{} by {} as journal entry {} ({}); {}",
        decisions.len(),
        if decisions.len() == 1 { "" } else { "s" },
        first.by,
        d.entry,
        action.as_str(),
        if d.rematched.is_some() {
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
    let ws = Workspace::open_for_write(dir)?;
    let action = match kind {
        DecisionKind::Confirm => Action::MatchConfirmed,
        DecisionKind::Reject => Action::MatchRejected,
    };
    record_decisions(cli, ws, action, &[decision(kind, &a, &b, &d.by, &d.why)]).await?;
    Ok(ExitCode::SUCCESS)
}

/// `sitrep incidents show|merge|split`.
pub async fn incidents(cli: &Cli, a: &IncidentsArgs) -> anyhow::Result<ExitCode> {
    let dir = store_dir(cli)?;
    match &a.action {
        IncidentsAction::Show { record, format } => {
            let r = parse_record(record)?;
            let ws = super::workspace(&cli.store).await?;
            ws.check_records_exist(&[&r]).await?;
            let rows = ws.store().incident_members(&r).await?;
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
            let ws = Workspace::open_for_write(dir)?;
            let by = super::claims::cli_user(user);
            let ds: Vec<Decision> = refs[1..]
                .iter()
                .map(|b| decision(DecisionKind::Confirm, &refs[0], b, &by, reason))
                .collect();
            record_decisions(cli, ws, Action::IncidentMerged, &ds).await?;
        }
        IncidentsAction::Split {
            record,
            reason,
            user,
        } => {
            let r = parse_record(record)?;
            let ws = super::workspace(&cli.store).await?;
            ws.check_records_exist(&[&r]).await?;
            let others: Vec<RecordRef> = ws
                .store()
                .incident_members(&r)
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
            drop(ws);
            record_decisions(
                cli,
                Workspace::open_for_write(dir)?,
                Action::IncidentSplit,
                &ds,
            )
            .await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
