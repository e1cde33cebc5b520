//! `chorus train` (being built).

use std::process::ExitCode;

/// Arguments (being built).
#[derive(Debug, clap::Args)]
pub struct TrainArgs {}

/// Not built yet.
pub fn run_train(_args: TrainArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("this command is not built yet")
}
