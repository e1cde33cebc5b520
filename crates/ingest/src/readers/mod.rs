//! The format readers. Each turns one kind of file into a header and a stream of [`Row`]s pushed to a
//! [`RowConsumer`], so that parsing, processing and storing never hold more than a batch in memory.

pub(crate) mod delimited;
pub(crate) mod excel;
pub(crate) mod jsonl;
pub(crate) mod lines;
pub(crate) mod stories;

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use chorus_core::Date;

use crate::Error;

/// One cell as read.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// Blank.
    Empty,
    /// A key absent from a JSON object (only text columns care).
    Missing,
    /// Text.
    Text(String),
    /// A number from a workbook.
    Number(f64),
    /// A date from a workbook date cell.
    Date(Date),
}

/// The cells of one row.
#[derive(Debug)]
pub(crate) enum Cells {
    /// Undecoded fields of a delimited file, decoded in parallel later.
    Bytes(csv::ByteRecord),
    /// Fields of a delimited file, validated as UTF-8 in one pass.
    Strings(csv::StringRecord),
    /// Typed values (workbooks, JSON lines, stories).
    Values(Vec<Value>),
    /// A record that could not be read at all; quarantined whole.
    Broken {
        /// Why.
        reason: String,
        /// The record as well as it could be read.
        raw: String,
    },
}

/// One data row.
#[derive(Debug)]
pub(crate) struct Row {
    /// 1-based line (or worksheet row) where the row starts.
    pub line: u64,
    /// Its cells.
    pub cells: Cells,
    /// JSON keys that the header does not have, kept as attributes.
    pub extra: Vec<(String, String)>,
    /// For a story, its file name within the folder.
    pub file: Option<String>,
}

impl Row {
    pub(crate) fn new(line: u64, cells: Cells) -> Row {
        Row {
            line,
            cells,
            extra: Vec::new(),
            file: None,
        }
    }
}

/// Where readers push what they read.
pub(crate) trait RowConsumer {
    /// The column headers; called once, before any row.
    fn header(&mut self, columns: Vec<String>) -> Result<(), Error>;
    /// One data row.
    fn row(&mut self, row: Row) -> Result<(), Error>;
    /// Bytes of the input consumed so far.
    fn progress(&mut self, bytes: u64);
    /// The delimiter of a delimited file, told before the header.
    fn delimiter(&mut self, _delimiter: u8) {}
}

/// Makes headers usable as keys: blank ones become `Column N`, repeated ones get ` (2)`, ` (3)`, line
/// breaks and tabs become spaces and other control characters U+FFFD ([`crate::printable`]), since
/// headers are printed and stored as attribute names.
pub(crate) fn clean_headers(raw: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, header) in raw.into_iter().enumerate() {
        // A header wrapped over lines in the export reads as one line.
        let header: String = header
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        let header = crate::printable::printable(&header).into_owned();
        let header = header.trim();
        let base = if header.is_empty() {
            format!("Column {}", i + 1)
        } else {
            header.to_owned()
        };
        let mut name = base.clone();
        let mut n = 2;
        while out.contains(&name) {
            name = format!("{base} ({n})");
            n += 1;
        }
        out.push(name);
    }
    out
}

/// Counts the bytes read through it, for progress bars.
pub(crate) struct CountingReader<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R> CountingReader<R> {
    pub(crate) fn new(inner: R) -> (CountingReader<R>, Rc<Cell<u64>>) {
        let count = Rc::new(Cell::new(0));
        (
            CountingReader {
                inner,
                count: Rc::clone(&count),
            },
            count,
        )
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Formats a workbook number as people wrote it: `3` not `3.0`.
pub(crate) fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_made_unique_and_non_blank() {
        let raw = ["id", "", "Comments", "Comments", " x "]
            .map(String::from)
            .to_vec();
        assert_eq!(
            clean_headers(raw),
            ["id", "Column 2", "Comments", "Comments (2)", "x"]
        );
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(2.5), "2.5");
    }
}
