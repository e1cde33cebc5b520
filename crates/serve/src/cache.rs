//! Pages people reach by following links are the same for everyone until the data changes: a theme's
//! page, a touchpoint's, the list of themes, the search page of filters chosen by clicking (no typed
//! words). A meeting opens the same few again and again, and each costs a hundred milliseconds of
//! counting at a million comments, so they are kept, whole, until a correction or new overview
//! figures change what they would say. A page with typed words is always counted afresh.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use crate::http::{Method, Request, Response};

/// Pages kept at most.
const PAGES: usize = 256;
/// Bytes of pages kept at most.
const BYTES: usize = 64 << 20;

/// The pages kept, by address, for the data as it stands ([`PageCache::clear`] when it changes).
#[derive(Debug, Default)]
pub(crate) struct PageCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Bumped by every clear: a page made from the data before it is not kept.
    generation: u64,
    pages: HashMap<String, Arc<Response>>,
    /// Addresses in the order they were kept, the oldest given up first.
    order: VecDeque<String>,
    bytes: usize,
}

/// What a page was made from: the data's generation when it was started.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ticket(u64);

impl PageCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The address under which `request`'s page is kept, if it is a page that can be.
    pub(crate) fn key(request: &Request) -> Option<String> {
        if request.method != Method::Get {
            return None;
        }
        let segments: Vec<&str> = request.segments.iter().map(String::as_str).collect();
        let linked = matches!(
            segments.as_slice(),
            ["themes"] | ["themes", _] | ["touchpoints", _] | ["search"]
        );
        let typed = request
            .query
            .iter()
            .any(|(name, value)| name == "q" && !value.trim().is_empty());
        (linked && !typed).then(|| format!("{}?{}", request.path, request.raw_query))
    }

    /// The page kept under `key`, or a ticket to keep the page about to be made.
    pub(crate) fn get(&self, key: &str) -> Result<Arc<Response>, Ticket> {
        let inner = self.lock();
        match inner.pages.get(key) {
            Some(page) => Ok(Arc::clone(page)),
            None => Err(Ticket(inner.generation)),
        }
    }

    /// Keeps a page made under `ticket`, unless the data changed meanwhile or it is not a success.
    pub(crate) fn put(&self, key: String, ticket: Ticket, page: &Response) {
        if page.status != 200 || page.body.len() > BYTES / 8 {
            return;
        }
        let mut inner = self.lock();
        if inner.generation != ticket.0 || inner.pages.contains_key(&key) {
            return;
        }
        while inner.pages.len() >= PAGES || inner.bytes + page.body.len() > BYTES {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(gone) = inner.pages.remove(&oldest) {
                inner.bytes -= gone.body.len();
            }
        }
        inner.bytes += page.body.len();
        inner.order.push_back(key.clone());
        inner.pages.insert(key, Arc::new(page.clone()));
    }

    /// Forgets every page: the data they were made from changed.
    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.pages.clear();
        inner.order.clear();
        inner.bytes = 0;
    }

    /// How many pages are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().pages.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, query: &[(&str, &str)]) -> Request {
        Request {
            method: Method::Get,
            path: path.to_owned(),
            segments: path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            raw_query: query
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&"),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    #[test]
    fn only_pages_reached_by_links_are_kept() {
        assert!(PageCache::key(&request("/themes/Waiting", &[])).is_some());
        assert!(PageCache::key(&request("/touchpoints/waiting", &[("score", "poor")])).is_some());
        assert!(PageCache::key(&request("/search", &[("q", ""), ("theme", "Parking")])).is_some());
        assert!(PageCache::key(&request("/search", &[("q", "car park")])).is_none());
        assert!(PageCache::key(&request("/comments/abc", &[])).is_none());
        assert!(PageCache::key(&request("/api/search", &[])).is_none());
        let mut post = request("/themes/Waiting", &[]);
        post.method = Method::Post;
        assert!(PageCache::key(&post).is_none());
    }

    #[test]
    fn a_page_made_before_the_data_changed_is_not_kept() {
        let cache = PageCache::default();
        let page = Response::new(200, "text/html", "old figures");
        let Err(ticket) = cache.get("/themes/A?") else {
            panic!("nothing is kept yet")
        };
        cache.clear();
        cache.put("/themes/A?".to_owned(), ticket, &page);
        assert_eq!(cache.len(), 0);
        let Err(ticket) = cache.get("/themes/A?") else {
            panic!("nothing is kept yet")
        };
        cache.put("/themes/A?".to_owned(), ticket, &page);
        assert!(cache.get("/themes/A?").is_ok());
        cache.put(
            "/themes/B?".to_owned(),
            ticket,
            &Response::new(404, "text/html", "no such theme"),
        );
        assert_eq!(cache.len(), 1, "only successes are kept");
        cache.clear();
        assert!(cache.get("/themes/A?").is_err());
    }

    #[test]
    fn the_oldest_pages_give_way() {
        let cache = PageCache::default();
        for i in 0..PAGES + 10 {
            let Err(ticket) = cache.get(&i.to_string()) else {
                panic!("not kept yet")
            };
            cache.put(i.to_string(), ticket, &Response::new(200, "text/html", "x"));
        }
        assert_eq!(cache.len(), PAGES);
        assert!(cache.get("0").is_err());
        assert!(cache.get(&(PAGES + 9).to_string()).is_ok());
    }
}
