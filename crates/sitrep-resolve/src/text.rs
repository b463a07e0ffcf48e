//! Name normalisation shared by places and actors.
//!
//! Three levels, each coarser than the last:
//!
//! 1. [`fold`]: case, diacritics (`Kandahār` → `kandahar`), apostrophes and ayn marks
//!    dropped (`Jam'iyyat` → `jamiyyat`), every other punctuation run becomes one space.
//! 2. [`compact`]: `fold` without spaces, for place names whose word breaks vary
//!    (`Sar-e Pul`, `Sare Pul`, `Sarepul`).
//! 3. [`skeleton`] (places) and [`loose`] (actors): a transliteration-blind key. Each
//!    long word keeps its first letter and its consonants, with runs collapsed, so the
//!    vowel spellings that Dari/Pashto/Arabic romanisations disagree on meet:
//!    Taleban/Taliban → `tlbn`, Daesh/Daish → `dsh`, Khorasan/Khurasan → `khrsn`,
//!    Mohammad/Mohammed/Muhammad → `mhmd`, Tayyaba/Taiba → `tb`. Short words (up to
//!    four letters: acronyms such as IS, NRF, ISIS, ISKP) are kept whole, and the
//!    connectives `e`, `i`, `ye`, `yi`, `ul`, `al` are dropped (`Lashkar-e-Taiba` →
//!    `lshkr tb`, `al-Qaeda` → `qd`).
//!
//! Loose keys can collide between different names; the registry and the gazetteer
//! detect collisions at load time and never resolve through an ambiguous key.

use unicode_normalization::UnicodeNormalization;

/// Lower-case, strip diacritics, drop apostrophes, turn other punctuation into spaces.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        // Apostrophes and ayn/hamza marks sit inside words: Jam'iyyat, Qal‘ah.
        if matches!(c, '\'' | '’' | '‘' | 'ʿ' | 'ʾ' | 'ʼ' | '`' | '´') {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            for l in c.to_lowercase() {
                out.push(special_letter(l));
            }
        } else {
            pending_space = true;
        }
    }
    out
}

/// Letters NFKD does not decompose but that romanisations use interchangeably.
fn special_letter(c: char) -> char {
    match c {
        'ı' => 'i',
        'ł' => 'l',
        'ø' => 'o',
        'đ' | 'ð' => 'd',
        'ʃ' => 's',
        _ => c,
    }
}

/// [`fold`] without spaces.
pub fn compact(s: &str) -> String {
    fold(s).chars().filter(|c| *c != ' ').collect()
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// First letter plus the consonants of one word, runs of the same letter collapsed.
fn consonant_skeleton(word: &str, out: &mut String) {
    let mut prev = None;
    for (i, c) in word.chars().enumerate() {
        // `w`/`v` and `q`/`k` alternate between romanisations (Parwan/Parvan, Qandahar).
        let c = match c {
            'v' => 'w',
            'q' => 'k',
            _ => c,
        };
        // Doubled letters collapse (Jam'iyyat, Tayyaba); letters that only meet once
        // the vowels are gone do not (ISIS is not IS).
        let doubled = prev == Some(c);
        prev = Some(c);
        if (i > 0 && is_vowel(c)) || doubled {
            continue;
        }
        out.push(c);
    }
}

/// The transliteration-blind key of a place name (one word, no spaces).
pub fn skeleton(s: &str) -> String {
    let mut out = String::new();
    consonant_skeleton(&compact(s), &mut out);
    out
}

/// Words that join Persian/Arabic names and come and go between spellings.
const CONNECTIVES: &[&str] = &["e", "i", "ye", "yi", "ul", "al", "el"];

/// The transliteration-blind key of an actor name (see the module doc).
pub fn loose(s: &str) -> String {
    let folded = fold(s);
    let mut out = String::with_capacity(folded.len());
    for word in folded.split(' ') {
        if word.is_empty() || CONNECTIVES.contains(&word) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        if word.chars().count() <= 4 {
            out.push_str(word);
        } else {
            consonant_skeleton(word, &mut out);
        }
    }
    out
}

/// Strip administrative words a source may append to a province name.
pub fn strip_admin_words(folded: &str) -> &str {
    let mut s = folded.trim();
    for suffix in [" province", " wilayat", " velayat", " welayat", " vilayat"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.trim_end();
        }
    }
    for prefix in ["province of ", "wilayat ", "velayat "] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start();
        }
    }
    s
}

/// Similarity of two folded names in 0..=1: the better of Jaro-Winkler on the whole
/// string and of the share of shared character trigrams (robust to word order).
pub fn similarity(a: &str, b: &str) -> f64 {
    let jw = strsim::jaro_winkler(a, b);
    let ta = trigrams(a);
    let tb = trigrams(b);
    let tri = if ta.is_empty() || tb.is_empty() {
        0.0
    } else {
        let shared = ta.iter().filter(|t| tb.contains(t)).count();
        2.0 * shared as f64 / (ta.len() + tb.len()) as f64
    };
    jw.max(tri)
}

fn trigrams(s: &str) -> Vec<[char; 3]> {
    let padded: Vec<char> = std::iter::once(' ')
        .chain(s.chars())
        .chain(std::iter::once(' '))
        .collect();
    let mut v: Vec<[char; 3]> = padded.windows(3).map(|w| [w[0], w[1], w[2]]).collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_handles_diacritics_apostrophes_and_punctuation() {
        assert_eq!(fold("Kandahār"), "kandahar");
        assert_eq!(
            fold("Jam'iyyat-i Islami-yi Afghanistan"),
            "jamiyyat i islami yi afghanistan"
        );
        assert_eq!(
            fold("  NRF: National  Resistance Front "),
            "nrf national resistance front"
        );
        assert_eq!(fold("Qal‘ah-ye Now"), "qalah ye now");
        assert_eq!(fold("Shīnḏanḏ"), "shindand");
    }

    #[test]
    fn transliterations_meet_in_the_loose_key() {
        assert_eq!(loose("Taleban"), loose("Taliban"));
        assert_eq!(loose("Daesh"), loose("Daish"));
        assert_eq!(
            loose("Islamic State Khorasan"),
            loose("Islamic State Khurasan")
        );
        assert_eq!(loose("Jaish-e-Mohammed"), loose("Jaish-e-Muhammad"));
        assert_eq!(loose("Lashkar-e-Tayyaba"), loose("Lashkar-e-Taiba"));
        assert_eq!(loose("al-Qaida"), loose("Al Qaeda"));
        // Acronyms stay whole, so IS and ISIS do not meet.
        assert_ne!(loose("IS"), loose("ISIS"));
        assert_ne!(loose("Taliban"), loose("Pakistan"));
    }

    #[test]
    fn place_skeletons_meet_across_spellings() {
        assert_eq!(skeleton("Sar-e Pul"), skeleton("Sari Pul"));
        assert_eq!(skeleton("Sar-i-Pul"), skeleton("Sar-e Pol"));
        assert_eq!(skeleton("Nangarhar"), skeleton("Ningarhar"));
        assert_eq!(skeleton("Parwan"), skeleton("Parvan"));
        assert_eq!(skeleton("Kandahar"), skeleton("Qandahar"));
        assert_ne!(skeleton("Paktika"), skeleton("Paktia"));
        assert_eq!(strip_admin_words("kabul province"), "kabul");
    }

    #[test]
    fn similarity_ranks_close_spellings_high() {
        assert!(similarity("talibans", "taliban") > 0.9);
        assert!(similarity("taliban", "pakistan") < similarity("taliban", "talibaan"));
        assert_eq!(similarity("", ""), 1.0);
    }
}
