//! Making untrusted comment text safe for each format: HTML, spreadsheets (formula injection) and
//! Markdown.

use std::borrow::Cow;

/// Escapes text for HTML element content and attribute values (`&`, `<`, `>`, `"`, `'`).
pub fn html(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Neutralises a spreadsheet text cell that Excel, LibreOffice or Google Sheets could read as a formula
/// or a command (OWASP "CSV injection"): a cell starting with `=`, `+`, `-`, `@`, tab or carriage return
/// gets a leading apostrophe. Numbers are written as numbers and never pass through here.
pub fn spreadsheet(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Escapes text for a Markdown table cell: backslash-escapes the punctuation that Markdown or its HTML
/// pass-through would act on (so `<script>` stays text), and turns line breaks into spaces so a cell
/// stays on its row.
pub fn markdown(text: &str) -> Cow<'_, str> {
    const SPECIAL: [char; 14] = [
        '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '#', '&', '!', '$',
    ];
    if !text.contains(SPECIAL) && !text.contains(['\n', '\r', '\t']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut last_space = false;
    for c in text.chars() {
        if matches!(c, '\n' | '\r' | '\t') {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = c == ' ';
        if SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        let check = |input: &str, expected: &str| assert_eq!(html(input), expected, "{input}");
        check("plain", "plain");
        check(
            "<script>alert('x')</script>",
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
        );
        check("A&E \"fast\"", "A&amp;E &quot;fast&quot;");
    }

    #[test]
    fn spreadsheet_cells_cannot_start_a_formula() {
        let check =
            |input: &str, expected: &str| assert_eq!(spreadsheet(input), expected, "{input}");
        check(
            "=HYPERLINK(\"http://x\",\"y\")",
            "'=HYPERLINK(\"http://x\",\"y\")",
        );
        check("+1", "'+1");
        check("-2+3", "'-2+3");
        check("@SUM(A1)", "'@SUM(A1)");
        check("\tx", "'\tx");
        check("\rx", "'\rx");
        check("Staff were kind", "Staff were kind");
        check("", "");
        check(" =not a formula", " =not a formula");
    }

    #[test]
    fn markdown_cells_stay_text_on_one_row() {
        let check = |input: &str, expected: &str| assert_eq!(markdown(input), expected, "{input}");
        check("plain words", "plain words");
        check("a | b", "a \\| b");
        check("<script>", "\\<script\\>");
        check("line one\nline two", "line one line two");
        check("*bold* _x_ [link](y)", "\\*bold\\* \\_x\\_ \\[link\\](y)");
        check("A&E", "A\\&E");
    }
}
