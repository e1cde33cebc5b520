//! `chorus serve`: the story explorer, a local web page over a Chorus store.
//!
//! Care teams and researchers read the store's evidence in a browser: an overview (headline figures,
//! the touchpoint journey, themes going up or down, discordant comments), search with the query
//! language, filters and facet counts, a page per theme and touchpoint, a page per comment with its
//! clauses marked and similar comments, exports of any selection, and corrections a reviewer makes to a
//! comment's labels. Everything is server-rendered HTML (the page's small script only makes it smoother)
//! and a JSON API under `/api/` that the page and scripts share.
//!
//! This crate holds no search or theming logic: pages are made from `chorus-index` (search, facets,
//! lookups, corrections, the annotations with each comment's clauses), `chorus-report` (the overview's report,
//! SPC charts, exports, the pack) and `chorus-core` (applying corrections).
//!
//! - [`Options`] say where the store is, where to listen and who reviews; [`Server::start`] opens the
//!   store and binds, [`Server::url`] is the address to open, [`Server::run`] serves until the process
//!   ends.
//! - Safety: every value reaches HTML through `maud`'s escaping; responses carry a
//!   Content-Security-Policy that allows nothing from another host and no inline script; requests
//!   that change anything must come from the page itself (Origin and Host checked, a per-run token in
//!   forms, JSON only with `Content-Type: application/json`); binding to anything but loopback needs an
//!   access token. Request sizes are bounded (`http` module) and a handler that panics answers 500.
//!   Nothing is written but corrections, inside the store.
#![deny(missing_docs)]

mod api;
mod app;
mod assets;
mod cache;
mod corrections;
mod errors;
pub mod http;
mod layout;
mod pages;
mod params;
mod summary;
pub mod url;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use chorus_index::Store;

pub use app::App;

/// The default port (`chorus serve` without `--port`).
pub const DEFAULT_PORT: u16 = 8650;

/// What to serve, where, and for whom.
#[derive(Debug)]
pub struct Options {
    /// The store directory.
    pub store: PathBuf,
    /// The address to listen on (loopback unless an access token is given).
    pub host: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// The access token every request must carry (required when `host` is not loopback).
    pub token: Option<String>,
    /// The reviewer's name recorded with corrections.
    pub reviewer: Option<String>,
    /// Serve without corrections (for sharing with researchers).
    pub read_only: bool,
    /// How much a request may ask.
    pub limits: http::Limits,
}

impl Options {
    /// Serving `store` on 127.0.0.1 at the default port.
    pub fn new(store: PathBuf) -> Options {
        Options {
            store,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            token: None,
            reviewer: None,
            read_only: false,
            limits: http::Limits::default(),
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store could not be opened.
    #[error("opening the store {}", path.display())]
    Store {
        /// The store directory.
        path: PathBuf,
        /// Why.
        source: chorus_index::Error,
    },
    /// The address could not be bound.
    #[error("cannot listen on {address}: is another server using that port? try --port 0")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A non-loopback address without an access token.
    #[error(
        "listening on {host} lets other machines read the comments: give an access token with --token (at least 16 characters), which the page will ask for"
    )]
    NeedsToken {
        /// The address asked for.
        host: IpAddr,
    },
    /// The access token is too weak or holds characters a cookie cannot carry.
    #[error("the access token {reason}")]
    BadToken {
        /// What is wrong.
        reason: &'static str,
    },
}

/// A server ready to run.
pub struct Server {
    http: http::Server,
    app: Arc<App>,
    url: String,
}

impl Server {
    /// Opens the store, binds the address and starts preparing the overview in the background.
    pub fn start(options: Options) -> Result<Server, Error> {
        if let Some(token) = &options.token {
            check_token(token)?;
        } else if !options.host.is_loopback() {
            return Err(Error::NeedsToken { host: options.host });
        }
        let store = Store::open(&options.store).map_err(|source| Error::Store {
            path: options.store.clone(),
            source,
        })?;
        let address = SocketAddr::new(options.host, options.port);
        let http = http::Server::bind(address, options.limits)
            .map_err(|source| Error::Bind { address, source })?;
        let bound = http
            .local_addr()
            .map_err(|source| Error::Bind { address, source })?;
        let app = App::new(store, &options, bound).map_err(|source| Error::Store {
            path: options.store.clone(),
            source,
        })?;
        let host = match bound.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let url = format!("http://{host}:{}/", bound.port());
        Ok(Server {
            http,
            app: Arc::new(app),
            url,
        })
    }

    /// The address to open in a browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The application, for callers that want to answer requests without a socket.
    pub fn app(&self) -> Arc<App> {
        Arc::clone(&self.app)
    }

    /// Serves until the process ends.
    pub fn run(self) -> std::io::Result<()> {
        app::prepare_summary(&self.app);
        self.http.run(self.app)
    }
}

fn check_token(token: &str) -> Result<(), Error> {
    if token.chars().count() < 16 {
        return Err(Error::BadToken {
            reason: "is too short: use at least 16 characters",
        });
    }
    if !token
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'\\'))
    {
        return Err(Error::BadToken {
            reason: "may hold only letters, digits and punctuation other than ; , \" and \\",
        });
    }
    Ok(())
}
