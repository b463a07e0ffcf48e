//! The adapter extension point and the driver that runs one over a file.

use crate::lines::LineTracker;
use crate::{input::open_input, FieldError, IngestError, RowError};
use sitrep_model::{Enricher, Enrichment, Record};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// How sure an adapter is that a header is its layout (0 = not at all, 100 = certain).
pub type Confidence = u8;

/// A file's column names, with a case-insensitive index.
#[derive(Debug, Clone)]
pub struct Header {
    /// Column names as written (BOM and surrounding spaces removed).
    pub names: Vec<String>,
    index: HashMap<String, usize>,
    /// Each name as the start of a JSON object member (`"name":`, escaped), so that
    /// [`Row::raw_json`] escapes the header once per file rather than once per row.
    keys: Vec<String>,
}

impl Header {
    /// Builds a header from column names.
    pub fn new(names: Vec<String>) -> Self {
        let mut index = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            index.entry(n.trim().to_ascii_lowercase()).or_insert(i);
        }
        let keys = names
            .iter()
            .map(|n| {
                let mut k = String::with_capacity(n.len() + 3);
                push_json_str(&mut k, n);
                k.push(':');
                k
            })
            .collect();
        Header { names, index, keys }
    }
    /// 0-based position of a column (case-insensitive).
    pub fn get(&self, name: &str) -> Option<usize> {
        self.index.get(&name.to_ascii_lowercase()).copied()
    }
    /// True when every named column is present.
    pub fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.get(n).is_some())
    }
    /// The column names among `names` that are missing.
    pub fn missing<'a>(&self, names: &[&'a str]) -> Vec<&'a str> {
        names
            .iter()
            .copied()
            .filter(|n| self.get(n).is_none())
            .collect()
    }
    /// The present column closest in spelling to `name`, for "did you mean" hints.
    pub fn closest(&self, name: &str) -> Option<&str> {
        let target = name.to_ascii_lowercase();
        self.names
            .iter()
            .map(|n| (edit_distance(&n.to_ascii_lowercase(), &target), n))
            .filter(|(d, _)| *d <= 3)
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n.as_str())
    }
    /// Number of columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }
    /// True when there are no columns.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// One data row, with its header and position.
pub struct Row<'a> {
    /// The file as named on the command line.
    pub file: &'a str,
    /// 1-based physical line where the row starts (the header is line 1; a line ends at
    /// `\n`, `\r\n` or a lone `\r`, inside quoted fields too).
    pub line: u64,
    /// The row's fields (already checked to be UTF-8 and as many as the header's).
    pub fields: &'a [&'a str],
    /// The header.
    pub header: &'a Header,
}

impl<'a> Row<'a> {
    /// The field at a 0-based column, trimmed.
    pub fn at(&self, i: usize) -> &'a str {
        self.fields.get(i).map(|s| s.trim()).unwrap_or("")
    }
    /// The field at an optional column; `""` when the column is absent.
    pub fn opt(&self, i: Option<usize>) -> &'a str {
        i.map(|i| self.at(i)).unwrap_or("")
    }
    /// The whole row as a JSON object (header name → value), verbatim.
    pub fn raw_json(&self) -> String {
        let pairs = self.header.keys.iter().zip(self.fields.iter());
        // Exact unless a value needs escapes: keys, values, their quotes and commas.
        let size: usize = pairs.clone().map(|(k, v)| k.len() + v.len() + 3).sum();
        let mut out = String::with_capacity(size + 2);
        out.push('{');
        for (i, (key, value)) in pairs.enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(key);
            push_json_str(&mut out, value);
        }
        out.push('}');
        out
    }
}

/// Appends `s` as a JSON string literal. Runs of characters that need no escape are
/// copied at once; only `"`, `\\` and control characters (all ASCII, so never inside a
/// multi-byte character) are escaped.
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    // Most values need no escape at all: one scan, one copy.
    if !bytes.iter().any(|&b| needs_escape(b)) {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            push_unicode_escape(out, b);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// True for the bytes a JSON string must escape.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

fn push_unicode_escape(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\u00");
    out.push(HEX[usize::from(b >> 4)] as char);
    out.push(HEX[usize::from(b & 0xf)] as char);
}

/// What one row becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum Mapped {
    /// A source record.
    Record(Box<Record>),
    /// A deletion notice (ACLED deletion lists): the event is withdrawn as of `deleted_at`.
    Deletion {
        /// The source's event id.
        source_event_id: String,
        /// Unix time of the deletion.
        deleted_at: i64,
        /// Where the notice came from.
        line: u64,
    },
}

/// Turns rows of one bound layout into records. Built once per file by [`Adapter::bind`].
/// `Send`, so that [`Prepared::run_pipelined`] can map rows on another thread.
pub trait RowMapper: Send {
    /// Maps one row, or says every field that is wrong.
    fn map(&self, row: &Row<'_>) -> Result<Mapped, Vec<FieldError>>;
}

/// One source layout. Implement `name`, `sniff` and `bind`; the rest have defaults.
pub trait Adapter: Send + Sync {
    /// Short name, used by `--format` and stored on every record (e.g. `ucdp-ged`).
    fn name(&self) -> &str;
    /// How sure this adapter is that `header` is its layout.
    fn sniff(&self, header: &Header) -> Confidence;
    /// Checks the header has what this adapter needs and returns a row mapper for it.
    fn bind(&self, header: &Header, file: &str) -> Result<Box<dyn RowMapper>, IngestError>;
    /// The default `--source` name for records read by this adapter.
    fn default_source(&self) -> String {
        self.name().to_string()
    }
    /// For files published without a header: the column names to assume, if this
    /// adapter recognises the first row.
    fn headerless(&self, _first_row: &[&str]) -> Option<Vec<String>> {
        None
    }
    /// A one-paragraph description of the layout.
    fn layout_doc(&self) -> &str {
        ""
    }
    /// What files of this layout cover, when the adapter or mapping says
    /// (`[coverage]`); `None` leaves the default (the batch's own date range).
    fn coverage(&self) -> Option<sitrep_model::Coverage> {
        None
    }
}

/// Which adapter to use.
#[derive(Debug, Clone)]
pub enum Format {
    /// Detect from the header (and the bundled mappings).
    Auto,
    /// A built-in adapter by name: `ucdp`, `acled`, `acled-deletions`.
    Named(String),
    /// A mapping file, or a bundled mapping by name.
    Mapping(PathBuf),
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "auto" {
            return Ok(Format::Auto);
        }
        if let Some(rest) = s.strip_prefix("mapping:") {
            if rest.is_empty() {
                return Err("`mapping:` needs a file, e.g. `--format mapping:my-log.toml`".into());
            }
            return Ok(Format::Mapping(PathBuf::from(rest)));
        }
        let names: Vec<String> = adapters().iter().map(|a| a.name().to_string()).collect();
        let key = match s {
            "ucdp" | "ged" => "ucdp-ged",
            other => other,
        };
        if names.iter().any(|n| n == key) {
            Ok(Format::Named(key.to_string()))
        } else {
            Err(format!(
                "unknown format `{s}`; expected auto, ucdp, acled, acled-deletions or mapping:FILE"
            ))
        }
    }
}

/// The built-in adapters, in detection order.
pub fn adapters() -> Vec<Box<dyn Adapter>> {
    vec![
        Box::new(crate::ucdp::UcdpGed),
        Box::new(crate::acled::Acled),
        Box::new(crate::acled::AcledDeletions),
    ]
}

/// Picks the adapter for a header: the built-in adapters, then the bundled mappings.
pub fn detect(header: &Header) -> Option<Box<dyn Adapter>> {
    let mut all: Vec<Box<dyn Adapter>> = adapters();
    for m in crate::mapping::bundled_mappings() {
        all.push(Box::new(m));
    }
    let mut best: Option<(Confidence, Box<dyn Adapter>)> = None;
    for a in all {
        let c = a.sniff(header);
        if c > 0 && best.as_ref().is_none_or(|(b, _)| c > *b) {
            best = Some((c, a));
        }
    }
    best.map(|(_, a)| a)
}

/// Receives what a file yields, row by row.
pub trait RecordSink {
    /// A good row.
    fn accept(&mut self, item: Mapped);
    /// A bad row.
    fn reject(&mut self, error: RowError);
    /// A good record with its enrichment, computed on the parsing thread by
    /// [`Prepared::run_enriched`]. A sink that does not store enrichment drops it.
    fn accept_enriched(&mut self, record: Box<Record>, enrichment: Box<Enrichment>) {
        let _ = enrichment;
        self.accept(Mapped::Record(record));
    }
}

/// A sink that keeps everything in memory (tests, small files).
#[derive(Debug, Default)]
pub struct CollectSink {
    /// Records read.
    pub records: Vec<Record>,
    /// Deletion notices read.
    pub deletions: Vec<(String, i64)>,
    /// Bad rows.
    pub errors: Vec<RowError>,
}

impl RecordSink for CollectSink {
    fn accept(&mut self, item: Mapped) {
        match item {
            Mapped::Record(r) => self.records.push(*r),
            Mapped::Deletion {
                source_event_id,
                deleted_at,
                ..
            } => self.deletions.push((source_event_id, deleted_at)),
        }
    }
    fn reject(&mut self, error: RowError) {
        self.errors.push(error);
    }
}

/// What reading one file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The adapter used.
    pub adapter: String,
    /// The default source name of that adapter.
    pub default_source: String,
    /// Data rows read (good and bad).
    pub rows: u64,
    /// Metadata rows skipped (HDX's HXL tag row).
    pub meta_rows: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Whether the file had no header and one was assumed.
    pub headerless: bool,
}

/// Reads a file (or `-`) with the given format into `sink`.
pub fn read_file(
    path: &Path,
    format: &Format,
    sink: &mut dyn RecordSink,
) -> Result<Summary, IngestError> {
    let reader = open_input(path)?;
    read_reader(&path.display().to_string(), reader, format, sink)
}

fn utf8_fields<'r>(
    file: &str,
    rec: &'r csv::ByteRecord,
    line: u64,
) -> Result<Vec<&'r str>, IngestError> {
    let mut out = Vec::with_capacity(rec.len());
    for (i, f) in rec.iter().enumerate() {
        match std::str::from_utf8(f) {
            Ok(s) => out.push(s),
            Err(e) => {
                let bad = f.get(e.valid_up_to()).copied().unwrap_or(0);
                return Err(IngestError::Encoding {
                    file: file.to_string(),
                    line,
                    detail: format!("byte 0x{bad:02x} in column {}", i + 1),
                });
            }
        }
    }
    Ok(out)
}

/// Reads CSV text from any reader with the given format into `sink`.
pub fn read_reader<R: Read>(
    file: &str,
    reader: R,
    format: &Format,
    sink: &mut dyn RecordSink,
) -> Result<Summary, IngestError> {
    prepare(file, reader, format)?.run(sink)
}

/// A file whose header has been read and whose adapter is chosen, ready to run.
pub struct Prepared<R: Read> {
    file: String,
    csv: csv::Reader<LineTracker<R>>,
    header: Header,
    mapper: Box<dyn RowMapper>,
    /// The first row and its line, when it is data (a file without a header).
    first_row: Option<(Vec<String>, u64)>,
    summary: Summary,
    coverage: Option<sitrep_model::Coverage>,
}

fn syntax(file: &str, e: csv::Error) -> IngestError {
    match e.kind() {
        csv::ErrorKind::Io(_) => IngestError::Io {
            file: file.to_string(),
            source: std::io::Error::other(e.to_string()),
        },
        _ => IngestError::Syntax {
            file: file.to_string(),
            line: e.position().map(|p| p.line()).unwrap_or(0),
            message: e.to_string(),
        },
    }
}

/// The 1-based physical line where `rec`, just read, starts. Not the csv crate's
/// `Position::line`, which is a line short after `\r\n` line ends and blank lines
/// (see [`crate::lines`]).
fn record_line<R: Read>(csv: &mut csv::Reader<LineTracker<R>>, rec: &csv::ByteRecord) -> u64 {
    let byte = rec.position().map_or(0, csv::Position::byte);
    csv.get_mut().line_at(byte)
}

/// Reads the header, picks the adapter and binds it; rows are read by [`Prepared::run`].
pub fn prepare<R: Read>(
    file: &str,
    reader: R,
    format: &Format,
) -> Result<Prepared<R>, IngestError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(LineTracker::new(reader));
    let mut first = csv::ByteRecord::new();
    if !csv
        .read_byte_record(&mut first)
        .map_err(|e| syntax(file, e))?
    {
        return Err(IngestError::Empty {
            file: file.to_string(),
        });
    }
    let first_line = record_line(&mut csv, &first);
    let first_fields: Vec<String> = utf8_fields(file, &first, first_line)?
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            if i == 0 {
                f.trim_start_matches('\u{feff}').to_string()
            } else {
                f.to_string()
            }
        })
        .collect();
    if first_fields.len() == 1 {
        for d in [';', '\t', '|'] {
            let count = first_fields[0].matches(d).count();
            if count > 0 {
                return Err(IngestError::Delimiter {
                    file: file.to_string(),
                    found: d,
                    count,
                });
            }
        }
    }
    let as_header = Header::new(first_fields.iter().map(|s| s.trim().to_string()).collect());
    let first_refs: Vec<&str> = first_fields.iter().map(String::as_str).collect();

    // Choose the adapter, and whether the first row is a header or data.
    let (adapter, header, first_is_data): (Box<dyn Adapter>, Header, bool) = match format {
        Format::Auto => {
            if let Some(a) = detect(&as_header) {
                (a, as_header, false)
            } else if let Some((a, names)) = adapters()
                .into_iter()
                .find_map(|a| a.headerless(&first_refs).map(|n| (a, n)))
            {
                (a, Header::new(names), true)
            } else {
                let preview: Vec<&str> = first_refs.iter().take(6).copied().collect();
                return Err(IngestError::UnknownLayout {
                    file: file.to_string(),
                    preview: preview.join(","),
                    hint: "pass --format acled|ucdp|acled-deletions if it is one of those, or describe the columns in a mapping file and pass --format mapping:FILE (see mappings/README.md)".into(),
                });
            }
        }
        Format::Named(name) => {
            let a = adapters()
                .into_iter()
                .find(|a| a.name() == name)
                .ok_or_else(|| IngestError::UnknownLayout {
                    file: file.to_string(),
                    preview: String::new(),
                    hint: format!("no adapter named {name}"),
                })?;
            match a.headerless(&first_refs) {
                Some(names) if a.sniff(&as_header) == 0 => (a, Header::new(names), true),
                _ => (a, as_header, false),
            }
        }
        Format::Mapping(path) => {
            let m = crate::mapping::Mapping::resolve(path)?;
            (Box::new(m), as_header, false)
        }
    };
    let mapper = adapter.bind(&header, file)?;
    let coverage = adapter.coverage();
    let summary = Summary {
        adapter: adapter.name().to_string(),
        default_source: adapter.default_source(),
        headerless: first_is_data,
        ..Summary::default()
    };
    Ok(Prepared {
        file: file.to_string(),
        csv,
        header,
        mapper,
        first_row: first_is_data.then_some((first_fields, first_line)),
        summary,
        coverage,
    })
}

impl<R: Read> Prepared<R> {
    /// The adapter chosen.
    pub fn adapter(&self) -> &str {
        &self.summary.adapter
    }
    /// The adapter's default source name.
    pub fn default_source(&self) -> &str {
        &self.summary.default_source
    }
    /// What the adapter or mapping says the file covers, if it says.
    pub fn coverage(&self) -> Option<&sitrep_model::Coverage> {
        self.coverage.as_ref()
    }

    fn handle(&mut self, fields: &[&str], line: u64, sink: &mut dyn RecordSink) {
        let file = self.file.as_str();
        self.summary.rows += 1;
        if fields.len() != self.header.len() {
            let what = if fields.len() < self.header.len() {
                "the line may be truncated, or a quoted field left open"
            } else {
                "a field may contain an unquoted comma"
            };
            self.summary.rejected += 1;
            sink.reject(RowError {
                file: file.to_string(),
                line,
                field: FieldError::row(format!(
                    "{} fields, the header has {}: {what}",
                    fields.len(),
                    self.header.len()
                )),
                raw: fields.join(","),
            });
            return;
        }
        let row = Row {
            file,
            line,
            fields,
            header: &self.header,
        };
        match self.mapper.map(&row) {
            Ok(item) => sink.accept(item),
            Err(errors) => {
                self.summary.rejected += 1;
                let raw = fields.join(",");
                for field in errors {
                    sink.reject(RowError {
                        file: file.to_string(),
                        line,
                        field,
                        raw: raw.clone(),
                    });
                }
            }
        }
    }

    /// Reads every row into `sink`.
    pub fn run(mut self, sink: &mut dyn RecordSink) -> Result<Summary, IngestError> {
        self.drive(sink)?;
        Ok(self.summary)
    }

    /// Reads and maps every row into `sink`, like [`Prepared::run`], but parses and
    /// maps rows on a second thread while `sink` takes them on this one. The sink sees
    /// the same rows, errors and deletions in the same order; an error that stops the
    /// file is returned after the sink has taken every row before it.
    pub fn run_pipelined(self, sink: &mut dyn RecordSink) -> Result<Summary, IngestError>
    where
        R: Send,
    {
        self.pipeline(None, sink)
    }

    /// [`Prepared::run_pipelined`], and `enricher` enriches every record on the parsing
    /// thread: the sink takes records through [`RecordSink::accept_enriched`], so that
    /// places and actors cost no second pass over the stored batch.
    pub fn run_enriched(
        self,
        enricher: &dyn Enricher,
        sink: &mut dyn RecordSink,
    ) -> Result<Summary, IngestError>
    where
        R: Send,
    {
        self.pipeline(Some(enricher), sink)
    }

    fn pipeline(
        self,
        enricher: Option<&dyn Enricher>,
        sink: &mut dyn RecordSink,
    ) -> Result<Summary, IngestError>
    where
        R: Send,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Item>>(PIPELINE_CHUNKS);
        std::thread::scope(|scope| {
            let mut this = self;
            let parser = scope.spawn(move || {
                let mut chunks = ChunkSink {
                    items: Vec::with_capacity(PIPELINE_CHUNK),
                    tx,
                    enricher,
                };
                let done = this.drive(&mut chunks);
                chunks.send();
                done.map(|()| this.summary)
            });
            for chunk in rx {
                for item in chunk {
                    match item {
                        Item::Accept(m) => sink.accept(m),
                        Item::Enriched(r, e) => sink.accept_enriched(r, e),
                        Item::Reject(e) => sink.reject(*e),
                    }
                }
            }
            match parser.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }

    /// Reads every row into `sink`, counting into `self.summary`.
    fn drive(&mut self, sink: &mut dyn RecordSink) -> Result<(), IngestError> {
        if let Some((first, line)) = self.first_row.take() {
            let refs: Vec<&str> = first.iter().map(String::as_str).collect();
            self.handle(&refs, line, sink);
        }
        let mut rec = csv::ByteRecord::new();
        let mut first_data = self.summary.rows == 0;
        loop {
            let more = self
                .csv
                .read_byte_record(&mut rec)
                .map_err(|e| syntax(&self.file, e))?;
            if !more {
                break;
            }
            let line = record_line(&mut self.csv, &rec);
            let fields = utf8_fields(&self.file, &rec, line)?;
            if fields.len() == 1 && fields[0].trim().is_empty() {
                continue; // blank line
            }
            if first_data {
                first_data = false;
                let nonempty: Vec<&&str> = fields.iter().filter(|f| !f.is_empty()).collect();
                // Only a row of real HXL hashtags (two or more, each `#tag+attr…`) is
                // the HDX layout's tag row; any other row is data, kept or rejected at
                // its own line, never skipped (a fuzzed row `#,,…` was dropped silently).
                if nonempty.len() >= 2 && nonempty.iter().all(|t| is_hxl_tag(t)) {
                    self.summary.meta_rows += 1; // HXL hashtag row (HDX layout)
                    continue;
                }
            }
            self.handle(&fields, line, sink);
        }
        Ok(())
    }
}

/// True for an HXL hashtag: `#` then a tag and `+attribute`s, each a letter followed
/// by letters, digits or `_` (`#adm1+name`, `#affected+killed`).
fn is_hxl_tag(t: &str) -> bool {
    let Some(rest) = t.trim().strip_prefix('#') else {
        return false;
    };
    rest.split('+').all(|part| {
        let mut chars = part.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Rows per chunk handed from the parsing thread to the sink's in
/// [`Prepared::run_pipelined`].
const PIPELINE_CHUNK: usize = 1024;
/// Chunks in flight at most (bounds the memory between the threads).
const PIPELINE_CHUNKS: usize = 8;

/// What the parsing thread hands over: the sink calls, in order.
enum Item {
    Accept(Mapped),
    // Boxed: items are moved into and out of chunks, and a record is hundreds of bytes.
    Enriched(Box<Record>, Box<Enrichment>),
    Reject(Box<RowError>),
}

/// The parsing thread's sink: enriches records when it has an enricher, collects calls
/// into chunks and sends them on.
struct ChunkSink<'e> {
    items: Vec<Item>,
    tx: std::sync::mpsc::SyncSender<Vec<Item>>,
    enricher: Option<&'e dyn Enricher>,
}

impl ChunkSink<'_> {
    fn push(&mut self, item: Item) {
        self.items.push(item);
        if self.items.len() >= PIPELINE_CHUNK {
            self.send();
        }
    }
    fn send(&mut self) {
        if self.items.is_empty() {
            return;
        }
        let chunk = std::mem::replace(&mut self.items, Vec::with_capacity(PIPELINE_CHUNK));
        // The receiver is gone only when the sink's thread is unwinding; the rows are
        // moot then.
        let _ = self.tx.send(chunk);
    }
}

impl RecordSink for ChunkSink<'_> {
    fn accept(&mut self, item: Mapped) {
        match (item, self.enricher) {
            (Mapped::Record(r), Some(enricher)) => {
                let e = Box::new(enricher.enrich(&r));
                self.push(Item::Enriched(r, e));
            }
            (item, _) => self.push(Item::Accept(item)),
        }
    }
    fn reject(&mut self, error: RowError) {
        self.push(Item::Reject(Box::new(error)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(rel: &str) -> Vec<u8> {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data")
            .join(rel);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    fn both(name: &str, bytes: &[u8]) -> (Summary, CollectSink) {
        let mut seq = CollectSink::default();
        let a = prepare(name, bytes, &Format::Auto).and_then(|p| p.run(&mut seq));
        let mut par = CollectSink::default();
        let b = prepare(name, bytes, &Format::Auto).and_then(|p| p.run_pipelined(&mut par));
        assert_eq!(
            format!("{a:?}"),
            format!("{b:?}"),
            "{name}: same summary or error"
        );
        assert_eq!(seq.records, par.records, "{name}: same records, same order");
        assert_eq!(seq.deletions, par.deletions, "{name}");
        let show = |s: &CollectSink| {
            s.errors
                .iter()
                .map(|e| format!("{e} {}", e.raw))
                .collect::<Vec<_>>()
        };
        assert_eq!(show(&seq), show(&par), "{name}: same errors, same order");
        // And enriched on the parsing thread: the same calls, each record beside the
        // enrichment of that very record.
        let mut enr = EnrichedSink::default();
        let c = prepare(name, bytes, &Format::Auto).and_then(|p| p.run_enriched(&Tagger, &mut enr));
        assert_eq!(
            format!("{a:?}"),
            format!("{c:?}"),
            "{name}: enriched summary"
        );
        let records: Vec<Record> = enr.pairs.iter().map(|(r, _)| r.clone()).collect();
        assert_eq!(seq.records, records, "{name}: enriched records, same order");
        for (r, e) in &enr.pairs {
            assert_eq!(e, &Tagger.enrich(r), "{name}: enrichment of its own record");
        }
        assert_eq!(seq.deletions, enr.plain.deletions, "{name}");
        assert!(
            enr.plain.records.is_empty(),
            "{name}: every record came enriched"
        );
        assert_eq!(
            show(&seq),
            show(&enr.plain),
            "{name}: enriched run's errors"
        );
        (a.unwrap_or_default(), seq)
    }

    /// An enricher whose output names the record it was given.
    struct Tagger;

    impl Enricher for Tagger {
        fn version(&self) -> String {
            "tagger".into()
        }
        fn enrich(&self, r: &Record) -> Enrichment {
            Enrichment {
                province_code: Some(format!("{}@{}", r.source_event_id, r.provenance.line)),
                actor1_id: r.actor1.clone(),
                ..Enrichment::default()
            }
        }
    }

    #[derive(Default)]
    struct EnrichedSink {
        pairs: Vec<(Record, Enrichment)>,
        plain: CollectSink,
    }

    impl RecordSink for EnrichedSink {
        fn accept(&mut self, item: Mapped) {
            self.plain.accept(item);
        }
        fn reject(&mut self, error: RowError) {
            self.plain.reject(error);
        }
        fn accept_enriched(&mut self, record: Box<Record>, enrichment: Box<Enrichment>) {
            self.pairs.push((*record, *enrichment));
        }
    }

    #[test]
    fn pipelined_run_matches_run_on_real_files() {
        // The 14-column subset (bundled mapping), GED 23.1 (UCDP adapter), HDX (HXL row)
        // and the curated Afghanistan file (its mapping).
        let (s, sink) = both(
            "ged211_afghanistan_subset.csv",
            &data("ucdp/ged211_afghanistan_subset.csv"),
        );
        assert_eq!(sink.records.len(), 16_038);
        assert_eq!(s.rows, 16_038);
        let (s, _) = both("ged231_sample1000.csv", &data("ucdp/ged231_sample1000.csv"));
        assert_eq!(s.adapter, "ucdp-ged");
        let (s, _) = both(
            "hdx_conflict_data_bgd.csv",
            &data("ucdp/hdx_conflict_data_bgd.csv"),
        );
        assert_eq!(s.meta_rows, 1);
        both(
            "afg_incidents_2021_2023.csv",
            &data("curated/afg_incidents_2021_2023.csv"),
        );
    }

    #[test]
    fn pipelined_run_keeps_bad_rows_and_stops_at_the_same_place() {
        // The real GED 23.1 sample with rows broken: a bad date and a short row (row
        // errors, reading goes on), then invalid UTF-8 (the file stops there).
        let mut rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&data("ucdp/ged231_sample1000.csv")[..])
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        let start = rows[0].iter().position(|n| n == "date_start").unwrap();
        rows[5][start] = "2017-13-45".into();
        rows[700].truncate(10);
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(vec![]);
        for r in &rows {
            w.write_record(r).unwrap();
        }
        let bad = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let (s, sink) = both("bad.csv", bad.as_bytes());
        assert!(s.rejected >= 2, "{s:?}");
        assert!(!sink.errors.is_empty());
        let mut bytes = bad.into_bytes();
        let at = bytes.len() - 40;
        bytes[at] = 0xff;
        let mut seq = CollectSink::default();
        let e = prepare("bad.csv", &bytes[..], &Format::Auto)
            .and_then(|p| p.run(&mut seq))
            .unwrap_err();
        let mut par = CollectSink::default();
        let f = prepare("bad.csv", &bytes[..], &Format::Auto)
            .and_then(|p| p.run_pipelined(&mut par))
            .unwrap_err();
        assert_eq!(e.to_string(), f.to_string());
        assert_eq!(seq.records, par.records);
        assert!(!par.records.is_empty());
    }

    /// The real GED 24.1 Mexico file, decompressed: lines end in `\n`, and 1,704 of its
    /// 18,957 events have a quoted field over several lines (`\r\n` inside).
    fn mexico() -> String {
        let mut text = String::new();
        flate2::read::GzDecoder::new(&data("ucdp/ged241_mexico.csv.gz")[..])
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    /// The same text with every line ending in `\r\n`, as in a file written on Windows.
    fn with_crlf(text: &str) -> String {
        text.replace("\r\n", "\n").replace('\n', "\r\n")
    }

    /// The physical line (1-based) on which the row of event `id` starts, found without a
    /// CSV parser: the one line of `text` that begins with `id,`.
    fn line_of_id(text: &str, id: &str) -> u64 {
        let found: Vec<u64> = text
            .split('\n')
            .zip(1..)
            .filter(|(l, _)| l.strip_prefix(id).is_some_and(|r| r.starts_with(',')))
            .map(|(_, n)| n)
            .collect();
        assert_eq!(found.len(), 1, "event {id} starts {} lines", found.len());
        found[0]
    }

    #[test]
    fn issue16_lines_after_multi_line_records_are_start_lines_on_real_ged241() {
        let lf = mexico();
        // No lone `\r`: every line break is `\n` or `\r\n`, so splitting at `\n` gives
        // the physical lines.
        assert_eq!(lf.matches('\r').count(), lf.matches("\r\n").count());
        for (name, text) in [("as shipped (\\n)", lf.clone()), ("\\r\\n", with_crlf(&lf))] {
            let mut sink = CollectSink::default();
            let s = read_reader("mex.csv", text.as_bytes(), &Format::Auto, &mut sink).unwrap();
            assert_eq!(s.rows, 18_957, "{name}");
            assert_eq!(sink.records.len(), 18_957, "{name}");
            // Every row's line, independently: where its id begins a line. Index the
            // lines by their first field once (a scan per row would be quadratic).
            let mut starts: HashMap<&str, Vec<u64>> = HashMap::new();
            for (l, n) in text.split('\n').zip(1u64..) {
                let first = l.split(',').next().unwrap_or("");
                starts.entry(first).or_default().push(n);
            }
            let mut after_multi_line = 0;
            for (i, r) in sink.records.iter().enumerate() {
                let expected = &starts[r.source_event_id.as_str()];
                assert_eq!(expected.len(), 1, "{name}: {}", r.source_event_id);
                assert_eq!(
                    r.provenance.line,
                    expected[0],
                    "{name}: event {} (row {})",
                    r.source_event_id,
                    i + 1
                );
                if i > 0 && sink.records[i - 1].raw.contains("\\n") {
                    after_multi_line += 1;
                }
            }
            // Python's csv module: 1,704 rows have a line break in a field, the last row
            // none, so 1,704 rows follow one.
            assert_eq!(after_multi_line, 1_704, "{name}");
            // The issue's example: event 184792 is on line 57 (reported as 56, the event
            // before, in the `\r\n` file).
            let r = sink
                .records
                .iter()
                .find(|r| r.source_event_id == "184792")
                .unwrap();
            assert_eq!(r.provenance.line, 57, "{name}");
            assert_eq!(line_of_id(&text, "184792"), 57, "{name}");
        }
    }

    #[test]
    fn only_a_row_of_hxl_tags_is_skipped_as_the_hdx_tag_row() {
        assert!(is_hxl_tag("#adm1+name") && is_hxl_tag(" #affected+killed "));
        assert!(!is_hxl_tag("#") && !is_hxl_tag("#1x") && !is_hxl_tag("#a+") && !is_hxl_tag("a"));
        // Found by the long fuzz run (seed 5338601, case 20674): a first data row
        // whose non-empty fields all began with `#` was skipped as a tag row, silently.
        // SYNTHETIC FAULT on real rows: the first data row's id becomes `#`.
        let text = String::from_utf8(data("ucdp/ged231_sample1000.csv")).unwrap();
        let mut lines: Vec<String> = text.lines().take(4).map(str::to_string).collect();
        let comma = lines[1].find(',').unwrap();
        lines[1] = format!("#{}", &lines[1][comma..]);
        let bytes = (lines.join("\n") + "\n").into_bytes();
        let (summary, sink) = both("first-row-hash.csv", &bytes);
        assert_eq!(summary.meta_rows, 0);
        assert_eq!(
            sink.records.len() + sink.errors.len(),
            3,
            "every row kept or rejected"
        );
        let lines: Vec<u64> = sink
            .records
            .iter()
            .map(|r| r.provenance.line)
            .chain(sink.errors.iter().map(|e| e.line))
            .collect();
        assert!(lines.contains(&2), "{lines:?}");
        // The real HDX file's tag row is still recognised.
        let (hdx, sink) = both("hdx.csv", &data("ucdp/hdx_conflict_data_bgd.csv"));
        assert_eq!((hdx.meta_rows, sink.records.len()), (1, 601));
    }

    #[test]
    fn issue16_row_errors_name_the_bad_rows_start_line_and_column() {
        // The real file's first rows (physical lines 1-66; row 182047 spans lines 4-5,
        // 181619 lines 12-13, ...). SYNTHETIC FAULT: the latitude of 182048 (the
        // row right after the multi-line 182047) and of 184792 is set to 95.5.
        let text = mexico();
        let head: Vec<&str> = text.split('\n').take(66).collect();
        let header: Vec<&str> = head[0].split(',').collect();
        let lat = header.iter().position(|c| *c == "latitude").unwrap();
        let mut lines: Vec<String> = head.iter().map(|l| l.to_string()).collect();
        for id in ["182048", "184792"] {
            let n = lines
                .iter()
                .position(|l| l.starts_with(&format!("{id},")))
                .unwrap();
            let mut fields: Vec<String> = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(lines[n].as_bytes())
                .records()
                .next()
                .unwrap()
                .unwrap()
                .iter()
                .map(String::from)
                .collect();
            fields[lat] = "95.5".into();
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b' '))
                .from_writer(vec![]);
            w.write_record(&fields).unwrap();
            lines[n] = String::from_utf8(w.into_inner().unwrap())
                .unwrap()
                .trim_end()
                .to_string();
        }
        // Rows, counted without a CSV parser: the lines that begin with an id and a relid
        // (`182048,MEX-1992-…`, `107757,AUL-1995-…`); the other lines after the header
        // continue a multi-line field.
        let rows = lines[1..]
            .iter()
            .filter(|l| {
                let mut f = l.split(',');
                let id = f.next().unwrap_or("");
                !id.is_empty()
                    && id.bytes().all(|b| b.is_ascii_digit())
                    && f.next().is_some_and(|relid| {
                        let b = relid.as_bytes();
                        b.len() > 4 && b[..3].iter().all(u8::is_ascii_uppercase) && b[3] == b'-'
                    })
            })
            .count() as u64;
        let lf = lines.join("\n") + "\n";
        // The same rows with `\r\n` line ends, and with a blank line before 184792.
        let blank = lf.replace("\n184792,", "\n\n184792,");
        for (name, text) in [
            ("\\n", lf.clone()),
            ("\\r\\n", with_crlf(&lf)),
            ("blank line", blank),
        ] {
            let mut sink = CollectSink::default();
            let s = read_reader("mex.csv", text.as_bytes(), &Format::Auto, &mut sink).unwrap();
            assert_eq!(s.rows, rows, "{name}");
            assert_eq!(s.rejected, 2, "{name}");
            let got: Vec<String> = sink.errors.iter().map(ToString::to_string).collect();
            let expected: Vec<String> = ["182048", "184792"]
                .iter()
                .map(|id| {
                    format!(
                        "mex.csv:{}:{} (latitude): latitude 95.5 is out of range (-90..90); are latitude and longitude swapped?",
                        line_of_id(&text, id),
                        lat + 1
                    )
                })
                .collect();
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn raw_json_escapes_like_json() {
        let header = Header::new(vec!["a\"b".into(), "c".into(), "d".into()]);
        let fields = [
            "x\\y\n\t\r",
            "caf\u{e9} \u{1}\u{1f}\u{7f}",
            "\"q\" \u{2028}",
        ];
        let row = Row {
            file: "f",
            line: 2,
            fields: &fields,
            header: &header,
        };
        let json = row.raw_json();
        assert_eq!(
            json,
            "{\"a\\\"b\":\"x\\\\y\\n\\t\\r\",\"c\":\"caf\u{e9} \\u0001\\u001f\u{7f}\",\"d\":\"\\\"q\\\" \u{2028}\"}"
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["c"], fields[1]);
        assert_eq!(v["a\"b"], fields[0]);
    }
}
