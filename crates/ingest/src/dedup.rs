//! Recognising comments that are already stored, or that arrive twice in one batch.

use chorus_core::keys::CommentKeys;
use rustc_hash::{FxHashMap, FxHashSet};

/// What to do with a comment, given what is already stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DedupOutcome {
    /// Not seen before: store it.
    New,
    /// The same comment again (same identity and content, or the same respondent giving the same answer
    /// to the same question): count it, do not store it.
    Duplicate,
    /// The same identity (organisation, id, question) with different content: an id clash or an edited
    /// export. Neither version is silently dropped: the new one is quarantined.
    Conflict,
}

/// The keys of every comment stored so far, so that re-ingesting a file stores nothing new.
///
/// Memory grows with the number of distinct comments (about 40 bytes each), not with input size.
#[derive(Clone, Debug, Default)]
pub struct Deduplicator {
    /// Identity key → content key.
    identities: FxHashMap<u64, u64>,
    respondents: FxHashSet<u64>,
}

impl Deduplicator {
    /// An empty deduplicator, for a new store.
    pub fn new() -> Deduplicator {
        Deduplicator::default()
    }

    /// A deduplicator that knows the keys of comments already in a store.
    pub fn from_keys(keys: impl IntoIterator<Item = CommentKeys>) -> Deduplicator {
        let mut dedup = Deduplicator::new();
        for key in keys {
            dedup.insert(key);
        }
        dedup
    }

    /// How many comments it knows.
    pub fn len(&self) -> usize {
        self.identities.len()
    }

    /// Whether it knows no comment.
    pub fn is_empty(&self) -> bool {
        self.identities.is_empty()
    }

    /// Decides what to do with a comment and, when it is new, remembers it.
    pub fn check(&mut self, keys: CommentKeys) -> DedupOutcome {
        if let Some(&content) = self.identities.get(&keys.identity) {
            return if content == keys.content {
                DedupOutcome::Duplicate
            } else {
                DedupOutcome::Conflict
            };
        }
        if self.respondents.contains(&keys.respondent) {
            return DedupOutcome::Duplicate;
        }
        self.insert(keys);
        DedupOutcome::New
    }

    fn insert(&mut self, keys: CommentKeys) {
        self.identities.insert(keys.identity, keys.content);
        self.respondents.insert(keys.respondent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(identity: u64, content: u64, respondent: u64) -> CommentKeys {
        CommentKeys {
            identity,
            content,
            respondent,
        }
    }

    #[test]
    fn same_identity_same_content_is_a_duplicate_and_different_content_a_conflict() {
        let mut dedup = Deduplicator::from_keys([keys(1, 10, 100)]);
        assert_eq!(dedup.check(keys(1, 10, 100)), DedupOutcome::Duplicate);
        assert_eq!(dedup.check(keys(1, 11, 101)), DedupOutcome::Conflict);
        // Another id, but the same respondent said the same thing to the same question.
        assert_eq!(dedup.check(keys(2, 10, 100)), DedupOutcome::Duplicate);
        assert_eq!(dedup.check(keys(3, 12, 102)), DedupOutcome::New);
        assert_eq!(dedup.check(keys(3, 12, 102)), DedupOutcome::Duplicate);
        assert_eq!(dedup.len(), 2);
    }
}
