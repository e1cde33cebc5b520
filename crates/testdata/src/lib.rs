//! Where the real corpora are: `$CHORUS_SHARED_CORPORA`, or `../shared/corpora` beside the checkout.
//!
//! Tests of quality and benchmarks read the public, labelled NHS feedback at run time and never copy it
//! into the repository. A fresh clone without it still passes: each test asks here for what it needs
//! and skips, with a `skipping:` message naming the file, when it is absent.
//!
//! ```
//! if let Some(path) = chorus_testdata::file("fft-v6-dev.csv") {
//!     assert!(path.is_file());
//! }
//! ```
#![deny(missing_docs)]

use std::path::PathBuf;

/// The environment variable that names the corpora's folder.
pub const ENV: &str = "CHORUS_SHARED_CORPORA";

/// The corpora's folder, whether or not it exists: `$CHORUS_SHARED_CORPORA`, or `shared/corpora`
/// beside the checkout.
pub fn dir() -> PathBuf {
    std::env::var_os(ENV).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
    })
}

/// A file of the corpora, or `None` with a `skipping:` message on stderr when it is absent.
pub fn file(name: &str) -> Option<PathBuf> {
    let path = dir().join(name);
    if path.is_file() {
        Some(path)
    } else {
        skipping(&path);
        None
    }
}

/// The corpora's folder if it exists, or `None` with a `skipping:` message on stderr.
pub fn existing_dir() -> Option<PathBuf> {
    let dir = dir();
    if dir.is_dir() {
        Some(dir)
    } else {
        skipping(&dir);
        None
    }
}

/// The corpora's folder if it holds `name`, or `None` with a `skipping:` message on stderr.
pub fn dir_with(name: &str) -> Option<PathBuf> {
    let dir = dir();
    if dir.join(name).exists() {
        Some(dir)
    } else {
        skipping(&dir.join(name));
        None
    }
}

fn skipping(path: &std::path::Path) {
    eprintln!(
        "skipping: {} is absent (set {ENV} to the folder of the real corpora)",
        path.display()
    );
}
