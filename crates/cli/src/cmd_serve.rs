//! `chorus serve`: the story explorer, a local web page over a store.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chorus_serve::{DEFAULT_PORT, Options, Server};

/// Open a store in the browser: overview, search, themes, comments, corrections and exports.
///
/// Serves a web page on this computer (http://127.0.0.1:8650/ by default) from the binary alone: no
/// other site is contacted. Leave it running while you use the page; stop it with Ctrl-C. People's
/// corrections to comments' labels are kept in the store (corrections.jsonl) and win over the
/// machine's on every page and export.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The store, or the output folder of `chorus analyse` (which holds it in store/).
    #[arg(
        value_name = "DIR",
        required_unless_present = "store",
        conflicts_with = "store"
    )]
    pub dir: Option<PathBuf>,
    /// The store (a directory made by `chorus ingest`).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// The port; 0 picks a free one.
    #[arg(long, default_value_t = DEFAULT_PORT, value_name = "N")]
    pub port: u16,
    /// The address to listen on. Anything but loopback (127.0.0.1, ::1) lets other machines in, and
    /// needs --token.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub host: IpAddr,
    /// An access token the page asks for (at least 16 characters); scripts send it as
    /// `Authorization: Bearer TOKEN`. Also read from CHORUS_TOKEN, which other users cannot see.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Your name or initials, recorded with each correction you make.
    #[arg(long, value_name = "NAME")]
    pub reviewer: Option<String>,
    /// Serve without corrections (for sharing with researchers).
    #[arg(long)]
    pub read_only: bool,
}

/// Runs `chorus serve` until the process is stopped.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let Some(dir) = args.store.or(args.dir) else {
        bail!("give the store: chorus serve DIR");
    };
    let store = locate(dir);
    let reviewer = args
        .reviewer
        .map(|r| {
            r.chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect::<String>()
        })
        .filter(|r| !r.trim().is_empty());
    let server = Server::start(Options {
        host: args.host,
        port: args.port,
        token: args
            .token
            .or_else(|| std::env::var("CHORUS_TOKEN").ok().filter(|t| !t.is_empty())),
        reviewer,
        read_only: args.read_only,
        ..Options::new(store.clone())
    })?;
    // A closed standard output (the terminal gone, a script that read the address and left) must not
    // stop the server.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "Chorus is serving {} at {}",
        store.display(),
        server.url()
    );
    let _ = writeln!(out, "Open that address in a browser; stop with Ctrl-C.");
    let _ = out.flush();
    drop(out);
    server.run().context("serving")?;
    Ok(ExitCode::SUCCESS)
}

/// The store given, or the store inside an output folder of `chorus analyse`.
fn locate(dir: PathBuf) -> PathBuf {
    let inner = dir.join("store");
    if !dir.join(chorus_index::MANIFEST_FILE).is_file()
        && inner.join(chorus_index::MANIFEST_FILE).is_file()
    {
        inner
    } else {
        dir
    }
}
