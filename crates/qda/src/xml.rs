//! Writing untrusted text into XML 1.0, and counting offsets as REFI-QDA does.
//!
//! Comments come from the public: `<`, `&`, `]]>` are escaped (no CDATA is ever written), and the
//! characters XML 1.0 cannot carry at all (control characters other than tab and line breaks, U+FFFE,
//! U+FFFF) become U+FFFD in XML. Source texts keep one character for one character (those become spaces),
//! so offsets counted on the comment are offsets in the source.

use std::borrow::Cow;

/// Whether XML 1.0 can carry `c` (as itself or as a character reference).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text for element content: `&`, `<`, `>` (so `]]>` cannot appear), a carriage return as a
/// character reference (a parser would turn it into a line feed), and characters XML cannot carry as
/// U+FFFD.
pub fn text(value: &str) -> Cow<'_, str> {
    escape(value, false)
}

/// Escapes text for a double-quoted attribute value: as [`text`], and `"`, tab and line breaks as
/// character references (a parser would turn them into spaces).
pub fn attribute(value: &str) -> Cow<'_, str> {
    escape(value, true)
}

fn escape(value: &str, attribute: bool) -> Cow<'_, str> {
    let plain = |c: char| {
        xml_char(c)
            && !matches!(c, '&' | '<' | '>' | '\r')
            && !(attribute && matches!(c, '"' | '\t' | '\n'))
    };
    if value.chars().all(plain) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 16);
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if attribute => out.push_str("&quot;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            c if !xml_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A comment's text as it is written into a source file: control characters other than line feed and
/// tab (a carriage return included, which tools count differently) become spaces, one for one, so every
/// offset counted on the comment holds in the source.
pub fn source_text(value: &str) -> Cow<'_, str> {
    let keep = |c: char| !c.is_control() || matches!(c, '\n' | '\t');
    if value.chars().all(keep) {
        return Cow::Borrowed(value);
    }
    Cow::Owned(
        value
            .chars()
            .map(|c| if keep(c) { c } else { ' ' })
            .collect(),
    )
}

/// The offset in Unicode code points (what REFI-QDA's `startPosition`/`endPosition` count) of byte
/// offset `byte` in `text`; a byte inside a character counts from that character's start, one past the
/// end counts to the end.
pub fn code_points(text: &str, byte: usize) -> usize {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    text[..byte].chars().count()
}

/// The character an entity or character reference in element text stands for (`&amp;`, `&#233;`),
/// or `None` for an entity XML does not predefine (a project has no DTD to define others).
pub fn reference_char(reference: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    match &**reference {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => reference.resolve_char_ref().ok().flatten(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_for_content_and_attributes() {
        assert_eq!(text("plain"), "plain");
        assert!(matches!(text("plain"), Cow::Borrowed(_)));
        assert_eq!(text("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(text("x]]>y"), "x]]&gt;y");
        assert_eq!(
            text("bell\u{7}esc\u{1b}nul\u{0}"),
            "bell\u{FFFD}esc\u{FFFD}nul\u{FFFD}"
        );
        assert_eq!(text("\u{FFFE}\u{FFFF}"), "\u{FFFD}\u{FFFD}");
        assert_eq!(text("a\r\nb\tc"), "a&#13;\nb\tc");
        assert_eq!(
            attribute("say \"hi\"\n\tok"),
            "say &quot;hi&quot;&#10;&#9;ok"
        );
        // Right-to-left marks and overrides, emoji and accents are legal XML: kept as they are.
        let kept = "\u{200F}\u{202E}évité 😀 naïve";
        assert_eq!(text(kept), kept);
        assert_eq!(attribute(kept), kept);
    }

    #[test]
    fn source_text_keeps_one_character_for_one() {
        let hostile = "a\r\nb\u{7}c\td\u{1b}[31m 😀";
        let clean = source_text(hostile);
        assert_eq!(clean, "a \nb c\td [31m 😀");
        assert_eq!(clean.chars().count(), hostile.chars().count());
        assert_eq!(source_text("fine\n"), "fine\n");
    }

    #[test]
    fn offsets_count_code_points_not_bytes_or_utf16_units() {
        let s = "Café 😀 naïve";
        // "Café " is 5 code points (6 bytes); the emoji is 1 code point (4 bytes, 2 UTF-16 units).
        assert_eq!(code_points(s, 6), 5);
        assert_eq!(code_points(s, 10), 6);
        assert_eq!(code_points(s, 11), 7);
        assert_eq!(code_points(s, s.len()), s.chars().count());
        assert_eq!(
            code_points(s, 8),
            5,
            "inside the emoji counts from its start"
        );
        assert_eq!(code_points(s, 1000), s.chars().count());
    }
}
