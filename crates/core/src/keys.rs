//! Stable 64-bit keys for recognising the same comment across ingests.
//!
//! The keys are stored in the index, so they must not change between runs, machines or Rust versions: they
//! use FNV-1a, not the standard library's randomly seeded hasher. Parts are separated by a byte that UTF-8
//! never produces, so `("ab", "c")` and `("a", "bc")` differ.

use serde::{Deserialize, Serialize};

/// The three keys by which a stored comment is recognised when it arrives again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CommentKeys {
    /// See [`identity_key`].
    pub identity: u64,
    /// See [`content_key`].
    pub content: u64,
    /// See [`respondent_key`].
    pub respondent: u64,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
const SEPARATOR: u8 = 0xff;

/// FNV-1a over the parts, each followed by a separator byte.
pub fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut hash = FNV_OFFSET;
    for part in parts {
        for &byte in part.iter().chain(std::iter::once(&SEPARATOR)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(FNV_PRIME);
        }
    }
    hash
}

/// The key of a comment's identity: organisation, id and question.
pub fn identity_key(organisation: Option<&str>, id: &str, question: &str) -> u64 {
    stable_hash(&[
        organisation.unwrap_or("").as_bytes(),
        id.as_bytes(),
        question.as_bytes(),
    ])
}

/// The key of a comment's content: question and text (or the fact that there was none).
pub fn content_key(question: &str, text: &str, no_comment: bool) -> u64 {
    stable_hash(&[
        question.as_bytes(),
        text.as_bytes(),
        &[u8::from(no_comment)],
    ])
}

/// The key of a respondent: organisation and respondent id (two trusts may both have a respondent
/// "1"). Counts of respondents and "% positive, one answer per respondent" group records by it.
pub fn respondent_id_key(organisation: Option<&str>, respondent: &str) -> u64 {
    stable_hash(&[organisation.unwrap_or("").as_bytes(), respondent.as_bytes()])
}

/// The key of a respondent's answer: organisation, respondent, question and text.
pub fn respondent_key(
    organisation: Option<&str>,
    respondent: &str,
    question: &str,
    text: &str,
    no_comment: bool,
) -> u64 {
    stable_hash(&[
        organisation.unwrap_or("").as_bytes(),
        respondent.as_bytes(),
        question.as_bytes(),
        text.as_bytes(),
        &[u8::from(no_comment)],
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_across_releases() {
        // Stored in every index: if this changes, old stores would re-ingest everything as new.
        assert_eq!(stable_hash(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(&[b"a"]), 0x089b_c907_b544_c769);
    }

    #[test]
    fn part_boundaries_matter() {
        assert_ne!(stable_hash(&[b"ab", b"c"]), stable_hash(&[b"a", b"bc"]));
        assert_ne!(
            identity_key(None, "1", "Why?"),
            identity_key(Some(""), "1", "Why?x")
        );
    }
}
