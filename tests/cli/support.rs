//! Helpers shared by the CLI tests: running the binary, temporary stores, and finding the corpora.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repo's own synthetic sample export.
pub fn sample_corpus() -> PathBuf {
    repo_root().join("corpora").join("sample-fft.csv")
}

/// A file of the real corpora in `../shared/corpora` (or `$CHORUS_SHARED_CORPORA`), or `None` with a
/// message on stderr when it is absent, so that a fresh clone without them still passes.
pub fn shared_corpus(name: &str) -> Option<PathBuf> {
    chorus_testdata::file(name)
}

/// Runs `chorus` with arguments and returns its output, whatever the exit status.
pub fn chorus<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_chorus"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the chorus binary runs")
}

/// Runs `chorus`, asserts that it succeeded, and returns its stdout.
pub fn chorus_ok<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let output = chorus(&args);
    assert!(
        output.status.success(),
        "chorus {:?} failed with {}\nstdout:\n{}\nstderr:\n{}",
        args,
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

/// A temporary directory that is removed when dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// Writes `contents` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("the test file is written");
    path
}

/// A store in `dir` made from the export `csv` by `chorus ingest` with its defaults (not themed).
pub fn ingested_store(dir: &Path, csv: &str) -> PathBuf {
    let input = write_file(dir, "fft.csv", csv);
    let store = dir.join("store");
    chorus_ok([
        "ingest".as_ref(),
        input.as_os_str(),
        "--store".as_ref(),
        store.as_os_str(),
    ]);
    store
}

/// A store in `dir` made from the export `csv` by `chorus ingest` and `chorus themes` with their
/// defaults.
pub fn themed_store(dir: &Path, csv: &str) -> PathBuf {
    let store = ingested_store(dir, csv);
    chorus_ok(["themes".as_ref(), "--store".as_ref(), store.as_os_str()]);
    store
}
