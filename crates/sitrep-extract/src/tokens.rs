//! A small word tokenizer with byte spans. Every parser in this crate works on these
//! tokens, so nothing ever matches inside a word: the "l" in "fell" is part of the
//! word "fell" and can never be read as a number.

use crate::text::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// A run of letters (possessive "'s" dropped, contractions merged: "didn't" → "didnt").
    Word,
    /// Digits with inner separators: "1,200", "35,787", "1.5".
    Number,
    /// Any other single non-space character.
    Punct,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokKind,
    /// Lowercased text, apostrophes removed from words.
    pub lower: String,
    /// Byte span in the tokenized text.
    pub span: Span,
    /// Whether whitespace precedes the token.
    pub space_before: bool,
    /// Whether it starts with an uppercase letter ("May" the month, not "may").
    pub capital: bool,
}

impl Token {
    pub fn is_word(&self) -> bool {
        self.kind == TokKind::Word
    }
    pub fn is_num(&self) -> bool {
        self.kind == TokKind::Number
    }
    /// The numeric value of a number token (separators removed).
    pub fn num(&self) -> Option<f64> {
        if self.kind != TokKind::Number {
            return None;
        }
        self.lower.replace(',', "").parse().ok()
    }
    pub fn is_dash(&self) -> bool {
        matches!(
            self.lower.as_str(),
            "-" | "\u{2013}" | "\u{2014}" | "\u{2212}"
        )
    }
    /// A clause boundary: , ; : ( ) and dashes with spaces around them.
    pub fn is_clause_break(&self) -> bool {
        matches!(
            self.lower.as_str(),
            "," | ";" | ":" | "(" | ")" | "\u{2014}"
        ) || (self.lower == "\u{2013}" && self.space_before)
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Tokenize `text`.
pub fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut space = true;
    let end_of = |j: usize| -> usize {
        if j < chars.len() {
            chars[j].0
        } else {
            text.len()
        }
    };
    while i < chars.len() {
        let c = chars[i].1;
        if c.is_whitespace() {
            space = true;
            i += 1;
            continue;
        }
        let start = chars[i].0;
        if c.is_alphabetic() {
            let mut j = i;
            while j < chars.len() && chars[j].1.is_alphabetic() {
                j += 1;
            }
            let mut word: String = text[start..end_of(j)].to_lowercase();
            let mut end = end_of(j);
            // Apostrophes: possessive 's is dropped, contractions merged, a trailing
            // apostrophe (plural possessive) dropped.
            if j < chars.len() && is_apostrophe(chars[j].1) {
                let mut k = j + 1;
                while k < chars.len() && chars[k].1.is_alphabetic() {
                    k += 1;
                }
                let tail: String = text[end_of(j + 1)..end_of(k)].to_lowercase();
                if tail == "s" || tail.is_empty() {
                    j = k;
                } else if tail == "t" || tail == "ll" || tail == "re" || tail == "ve" {
                    word.push_str(&tail);
                    end = end_of(k);
                    j = k;
                }
            }
            toks.push(Token {
                kind: TokKind::Word,
                lower: word,
                span: Span::new(start, end),
                space_before: space,
                capital: c.is_uppercase(),
            });
            i = j;
        } else if c.is_ascii_digit() {
            let mut j = i;
            loop {
                while j < chars.len() && chars[j].1.is_ascii_digit() {
                    j += 1;
                }
                // A separator followed by a digit continues the number.
                if j + 1 < chars.len()
                    && (chars[j].1 == ',' || chars[j].1 == '.')
                    && chars[j + 1].1.is_ascii_digit()
                {
                    // "1,200": thousands groups must be three digits.
                    if chars[j].1 == ',' {
                        let mut k = j + 1;
                        while k < chars.len() && chars[k].1.is_ascii_digit() {
                            k += 1;
                        }
                        if k - (j + 1) != 3 {
                            break;
                        }
                    }
                    j += 1;
                    continue;
                }
                break;
            }
            toks.push(Token {
                kind: TokKind::Number,
                lower: text[start..end_of(j)].to_string(),
                span: Span::new(start, end_of(j)),
                space_before: space,
                capital: false,
            });
            i = j;
        } else {
            toks.push(Token {
                kind: TokKind::Punct,
                lower: c.to_string(),
                span: Span::new(start, start + c.len_utf8()),
                space_before: space,
                capital: false,
            });
            i += 1;
        }
        space = false;
    }
    toks
}

/// The lowercase word at `i`, or "" past the end or for non-words.
pub fn word(toks: &[Token], i: usize) -> &str {
    match toks.get(i) {
        Some(t) if t.kind != TokKind::Number => t.lower.as_str(),
        _ => "",
    }
}

/// If the words (or punctuation) `pat` occur at `i`, the index after them.
pub fn seq(toks: &[Token], i: usize, pat: &[&str]) -> Option<usize> {
    for (k, p) in pat.iter().enumerate() {
        let t = toks.get(i + k)?;
        if t.lower != *p {
            return None;
        }
    }
    Some(i + pat.len())
}

/// The first of `pats` that occurs at `i` (longest listed first wins), and the index after it.
pub fn any_seq(toks: &[Token], i: usize, pats: &[&[&str]]) -> Option<usize> {
    pats.iter().find_map(|p| seq(toks, i, p))
}

/// Span covering tokens `[a, b)`.
pub fn span_of(toks: &[Token], a: usize, b: usize) -> Span {
    let b = b.max(a + 1).min(toks.len());
    Span::new(toks[a].span.start, toks[b - 1].span.end)
}
