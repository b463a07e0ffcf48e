//! Golden files: the SVG and CSV of Fig. 1 on fixed synthetic data. A change in
//! drawing shows up as a diff here; after checking it by eye, rewrite with
//! `SITREP_BLESS=1 cargo test -p sitrep-render --test render golden`.

use crate::common::*;
use sitrep_model::figure::FigureSpec;
use sitrep_render::{render_csv, render_svg};
use std::path::PathBuf;

fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("SITREP_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with SITREP_BLESS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let (el, al): (Vec<_>, Vec<_>) = (expected.lines().collect(), actual.lines().collect());
        let first = el
            .iter()
            .zip(&al)
            .position(|(a, b)| a != b)
            .unwrap_or(el.len().min(al.len()));
        panic!(
            "{name} differs from the golden file at line {}:\n--- expected\n{}\n+++ actual\n{}\n(SITREP_BLESS=1 rewrites it after review)",
            first + 1,
            el.get(first).unwrap_or(&"<end>"),
            al.get(first).unwrap_or(&"<end>")
        );
    }
}

#[test]
fn fig1_svg_and_csv_match_golden_files() {
    let (_, text) = bundled_specs().into_iter().next().unwrap();
    let spec = FigureSpec::from_toml_str(&text).unwrap();
    let data = data_for(&spec, &provinces());
    check("fig1.svg", &render_svg(&spec, &data, None).unwrap());
    check("fig1.csv", &render_csv(&spec, &data));
}
