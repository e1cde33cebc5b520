//! End-to-end tests of the report stage: `chorus report` in every format and `chorus export`, on stores
//! built from synthetic annotated comments and hostile ones, and the HTML pack in a real headless
//! browser when one is installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use chorus_core::{Comment, ThemeCatalog};
use chorus_index::Store;

use crate::support::{chorus, chorus_ok, temp_dir};

/// A store holding `comments` with their annotations and `catalog`, as ingest and theming leave it.
fn themed_store(dir: &Path, comments: &[Comment], catalog: &ThemeCatalog) -> PathBuf {
    let path = dir.join("store");
    let store = Store::create_or_open(&path).expect("a new store");
    let mut writer = store.writer().expect("a writer");
    for c in comments {
        writer.add(c).expect("the comment is added");
    }
    writer.commit().expect("the comments are committed");
    let stored = store.comments().expect("the comments read back");
    let annotated: Vec<Comment> = stored
        .into_iter()
        .zip(comments)
        .map(|(mut s, c)| {
            s.annotations = c.annotations.clone();
            s
        })
        .collect();
    store
        .replace_annotations(&annotated, catalog)
        .expect("the annotations are stored");
    path
}

fn synthetic_store(dir: &Path, n: usize) -> PathBuf {
    themed_store(
        dir,
        &chorus_report::synthetic::comments(n, 5),
        &chorus_report::synthetic::catalog(),
    )
}

fn hostile_store(dir: &Path) -> PathBuf {
    let mut comments = chorus_report::synthetic::comments(400, 9);
    let hostile = [
        "<script>alert('pwned')</script> Waited four hours",
        "=HYPERLINK(\"http://evil.example/x\",\"Click for results\")",
        "@SUM(1+1) | pipe | <img src=x onerror=alert(1)>",
    ];
    for (i, c) in comments
        .iter_mut()
        .filter(|c| !c.no_comment)
        .take(90)
        .enumerate()
    {
        c.text = hostile[i % hostile.len()].to_string();
        if i % 2 == 0 {
            c.service = Some("=cmd|' /C calc'!A0".into());
        }
    }
    themed_store(dir, &comments, &chorus_report::synthetic::catalog())
}

fn s(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn every_format_is_written_from_a_store() {
    let dir = temp_dir();
    let store = synthetic_store(dir.path(), 3000);
    for (format, name) in [
        ("html", "pack.html"),
        ("md", "report.md"),
        ("json", "report.json"),
        ("xlsx", "report.xlsx"),
        ("csv", "tables"),
    ] {
        let out = dir.path().join(name);
        let stdout = chorus_ok([
            "report",
            "--store",
            &s(&store),
            "--format",
            format,
            "-o",
            &s(&out),
            "--from",
            "2022-07-01",
            "--compare-previous",
            "--by",
            "service,month,question,age band",
            "--annotate",
            "2022-01-01=New discharge lounge",
        ]);
        assert!(stdout.contains("SPC charts"), "{stdout}");
        assert!(out.exists(), "{name} written");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json["scope"]["period"]["from"], "2022-07-01");
    assert_eq!(json["scope"]["previous"]["to"], "2022-06-30");
    assert_eq!(json["breakdowns"].as_array().unwrap().len(), 4);
    assert!(json["source"].as_str().unwrap().starts_with("store "));
    let tables: Vec<String> = std::fs::read_dir(dir.path().join("tables"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "themes.csv",
        "touchpoints.csv",
        "breakdown-age-band.csv",
        "spc-points.csv",
        "cooccurrence.csv",
        "discordant.csv",
    ] {
        assert!(
            tables.contains(&expected.to_string()),
            "{expected} in {tables:?}"
        );
    }
    // The format is guessed from the extension.
    let guessed = dir.path().join("guessed.md");
    chorus_ok(["report", "--store", &s(&store), "-o", &s(&guessed)]);
    assert!(
        std::fs::read_to_string(guessed)
            .unwrap()
            .starts_with("# Patient experience report")
    );
}

#[test]
fn report_refuses_what_it_cannot_do_with_a_reason() {
    let dir = temp_dir();
    let store = synthetic_store(dir.path(), 300);
    let out = dir.path().join("x.pdf");
    let failed = chorus(["report", "--store", &s(&store), "-o", &s(&out)]);
    assert_eq!(failed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("--format"));

    let failed = chorus([
        "report",
        "--store",
        &s(&store),
        "-o",
        &s(&dir.path().join("x.html")),
        "--by",
        "shoe size",
    ]);
    assert_eq!(failed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("`shoe size`") && stderr.contains("Age band"),
        "{stderr}"
    );

    let failed = chorus([
        "report",
        "--store",
        &s(&store),
        "-o",
        &s(&dir.path().join("x.html")),
        "--baseline",
        "5",
    ]);
    assert_eq!(failed.status.code(), Some(2));

    // A store that was never themed.
    let bare = dir.path().join("bare");
    let store = Store::create_or_open(&bare).unwrap();
    let mut writer = store.writer().unwrap();
    writer
        .add(&chorus_report::synthetic::comments(1, 1)[0])
        .unwrap();
    writer.commit().unwrap();
    let page = dir.path().join("bare.html");
    let failed = chorus(["report", "--store", &s(&bare), "-o", &s(&page)]);
    assert_eq!(failed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("run `chorus themes --store"), "{stderr}");
    assert!(!page.exists());
}

fn formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[test]
fn hostile_comments_are_inert_in_every_format() {
    let dir = temp_dir();
    let store = hostile_store(dir.path());
    let run = |format: &str, name: &str| {
        let out = dir.path().join(name);
        chorus_ok([
            "report",
            "--store",
            &s(&store),
            "--format",
            format,
            "-o",
            &s(&out),
        ]);
        out
    };
    let page = std::fs::read_to_string(run("html", "pack.html")).unwrap();
    assert!(!page.contains("<script") && !page.contains("<img"));
    assert!(page.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"));

    let md = std::fs::read_to_string(run("md", "r.md")).unwrap();
    assert!(md.match_indices('<').all(|(i, _)| &md[i - 1..i] == "\\"));

    let json = std::fs::read_to_string(run("json", "r.json")).unwrap();
    assert!(!json.contains('<'));
    serde_json::from_str::<serde_json::Value>(&json).unwrap();

    let csv_dir = run("csv", "tables");
    let mut quoted = false;
    for entry in std::fs::read_dir(csv_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue; // the ledger of what chorus wrote there
        }
        let mut reader = csv::Reader::from_path(path).unwrap();
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                if cell.parse::<f64>().is_err() {
                    assert!(!formula_like(cell), "{cell:?}");
                }
                quoted |= cell.starts_with("'=HYPERLINK(") || cell.starts_with("'=cmd");
            }
        }
    }
    assert!(quoted);
    // The workbook is checked cell by cell in the library's tests; here it must open as a zip.
    let xlsx = std::fs::read(run("xlsx", "r.xlsx")).unwrap();
    assert_eq!(&xlsx[..2], b"PK");

    // Exports: JSON lines keep the text exactly; CSV neutralises it.
    let jsonl = dir.path().join("all.jsonl");
    let stdout = chorus_ok(["export", "--store", &s(&store), "-o", &s(&jsonl)]);
    assert!(
        stdout.starts_with("exported 400 of 400 comments"),
        "{stdout}"
    );
    let text = std::fs::read_to_string(&jsonl).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    for field in [
        "id",
        "text",
        "question",
        "date",
        "service",
        "score",
        "sentiment",
        "touchpoints",
        "themes",
        "discovered_theme",
        "discordant",
    ] {
        assert!(first.get(field).is_some(), "{field} in {first}");
    }
    assert!(
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .any(|v| v["text"] == "<script>alert('pwned')</script> Waited four hours")
    );
    let csv_out = dir.path().join("all.csv");
    chorus_ok([
        "export",
        "--store",
        &s(&store),
        "--format",
        "csv",
        "-o",
        &s(&csv_out),
        "--service",
        "=cmd|' /C calc'!A0",
    ]);
    let bytes = std::fs::read(&csv_out).unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(&record[5], "'=cmd|' /C calc'!A0");
        rows += 1;
    }
    assert_eq!(rows, 45);
}

/// Headless Chromium, if installed: `chromium`, or `$CHORUS_CHROMIUM`.
fn chromium() -> Option<String> {
    let program = std::env::var("CHORUS_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    match Command::new(&program).arg("--version").output() {
        Ok(out) if out.status.success() => Some(program),
        _ => {
            eprintln!(
                "skipping: headless Chromium is not installed (apt-get install chromium, or set CHORUS_CHROMIUM)"
            );
            None
        }
    }
}

fn headless(program: &str, profile: &Path, extra: &[&str], page: &Path) -> std::process::Output {
    Command::new(program)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

#[test]
fn the_pack_renders_offline_in_a_real_browser() {
    let Some(program) = chromium() else { return };
    let dir = temp_dir();
    let store = synthetic_store(dir.path(), 3000);
    let page = dir.path().join("pack.html");
    chorus_ok([
        "report",
        "--store",
        &s(&store),
        "-o",
        &s(&page),
        "--from",
        "2022-07-01",
        "--compare-previous",
    ]);

    let shot = dir.path().join("pack.png");
    let out = headless(
        &program,
        &dir.path().join("profile-1"),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1240,1754",
        ],
        &page,
    );
    let log = String::from_utf8_lossy(&out.stderr);
    let png = std::fs::read(&shot).expect("a screenshot was written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(
        png.len() > 50_000,
        "the screenshot has content ({} bytes)",
        png.len()
    );
    for bad in ["CONSOLE", "Refused to", "net::ERR", "Uncaught"] {
        assert!(!log.contains(bad), "{bad} in the browser log:\n{log}");
    }

    // The DOM as the browser built it: nothing outside the file, the charts and tables all there.
    let dom = headless(
        &program,
        &dir.path().join("profile-2"),
        &["--dump-dom"],
        &page,
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("What people told us"));
    for external in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "url(http",
        "@import",
    ] {
        assert!(!dom.contains(external), "{external} in the pack");
    }
    assert!(!dom.contains("<script"));
    for svg in [
        "themes-chart",
        "journey-chart",
        "spc-chart",
        "heatmap-chart",
    ] {
        assert!(dom.contains(svg), "{svg} drawn");
    }
}

/// Ingests `file` into a new store and themes it, as a user would.
fn ingest_and_theme(dir: &Path, file: &Path) -> PathBuf {
    let store = dir.join("store");
    chorus_ok(["ingest", "--store", &s(&store), &s(file)]);
    chorus_ok(["themes", "--store", &s(&store)]);
    store
}

/// Every format from a store made by `chorus ingest` and `chorus themes`, with the report's counts
/// checked against `chorus export` (a different path through the same comments).
fn check_end_to_end(dir: &Path, store: &Path) {
    for (format, name) in [
        ("html", "pack.html"),
        ("md", "report.md"),
        ("json", "report.json"),
        ("xlsx", "report.xlsx"),
        ("csv", "tables"),
    ] {
        chorus_ok([
            "report",
            "--store",
            &s(store),
            "--format",
            format,
            "-o",
            &s(&dir.join(name)),
            "--by",
            "service,month,question",
        ]);
    }
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("report.json")).expect("the JSON report is written"),
    )
    .expect("the JSON report parses");
    let export = dir.join("all.jsonl");
    chorus_ok(["export", "--store", &s(store), "-o", &s(&export)]);
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&export)
        .expect("the export is written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let texts: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| r["no_comment"] == false && !r["text"].as_str().unwrap_or("").trim().is_empty())
        .collect();
    assert_eq!(report["headline"]["comments"], texts.len() as u64);
    assert_eq!(report["headline"]["records"], rows.len() as u64);
    let themes = report["themes"].as_array().expect("a themes array");
    assert!(!themes.is_empty(), "theming found themes");
    for theme in themes {
        let (name, source) = (&theme["name"], &theme["source"]);
        let with = texts
            .iter()
            .filter(|r| {
                r["themes"]
                    .as_array()
                    .expect("a themes array")
                    .iter()
                    .any(|t| &t["name"] == name && &t["source"] == source)
            })
            .count();
        assert_eq!(theme["comments"], with as u64, "{name}");
    }
    let discordant = texts.iter().filter(|r| r["discordant"] == true).count();
    assert_eq!(report["discordant"]["total"], discordant as u64);
    let page = std::fs::read_to_string(dir.join("pack.html")).expect("the pack is written");
    assert!(page.contains("What people told us") && !page.contains("<script"));
}

#[test]
fn the_sample_corpus_reports_end_to_end() {
    let dir = temp_dir();
    let store = ingest_and_theme(dir.path(), &crate::support::sample_corpus());
    check_end_to_end(dir.path(), &store);
}

#[test]
fn the_real_fft_corpus_reports_end_to_end() {
    let Some(file) = crate::support::shared_corpus("fft-v6-dev.csv") else {
        return;
    };
    let dir = temp_dir();
    let store = ingest_and_theme(dir.path(), &file);
    check_end_to_end(dir.path(), &store);
}

#[test]
fn stats_and_report_agree_on_percent_positive() {
    // One row per question; the FFT answer is repeated, or left blank, on a respondent's rows.
    // A: blank on the first question, very good on the second; B: poor; C: good then poor (rows that
    // disagree); D: no valid answer. One answer per respondent, the first valid one: A very good,
    // B poor, C good, D not given: 2 of 3 valid answers are positive.
    let dir = temp_dir();
    let csv = crate::support::write_file(
        dir.path(),
        "fft.csv",
        "Response ID,Respondent,Date,Service,FFT score,Question,Comment\n\
         1,A,01/05/2024,Ward 1,,Please tell us why,The staff were kind\n\
         2,A,01/05/2024,Ward 1,Very good,What could we do better,Nothing really\n\
         3,B,02/05/2024,Ward 1,Poor,Please tell us why,Waited too long\n\
         4,C,03/05/2024,Ward 1,Good,Please tell us why,Lovely nurses\n\
         5,C,03/05/2024,Ward 1,Poor,What could we do better,Parking was awful\n\
         6,D,04/05/2024,Ward 1,,Please tell us why,No idea what to say\n",
    );
    let store = ingest_and_theme(dir.path(), &csv);
    let stats: serde_json::Value =
        serde_json::from_str(&chorus_ok(["stats", "--store", &s(&store), "--json"]))
            .expect("the stats are JSON");
    let out = dir.path().join("report.json");
    chorus_ok([
        "report",
        "--store",
        &s(&store),
        "--format",
        "json",
        "-o",
        &s(&out),
    ]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("the report is written"))
            .expect("the report is JSON");
    let expected = 200.0 / 3.0;
    for (what, value) in [
        ("stats", &stats["percent_positive"]),
        ("report", &report["headline"]["percent_positive"]),
    ] {
        let value = value.as_f64().unwrap_or(f64::NAN);
        assert!((value - expected).abs() < 1e-9, "{what} says {value}");
    }
    assert_eq!(stats["respondents"], 4);
    assert_eq!(report["headline"]["respondents"], 4);
    assert_eq!(stats["conflicting_respondents"], 1);
    assert_eq!(report["headline"]["fft_answers"], 3);
    let human = chorus_ok(["stats", "--store", &s(&store)]);
    assert!(
        human.contains("1 respondent gave different answers on different rows"),
        "{human}"
    );
}

#[test]
fn a_marked_change_keeps_the_signals_of_the_whole_series() {
    // The sample's Emergency Department charts end in March 2025; a change marked in June 2024 has
    // 9 charted months after it, too few for new limits. The limits of the whole series stand, so
    // the fall in complaints about waiting after the winter peak shows as an improvement, and the
    // verdict is the one without the mark.
    let dir = temp_dir();
    let store = ingest_and_theme(dir.path(), &crate::support::sample_corpus());
    let report = |extra: &[&str]| -> serde_json::Value {
        let out = dir.path().join("ed.json");
        let mut args = vec![
            "report".to_string(),
            "--store".into(),
            s(&store),
            "--service".into(),
            "Emergency Department".into(),
            "--format".into(),
            "json".into(),
            "-o".into(),
            s(&out),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        chorus_ok(&args);
        serde_json::from_str(&std::fs::read_to_string(&out).expect("the report is written"))
            .expect("the report is JSON")
    };
    let waiting = |report: &serde_json::Value| -> serde_json::Value {
        report["spc"]
            .as_array()
            .expect("charts")
            .iter()
            // The theme "Waiting times" or the touchpoint "Waiting", never both: they count nearly
            // the same comments.
            .find(|c| {
                c["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("% of comments complaining about Waiting"))
            })
            .expect("a waiting chart")
            .clone()
    };
    let plain = waiting(&report(&[]));
    let marked = waiting(&report(&["--annotate", "2024-06-01=Triage"]));
    assert_eq!(marked["verdict"], plain["verdict"]);
    assert_eq!(marked["signals"], plain["signals"]);
    assert!(
        marked["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s.as_str().is_some_and(|s| s.ends_with("(improvement)"))),
        "{}",
        marked["signals"]
    );
    assert_eq!(marked["chart"]["segments"].as_array().unwrap().len(), 1);
    assert_eq!(
        marked["chart"]["pending_rebases"].as_array().unwrap().len(),
        1
    );
    let note = marked["limits_note"]
        .as_str()
        .expect("a note on the limits");
    assert!(
        note.starts_with("New limits from Jun 2024 once 12 months"),
        "{note}"
    );
    assert_eq!(marked["annotations"][0][1]["text"], "Triage");
}

#[test]
fn stats_and_report_speak_of_one_in_the_singular_and_leave_blanks_out_of_the_advice() {
    // One respondent: a comment, and a blank answer to the second question (left unthemed on purpose).
    let dir = temp_dir();
    let csv = crate::support::write_file(
        dir.path(),
        "one.csv",
        "Response ID,Respondent,Date,Service,FFT score,Question,Comment\n\
         1,A,01/05/2024,Ward 1,Very good,Please tell us why,The staff were kind\n\
         2,A,01/05/2024,Ward 1,Very good,What could we do better,\n",
    );
    let store = ingest_and_theme(dir.path(), &csv);
    let stats = chorus_ok(["stats", "--store", &s(&store)]);
    // Before: "1 of 2 comments (1 not yet themed: run `chorus themes`…)" after a theming run.
    assert!(!stats.contains("not yet themed"), "{stats}");
    assert!(
        stats.contains("all 1 comment with text; 1 without text is left unthemed"),
        "{stats}"
    );
    let out = dir.path().join("pack.html");
    let said = chorus_ok(["report", "--store", &s(&store), "-o", &s(&out)]);
    // Before: "1 comments from 1 respondents".
    assert!(said.contains("from 1 respondent,"), "{said}");
    assert!(
        !said.contains("1 comments") && !said.contains("1 respondents"),
        "{said}"
    );
}

/// The `what_changed` entry of `report` for `scope` values and subjects, if listed.
fn change_entry<'a>(
    report: &'a serde_json::Value,
    scope_value: &str,
    subjects: &[&str],
) -> Option<&'a serde_json::Value> {
    report["what_changed"]["changes"]
        .as_array()
        .expect("a list of changes")
        .iter()
        .find(|c| {
            c["scope"]
                .as_object()
                .is_some_and(|s| s.values().any(|v| v == scope_value))
                && subjects.iter().any(|s| c["subject"] == *s)
        })
}

#[test]
fn the_pack_leads_with_what_changed_on_the_sample() {
    let dir = temp_dir();
    let out = dir.path().join("out");
    crate::support::chorus([
        "analyse".as_ref(),
        crate::support::sample_corpus().as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    let json = dir.path().join("report.json");
    chorus_ok([
        "report",
        "--store",
        &s(&out),
        "--format",
        "json",
        "-o",
        &s(&json),
    ]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("written")).expect("JSON");
    let changes = report["what_changed"]["changes"]
        .as_array()
        .expect("a list");
    assert!(
        (2..=5).contains(&changes.len()),
        "both planted changes and at most a handful of others: {changes:#?}"
    );
    let month = |c: &serde_json::Value| c["first_month"].as_str().expect("a month").to_string();

    // Emergency Department waiting complaints fall after the triage change of June 2024. The sample
    // also has the winter peak before it (60 % of ED respondents complain about the wait in
    // November–February, 30 % in spring): from the data alone the change could start any month from
    // March to June, and the interval says so. The team's note of when it acted dates it (below).
    let ed = change_entry(
        &report,
        "Emergency Department",
        &["waiting", "Waiting times"],
    )
    .expect("the ED waiting change is listed");
    assert_eq!(ed["polarity"], "complaints");
    assert_eq!(ed["direction"], "down");
    assert_eq!(ed["better_or_worse"], "better");
    assert!(("2024-03".."2024-07").contains(&month(ed).as_str()), "{ed}");
    let range = &ed["first_month_range"];
    assert!(
        range[0].as_str() <= Some("2024-06") && range[1].as_str() >= Some("2024-06"),
        "{ed}"
    );
    assert!(ed["before"]["rate"].as_f64() > ed["after"]["rate"].as_f64());
    assert!(ed["before"]["count"].as_u64().is_some_and(|n| n > 0));
    assert!(ed["quotes"].as_array().is_some_and(|q| q.len() >= 2));

    // Northgate parking complaints rise from October 2024.
    let northgate = change_entry(
        &report,
        "Northgate Community Hospital",
        &["travel", "Parking and transport"],
    )
    .expect("the Northgate parking change is listed");
    assert_eq!(northgate["polarity"], "complaints");
    assert_eq!(northgate["direction"], "up");
    assert_eq!(northgate["better_or_worse"], "worse");
    assert!(("2024-10".."2024-12").contains(&month(northgate).as_str()));
    assert!(northgate["first_month_range"][0].as_str() <= Some("2024-10"));
    assert!(northgate["quotes"].as_array().is_some_and(|q| q.len() >= 2));
    let quotes = northgate["quotes"].to_string().to_lowercase();
    assert!(quotes.contains("park"), "quotes about parking: {quotes}");

    // The pack shows them first, after the headline cards, with their charts.
    let page = std::fs::read_to_string(out.join("pack.html")).expect("the pack");
    let at = |text: &str| {
        page.find(text)
            .unwrap_or_else(|| panic!("{text} in the pack"))
    };
    assert!(at("class=\"cards\"") < at("id=\"what-changed\""));
    assert!(at("id=\"what-changed\"") < at("What went well"));
    let section = &page[at("id=\"what-changed\"")..at("What went well")];
    assert!(section.contains("Emergency Department: complaints about"));
    assert!(section.contains("Northgate Community Hospital: complaints about"));
    assert!(section.matches("<svg").count() >= 2, "a chart for each");
    assert!(
        section.contains(" respondents, ") && !section.contains(" comments, "),
        "rates of complaints are shares of respondents, and say so"
    );

    // A change the team marked is taken as the start when the data allow it.
    chorus_ok([
        "report",
        "--store",
        &s(&out),
        "--format",
        "json",
        "-o",
        &s(&json),
        "--annotate",
        "2024-10-01=Pay and display at Northgate",
        "--annotate",
        "2024-06-01=Triage PDSA cycle",
    ]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("written")).expect("JSON");
    let northgate = change_entry(
        &report,
        "Northgate Community Hospital",
        &["travel", "Parking and transport"],
    )
    .expect("still listed");
    assert_eq!(month(northgate), "2024-10");
    assert_eq!(
        northgate["annotation"]["text"],
        "Pay and display at Northgate"
    );
    let ed = change_entry(
        &report,
        "Emergency Department",
        &["waiting", "Waiting times"],
    )
    .expect("a note never hides a change");
    // From June the shift is not clear enough (the winter after it rises again), so the data's own
    // month stands, with the team's note beside it.
    assert!(("2024-03".."2024-07").contains(&month(ed).as_str()), "{ed}");
    assert_eq!(ed["annotation"]["text"], "Triage PDSA cycle");
}

/// Measures the pack in a real browser at `width` px: a copy of it with a measuring script (the pack
/// itself runs none and forbids them) writes, for every table and chart wider than the page card it
/// sits in, its id or class into the DOM, which `--dump-dom` reads back.
fn spills_at(program: &str, dir: &Path, page: &Path, width: u32) -> Vec<String> {
    let html = std::fs::read_to_string(page).expect("the pack");
    let start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .expect("a CSP");
    let end = start + html[start..].find('>').expect("the meta ends") + 1;
    let probe = format!(
        "{}{}",
        &html[..start],
        &html[end..].replace(
            "</body>",
            "<script>const card = document.querySelector('main').getBoundingClientRect();\
const out = [];\
for (const el of document.querySelectorAll('main table, main svg, main figure, main .wide')) {\
  const r = el.getBoundingClientRect();\
  const box = el.closest('.wide');\
  const limit = box && box !== el ? Math.min(card.right, box.getBoundingClientRect().right) : card.right;\
  if (r.right > limit + 0.5) out.push(el.tagName + '.' + (el.getAttribute('class') || ''));\
}\
const p = document.createElement('pre'); p.id = 'spills'; p.textContent = 'SPILLS[' + out.join('|') + ']';\
document.body.appendChild(p);</script></body>"
        )
    );
    let probe_path = dir.join(format!("probe-{width}.html"));
    std::fs::write(&probe_path, probe).expect("the probe is written");
    let out = headless(
        program,
        &dir.join(format!("profile-probe-{width}")),
        &[
            &format!("--window-size={width},1400"),
            "--dump-dom",
            "--virtual-time-budget=2000",
        ],
        &probe_path,
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    // The last one: the script's own text holds the marker too.
    let at = dom.rfind("SPILLS[").expect("the probe ran") + "SPILLS[".len();
    let list = &dom[at..at + dom[at..].find(']').expect("the list ends")];
    list.split('|')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_pack_fits_its_page_at_1240_and_1920_px_and_prints_on_a4() {
    let Some(program) = chromium() else { return };
    let dir = temp_dir();
    let out = dir.path().join("out");
    crate::support::chorus([
        "analyse".as_ref(),
        crate::support::sample_corpus().as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    let page = out.join("pack.html");
    for width in [1240, 1920] {
        let spills = spills_at(&program, dir.path(), &page, width);
        assert!(
            spills.is_empty(),
            "at {width} px these spill past the page card: {spills:?}"
        );
    }
    // A4 print: Chromium lays the pack out on paper and writes a PDF of several pages.
    let pdf = dir.path().join("pack.pdf");
    let printed = headless(
        &program,
        &dir.path().join("profile-print"),
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
        ],
        &page,
    );
    let bytes = std::fs::read(&pdf).unwrap_or_else(|_| {
        panic!(
            "a PDF was printed: {}",
            String::from_utf8_lossy(&printed.stderr)
        )
    });
    assert!(bytes.starts_with(b"%PDF"));
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert!(pages > 3, "several pages ({pages})");
    // A4 is 595 × 842 points.
    assert!(text.contains("/MediaBox [0 0 594.9"), "A4 pages");
}

#[test]
fn no_two_trust_wide_charts_say_the_same_thing() {
    let dir = temp_dir();
    let store = ingest_and_theme(dir.path(), &crate::support::sample_corpus());
    let out = dir.path().join("r.json");
    chorus_ok([
        "report",
        "--store",
        &s(&store),
        "--format",
        "json",
        "-o",
        &s(&out),
    ]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("JSON");
    let charts = report["spc"].as_array().expect("charts");
    for (i, a) in charts.iter().enumerate() {
        // A theme is charted as complaints or praise, never as "% of comments about" it.
        assert!(
            !a["title"]
                .as_str()
                .unwrap_or("")
                .starts_with("% of comments about"),
            "{}",
            a["title"]
        );
        for b in &charts[i + 1..] {
            let (x, y) = (&a["numerators"], &b["numerators"]);
            assert!(
                x != y || a["id"] == "percent-positive",
                "{} and {} count the same comments",
                a["title"],
                b["title"]
            );
        }
    }
}

/// An unknown format is refused by the argument parser, before any store is opened, with the formats
/// there are and the option named once.
#[test]
fn unknown_formats_are_refused_with_the_formats_there_are() {
    let dir = temp_dir();
    let store = s(&dir.path().join("no-store"));
    for (args, expected) in [
        (
            vec![
                "report", "--store", &store, "--format", "pdf", "-o", "x.pdf",
            ],
            "`pdf` is not a report format: use csv, xlsx, md, html or json",
        ),
        (
            vec![
                "export", "--store", &store, "--format", "xml", "-o", "x.xml",
            ],
            "`xml` is not an export format: use jsonl, csv or qdpx",
        ),
    ] {
        let out = chorus(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert_eq!(stderr.matches("--format").count(), 1, "{stderr}");
    }
}
