//! JSON lines: one object per line; its keys are the columns.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::Value as Json;

use super::{Cells, Row, RowConsumer, Value};
use crate::Error;
use crate::encoding::{self, Decoded, TextEncoding};

/// Lines read before the columns are fixed: keys first seen later are kept as extra attributes.
const HEADER_SAMPLE: usize = 1000;
/// Rows between progress reports.
const PROGRESS_EVERY: u64 = 4096;

/// One line, parsed as far as it goes.
enum Parsed {
    Object(serde_json::Map<String, Json>),
    Broken { reason: String, raw: String },
}

/// Reads a JSON-lines stream (already transcoded to UTF-8 if it was UTF-16).
pub(crate) fn read(
    path: &Path,
    stream: Box<dyn Read + '_>,
    encoding: TextEncoding,
    bytes_read: &dyn Fn() -> u64,
    consumer: &mut dyn RowConsumer,
) -> Result<(), Error> {
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    let mut buf = Vec::new();
    let mut line_number = 0u64;
    let mut pending: Vec<(u64, Parsed)> = Vec::new();
    let mut columns: Option<Vec<String>> = None;
    let mut rows = 0u64;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|source| Error::Io {
                path: path.to_owned(),
                source,
            })?;
        if n == 0 {
            break;
        }
        line_number += 1;
        let trimmed = buf.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        if columns.is_none() && pending.is_empty() && trimmed.starts_with(b"[") {
            return Err(Error::UnsupportedFormat {
                path: path.to_owned(),
                reason: "a JSON array, not JSON lines: write one object per line".to_owned(),
            });
        }
        let parsed = parse_line(trimmed, encoding);
        match &columns {
            Some(columns) => {
                consumer.row(to_row(line_number, parsed, columns))?;
                rows += 1;
                if rows.is_multiple_of(PROGRESS_EVERY) {
                    consumer.progress(bytes_read());
                }
            }
            None => {
                pending.push((line_number, parsed));
                if pending.len() == HEADER_SAMPLE {
                    columns = Some(emit_header(&pending, consumer)?);
                    flush(
                        &mut pending,
                        columns.as_deref().unwrap_or_default(),
                        consumer,
                    )?;
                }
            }
        }
    }
    if columns.is_none() {
        let found = emit_header(&pending, consumer)?;
        flush(&mut pending, &found, consumer)?;
    }
    consumer.progress(bytes_read());
    Ok(())
}

fn emit_header(
    pending: &[(u64, Parsed)],
    consumer: &mut dyn RowConsumer,
) -> Result<Vec<String>, Error> {
    let mut columns: Vec<String> = Vec::new();
    for (_, parsed) in pending {
        if let Parsed::Object(map) = parsed {
            for key in map.keys() {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
        }
    }
    consumer.header(columns.clone())?;
    Ok(columns)
}

fn flush(
    pending: &mut Vec<(u64, Parsed)>,
    columns: &[String],
    consumer: &mut dyn RowConsumer,
) -> Result<(), Error> {
    for (line, parsed) in pending.drain(..) {
        consumer.row(to_row(line, parsed, columns))?;
    }
    Ok(())
}

fn parse_line(bytes: &[u8], encoding: TextEncoding) -> Parsed {
    let text = match encoding::decode_field(bytes, encoding) {
        Decoded::Text(text) => text.into_owned(),
        Decoded::Fallback(text) => text,
        Decoded::Undecodable => {
            return Parsed::Broken {
                reason: "undecodable bytes: not UTF-8, UTF-16 or Windows-1252 text".to_owned(),
                raw: String::from_utf8_lossy(bytes).into_owned(),
            };
        }
    };
    match serde_json::from_str::<Json>(&text) {
        Ok(Json::Object(map)) => Parsed::Object(map),
        Ok(_) => Parsed::Broken {
            reason: "not a JSON object: each line must be {\"column\": value, ...}".to_owned(),
            raw: text,
        },
        Err(error) => Parsed::Broken {
            reason: format!("not valid JSON: {error}"),
            raw: text,
        },
    }
}

fn to_row(line: u64, parsed: Parsed, columns: &[String]) -> Row {
    let mut map = match parsed {
        Parsed::Object(map) => map,
        Parsed::Broken { reason, raw } => return Row::new(line, Cells::Broken { reason, raw }),
    };
    let values = columns
        .iter()
        .map(|key| match map.remove(key) {
            None => Value::Missing,
            Some(json) => json_value(json),
        })
        .collect();
    let mut row = Row::new(line, Cells::Values(values));
    // Keys first seen after the header sample: kept, as attributes.
    row.extra = map
        .into_iter()
        .filter_map(|(key, json)| match json_value(json) {
            Value::Text(text) => Some((key, text)),
            _ => None,
        })
        .collect();
    row
}

fn json_value(json: Json) -> Value {
    match json {
        Json::Null => Value::Empty,
        Json::String(s) if s.trim().is_empty() => Value::Empty,
        Json::String(s) => Value::Text(s),
        Json::Bool(b) => Value::Text(b.to_string()),
        Json::Number(n) => Value::Text(n.to_string()),
        other => Value::Text(other.to_string()),
    }
}
