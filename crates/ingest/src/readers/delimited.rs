//! CSV, TSV and other delimited text: streamed with the `csv` crate, fields left undecoded until the
//! parallel stage.

use std::io::Read;
use std::path::Path;

use super::lines::LineCounter;
use super::{Cells, Row, RowConsumer, clean_headers};
use crate::Error;
use crate::encoding::{self, Decoded, TextEncoding};
use crate::format::sniff_delimiter;

/// What the delimited reader found.
pub(crate) enum Outcome {
    /// Read, with this delimiter.
    Read { delimiter: u8 },
    /// A `.txt` with no delimiter on its first line: a story, not a table.
    NotDelimited,
}

/// Rows between progress reports.
const PROGRESS_EVERY: u64 = 4096;

/// Reads a delimited stream (already transcoded to UTF-8 if it was UTF-16).
pub(crate) fn read(
    path: &Path,
    stream: Box<dyn Read + '_>,
    encoding: TextEncoding,
    story_if_undelimited: bool,
    bytes_read: &dyn Fn() -> u64,
    consumer: &mut dyn RowConsumer,
) -> Result<Outcome, Error> {
    // Counted below the sniffing, so that offsets are those of the parser.
    let (mut stream, lines) = LineCounter::new(stream);
    let io_error = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let sample = encoding::read_prefix(&mut stream, encoding::SNIFF_LEN).map_err(io_error)?;
    let complete = sample.len() < encoding::SNIFF_LEN;
    let delimiter = match sniff_delimiter(&sample, complete) {
        Some(d) => d,
        None if story_if_undelimited => return Ok(Outcome::NotDelimited),
        // One column: any delimiter that does not occur will do.
        None => b',',
    };
    consumer.delimiter(delimiter);
    let stream = std::io::Cursor::new(sample).chain(stream);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(stream);
    let mut record = csv::ByteRecord::new();
    let mut header_seen = false;
    let mut rows = 0u64;
    loop {
        let more = reader
            .read_byte_record(&mut record)
            .map_err(|source| Error::Csv {
                path: path.to_owned(),
                line: lines.borrow().current_line(),
                source,
            })?;
        if !more {
            break;
        }
        let offset = record.position().map_or(0, csv::Position::byte);
        let line = {
            let mut lines = lines.borrow_mut();
            lines.line_at(offset).unwrap_or(lines.current_line())
        };
        if !header_seen {
            let headers = record
                .iter()
                .map(|field| match encoding::decode_field(field, encoding) {
                    Decoded::Text(text) => text.into_owned(),
                    Decoded::Fallback(text) => text,
                    Decoded::Undecodable => String::from_utf8_lossy(field).into_owned(),
                })
                .collect();
            consumer.header(clean_headers(headers))?;
            header_seen = true;
            continue;
        }
        // The next record will be about as big: allocate once, not by doubling.
        let next = csv::ByteRecord::with_capacity(record.as_slice().len(), record.len());
        consumer.row(Row::new(
            line,
            Cells::Bytes(std::mem::replace(&mut record, next)),
        ))?;
        rows += 1;
        if rows.is_multiple_of(PROGRESS_EVERY) {
            consumer.progress(bytes_read());
        }
    }
    if !header_seen {
        // Only blank lines: no header, nothing to map.
        consumer.header(Vec::new())?;
    }
    consumer.progress(bytes_read());
    Ok(Outcome::Read { delimiter })
}
