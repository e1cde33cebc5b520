//! A report read from a source in batches (as from a store) is the report of the same comments held in
//! memory, and reads back only the few comments it quotes.

use std::sync::atomic::{AtomicUsize, Ordering};

use chorus_core::{BatchFn, Comment, CommentSource, Date, SourceError};
use chorus_report::{BreakdownBy, ChangeNote, ReportOptions, build, build_from, synthetic};

/// Comments given out `batch` at a time, counting what is read.
struct Batches {
    comments: Vec<Comment>,
    batch: usize,
    scans: AtomicUsize,
    fetched: AtomicUsize,
}

impl CommentSource for Batches {
    fn scan(&self, f: &mut BatchFn<'_>) -> Result<(), SourceError> {
        self.scans.fetch_add(1, Ordering::Relaxed);
        for (n, part) in self.comments.chunks(self.batch).enumerate() {
            // Each batch a fresh copy, as a store decodes it: nothing may be kept by reference.
            let decoded: Vec<Comment> = part.to_vec();
            f(n * self.batch, &decoded)?;
        }
        Ok(())
    }

    fn fetch(&self, positions: &[usize]) -> Result<Vec<(usize, Comment)>, SourceError> {
        self.fetched.fetch_add(positions.len(), Ordering::Relaxed);
        self.comments.as_slice().fetch(positions)
    }
}

struct Failing;

impl CommentSource for Failing {
    fn scan(&self, _: &mut BatchFn<'_>) -> Result<(), SourceError> {
        Err("the disk went away".into())
    }

    fn fetch(&self, _: &[usize]) -> Result<Vec<(usize, Comment)>, SourceError> {
        Err("the disk went away".into())
    }
}

#[test]
fn a_report_read_in_batches_is_the_report_read_whole() {
    let comments = synthetic::comments(6000, 17);
    let catalog = synthetic::catalog();
    let option_sets = [
        ReportOptions::default(),
        ReportOptions {
            from: Date::from_ymd(2022, 1, 1),
            to: Date::from_ymd(2022, 12, 31),
            compare_previous: true,
            by: vec![BreakdownBy::Service, "Age band".parse().expect("a column")],
            annotations: vec![ChangeNote {
                date: synthetic::change_date(),
                text: "New booking system".to_string(),
            }],
            ..ReportOptions::default()
        },
    ];
    for options in option_sets {
        let whole = build(&comments, &catalog, &options).expect("a report");
        assert!(
            !whole.what_changed.changes.is_empty(),
            "the synthetic data plants a change, so what changed is exercised"
        );
        for batch in [1000, 4099, 100_000] {
            let source = Batches {
                comments: comments.clone(),
                batch,
                scans: AtomicUsize::new(0),
                fetched: AtomicUsize::new(0),
            };
            let streamed = build_from(&source, &catalog, &options).expect("a report");
            assert_eq!(streamed, whole, "batches of {batch}");
            let scans = source.scans.load(Ordering::Relaxed);
            assert_eq!(
                scans, 2,
                "passes over the comments: one to survey, one to count"
            );
            let fetched = source.fetched.load(Ordering::Relaxed);
            assert!(
                fetched < comments.len() / 5,
                "{fetched} of {} comments read back for quotes",
                comments.len()
            );
        }
    }
}

#[test]
fn a_source_that_cannot_be_read_is_an_error_with_its_cause() {
    let error = build_from(&Failing, &synthetic::catalog(), &ReportOptions::default())
        .expect_err("nothing to read");
    assert_eq!(error.to_string(), "cannot read the comments to report on");
    let cause = std::error::Error::source(&error).map(ToString::to_string);
    assert_eq!(cause.as_deref(), Some("the disk went away"));
}
