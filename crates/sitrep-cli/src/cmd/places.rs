//! `sitrep places` and `sitrep actors`.

use super::{read_store, resolver};
use crate::args::{ActorsAction, ActorsArgs, AliasAction, Cli, PlacesAction, PlacesArgs};
use crate::output::{print_one, print_rows};
use crate::Failure;
use sitrep_resolve::views;
use std::process::ExitCode;

pub async fn places(cli: &Cli, a: &PlacesArgs) -> anyhow::Result<ExitCode> {
    let resolver = resolver(&cli.store)?;
    let g = resolver.gazetteer();
    match &a.action {
        PlacesAction::List => print_rows(&views::place_list(g), a.format)?,
        PlacesAction::Show { name } => match views::place_show(g, name) {
            Some(d) => print_one(&d)?,
            None => return Err(Failure::Input(format!("no province named {name:?}; `sitrep places list` shows the 34 provinces and their codes")).into()),
        },
        PlacesAction::Locate { lat, lon } => {
            if !(-90.0..=90.0).contains(lat) || !(-180.0..=180.0).contains(lon) {
                return Err(Failure::Input(format!("({lat}, {lon}) is not a WGS84 point: latitude comes first, within -90..90")).into());
            }
            print_one(&g.locate(*lat, *lon))?
        }
        PlacesAction::Check => {
            let store = read_store(&cli.store).await?;
            let check = store.snapshot().await?.place_check().await?;
            print_rows(&[check], a.format)?;
            if !cli.quiet {
                eprintln!("disagreements: sitrep query --sql \"SELECT source, source_event_id, admin1, province_name FROM incidents WHERE admin1_agrees = false\"");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn actors(cli: &Cli, a: &ActorsArgs) -> anyhow::Result<ExitCode> {
    let resolver = resolver(&cli.store)?;
    let r = resolver.registry();
    if let ActorsAction::Graph { at } = &a.action {
        return super::graph::actors_graph(r, *at, a.format);
    }
    let Some(format) = a.format.tabular() else {
        return Err(Failure::Input(
            "--format dot and graphml are for `sitrep actors graph`; use table, csv or json".into(),
        )
        .into());
    };
    match &a.action {
        ActorsAction::List => print_rows(&views::actor_list(r), format)?,
        ActorsAction::Show { id } => match views::actor_show(r, id) {
            Some(d) => print_one(&d)?,
            None => {
                let res = r.resolve(id, None, None);
                let hint: Vec<String> = res
                    .suggestions
                    .iter()
                    .take(5)
                    .map(|s| s.id.clone())
                    .collect();
                return Err(Failure::Input(format!(
                    "no actor {id:?}; did you mean: {}?",
                    hint.join(", ")
                ))
                .into());
            }
        },
        ActorsAction::Resolve {
            name,
            country,
            date,
        } => print_one(&r.resolve(name, country.as_deref(), *date))?,
        ActorsAction::Alias(action) => return alias(cli, action, format).await,
        ActorsAction::Graph { .. } => unreachable!("answered above"),
        ActorsAction::Unresolved => {
            let store = read_store(&cli.store).await?;
            let (names, t) = store.snapshot().await?.unresolved_actor_names().await?;
            let report = r.unresolved(&names);
            print_one(&report)?;
            if !cli.quiet {
                eprintln!(
                    "{} of {t} actor names in the store do not resolve ({} distinct)",
                    report.records_unresolved,
                    report.unresolved.len()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Serialize)]
struct AliasRow {
    actor: String,
    name: String,
    country: String,
    from: String,
    to: String,
    entry: u64,
    by: String,
    reason: String,
}

/// `sitrep actors alias add|list`: aliases kept in the store's journal.
async fn alias(
    cli: &Cli,
    action: &AliasAction,
    format: crate::args::OutFormat,
) -> anyhow::Result<ExitCode> {
    let root = cli.store.as_deref().ok_or_else(|| {
        Failure::Input(
            "aliases live in a store's journal: pass --store DIR or set SITREP_STORE".into(),
        )
    })?;
    let _ = sitrep_store::Store::open(root)?;
    let ledger = sitrep_claims::Ledger::for_store(root);
    match action {
        AliasAction::Add {
            name,
            actor,
            country,
            from,
            to,
            reason,
            user,
        } => {
            let resolver = resolver(&cli.store)?;
            let reg = resolver.registry();
            let id = reg
                .get(actor)
                .map(|a| a.id.clone())
                .or_else(|| {
                    reg.resolve_ids(actor, None, None)
                        .map(|(id, _)| id.to_string())
                })
                .ok_or_else(|| {
                    Failure::Input(format!(
                        "--actor {actor:?}: no such actor in the registry (`sitrep actors list`)"
                    ))
                })?;
            let name = name.trim();
            if name.is_empty() {
                return Err(Failure::Input("the alias must not be empty".into()).into());
            }
            if let (Some(f), Some(t)) = (from, to) {
                if f > t {
                    return Err(Failure::Input(format!("--from {f} is after --to {t}")).into());
                }
            }
            let new = sitrep_claims::ActorAlias {
                actor: id.clone(),
                name: name.to_string(),
                country: country.clone(),
                from: *from,
                to: *to,
                note: None,
            };
            let file = root.join("ledger").join("journal.log#aliases");
            let who = super::claims::cli_user(user);
            let entry = ledger
                .add_alias(new, &who, reason, |all| {
                    sitrep_resolve::Registry::bundled_with(vec![(
                        file.clone(),
                        sitrep_claims::aliases_toml(all),
                    )])
                    .map(|_| ())
                    .map_err(|e| format!("the alias does not fit the registry: {e}"))
                })
                .map_err(super::claims::ledger_err)?;
            // What the name resolves to now (with the new alias), for the record.
            let now = sitrep_workspace::resolver_for(Some(root))?;
            let res = now
                .registry()
                .resolve(name, country.as_deref(), from.or(*to));
            eprintln!(
                "journal entry {}: {name:?} is {} ({}); records are re-resolved on the next read of the store",
                entry.seq,
                res.actor_id.as_deref().unwrap_or("unresolved"),
                id
            );
        }
        AliasAction::List => {
            let entries = if ledger.exists() {
                ledger.entries().map_err(super::claims::ledger_err)?
            } else {
                Vec::new()
            };
            let view = sitrep_claims::View::build(&entries, sitrep_claims::AsOf::Now);
            let rows: Vec<AliasRow> = view
                .aliases()
                .into_iter()
                .map(|a| {
                    let subject = sitrep_claims::alias_subject(&a);
                    let e = entries
                        .iter()
                        .rev()
                        .find(|e| e.changes.iter().any(|c| c.subject == subject));
                    let opt =
                        |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
                    AliasRow {
                        entry: e.map_or(0, |e| e.seq),
                        by: e.map(|e| e.user.clone()).unwrap_or_default(),
                        reason: e.map(|e| e.reason.clone()).unwrap_or_default(),
                        actor: a.actor,
                        name: a.name,
                        country: a.country.unwrap_or_default(),
                        from: opt(a.from),
                        to: opt(a.to),
                    }
                })
                .collect();
            print_rows(&rows, format)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
