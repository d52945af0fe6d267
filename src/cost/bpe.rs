//! Exact cl100k_base token counts without tiktoken's start-up cost.
//!
//! tiktoken-rs builds three hash maps and a sorted copy of the 100k-token vocabulary before
//! its first count: ~50 ms, more than the rest of `agentc cost` together. Counting needs far
//! less: the build script (`build.rs`) writes the vocabulary, taken from tiktoken-rs itself,
//! as a table sorted by bytes that is compiled into the binary, so a token's rank is a binary
//! search away and nothing is built at run time. Splitting text into pieces uses cl100k's own
//! pattern, and merging follows tiktoken's algorithm step for step; `tests` check the counts
//! against tiktoken-rs on the example specs, the templates and random text.

use fancy_regex::Regex;
use std::sync::LazyLock;

type Rank = u32;

static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/cl100k_base.sorted.bin"));

/// cl100k_base's pre-tokenization pattern, as tiktoken-rs defines it.
const PATTERN: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";

static SPLIT: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(PATTERN).ok());

fn word(at: usize) -> usize {
    TABLE
        .get(at..at + 4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// The rank of a token's bytes, if they are one token.
fn rank(bytes: &[u8]) -> Option<Rank> {
    let n = word(0);
    let offsets = 4;
    let ranks = offsets + 4 * (n + 1);
    let blob = ranks + 4 * n;
    let token =
        |i: usize| TABLE.get(blob + word(offsets + 4 * i)..blob + word(offsets + 4 * (i + 1)));
    let (mut low, mut high) = (0, n);
    while low < high {
        let mid = (low + high) / 2;
        match token(mid)?.cmp(bytes) {
            std::cmp::Ordering::Less => low = mid + 1,
            std::cmp::Ordering::Greater => high = mid,
            std::cmp::Ordering::Equal => return Some(word(ranks + 4 * mid) as Rank),
        }
    }
    None
}

/// Tokens of one piece: tiktoken's `_byte_pair_merge`, always merging the lowest-ranked pair.
fn piece_tokens(piece: &[u8]) -> usize {
    if piece.len() <= 1 || rank(piece).is_some() {
        return piece.len().min(1);
    }
    let rank_of = |bytes: &[u8]| rank(bytes).unwrap_or(Rank::MAX);
    let mut parts: Vec<(usize, Rank)> = (0..piece.len() - 1)
        .map(|i| (i, rank_of(&piece[i..i + 2])))
        .collect();
    parts.push((piece.len() - 1, Rank::MAX));
    parts.push((piece.len(), Rank::MAX));
    let get_rank = |parts: &[(usize, Rank)], i: usize| {
        if i + 3 < parts.len() {
            rank_of(&piece[parts[i].0..parts[i + 3].0])
        } else {
            Rank::MAX
        }
    };
    loop {
        let mut min = (Rank::MAX, usize::MAX);
        for (i, &(_, r)) in parts[..parts.len() - 1].iter().enumerate() {
            if r < min.0 {
                min = (r, i);
            }
        }
        if min.0 == Rank::MAX {
            break;
        }
        let i = min.1;
        if i > 0 {
            parts[i - 1].1 = get_rank(&parts, i - 1);
        }
        parts[i].1 = get_rank(&parts, i);
        parts.remove(i + 1);
    }
    parts.len() - 1
}

/// Exact cl100k_base token count of `text` (ordinary text: special tokens are not recognised),
/// or `None` when the text cannot be split (the pattern's backtracking limit), so that the
/// caller can fall back to tiktoken-rs.
pub fn count(text: &str) -> Option<usize> {
    let split = SPLIT.as_ref()?;
    let mut total = 0;
    for piece in split.find_iter(text) {
        total += piece_tokens(piece.ok()?.as_str().as_bytes());
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tiktoken(text: &str) -> usize {
        tiktoken_rs::cl100k_base_singleton()
            .encode_ordinary(text)
            .len()
    }

    #[test]
    fn the_table_holds_the_whole_vocabulary() {
        assert_eq!(word(0), 100_256);
        assert_eq!(rank(b"!"), Some(0));
        assert_eq!(rank(b" the"), Some(279));
        assert_eq!(rank(b"not a single token at all"), None);
    }

    #[test]
    fn counts_equal_tiktoken_on_the_repository_texts() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for dir in ["agents", "templates/agents", "tests/fixtures/lint", "docs"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                assert_eq!(
                    count(&text),
                    Some(tiktoken(&text)),
                    "{}",
                    entry.path().display()
                );
                checked += 1;
            }
        }
        assert!(checked > 10, "{checked}");
        for text in [
            "",
            " ",
            "\n\n  \n",
            "don't  stop\t\r\n",
            "Grüße, 東京 ☃ 12345678 😀😀",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert_eq!(count(text), Some(tiktoken(text)), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn counts_equal_tiktoken_on_random_text(text in "\\PC{0,200}") {
            prop_assert_eq!(count(&text), Some(tiktoken(&text)));
        }

        #[test]
        fn counts_equal_tiktoken_on_random_ascii(text in "[ -~\\n\\t]{0,300}") {
            prop_assert_eq!(count(&text), Some(tiktoken(&text)));
        }
    }
}
