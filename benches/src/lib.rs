//! Chorus at national scale: the benchmark harness behind `BENCHMARKS.md`.
//!
//! - [`corpus`] reads the sentences of the real corpora in `../shared/corpora` (or the repository's
//!   sample export when they are absent), by polarity and question;
//! - [`generate`] recombines them into a deterministic wide FFT export of N comments (trusts, sites,
//!   services, 24 months of dates, FFT answers that roughly agree with the text, both question kinds,
//!   blanks and placeholders) that `chorus ingest` reads without options;
//! - [`stages`] runs one stage of the pipeline in this process (the floor, ingest, index build, read,
//!   sentiment, model, discovery, saving annotations, report, queries) and times its own work;
//! - [`floor`] builds a raw tantivy index of an export, the floor the end-to-end run is compared with;
//! - [`measure`] runs a child process under a small wrapper to get its wall time, CPU time and peak
//!   memory;
//! - [`serve`] drives the real `chorus serve` over loopback: ready time, each page's latency, a load test
//!   with many clients, the server's peak memory;
//! - [`suite`] runs everything at several sizes, trains a model and runs the end-to-end commands with the
//!   real `chorus` binary, and prints the tables.
//!
//! The one command: `cargo run --release -p chorus-bench -- all --sizes 100000,300000,1000000`.
//!
//! ```
//! use chorus_bench::corpus::SentencePool;
//! use chorus_bench::generate::generate;
//!
//! let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
//! let pool = SentencePool::load(&repo.join("no-such-folder"), &repo.join("corpora/sample-fft.csv"))?;
//! let mut csv = Vec::new();
//! let made = generate(&pool, 10, 42, &mut csv)?;
//! assert_eq!((made.rows, made.comments), (5, 10));
//! assert!(csv.starts_with(b"Response ID,Date,Trust,"));
//! # Ok::<(), anyhow::Error>(())
//! ```
#![deny(missing_docs)]

pub mod corpus;
pub mod floor;
pub mod generate;
pub mod measure;
pub mod serve;
pub mod stages;
pub mod suite;
