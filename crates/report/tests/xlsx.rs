//! The workbook a researcher pivots: real dates and months, percentages as fractions, the respondent
//! beside every comment, and suppressed counts as blanks with a flag column.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chorus_report::{NOT_RECORDED, ReportOptions, build, synthetic, xlsx};

fn workbook() -> Xlsx<Cursor<Vec<u8>>> {
    let comments = synthetic::comments(3000, 5);
    let report =
        build(&comments, &synthetic::catalog(), &ReportOptions::default()).expect("a report");
    let bytes = xlsx::to_bytes(&report).expect("a workbook");
    Xlsx::new(Cursor::new(bytes)).expect("the workbook opens")
}

fn column(sheet: &calamine::Range<Data>, name: &str) -> usize {
    sheet
        .rows()
        .next()
        .expect("a header row")
        .iter()
        .position(|c| *c == Data::String(name.to_string()))
        .unwrap_or_else(|| panic!("a column {name}"))
}

#[test]
fn suppressed_counts_are_blank_numbers_with_a_flag() {
    let mut book = workbook();
    let sheet = book.worksheet_range("by-service-rows").unwrap();
    let (count, flag, pct) = (
        column(&sheet, "Comments"),
        column(&sheet, "Suppressed"),
        column(&sheet, "% of group"),
    );
    let mut suppressed = 0;
    for row in sheet.rows().skip(1) {
        match (&row[count], &row[flag]) {
            (Data::Float(_), Data::Empty) => {}
            (Data::Empty, Data::String(why)) => {
                assert!(why.starts_with('<') || why == "[c]", "{why}");
                assert_eq!(row[pct], Data::Empty);
                suppressed += 1;
            }
            other => panic!("{other:?}"),
        }
        if let Data::Float(p) = row[pct] {
            assert!((0.0..=1.0).contains(&p), "a fraction: {p}");
        }
    }
    assert!(suppressed > 0, "the synthetic data has small counts");
}

#[test]
fn months_are_dates_and_comments_carry_their_respondent() {
    let mut book = workbook();
    let sheet = book.worksheet_range("by-month-rows").unwrap();
    let month = column(&sheet, "Month");
    assert!(
        sheet
            .rows()
            .skip(1)
            .all(|r| matches!(r[month], Data::DateTime(_))
                || r[month] == Data::String(NOT_RECORDED.into())),
    );
    let sheet = book.worksheet_range("discordant").unwrap();
    let (id, respondent, date) = (
        column(&sheet, "Comment id"),
        column(&sheet, "Response ID"),
        column(&sheet, "Date"),
    );
    let rows: Vec<_> = sheet.rows().skip(1).collect();
    assert!(!rows.is_empty());
    for row in rows {
        assert!(matches!(row[id], Data::String(_)));
        assert!(matches!(&row[respondent], Data::String(r) if !r.is_empty()));
        assert!(matches!(row[date], Data::DateTime(_)), "{:?}", row[date]);
    }
}
