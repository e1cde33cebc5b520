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
