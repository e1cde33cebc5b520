//! Excel and OpenDocument workbooks via calamine. `.xlsx`/`.xlsm` are streamed cell by cell; `.xls`,
//! `.xlsb` and `.ods` are read a sheet at a time (calamine has no streaming reader for them).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{Data, DataRef, Reader, Xlsx};
use chorus_core::Date;

use super::{Cells, Row, RowConsumer, Value, clean_headers, format_number};
use crate::Error;
use crate::limits::{Limits, check_zipped_workbook};

/// Reads the first worksheet. Returns the sheet's name. A zipped workbook (`.xlsx`, `.xlsm`, `.xlsb`,
/// `.ods`, whatever its extension) is first checked against `limits` ([`crate::limits`]).
pub(crate) fn read(
    path: &Path,
    file_len: u64,
    zipped: bool,
    limits: Limits,
    consumer: &mut dyn RowConsumer,
) -> Result<String, Error> {
    if zipped {
        check_zipped_workbook(path, limits)?;
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let sheet = if matches!(extension.as_str(), "xls" | "xlsb" | "ods") {
        read_range(path, consumer)?
    } else {
        read_streaming(path, consumer)?
    };
    // The position inside the zip is not known while streaming, so progress jumps at the end.
    consumer.progress(file_len);
    Ok(sheet)
}

fn excel_error(path: &Path, error: impl std::fmt::Display) -> Error {
    Error::Excel {
        path: path.to_owned(),
        message: error.to_string(),
    }
}

/// Collects cells into rows and hands them on: the first non-empty row is the header.
struct RowBuilder<'c> {
    consumer: &'c mut dyn RowConsumer,
    width: Option<usize>,
}

impl RowBuilder<'_> {
    fn finish_row(&mut self, index: u32, mut values: Vec<Value>) -> Result<(), Error> {
        while values.last() == Some(&Value::Empty) {
            values.pop();
        }
        match self.width {
            None => {
                if values.is_empty() {
                    return Ok(());
                }
                let headers: Vec<String> = values.iter().map(value_text).collect();
                self.width = Some(headers.len());
                self.consumer.header(clean_headers(headers))
            }
            Some(width) => {
                if values.is_empty() {
                    return Ok(());
                }
                // Short rows are padded (Excel does not store trailing blanks); long ones stay long
                // and are quarantined as ragged.
                if values.len() < width {
                    values.resize(width, Value::Empty);
                }
                self.consumer
                    .row(Row::new(u64::from(index) + 1, Cells::Values(values)))
            }
        }
    }

    fn finish(self) -> Result<(), Error> {
        if self.width.is_none() {
            self.consumer.header(Vec::new())?;
        }
        Ok(())
    }
}

fn read_streaming(path: &Path, consumer: &mut dyn RowConsumer) -> Result<String, Error> {
    let mut workbook: Xlsx<BufReader<File>> =
        calamine::open_workbook(path).map_err(|e| excel_error(path, e))?;
    let sheet = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| excel_error(path, "the workbook has no worksheet"))?;
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| excel_error(path, e))?;
    let mut builder = RowBuilder {
        consumer,
        width: None,
    };
    let mut current: Option<u32> = None;
    let mut values: Vec<Value> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|e| excel_error(path, e))? {
        let (row, column) = cell.get_position();
        if current != Some(row) {
            if let Some(previous) = current {
                builder.finish_row(previous, std::mem::take(&mut values))?;
            }
            current = Some(row);
        }
        let value = from_data_ref(cell.get_value());
        let column = column as usize;
        if values.len() <= column {
            values.resize(column + 1, Value::Empty);
        }
        values[column] = value;
    }
    if let Some(previous) = current {
        builder.finish_row(previous, values)?;
    }
    builder.finish()?;
    Ok(sheet)
}

fn read_range(path: &Path, consumer: &mut dyn RowConsumer) -> Result<String, Error> {
    let mut workbook = calamine::open_workbook_auto(path).map_err(|e| excel_error(path, e))?;
    let sheet = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| excel_error(path, "the workbook has no worksheet"))?;
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| excel_error(path, e))?;
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let mut builder = RowBuilder {
        consumer,
        width: None,
    };
    for (offset, cells) in range.rows().enumerate() {
        let mut values: Vec<Value> = vec![Value::Empty; first_column as usize];
        values.extend(cells.iter().map(from_data));
        builder.finish_row(first_row + offset as u32, values)?;
    }
    builder.finish()?;
    Ok(sheet)
}

fn from_data_ref(data: &DataRef<'_>) -> Value {
    match data {
        DataRef::Int(i) => Value::Number(*i as f64),
        DataRef::Float(f) => Value::Number(*f),
        DataRef::String(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Bool(b) => Value::Text(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        DataRef::DateTime(dt) => date_time(dt),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(s),
        DataRef::Error(e) => Value::Text(e.to_string()),
        DataRef::Empty => Value::Empty,
    }
}

fn from_data(data: &Data) -> Value {
    match data {
        Data::Int(i) => Value::Number(*i as f64),
        Data::Float(f) => Value::Number(*f),
        Data::String(s) => text(s),
        Data::Bool(b) => Value::Text(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        Data::DateTime(dt) => date_time(dt),
        Data::DateTimeIso(s) | Data::DurationIso(s) => text(s),
        Data::Error(e) => Value::Text(e.to_string()),
        Data::Empty => Value::Empty,
    }
}

fn text(s: &str) -> Value {
    if s.trim().is_empty() {
        Value::Empty
    } else {
        Value::Text(s.to_owned())
    }
}

fn date_time(dt: &calamine::ExcelDateTime) -> Value {
    if !dt.is_datetime() {
        // A duration ("[h]:mm"): keep the number of days as written.
        return Value::Number(dt.as_f64());
    }
    let (year, month, day, ..) = dt.to_ymd_hms_milli();
    match Date::from_ymd(i32::from(year), u32::from(month), u32::from(day)) {
        Some(date) => Value::Date(date),
        None => Value::Number(dt.as_f64()),
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::Empty | Value::Missing => String::new(),
        Value::Text(s) => s.clone(),
        Value::Number(n) => format_number(*n),
        Value::Date(d) => d.to_string(),
    }
}
