//! HTML character references left in text by web forms and scraped exports (`&nbsp;`, `&amp;`, `&#39;`),
//! turned back into the characters they stand for, so that a comment reads, searches and is themed as
//! the person wrote it. Care Opinion exports, for one, carry `&nbsp;` between paragraphs.

use std::borrow::Cow;

/// The longest reference name recognised, to keep the scan after an `&` short.
const LONGEST_NAME: usize = 8;

/// Text with HTML character references decoded; borrowed when there are none. Unknown names and
/// malformed references are left exactly as written: "M&S;" or "Q&A" are not references.
pub(crate) fn decode_entities(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find('&') else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..first]);
    let mut rest = &text[first..];
    let mut changed = false;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match reference(rest) {
            Some((decoded, len)) => {
                out.push(decoded);
                rest = &rest[len..];
                changed = true;
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// The character a reference at the start of `text` (which starts with `&`) stands for, and the
/// reference's length in bytes.
fn reference(text: &str) -> Option<(char, usize)> {
    let end = text[1..]
        .char_indices()
        .take(LONGEST_NAME + 2)
        .find(|&(_, c)| c == ';')?
        .0
        + 1;
    let body = &text[1..end];
    let decoded = if let Some(number) = body.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse::<u32>().ok()?,
        };
        // A reference to a control character would smuggle one in; leave such text as written.
        char::from_u32(code).filter(|c| !c.is_control() || *c == '\n' || *c == '\t')?
    } else {
        named(body)?
    };
    // A non-breaking space is a space to every reader of a comment.
    let decoded = if decoded == '\u{a0}' { ' ' } else { decoded };
    Some((decoded, end + 1))
}

fn named(name: &str) -> Option<char> {
    Some(match name {
        "nbsp" => '\u{a0}',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "rsquo" => '\u{2019}',
        "lsquo" => '\u{2018}',
        "rdquo" => '\u{201d}',
        "ldquo" => '\u{201c}',
        "ndash" => '\u{2013}',
        "mdash" => '\u{2014}',
        "hellip" => '\u{2026}',
        "pound" => '£',
        "euro" => '€',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::decode_entities;

    #[test]
    fn decodes_the_references_web_exports_leave() {
        assert_eq!(
            decode_entities("session. &nbsp; Fantastic lady"),
            "session.   Fantastic lady"
        );
        assert_eq!(decode_entities("A&amp;E was busy"), "A&E was busy");
        assert_eq!(decode_entities("didn&#39;t &#x2019;"), "didn't \u{2019}");
        assert_eq!(decode_entities("&lt;script&gt;"), "<script>");
        assert_eq!(decode_entities("&pound;7 to park"), "£7 to park");
    }

    #[test]
    fn leaves_what_is_not_a_reference_alone() {
        for text in [
            "A&E and Q&A",
            "M&S; shop",
            "&;",
            "& nbsp;",
            "&#;",
            "&#xZZ;",
            "&#0;",
            "&verylongname;",
            "trailing &",
            "&nbsp",
        ] {
            assert_eq!(decode_entities(text), text, "{text}");
        }
        assert!(matches!(
            decode_entities("no references"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
