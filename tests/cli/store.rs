//! Stores that people keep, and a command line that behaves: read-only stores, a full disk, a damaged
//! file, two commands at once, a killed ingest, a closed pipe, errors that say their cause once, and
//! files that are not chorus's to overwrite.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{chorus, chorus_ok, sample_corpus, temp_dir, write_file};

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

/// Ingests the sample export into `dir/store` and returns the store path.
fn sample_store(dir: &Path) -> PathBuf {
    let store = dir.join("store");
    chorus_ok(["ingest", s(&sample_corpus()), "--store", s(&store)]);
    store
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs a mount command; `false` (with a message) where this machine does not allow it.
fn mount(args: &[&str]) -> bool {
    match Command::new("mount").args(args).output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            eprintln!(
                "skipping: `mount {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
            false
        }
        Err(e) => {
            eprintln!("skipping: cannot run mount: {e}");
            false
        }
    }
}

/// Unmounts a folder when dropped.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Whether a file can be created in `dir` (root can write to a folder without write bits).
fn writable(dir: &Path) -> bool {
    let probe = dir.join(".probe");
    let ok = std::fs::write(&probe, b"x").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

#[test]
fn a_read_only_store_can_be_searched_reported_and_exported() {
    let dir = temp_dir();
    let store = sample_store(dir.path());
    chorus_ok(["themes", "--store", s(&store)]);
    // Before, every read took a lock file: "Failed to acquire Lockfile: IoError(Os { code: 13 … })".
    for lock in [".tantivy-meta.lock", ".tantivy-writer.lock"] {
        let _ = std::fs::remove_file(store.join("index").join(lock));
    }
    let chmod = |mode: &str| {
        Command::new("chmod")
            .args(["-R", mode, s(&store)])
            .status()
            .expect("chmod runs")
    };
    chmod("a-w");
    let _mounted;
    let read_only = if writable(&store.join("index")) {
        // Root ignores write bits: a read-only bind mount stops root too.
        chmod("u+w");
        let view = dir.path().join("read-only");
        std::fs::create_dir(&view).expect("mount point");
        if !mount(&["--bind", s(&store), s(&view)]) {
            return;
        }
        _mounted = Mounted(view.clone());
        if !mount(&["-o", "remount,ro,bind", s(&view)]) {
            return;
        }
        view
    } else {
        store.clone()
    };
    assert!(
        !writable(&read_only.join("index")),
        "the store is read-only"
    );
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("output folder");
    for args in [
        vec!["search", "--store", s(&read_only), "waiting"],
        vec!["kwic", "--store", s(&read_only), "waiting"],
        vec!["stats", "--store", s(&read_only)],
        vec!["check", "--store", s(&read_only)],
        vec![
            "report",
            "--store",
            s(&read_only),
            "-o",
            s(&out.join("pack.html")),
        ],
        vec![
            "export",
            "--store",
            s(&read_only),
            "-o",
            s(&out.join("all.jsonl")),
        ],
    ] {
        chorus_ok(&args);
    }
    for args in [
        vec!["themes", "--store", s(&read_only)],
        vec!["ingest", s(&sample_corpus()), "--store", s(&read_only)],
    ] {
        let output = chorus(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = stderr_of(&output);
        assert!(err.contains("is read-only"), "{args:?}: {err}");
        assert!(!err.contains("Lockfile"), "{err}");
    }
    chmod("u+w");
}

/// A CSV export of `rows` distinct comments.
fn export(dir: &Path, name: &str, rows: usize) -> PathBuf {
    let mut text = String::from("Response ID,Date,Score,Comment\n");
    for i in 0..rows {
        text.push_str(&format!(
            "{i},2024-01-{:02},{},\"comment {i} about the car park and waiting {}\"\n",
            1 + i % 28,
            1 + i % 6,
            i * 7919 % 100_003
        ));
    }
    write_file(dir, name, text)
}

/// Bytes of the files in a folder and below.
fn size_of(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let meta = e.metadata().expect("metadata");
                    if meta.is_dir() {
                        size_of(&e.path())
                    } else {
                        meta.len()
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn a_full_disk_is_said_in_words_and_left_with_room_for_the_next_ingest() {
    let dir = temp_dir();
    let disk = dir.path().join("small-disk");
    std::fs::create_dir(&disk).expect("mount point");
    if !mount(&["-t", "tmpfs", "-o", "size=3m", "tmpfs", s(&disk)]) {
        return;
    }
    let _mounted = Mounted(disk.clone());
    let big = export(dir.path(), "big.csv", 60_000);
    let store = disk.join("store");
    let output = chorus(["ingest", s(&big), "--store", s(&store)]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr_of(&output);
    assert!(err.contains("the disk is full"), "{err}");
    assert!(!err.contains("os error 28"), "{err}");
    // Before, the unfinished segment files stayed, and the disk stayed full.
    let left = size_of(&store);
    assert!(left < 200_000, "{left} bytes left in the store");
    let small = export(dir.path(), "small.csv", 100);
    let summary = chorus_ok(["ingest", s(&small), "--store", s(&store)]);
    assert!(summary.contains("100 stored"), "{summary}");
}

/// Flips one byte of the largest file of the store with this extension.
fn damage(store: &Path, extension: &str) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(store.join("index"))
        .expect("index folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).expect("metadata").len()));
    let mut bytes = std::fs::read(&files[0]).expect("read");
    let at = bytes.len() * 3 / 10;
    bytes[at] ^= 0x55;
    std::fs::write(&files[0], bytes).expect("written");
}

#[test]
fn a_damaged_store_says_what_is_damaged_and_check_repairs_it() {
    let dir = temp_dir();
    let store = sample_store(dir.path());
    chorus_ok(["themes", "--store", s(&store)]);
    damage(&store, "store");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("output folder");
    // Before: raw tantivy messages ("An IO error occurred: 'the offset to copy is not contained…'"),
    // or silently altered text.
    for args in [
        vec!["themes", "--store", s(&store)],
        vec![
            "report",
            "--store",
            s(&store),
            "-o",
            s(&out.join("pack.html")),
        ],
        vec![
            "export",
            "--store",
            s(&store),
            "-o",
            s(&out.join("x.jsonl")),
        ],
    ] {
        let output = chorus(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = stderr_of(&output);
        assert!(err.contains("is damaged"), "{args:?}: {err}");
        assert!(err.contains("chorus check --store"), "{err}");
        assert!(
            !err.contains("IO error") && !err.contains("IoError"),
            "{err}"
        );
    }
    let check = chorus(["check", "--store", s(&store)]);
    assert_eq!(check.status.code(), Some(1));
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(
        said.contains("(the comments) is not what chorus wrote"),
        "{said}"
    );
    assert!(said.contains("--repair"), "{said}");
    let repair = chorus(["check", "--store", s(&store), "--repair"]);
    assert_eq!(repair.status.code(), Some(1), "comments were removed");
    let said = String::from_utf8_lossy(&repair.stdout);
    assert!(said.contains("sample-fft.csv"), "names the export: {said}");
    chorus_ok(["check", "--store", s(&store)]);
    // Ingesting the export again brings back exactly what was removed.
    chorus_ok(["ingest", s(&sample_corpus()), "--store", s(&store)]);
    let stats = chorus_ok(["stats", "--store", s(&store)]);
    assert!(stats.contains("comments      2,416"), "{stats}");
}

#[test]
fn themes_while_another_command_writes_fails_at_once() {
    let dir = temp_dir();
    let store = sample_store(dir.path());
    let held = chorus_index::Store::open(&store).expect("the store opens");
    let writer = held.writer().expect("the lock is free");
    let output = chorus(["themes", "--store", s(&store)]);
    drop(writer);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr_of(&output);
    assert!(err.contains("another chorus command is writing"), "{err}");
    // Before, it read and themed every comment and failed only when saving.
    assert!(!err.contains("saving the annotations"), "{err}");
}

/// A count as chorus prints it: 100,000.
fn with_commas(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Comments in the store, from `chorus stats --json`.
fn stored(store: &Path) -> u64 {
    let json: serde_json::Value =
        serde_json::from_str(&chorus_ok(["stats", "--store", s(store), "--json"]))
            .expect("stats --json");
    json["comments"].as_u64().expect("a count")
}

#[test]
fn an_ingest_killed_part_way_keeps_what_it_did_and_a_rerun_completes_it() {
    let dir = temp_dir();
    let rows = 260_000;
    let file = export(dir.path(), "many.csv", rows);
    let store = dir.path().join("store");
    let mut child = Command::new(env!("CARGO_BIN_EXE_chorus"))
        .args(["ingest", s(&file), "--store", s(&store)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chorus starts");
    // Wait for the first commit of 100,000 comments, then kill -9.
    let started = Instant::now();
    let meta = store.join("index").join("meta.json");
    loop {
        let text = std::fs::read_to_string(&meta).unwrap_or_default();
        let docs: u64 = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|m| {
                m["segments"]
                    .as_array()
                    .map(|s| s.iter().filter_map(|s| s["max_doc"].as_u64()).sum())
            })
            .unwrap_or(0);
        if docs > 0 {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the ingest ended ({status}) before it could be killed");
        }
        assert!(started.elapsed() < Duration::from_secs(300), "no commit");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("kill -9");
    let _ = child.wait();
    // Before, a file was one commit: a killed ingest kept nothing.
    let kept = stored(&store);
    assert!(kept >= 100_000 && kept.is_multiple_of(100_000), "{kept}");
    let summary = chorus_ok(["ingest", s(&file), "--store", s(&store)]);
    assert!(
        summary.contains(&format!("{} duplicates", with_commas(kept))),
        "{summary}"
    );
    assert_eq!(stored(&store), rows as u64);
}

#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    let dir = temp_dir();
    let store = sample_store(dir.path());
    for args in [
        vec!["search", "--store", s(&store), "waiting", "--limit", "300"],
        vec!["search", "--store", s(&store), "--json", "--limit", "300"],
        vec!["kwic", "--store", s(&store), "waiting", "--limit", "300"],
        vec!["stats", "--store", s(&store)],
        vec!["export", "--store", s(&store), "-o", "-"],
        vec!["export", "--store", s(&store), "--format", "csv", "-o", "-"],
        vec!["codebook", "print", "themes"],
    ] {
        // `| head -1`: the reader takes a line and goes away.
        let mut child = Command::new(env!("CARGO_BIN_EXE_chorus"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chorus starts");
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0u8; 1];
        let _ = stdout.read(&mut first);
        drop(stdout);
        let mut err = String::new();
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut err)
            .expect("stderr reads");
        let status = child.wait().expect("chorus ends");
        // Before: exit 101 and "failed printing to stdout: Broken pipe".
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn errors_say_their_cause_once() {
    let dir = temp_dir();
    let store = sample_store(dir.path());
    chorus_ok(["themes", "--store", s(&store)]);
    let file = write_file(dir.path(), "a-file", "x");
    let output = chorus([
        "report",
        "--store",
        s(&store),
        "--format",
        "csv",
        "-o",
        s(&file),
        "--force",
    ]);
    let err = stderr_of(&output);
    // Before: "cannot write a-file: File exists (os error 17): File exists (os error 17)".
    assert_eq!(err.matches("os error 17").count(), 1, "{err}");
    let output = chorus([
        "ingest",
        s(&sample_corpus()),
        "--store",
        s(&store),
        "--names",
        s(&dir.path().join("missing.txt")),
    ]);
    let err = stderr_of(&output);
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
}

#[test]
fn files_that_are_not_chorus_s_are_not_overwritten() {
    let dir = temp_dir();
    let input = dir.path().join("input.csv");
    std::fs::copy(sample_corpus(), &input).expect("copied");
    let store = dir.path().join("store");
    chorus_ok(["ingest", s(&input), "--store", s(&store)]);
    chorus_ok(["themes", "--store", s(&store)]);
    let original = std::fs::read(&input).expect("read");
    // Before, both replaced the export with a report.
    for args in [
        vec![
            "report",
            "--store",
            s(&store),
            "--format",
            "html",
            "-o",
            s(&input),
        ],
        vec!["export", "--store", s(&store), "-o", s(&input)],
    ] {
        let output = chorus(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = stderr_of(&output);
        assert!(
            err.contains("will not overwrite") && err.contains("--force"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&input).expect("read"), original);
    // Chorus's own output may be written again, until someone edits it.
    let exported = dir.path().join("all.jsonl");
    let args = ["export", "--store", s(&store), "-o", s(&exported)];
    chorus_ok(args);
    chorus_ok(args);
    std::fs::write(&exported, "my notes").expect("edited");
    assert_eq!(chorus(args).status.code(), Some(2));
    let mut forced = args.to_vec();
    forced.push("--force");
    chorus_ok(&forced);
    // Never inside the store the command reads, even with --force.
    let inside = store.join("chorus-store.json");
    let output = chorus(["export", "--store", s(&store), "-o", s(&inside), "--force"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("this command reads"));
    // analyse: a report.md of the user's in the output folder, refused before any work; an input
    // file as an output, refused even with --force.
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("created");
    let mine = write_file(&out, "report.md", "# my own notes");
    let output = chorus(["analyse", s(&input), "-o", s(&out)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("will not overwrite"));
    assert!(!out.join("store").exists(), "refused before any work");
    let output = chorus(["analyse", s(&mine), "-o", s(&out), "--force"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("a file this command reads"));
    assert_eq!(
        std::fs::read_to_string(&mine).expect("read"),
        "# my own notes"
    );
}

#[test]
fn every_store_command_finds_the_store_of_an_analyse_folder() {
    let dir = temp_dir();
    let folder = dir.path().join("out");
    chorus_ok([
        "ingest",
        s(&sample_corpus()),
        "--store",
        s(&folder.join("store")),
    ]);
    for args in [
        vec!["search", "--store", s(&folder), "waiting"],
        vec!["kwic", "--store", s(&folder), "waiting"],
        vec!["stats", "--store", s(&folder)],
        vec!["check", "--store", s(&folder)],
        vec!["themes", "--store", s(&folder)],
        vec!["export", "--store", s(&folder), "-o", "-"],
    ] {
        chorus_ok(&args);
    }
}

#[test]
fn a_query_nested_ten_thousand_deep_is_an_error_not_a_crash() {
    let dir = temp_dir();
    let store = sample_store(dir.path());
    for query in [
        format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000)),
        "(".repeat(30_000),
        "NOT (".repeat(20_000),
    ] {
        let output = chorus(["search", "--store", s(&store), &query]);
        // Before: a stack overflow, exit 134.
        assert_eq!(output.status.code(), Some(2));
        let err = stderr_of(&output);
        assert!(err.contains("nests more than 100 levels"), "{err}");
        assert!(
            err.len() < 600,
            "the query is shown around the caret: {err}"
        );
    }
}
