//! `sitrep figure` and `sitrep report`.

use super::read_store;
use super::series::input_or;
use crate::args::{Cli, FigureArgs, FigureFormat, ReportArgs};
use crate::Failure;
use sitrep_model::figure::{FigureData, FigureSpec, ReportSpec};
use sitrep_render::{MapGeometry, Methods};
use std::path::Path;
use std::process::ExitCode;

/// The bundled figure specs, by id (compiled into sitrep-render).
pub use sitrep_render::bundled::FIGURES as BUNDLED;

pub(crate) fn geometry() -> anyhow::Result<MapGeometry> {
    let gazetteer = sitrep_resolve::Gazetteer::bundled()?;
    Ok(sitrep_render::bundled::afghanistan_provinces(|name, _| {
        gazetteer.province_by_name(name).map(|p| p.code.clone())
    })?)
}

/// Loads a bundled spec by id, or a spec file.
pub fn load_spec(name: &str) -> anyhow::Result<FigureSpec> {
    let (text, label) = match BUNDLED.iter().find(|(id, _)| *id == name) {
        Some((_, t)) => (t.to_string(), format!("<bundled {name}>")),
        None => match std::fs::read_to_string(name) {
            Ok(t) => (t, name.to_string()),
            Err(e) => {
                let ids: Vec<&str> = BUNDLED.iter().map(|(i, _)| *i).collect();
                return Err(Failure::Input(format!(
                    "{name}: {e}; bundled specs: {}",
                    ids.join(", ")
                ))
                .into());
            }
        },
    };
    FigureSpec::from_toml_str(&text).map_err(|e| Failure::Input(format!("{label}: {e}")).into())
}

fn override_dates(
    spec: &mut FigureSpec,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    no_compare: bool,
) {
    spec.replace_period(from, to);
    if no_compare {
        spec.drop_comparisons();
    }
}

async fn compute(
    store: &sitrep_store::Store,
    spec: &FigureSpec,
) -> anyhow::Result<(FigureData, String)> {
    let data = sitrep_analysis::figure_data(store, spec)
        .await
        .map_err(input_or)?;
    let geo = geometry()?;
    let svg = sitrep_render::render_svg(spec, &data, Some(&geo)).map_err(|e| {
        if e.is_input() {
            anyhow::Error::from(Failure::Input(e.to_string()))
        } else {
            e.into()
        }
    })?;
    Ok((data, svg))
}

pub(crate) fn write_atomic(path: &Path, text: impl AsRef<[u8]>) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("out"),
        std::process::id()
    ));
    std::fs::write(&tmp, text).map_err(|e| Failure::Input(format!("{}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

pub async fn figure(cli: &Cli, a: &FigureArgs) -> anyhow::Result<ExitCode> {
    if a.list {
        for (id, text) in BUNDLED {
            let spec = FigureSpec::from_toml_str(text)?;
            println!("{id}\t{:?}\t{}", spec.kind, spec.title);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let name = a.spec.as_deref().unwrap_or_default();
    let mut spec = load_spec(name)?;
    override_dates(&mut spec, a.from, a.to, a.no_compare);
    let store = read_store(&cli.store).await?;
    let (data, svg) = compute(&store, &spec).await?;
    let out = a.output.clone().unwrap_or_else(|| match a.format {
        FigureFormat::Svg => format!("{}.svg", spec.id).into(),
        FigureFormat::Png => format!("{}.png", spec.id).into(),
    });
    match a.format {
        FigureFormat::Svg => write_atomic(&out, &svg)?,
        FigureFormat::Png => write_atomic(
            &out,
            sitrep_render::png::svg_to_png(&svg, a.scale)
                .map_err(|e| Failure::Input(format!("--format png: {e}")))?,
        )?,
    }
    if let Some(csv) = &a.csv {
        write_atomic(csv, sitrep_render::render_csv(&spec, &data))?;
    }
    if !cli.quiet {
        let p = &data.provenance;
        eprintln!(
            "wrote {} ({} records; filters: {})",
            out.display(),
            p.record_count,
            p.filters
        );
        for (why, n) in &p.excluded {
            eprintln!("  excluded {n}: {why}");
        }
        for c in &data.comparisons {
            eprintln!("  {}", c.describe());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn report(cli: &Cli, a: &ReportArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&a.spec)
        .map_err(|e| Failure::Input(format!("{}: {e}", a.spec.display())))?;
    let report = ReportSpec::from_toml_str(&text)
        .map_err(|e| Failure::Input(format!("{}: {e}", a.spec.display())))?;
    let store = read_store(&cli.store).await?;
    let mut figures = Vec::new();
    let mut sources = Vec::new();
    for section in &report.sections {
        let mut specs: Vec<FigureSpec> = Vec::new();
        for id in &section.figures {
            specs.push(load_spec(id)?);
        }
        specs.extend(section.figure_specs.iter().cloned());
        for mut spec in specs {
            // The report's filters are laid over every figure's (e.g. a common date range).
            spec.filters = spec.filters.merged(&report.filters);
            override_dates(&mut spec, a.from, a.to, a.no_compare);
            let (data, svg) = compute(&store, &spec).await?;
            for s in &data.provenance.sources {
                if !sources.contains(s) {
                    sources.push(s.clone());
                }
            }
            figures.push((spec, data, svg));
        }
    }
    let methods = Methods {
        sources,
        notes: vec![format!("Data: store {}", store.root().display())],
        generated_at: Some(chrono::Utc::now()),
        generator: Some(format!("sitrep {}", env!("CARGO_PKG_VERSION"))),
    };
    let html = sitrep_render::render_report(&report, &figures, &methods);
    write_atomic(&a.output, &html)?;
    if !cli.quiet {
        eprintln!("wrote {} ({} figures)", a.output.display(), figures.len());
    }
    Ok(ExitCode::SUCCESS)
}
