//! `sitrep claims`, `sitrep journal`: the claims ledger and the analyst journal.

use crate::args::{Cli, OutFormat};
use crate::output::print_rows;
use crate::Failure;
use clap::{Args, Subcommand};
use sitrep_claims::{AsOf, ClaimsError, IncidentVerdict, Ledger};
use sitrep_model::figure::Attribution;
use sitrep_model::{Channel, Claim, Grade, IncidentRef, Stance};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `sitrep claims`.
#[derive(Debug, Args)]
pub struct ClaimsArgs {
    /// The analyst recorded in the journal (default: $SITREP_USER, else $USER).
    #[arg(long = "as", value_name = "USER", env = "SITREP_USER", global = true)]
    pub user: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: ClaimsCommand,
}

/// Claims subcommands.
#[derive(Debug, Subcommand)]
pub enum ClaimsCommand {
    /// List claims (all, or one incident's).
    List(ListArgs),
    /// One incident: its claims, computed verdict and basis, override, history.
    Show(ShowArgs),
    /// Verdicts per incident (counts by status on stderr).
    Verdicts(VerdictsArgs),
    /// Import claims from a claims CSV or a GTD export.
    Import(ImportArgs),
    /// Add a claim by hand.
    Add(AddArgs),
    /// Change a claim.
    Edit(EditArgs),
    /// Withdraw a claim (the journal keeps it).
    Retract(ReasonArgs),
    /// Override an incident's verdict; the computed one stays visible beside it.
    Override(OverrideArgs),
    /// Remove an override: the computed verdict applies again.
    ClearOverride(ClearArgs),
}

/// Options shared by read commands.
#[derive(Debug, Args)]
pub struct ReadOpts {
    /// State as of YYYY-MM-DD (end of day, UTC), an RFC 3339 time, or #N (after journal entry N).
    #[arg(long, value_name = "WHEN", value_parser = AsOf::parse)]
    pub as_of: Option<AsOf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
}

/// `sitrep claims list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this incident (SOURCE:EVENT_ID).
    #[arg(long, value_parser = parse_ref)]
    pub incident: Option<IncidentRef>,
    /// Read options.
    #[command(flatten)]
    pub read: ReadOpts,
}

/// `sitrep claims show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The incident, SOURCE:EVENT_ID (e.g. curated-afg:AFG-CUR-0006).
    #[arg(value_parser = parse_ref)]
    pub incident: IncidentRef,
    /// Read options.
    #[command(flatten)]
    pub read: ReadOpts,
}

/// `sitrep claims verdicts`.
#[derive(Debug, Args)]
pub struct VerdictsArgs {
    /// Only incidents of this source (repeatable).
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,
    /// Only this status (repeatable): attributed, claimed, contested, unattributed.
    #[arg(long = "status", value_parser = parse_status)]
    pub statuses: Vec<Attribution>,
    /// Read options.
    #[command(flatten)]
    pub read: ReadOpts,
}

/// `sitrep claims import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file.
    pub file: PathBuf,
    /// Layout: csv (sitrep's claims CSV) or gtd (a GTD export's claim fields).
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// For gtd: the source name the GTD records were ingested under.
    #[arg(long, default_value = "gtd")]
    pub source: String,
    /// Why (recorded in the journal).
    #[arg(long, default_value = "")]
    pub reason: String,
}

/// Fields of a claim on the command line.
#[derive(Debug, Args, Default)]
pub struct ClaimFields {
    /// Who makes the statement, as the source names them.
    #[arg(long)]
    pub claimant: Option<String>,
    /// claims, denies, attributes, disputes or frames.
    #[arg(long, value_parser = parse_stance)]
    pub stance: Option<Stance>,
    /// Who is held responsible (for attributes).
    #[arg(long)]
    pub target: Option<String>,
    /// Date of the claim, YYYY-MM-DD.
    #[arg(long)]
    pub date: Option<chrono::NaiveDate>,
    /// statement, social_media, video, spokesperson, media_report, or free text.
    #[arg(long)]
    pub channel: Option<String>,
    /// The reporting source.
    #[arg(long)]
    pub reported_by: Option<String>,
    /// URL or other reference.
    #[arg(long)]
    pub reference: Option<String>,
    /// Admiralty grade of the report, e.g. B2.
    #[arg(long, value_parser = parse_grade)]
    pub grade: Option<Grade>,
    /// Wording or summary.
    #[arg(long)]
    pub statement: Option<String>,
}

/// `sitrep claims add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The incident, SOURCE:EVENT_ID.
    #[arg(long, value_parser = parse_ref)]
    pub incident: IncidentRef,
    /// The claim.
    #[command(flatten)]
    pub fields: ClaimFields,
    /// Why (recorded in the journal).
    #[arg(long, default_value = "")]
    pub reason: String,
}

/// `sitrep claims edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// Claim id.
    pub id: String,
    /// Fields to change.
    #[command(flatten)]
    pub fields: ClaimFields,
    /// Why (recorded in the journal).
    #[arg(long)]
    pub reason: String,
}

/// A claim id and a reason.
#[derive(Debug, Args)]
pub struct ReasonArgs {
    /// Claim id.
    pub id: String,
    /// Why (required).
    #[arg(long)]
    pub reason: String,
}

/// `sitrep claims override`.
#[derive(Debug, Args)]
pub struct OverrideArgs {
    /// The incident, SOURCE:EVENT_ID.
    #[arg(value_parser = parse_ref)]
    pub incident: IncidentRef,
    /// The verdict: attributed, claimed, contested or unattributed.
    #[arg(long, value_parser = parse_status)]
    pub status: Attribution,
    /// The actor held responsible.
    #[arg(long)]
    pub actor: Option<String>,
    /// Why (required).
    #[arg(long)]
    pub reason: String,
}

/// `sitrep claims clear-override`.
#[derive(Debug, Args)]
pub struct ClearArgs {
    /// The incident, SOURCE:EVENT_ID.
    #[arg(value_parser = parse_ref)]
    pub incident: IncidentRef,
    /// Why (required).
    #[arg(long)]
    pub reason: String,
}

/// `sitrep journal`.
#[derive(Debug, Args)]
pub struct JournalArgs {
    /// The analyst recorded in the journal (default: $SITREP_USER, else $USER).
    #[arg(long = "as", value_name = "USER", env = "SITREP_USER", global = true)]
    pub user: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: JournalCommand,
}

/// Journal subcommands.
#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Every entry: who, when, what, why, subjects changed.
    List(ReadOpts),
    /// Read and verify the journal (hash chain, frames) and the users file.
    Verify,
    /// Undo an entry: the subjects it changed go back to their values before it.
    Undo {
        /// The entry's number.
        seq: u64,
        /// Why (required).
        #[arg(long)]
        reason: String,
    },
    /// Append synthetic test entries one by one, printing each number once it is
    /// durable (crash tests).
    #[command(hide = true)]
    AppendTest {
        /// How many.
        #[arg(long, default_value_t = 1000)]
        count: u64,
    },
}

fn parse_ref(s: &str) -> Result<IncidentRef, String> {
    IncidentRef::parse(s).ok_or_else(|| {
        format!("expected SOURCE:EVENT_ID (e.g. curated-afg:AFG-CUR-0006), found {s:?}")
    })
}

fn parse_stance(s: &str) -> Result<Stance, String> {
    Stance::parse(s).ok_or_else(|| {
        format!("expected claims, denies, attributes, disputes or frames, found {s:?}")
    })
}

fn parse_grade(s: &str) -> Result<Grade, String> {
    Grade::parse(s).ok_or_else(|| format!("expected an Admiralty grade such as B2, found {s:?}"))
}

/// Parses an attribution status.
pub fn parse_status(s: &str) -> Result<Attribution, String> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_lowercase())).map_err(|_| {
        format!("expected attributed, claimed, contested or unattributed, found {s:?}")
    })
}

/// The user the CLI records: `--as`, `$SITREP_USER`, `$USER`, or `cli`.
pub fn cli_user(given: &Option<String>) -> String {
    given
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "cli".into())
}

/// Maps ledger errors to exit codes: input 1, damage 3, others 4.
pub fn ledger_err(e: ClaimsError) -> anyhow::Error {
    if e.is_input() {
        Failure::Input(e.to_string()).into()
    } else if e.is_damaged() {
        Failure::Store(e.to_string()).into()
    } else {
        e.into()
    }
}

fn store_dir(cli: &Cli) -> anyhow::Result<&Path> {
    cli.store.as_deref().ok_or_else(|| {
        Failure::Input(
            "claims live in a store: pass --store DIR or set SITREP_STORE (the bundled data has no claims)".into(),
        )
        .into()
    })
}

/// The ledger of the `--store` store, which must exist.
pub fn ledger(cli: &Cli) -> anyhow::Result<Ledger> {
    let dir = store_dir(cli)?;
    if !dir.join("manifest.json").exists() {
        // Opening fails with the store's own message ("not a sitrep store …").
        sitrep_store::Store::open(dir)?;
    }
    Ok(Ledger::for_store(dir))
}

/// The ledger of the `--store` store for a write: an empty store is made first when
/// the directory is new, so the ledger always sits inside a store.
pub fn ledger_rw(cli: &Cli) -> anyhow::Result<Ledger> {
    let dir = store_dir(cli)?;
    sitrep_store::Store::open_or_create(dir)?;
    Ok(Ledger::for_store(dir))
}

/// Verdicts of the store as of a point.
async fn verdicts_of(
    cli: &Cli,
    as_of: AsOf,
) -> anyhow::Result<BTreeMap<IncidentRef, IncidentVerdict>> {
    let l = ledger(cli)?;
    let mut store = super::read_store(&cli.store).await?;
    sitrep_claims::attach_attribution(&mut store, &l, as_of)
        .await
        .map_err(ledger_err)
}

#[derive(serde::Serialize)]
struct ClaimRow {
    id: String,
    incident: String,
    stance: &'static str,
    claimant: String,
    actor: String,
    target: String,
    channel: String,
    grade: String,
    date: String,
    statement: String,
}

fn claim_row(c: &Claim) -> ClaimRow {
    let mut claimant = c.claimant.clone();
    for j in &c.joint {
        claimant.push_str(" + ");
        claimant.push_str(j);
    }
    ClaimRow {
        id: c.id.clone(),
        incident: c.incident.to_string(),
        stance: c.stance.as_str(),
        claimant,
        actor: c
            .claimant_id
            .clone()
            .or_else(|| c.target_id.clone())
            .unwrap_or_default(),
        target: c.target.clone().unwrap_or_default(),
        channel: if c.channel_text.is_empty() {
            c.channel.as_str().to_string()
        } else {
            format!("{} ({})", c.channel.as_str(), c.channel_text)
        },
        grade: c.grade.to_string(),
        date: c.date.map(|d| d.to_string()).unwrap_or_default(),
        statement: c.statement.chars().take(120).collect(),
    }
}

#[derive(serde::Serialize)]
struct VerdictRow {
    incident: String,
    status: &'static str,
    computed: &'static str,
    actor: String,
    confidence: f64,
    level: &'static str,
    overridden_by: String,
    override_reason: String,
    basis: String,
}

fn verdict_row(k: &IncidentRef, v: &IncidentVerdict) -> VerdictRow {
    VerdictRow {
        incident: k.to_string(),
        status: v.status().as_str(),
        computed: v.computed.status.as_str(),
        actor: v
            .overridden
            .as_ref()
            .and_then(|o| o.actor.clone())
            .or_else(|| v.computed.actor.clone())
            .unwrap_or_default(),
        confidence: v.computed.confidence,
        level: v.computed.level.as_str(),
        overridden_by: v
            .overridden
            .as_ref()
            .map(|o| o.user.clone())
            .unwrap_or_default(),
        override_reason: v
            .overridden
            .as_ref()
            .map(|o| o.reason.clone())
            .unwrap_or_default(),
        basis: v.computed.basis.clone(),
    }
}

pub async fn claims(cli: &Cli, a: &ClaimsArgs) -> anyhow::Result<ExitCode> {
    let user = cli_user(&a.user);
    match &a.command {
        ClaimsCommand::List(l) => {
            let led = ledger(cli)?;
            let view = led
                .view(l.read.as_of.unwrap_or_default())
                .map_err(ledger_err)?;
            let rows: Vec<ClaimRow> = view
                .claims()
                .iter()
                .filter(|c| l.incident.as_ref().is_none_or(|i| &c.incident == i))
                .map(claim_row)
                .collect();
            print_rows(&rows, l.read.format)?;
        }
        ClaimsCommand::Show(s) => show(cli, s).await?,
        ClaimsCommand::Verdicts(v) => {
            let all = verdicts_of(cli, v.read.as_of.unwrap_or_default()).await?;
            let rows: Vec<VerdictRow> = all
                .iter()
                .filter(|(k, _)| v.sources.is_empty() || v.sources.contains(&k.source))
                .filter(|(_, iv)| v.statuses.is_empty() || v.statuses.contains(&iv.status()))
                .map(|(k, iv)| verdict_row(k, iv))
                .collect();
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for r in &rows {
                *counts.entry(r.status).or_default() += 1;
            }
            print_rows(&rows, v.read.format)?;
            if !cli.quiet || v.read.format == OutFormat::Table {
                eprintln!(
                    "{} incidents: {}",
                    rows.len(),
                    counts
                        .iter()
                        .map(|(k, n)| format!("{k} {n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        ClaimsCommand::Import(i) => {
            let led = ledger_rw(cli)?;
            let name = i.file.display().to_string();
            let f =
                std::fs::File::open(&i.file).map_err(|e| Failure::Input(format!("{name}: {e}")))?;
            let resolver = super::resolver(&cli.store)?;
            let reg = resolver.registry();
            let claims = match i.format.as_str() {
                "csv" => sitrep_claims::read_claims_csv(f, &name, reg),
                "gtd" => sitrep_claims::read_gtd(f, &name, &i.source, reg),
                other => {
                    return Err(
                        Failure::Input(format!("--format {other:?}: expected csv or gtd")).into(),
                    )
                }
            }
            .map_err(ledger_err)?;
            let n = claims.len();
            let reason = if i.reason.is_empty() {
                format!("import {name} ({})", i.format)
            } else {
                i.reason.clone()
            };
            let o = led.import(claims, &user, &reason).map_err(ledger_err)?;
            eprintln!(
                "{name}: {n} claims: {} added, {} changed, {} unchanged{}",
                o.added,
                o.changed,
                o.unchanged,
                o.entry
                    .map(|s| format!(" (journal entry {s})"))
                    .unwrap_or_default()
            );
        }
        ClaimsCommand::Add(ad) => {
            let f = &ad.fields;
            let stance = f
                .stance
                .ok_or_else(|| Failure::Input("claims add needs --stance".into()))?;
            let resolver = super::resolver(&cli.store)?;
            let reg = resolver.registry();
            let claimant = f.claimant.clone().unwrap_or_default();
            let target = f.target.clone().unwrap_or_default();
            let resolve = |n: &str| sitrep_claims::text::resolve_name(reg, n, None, f.date);
            let channel_text = f.channel.clone().unwrap_or_default();
            let claim = Claim {
                id: String::new(),
                incident: ad.incident.clone(),
                claimant_id: resolve(&claimant),
                claimant,
                joint: Vec::new(),
                stance,
                target_id: resolve(&target),
                target: (!target.is_empty()).then_some(target),
                date: f.date,
                channel: Channel::guess(&channel_text),
                channel_text,
                reported_by: f.reported_by.clone().unwrap_or_default(),
                reference: f.reference.clone().unwrap_or_default(),
                grade: f.grade.unwrap_or_default(),
                statement: f.statement.clone().unwrap_or_default(),
            };
            let e = ledger_rw(cli)?
                .add_claim(claim, &user, &ad.reason)
                .map_err(ledger_err)?;
            let id = e.changes[0]
                .subject
                .trim_start_matches("claim:")
                .to_string();
            println!("{id}");
            eprintln!("claim {id} added (journal entry {})", e.seq);
        }
        ClaimsCommand::Edit(ed) => {
            let f = &ed.fields;
            let resolver = super::resolver(&cli.store)?;
            let reg = resolver.registry();
            let e = ledger(cli)?
                .edit_claim(
                    &ed.id,
                    |c| {
                        if let Some(v) = &f.claimant {
                            c.claimant = v.clone();
                            c.claimant_id = sitrep_claims::text::resolve_name(reg, v, None, c.date);
                        }
                        if let Some(v) = f.stance {
                            c.stance = v;
                        }
                        if let Some(v) = &f.target {
                            c.target = (!v.is_empty()).then(|| v.clone());
                            c.target_id = sitrep_claims::text::resolve_name(reg, v, None, c.date);
                        }
                        if let Some(v) = f.date {
                            c.date = Some(v);
                        }
                        if let Some(v) = &f.channel {
                            c.channel = Channel::guess(v);
                            c.channel_text = v.clone();
                        }
                        if let Some(v) = &f.reported_by {
                            c.reported_by = v.clone();
                        }
                        if let Some(v) = &f.reference {
                            c.reference = v.clone();
                        }
                        if let Some(v) = f.grade {
                            c.grade = v;
                        }
                        if let Some(v) = &f.statement {
                            c.statement = v.clone();
                        }
                        Ok(())
                    },
                    &user,
                    &ed.reason,
                )
                .map_err(ledger_err)?;
            eprintln!("claim {} edited (journal entry {})", ed.id, e.seq);
        }
        ClaimsCommand::Retract(r) => {
            let e = ledger(cli)?
                .retract_claim(&r.id, &user, &r.reason)
                .map_err(ledger_err)?;
            eprintln!("claim {} retracted (journal entry {})", r.id, e.seq);
        }
        ClaimsCommand::Override(o) => {
            let e = ledger(cli)?
                .override_verdict(&o.incident, o.status, o.actor.clone(), &user, &o.reason)
                .map_err(ledger_err)?;
            eprintln!(
                "{}: verdict overridden to {} (journal entry {})",
                o.incident,
                o.status.as_str(),
                e.seq
            );
        }
        ClaimsCommand::ClearOverride(c) => {
            let e = ledger(cli)?
                .clear_override(&c.incident, &user, &c.reason)
                .map_err(ledger_err)?;
            eprintln!("{}: override cleared (journal entry {})", c.incident, e.seq);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Serialize)]
struct ShowOut {
    incident: String,
    verdict: IncidentVerdict,
    claims: Vec<Claim>,
    history: Vec<sitrep_model::JournalEntry>,
}

async fn show(cli: &Cli, s: &ShowArgs) -> anyhow::Result<()> {
    let as_of = s.read.as_of.unwrap_or_default();
    let all = verdicts_of(cli, as_of).await?;
    let led = ledger(cli)?;
    let view = led.view(as_of).map_err(ledger_err)?;
    let Some(v) = all.get(&s.incident).cloned() else {
        return Err(Failure::Input(format!(
            "no incident {} in the store and no claim about it",
            s.incident
        ))
        .into());
    };
    let claims: Vec<Claim> = view
        .claims()
        .into_iter()
        .filter(|c| c.incident == s.incident)
        .collect();
    let history: Vec<_> = led
        .history(&s.incident)
        .map_err(ledger_err)?
        .into_iter()
        .filter(|e| as_of.includes(e))
        .collect();
    if s.read.format == OutFormat::Json {
        let out = ShowOut {
            incident: s.incident.to_string(),
            verdict: v,
            claims,
            history,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("incident  {}", s.incident);
    match &v.overridden {
        Some(o) => {
            println!(
                "verdict   {} (override by {} at {}: {})",
                o.status.as_str(),
                o.user,
                o.at.to_rfc3339(),
                o.reason
            );
            println!(
                "computed  {} — confidence {:.2} ({})",
                v.computed.status.as_str(),
                v.computed.confidence,
                v.computed.level.as_str()
            );
        }
        None => println!(
            "verdict   {} — confidence {:.2} ({})",
            v.computed.status.as_str(),
            v.computed.confidence,
            v.computed.level.as_str()
        ),
    }
    println!("basis     {}", v.computed.basis);
    println!("claims    {}", claims.len());
    let rows: Vec<ClaimRow> = claims.iter().map(claim_row).collect();
    if !rows.is_empty() {
        print_rows(&rows, s.read.format)?;
    }
    println!("history");
    for e in &history {
        println!(
            "  #{} {} {} {}{}",
            e.seq,
            e.at.to_rfc3339(),
            e.user,
            e.action.as_str(),
            if e.reason.is_empty() {
                String::new()
            } else {
                format!(": {}", e.reason)
            }
        );
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct EntryRow {
    seq: u64,
    at: String,
    user: String,
    action: &'static str,
    reason: String,
    undoes: Option<u64>,
    subjects: Vec<String>,
}

pub async fn journal(cli: &Cli, a: &JournalArgs) -> anyhow::Result<ExitCode> {
    let led = ledger(cli)?;
    let user = cli_user(&a.user);
    match &a.command {
        JournalCommand::List(r) => {
            let as_of = r.as_of.unwrap_or_default();
            let entries = led.entries().map_err(ledger_err)?;
            if r.format == OutFormat::Json {
                let shown: Vec<_> = entries.iter().filter(|e| as_of.includes(e)).collect();
                println!("{}", serde_json::to_string_pretty(&shown)?);
                return Ok(ExitCode::SUCCESS);
            }
            let rows: Vec<EntryRow> = entries
                .iter()
                .filter(|e| as_of.includes(e))
                .map(|e| EntryRow {
                    seq: e.seq,
                    at: e.at.to_rfc3339(),
                    user: e.user.clone(),
                    action: e.action.as_str(),
                    reason: e.reason.clone(),
                    undoes: e.undoes,
                    subjects: if e.changes.len() > 3 {
                        vec![format!("{} subjects", e.changes.len())]
                    } else {
                        e.changes.iter().map(|c| c.subject.clone()).collect()
                    },
                })
                .collect();
            print_rows(&rows, r.format)?;
        }
        JournalCommand::Verify => {
            let r = led.verify().map_err(ledger_err)?;
            println!(
                "journal ok: {} entries, head {}, {} users{}",
                r.entries,
                if r.head.is_empty() {
                    "-"
                } else {
                    &r.head[..16]
                },
                r.users,
                if r.torn_tail > 0 {
                    format!(
                        "; {} bytes of an unfinished (never acknowledged) entry ignored",
                        r.torn_tail
                    )
                } else {
                    String::new()
                }
            );
        }
        JournalCommand::Undo { seq, reason } => {
            let e = led.undo(*seq, &user, reason).map_err(ledger_err)?;
            eprintln!("entry {seq} undone (journal entry {})", e.seq);
            // An undone match decision (or merge, split) changes the incidents now.
            if e.changes.iter().any(|c| c.subject.starts_with("match:"))
                && super::matching::rematch(cli).await?
            {
                eprintln!("the matching was re-applied with the last run's settings");
            }
            if e.changes.iter().any(|c| c.subject.starts_with("alias:")) {
                eprintln!("records are re-resolved on the next read of the store");
            }
        }
        JournalCommand::AppendTest { count } => {
            use std::io::Write;
            let stdout = std::io::stdout();
            for i in 0..*count {
                // Synthetic entries for crash tests: a `test:` subject no view reads.
                let e = sitrep_model::JournalEntry::new(
                    &user,
                    sitrep_model::Action::ClaimAdded,
                    "synthetic crash-test entry",
                )
                .change(
                    format!("test:{i}"),
                    None,
                    Some(serde_json::json!({ "i": i, "pad": "x".repeat(200) })),
                );
                let stored = led.journal().append(vec![e]).map_err(ledger_err)?;
                let mut out = stdout.lock();
                writeln!(out, "{}", stored[0].seq)?;
                out.flush()?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
