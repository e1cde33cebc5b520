//! End-to-end tests of `chorus serve`: the real binary on a free port, spoken to over plain TCP as a
//! browser or a script would (and as an attacker might): pages, the JSON API, corrections kept across a
//! restart, errors, refused cross-origin requests, and hostile text coming back escaped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::support::{chorus_ok, sample_corpus, temp_dir, write_file};

/// A `chorus serve` process, stopped when dropped.
pub struct Served {
    child: Child,
    /// Kept open: the server's standard output.
    _stdout: BufReader<ChildStdout>,
    pub url: String,
    pub addr: SocketAddr,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `chorus serve STORE --port 0 EXTRA…` and waits for the address it prints.
pub fn serve(store: &Path, extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chorus"))
        .arg("serve")
        .arg(store)
        .args(["--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("chorus serve starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout
        .read_line(&mut line)
        .expect("the server prints its address");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("host:port");
    Served {
        child,
        _stdout: stdout,
        url,
        addr,
    }
}

/// A response: status, headers (names lowercased) and body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends raw bytes and reads the whole answer (the request should say `Connection: close`).
pub fn raw(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    stream.write_all(request).expect("sends");
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    parse(&bytes)
}

fn parse(bytes: &[u8]) -> Answer {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..split]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: bytes[split + 4..].to_vec(),
    }
}

/// A GET as a browser on this server would send it.
pub fn get(s: &Served, path: &str) -> Answer {
    raw(
        s.addr,
        format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            s.addr
        )
        .as_bytes(),
    )
}

/// A POST with extra header lines (each ending in `\r\n`) and a body.
pub fn post(s: &Served, path: &str, headers: &str, body: &str) -> Answer {
    raw(
        s.addr,
        format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n{headers}\r\n{body}",
            s.addr,
            body.len()
        )
        .as_bytes(),
    )
}

/// Posts a correction as JSON from the page's own origin.
pub fn correct(s: &Served, key: &str, correction: &str) -> Answer {
    post(
        s,
        &format!("/api/comments/{key}/corrections"),
        &format!(
            "Content-Type: application/json\r\nOrigin: http://{}\r\n",
            s.addr
        ),
        correction,
    )
}

/// The sample, ingested and themed, in `dir/out` as `chorus analyse` leaves it.
pub fn sample_output(dir: &Path) -> PathBuf {
    let out = dir.join("out");
    chorus_ok([
        "analyse".as_ref(),
        sample_corpus().as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--discover".as_ref(),
        "off".as_ref(),
    ]);
    out
}

const HOSTILE: &str = "<script>alert(1)</script>";

/// A store whose comment, service, attribute and codebook theme all carry a script tag.
fn hostile_store(dir: &Path) -> PathBuf {
    let export = write_file(
        dir,
        "hostile.csv",
        format!(
            "Response ID,Date,Service,Age band,FFT score,Please tell us why you gave your answer\n\
             1,01/02/2024,{HOSTILE},\"\"\"><img src=x onerror=alert(2)>\",Very poor,\"{HOSTILE} the parking was awful & the car park was full\"\n\
             2,02/02/2024,Outpatients,65-74,Good,\"Lovely staff, but parking cost a fortune\"\n\
             3,03/02/2024,Outpatients,65-74,Very good,Kind nurses and no wait at all\n"
        ),
    );
    let codebook = write_file(
        dir,
        "hostile.toml",
        format!(
            "name = \"ours\"\n[[entry]]\nid = \"parking\"\nlabel = \"{HOSTILE}\"\ndescription = \"{HOSTILE} described\"\ndirection = \"lower_is_better\"\nterms = [\"parking\", \"park\"]\n"
        ),
    );
    let store = dir.join("store");
    chorus_ok([
        "ingest".as_ref(),
        export.as_os_str(),
        "--store".as_ref(),
        store.as_os_str(),
    ]);
    chorus_ok([
        "themes".as_ref(),
        "--store".as_ref(),
        store.as_os_str(),
        "--codebook".as_ref(),
        codebook.as_os_str(),
    ]);
    store
}

fn assert_escaped(page: &Answer, what: &str) {
    let text = page.text();
    assert!(
        !text.contains("<script>alert") && !text.contains("<img src=x"),
        "{what}: raw markup from the data in {text}"
    );
}

#[test]
fn hostile_text_comes_back_escaped_on_every_page_and_in_the_api() {
    let dir = temp_dir();
    let store = hostile_store(dir.path());
    let s = serve(&store, &[]);
    let search = get(&s, "/search?q=parking");
    assert_eq!(search.status, 200);
    assert!(
        search
            .text()
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the comment, service and theme are shown as text"
    );
    assert_escaped(&search, "search");
    let api = get(&s, "/api/search?q=parking");
    assert_eq!(api.status, 200);
    assert!(!api.text().contains('<'), "JSON escapes < as \\u003c");
    let json = api.json();
    let hit = &json["hits"][0];
    assert!(hit["text"].as_str().unwrap().starts_with(HOSTILE), "{hit}");
    let key = json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["service"] == HOSTILE)
        .expect("the hostile comment")["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let encoded_theme = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    for path in [
        "/".to_owned(),
        "/themes".to_owned(),
        format!("/themes/{encoded_theme}"),
        format!("/comments/{key}"),
        format!("/search?service={encoded_theme}"),
        format!("/search?q=%22{encoded_theme}"),
        format!("/search?attr=Age%20band%3D{encoded_theme}"),
        format!("/nowhere/{encoded_theme}"),
        "/touchpoints/travel".to_owned(),
    ] {
        let page = get(&s, &path);
        assert!(page.status < 500, "{path}: {}", page.status);
        assert_escaped(&page, &path);
    }
    let theme = get(&s, &format!("/themes/{encoded_theme}"));
    assert_eq!(theme.status, 200);
    assert!(
        theme
            .text()
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; described")
    );
    let export = get(&s, "/export/comments.csv?q=parking");
    assert_eq!(export.status, 200);
    assert!(
        export
            .header("content-disposition")
            .unwrap()
            .contains("attachment"),
        "exports download"
    );
}

#[test]
fn every_response_forbids_other_hosts_and_inline_script() {
    let dir = temp_dir();
    let out = sample_output(dir.path());
    let s = serve(&out, &[]);
    for path in [
        "/",
        "/search?q=wait",
        "/api/themes",
        "/nowhere",
        "/static/chorus.js",
    ] {
        let page = get(&s, path);
        let csp = page
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("{path} has no CSP"));
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(page.header("x-frame-options"), Some("DENY"));
    }
    let overview = get(&s, "/");
    let html = overview.text();
    assert!(!html.contains("<script>"), "no inline script");
    for outside in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "url(http",
    ] {
        assert!(
            !html.contains(outside),
            "nothing from another host: {outside}"
        );
    }
    assert!(
        !html.contains(" style=\""),
        "no inline style attributes (the CSP forbids them)"
    );
}

#[test]
fn pages_and_the_api_answer_from_the_sample() {
    let dir = temp_dir();
    let out = sample_output(dir.path());
    let s = serve(&out, &[]);
    // Search: the page and the API agree with `chorus search --json`.
    let cli: Value = serde_json::from_str(&chorus_ok([
        "search".as_ref(),
        "--store".as_ref(),
        out.join("store").as_os_str(),
        "--json".as_ref(),
        "parking".as_ref(),
        "--service".as_ref(),
        "Outpatients".as_ref(),
    ]))
    .expect("JSON");
    let api = get(&s, "/api/search?q=parking&service=Outpatients").json();
    assert_eq!(api["total"], cli["total"]);
    assert_eq!(api["facets"], cli["facets"]);
    assert_eq!(api["hits"][0]["id"], cli["hits"][0]["id"]);
    assert!(api["hits"][0]["respondent"].is_string());
    assert!(api["attributes"].as_array().is_some_and(|a| !a.is_empty()));
    let page = get(&s, "/search?q=parking&service=Outpatients");
    assert_eq!(page.status, 200);
    let total = api["total"].as_u64().unwrap();
    assert!(
        page.text().contains(&format!("{total} comments match")),
        "{}",
        page.text()
    );
    // Attribute filters narrow both.
    let narrowed = get(&s, "/api/search?q=parking&attr=Age%20band%3D75%2B").json();
    assert!(narrowed["total"].as_u64().unwrap() < total + 100);
    for hit in narrowed["hits"].as_array().unwrap() {
        assert_eq!(hit["attributes"]["Age band"], "75+");
    }
    // Themes, a theme page, a touchpoint page, a comment by key and by id.
    let themes = get(&s, "/api/themes").json();
    let waiting = themes["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Waiting times")
        .expect("a Waiting times theme");
    assert!(waiting["comments"].as_u64().unwrap() > 50);
    let theme = get(&s, "/themes/Waiting%20times");
    assert_eq!(theme.status, 200);
    let text = theme.text();
    assert!(
        text.contains("Month by month") && text.contains("<svg"),
        "an SPC chart"
    );
    assert!(
        text.contains("/search?theme=Waiting%20times"),
        "a link to all its comments"
    );
    assert_eq!(get(&s, "/touchpoints/waiting").status, 200);
    let hit = &api["hits"][0];
    let key = hit["key"].as_str().unwrap();
    let comment = get(&s, &format!("/comments/{key}"));
    assert_eq!(comment.status, 200);
    assert!(
        comment.text().contains("class=\"clause"),
        "clauses are marked"
    );
    let by_key = get(&s, &format!("/api/comments/{key}")).json();
    assert_eq!(by_key["text"], hit["text"]);
    // Every key names its own comment.
    let page = get(&s, "/api/search?limit=100&sort=date").json();
    for h in page["hits"].as_array().unwrap() {
        let found = get(&s, &format!("/api/comments/{}", h["key"].as_str().unwrap())).json();
        assert_eq!(
            (&found["id"], &found["question"]),
            (&h["id"], &h["question"])
        );
    }
    assert!(
        by_key["annotations"]["clauses"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    let by_id = get(
        &s,
        &format!("/api/comments?id={}", hit["id"].as_str().unwrap()),
    )
    .json();
    assert!(
        by_id["comments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["key"] == key)
    );
    let both = get(&s, &format!("/comments?id={}", hit["id"].as_str().unwrap()));
    assert_eq!(both.status, 200, "a row with two answers lists both");
    assert!(both.text().contains(&format!("/comments/{key}")));
    let lookup = get(
        &s,
        &format!(
            "/comments?id={}&question={}",
            hit["id"].as_str().unwrap(),
            hit["question"].as_str().unwrap().replace(' ', "%20")
        ),
    );
    assert_eq!(lookup.status, 303);
    assert_eq!(
        lookup.header("location"),
        Some(&*format!("/comments/{key}"))
    );
    // Exports of the selection.
    let csv = get(&s, "/export/comments.csv?q=parking&service=Outpatients");
    let rows = csv.text().lines().count() as u64;
    assert_eq!(rows, total + 1, "a header and one row per comment");
    assert!(
        csv.text().contains("Age band"),
        "attribute columns are exported"
    );
    let xlsx = get(&s, "/export/comments.xlsx?q=parking");
    assert_eq!(&xlsx.body[..2], b"PK", "an Excel file");
    let pack = get(&s, "/export/pack.html?service=Outpatients");
    assert_eq!(pack.status, 200);
    assert!(pack.text().contains("meeting pack"));
    let jsonl = get(&s, "/export/comments.jsonl?q=parking&service=Outpatients");
    assert_eq!(jsonl.text().lines().count() as u64, total);
}

#[test]
fn bad_requests_get_a_message_never_a_crash() {
    let dir = temp_dir();
    let out = sample_output(dir.path());
    let s = serve(&out, &[]);
    for (path, status, expected) in [
        ("/search?q=%22unclosed", 400, "never closed"),
        ("/api/search?q=(wait", 400, "never closed"),
        ("/api/search?score=9", 400, "not an FFT answer"),
        ("/search?from=yesterday", 400, "YYYY-MM-DD"),
        ("/search?page=0", 400, "page number"),
        ("/api/search?limit=100000", 400, "limit="),
        ("/comments/nothex", 404, "not a comment key"),
        ("/comments/0000000000000000", 404, "no comment"),
        ("/api/comments/0000000000000000", 404, "no comment"),
        ("/themes/No%20such%20theme", 404, "no theme"),
        ("/export/secrets.txt", 404, "exports are"),
        ("/static/../../etc/passwd", 404, ""),
        ("/api/nowhere", 404, "no such API"),
        ("/comments?id=", 400, "comment's id"),
    ] {
        let answer = get(&s, path);
        assert_eq!(answer.status, status, "{path}: {}", answer.text());
        assert!(
            answer.text().contains(expected),
            "{path}: {}",
            answer.text()
        );
        if path.starts_with("/api/") {
            assert!(answer.json()["error"].is_string(), "{path}: a JSON error");
        }
    }
    // The deepest queries the address limit lets through leave the server standing.
    let nested = format!("{}a{}", "(".repeat(2040), ")".repeat(2040));
    let nots = "NOT%20".repeat(680) + "a";
    for path in [
        format!("/search?q={nested}"),
        format!("/api/search?q={nested}"),
        format!("/api/search?q={nots}"),
    ] {
        let answer = get(&s, &path);
        assert!(answer.status < 500, "{}", answer.status);
    }
    assert_eq!(get(&s, "/").status, 200, "still serving");
    let long = format!("/search?q={}", "a".repeat(5000));
    assert_eq!(get(&s, &long).status, 414);
    let huge_head = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nX-Junk: {}\r\n\r\n",
        s.addr,
        "x".repeat(40_000)
    );
    assert_eq!(raw(s.addr, huge_head.as_bytes()).status, 431);
    let big_body = format!(
        "POST /api/comments/0000000000000000/corrections HTTP/1.1\r\nHost: {}\r\nContent-Length: 10000000\r\n\r\n",
        s.addr
    );
    assert_eq!(raw(s.addr, big_body.as_bytes()).status, 413);
    assert_eq!(raw(s.addr, b"NONSENSE\r\n\r\n").status, 400);
    let delete = format!(
        "DELETE / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        s.addr
    );
    assert_eq!(raw(s.addr, delete.as_bytes()).status, 405);
    // A connection that sends half a request and goes away harms no one.
    let mut half = TcpStream::connect(s.addr).unwrap();
    half.write_all(b"GET /search?q=wa").unwrap();
    drop(half);
    // Still serving.
    assert_eq!(get(&s, "/").status, 200);
}

#[test]
fn changes_from_another_origin_or_host_are_refused() {
    let dir = temp_dir();
    let out = sample_output(dir.path());
    let s = serve(&out, &[]);
    let api = get(&s, "/api/search?q=parking&limit=1").json();
    let key = api["hits"][0]["key"].as_str().unwrap().to_owned();
    let body = r#"{"action":"mark_quote"}"#;
    let path = format!("/api/comments/{key}/corrections");
    // Another site's page: its Origin.
    let evil = post(
        &s,
        &path,
        "Content-Type: application/json\r\nOrigin: http://evil.example\r\n",
        body,
    );
    assert_eq!(evil.status, 403, "{}", evil.text());
    // A form from another site cannot send JSON; a simple form post is refused.
    let form = post(&s, &path, "Content-Type: text/plain\r\n", body);
    assert_eq!(form.status, 415);
    // The page's form without the page's token.
    let forged = post(
        &s,
        &format!("/comments/{key}/corrections"),
        "Content-Type: application/x-www-form-urlencoded\r\n",
        "action=mark_quote",
    );
    assert_eq!(forged.status, 403);
    assert!(forged.text().contains("form is out of date"));
    // DNS rebinding: a page of another name that resolves here.
    let rebound = raw(
        s.addr,
        format!(
            "GET /api/search HTTP/1.1\r\nHost: evil.example:{}\r\nConnection: close\r\n\r\n",
            s.addr.port()
        )
        .as_bytes(),
    );
    assert_eq!(rebound.status, 421);
    // None of them changed anything.
    assert_eq!(get(&s, "/api/corrections").json(), serde_json::json!([]));
    assert!(!out.join("store").join("corrections.jsonl").exists());
    // The page's own form, with its token, works.
    let page = get(&s, &format!("/comments/{key}")).text();
    let token = page
        .split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form carries the token");
    let own = post(
        &s,
        &format!("/comments/{key}/corrections"),
        &format!(
            "Content-Type: application/x-www-form-urlencoded\r\nOrigin: http://{}\r\n",
            s.addr
        ),
        &format!("token={token}&action=mark_quote"),
    );
    assert_eq!(own.status, 303, "{}", own.text());
    assert_eq!(
        get(&s, "/api/corrections").json().as_array().unwrap().len(),
        1
    );
}

#[test]
fn corrections_win_over_the_machine_and_survive_a_restart_and_a_new_theming_run() {
    let dir = temp_dir();
    let out = sample_output(dir.path());
    let store = out.join("store");
    let s = serve(&out, &["--reviewer", "QI lead"]);
    let api = get(
        &s,
        "/api/search?theme=Parking%20and%20transport&limit=1&q=NOT%20theme:%22Waiting%20times%22%20NOT%20sentiment:mixed",
    )
    .json();
    let key = api["hits"][0]["key"].as_str().unwrap().to_owned();
    let removed = correct(
        &s,
        &key,
        r#"{"action":"remove_theme","theme":"Parking and transport","source":"codebook"}"#,
    );
    assert_eq!(removed.status, 201, "{}", removed.text());
    let added = correct(
        &s,
        &key,
        r#"{"action":"add_theme","theme":"waiting times","source":"codebook"}"#,
    );
    assert_eq!(added.status, 201, "{}", added.text());
    assert_eq!(
        added.json()["correction"]["theme"],
        "Waiting times",
        "the catalog's name"
    );
    assert_eq!(
        correct(
            &s,
            &key,
            r#"{"action":"set_sentiment","sentiment":"mixed"}"#
        )
        .status,
        201
    );
    // Mistakes are refused with a reason.
    let unknown = correct(
        &s,
        &key,
        r#"{"action":"add_theme","theme":"Nonsense","source":"codebook"}"#,
    );
    assert_eq!(unknown.status, 400);
    assert!(
        unknown.json()["error"]
            .as_str()
            .unwrap()
            .contains("not a codebook theme")
    );
    let gone = correct(
        &s,
        &key,
        r#"{"action":"remove_theme","theme":"Parking and transport","source":"codebook"}"#,
    );
    assert_eq!(gone.status, 409);
    let check = |s: &Served| {
        let comment = get(s, &format!("/api/comments/{key}")).json();
        let themes: Vec<&str> = comment["annotations"]["themes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert!(themes.contains(&"Waiting times"), "{themes:?}");
        assert!(!themes.contains(&"Parking and transport"), "{themes:?}");
        assert_eq!(comment["annotations"]["sentiment"]["label"], "mixed");
        assert_eq!(comment["review"]["changed_labels"], 3);
        assert_eq!(comment["corrections"][0]["reviewer"], "QI lead");
        let hits = get(
            s,
            &format!("/api/search?q=id:%22{}%22", comment["id"].as_str().unwrap()),
        )
        .json();
        let hit = hits["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["key"] == key.as_str())
            .unwrap();
        assert!(
            hit["themes"]
                .as_array()
                .unwrap()
                .contains(&Value::from("Waiting times")),
            "search hits show corrections"
        );
        let pack = get(
            s,
            &format!(
                "/export/pack.html?q=id:%22{}%22",
                comment["id"].as_str().unwrap()
            ),
        );
        assert_eq!(pack.status, 200);
        assert!(
            pack.text().contains("3 labels corrected by people"),
            "the pack says how many labels people corrected"
        );
    };
    check(&s);
    drop(s);
    let lines =
        std::fs::read_to_string(store.join("corrections.jsonl")).expect("kept in the store");
    assert_eq!(lines.lines().count(), 3);
    // A new theming run rewrites the machine's labels; the person's stay.
    chorus_ok(["themes".as_ref(), "--store".as_ref(), store.as_os_str()]);
    let again = serve(&out, &[]);
    check(&again);
    // A read-only server shows them and refuses more.
    drop(again);
    let read_only = serve(&out, &["--read-only"]);
    check(&read_only);
    let refused = correct(&read_only, &key, r#"{"action":"mark_quote"}"#);
    assert_eq!(refused.status, 403);
    assert!(
        !get(&read_only, &format!("/comments/{key}"))
            .text()
            .contains("name=\"token\""),
        "no forms"
    );
}

#[test]
fn listening_beyond_loopback_needs_a_token_that_the_page_asks_for() {
    let dir = temp_dir();
    let out = sample_output(dir.path());
    let refused = Command::new(env!("CARGO_BIN_EXE_chorus"))
        .args([
            "serve",
            out.to_str().unwrap(),
            "--host",
            "0.0.0.0",
            "--port",
            "0",
        ])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--token"));
    let weak = Command::new(env!("CARGO_BIN_EXE_chorus"))
        .args([
            "serve",
            out.to_str().unwrap(),
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--token",
            "short",
        ])
        .output()
        .expect("runs");
    assert_eq!(weak.status.code(), Some(2));
    let token = "correct-horse-battery-staple";
    let s = serve(&out, &["--token", token]);
    let login = get(&s, "/");
    assert_eq!(login.status, 401);
    assert!(login.text().contains("Access token"));
    assert_eq!(get(&s, "/api/search").status, 401);
    let bearer = raw(
        s.addr,
        format!("GET /api/search HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n", s.addr).as_bytes(),
    );
    assert_eq!(bearer.status, 200);
    let wrong = post(
        &s,
        "/login",
        "Content-Type: application/x-www-form-urlencoded\r\n",
        "token=guess-guess-guess-guess",
    );
    assert_eq!(wrong.status, 401);
    let right = post(
        &s,
        "/login",
        "Content-Type: application/x-www-form-urlencoded\r\n",
        &format!("token={token}"),
    );
    assert_eq!(right.status, 303);
    let cookie = right
        .header("set-cookie")
        .expect("a cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(right.header("set-cookie").unwrap().contains("HttpOnly"));
    let with_cookie = raw(
        s.addr,
        format!(
            "GET / HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n",
            s.addr
        )
        .as_bytes(),
    );
    assert_eq!(with_cookie.status, 200);
}
