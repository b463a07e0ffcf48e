//! Opening inputs: files, gzip (detected by magic bytes) and `-` for standard input.

use crate::IngestError;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Opens `path` (or standard input for `-`), transparently decompressing gzip.
pub fn open_input(path: &Path) -> Result<Box<dyn Read + Send>, IngestError> {
    let name = path.display().to_string();
    let io = |source| IngestError::Io {
        file: name.clone(),
        source,
    };
    let raw: Box<dyn Read + Send> = if name == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(io)?)
    };
    decompress(raw).map_err(io)
}

/// Wraps a reader, transparently decompressing gzip (detected by its magic bytes).
pub fn decompress<'a>(
    raw: Box<dyn Read + Send + 'a>,
) -> std::io::Result<Box<dyn Read + Send + 'a>> {
    let mut buf = BufReader::with_capacity(1 << 16, raw);
    let head = buf.fill_buf()?;
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(buf),
        )))
    } else {
        Ok(Box::new(buf))
    }
}
