//! Property tests of the delimited reader and the date parser: generated inputs never panic, and what the
//! `csv` crate writes (any delimiter, any line ending, quoted commas, quotes and line breaks) reads back
//! field for field, each record on the line a text editor shows it on.
//!
//! The number of cases follows `PROPTEST_CASES` (256 by default): the long run is
//! `PROPTEST_CASES=1000000 cargo test --release -p chorus-ingest --lib proptests`.

use std::io::Cursor;
use std::path::Path;

use proptest::prelude::*;

use crate::encoding::TextEncoding;
use crate::readers::{Cells, Row, RowConsumer, delimited};
use crate::{DateOrder, Error, parse_date};

/// Collects what the reader hands on.
#[derive(Default)]
struct Collect {
    header: Option<Vec<String>>,
    rows: Vec<(u64, Vec<Vec<u8>>)>,
}

impl RowConsumer for Collect {
    fn header(&mut self, columns: Vec<String>) -> Result<(), Error> {
        self.header = Some(columns);
        Ok(())
    }

    fn row(&mut self, row: Row) -> Result<(), Error> {
        let Cells::Bytes(record) = row.cells else {
            panic!("the delimited reader hands on bytes");
        };
        self.rows
            .push((row.line, record.iter().map(<[u8]>::to_vec).collect()));
        Ok(())
    }

    fn progress(&mut self, _bytes: u64) {}
}

fn read(bytes: Vec<u8>, encoding: TextEncoding) -> (Result<(), Error>, Collect) {
    let mut collect = Collect::default();
    let result = delimited::read(
        Path::new("generated.csv"),
        Box::new(Cursor::new(bytes)),
        encoding,
        false,
        &|| 0,
        &mut collect,
    )
    .map(|_| ());
    (result, collect)
}

/// Line breaks as an editor counts them: CR, LF and CRLF each one.
fn line_breaks(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut breaks = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\r' || (b == b'\n' && (i == 0 || bytes[i - 1] != b'\r')) {
            breaks += 1;
        }
    }
    breaks
}

/// Field text: letters, spaces, quotes, line breaks, non-ASCII, and the file's own delimiter (never
/// another candidate delimiter, which would rightly make the sniffer hesitate).
fn field(delimiter: u8) -> impl Strategy<Value = String> {
    let delimiter = char::from(delimiter).to_string();
    proptest::collection::vec(
        prop_oneof![
            4 => "[a-zA-Z0-9 ]{1,6}",
            1 => Just("\"".to_owned()),
            1 => Just("\n".to_owned()),
            1 => Just("\r".to_owned()),
            1 => Just("\r\n".to_owned()),
            1 => Just("é 😀".to_owned()),
            1 => Just(delimiter),
        ],
        0..6,
    )
    .prop_map(|parts| parts.concat())
}

/// A table: delimiter, line ending, and rows of equal width.
fn table() -> impl Strategy<Value = (u8, &'static [u8], Vec<Vec<String>>)> {
    (
        prop_oneof![Just(b','), Just(b'\t'), Just(b';'), Just(b'|')],
        prop_oneof![Just(&b"\r\n"[..]), Just(&b"\n"[..]), Just(&b"\r"[..])],
        1usize..6,
    )
        .prop_flat_map(|(delimiter, ending, width)| {
            // One column has no delimiter to sniff: the reader then uses a comma.
            let delimiter = if width == 1 { b',' } else { delimiter };
            let row = proptest::collection::vec(field(delimiter), width);
            (
                Just(delimiter),
                Just(ending),
                proptest::collection::vec(row, 0..20),
            )
        })
}

fn write_csv(delimiter: u8, ending: &[u8], rows: &[Vec<String>]) -> Vec<u8> {
    let terminator = match ending {
        b"\r\n" => csv::Terminator::CRLF,
        other => csv::Terminator::Any(other[0]),
    };
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(terminator)
        .from_writer(Vec::new());
    let width = rows.first().map_or(1, Vec::len);
    let header: Vec<String> = (0..width).map(|i| format!("column{i}")).collect();
    writer.write_record(&header).expect("writing to memory");
    for row in rows {
        writer.write_record(row).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

/// A tenth of the cases (at least 16) for properties that write a file per case.
fn file_config() -> ProptestConfig {
    let base = ProptestConfig::default();
    ProptestConfig {
        cases: (base.cases / 10).max(16),
        ..base
    }
}

proptest! {
    #![proptest_config(file_config())]

    #[test]
    fn proptest_a_whole_ingest_of_any_csv_never_panics_and_reconciles(
        text in "[a-z0-9/,;\"\r\n \u{e9}\u{20ac}]{0,300}",
        header in prop_oneof![
            Just("id,Date,FFT score,comment\n"),
            Just("Date;Comments\r\n"),
            Just("Response ID,Please tell us why,What could we do better?\r"),
        ],
    ) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("generated.csv");
        std::fs::write(&path, format!("{header}{text}")).expect("a temporary file");
        let mut comments = Vec::new();
        let report = crate::ingest(
            &[path],
            &crate::IngestOptions::default(),
            &mut crate::Deduplicator::new(),
            &mut comments,
            &mut crate::QuarantineWriter::counting_only(),
            &mut |_| {},
        );
        prop_assert!(report.reconciles());
        prop_assert_eq!(report.totals.stored, comments.len() as u64);
    }
}

proptest! {
    #[test]
    fn proptest_the_delimited_reader_never_panics_and_lines_only_grow(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        encoding in prop_oneof![Just(TextEncoding::Utf8), Just(TextEncoding::Windows1252)],
    ) {
        let (_, collect) = read(bytes, encoding);
        let mut last = 1;
        for (line, _) in &collect.rows {
            prop_assert!(*line > last, "line {line} after {last}");
            last = *line;
        }
    }

    #[test]
    fn proptest_text_like_input_never_panics_the_reader(
        text in "[a-z,;|\t\"\r\n ]{0,200}",
    ) {
        let (result, collect) = read(text.into_bytes(), TextEncoding::Utf8);
        prop_assert!(result.is_ok());
        prop_assert!(collect.header.is_some());
    }

    #[test]
    fn proptest_what_the_csv_crate_writes_reads_back_on_its_editor_lines(
        (delimiter, ending, rows) in table(),
    ) {
        let bytes = write_csv(delimiter, ending, &rows);
        let (result, collect) = read(bytes, TextEncoding::Utf8);
        prop_assert!(result.is_ok());
        let mut line = 2;
        let mut expected = Vec::new();
        for row in &rows {
            expected.push((line, row.iter().map(|f| f.as_bytes().to_vec()).collect::<Vec<_>>()));
            line += 1 + row.iter().map(|f| line_breaks(f)).sum::<u64>();
        }
        prop_assert_eq!(collect.rows, expected);
    }

    #[test]
    fn proptest_the_date_parser_never_panics(text in "\\PC{0,40}", mdy in any::<bool>()) {
        let order = if mdy { DateOrder::Mdy } else { DateOrder::Dmy };
        let _ = parse_date(&text, order);
    }

    #[test]
    fn proptest_date_like_text_never_panics_the_parser(
        text in "[0-9/.:, TtSsNnDdRrHhAaPpMm-]{0,24}",
    ) {
        let _ = parse_date(&text, DateOrder::Dmy);
        let _ = parse_date(&text, DateOrder::Mdy);
    }

    #[test]
    fn proptest_dates_written_as_exports_write_them_read_back(
        days in 0i32..54_000,
        style in 0usize..8,
    ) {
        // 1950-01-01 onwards, for 150 years.
        let date = chorus_core::Date::from_ymd(1950, 1, 1)
            .expect("a real day")
            .add_days(days);
        let (y, m, d) = date.ymd();
        const MONTHS: [&str; 12] = [
            "January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December",
        ];
        let month = MONTHS[m as usize - 1];
        let (text, order) = match style {
            0 => (format!("{d:02}/{m:02}/{y}"), DateOrder::Dmy),
            1 => (format!("{m}/{d}/{y}"), DateOrder::Mdy),
            2 => (format!("{y}-{m:02}-{d:02}"), DateOrder::Dmy),
            3 => (format!("{y}-{m:02}-{d:02}T09:30:00Z"), DateOrder::Mdy),
            4 => (format!("{d} {} {y}", &month[..3]), DateOrder::Dmy),
            5 => (format!("{month} {d}, {y} 2:05 PM"), DateOrder::Dmy),
            6 => (format!("{y}{m:02}{d:02}"), DateOrder::Dmy),
            _ => (format!("{d:02}.{m:02}.{y} 14:05"), DateOrder::Dmy),
        };
        prop_assert_eq!(parse_date(&text, order), Ok(Some(date)), "{}", text);
    }
}
