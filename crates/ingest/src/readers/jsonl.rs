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

/// Reads a JSON-lines stream (already transcoded to UTF-8 if it was UTF-16). Lines end at LF, CRLF or a
/// lone CR (JSON text never holds a raw CR, so splitting there cannot cut an object in two).
pub(crate) fn read(
    path: &Path,
    stream: Box<dyn Read + '_>,
    encoding: TextEncoding,
    bytes_read: &dyn Fn() -> u64,
    consumer: &mut dyn RowConsumer,
) -> Result<(), Error> {
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    let mut buf = Vec::new();
    let mut state = State {
        path,
        encoding,
        line_number: 0,
        pending: Vec::new(),
        columns: None,
        rows: 0,
    };
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
        let content = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        for line in content.split(|&b| b == b'\r') {
            state.line(line, consumer)?;
            if state.rows > 0 && state.rows.is_multiple_of(PROGRESS_EVERY) {
                consumer.progress(bytes_read());
            }
        }
    }
    if state.columns.is_none() {
        let found = emit_header(&state.pending, consumer)?;
        flush(&mut state.pending, &found, consumer)?;
    }
    consumer.progress(bytes_read());
    Ok(())
}

/// Where the reader is.
struct State<'p> {
    path: &'p Path,
    encoding: TextEncoding,
    line_number: u64,
    /// Lines read before the columns are fixed.
    pending: Vec<(u64, Parsed)>,
    columns: Option<Vec<String>>,
    rows: u64,
}

impl State<'_> {
    /// One physical line.
    fn line(&mut self, bytes: &[u8], consumer: &mut dyn RowConsumer) -> Result<(), Error> {
        self.line_number += 1;
        let trimmed = bytes.trim_ascii();
        if trimmed.is_empty() {
            return Ok(());
        }
        if self.columns.is_none() && self.pending.is_empty() && trimmed.starts_with(b"[") {
            return Err(Error::UnsupportedFormat {
                path: self.path.to_owned(),
                reason: "a JSON array, not JSON lines: write one object per line".to_owned(),
            });
        }
        let parsed = parse_line(trimmed, self.encoding);
        match &self.columns {
            Some(columns) => {
                consumer.row(to_row(self.line_number, parsed, columns))?;
                self.rows += 1;
            }
            None => {
                self.pending.push((self.line_number, parsed));
                if self.pending.len() == HEADER_SAMPLE {
                    let columns = emit_header(&self.pending, consumer)?;
                    flush(&mut self.pending, &columns, consumer)?;
                    self.columns = Some(columns);
                }
            }
        }
        Ok(())
    }
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
    match serde_json::from_str::<Line>(&text) {
        Ok(Line::Object {
            map,
            duplicate: None,
        }) => Parsed::Object(map),
        Ok(Line::Object {
            duplicate: Some(key),
            ..
        }) => Parsed::Broken {
            reason: format!(
                "duplicate JSON key: `{key}` appears more than once in this object, so which value is meant is unclear"
            ),
            raw: text,
        },
        Ok(Line::Other) => Parsed::Broken {
            reason: "not a JSON object: each line must be {\"column\": value, ...}".to_owned(),
            raw: text,
        },
        Err(error) => Parsed::Broken {
            reason: format!("not valid JSON: {error}"),
            raw: text,
        },
    }
}

/// One line's JSON value, read so that a repeated key is noticed: `serde_json::Value` keeps the last value
/// of a repeated key without a word, which would silently drop the first.
enum Line {
    Object {
        map: serde_json::Map<String, Json>,
        /// The first key that appeared twice.
        duplicate: Option<String>,
    },
    /// Any other JSON value.
    Other,
}

impl<'de> serde::Deserialize<'de> for Line {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LineVisitor)
    }
}

struct LineVisitor;

impl<'de> serde::de::Visitor<'de> for LineVisitor {
    type Value = Line;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Line, A::Error> {
        let mut map = serde_json::Map::new();
        let mut duplicate = None;
        while let Some(key) = access.next_key::<String>()? {
            let value: Json = access.next_value()?;
            if map.contains_key(&key) {
                duplicate.get_or_insert_with(|| key.clone());
            }
            map.insert(key, value);
        }
        Ok(Line::Object { map, duplicate })
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut access: A) -> Result<Line, A::Error> {
        while access.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Line::Other)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Line, E> {
        Ok(Line::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Line, E> {
        Ok(Line::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Line, E> {
        Ok(Line::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Line, E> {
        Ok(Line::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<Line, E> {
        Ok(Line::Other)
    }

    fn visit_unit<E>(self) -> Result<Line, E> {
        Ok(Line::Other)
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
