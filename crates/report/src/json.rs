//! The whole report as JSON, for dashboards and other tools.

use crate::model::ReportData;

/// Pretty-printed JSON of the report. `<`, `>` and `&` inside strings are written as `\u003c`,
/// `\u003e` and `\u0026` (still the same JSON value), so the output is safe to embed in a web page.
pub fn render(data: &ReportData) -> Result<String, serde_json::Error> {
    let text = serde_json::to_string_pretty(data)?;
    Ok(html_safe(&text))
}

/// Replaces `<`, `>` and `&` by their JSON unicode escapes. These characters only occur inside JSON
/// strings, where the escapes mean the same.
pub fn html_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}
