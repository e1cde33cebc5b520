//! The page that asks for the access token when the server listens beyond loopback (`--host` with
//! `--token`), and keeps it in a cookie that only this site sends.

use maud::html;

use crate::App;
use crate::app::{ACCESS_COOKIE, same};
use crate::errors::Failure;
use crate::http::{Request, Response};
use crate::layout::{self, Page};

pub(crate) fn page(app: &App, problem: Option<&str>) -> Response {
    let body = html! {
        h1 { "Access token" }
        @if app.access.is_none() {
            p { "This server needs no token. " a href="/" { "Go to the overview" } }
        } @else {
            p { "This Chorus server holds patients' comments. Enter the access token you were given." }
            @if let Some(p) = problem { p.error role="alert" { (p) } }
            form method="post" action="/login" {
                div.field {
                    label for="token" { "Access token" }
                    input #token type="password" name="token" autocomplete="current-password" required;
                }
                button type="submit" { "Continue" }
            }
        }
    };
    Response::html(
        200,
        layout::page(
            app,
            Page {
                title: "Access token",
                nav: "",
                body,
            },
        ),
    )
}

pub(crate) fn submit(app: &App, request: &Request) -> Result<Response, Failure> {
    app.same_origin(request)?;
    let Some(token) = &app.access else {
        return Ok(Response::see_other("/"));
    };
    let form = request.form();
    let given = form
        .iter()
        .find(|(n, _)| n == "token")
        .map_or("", |(_, v)| v.as_str());
    if !same(given.as_bytes(), token.as_bytes()) {
        return Ok(page(app, Some("That is not the access token.")).with_status(401));
    }
    Ok(Response::see_other("/").with_header(
        "Set-Cookie",
        format!("{ACCESS_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"),
    ))
}
