//! Wall time, CPU time and peak memory of one child process.
//!
//! Peak memory comes from `getrusage(RUSAGE_CHILDREN)`, which is the largest peak among *all* the children
//! a process has waited for. So the harness never measures a stage directly: it runs itself as a small
//! wrapper (`chorus-bench __measure -- PROGRAM ARGS…`) whose only child is the stage, and the wrapper
//! reports that child's figures as one JSON line.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use nix::sys::resource::{UsageWho, getrusage};
use serde::{Deserialize, Serialize};

/// What one child process cost.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Measured {
    /// From spawn to exit, seconds.
    pub wall_seconds: f64,
    /// User CPU seconds.
    pub user_seconds: f64,
    /// System CPU seconds.
    pub system_seconds: f64,
    /// Peak resident set size, KiB.
    pub max_rss_kib: u64,
    /// Exit code (-1 if killed by a signal).
    pub status: i32,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl Measured {
    /// Peak resident set size in MiB.
    pub fn peak_mib(&self) -> f64 {
        self.max_rss_kib as f64 / 1024.0
    }

    /// CPU seconds per wall second: 2.0 means both cores were busy throughout.
    pub fn cores_busy(&self) -> f64 {
        (self.user_seconds + self.system_seconds) / self.wall_seconds.max(1e-9)
    }

    /// Whether it exited with status 0.
    pub fn ok(&self) -> bool {
        self.status == 0
    }
}

/// The wrapper's side: runs `program args`, waits, prints [`Measured`] as JSON on stdout.
pub fn wrapper_main(program: &str, args: &[String]) -> anyhow::Result<()> {
    let started = Instant::now();
    let output = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("running {program}"))?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).context("getrusage")?;
    let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    let measured = Measured {
        wall_seconds,
        user_seconds: seconds(usage.user_time()),
        system_seconds: seconds(usage.system_time()),
        // Linux reports ru_maxrss in KiB.
        max_rss_kib: usage.max_rss().max(0) as u64,
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    println!("{}", serde_json::to_string(&measured)?);
    Ok(())
}

/// The harness's side: runs `program args` under the wrapper (this executable) and returns what it cost.
pub fn measure(program: &Path, args: &[String]) -> anyhow::Result<Measured> {
    let me = std::env::current_exe().context("finding the harness executable")?;
    let output = Command::new(&me)
        .arg("__measure")
        .arg("--")
        .arg(program)
        .args(args)
        .output()
        .with_context(|| format!("running {}", me.display()))?;
    anyhow::ensure!(
        output.status.success(),
        "the measuring wrapper failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(line.trim()).context("reading the wrapper's report")
}

/// This process's own peak resident set size so far, MiB (`VmHWM`), for figures printed from inside a
/// stage.
pub fn own_peak_mib() -> f64 {
    status_mib("VmHWM:")
}

/// This process's resident set size now, MiB (`VmRSS`).
pub fn own_rss_mib() -> f64 {
    status_mib("VmRSS:")
}

fn status_mib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// User + system CPU seconds of this process (all its threads) so far, from `/proc/self/stat`.
pub fn own_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (in parentheses): utime and stime are the 12th and 13th, in
    // clock ticks of 1/100 s on Linux.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<f64> = after
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    fields
        .get(10)
        .zip(fields.get(11))
        .map_or(f64::NAN, |(u, s)| (u + s) / 100.0)
}
