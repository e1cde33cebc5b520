//! `chorus serve` under load: the real binary on a store, driven over loopback by plain HTTP/1.1 clients
//! of our own (one request per connection, as a browser's first visit), so the figures include the
//! connection and the server's whole answer.
//!
//! Measured, in this order: how long after start the first page answers and the overview's figures are
//! ready; each page of [`PAGES`] requested one after the other ([`ServeOptions::repeats`] times, p50 and
//! p99); then [`ServeOptions::clients`] clients requesting the pages in turn for
//! [`ServeOptions::seconds`], every answer checked (status 200 and a whole body); and the server's peak
//! memory (`VmHWM`) at the end.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

/// The pages measured: what a care team opens first, searches with every facet, a filtered search, the
/// JSON API, a theme's page and a touchpoint's page.
pub const PAGES: [(&str, &str); 7] = [
    ("overview", "/"),
    ("search page, no query, every facet", "/search?q="),
    ("search page `waiting`, every facet", "/search?q=waiting"),
    (
        "search `car park`, theme and score filters",
        "/search?q=car+park&theme=Parking+and+transport&score=poor",
    ),
    (
        "API search `staff`, negative",
        "/api/search?q=staff&sentiment=negative",
    ),
    ("theme page (Waiting times)", "/themes/Waiting%20times"),
    ("touchpoint page (waiting)", "/touchpoints/waiting"),
];

/// What to run.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The `chorus` binary.
    pub chorus: PathBuf,
    /// The themed store.
    pub store: PathBuf,
    /// Sequential requests of each page.
    pub repeats: usize,
    /// Concurrent clients of the load test.
    pub clients: usize,
    /// How long the load test runs.
    pub seconds: u64,
}

/// Latencies of one page or of the load test, milliseconds.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Latency {
    /// What was requested.
    pub name: String,
    /// The address (path and query).
    pub path: String,
    /// Requests answered.
    pub requests: u64,
    /// Requests that failed (no answer, not 200, or a cut body).
    pub errors: u64,
    /// The first request, when the server made the page afresh (later ones of a page reached by
    /// links are served as kept until the data changes).
    #[serde(default)]
    pub first_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

/// Everything one run measured.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ServeResults {
    /// Comments in the store (as the server's API says).
    pub store: String,
    /// Seconds from start to the first page answered.
    pub ready_seconds: f64,
    /// Seconds from start to the overview's figures ready.
    pub overview_ready_seconds: f64,
    /// Each page, one request at a time.
    pub pages: Vec<Latency>,
    /// The load test over every page.
    pub load: Latency,
    /// Clients of the load test.
    pub clients: usize,
    /// Its length, seconds.
    pub seconds: u64,
    /// Requests a second during the load test.
    pub throughput: f64,
    /// The server's peak resident memory, MiB.
    pub peak_mib: f64,
}

/// Kills the server when the run ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server, measures, stops it.
pub fn run(options: &ServeOptions) -> anyhow::Result<ServeResults> {
    let started = Instant::now();
    let mut child = Command::new(&options.chorus)
        .args(["serve", "--port", "0", "--read-only", "--store"])
        .arg(&options.store)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", options.chorus.display()))?;
    let stdout = child.stdout.take().context("the server's output")?;
    let server = Server(child);
    let address = address_from(stdout)?;
    let mut results = ServeResults {
        store: options.store.display().to_string(),
        clients: options.clients,
        seconds: options.seconds,
        ..ServeResults::default()
    };
    wait_until(started, Duration::from_secs(60), || {
        get(address, "/").is_ok_and(|(status, _)| status == 200)
    })?;
    results.ready_seconds = started.elapsed().as_secs_f64();
    wait_until(started, Duration::from_secs(600), || {
        get(address, "/").is_ok_and(|(_, body)| !body.contains("Preparing the overview"))
    })?;
    results.overview_ready_seconds = started.elapsed().as_secs_f64();
    for (name, path) in PAGES {
        eprintln!("{name}: {} requests…", options.repeats);
        let mut times = Vec::with_capacity(options.repeats);
        let mut errors = 0;
        for _ in 0..options.repeats {
            match timed_get(address, path) {
                Some(ms) => times.push(ms),
                None => errors += 1,
            }
        }
        results.pages.push(latency(name, path, times, errors));
    }
    eprintln!("{} clients for {} s…", options.clients, options.seconds);
    let (load, throughput) = load(address, options.clients, options.seconds);
    results.load = load;
    results.throughput = throughput;
    results.peak_mib = peak_mib(server.0.id()).unwrap_or(0.0);
    Ok(results)
}

/// Reads the server's first line ("Chorus is serving S at http://127.0.0.1:PORT/") for its address.
fn address_from(stdout: impl Read) -> anyhow::Result<SocketAddr> {
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .with_context(|| format!("the server said {line:?}, not its address"))?;
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    host.parse()
        .with_context(|| format!("`{host}` is not an address"))
}

fn wait_until(
    started: Instant,
    limit: Duration,
    mut done: impl FnMut() -> bool,
) -> anyhow::Result<()> {
    while !done() {
        if started.elapsed() > limit {
            bail!("the server was not ready after {} s", limit.as_secs());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// One GET on a new connection: the status and the body. The body must be as long as the server said.
pub fn get(address: SocketAddr, path: &str) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(10))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text.split_once("\r\n\r\n").context("no header end")?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no status")?;
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .context("no Content-Length")?;
    if body.len() != length {
        bail!("the body has {} bytes of {length}", body.len());
    }
    Ok((status, body.to_string()))
}

/// Milliseconds of one successful GET, or `None`.
fn timed_get(address: SocketAddr, path: &str) -> Option<f64> {
    let started = Instant::now();
    match get(address, path) {
        Ok((200, _)) => Some(started.elapsed().as_secs_f64() * 1000.0),
        _ => None,
    }
}

/// `clients` threads, each requesting the pages in turn (starting at a different one) until `seconds`
/// pass; the latencies of all, and the requests a second.
fn load(address: SocketAddr, clients: usize, seconds: u64) -> (Latency, f64) {
    let stop = Arc::new(AtomicBool::new(false));
    let all = Arc::new(Mutex::new((Vec::new(), 0u64)));
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (stop, all) = (Arc::clone(&stop), Arc::clone(&all));
            std::thread::spawn(move || {
                let (mut times, mut errors) = (Vec::new(), 0);
                let mut i = c;
                while !stop.load(Ordering::Relaxed) {
                    match timed_get(address, PAGES[i % PAGES.len()].1) {
                        Some(ms) => times.push(ms),
                        None => errors += 1,
                    }
                    i += 1;
                }
                let mut all = all.lock().unwrap_or_else(|e| e.into_inner());
                all.0.extend(times);
                all.1 += errors;
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (times, errors) = std::mem::take(&mut *all.lock().unwrap_or_else(|e| e.into_inner()));
    let throughput = times.len() as f64 / elapsed;
    (
        latency("every page, in turn", "(all of the above)", times, errors),
        throughput,
    )
}

fn latency(name: &str, path: &str, mut times: Vec<f64>, errors: u64) -> Latency {
    let first_ms = times.first().copied().unwrap_or(0.0);
    times.sort_by(f64::total_cmp);
    let at = |q: f64| {
        if times.is_empty() {
            0.0
        } else {
            times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1]
        }
    };
    Latency {
        name: name.to_owned(),
        path: path.to_owned(),
        requests: times.len() as u64,
        errors,
        first_ms,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: times.last().copied().unwrap_or(0.0),
    }
}

/// The peak resident memory of process `pid`, MiB, from `/proc` (Linux).
fn peak_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

impl ServeResults {
    /// The Markdown table of BENCHMARKS.md, with the targets.
    pub fn markdown(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(out, "### `chorus serve` on {}\n", self.store);
        let _ = writeln!(
            out,
            "Ready (first page answered) {:.2} s after start (target < 2 s); the overview's figures ready after {:.1} s; server peak memory {:.0} MiB (target < 1024 MiB).\n",
            self.ready_seconds, self.overview_ready_seconds, self.peak_mib
        );
        let _ = writeln!(
            out,
            "| request | requests | errors | first (ms) | p50 (ms) | p99 (ms) | max (ms) |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
        for l in &self.pages {
            let _ = writeln!(
                out,
                "| {} `{}` | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
                l.name, l.path, l.requests, l.errors, l.first_ms, l.p50_ms, l.p99_ms, l.max_ms
            );
        }
        let l = &self.load;
        let _ = writeln!(
            out,
            "| {} `{}` | {} | {} | | {:.1} | {:.1} | {:.1} |",
            l.name, l.path, l.requests, l.errors, l.p50_ms, l.p99_ms, l.max_ms
        );
        let _ = writeln!(
            out,
            "\nThe last row: {} clients for {} s, {:.0} requests a second (target: no error, p99 < 500 ms). Targets of the search page with facets: p50 < 30 ms, p99 < 150 ms; the overview < 300 ms. `first` is the page made afresh: pages reached by links (no typed words) are then kept until a correction or new overview figures, so their later requests are served as kept; pages with typed words are always made afresh.",
            self.clients, self.seconds, self.throughput
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_read_from_the_servers_first_line() {
        let line = "Chorus is serving /s at http://127.0.0.1:41234/\nOpen that address…\n";
        let address = address_from(line.as_bytes()).unwrap();
        assert_eq!(address.to_string(), "127.0.0.1:41234");
        assert!(address_from("no address here\n".as_bytes()).is_err());
    }

    #[test]
    fn percentiles_are_of_the_requests_answered() {
        let times: Vec<f64> = (1..=100).map(f64::from).collect();
        let l = latency("x", "/", times, 2);
        assert_eq!((l.requests, l.errors), (100, 2));
        assert_eq!((l.p50_ms, l.p99_ms, l.max_ms), (50.0, 99.0, 100.0));
        assert_eq!(latency("x", "/", Vec::new(), 0).p99_ms, 0.0);
    }
}
