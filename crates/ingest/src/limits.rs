//! Limits on what a workbook may unzip to, checked before it is opened.
//!
//! An `.xlsx` is a zip of XML. A 1.5 MB workbook can inflate to a 1 GiB string, and calamine keeps the
//! shared strings in memory and reads each cell and tag whole, so such a file took 12 GB of memory. Before
//! calamine sees a zipped workbook, its XML and binary parts are inflated once, as a stream, counting:
//! more than [`Limits::max_unzipped`] bytes in all, or more than [`Limits::max_cell`] bytes between two
//! `<` of the XML (one cell's text, or one tag), and the file is refused with an error that names it, the
//! limit and the flag that raises it. The sizes the zip declares are not trusted: the bytes are counted
//! as they come.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::Error;

/// How big a workbook may get when unzipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes all the XML and binary parts of a workbook may unzip to (`--max-unzipped-size`). The
    /// default, 1 GiB, is about twice a full million-row worksheet of comments.
    pub max_unzipped: u64,
    /// Bytes one cell's text (or one XML tag) may hold (`--max-cell-size`). The default, 1 MiB, is eight
    /// times the most Excel itself can put in a cell (32,767 characters).
    pub max_cell: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_unzipped: 1 << 30,
            max_cell: 1 << 20,
        }
    }
}

/// Reads a size as people write it: `1048576`, `64K`, `512M`, `2G`, `1GiB`, `10 MB` (K, M, G are powers of
/// 1,024).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let lower = text.trim().to_ascii_lowercase();
    let digits = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (number, unit) = lower.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size: write e.g. 1G, 512M or 64K"))?;
    let shift = match unit.trim() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => {
            return Err(format!(
                "`{text}` is not a size: write e.g. 1G, 512M or 64K"
            ));
        }
    };
    number
        .checked_mul(1 << shift)
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{text}` is not a size between 1 byte and 16 EiB"))
}

/// A size for messages: `1 GiB`, `512 KiB`, `900 bytes`.
pub(crate) fn human_size(bytes: u64) -> String {
    for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

/// Inflates the parts of the zipped workbook at `path` that a reader would, checking `limits`.
pub(crate) fn check_zipped_workbook(path: &Path, limits: Limits) -> Result<(), Error> {
    let too_big = |reason: String| Error::TooBig {
        path: path.to_owned(),
        reason,
    };
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| Error::Excel {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| Error::Excel {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let name = crate::printable::printable_owned(
            String::from_utf8_lossy(entry.name_raw()).into_owned(),
        );
        let lower = name.to_ascii_lowercase();
        let xml = lower.ends_with(".xml") || lower.ends_with(".rels") || lower.ends_with(".vml");
        if !xml && !lower.ends_with(".bin") {
            continue;
        }
        // Bytes since the last `<`: one text node or tag, which the XML reader holds whole.
        let mut run = 0u64;
        loop {
            let n = entry.read(&mut buf).map_err(|e| Error::Excel {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > limits.max_unzipped {
                return Err(too_big(format!(
                    "it unzips to more than {}; if the workbook is genuine, raise --max-unzipped-size or save it as CSV",
                    human_size(limits.max_unzipped)
                )));
            }
            if xml {
                let chunk = &buf[..n];
                run = match memchr::memrchr(b'<', chunk) {
                    Some(last) => {
                        let longest = longest_gap(chunk, run);
                        if longest > limits.max_cell {
                            return Err(cell_too_big(path, &name, limits));
                        }
                        (n - last - 1) as u64
                    }
                    None => run + n as u64,
                };
                if run > limits.max_cell {
                    return Err(cell_too_big(path, &name, limits));
                }
            }
        }
    }
    Ok(())
}

/// The longest stretch without `<` in `chunk`, counting `carried` bytes before it.
fn longest_gap(chunk: &[u8], carried: u64) -> u64 {
    let mut longest = 0;
    let mut start = 0usize;
    let mut before = carried;
    for i in memchr::memchr_iter(b'<', chunk) {
        longest = longest.max(before + (i - start) as u64);
        before = 0;
        start = i + 1;
    }
    longest
}

fn cell_too_big(path: &Path, part: &str, limits: Limits) -> Error {
    Error::TooBig {
        path: path.to_owned(),
        reason: format!(
            "`{part}` holds a cell or tag of more than {} (Excel itself keeps at most 32,767 characters in a cell); if the workbook is genuine, raise --max-cell-size or save it as CSV",
            human_size(limits.max_cell)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("512 MiB"), Ok(512 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("99999999999G").is_err());
        assert_eq!(human_size(1 << 30), "1 GiB");
        assert_eq!(human_size(1500), "1500 bytes");
    }

    #[test]
    fn the_longest_gap_between_tags_spans_reads() {
        assert_eq!(longest_gap(b"abc<de<f", 0), 3);
        assert_eq!(longest_gap(b"abc<de<f", 10), 13);
        assert_eq!(longest_gap(b"<", 4), 4);
    }
}
