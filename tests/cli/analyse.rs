//! `chorus analyse`, the README's main command: the whole job on the repo's sample export.

use crate::support::{chorus, chorus_ok, sample_corpus, temp_dir};

#[test]
fn the_main_job_writes_the_pack_and_says_where_it_is() {
    let dir = temp_dir();
    let out = dir.path().join("out");
    let stdout = chorus_ok([
        "analyse".as_ref(),
        sample_corpus().as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    let pack = std::fs::canonicalize(out.join("pack.html")).expect("the pack is written");
    assert!(
        stdout.contains(&format!("The meeting pack is {}", pack.display())),
        "the last words name the pack:\n{stdout}"
    );
    let page = std::fs::read_to_string(&pack).expect("the pack reads");
    assert!(page.contains("<svg"), "the pack has its charts");
    assert!(
        page.contains("Waiting"),
        "the pack shows the waiting touchpoint"
    );
    assert!(out.join("report.xlsx").is_file() && out.join("report.md").is_file());
    // Every record of the sample is accounted for, and themed.
    assert!(stdout.contains("2,416 stored"), "{stdout}");
    assert!(stdout.contains("themed 2,416 comments"), "{stdout}");

    // Running again on the same export stores nothing new and gives the same tables.
    let first_tables = std::fs::read_to_string(out.join("report.md")).expect("markdown");
    let again = chorus_ok([
        "analyse".as_ref(),
        sample_corpus().as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(again.contains("stored 0"), "{again}");
    let second_tables = std::fs::read_to_string(out.join("report.md")).expect("markdown");
    assert_eq!(first_tables, second_tables, "same input, same report");
}

#[test]
fn a_missing_export_is_named_and_fails_the_run() {
    let dir = temp_dir();
    let missing = dir.path().join("no-such-export.csv");
    let output = chorus([
        "analyse".as_ref(),
        missing.as_os_str(),
        "-o".as_ref(),
        dir.path().join("out").as_os_str(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no-such-export.csv"), "{stderr}");
}

#[test]
fn a_pack_made_from_a_fraction_of_the_export_says_so_loudly() {
    let dir = temp_dir();
    let out = dir.path().join("out");
    // One readable row in a hundred: unquoted commas everywhere else.
    let mut csv = String::from("id,Date,comment\n1,01/02/2024,The staff were kind\n");
    for i in 2..=100 {
        csv.push_str(&format!("{i},01/02/2024,slow, then kind\n"));
    }
    let export = crate::support::write_file(dir.path(), "export.csv", csv);
    let output = chorus([
        "analyse".as_ref(),
        export.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--discover".as_ref(),
        "off".as_ref(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("INCOMPLETE: 99 of 100 records"), "{stderr}");
    let pack = std::fs::read_to_string(out.join("pack.html")).expect("the pack is written");
    assert!(
        pack.contains("<section class=\"set-aside incomplete\"><h2>What was read</h2>"),
        "the pack says what was set aside"
    );
    assert!(
        pack.contains("Incomplete: 99 records (99.0% of 100 read)"),
        "the pack gives the count"
    );
    assert!(pack.contains("99 ragged row"), "and why");
    let markdown = std::fs::read_to_string(out.join("report.md")).expect("markdown");
    assert!(markdown.contains("## Records set aside when the exports were read"));
    assert!(markdown.contains("| ragged row | 99 |"), "{markdown}");
}
