//! Printing query results as a table, CSV or JSON.

use crate::args::OutFormat;
use sitrep_store::arrow::array::RecordBatch;
use std::io::Write;

/// Prints batches to standard output.
pub fn print(batches: &[RecordBatch], format: OutFormat) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        OutFormat::Table => {
            let t = sitrep_store::arrow::util::pretty::pretty_format_batches(batches)?;
            writeln!(out, "{t}")?;
        }
        OutFormat::Csv => {
            sitrep_store::write_csv(batches, &mut out)?;
        }
        OutFormat::Json => {
            let mut w = sitrep_store::arrow::json::ArrayWriter::new(&mut out);
            for b in batches {
                w.write(b)?;
            }
            w.finish()?;
            writeln!(out)?;
        }
    }
    Ok(())
}
