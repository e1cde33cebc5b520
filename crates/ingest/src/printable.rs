//! Names that come from the file system or a file (file names, ids, headers) made safe to print and store.
//!
//! A file name may hold a line break, an escape sequence that a terminal obeys, or a right-to-left override
//! that makes `gpj.exe` read as `exe.jpg`. Such characters never belong in an id, a source name or a line
//! of a summary, so they are replaced by U+FFFD (�): visible, and impossible to mistake for the name
//! without it.

use std::borrow::Cow;

/// `text` with control characters (C0, DEL, C1) and bidirectional formatting characters replaced by
/// U+FFFD. Borrowed when there is nothing to replace, which is almost always.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unprintable) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if unprintable(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

/// [`printable`] for an owned string, without copying when nothing changes.
pub(crate) fn printable_owned(text: String) -> String {
    match printable(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(clean) => clean,
    }
}

fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_escapes_and_direction_overrides_are_replaced() {
        assert!(matches!(printable("story 1.txt"), Cow::Borrowed(_)));
        assert_eq!(printable("a\nb.txt"), "a\u{FFFD}b.txt");
        assert_eq!(printable("\u{1b}[31mred"), "\u{FFFD}[31mred");
        assert_eq!(printable("photo\u{202E}gpj.exe"), "photo\u{FFFD}gpj.exe");
        assert_eq!(printable("Caf\u{e9} \u{1F610}"), "Caf\u{e9} \u{1F610}");
    }
}
