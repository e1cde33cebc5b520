//! Where comments come from and go: a [`CommentSource`] that a stage reads more than once without
//! holding it whole, and a [`CommentSink`] that ingestion writes new comments to.
//!
//! A report makes a few passes over the comments (what is there, then the counts) and at the end reads
//! back the few it quotes. Over a slice in memory that is indexing; over a store of a million comments
//! it is reading the store in batches, so that the report's memory stays flat in the store's size.

use crate::Comment;
use crate::keys::CommentKeys;

/// Why a [`CommentSource`] could not be read (a store's error, with its own message).
pub type SourceError = Box<dyn std::error::Error + Send + Sync>;

/// What [`CommentSource::scan`] calls with each batch and the position of its first comment.
pub type BatchFn<'a> = dyn FnMut(usize, &[Comment]) -> Result<(), SourceError> + 'a;

/// Comments in a fixed order, each known by its position in that order.
pub trait CommentSource: Sync {
    /// Calls `f` with every comment in order, in consecutive batches, each with the position of its
    /// first comment. Every scan gives the same comments in the same order.
    fn scan(&self, f: &mut BatchFn<'_>) -> Result<(), SourceError>;

    /// The comments at `positions`, each with its position, in ascending order of position; a
    /// position past the end is left out.
    fn fetch(&self, positions: &[usize]) -> Result<Vec<(usize, Comment)>, SourceError>;
}

impl CommentSource for [Comment] {
    fn scan(&self, f: &mut BatchFn<'_>) -> Result<(), SourceError> {
        f(0, self)
    }

    fn fetch(&self, positions: &[usize]) -> Result<Vec<(usize, Comment)>, SourceError> {
        let mut positions = positions.to_vec();
        positions.sort_unstable();
        positions.dedup();
        Ok(positions
            .into_iter()
            .filter_map(|i| Some((i, self.get(i)?.clone())))
            .collect())
    }
}

/// A boxed error from a comment sink (the store, or whatever the caller writes comments to).
pub type SinkError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Where new comments go: the store's writer, or a `Vec` in tests.
pub trait CommentSink {
    /// Takes one new comment (already redacted and deduplicated).
    fn add(&mut self, comment: Comment) -> Result<(), SinkError>;

    /// Takes one new comment with its duplicate keys (`comment.keys()`), which ingestion has already
    /// computed. A sink that stores the keys overrides this rather than hashing the comment again: at a
    /// million comments the hashing is about a second of CPU.
    fn add_keyed(&mut self, comment: Comment, keys: CommentKeys) -> Result<(), SinkError> {
        let _ = keys;
        self.add(comment)
    }
}

impl CommentSink for Vec<Comment> {
    fn add(&mut self, comment: Comment) -> Result<(), SinkError> {
        self.push(comment);
        Ok(())
    }
}

/// Comments fetched from a [`CommentSource`], found by position.
#[derive(Debug, Default)]
pub struct Fetched {
    comments: Vec<(usize, Comment)>,
}

impl Fetched {
    /// Reads the comments at `positions` (any order, repeats allowed) from `source`.
    pub fn from_source(
        source: &(impl CommentSource + ?Sized),
        positions: impl IntoIterator<Item = usize>,
    ) -> Result<Fetched, SourceError> {
        let mut wanted: Vec<usize> = positions.into_iter().collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut comments = source.fetch(&wanted)?;
        comments.sort_unstable_by_key(|(i, _)| *i);
        Ok(Fetched { comments })
    }

    /// The comment at `position`, if it was fetched.
    pub fn get(&self, position: usize) -> Option<&Comment> {
        let at = self
            .comments
            .binary_search_by_key(&position, |(i, _)| *i)
            .ok()?;
        Some(&self.comments[at].1)
    }

    /// Adds the comments of `other`, fetched later.
    pub fn extend(&mut self, other: Fetched) {
        self.comments.extend(other.comments);
        self.comments.sort_unstable_by_key(|(i, _)| *i);
        self.comments.dedup_by_key(|(i, _)| *i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(text: &str) -> Comment {
        Comment {
            id: text.to_owned(),
            respondent: text.to_owned(),
            question: "Please tell us why".into(),
            text: text.to_owned(),
            no_comment: false,
            date: None,
            score: crate::FftScore::Good,
            service: None,
            organisation: None,
            attributes: Default::default(),
            source: crate::SourceRef::default(),
            annotations: None,
        }
    }

    #[test]
    fn a_slice_is_scanned_whole_and_fetched_by_position() {
        let comments = vec![comment("a"), comment("b"), comment("c")];
        let mut seen = Vec::new();
        comments
            .as_slice()
            .scan(&mut |start, batch| {
                seen.push((start, batch.len()));
                Ok(())
            })
            .expect("a slice scans");
        assert_eq!(seen, vec![(0, 3)]);
        let fetched = Fetched::from_source(comments.as_slice(), [2, 0, 2, 9]).expect("fetched");
        assert_eq!(fetched.get(2).map(|c| c.text.as_str()), Some("c"));
        assert_eq!(fetched.get(0).map(|c| c.text.as_str()), Some("a"));
        assert!(fetched.get(1).is_none());
        assert!(fetched.get(9).is_none());
    }
}
