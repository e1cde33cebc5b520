//! `chorus serve` in a real browser: Debian's chromium driven through chromedriver (WebDriver, with the
//! fantoccini client), as a person would use it: type a query, apply a filter, follow a theme, open a
//! comment, make corrections, restart the server and find them kept. Every page is checked with
//! axe-core (installed from npm into target/ at test time, never committed) for serious or critical
//! accessibility violations, and a screenshot of each is saved in `target/serve-screenshots/` for
//! people to look at.
//!
//! Skips with a `skipping:` message when chromium or chromedriver is absent (and runs without the
//! accessibility check, saying so, when npm or the network to its registry is).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::serve::{Served, sample_output, serve};
use crate::support::temp_dir;

/// chromedriver, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn chromium() -> Option<String> {
    let program = std::env::var("CHORUS_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    installed(&program).then_some(program)
}

/// Chromium and a running chromedriver, or `None` with a `skipping:` message saying what is missing.
fn browser() -> Option<(String, Driver)> {
    let Some(chromium) = chromium() else {
        eprintln!("skipping: chromium is not installed (apt-get install chromium chromium-driver)");
        return None;
    };
    if !installed("chromedriver") {
        eprintln!("skipping: chromedriver is not installed (apt-get install chromium-driver)");
        return None;
    }
    let Some(driver) = start_driver() else {
        eprintln!("skipping: chromedriver did not start");
        return None;
    };
    Some((chromium, driver))
}

fn start_driver() -> Option<Driver> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .ok()?
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let driver = Driver { child, port };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(driver);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

/// `target/` (the parent of the test's temporary folder).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/tmp has a parent")
        .to_path_buf()
}

/// axe-core's script, installed with npm into `target/axe-core` on first use.
fn axe_source() -> Option<String> {
    let prefix = target_dir().join("axe-core");
    let script = prefix.join("node_modules/axe-core/axe.min.js");
    if !script.is_file() {
        let installed = Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--silent",
            ])
            .arg("--prefix")
            .arg(&prefix)
            .arg("axe-core@4")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .status();
        if !installed.is_ok_and(|s| s.success()) {
            eprintln!(
                "skipping: the accessibility check, since npm could not install axe-core (is npm installed?)"
            );
            return None;
        }
    }
    std::fs::read_to_string(script).ok()
}

/// The browser session and what it checks on every page.
struct Session {
    client: Client,
    axe: Option<String>,
    shots: PathBuf,
    /// Serious or critical accessibility violations, by page.
    violations: Vec<String>,
}

impl Session {
    async fn go(&mut self, url: &str) {
        self.client.goto(url).await.expect("the page loads");
    }

    async fn url(&self) -> String {
        self.client.current_url().await.expect("a URL").to_string()
    }

    async fn text(&self, css: &str) -> String {
        let here = self.url().await;
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on {here}: {e}"))
            .text()
            .await
            .expect("text")
    }

    async fn click(&self, css: &str) {
        let here = self.url().await;
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on {here}: {e}"))
            .click()
            .await
            .expect("clicks");
    }

    async fn wait_for(&self, css: &str) {
        let here = self.url().await;
        self.client
            .wait()
            .at_most(Duration::from_secs(60))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} never appeared after {here}: {e}"));
    }

    /// Saves a full-page screenshot and runs axe-core on the page.
    async fn check(&mut self, name: &str) {
        let height = self
            .client
            .execute(
                "window.scrollTo(0, 0); return Math.max(document.documentElement.scrollHeight, 800);",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(1000)
            .min(9000) as u32;
        self.client
            .set_window_size(1280, height)
            .await
            .expect("resizes");
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::write(self.shots.join(format!("{name}.png")), &png).expect("saved");
        self.client
            .set_window_size(1280, 1000)
            .await
            .expect("resizes");
        let Some(axe) = &self.axe else { return };
        self.client
            .execute(axe, vec![])
            .await
            .expect("axe-core loads");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }))))
                   .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        for v in found.as_array().into_iter().flatten() {
            let line = format!(
                "{name}: {} ({}): {} at {}",
                v["id"].as_str().unwrap_or(""),
                v["impact"].as_str().unwrap_or(""),
                v["help"].as_str().unwrap_or(""),
                v["nodes"]
            );
            eprintln!("axe: {line}");
            if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
                self.violations.push(line);
            }
        }
    }
}

#[test]
fn a_person_searches_filters_reads_and_corrects_in_a_real_browser() {
    let Some((chromium, driver)) = browser() else {
        return;
    };
    let dir = temp_dir();
    let out = sample_output(dir.path());
    let shots = target_dir().join("serve-screenshots");
    std::fs::create_dir_all(&shots).expect("a screenshot folder");
    let axe = axe_source();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let client = headless(&driver, &chromium, &dir.path().join("profile")).await;
        let mut session = Session {
            client,
            axe,
            shots: shots.clone(),
            violations: Vec::new(),
        };
        let served = serve(&out, &["--reviewer", "Browser test"]);
        let key = explore(&mut session, &served).await;
        // A restart keeps what the person did.
        drop(served);
        let again = serve(&out, &[]);
        session.go(&format!("{}comments/{key}", again.url)).await;
        session.wait_for(".quote-mark").await;
        let history = session.text("ol.history").await;
        assert!(history.contains("marked as a quote"), "{history}");
        assert!(history.contains("removed theme"), "{history}");
        assert!(history.contains("by Browser test"), "{history}");
        session.check("comment-after-restart").await;
        let violations = std::mem::take(&mut session.violations);
        session.client.close().await.expect("the session closes");
        assert!(
            violations.is_empty(),
            "serious or critical accessibility violations:\n{}",
            violations.join("\n")
        );
    });
    eprintln!("screenshots of every page: {}", shots.display());
}

/// The path of a program on `PATH` (chromedriver wants the browser's path).
fn which(program: &str) -> String {
    if program.contains('/') {
        return program.to_owned();
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .map_or_else(|| program.to_owned(), |p| p.display().to_string())
}

/// The person's visit; returns the key of the comment they corrected.
async fn explore(s: &mut Session, served: &Served) -> String {
    let base = served.url.clone();
    // The overview, once its figures are ready (it refreshes itself until then).
    s.go(&base).await;
    s.wait_for("#h-journey").await;
    s.check("overview").await;

    // Type a query; the page says how many match as it is typed, then shows them.
    s.go(&format!("{base}search")).await;
    s.check("search-empty").await;
    let q = s
        .client
        .find(Locator::Css("#q"))
        .await
        .expect("a query box");
    q.send_keys("parking").await.expect("types");
    let started = Instant::now();
    while s.text("#q-live").await.is_empty() && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        s.text("#q-live").await.contains("comments match"),
        "the live count"
    );
    s.click("form.search button[type=submit]").await;
    s.wait_for("ol.hits li.hit").await;
    assert!(s.url().await.contains("q=parking"), "{}", s.url().await);
    let all = s.text("p.total").await;
    s.check("search-parking").await;

    // Apply a filter from the facets.
    s.client
        .find(Locator::XPath(
            "//aside//a[normalize-space()='Outpatients']",
        ))
        .await
        .expect("an Outpatients filter")
        .click()
        .await
        .expect("clicks");
    s.wait_for("ol.hits li.hit").await;
    let url = s.url().await;
    assert!(
        url.contains("service=Outpatients") && url.contains("q=parking"),
        "{url}"
    );
    let narrowed = s.text("p.total").await;
    assert_ne!(all, narrowed, "the filter narrows the search");
    s.check("search-filtered").await;

    // Follow a theme from a hit.
    s.click("ol.hits li.hit ul.labels a.chip:not(.tp)").await;
    s.wait_for("#h-spc").await;
    assert!(s.url().await.contains("/themes/"), "{}", s.url().await);
    s.check("theme").await;
    s.client.back().await.expect("back");
    s.wait_for("ol.hits li.hit").await;
    assert_eq!(
        s.url().await,
        url,
        "the back button returns to the same search"
    );

    // A touchpoint, the list of themes, an error page.
    s.go(&format!("{base}touchpoints/travel")).await;
    s.check("touchpoint").await;
    s.go(&format!("{base}themes")).await;
    s.check("themes").await;
    s.go(&format!("{base}search?q=%22unclosed")).await;
    assert!(s.text("div.error").await.contains("never closed"));
    s.check("search-error").await;
    s.go(&format!("{base}nowhere")).await;
    s.check("not-found").await;

    // Open a comment and correct it.
    s.go(&url).await;
    s.click("ol.hits li.hit p.meta a").await;
    s.wait_for("#labels").await;
    let comment_url = s.url().await;
    let key = comment_url
        .rsplit('/')
        .next()
        .expect("a key")
        .split(['?', '#'])
        .next()
        .expect("a key")
        .to_owned();
    s.check("comment").await;
    let remove = s
        .client
        .find(Locator::Css("button.remove[aria-label^='Remove theme ']"))
        .await
        .expect("a theme to remove");
    let label = remove
        .attr("aria-label")
        .await
        .expect("a label")
        .expect("a label");
    let theme = label.trim_start_matches("Remove theme ").to_owned();
    remove.click().await.expect("clicks");
    s.wait_for("ol.history").await;
    let labels = s.text("#labels").await;
    assert!(
        !labels.contains(&format!("{theme} CODEBOOK"))
            && !labels.contains(&format!("{theme}\nCODEBOOK")),
        "the theme is gone: {labels}"
    );
    s.client
        .find(Locator::XPath(
            "//button[normalize-space()='Mark as a quote for the meeting']",
        ))
        .await
        .expect("a button to mark the quote")
        .click()
        .await
        .expect("clicks");
    s.wait_for(".quote-mark").await;
    s.check("comment-corrected").await;
    // The API says the same as the page.
    let api: Value = s
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/api/comments/' + arguments[0]).then(r => r.json()).then(done);",
            vec![json!(key)],
        )
        .await
        .expect("the API answers");
    assert_eq!(api["review"]["quote"], true);
    key
}

/// A WebDriver session with headless chromium.
async fn headless(driver: &Driver, chromium: &str, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": which(chromium),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                     format!("--user-data-dir={}", profile.display())],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session")
}

#[test]
fn the_packs_clauses_fit_its_layout_and_read_well_in_a_real_browser() {
    let Some((chromium, driver)) = browser() else {
        return;
    };
    let dir = temp_dir();
    let pack = sample_output(dir.path()).join("pack.html");
    let shots = target_dir().join("serve-screenshots");
    std::fs::create_dir_all(&shots).expect("a screenshot folder");
    let axe = axe_source();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let client = headless(&driver, &chromium, &dir.path().join("profile")).await;
        let mut session = Session {
            client,
            axe,
            shots: shots.clone(),
            violations: Vec::new(),
        };
        session.go(&format!("file://{}", pack.display())).await;
        session.wait_for("blockquote .clause .cl").await;
        // Every clause label sits inside its quote or cell, and nothing widens the page.
        let layout = session
            .client
            .execute(
                "const out = [];
                 const page = document.documentElement;
                 if (page.scrollWidth > page.clientWidth + 1) out.push('page ' + page.scrollWidth);
                 const labels = document.querySelectorAll('.clause .cl');
                 for (const l of labels) {
                   const box = l.closest('blockquote, td, .story p, q').getBoundingClientRect();
                   const r = l.getBoundingClientRect();
                   if (r.left < box.left - 1 || r.right > box.right + 1) out.push(l.textContent);
                 }
                 return { labels: labels.length, outside: out };",
                vec![],
            )
            .await
            .expect("the layout is measured");
        assert!(layout["labels"].as_u64().unwrap_or(0) > 10, "{layout}");
        assert_eq!(layout["outside"], json!([]), "labels outside their quote");
        let label = session.text("blockquote .clause .cl").await;
        assert!(
            ["positive", "negative", "neutral", "mixed"]
                .iter()
                .any(|s| label.starts_with(s)),
            "a label says its sentiment in words: {label}"
        );
        session.check("pack-clauses").await;
        let violations: Vec<String> = std::mem::take(&mut session.violations)
            .into_iter()
            .filter(|v| v.contains(".cl"))
            .collect();
        session.client.close().await.expect("the session closes");
        assert!(
            violations.is_empty(),
            "serious or critical accessibility violations in the clauses:\n{}",
            violations.join("\n")
        );
    });
}
