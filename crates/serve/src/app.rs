//! The application: the store, what the pages share (catalog, corrections, the overview being
//! prepared), the checks every request passes, and the routes.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use chorus_core::ThemeCatalog;
use chorus_core::corrections::{CommentKey, Corrections, Review};
use chorus_index::Store;

use crate::cache::PageCache;
use crate::errors::Failure;
use crate::http::{Handler, Method, Request, Response};
use crate::summary::SummaryCell;
use crate::{Options, api, assets, corrections, errors, pages};

/// The longest query string accepted, in bytes (a search with many filters fits many times over).
pub(crate) const MAX_QUERY: usize = 4096;
/// The cookie that carries the access token once the page has asked for it.
pub(crate) const ACCESS_COOKIE: &str = "chorus_access";

/// Everything the pages share.
pub struct App {
    pub(crate) store: Store,
    pub(crate) catalog: Option<ThemeCatalog>,
    /// People's corrections are the store's (`Store::corrections`); this is held while one is made, so
    /// that two reviewers' changes are checked and saved one after the other.
    pub(crate) correcting: Mutex<()>,
    pub(crate) summary: Arc<SummaryCell>,
    /// Pages reached by links, kept until the data changes.
    pub(crate) pages: PageCache,
    /// A random token of this run, put in every form: a form posted from elsewhere lacks it.
    pub(crate) session: String,
    /// The access token, when every request must carry one.
    pub(crate) access: Option<String>,
    pub(crate) reviewer: Option<String>,
    pub(crate) read_only: bool,
    /// The `Host` values a request may carry (when listening on loopback).
    hosts: Vec<String>,
    /// A short name for the store, for page titles.
    pub(crate) store_name: String,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("store", &self.store).finish()
    }
}

impl App {
    /// The application over an open store, for a server bound at `bound`.
    pub(crate) fn new(
        store: Store,
        options: &Options,
        bound: SocketAddr,
    ) -> Result<App, chorus_index::Error> {
        let catalog = store.catalog()?;
        // Read now, so that a corrections file the server cannot read stops it at start.
        store.corrections()?;
        let port = bound.port();
        let hosts = if bound.ip().is_loopback() {
            vec![
                format!("127.0.0.1:{port}"),
                format!("localhost:{port}"),
                format!("[::1]:{port}"),
            ]
        } else {
            Vec::new()
        };
        let store_name = store
            .dir()
            .canonicalize()
            .unwrap_or_else(|_| store.dir().to_owned())
            .iter()
            .rfind(|part| *part != "store")
            .map(|part| part.to_string_lossy().into_owned())
            .unwrap_or_else(|| "store".to_owned());
        Ok(App {
            store,
            catalog,
            correcting: Mutex::new(()),
            summary: Arc::new(SummaryCell::default()),
            pages: PageCache::default(),
            session: random_token(),
            access: options.token.clone(),
            reviewer: options.reviewer.clone(),
            read_only: options.read_only,
            hosts,
            store_name,
        })
    }

    /// A touchpoint's name for people (the catalog's label, as the journey shows it), from its id.
    pub(crate) fn touchpoint_name(&self, id: &str) -> String {
        self.catalog
            .as_ref()
            .and_then(|c| c.touchpoints.iter().find(|t| t.id.eq_ignore_ascii_case(id)))
            .filter(|t| !t.label.trim().is_empty())
            .map_or_else(|| id.to_owned(), |t| t.label.clone())
    }

    /// The corrections as they stand (the store's list, read at start and kept up to date by each
    /// correction saved, so this cannot fail after [`App::new`]).
    pub(crate) fn corrections(&self) -> Arc<Corrections> {
        self.store.corrections().unwrap_or_default()
    }

    /// A comment of the store with people's corrections applied, or a 404.
    pub(crate) fn comment(&self, key: CommentKey) -> Result<chorus_core::Comment, Failure> {
        self.reviewed(key).map(|(comment, _)| comment)
    }

    /// A comment with people's corrections applied, and what they changed.
    pub(crate) fn reviewed(
        &self,
        key: CommentKey,
    ) -> Result<(chorus_core::Comment, Review), Failure> {
        let mut comment = self
            .store
            .comment(key)
            .map_err(Failure::store)?
            .ok_or_else(|| Failure::not_found("there is no comment with this key in the store"))?;
        let review = self.corrections().apply_to(&mut comment);
        Ok((comment, review))
    }

    /// A page kept from before when it can be, else [`App::route`] (keeping its page when it can be).
    fn kept_or_route(&self, request: &Request) -> Result<Response, Failure> {
        let Some(key) = PageCache::key(request) else {
            return self.route(request);
        };
        match self.pages.get(&key) {
            Ok(page) => Ok(Response::clone(&page)),
            Err(ticket) => {
                let page = self.route(request)?;
                self.pages.put(key, ticket, &page);
                Ok(page)
            }
        }
    }

    /// Answers a request that passed the checks.
    fn route(&self, request: &Request) -> Result<Response, Failure> {
        let segments: Vec<&str> = request.segments.iter().map(String::as_str).collect();
        let get = matches!(request.method, Method::Get | Method::Head);
        let post = request.method == Method::Post;
        match (segments.as_slice(), get, post) {
            ([], true, _) => pages::overview::page(self, request),
            (["search"], true, _) => pages::search::page(self, request),
            (["themes"], true, _) => pages::subject::index(self, request),
            (["themes", name], true, _) => pages::subject::theme(self, request, name),
            (["touchpoints", id], true, _) => pages::subject::touchpoint(self, request, id),
            (["comments"], true, _) => pages::comment::lookup(self, request),
            (["comments", key], true, _) => pages::comment::page(self, request, key),
            (["comments", key, "corrections"], _, true) => corrections::form(self, request, key),
            (["export", file], true, _) => pages::export::download(self, request, file),
            (["static", file], true, _) => assets::file(file),
            (["login"], true, _) => Ok(pages::login::page(self, None)),
            (["login"], _, true) => pages::login::submit(self, request),
            (["api", rest @ ..], _, _) => api::route(self, request, rest),
            (
                []
                | ["search"]
                | ["themes", ..]
                | ["touchpoints", _]
                | ["comments", ..]
                | ["export", _]
                | ["static", _],
                _,
                _,
            ) => Err(Failure::method()),
            _ => Err(Failure::not_found("there is no page at this address")),
        }
    }

    /// Whether the request may be answered at all: the Host it names, its size, its access token.
    fn admit(&self, request: &Request) -> Result<(), Failure> {
        if !self.hosts.is_empty() {
            let host = request.header("host").unwrap_or("");
            if !self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
                return Err(Failure::new(
                    421,
                    "this server answers only requests addressed to it by its loopback address",
                ));
            }
        }
        if request.raw_query.len() > MAX_QUERY {
            return Err(Failure::new(414, "the address is too long"));
        }
        if let Some(token) = &self.access {
            let open = matches!(
                request.segments.first().map(String::as_str),
                Some("static" | "login")
            );
            let given = request.cookie(ACCESS_COOKIE).or_else(|| {
                request
                    .header("authorization")
                    .and_then(|a| a.strip_prefix("Bearer "))
            });
            if !open && !given.is_some_and(|g| same(g.as_bytes(), token.as_bytes())) {
                return Err(Failure::access());
            }
        }
        Ok(())
    }

    /// Whether a request that changes something comes from this server's own page: no other origin
    /// named, no cross-site fetch.
    pub(crate) fn same_origin(&self, request: &Request) -> Result<(), Failure> {
        let host = request.header("host").unwrap_or("");
        if let Some(origin) = request.header("origin") {
            let expected = format!("http://{host}");
            if !origin.eq_ignore_ascii_case(&expected) {
                return Err(Failure::new(
                    403,
                    "this change was sent from another site: make it from the Chorus page itself",
                ));
            }
        }
        if request
            .header("sec-fetch-site")
            .is_some_and(|s| s != "same-origin" && s != "none")
        {
            return Err(Failure::new(
                403,
                "this change was sent from another site: make it from the Chorus page itself",
            ));
        }
        Ok(())
    }
}

impl Handler for App {
    fn handle(&self, request: &Request) -> Response {
        let api = request.segments.first().is_some_and(|s| s == "api");
        let result = self
            .admit(request)
            .and_then(|()| self.kept_or_route(request));
        match result {
            Ok(response) => response,
            Err(failure) if failure.status == 401 && !api => {
                pages::login::page(self, None).with_status(401)
            }
            Err(failure) => errors::render(self, &failure, api),
        }
    }

    fn refuse(&self, status: u16, reason: &str) -> Response {
        errors::render(self, &Failure::new(status, reason), false)
    }

    fn common_headers(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
                    .to_owned(),
            ),
            ("X-Content-Type-Options", "nosniff".to_owned()),
            ("X-Frame-Options", "DENY".to_owned()),
            ("Referrer-Policy", "no-referrer".to_owned()),
            ("Cross-Origin-Opener-Policy", "same-origin".to_owned()),
            ("Cross-Origin-Resource-Policy", "same-origin".to_owned()),
        ]
    }
}

impl Response {
    /// The same response with another status.
    pub(crate) fn with_status(mut self, status: u16) -> Response {
        self.status = status;
        self
    }
}

/// Starts preparing the overview's figures in the background.
pub(crate) fn prepare_summary(app: &Arc<App>) {
    crate::summary::start(Arc::clone(app));
}

/// Compares secrets in time that does not depend on where they differ.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 128 random bits as hex, from the operating system.
fn random_token() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: std's hasher keys are still seeded randomly per process.
        use std::hash::{BuildHasher, Hasher};
        for half in bytes.chunks_mut(8) {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(std::process::id().into());
            half.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
