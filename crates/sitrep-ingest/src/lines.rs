//! Physical line numbers for CSV records.
//!
//! The csv crate gives each record the position where its reader stood when the record
//! was asked for, and counts `\n` bytes only. That position is one line short of where
//! the record starts in two cases: in a file whose lines end in `\r\n`, the record
//! before stops at the `\r`, so the `\n` is still unread when the next record's
//! position is taken (every record of such a file, e.g. a GED 24.1 export written on
//! Windows, named the line of the event before it); and blank lines before a record are
//! skipped after its position is taken. Files whose lines end in a lone `\r` got line 1
//! for every record.
//!
//! [`LineTracker`] sits between the input and the csv reader and notes every line break
//! it passes on, so that [`LineTracker::line_at`] can give the line on which the record
//! starting at a byte offset really begins. A line break is `\r\n`, `\n` or a lone `\r`,
//! as for the csv reader's own record terminators, so a line is what the parser and an
//! editor show as one; `\r\n` inside a quoted field is one break, as in GED's
//! multi-line `source_article` fields.

use std::collections::VecDeque;
use std::io::Read;

/// One line break: its first byte and the byte after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Break {
    start: u64,
    end: u64,
}

/// A reader that notes the line breaks in what it reads; see the module doc.
///
/// ```
/// use sitrep_ingest::LineTracker;
/// let text = b"id,note\r\n1,\"two\r\nlines\"\r\n2,x\r\n";
/// let mut rdr = csv::ReaderBuilder::new().from_reader(LineTracker::new(&text[..]));
/// let mut rec = csv::StringRecord::new();
/// let mut lines = vec![];
/// while rdr.read_record(&mut rec).unwrap() {
///     let byte = rec.position().unwrap().byte();
///     lines.push(rdr.get_mut().line_at(byte));
/// }
/// assert_eq!(lines, [2, 4]); // csv's own `Position::line` says 1 and 3
/// ```
///
/// Breaks are kept only until a record after them has been placed, so memory is bounded
/// by the csv reader's read-ahead (plus the breaks inside one record).
pub struct LineTracker<R> {
    inner: R,
    /// Bytes passed on so far: the offset of the next byte.
    offset: u64,
    /// Breaks passed on but not yet before a placed record, in file order.
    breaks: VecDeque<Break>,
    /// Breaks before the last placed record.
    counted: u64,
    /// The last byte passed on was `\r`: a `\n` next belongs to its break.
    after_cr: bool,
}

impl<R> LineTracker<R> {
    /// Wraps the input of a csv reader.
    pub fn new(inner: R) -> Self {
        LineTracker {
            inner,
            offset: 0,
            breaks: VecDeque::new(),
            counted: 0,
            after_cr: false,
        }
    }

    /// The 1-based physical line of the record the csv reader placed at byte `offset`
    /// (`csv::Position::byte`): the line of its first byte, after any line breaks the
    /// reader skipped there (the `\n` of a `\r\n` it stopped before, blank lines).
    ///
    /// Records must be asked for in file order, after they have been read.
    pub fn line_at(&mut self, offset: u64) -> u64 {
        let mut at = offset;
        while let Some(b) = self.breaks.front() {
            // A break that starts before the record, or exactly where the record's
            // first byte would be (the reader skips it), lies before its first line.
            if b.start > at {
                break;
            }
            at = at.max(b.end);
            self.counted += 1;
            self.breaks.pop_front();
        }
        self.counted + 1
    }

    /// Notes the breaks in `buf`, the next bytes passed on.
    fn scan(&mut self, buf: &[u8]) {
        let base = self.offset;
        let mut after_cr = self.after_cr;
        let mut last = None;
        for i in memchr::memchr2_iter(b'\n', b'\r', buf) {
            let pos = base + i as u64;
            let follows_cr = if i == 0 {
                after_cr
            } else {
                last == Some(i - 1)
            };
            if buf[i] == b'\n' && follows_cr {
                // The `\n` of a `\r\n`: one break with its `\r`. That break may already
                // be counted (a record placed between two reads); then it is complete.
                if let Some(b) = self.breaks.back_mut() {
                    if b.end == pos {
                        b.end = pos + 1;
                    }
                }
                last = None;
                continue;
            }
            self.breaks.push_back(Break {
                start: pos,
                end: pos + 1,
            });
            last = (buf[i] == b'\r').then_some(i);
        }
        if let Some(&b) = buf.last() {
            after_cr = b == b'\r';
        }
        self.after_cr = after_cr;
        self.offset = base + buf.len() as u64;
    }
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.scan(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start line of every record as the tracker places it, reading `text` in
    /// pieces of `chunk` bytes (so that `\r\n` pairs fall across reads too).
    fn placed(text: &[u8], chunk: usize) -> Vec<(String, u64)> {
        struct Pieces<'a>(&'a [u8], usize);
        impl Read for Pieces<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(chunk.max(1))
            .from_reader(LineTracker::new(Pieces(text, chunk)));
        let mut rec = csv::ByteRecord::new();
        let mut out = vec![];
        while rdr.read_byte_record(&mut rec).unwrap() {
            let byte = rec.position().expect("records have positions").byte();
            let line = rdr.get_mut().line_at(byte);
            out.push((String::from_utf8_lossy(&rec[0]).into_owned(), line));
        }
        out
    }

    fn lines(v: &[(String, u64)]) -> Vec<u64> {
        v.iter().map(|(_, l)| *l).collect()
    }

    /// Synthetic layouts: records h, 1, 2 (a quoted field over two lines), 3, 4.
    #[test]
    fn every_line_ending_gives_the_start_line() {
        let cases: [(&str, &[u8]); 6] = [
            ("\\n", b"h,b\n1,x\n2,\"p\nq\"\n3,y\n4,z\n"),
            ("\\r\\n", b"h,b\r\n1,x\r\n2,\"p\r\nq\"\r\n3,y\r\n4,z\r\n"),
            (
                "\\r\\n, \\n inside",
                b"h,b\r\n1,x\r\n2,\"p\nq\"\r\n3,y\r\n4,z",
            ),
            ("\\n, \\r\\n inside", b"h,b\n1,x\n2,\"p\r\nq\"\n3,y\n4,z\n"),
            ("\\r", b"h,b\r1,x\r2,\"p\rq\"\r3,y\r4,z\r"),
            ("\\n, \\r inside", b"h,b\n1,x\n2,\"p\rq\"\n3,y\n4,z\n"),
        ];
        for (name, text) in cases {
            for chunk in [1, 2, 3, 7, 8192] {
                assert_eq!(
                    lines(&placed(text, chunk)),
                    [1, 2, 3, 5, 6],
                    "{name}, read {chunk} bytes at a time"
                );
            }
        }
    }

    #[test]
    fn blank_lines_before_a_record_are_skipped() {
        for text in [
            &b"h\n\n1\n\n\n2\n"[..],
            b"h\r\n\r\n1\r\n\r\n\r\n2\r\n",
            b"h\r\r1\r\r\r2\r",
        ] {
            for chunk in [1, 2, 5, 8192] {
                assert_eq!(lines(&placed(text, chunk)), [1, 3, 6], "{text:?} {chunk}");
            }
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_a_line() {
        let v = placed(b"\xef\xbb\xbfh,b\r\n1,x\r\n", 8192);
        assert_eq!(lines(&v), [1, 2]);
    }
}
