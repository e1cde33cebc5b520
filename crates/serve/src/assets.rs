//! The page's stylesheet and script, compiled into the binary: nothing is fetched from anywhere else.

use crate::errors::Failure;
use crate::http::Response;

const CSS: &str = include_str!("../assets/chorus.css");
const JS: &str = include_str!("../assets/chorus.js");

pub(crate) fn file(name: &str) -> Result<Response, Failure> {
    let (body, content_type) = match name {
        "chorus.css" => (CSS, "text/css; charset=utf-8"),
        "chorus.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return Err(Failure::not_found("there is no such file")),
    };
    Ok(Response::new(200, content_type, body).with_header("Cache-Control", "max-age=300"))
}
