//! Which kind of file an input is, and which delimiter a delimited file uses.

use std::path::Path;

use serde::Serialize;

/// The kinds of input Chorus reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    /// Comma-, tab-, semicolon- or pipe-separated text (`.csv`, `.tsv`, `.txt`); the delimiter is sniffed.
    Delimited,
    /// An Excel or OpenDocument workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`); the first sheet is read.
    Excel,
    /// One JSON object per line (`.jsonl`, `.ndjson`, `.json`).
    JsonLines,
    /// A folder of `.txt` files, one story per file.
    StoryFolder,
    /// A single `.txt` file with no delimiter on its first line: one story.
    Story,
}

impl InputFormat {
    /// A short human name.
    pub fn label(self) -> &'static str {
        match self {
            InputFormat::Delimited => "delimited text",
            InputFormat::Excel => "Excel workbook",
            InputFormat::JsonLines => "JSON lines",
            InputFormat::StoryFolder => "folder of stories",
            InputFormat::Story => "story",
        }
    }
}

/// What the file name and first bytes say; `Err` with a reason when it is nothing Chorus reads.
pub(crate) fn detect(path: &Path, is_dir: bool, prefix: &[u8]) -> Result<InputFormat, String> {
    if is_dir {
        return Ok(InputFormat::StoryFolder);
    }
    // A workbook saved with the wrong extension is still a workbook: trust the zip or OLE signature.
    if prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(InputFormat::Excel);
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "csv" | "tsv" | "tab" | "psv" => Ok(InputFormat::Delimited),
        "txt" | "text" => Ok(InputFormat::Delimited),
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Ok(InputFormat::Excel),
        "jsonl" | "ndjson" | "json" => Ok(InputFormat::JsonLines),
        "" => Err("the file name has no extension".to_owned()),
        other => Err(format!("`.{other}` files are not read")),
    }
}

/// Candidate delimiters, in order of preference when the evidence ties.
const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// Picks the delimiter of a delimited sample: the candidate that splits the header into the most fields
/// and splits the following lines into the same number most consistently. `None` when no candidate
/// occurs on the first line (a one-column file).
pub(crate) fn sniff_delimiter(sample: &[u8], complete: bool) -> Option<u8> {
    let lines = logical_lines(sample, complete, 30);
    let header = lines.first()?;
    let mut best: Option<(usize, usize, u8)> = None;
    for &delimiter in &DELIMITERS {
        let header_count = count_outside_quotes(header, delimiter);
        if header_count == 0 {
            continue;
        }
        let consistent = lines[1..]
            .iter()
            .filter(|line| count_outside_quotes(line, delimiter) == header_count)
            .count();
        let candidate = (consistent, header_count, delimiter);
        let better = match best {
            None => true,
            Some((c, h, _)) => consistent > c || (consistent == c && header_count > h),
        };
        if better {
            best = Some(candidate);
        }
    }
    best.map(|(_, _, delimiter)| delimiter)
}

/// Splits a sample into non-empty records at CR, LF or CRLF, keeping quoted line breaks inside their
/// record. The last line is dropped when the sample was cut short, since it may be incomplete.
fn logical_lines(sample: &[u8], complete: bool, max: usize) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, &byte) in sample.iter().enumerate() {
        match byte {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => {
                // The empty "line" between CR and LF is skipped like any blank line.
                let line = &sample[start..i];
                if !line.is_empty() {
                    lines.push(line);
                }
                start = i + 1;
                if lines.len() == max {
                    return lines;
                }
            }
            _ => {}
        }
    }
    if complete && start < sample.len() {
        lines.push(&sample[start..]);
    }
    lines
}

fn count_outside_quotes(line: &[u8], delimiter: u8) -> usize {
    let mut in_quotes = false;
    let mut count = 0;
    for &byte in line {
        if byte == b'"' {
            in_quotes = !in_quotes;
        } else if byte == delimiter && !in_quotes {
            count += 1;
        }
    }
    count
}

/// `,` → `comma` and so on, for summaries.
pub fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b',' => "comma".to_owned(),
        b'\t' => "tab".to_owned(),
        b';' => "semicolon".to_owned(),
        b'|' => "pipe".to_owned(),
        other => format!("`{}`", char::from(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sample: &str, expected: Option<u8>) {
        assert_eq!(
            sniff_delimiter(sample.as_bytes(), true),
            expected,
            "{sample:?}"
        );
    }

    #[test]
    fn delimiters_are_sniffed_from_consistent_counts() {
        check("id,comment\n1,good\n2,bad\n", Some(b','));
        check("id\tcomment\n1\tgood, really\n2\tbad; sadly\n", Some(b'\t'));
        check("id;comment;score\n1;good, kind;1\n2;bad;5\n", Some(b';'));
        check("id|comment\n1|good\n", Some(b'|'));
        // Commas inside quotes do not count.
        check("id;text\n1;\"a, b, c, d\"\n2;\"e, f\"\n", Some(b';'));
        // A quoted line break stays inside its record.
        check("id,text\n1,\"line one\nline; two\"\n2,x\n", Some(b','));
        check("Comments\nGood\nBad\n", None);
        // Old Mac Excel ends lines with CR alone: the header is the first line, not the whole file.
        check("id;text\r1;a, b, c\r2;d, e\r", Some(b';'));
        check("id;text\r\n1;a, b, c\r\n2;d, e\r\n", Some(b';'));
    }

    #[test]
    fn formats_follow_extension_and_signature() {
        let f = |name: &str, prefix: &[u8]| detect(Path::new(name), false, prefix);
        assert_eq!(f("a.csv", b"id,x"), Ok(InputFormat::Delimited));
        assert_eq!(f("a.TSV", b""), Ok(InputFormat::Delimited));
        assert_eq!(f("a.xlsx", b"PK\x03\x04"), Ok(InputFormat::Excel));
        assert_eq!(f("a.csv", b"PK\x03\x04"), Ok(InputFormat::Excel));
        assert_eq!(f("a.jsonl", b"{}"), Ok(InputFormat::JsonLines));
        assert!(f("a.pdf", b"%PDF").is_err());
        assert!(f("export", b"id,x").is_err());
    }
}
