//! What went wrong with a request, as a page or as JSON: always a status and a message a person can act
//! on, never a panic.

use maud::html;
use serde::Serialize;

use crate::App;
use crate::http::Response;
use crate::layout::{Page, page};

/// A request that cannot be answered as asked.
#[derive(Clone, Debug)]
pub(crate) struct Failure {
    /// The HTTP status.
    pub status: u16,
    /// What is wrong and what to do.
    pub message: String,
    /// Preformatted detail (a query error's caret line).
    pub detail: Option<String>,
}

impl Failure {
    pub fn new(status: u16, message: impl Into<String>) -> Failure {
        Failure {
            status,
            message: message.into(),
            detail: None,
        }
    }

    pub fn not_found(message: impl Into<String>) -> Failure {
        Failure::new(404, message)
    }

    pub fn bad(message: impl Into<String>) -> Failure {
        Failure::new(400, message)
    }

    pub fn method() -> Failure {
        Failure::new(405, "this address does not take that kind of request")
    }

    pub fn access() -> Failure {
        Failure::new(401, "this server needs its access token")
    }

    /// A store that failed: a query error is the user's (400, with its caret), anything else is ours.
    pub fn store(error: chorus_index::Error) -> Failure {
        match error {
            chorus_index::Error::Query(q) => Failure {
                status: 400,
                message: q.message.clone(),
                detail: Some(q.to_string()),
            },
            chorus_index::Error::Filter { .. } => Failure::bad(error.to_string()),
            other => Failure::new(500, format!("the store could not be read: {other}")),
        }
    }
}

#[derive(Serialize)]
struct JsonError<'a> {
    error: &'a str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
}

/// The failure as a page, or as JSON for the API.
pub(crate) fn render(app: &App, failure: &Failure, json: bool) -> Response {
    if json {
        let body = serde_json::to_string(&JsonError {
            error: &failure.message,
            status: failure.status,
            detail: failure.detail.as_deref(),
        })
        .unwrap_or_else(|_| "{\"error\":\"the error could not be written\"}".to_owned());
        return Response::json(failure.status, chorus_report::json::html_safe(&body));
    }
    let title = match failure.status {
        404 => "Not found",
        401 | 403 | 421 => "Not allowed",
        500..=599 => "Something went wrong",
        _ => "This request cannot be answered",
    };
    let body = html! {
        h1 { (title) }
        p.error role="alert" { (failure.message) }
        @if let Some(detail) = &failure.detail {
            pre.caret { (detail) }
        }
        p { a href="/" { "Back to the overview" } " · " a href="/search" { "Search the comments" } }
    };
    Response::html(
        failure.status,
        page(
            app,
            Page {
                title,
                nav: "",
                body,
            },
        ),
    )
}
