//! HTTP/1.1 over `std::net`: bounded reads, a parser (httparse), keep-alive, and a fixed number of
//! requests handled at once.
//!
//! Every connection gets a thread that reads its requests; the handling itself waits for one of
//! [`Limits::workers`] slots, first come first served, so a burst of clients queues rather than making
//! every request slow. No request can make the server hold more than [`Limits`] allows: the request line
//! and headers must fit in `max_head` bytes, a body in `max_body` (bodies must say their length; chunked
//! bodies are refused).
//! A handler that panics answers 500 and the server goes on.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::url;

/// Each connection thread's stack: the query parser recurses on nested parentheses, and a stack overflow
/// would end the process (no handler can catch it), so the stack is sized for the deepest query the
/// address limit lets through (only the pages a thread touches take memory).
const CONNECTION_STACK: usize = 16 * 1024 * 1024;

/// How much a request may ask of the server.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The request line and headers, in bytes.
    pub max_head: usize,
    /// A request body, in bytes.
    pub max_body: usize,
    /// Connections open at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// Requests handled at once.
    pub workers: usize,
    /// How long a connection may stay silent (between requests, or in the middle of one).
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head: 16 * 1024,
            max_body: 64 * 1024,
            max_connections: 256,
            // Handling is counting on the processor: more at once than there are cores only makes
            // each slower.
            workers: std::thread::available_parallelism().map_or(4, |n| n.get().clamp(2, 8)),
            idle: Duration::from_secs(15),
        }
    }
}

/// The request method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// HEAD: as GET, without the body.
    Head,
    /// POST.
    Post,
    /// Anything else (answered 405).
    Other(String),
}

/// A parsed request.
#[derive(Clone, Debug)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The path, percent-decoded (`/themes/Staff attitude`).
    pub path: String,
    /// The path's segments, each percent-decoded on its own (so an encoded `/` stays inside its
    /// segment).
    pub segments: Vec<String>,
    /// The query string, as sent.
    pub raw_query: String,
    /// The query's parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Headers, names lowercased, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// The first header with this (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A cookie's value.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "cookie")
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body's form fields (`application/x-www-form-urlencoded`).
    pub fn form(&self) -> Vec<(String, String)> {
        url::parse_query(&String::from_utf8_lossy(&self.body))
    }
}

/// A response.
#[derive(Clone, Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers besides those every response carries.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with a body of a content type.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// An HTML page.
    pub fn html(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response::new(status, "text/html; charset=utf-8", body)
    }

    /// A JSON document.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response::new(status, "application/json; charset=utf-8", body)
    }

    /// A redirect to a path of this server (303: the next request is a GET).
    pub fn see_other(location: &str) -> Response {
        let mut r = Response::new(303, "text/plain; charset=utf-8", "see other");
        r.headers.push(("Location".into(), location.into()));
        r
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Something that answers requests.
pub trait Handler: Send + Sync + 'static {
    /// The response to a request; may panic (the client gets a 500).
    fn handle(&self, request: &Request) -> Response;
    /// The response when a request cannot be read (its status and why).
    fn refuse(&self, status: u16, reason: &str) -> Response;
    /// Headers every response carries.
    fn common_headers(&self) -> Vec<(&'static str, String)>;
}

/// A listening server.
pub struct Server {
    listener: TcpListener,
    limits: Limits,
}

impl Server {
    /// Binds to an address (port 0 picks a free port).
    pub fn bind(address: SocketAddr, limits: Limits) -> io::Result<Server> {
        Ok(Server {
            listener: TcpListener::bind(address)?,
            limits,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections, each on its own thread, for as long as the process runs.
    pub fn run<H: Handler>(self, handler: Arc<H>) -> io::Result<()> {
        let open = Arc::new(AtomicUsize::new(0));
        let slots = Arc::new(Slots::new(self.limits.workers.max(1)));
        for stream in self.listener.incoming() {
            let Ok(stream) = stream else { continue };
            if open.load(Ordering::SeqCst) >= self.limits.max_connections {
                let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
                let response = handler.refuse(503, "too many connections: try again in a moment");
                let _ = write_response(&stream, &response, &handler.common_headers(), false, false);
                continue;
            }
            open.fetch_add(1, Ordering::SeqCst);
            let guard = OpenGuard(Arc::clone(&open));
            let handler = Arc::clone(&handler);
            let slots = Arc::clone(&slots);
            let limits = self.limits;
            let spawned = std::thread::Builder::new()
                .name("chorus-http".into())
                .stack_size(CONNECTION_STACK)
                .spawn(move || {
                    let _guard = guard;
                    serve_connection(stream, &*handler, &slots, limits);
                });
            if spawned.is_err() {
                // The guard moved into the closure that never ran has been dropped with it.
                continue;
            }
        }
        Ok(())
    }
}

/// Counts a connection as open until dropped.
struct OpenGuard(Arc<AtomicUsize>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A counting semaphore: the requests being handled.
/// The handling slots, given out first come, first served: a request that has waited longest goes
/// next, so no request waits behind a stream of later ones (a plain condition variable wakes any
/// waiter, and under load some waited seconds).
struct Slots {
    state: Mutex<SlotState>,
    freed: Condvar,
}

struct SlotState {
    free: usize,
    /// The next ticket to give out, and the ticket whose turn it is.
    next: u64,
    turn: u64,
}

impl Slots {
    fn new(n: usize) -> Slots {
        Slots {
            state: Mutex::new(SlotState {
                free: n,
                next: 0,
                turn: 0,
            }),
            freed: Condvar::new(),
        }
    }

    fn take(&self) -> SlotGuard<'_> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let ticket = state.next;
        state.next += 1;
        while !(state.free > 0 && state.turn == ticket) {
            state = self.freed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.free -= 1;
        state.turn += 1;
        // The next in line may find a slot free too.
        self.freed.notify_all();
        SlotGuard(self)
    }
}

struct SlotGuard<'a>(&'a Slots);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        state.free += 1;
        self.0.freed.notify_all();
    }
}

/// Why a request could not be read.
enum ReadError {
    /// The client closed the connection (or went silent) between requests.
    Closed,
    /// A bad request: answer with this status and reason, then close.
    Bad(u16, &'static str),
}

fn serve_connection<H: Handler>(stream: TcpStream, handler: &H, slots: &Slots, limits: Limits) {
    let _ = stream.set_read_timeout(Some(limits.idle));
    let _ = stream.set_write_timeout(Some(limits.idle));
    let _ = stream.set_nodelay(true);
    let mut buffer: Vec<u8> = Vec::with_capacity(4096);
    loop {
        let request = match read_request(&stream, &mut buffer, &limits) {
            Ok(r) => r,
            Err(ReadError::Closed) => return,
            Err(ReadError::Bad(status, reason)) => {
                let response = handler.refuse(status, reason);
                let _ = write_response(&stream, &response, &handler.common_headers(), false, false);
                return;
            }
        };
        let keep_alive = wants_keep_alive(&request);
        let response = {
            let _slot = slots.take();
            catch_unwind(AssertUnwindSafe(|| handler.handle(&request)))
                .unwrap_or_else(|_| handler.refuse(500, "the server failed on this request"))
        };
        let head_only = request.method == Method::Head;
        let written = write_response(
            &stream,
            &response,
            &handler.common_headers(),
            keep_alive,
            head_only,
        );
        if written.is_err() || !keep_alive {
            return;
        }
    }
}

fn wants_keep_alive(request: &Request) -> bool {
    !request
        .header("connection")
        .is_some_and(|c| c.to_ascii_lowercase().contains("close"))
}

/// Reads one request; `buffer` keeps what was read past it (a pipelined next request).
fn read_request(
    mut stream: &TcpStream,
    buffer: &mut Vec<u8>,
    limits: &Limits,
) -> Result<Request, ReadError> {
    let mut chunk = [0u8; 4096];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Request::new(&mut headers);
        match parsed.parse(buffer) {
            Ok(httparse::Status::Complete(head_len)) => {
                let request = head(&parsed)?;
                return finish(stream, buffer, head_len, request, limits);
            }
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => {
                return Err(ReadError::Bad(431, "the request has too many headers"));
            }
            Err(_) => return Err(ReadError::Bad(400, "the request is not valid HTTP")),
        }
        if buffer.len() >= limits.max_head {
            return Err(ReadError::Bad(
                431,
                "the request line and headers are too long",
            ));
        }
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Err(ReadError::Closed),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) if buffer.is_empty() => return Err(ReadError::Closed),
            Err(_) => return Err(ReadError::Bad(408, "the request took too long to arrive")),
        };
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// The method, path, query and headers of a parsed head.
fn head(parsed: &httparse::Request<'_, '_>) -> Result<Request, ReadError> {
    let method = match parsed.method.unwrap_or("") {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        other => Method::Other(other.to_owned()),
    };
    let target = parsed.path.unwrap_or("/");
    if !target.starts_with('/') {
        return Err(ReadError::Bad(400, "the request target must be a path"));
    }
    let (path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let path = path.split('#').next().unwrap_or("");
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(url::decode)
        .collect();
    let mut headers = Vec::with_capacity(parsed.headers.len());
    for h in parsed.headers.iter() {
        let value = std::str::from_utf8(h.value)
            .map_err(|_| ReadError::Bad(400, "a header is not valid UTF-8"))?;
        headers.push((h.name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    Ok(Request {
        method,
        path: url::decode(path),
        segments,
        raw_query: raw_query.to_owned(),
        query: url::parse_query(raw_query),
        headers,
        body: Vec::new(),
    })
}

/// Reads the body the head announces, leaving anything after it in `buffer`.
fn finish(
    mut stream: &TcpStream,
    buffer: &mut Vec<u8>,
    head_len: usize,
    mut request: Request,
    limits: &Limits,
) -> Result<Request, ReadError> {
    if request.header("transfer-encoding").is_some() {
        return Err(ReadError::Bad(
            411,
            "send the body with a Content-Length (chunked bodies are not accepted)",
        ));
    }
    let length = match request.header("content-length") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| ReadError::Bad(400, "the Content-Length is not a number"))?,
    };
    if length > limits.max_body {
        return Err(ReadError::Bad(413, "the request body is too large"));
    }
    if length > 0
        && request
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
        && buffer.len() < head_len + length
    {
        let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let mut chunk = [0u8; 4096];
    while buffer.len() < head_len + length {
        match stream.read(&mut chunk) {
            Ok(0) => return Err(ReadError::Closed),
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => {
                return Err(ReadError::Bad(
                    408,
                    "the request body took too long to arrive",
                ));
            }
        }
    }
    request.body = buffer[head_len..head_len + length].to_vec();
    buffer.drain(..head_len + length);
    Ok(request)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        303 => "See Other",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn write_response(
    mut stream: &TcpStream,
    response: &Response,
    common: &[(&'static str, String)],
    keep_alive: bool,
    head_only: bool,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: {}\r\n",
        response.status,
        reason(response.status),
        response.body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    for (name, value) in common {
        push_header(&mut head, name, value);
    }
    for (name, value) in &response.headers {
        push_header(&mut head, name, value);
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    if !head_only {
        out.extend_from_slice(&response.body);
    }
    stream.write_all(&out)?;
    stream.flush()
}

/// A header line; a value can never end the header early (line breaks become spaces).
fn push_header(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(": ");
    out.extend(value.chars().map(|c| if c.is_control() { ' ' } else { c }));
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Requests that queue for a slot get it in the order they came, however the threads are woken.
    #[test]
    fn slots_go_first_come_first_served() {
        let slots = Arc::new(Slots::new(1));
        let order = Arc::new(Mutex::new(Vec::new()));
        let held = slots.take();
        let waiting: Vec<_> = (0..6)
            .map(|i| {
                let (slots, order) = (Arc::clone(&slots), Arc::clone(&order));
                let thread = std::thread::spawn(move || {
                    let _slot = slots.take();
                    order.lock().unwrap_or_else(|e| e.into_inner()).push(i);
                    std::thread::sleep(Duration::from_millis(2));
                });
                // Each has taken its ticket before the next starts.
                std::thread::sleep(Duration::from_millis(30));
                thread
            })
            .collect();
        drop(held);
        for thread in waiting {
            thread.join().expect("a waiter");
        }
        let order = order.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert_eq!(order, vec![0, 1, 2, 3, 4, 5]);
    }
}
