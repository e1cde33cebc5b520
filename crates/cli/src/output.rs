//! The one owner of "may Chorus write this file?": never over an input of the same command (not even
//! with `--force`), and never over a file Chorus did not write unless `--force` is given.
//!
//! How Chorus knows a file is its own: each file it writes is recorded, with its size and modification
//! time, in a small ledger beside it, [`LEDGER`] in the same folder. A file listed there and unchanged
//! since is Chorus's and may be written again (so `chorus analyse -o out` can be re-run); a file not
//! listed, or changed since (a person edited the report), is the user's. A ledger cannot vouch for a
//! file it does not list, so the safe mistake is the only one possible: refusing a file of Chorus's
//! (after a copy that changed its time, say), which `--force` overrides.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::bail;
use serde::{Deserialize, Serialize};

/// The ledger's file name, in each folder Chorus writes outputs to.
pub const LEDGER: &str = ".chorus-outputs.json";

/// What the ledger knows of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    bytes: u64,
    /// Modification time, nanoseconds since 1970.
    modified_ns: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Ledger {
    /// File name → its stamp when Chorus wrote it.
    files: BTreeMap<String, Stamp>,
}

/// The outputs of one command: its inputs (never written over) and whether `--force` was given.
#[derive(Debug, Default)]
pub struct Outputs {
    force: bool,
    /// Canonical paths of input files and folders (a store).
    inputs: Vec<PathBuf>,
}

impl Outputs {
    /// Outputs of a command, overwriting files that are not Chorus's only if `force`.
    pub fn new(force: bool) -> Outputs {
        Outputs {
            force,
            inputs: Vec::new(),
        }
    }

    /// An input file, or a folder (a store) nothing may be written inside.
    pub fn input(mut self, path: &Path) -> Outputs {
        if let Ok(canonical) = fs::canonicalize(path) {
            self.inputs.push(canonical);
        }
        self
    }

    /// Refuses `path` if it is (or is inside) an input, or an existing file Chorus did not write and
    /// `--force` was not given.
    pub fn check(&self, path: &Path) -> anyhow::Result<()> {
        let target = canonical_target(path);
        if let Some(input) = self.inputs.iter().find(|i| target.starts_with(i)) {
            bail!(
                "will not write {}: it is {} this command reads; choose another output",
                path.display(),
                if &target == input {
                    "a file".to_owned()
                } else {
                    format!("inside {}, which", input.display())
                }
            );
        }
        if self.force || !path.exists() || path.is_dir() {
            return Ok(());
        }
        if is_ours(path) {
            return Ok(());
        }
        bail!(
            "will not overwrite {}: chorus did not write it (or it was changed since); choose another output, move the file away, or add --force to replace it",
            path.display()
        )
    }

    /// [`Outputs::check`] for every `.csv` file already in a folder that a CSV report will fill.
    pub fn check_folder(&self, dir: &Path) -> anyhow::Result<()> {
        self.check(dir)?;
        let Ok(entries) = fs::read_dir(dir) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
            {
                self.check(&path)?;
            }
        }
        Ok(())
    }

    /// Records files just written as Chorus's, in the ledger of their folders. A ledger that cannot
    /// be written is only a warning: the files are written; the next run asks for --force.
    pub fn record(&self, written: &[PathBuf]) {
        let mut by_folder: BTreeMap<PathBuf, Vec<&PathBuf>> = BTreeMap::new();
        for path in written {
            let folder = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
            by_folder.entry(folder).or_default().push(path);
        }
        for (folder, paths) in by_folder {
            if let Err(e) = update_ledger(&folder, &paths) {
                eprintln!(
                    "chorus: warning: could not note in {} that chorus wrote its reports ({e}): the next run will ask for --force to replace them",
                    folder.join(LEDGER).display()
                );
            }
        }
    }
}

/// The canonical form of a path that may not exist yet: its folder's canonical path and its name.
fn canonical_target(path: &Path) -> PathBuf {
    if let Ok(canonical) = fs::canonicalize(path) {
        return canonical;
    }
    let name = path.file_name().map(Path::new).unwrap_or(path);
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            fs::canonicalize(parent).map_or_else(|_| path.to_path_buf(), |p| p.join(name))
        }
        _ => std::env::current_dir().map_or_else(|_| path.to_path_buf(), |d| d.join(name)),
    }
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = fs::metadata(path).ok()?;
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(Stamp {
        bytes: meta.len(),
        modified_ns: u64::try_from(modified.as_nanos()).ok()?,
    })
}

fn read_ledger(folder: &Path) -> Ledger {
    fs::read(folder.join(LEDGER))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Whether the ledger beside `path` lists it, unchanged since Chorus wrote it.
fn is_ours(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let ledger = read_ledger(&folder_of(path));
    ledger
        .files
        .get(name)
        .is_some_and(|s| Some(*s) == stamp(path))
}

fn update_ledger(folder: &Path, paths: &[&PathBuf]) -> std::io::Result<()> {
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let mut ledger = read_ledger(folder);
    for path in paths {
        if let (Some(name), Some(stamp)) = (path.file_name().and_then(|n| n.to_str()), stamp(path))
        {
            ledger.files.insert(name.to_owned(), stamp);
        }
    }
    let json = serde_json::to_vec_pretty(&ledger).map_err(std::io::Error::other)?;
    let tmp = folder.join(format!("{LEDGER}.tmp"));
    fs::write(&tmp, json)?;
    fs::rename(&tmp, folder.join(LEDGER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_ours_only_while_unchanged() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("report.md");
        let outputs = Outputs::new(false);
        outputs.check(&path).expect("a new file may be written");
        fs::write(&path, "# report").expect("written");
        outputs.record(std::slice::from_ref(&path));
        outputs
            .check(&path)
            .expect("chorus's own file may be written again");
        fs::write(&path, "# my notes, much longer").expect("edited");
        let err = outputs
            .check(&path)
            .expect_err("an edited file is the user's");
        assert!(err.to_string().contains("--force"), "{err}");
        Outputs::new(true)
            .check(&path)
            .expect("--force replaces it");
    }

    #[test]
    fn inputs_are_never_written_over_even_with_force() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let input = dir.path().join("export.csv");
        fs::write(&input, "a,b\n").expect("written");
        let store = dir.path().join("store");
        fs::create_dir(&store).expect("created");
        let outputs = Outputs::new(true).input(&input).input(&store);
        assert!(outputs.check(&input).is_err());
        assert!(
            outputs
                .check(&dir.path().join(".").join("export.csv"))
                .is_err()
        );
        assert!(outputs.check(&store.join("pack.html")).is_err());
        outputs
            .check(&dir.path().join("pack.html"))
            .expect("elsewhere is fine");
    }
}
