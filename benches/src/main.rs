//! `chorus-bench`: the benchmark runner. `cargo run --release -p chorus-bench -- all` runs everything and
//! prints the tables of BENCHMARKS.md; see `--help` for the single steps.

use std::path::PathBuf;

/// The allocator the `chorus` binary uses, so in-process stages measure what users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

use anyhow::Context;
use chorus_bench::measure::wrapper_main;
use chorus_bench::stages::{self, Layout, Stage};
use chorus_bench::suite::{self, Machine, Results, Suite};
use clap::{Args, Parser, Subcommand};

/// Benchmarks Chorus at national scale on generated FFT exports made from the real corpora.
#[derive(Debug, Parser)]
#[command(name = "chorus-bench")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Everything: generate, train, every stage at every size, the end-to-end run; prints Markdown tables
    /// and writes the figures as JSON.
    All {
        #[command(flatten)]
        common: Common,
        /// Comment counts to run the stages at.
        #[arg(long, value_delimiter = ',', default_value = "100000,300000,1000000")]
        sizes: Vec<u64>,
        /// Comment count of the end-to-end run (default: the largest size).
        #[arg(long)]
        e2e_size: Option<u64>,
        /// Only these stages (default: all).
        #[arg(long, value_delimiter = ',')]
        stages: Vec<Stage>,
        /// Skip the end-to-end run.
        #[arg(long)]
        no_e2e: bool,
    },
    /// Generate the exports (reused by later runs; `--regenerate` to remake them).
    Generate {
        #[command(flatten)]
        common: Common,
        /// Comment counts.
        #[arg(long, value_delimiter = ',', default_value = "100000,300000,1000000")]
        sizes: Vec<u64>,
    },
    /// Run some stages at one size, each in its own measured process.
    Stage {
        #[command(flatten)]
        common: Common,
        /// The stages, in order (each needs the store state the ones before it leave).
        #[arg(required = true, value_delimiter = ',')]
        stages: Vec<Stage>,
        /// Comment count.
        #[arg(long, default_value_t = 100_000)]
        size: u64,
    },
    /// `chorus train` on the v6 corpus, then ingest → themes → report with the real binary.
    E2e {
        #[command(flatten)]
        common: Common,
        /// Comment count.
        #[arg(long, default_value_t = 1_000_000)]
        size: u64,
    },
    /// `chorus serve` on a themed store (default: the end-to-end store of SIZE): ready time, each page's
    /// latency one request at a time, then CLIENTS concurrent clients for SECONDS, and the server's peak
    /// memory; prints the table of BENCHMARKS.md.
    Serve {
        #[command(flatten)]
        common: Common,
        /// Comment count of the end-to-end store to serve (`chorus-bench e2e --size N` makes it).
        #[arg(long, default_value_t = 1_000_000)]
        size: u64,
        /// Serve this store instead.
        #[arg(long, value_name = "DIR")]
        store: Option<PathBuf>,
        /// Sequential requests of each page.
        #[arg(long, default_value_t = 50)]
        repeats: usize,
        /// Concurrent clients of the load test.
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Seconds of the load test.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    /// Run one stage in this process and print its figures as JSON (what the suite measures; run it under
    /// a profiler: `perf record -g target/release/chorus-bench in-process save --size 1000000`).
    InProcess {
        /// The stage.
        stage: Stage,
        /// Comment count (the export and store of that size must exist).
        #[arg(long)]
        size: u64,
        /// The data folder.
        #[arg(long)]
        data: Option<PathBuf>,
        /// The trained model.
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Internal: index the export CSV into a new raw tantivy index DIR (the floor) and print what it did
    /// as JSON.
    #[command(name = "__tantivy-floor", hide = true)]
    TantivyFloor {
        /// The generated export.
        csv: PathBuf,
        /// The index folder to create.
        dir: PathBuf,
    },
    /// Internal: run PROGRAM and print its wall time, CPU time and peak memory as JSON.
    #[command(name = "__measure", hide = true)]
    Measure {
        /// The program.
        program: String,
        /// Its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

#[derive(Debug, Args)]
struct Common {
    /// The data folder: exports, stores, model, packs and results.json.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// A trained model to use instead of training one with `chorus train`.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// The real corpora (default ../shared/corpora, or $CHORUS_SHARED_CORPORA).
    #[arg(long, value_name = "DIR")]
    corpora: Option<PathBuf>,
    /// The generator's seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Remake the exports even if they exist.
    #[arg(long)]
    regenerate: bool,
    /// Use target/release/chorus as it is instead of building it first.
    #[arg(long)]
    no_build: bool,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn data_dir(data: Option<PathBuf>) -> PathBuf {
    data.unwrap_or_else(|| repo().join("target/bench-data"))
}

impl Common {
    fn suite(&self, chorus: bool) -> anyhow::Result<Suite> {
        let corpora = self.corpora.clone().unwrap_or_else(chorus_testdata::dir);
        let chorus = if chorus {
            suite::build_chorus(!self.no_build)?
        } else {
            PathBuf::new()
        };
        let dir = data_dir(self.data.clone());
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Suite {
            layout: Layout {
                dir: dir.canonicalize()?,
                model: self.model.clone(),
            },
            chorus,
            corpora,
            sample: repo().join("corpora/sample-fft.csv"),
            seed: self.seed,
        })
    }
}

/// Trains a model unless one was given; the suite uses it if training worked.
fn train(suite: &mut Suite, results: &mut Results) -> anyhow::Result<()> {
    if suite.layout.model.is_some() {
        return Ok(());
    }
    let trained = suite.layout.trained_model();
    let _ = std::fs::remove_file(&trained);
    let row = suite.train()?;
    if row.process.ok() && trained.is_file() {
        suite.layout.model = Some(trained);
    } else {
        eprintln!("training failed: the model stages are skipped");
    }
    results.train = Some(row);
    Ok(())
}

/// New results, with this machine's description and the exports of `sizes` generated (or reused).
fn generated(suite: &Suite, sizes: &[u64], regenerate: bool) -> anyhow::Result<Results> {
    let mut results = Results {
        machine: Machine::now(),
        ..Results::default()
    };
    for &size in sizes {
        results.generated.push(suite.generate(size, regenerate)?);
    }
    Ok(results)
}

fn finish(suite: &Suite, mut results: Results) -> anyhow::Result<()> {
    results.machine.load_after = suite::loadavg();
    let path = suite.layout.dir.join("results.json");
    std::fs::write(&path, serde_json::to_string_pretty(&results)?)?;
    print!("{}", results.markdown());
    eprintln!("figures written to {}", path.display());
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Cmd::All {
            common,
            sizes,
            e2e_size,
            stages,
            no_e2e,
        } => {
            let mut suite = common.suite(true)?;
            let mut results = generated(&suite, &sizes, common.regenerate)?;
            train(&mut suite, &mut results)?;
            let stages = if stages.is_empty() {
                Stage::ALL.to_vec()
            } else {
                stages
            };
            for &size in &sizes {
                for &stage in &stages {
                    results.stages.push(suite.stage(stage, size)?);
                }
            }
            if !no_e2e {
                let size = e2e_size
                    .or(sizes.iter().max().copied())
                    .unwrap_or(1_000_000);
                results.generated.push(suite.generate(size, false)?);
                results.e2e = Some(suite.e2e(size)?);
            }
            finish(&suite, results)
        }
        Cmd::Generate { common, sizes } => {
            let suite = common.suite(false)?;
            for size in sizes {
                suite.generate(size, common.regenerate)?;
            }
            Ok(())
        }
        Cmd::Stage {
            common,
            stages,
            size,
        } => {
            let suite = common.suite(false)?;
            let mut results = generated(&suite, &[size], common.regenerate)?;
            for stage in stages {
                results.stages.push(suite.stage(stage, size)?);
            }
            finish(&suite, results)
        }
        Cmd::E2e { common, size } => {
            let mut suite = common.suite(true)?;
            let mut results = generated(&suite, &[size], common.regenerate)?;
            train(&mut suite, &mut results)?;
            results.e2e = Some(suite.e2e(size)?);
            finish(&suite, results)
        }
        Cmd::Serve {
            common,
            size,
            store,
            repeats,
            clients,
            seconds,
        } => {
            let suite = common.suite(true)?;
            let store = store.unwrap_or_else(|| suite.layout.e2e_store(size));
            let options = chorus_bench::serve::ServeOptions {
                chorus: suite.chorus.clone(),
                store,
                repeats,
                clients,
                seconds,
            };
            let results = chorus_bench::serve::run(&options)?;
            let path = suite.layout.dir.join("serve-results.json");
            std::fs::write(&path, serde_json::to_string_pretty(&results)?)?;
            print!("{}", results.markdown());
            eprintln!("figures written to {}", path.display());
            Ok(())
        }
        Cmd::InProcess {
            stage,
            size,
            data,
            model,
        } => {
            let layout = Layout {
                dir: data_dir(data),
                model,
            };
            let output = stages::run(stage, &layout, size)?;
            println!("{}", serde_json::to_string(&output)?);
            Ok(())
        }
        Cmd::TantivyFloor { csv, dir } => {
            let output = chorus_bench::floor::tantivy_floor(&csv, &dir)?;
            println!("{}", serde_json::to_string(&output)?);
            Ok(())
        }
        Cmd::Measure { program, args } => wrapper_main(&program, &args),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("chorus-bench: error: {error:#}");
            ExitCode::from(2)
        }
    }
}
