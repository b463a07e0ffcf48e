//! Input clean-up and sentence splitting.
//!
//! [`clean`] turns plain text, Markdown or HTML into plain paragraphs: tags and
//! Markdown markup are stripped, entities decoded, paragraph numbers ("12." or
//! "\[12\]" at the start of a paragraph) and footnote markers glued to words or
//! punctuation ("fivefold.12") are removed and kept as references.
//! [`split_sentences`] then cuts each paragraph into sentences, robust to
//! abbreviations ("U.S.", "Dec.", "e.g.", "No. 5"), decimals and closing quotes.

use serde::Serialize;

/// A byte range `[start, end)` into some text (which text is said where it is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// A cleaned document: plain text made of paragraphs separated by blank lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub text: String,
    pub paragraphs: Vec<Paragraph>,
    /// Footnote markers removed from the text: (byte offset in `text`, number).
    pub footnotes: Vec<(usize, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    pub span: Span,
    /// A paragraph number found at its start ("12. The ..." or "\[12\] The ..."), removed from the text.
    pub number: Option<u32>,
}

/// One sentence of a cleaned document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sentence {
    /// The sentence text (a slice of [`Document::text`]).
    pub text: String,
    /// Where it sits in [`Document::text`].
    pub span: Span,
    /// Index of its paragraph in [`Document::paragraphs`].
    pub paragraph: usize,
    /// The paragraph's own number, if it had one.
    pub paragraph_number: Option<u32>,
    /// Footnote markers that were glued to this sentence's words or punctuation.
    pub footnotes: Vec<u32>,
}

/// Clean text, Markdown or HTML into a [`Document`].
pub fn clean(input: &str) -> Document {
    let plain = if looks_like_html(input) {
        strip_html(input)
    } else {
        input.to_string()
    };
    let plain = plain.replace("\r\n", "\n").replace('\r', "\n");
    // Blocks: blank-line separated; Markdown headings, list items and quotes start new blocks.
    let mut blocks: Vec<String> = Vec::new();
    let mut cur = String::new();
    for raw_line in plain.lines() {
        let line = raw_line.trim();
        if line.is_empty() {
            if !cur.is_empty() {
                blocks.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let (line, starts_block) = strip_markdown_line(line);
        if starts_block && !cur.is_empty() {
            blocks.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&strip_markdown_inline(&line));
    }
    if !cur.is_empty() {
        blocks.push(cur);
    }

    let mut doc = Document {
        text: String::new(),
        paragraphs: Vec::new(),
        footnotes: Vec::new(),
    };
    for block in blocks {
        let (number, body) = paragraph_number(&block);
        let (body, notes) = strip_footnotes(body.trim());
        if body.is_empty() {
            continue;
        }
        if !doc.text.is_empty() {
            doc.text.push_str("\n\n");
        }
        let start = doc.text.len();
        doc.footnotes
            .extend(notes.into_iter().map(|(pos, n)| (start + pos, n)));
        doc.text.push_str(&body);
        doc.paragraphs.push(Paragraph {
            span: Span::new(start, doc.text.len()),
            number,
        });
    }
    doc
}

fn looks_like_html(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    [
        "<p", "<div", "<br", "<html", "<body", "<span", "<li", "<h1", "<h2", "<h3", "<a ",
    ]
    .iter()
    .any(|t| l.contains(t))
}

fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        let Some(gt) = after.find('>') else {
            out.push_str(after);
            rest = "";
            break;
        };
        let tag = after[1..gt].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let block = [
            "p",
            "div",
            "br",
            "li",
            "ul",
            "ol",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "table",
            "blockquote",
            "section",
            "article",
            "header",
            "footer",
        ];
        if block.contains(&name.as_str()) {
            out.push_str("\n\n");
        }
        // Skip script and style bodies entirely.
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            let close = format!("</{name}");
            let lower = after.to_ascii_lowercase();
            if let Some(c) = lower.find(&close) {
                let end = after[c..]
                    .find('>')
                    .map(|g| c + g + 1)
                    .unwrap_or(after.len());
                rest = &after[end..];
                continue;
            }
        }
        rest = &after[gt + 1..];
    }
    out.push_str(rest);
    decode_entities(&out)
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let table = [
        ("&nbsp;", " "),
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
        ("&rsquo;", "\u{2019}"),
        ("&lsquo;", "\u{2018}"),
        ("&ldquo;", "\u{201c}"),
        ("&rdquo;", "\u{201d}"),
        ("&ndash;", "\u{2013}"),
        ("&mdash;", "\u{2014}"),
        ("&#8217;", "\u{2019}"),
        ("&#8211;", "\u{2013}"),
        ("&#8212;", "\u{2014}"),
    ];
    let mut out = s.to_string();
    for (e, r) in table {
        out = out.replace(e, r);
    }
    out
}

/// Strip line-level Markdown; say whether the line starts a new block.
fn strip_markdown_line(line: &str) -> (String, bool) {
    let t = line.trim_start_matches('>').trim_start();
    if let Some(h) = t.strip_prefix('#') {
        return (h.trim_start_matches('#').trim().to_string(), true);
    }
    for bullet in ["- ", "* ", "+ "] {
        if let Some(b) = t.strip_prefix(bullet) {
            return (b.trim().to_string(), true);
        }
    }
    (t.to_string(), t.len() != line.len())
}

/// Remove emphasis, code ticks and link targets: `[text](url)` → `text`.
fn strip_markdown_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' | '`' => {}
            '_' if (i == 0 || !chars[i - 1].is_alphanumeric())
                || (i + 1 == chars.len() || !chars[i + 1].is_alphanumeric()) => {}
            ']' if chars.get(i + 1) == Some(&'(') => {
                // Skip "(url)".
                let mut j = i + 2;
                while j < chars.len() && chars[j] != ')' {
                    j += 1;
                }
                i = j + 1;
                continue;
            }
            '[' if chars[i + 1..].iter().take_while(|&&c| c != ']').count() + i + 1
                < chars.len()
                && s_link_follows(&chars, i) => {}
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

fn s_link_follows(chars: &[char], open: usize) -> bool {
    let mut j = open + 1;
    while j < chars.len() && chars[j] != ']' {
        j += 1;
    }
    chars.get(j + 1) == Some(&'(')
}

/// "12. Text", "12 Text" (only with a capital after), "[12] Text", "¶12 Text".
fn paragraph_number(block: &str) -> (Option<u32>, &str) {
    let b = block.trim_start();
    let (inner, rest) = if let Some(r) = b.strip_prefix('[') {
        match r.find(']') {
            Some(e) => (&r[..e], &r[e + 1..]),
            None => return (None, block),
        }
    } else if let Some(r) = b.strip_prefix('¶') {
        let r = r.trim_start();
        let e = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
        (&r[..e], &r[e..])
    } else {
        let e = b.find(|c: char| !c.is_ascii_digit()).unwrap_or(b.len());
        let r = &b[e..];
        match r.strip_prefix('.') {
            Some(r2) if r2.starts_with(' ') => (&b[..e], r2),
            _ => return (None, block),
        }
    };
    if inner.is_empty() || inner.len() > 3 || !inner.bytes().all(|c| c.is_ascii_digit()) {
        return (None, block);
    }
    let rest_t = rest.trim_start();
    if !rest_t
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c == '"' || c == '\u{201c}')
    {
        return (None, block);
    }
    (inner.parse().ok(), rest_t)
}

fn is_closing(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | ')' | '"' | '\u{201d}' | '\u{2019}' | '\'' | '!' | '?'
    )
}

/// Remove footnote markers: 1–3 digits glued to the end of a word (of 3+ lowercase
/// letters) or to closing punctuation that itself follows a letter, and followed by a
/// space, the end, or punctuation. Returns the text and (offset, number) of each.
pub fn strip_footnotes(s: &str) -> (String, Vec<(usize, u32)>) {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = String::with_capacity(s.len());
    let mut notes = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        if c.is_ascii_digit() && i > 0 {
            let mut j = i;
            while j < chars.len() && chars[j].1.is_ascii_digit() {
                j += 1;
            }
            let len = j - i;
            let after_ok = j == chars.len()
                || chars[j].1.is_whitespace()
                || (is_closing(chars[j].1) && chars[j].1 != '.')
                || (chars[j].1 == '.' && (j + 1 == chars.len() || chars[j + 1].1.is_whitespace()));
            let prev = chars[i - 1].1;
            let glued = if prev.is_lowercase() {
                // The word before must be 3+ letters, all letters.
                let mut k = i;
                let mut n = 0;
                while k > 0 && chars[k - 1].1.is_alphabetic() {
                    k -= 1;
                    n += 1;
                }
                n >= 3 && (k == 0 || !chars[k - 1].1.is_ascii_digit() && chars[k - 1].1 != '-')
            } else if is_closing(prev) && prev != '\'' {
                i >= 2 && (chars[i - 2].1.is_alphabetic() || is_closing(chars[i - 2].1))
            } else {
                false
            };
            if glued && after_ok && len <= 3 {
                let num: String = chars[i..j].iter().map(|x| x.1).collect();
                if let Ok(n) = num.parse::<u32>() {
                    notes.push((out.len(), n));
                    i = j;
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
    (out, notes)
}

/// Abbreviations after which a full stop does not end a sentence (lowercase, no dot).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "maj", "capt", "sgt", "st", "jr", "sr",
    "gov", "sen", "rep", "vs", "etc", "approx", "fig", "figs", "para", "paras", "art", "vol", "pp",
    "ca", "cf", "al", "inc", "ltd", "co", "corp", "dept", "est", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "e.g", "i.e", "u.s", "u.k",
    "u.n", "u.s.a", "a.m", "p.m", "ibid", "op", "cit", "no", "nos",
];

/// Split a cleaned document into sentences.
pub fn split_sentences(doc: &Document) -> Vec<Sentence> {
    let mut out = Vec::new();
    for (pi, para) in doc.paragraphs.iter().enumerate() {
        let text = &doc.text[para.span.start..para.span.end];
        let mut start = 0;
        let bytes = text.as_bytes();
        let mut idx = 0;
        while idx < text.len() {
            let c = text[idx..].chars().next().unwrap_or(' ');
            let clen = c.len_utf8();
            if matches!(c, '.' | '!' | '?') {
                // Extend over closing quotes/parens.
                let mut end = idx + clen;
                while let Some(n) = text[end..].chars().next() {
                    if matches!(n, '"' | '\u{201d}' | '\u{2019}' | ')' | '\'') {
                        end += n.len_utf8();
                    } else {
                        break;
                    }
                }
                let next_ws = end == text.len() || bytes[end].is_ascii_whitespace();
                if next_ws && is_boundary(text, idx, end, c) {
                    push_sentence(&mut out, doc, pi, para, start, end);
                    start = end;
                    idx = end;
                    continue;
                }
            }
            idx += clen;
        }
        if start < text.len() {
            push_sentence(&mut out, doc, pi, para, start, text.len());
        }
    }
    out
}

fn is_boundary(text: &str, dot: usize, end: usize, c: char) -> bool {
    let rest = text[end..].trim_start();
    let next = rest.chars().next();
    let Some(next) = next else { return true };
    if c != '.' {
        return next.is_uppercase() || next.is_ascii_digit() || is_opening(next);
    }
    // The word before the dot (letters and inner dots).
    let before = &text[..dot];
    let word_start = before
        .char_indices()
        .rev()
        .find(|&(_, ch)| !(ch.is_alphanumeric() || ch == '.'))
        .map(|(i, ch)| i + ch.len_utf8())
        .unwrap_or(0);
    let word = &before[word_start..];
    let lower = word.to_lowercase();
    if lower == "no" || lower == "nos" {
        // "No. 5" is a reference; "... said no. The" ends a sentence.
        return !next.is_ascii_digit();
    }
    if ABBREVIATIONS.contains(&lower.as_str()) {
        // A month or "etc." can still end a sentence before a capital; be conservative:
        // only titles and Latin abbreviations never end one.
        let never = [
            "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "maj", "capt", "sgt", "st", "sen",
            "rep", "gov", "vs", "e.g", "i.e", "cf", "fig", "figs", "para", "paras", "art", "vol",
            "pp", "ca", "approx", "mt", "op",
        ];
        if never.contains(&lower.as_str()) {
            return false;
        }
        if ["u.s", "u.k", "u.n", "u.s.a"].contains(&lower.as_str()) {
            // "U.S. forces" continues; "the U.S. The next" is ambiguous: a capital word
            // that is a common sentence opener ends it.
            return sentence_opener(rest);
        }
        // Months and others: end only if followed by a capital that is not a digit.
        return next.is_uppercase() && !rest.starts_with(|ch: char| ch.is_ascii_digit());
    }
    // Initials: a single capital letter ("A. Massoud"); section numbers ("II. The …").
    if word.chars().count() == 1 && word.chars().all(|ch| ch.is_uppercase()) {
        return false;
    }
    if word.len() <= 5 && !word.is_empty() && word.chars().all(|ch| "IVXLC".contains(ch)) {
        return false;
    }
    // Dotted abbreviations like "e.g." or "U.S." not listed: letter.letter.
    if word.contains('.') && word.split('.').all(|p| p.chars().count() <= 1) {
        return sentence_opener(rest);
    }
    next.is_uppercase() || next.is_ascii_digit() || is_opening(next)
}

fn is_opening(c: char) -> bool {
    matches!(c, '"' | '\u{201c}' | '\u{2018}' | '(' | '[' | '\'')
}

fn sentence_opener(rest: &str) -> bool {
    let w: String = rest.chars().take_while(|c| c.is_alphabetic()).collect();
    [
        "The", "This", "That", "These", "Those", "It", "In", "But", "However", "A", "An", "He",
        "She", "They", "We", "Its", "Their", "On", "At", "As", "By", "For", "Since", "After",
    ]
    .contains(&w.as_str())
}

fn push_sentence(
    out: &mut Vec<Sentence>,
    doc: &Document,
    pi: usize,
    para: &Paragraph,
    start: usize,
    end: usize,
) {
    let text = &doc.text[para.span.start..para.span.end];
    let seg = &text[start..end];
    let lead = seg.len() - seg.trim_start().len();
    let trail = seg.len() - seg.trim_end().len();
    let s = para.span.start + start + lead;
    let e = para.span.start + end - trail;
    if s >= e {
        return;
    }
    let footnotes = doc
        .footnotes
        .iter()
        .filter(|(pos, _)| *pos > s && *pos <= e)
        .map(|&(_, n)| n)
        .collect();
    out.push(Sentence {
        text: doc.text[s..e].to_string(),
        span: Span::new(s, e),
        paragraph: pi,
        paragraph_number: para.number,
        footnotes,
    });
}

/// Clean and split in one go.
pub fn sentences(input: &str) -> Vec<Sentence> {
    split_sentences(&clean(input))
}
