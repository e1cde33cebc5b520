//! Folders of stories: every `.txt` file is one story, named by its file.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Cells, Row, RowConsumer, Value};
use crate::Error;
use crate::encoding;
use crate::printable::printable_owned;

/// The columns a story has: the file (its id) and the story (its text).
pub(crate) const COLUMNS: [&str; 2] = ["file", "story"];

/// What reading a folder found besides the stories.
#[derive(Debug, Default)]
pub(crate) struct FolderInfo {
    /// Stories per encoding label.
    pub encodings: BTreeMap<&'static str, u64>,
    /// Entries that are not `.txt` files.
    pub skipped: Vec<String>,
    /// Symbolic links not followed because they lead out of the folder (or nowhere).
    pub links_out: Vec<String>,
}

/// Reads every `.txt` file directly inside `folder`, in file-name order. A symbolic link is read only if it
/// leads to a file inside the folder: a story folder is what the user gave, and a link in it to
/// `/etc/passwd` or a colleague's home directory is not part of it.
pub(crate) fn read_folder(
    folder: &Path,
    consumer: &mut dyn RowConsumer,
) -> Result<FolderInfo, Error> {
    let io_error = |source| Error::Io {
        path: folder.to_owned(),
        source,
    };
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(folder)
        .map_err(io_error)?
        .collect::<Result<_, _>>()
        .map_err(io_error)?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    let inside = std::fs::canonicalize(folder).map_err(io_error)?;
    let mut info = FolderInfo::default();
    let mut stories = Vec::new();
    for entry in entries {
        let name = printable_owned(entry.file_name().to_string_lossy().into_owned());
        let path = entry.path();
        let is_txt = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("txt"));
        if name.starts_with('.') {
            continue;
        }
        // `file_type` does not follow links; `is_file` on the path would.
        let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
        if is_link && !leads_inside(&path, &inside) {
            if is_txt {
                info.links_out.push(name);
            } else {
                info.skipped.push(name);
            }
        } else if is_txt && path.is_file() {
            stories.push((name, path));
        } else {
            info.skipped.push(name);
        }
    }
    if stories.is_empty() {
        return Err(Error::UnsupportedFormat {
            path: folder.to_owned(),
            reason: "a folder with no .txt story files".to_owned(),
        });
    }
    consumer.header(COLUMNS.map(String::from).to_vec())?;
    let mut bytes_done = 0;
    for (name, path) in stories {
        let (row, len) = read_story(&path, &name, &mut info.encodings);
        bytes_done += len;
        consumer.row(row)?;
        consumer.progress(bytes_done);
    }
    Ok(info)
}

/// Whether the link at `path` resolves to somewhere inside the folder `inside` (canonical).
fn leads_inside(path: &Path, inside: &Path) -> bool {
    std::fs::canonicalize(path).is_ok_and(|target| target.starts_with(inside) && target != inside)
}

/// Reads one story file as a row; also used for a lone `.txt` file with no delimiter.
pub(crate) fn read_story(
    path: &Path,
    name: &str,
    encodings: &mut BTreeMap<&'static str, u64>,
) -> (Row, u64) {
    let id = Path::new(name).file_stem().map_or_else(
        || name.to_owned(),
        |s| printable_owned(s.to_string_lossy().into_owned()),
    );
    let broken = |reason: String, raw: String| {
        let mut row = Row::new(1, Cells::Broken { reason, raw });
        row.file = Some(name.to_owned());
        row
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            return (
                broken(
                    format!("cannot read the story file: {error}"),
                    String::new(),
                ),
                0,
            );
        }
    };
    let len = bytes.len() as u64;
    let Some((encoding, text)) = encoding::decode_whole(&bytes) else {
        return (
            broken(
                "undecodable bytes: not UTF-8, UTF-16 or Windows-1252 text".to_owned(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ),
            len,
        );
    };
    *encodings.entry(encoding.label()).or_default() += 1;
    if text.trim().is_empty() {
        return (broken("empty story file".to_owned(), String::new()), len);
    }
    let mut row = Row::new(1, Cells::Values(vec![Value::Text(id), Value::Text(text)]));
    row.file = Some(name.to_owned());
    (row, len)
}
