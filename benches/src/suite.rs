//! The suite: generates the exports, runs every stage at every size in its own measured process, trains a
//! model and runs the end-to-end commands with the real `chorus` binary, then prints the tables.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::corpus::SentencePool;
use crate::measure::{Measured, measure};
use crate::stages::{Layout, Stage, StageOutput};

/// Where things are and how to run them.
#[derive(Clone, Debug)]
pub struct Suite {
    /// The data folder and model.
    pub layout: Layout,
    /// The `chorus` binary for the end-to-end run and training.
    pub chorus: PathBuf,
    /// `../shared/corpora`.
    pub corpora: PathBuf,
    /// The repository's sample export, the fallback corpus.
    pub sample: PathBuf,
    /// The generator's seed.
    pub seed: u64,
}

/// One generated export.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Generation {
    /// Comments asked for.
    pub size: u64,
    /// Whether it was made in this run (false: an existing file was reused).
    pub made: bool,
    /// Seconds to make it.
    pub seconds: f64,
    /// Size of the CSV file, MiB.
    pub file_mib: f64,
}

/// One measured stage.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StageRow {
    /// What the stage reported.
    pub output: StageOutput,
    /// What its process cost (stdout and stderr cleared).
    pub process: Measured,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// One measured `chorus` command.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CommandRow {
    /// The command line (paths shortened).
    pub command: String,
    /// What its process cost.
    pub process: Measured,
}

/// The end-to-end run on one size.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct EndToEnd {
    /// Comments.
    pub size: u64,
    /// `chorus ingest`, `chorus themes`, `chorus report`.
    pub commands: Vec<CommandRow>,
    /// What `chorus themes --json` said it spent (read, analysis, model, discovery, save, total).
    pub themes_seconds: serde_json::Value,
    /// Whether a model was used.
    pub model: bool,
    /// The raw tantivy index of the same export, run just before (see [`crate::floor`]).
    #[serde(default)]
    pub floor: Option<CommandRow>,
}

impl EndToEnd {
    /// Total wall seconds of the three commands.
    pub fn wall(&self) -> f64 {
        self.commands.iter().map(|c| c.process.wall_seconds).sum()
    }

    /// The highest peak of the three, MiB.
    pub fn peak_mib(&self) -> f64 {
        self.commands
            .iter()
            .map(|c| c.process.peak_mib())
            .fold(0.0, f64::max)
    }

    /// Whether every command succeeded.
    pub fn ok(&self) -> bool {
        self.commands.len() == 3 && self.commands.iter().all(|c| c.process.ok())
    }

    /// The floor's wall seconds, if it ran and succeeded.
    pub fn floor_wall(&self) -> Option<f64> {
        self.floor
            .as_ref()
            .filter(|f| f.process.ok())
            .map(|f| f.process.wall_seconds)
    }
}

/// Everything a run measured, written as JSON next to the data.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Results {
    /// The machine and its load.
    pub machine: Machine,
    /// The exports.
    pub generated: Vec<Generation>,
    /// Every stage at every size.
    pub stages: Vec<StageRow>,
    /// `chorus train` on the v6 corpus.
    pub train: Option<CommandRow>,
    /// The end-to-end run.
    pub e2e: Option<EndToEnd>,
}

/// The machine, read from `/proc`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model.
    pub cpu: String,
    /// Logical CPUs.
    pub cpus: usize,
    /// Memory, GiB.
    pub memory_gib: f64,
    /// `rustc --version`.
    pub rustc: String,
    /// When the run started (UTC).
    pub started: String,
    /// `/proc/loadavg` when the run started.
    pub load_before: String,
    /// `/proc/loadavg` when it ended.
    pub load_after: String,
}

impl Machine {
    /// Reads the machine's description now.
    pub fn now() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or_else(String::new, |(_, v)| v.trim().to_owned());
        let memory_gib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            })
            .map_or(0.0, |kib| kib / (1 << 20) as f64);
        let rustc = Command::new("rustc")
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        Machine {
            cpu,
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
            memory_gib,
            rustc,
            started: utc_now(),
            load_before: loadavg(),
            load_after: String::new(),
        }
    }
}

/// `/proc/loadavg`'s three averages.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn utc_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = chorus_core::Date::from_days_since_epoch((now / 86_400) as i32).ymd();
    let rest = now % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

impl Suite {
    /// Makes the export of `size` comments unless it exists (or `force`).
    pub fn generate(&self, size: u64, force: bool) -> anyhow::Result<Generation> {
        let path = self.layout.csv(size);
        let mut generation = Generation {
            size,
            ..Generation::default()
        };
        if force || !path.is_file() {
            std::fs::create_dir_all(&self.layout.dir)
                .with_context(|| format!("creating {}", self.layout.dir.display()))?;
            let started = Instant::now();
            let pool = SentencePool::load(&self.corpora, &self.sample)?;
            let tmp = path.with_extension("csv.tmp");
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("creating {}", tmp.display()))?;
            crate::generate::generate(&pool, size, self.seed, std::io::BufWriter::new(file))?;
            std::fs::rename(&tmp, &path)?;
            generation.made = true;
            generation.seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "generated {} ({} sentences from {}) in {:.1} s",
                path.display(),
                pool.len(),
                pool.sources
                    .iter()
                    .filter_map(|p| p.file_name()?.to_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                generation.seconds
            );
        }
        generation.file_mib = std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / 1048576.0;
        Ok(generation)
    }

    /// Runs one stage in its own measured process.
    pub fn stage(&self, stage: Stage, size: u64) -> anyhow::Result<StageRow> {
        let me = std::env::current_exe()?;
        let mut args = vec![
            "in-process".to_owned(),
            stage.name().to_owned(),
            "--size".to_owned(),
            size.to_string(),
            "--data".to_owned(),
            self.layout.dir.display().to_string(),
        ];
        if let Some(model) = &self.layout.model {
            args.extend(["--model".to_owned(), model.display().to_string()]);
        }
        eprintln!("running {} at {size}…", stage.name());
        let mut process = measure(&me, &args)?;
        let mut row = StageRow::default();
        match serde_json::from_str::<StageOutput>(process.stdout.trim()) {
            Ok(output) if process.ok() => row.output = output,
            _ => {
                row.output.stage = stage.name().to_owned();
                row.output.size = size;
                row.error = Some(last_line(&process.stderr));
            }
        }
        process.stdout.clear();
        process.stderr.clear();
        row.process = process;
        Ok(row)
    }

    /// The raw tantivy index of the export of `size` comments, in its own measured process.
    pub fn floor(&self, size: u64) -> anyhow::Result<CommandRow> {
        let index = self.layout.dir.join(format!("floor-{size}"));
        if index.exists() {
            std::fs::remove_dir_all(&index)?;
        }
        let args = [
            "__tantivy-floor".to_owned(),
            self.layout.csv(size).display().to_string(),
            index.display().to_string(),
        ];
        eprintln!("running the floor (a raw tantivy index) at {size}…");
        let process = measure(&std::env::current_exe()?, &args)?;
        Ok(CommandRow {
            command: "raw tantivy index of the export (en_stem, 2 threads): the floor".to_owned(),
            process,
        })
    }

    fn chorus(&self, args: &[String], shown: String) -> anyhow::Result<CommandRow> {
        eprintln!("running {shown}…");
        Ok(CommandRow {
            command: shown,
            process: measure(&self.chorus, args)?,
        })
    }

    /// `chorus train` on `fft-v6-dev.csv`, writing the model the theming stages use.
    pub fn train(&self) -> anyhow::Result<CommandRow> {
        let corpus = self.corpora.join("fft-v6-dev.csv");
        let model = self.layout.trained_model();
        let args: Vec<String> = [
            "train",
            &corpus.display().to_string(),
            "--text-column",
            "FFT answer",
            "--label-columns-after",
            "Comment sentiment",
            "--question-column",
            "FFT question",
            "--sentiment-column",
            "Comment sentiment",
            "-o",
            &model.display().to_string(),
        ]
        .map(str::to_owned)
        .to_vec();
        self.chorus(&args, "chorus train fft-v6-dev.csv … -o M".to_owned())
    }

    /// `chorus ingest` → `chorus themes --discover auto [--model M]` → `chorus report --format html`.
    pub fn e2e(&self, size: u64) -> anyhow::Result<EndToEnd> {
        let store = self.layout.e2e_store(size);
        let pack = self.layout.e2e_report(size);
        if store.exists() {
            std::fs::remove_dir_all(&store)?;
        }
        let s = store.display().to_string();
        let mut e2e = EndToEnd {
            size,
            floor: Some(self.floor(size)?),
            ..EndToEnd::default()
        };
        let ingest = self.chorus(
            &[
                "ingest".into(),
                self.layout.csv(size).display().to_string(),
                "--store".into(),
                s.clone(),
            ],
            format!("chorus ingest fft-{size}.csv --store S"),
        )?;
        let failed = !ingest.process.ok();
        e2e.commands.push(ingest);
        if failed {
            return Ok(e2e);
        }
        let mut themes: Vec<String> = ["themes", "--store", &s, "--discover", "auto", "--json"]
            .map(str::to_owned)
            .to_vec();
        let mut shown = "chorus themes --store S --discover auto".to_owned();
        if let Some(model) = self.layout.model.as_deref().filter(|m| m.is_file()) {
            themes.extend(["--model".to_owned(), model.display().to_string()]);
            shown.push_str(" --model M");
            e2e.model = true;
        }
        let mut themed = self.chorus(&themes, shown)?;
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(&themed.process.stdout) {
            e2e.themes_seconds = json["seconds"].clone();
        }
        themed.process.stdout.clear();
        let failed = !themed.process.ok();
        e2e.commands.push(themed);
        if failed {
            return Ok(e2e);
        }
        let report = self.chorus(
            &[
                "report".into(),
                "--store".into(),
                s,
                "--format".into(),
                "html".into(),
                "-o".into(),
                pack.display().to_string(),
            ],
            "chorus report --store S --format html -o pack.html".to_owned(),
        )?;
        e2e.commands.push(report);
        Ok(e2e)
    }
}

/// The error line of a failed process's stderr (the last line mentioning an error, else the last line).
fn last_line(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines
        .iter()
        .rev()
        .find(|l| l.contains("error"))
        .or(lines.last())
        .map_or("failed without a message", |l| l.trim())
        .to_owned()
}

/// Builds `chorus` in release mode with the cargo that runs the harness (if any), and returns the
/// binary's path beside the harness's own.
pub fn build_chorus(build: bool) -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let dir = me.parent().context("the harness has no folder")?;
    let chorus = dir.join("chorus");
    if build {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        eprintln!("building chorus (release)…");
        let status = Command::new(cargo)
            .current_dir(&root)
            .args(["build", "--release", "--bin", "chorus"])
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!(
                "warning: `cargo build --release --bin chorus` failed; using {} as it is",
                chorus.display()
            );
        }
    }
    anyhow::ensure!(
        chorus.is_file(),
        "no chorus binary at {}: run `cargo build --release`",
        chorus.display()
    );
    Ok(chorus)
}

fn short(n: u64) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

fn thousands(x: f64) -> String {
    chorus_core::keys::thousands(x.round() as u64)
}

impl Results {
    fn stage(&self, name: &str, size: u64) -> Option<&StageRow> {
        self.stages
            .iter()
            .find(|r| r.output.stage == name && r.output.size == size && r.error.is_none())
            .filter(|r| !r.output.skipped)
    }

    fn sizes(&self) -> Vec<u64> {
        let mut sizes: Vec<u64> = self.stages.iter().map(|r| r.output.size).collect();
        sizes.sort_unstable();
        sizes.dedup();
        sizes
    }

    /// The Markdown tables of BENCHMARKS.md.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let m = &self.machine;
        let _ = writeln!(
            out,
            "Machine: {} × {}, {:.1} GiB; {}; started {}; load average before {}, after {}.\n",
            m.cpus, m.cpu, m.memory_gib, m.rustc, m.started, m.load_before, m.load_after
        );
        if !self.stages.is_empty() {
            self.stage_table(&mut out);
            self.scaling_table(&mut out);
            self.query_table(&mut out);
        }
        if let Some(train) = &self.train {
            let p = &train.process;
            let _ = writeln!(out, "### Training\n");
            let _ = writeln!(
                out,
                "`{}`: {}\n",
                train.command,
                if p.ok() {
                    format!(
                        "{:.2} s wall, peak {:.0} MiB, {:.2} cores busy",
                        p.wall_seconds,
                        p.peak_mib(),
                        p.cores_busy()
                    )
                } else {
                    format!("failed: {}", last_line(&p.stderr))
                }
            );
        }
        if let Some(e2e) = &self.e2e {
            e2e_table(&mut out, e2e);
        }
        out
    }

    fn stage_table(&self, out: &mut String) {
        let _ = writeln!(out, "### Stages\n");
        let _ = writeln!(
            out,
            "| stage | N | time (s) | comments/s | × floor | cores busy | process wall (s) | peak RSS (MiB) | notes |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---|");
        for size in self.sizes() {
            let floor = self.stage("floor", size).map(|r| r.output.seconds);
            for row in self.stages.iter().filter(|r| r.output.size == size) {
                let o = &row.output;
                let p = &row.process;
                if let Some(error) = &row.error {
                    let _ = writeln!(
                        out,
                        "| {} | {} | | | | | {:.1} | {:.0} | FAILED: {} |",
                        o.stage,
                        short(size),
                        p.wall_seconds,
                        p.peak_mib(),
                        error.replace('|', "\\|")
                    );
                    continue;
                }
                if o.skipped {
                    let _ = writeln!(
                        out,
                        "| {} | {} | | | | | | | skipped: {} |",
                        o.stage,
                        short(size),
                        o.note.as_deref().unwrap_or("")
                    );
                    continue;
                }
                let rate = if o.stage == "query" {
                    format!("{:.0} queries/s", o.items as f64 / o.seconds)
                } else {
                    thousands(o.items as f64 / o.seconds.max(1e-9))
                };
                let multiple = match (floor, o.stage.as_str()) {
                    (_, "query") | (None, _) => String::new(),
                    (Some(f), _) => format!("{:.2}", o.seconds / f),
                };
                let mut notes: Vec<String> = o
                    .figures
                    .iter()
                    .filter(|(k, _)| {
                        [
                            "read_seconds",
                            "analysis_seconds",
                            "build_seconds",
                            "store_mib",
                            "discovered_themes",
                        ]
                        .contains(&k.as_str())
                    })
                    .map(|(k, v)| format!("{} {v:.2}", k.replace('_', " ")))
                    .collect();
                if let Some(note) = &o.note {
                    notes.push(note.clone());
                }
                // The work's own CPU time where the stage measured it, else the whole process's.
                let busy = o
                    .figures
                    .get("cpu_seconds")
                    .map_or(p.cores_busy(), |cpu| cpu / o.seconds.max(1e-9));
                let _ = writeln!(
                    out,
                    "| {} | {} | {:.2} | {rate} | {multiple} | {busy:.2} | {:.1} | {:.0} | {} |",
                    o.stage,
                    short(size),
                    o.seconds,
                    p.wall_seconds,
                    p.peak_mib(),
                    notes.join("; ")
                );
            }
        }
        out.push('\n');
    }

    fn scaling_table(&self, out: &mut String) {
        let sizes = self.sizes();
        if sizes.len() < 2 {
            return;
        }
        let _ = writeln!(out, "### Scaling (seconds of each stage's own work)\n");
        let _ = write!(out, "| stage |");
        for size in &sizes {
            let _ = write!(out, " {} |", short(*size));
        }
        let _ = writeln!(
            out,
            " growth exponent {}→{} (1 = linear) |",
            short(sizes[0]),
            short(sizes[sizes.len() - 1])
        );
        let _ = writeln!(out, "|---|{}---:|", "---:|".repeat(sizes.len()));
        for stage in Stage::ALL {
            let times: Vec<Option<f64>> = sizes
                .iter()
                .map(|s| self.stage(stage.name(), *s).map(|r| r.output.seconds))
                .collect();
            if times.iter().all(Option::is_none) {
                continue;
            }
            let _ = write!(out, "| {} |", stage.name());
            for t in &times {
                match t {
                    Some(t) => {
                        let _ = write!(out, " {t:.2} |");
                    }
                    None => out.push_str(" |"),
                }
            }
            let (first, last) = (sizes[0] as f64, sizes[sizes.len() - 1] as f64);
            match (times[0], times[times.len() - 1]) {
                (Some(a), Some(b)) if a > 0.0 && stage != Stage::Query => {
                    let _ = writeln!(out, " {:.2} |", (b / a).ln() / (last / first).ln());
                }
                _ => out.push_str(" |\n"),
            }
        }
        out.push('\n');
    }

    fn query_table(&self, out: &mut String) {
        let rows: Vec<&StageRow> = self
            .stages
            .iter()
            .filter(|r| r.output.stage == "query" && r.error.is_none())
            .collect();
        if rows.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "### Queries (20 queries × 5 rounds, facets + 10 highlighted hits each)\n"
        );
        let _ = writeln!(
            out,
            "| N | median (ms) | p99 (ms) | max (ms) | open + first query (ms) | match-all + facets (ms) | stats (ms) | kwic (ms) |"
        );
        let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|");
        for row in rows {
            let f = |k: &str| row.output.figures.get(k).copied().unwrap_or(f64::NAN);
            let _ = writeln!(
                out,
                "| {} | {:.2} | {:.2} | {:.2} | {:.1} | {:.1} | {:.1} | {:.1} |",
                short(row.output.size),
                f("median_ms"),
                f("p99_ms"),
                f("max_ms"),
                f("open_first_query_ms"),
                f("match_all_ms"),
                f("stats_ms"),
                f("kwic_ms")
            );
        }
        out.push('\n');
    }
}

fn e2e_table(out: &mut String, e2e: &EndToEnd) {
    let _ = writeln!(
        out,
        "### End to end, {} comments, real `chorus` binary\n",
        short(e2e.size)
    );
    let _ = writeln!(
        out,
        "| command | wall (s) | CPU (s) | peak RSS (MiB) | cores busy | status |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---|");
    for c in e2e.floor.iter().chain(&e2e.commands) {
        let p = &c.process;
        let _ = writeln!(
            out,
            "| `{}` | {:.1} | {:.1} | {:.0} | {:.2} | {} |",
            c.command,
            p.wall_seconds,
            p.user_seconds + p.system_seconds,
            p.peak_mib(),
            p.cores_busy(),
            if p.ok() {
                "ok".to_owned()
            } else {
                format!("FAILED: {}", last_line(&p.stderr).replace('|', "\\|"))
            }
        );
    }
    let cpu: f64 = e2e
        .commands
        .iter()
        .map(|c| c.process.user_seconds + c.process.system_seconds)
        .sum();
    let _ = writeln!(
        out,
        "| **total** (the three `chorus` commands) | **{:.1}** | **{cpu:.1}** | **{:.0}** (highest) | | |\n",
        e2e.wall(),
        e2e.peak_mib()
    );
    if let Some(floor) = e2e.floor_wall() {
        let times = e2e.wall() / floor.max(1e-9);
        let peak = e2e.peak_mib();
        let _ = writeln!(
            out,
            "End to end = {times:.1}× the floor ({:.1} s / {floor:.1} s). Issue 11's goal, at most 3× the floor and every command at most 1 GiB: {} ({}; {}).\n",
            e2e.wall(),
            if times <= 3.0 && peak <= 1024.0 && e2e.ok() {
                "MET"
            } else {
                "NOT MET"
            },
            if times <= 3.0 {
                "time yes".to_owned()
            } else {
                format!("time no, {times:.1}×")
            },
            if peak <= 1024.0 {
                "memory yes".to_owned()
            } else {
                format!("memory no, {peak:.0} MiB")
            },
        );
    }
    let _ = writeln!(
        out,
        "CPU time / 2 = {:.1} s: the wall time had both cores done nothing else and been busy throughout.\n",
        cpu / 2.0
    );
    if !e2e.themes_seconds.is_null() {
        let _ = writeln!(
            out,
            "`chorus themes` breakdown (s): {}\n",
            e2e.themes_seconds
        );
    }
    let verdict = if !e2e.ok() {
        "NOT MET: a command failed".to_owned()
    } else {
        let wall = e2e.wall();
        let peak = e2e.peak_mib();
        format!(
            "{} (target < 60 s: {}; peak < 2048 MiB: {}){}",
            if wall < 60.0 && peak < 2048.0 {
                "MET"
            } else {
                "NOT MET"
            },
            if wall < 60.0 { "yes" } else { "no" },
            if peak < 2048.0 { "yes" } else { "no" },
            if e2e.model {
                ""
            } else {
                "; run without a trained model (none could be trained or loaded)"
            }
        )
    };
    let _ = writeln!(out, "Verdict: {verdict}\n");
}
