//! CSV: one file per table in an output directory, every text cell neutralised against formula
//! injection, numbers written as plain numbers.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::escape;
use crate::model::ReportData;
use crate::tables::{Table, Value, tables};

/// Writes every table as `<dir>/<table>.csv` (creating the directory) and returns the files in order.
pub fn write_dir(data: &ReportData, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
    let mut written = Vec::new();
    for table in tables(data) {
        let path = dir.join(format!("{}.csv", table.name));
        let bytes = to_bytes(&table).map_err(|source| Error::Csv {
            path: path.clone(),
            source,
        })?;
        std::fs::write(&path, bytes).map_err(Error::io(&path))?;
        written.push(path);
    }
    Ok(written)
}

/// One table as CSV bytes (UTF-8 with a byte-order mark, so Excel reads accents and dashes right).
pub fn to_bytes(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::from(&b"\xEF\xBB\xBF"[..]));
    writer.write_record(
        table
            .columns
            .iter()
            .map(|c| escape::spreadsheet(&c.header).into_owned()),
    )?;
    for row in &table.rows {
        writer.write_record(row.iter().map(cell))?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// A cell as written: text neutralised, numbers and suppression marks as they are.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Text(s) => escape::spreadsheet(s).into_owned(),
        other => other.display(),
    }
}
