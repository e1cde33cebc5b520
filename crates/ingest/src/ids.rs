//! A comment's id when the export gives none, and a new id when the export's id is already taken.
//!
//! A comment's identity (organisation, id, question) never depends on the name of the file it came in:
//! two monthly exports both called `FFT_export.csv` hold different comments, and the same export
//! downloaded twice under different names holds the same ones.
//!
//! - The id is the export's id column, else its respondent column (`Response ID`, `Respondent ID`: in a
//!   wide export one row per response), else it is made from the row's content ([`content_id`]): the
//!   date, score, service, organisation, question and every free-text cell, as written. The n-th row of a
//!   file with the same content as an earlier row of that file gets `-n` ([`Occurrences`]), so identical
//!   answers from different people on the same day are all kept, and re-ingesting the file finds each of
//!   them again.
//! - An id already stored with different content (an id reused by another system, a story file of the
//!   same name in another folder, an edited export) is stored as `ID~2`, `ID~3`… ([`renamed`]) and
//!   reported: neither version is dropped, and re-ingesting either is recognised.

use chorus_core::Comment;
use chorus_core::keys::stable_hash;
use rustc_hash::{FxHashMap, FxHashSet};

/// How many renamings (`ID~2` … `ID~1000`) are tried before a record is quarantined: an id shared by more
/// records than that is not an id (a constant column mapped as one).
pub(crate) const MAX_REUSE: u32 = 1000;

/// The key of a row's content: its date, score, service, organisation and question cells and each
/// free-text cell, trimmed, in that order.
pub(crate) fn row_key<'a>(cells: impl IntoIterator<Item = &'a str>) -> u64 {
    let mut parts: Vec<&[u8]> = vec![b"row"];
    parts.extend(cells.into_iter().map(str::as_bytes));
    stable_hash(&parts)
}

/// The id made from a row's content key, for its `occurrence`-th appearance in the file.
pub(crate) fn content_id(key: u64, occurrence: u32) -> String {
    if occurrence <= 1 {
        format!("row-{key:016x}")
    } else {
        format!("row-{key:016x}-{occurrence}")
    }
}

/// How often each content key has appeared in the file so far. Only files without an id column need
/// it, and it is dropped with the file: the keys seen once cost 10 to 20 bytes each (a set of `u64`), and
/// only repeated ones carry a count.
#[derive(Debug, Default)]
pub(crate) struct Occurrences {
    seen: FxHashSet<u64>,
    repeats: FxHashMap<u64, u32>,
}

impl Occurrences {
    /// Counts one more row with content key `key`; returns which appearance it is (1 for the first).
    pub(crate) fn next(&mut self, key: u64) -> u32 {
        if self.seen.insert(key) {
            return 1;
        }
        let count = self.repeats.entry(key).or_insert(1);
        *count += 1;
        *count
    }
}

/// Gives `comment` a new id (and the same respondent, if its respondent was its id).
pub(crate) fn set_id(comment: &mut Comment, id: String) {
    if comment.respondent == comment.id {
        comment.respondent.clone_from(&id);
    }
    comment.id = id;
}

/// The `n`-th name tried for an id that is already taken: `ID~n`.
pub(crate) fn renamed(base: &str, n: u32) -> String {
    format!("{base}~{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ids_are_stable_and_count_repeats() {
        let key = row_key(["01/04/2023", "1", "", "", "", "Lovely staff"]);
        assert_eq!(
            key,
            row_key(["01/04/2023", "1", "", "", "", "Lovely staff"])
        );
        assert_ne!(
            key,
            row_key(["02/04/2023", "1", "", "", "", "Lovely staff"])
        );
        // Cell boundaries matter.
        assert_ne!(row_key(["a", "bc"]), row_key(["ab", "c"]));
        let mut seen = Occurrences::default();
        assert_eq!((seen.next(key), seen.next(key), seen.next(7)), (1, 2, 1));
        assert_eq!(content_id(0xab, 1), "row-00000000000000ab");
        assert_eq!(content_id(0xab, 2), "row-00000000000000ab-2");
        assert_eq!(renamed("17", 2), "17~2");
    }

    #[test]
    fn content_ids_never_change_between_releases() {
        // Stored in every store made from an export without ids: if this changes, re-ingesting such an
        // export would store every comment a second time.
        let key = row_key(["01/04/2023", "1", "Ward 7", "", "", "Lovely staff", ""]);
        assert_eq!(content_id(key, 1), "row-4cd886837e1cc5d6");
    }
}
