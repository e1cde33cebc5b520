//! Excel: one sheet per table, bold frozen header row, set column widths, numbers stored as numbers and
//! comment text wrapped. Text is always written as a string cell, never as a formula, however it starts.

use std::path::Path;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use crate::Error;
use crate::model::ReportData;
use crate::tables::{Kind, Table, Value, tables};

/// Excel's limit on the characters of one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// Writes the workbook to `path`.
pub fn write(data: &ReportData, path: &Path) -> Result<(), Error> {
    let bytes = to_bytes(data).map_err(|source| Error::Xlsx {
        path: path.to_path_buf(),
        source,
    })?;
    std::fs::write(path, bytes).map_err(Error::io(path))
}

/// The workbook as bytes. Deterministic: the document's creation time is fixed, not the clock's.
pub fn to_bytes(data: &ReportData) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let properties = DocProperties::new()
        .set_title("Patient experience report")
        .set_comment(data.source.as_str())
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    workbook.set_properties(&properties);
    let mut used = Vec::new();
    for table in tables(data) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(&table.name, &mut used))?;
        fill(sheet, &table)?;
    }
    workbook.save_to_buffer()
}

/// A sheet name Excel accepts (at most 31 characters, none of `[]:*?/\`), unique in the workbook.
fn sheet_name(name: &str, used: &mut Vec<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\'".contains(c) { '-' } else { c })
        .take(31)
        .collect();
    let mut candidate = clean.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&candidate)) {
        let suffix = format!("~{n}");
        candidate = format!(
            "{}{suffix}",
            clean.chars().take(31 - suffix.len()).collect::<String>()
        );
        n += 1;
    }
    used.push(candidate.clone());
    candidate
}

fn fill(sheet: &mut Worksheet, table: &Table) -> Result<(), XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0xDCE6F2))
        .set_border_bottom(FormatBorder::Thin);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let top = Format::new().set_align(FormatAlign::Top);
    let whole = Format::new()
        .set_num_format("#,##0")
        .set_align(FormatAlign::Top);
    let one = Format::new()
        .set_num_format("0.0")
        .set_align(FormatAlign::Top);
    let two = Format::new()
        .set_num_format("0.00")
        .set_align(FormatAlign::Top);
    let four = Format::new()
        .set_num_format("0.0000")
        .set_align(FormatAlign::Top);
    let suppressed = Format::new().set_align(FormatAlign::Right);
    let percent = Format::new()
        .set_num_format("0.0%")
        .set_align(FormatAlign::Top);
    let day = Format::new()
        .set_num_format("yyyy-mm-dd")
        .set_align(FormatAlign::Top);
    let month = Format::new()
        .set_num_format("mmm yyyy")
        .set_align(FormatAlign::Top);

    for (c, column) in table.columns.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, clip(&column.header), &header)?;
        let width = match column.kind {
            Kind::Quote => 60.0,
            Kind::Text => (column.header.chars().count() as f64 + 2.0).clamp(14.0, 34.0),
            Kind::Count | Kind::Percent | Kind::Decimal => {
                (column.header.chars().count() as f64 * 0.8 + 2.0).clamp(10.0, 18.0)
            }
        };
        sheet.set_column_width(c, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (r, row) in table.rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, value) in row.iter().enumerate() {
            let kind = table.columns.get(c).map_or(Kind::Text, |col| col.kind);
            let c = c as u16;
            match value {
                Value::Empty => {}
                Value::Text(text) => {
                    let format = if kind == Kind::Quote { &wrap } else { &top };
                    sheet.write_string_with_format(r, c, clip(text), format)?;
                }
                Value::Suppressed(mark) => {
                    sheet.write_string_with_format(r, c, mark.as_str(), &suppressed)?;
                }
                Value::Int(n) => {
                    sheet.write_number_with_format(r, c, *n as f64, &whole)?;
                }
                Value::Number(x, _) if kind == Kind::Percent => {
                    // A fraction with a % format: 12.5 % is 0.125 to Excel, as a pivot expects.
                    sheet.write_number_with_format(r, c, *x / 100.0, &percent)?;
                }
                Value::Date(d) => {
                    let (y, m, dd) = d.ymd();
                    match ExcelDateTime::from_ymd(y as u16, m as u8, dd as u8) {
                        Ok(date) => sheet.write_datetime_with_format(r, c, &date, &day)?,
                        Err(_) => sheet.write_string_with_format(r, c, d.to_string(), &top)?,
                    };
                }
                Value::Month(ym) => {
                    match ExcelDateTime::from_ymd(ym.year as u16, ym.month as u8, 1) {
                        Ok(date) => sheet.write_datetime_with_format(r, c, &date, &month)?,
                        Err(_) => sheet.write_string_with_format(r, c, ym.to_string(), &top)?,
                    };
                }
                Value::Number(x, decimals) => {
                    let format = match decimals {
                        0 | 1 => &one,
                        2 => &two,
                        _ => &four,
                    };
                    sheet.write_number_with_format(r, c, *x, format)?;
                }
            }
        }
    }
    if !table.rows.is_empty() {
        sheet.autofilter(
            0,
            0,
            table.rows.len() as u32,
            table.columns.len().saturating_sub(1) as u16,
        )?;
    }
    Ok(())
}

fn clip(text: &str) -> &str {
    match text.char_indices().nth(MAX_CELL_CHARS) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_short_clean_and_unique() {
        let mut used = Vec::new();
        assert_eq!(sheet_name("themes", &mut used), "themes");
        assert_eq!(sheet_name("Themes", &mut used), "Themes~2");
        let long = "breakdown-ethnic-group-of-the-respondent";
        let first = sheet_name(long, &mut used);
        assert_eq!(first.chars().count(), 31);
        let second = sheet_name(long, &mut used);
        assert_eq!(second.chars().count(), 31);
        assert_ne!(first, second);
        assert_eq!(sheet_name("a/b[c]", &mut used), "a-b-c-");
    }
}
