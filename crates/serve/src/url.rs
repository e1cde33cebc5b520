//! Percent-encoding and query strings, for the addresses the pages link to and the ones they receive.

/// Decodes `%XX` escapes and `+` (a space, in query strings and forms); invalid UTF-8 becomes U+FFFD and
/// a `%` not followed by two hex digits stays as it is.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: Option<&u8>) -> Option<u8> {
    let b = *byte?;
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Encodes everything but unreserved characters (`A–Z a–z 0–9 - . _ ~`), for a query value or a path
/// segment.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `name=value` pairs of a query string or form body, decoded, in order; empty names are dropped.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .filter(|(name, _)| !name.is_empty())
        .collect()
}

/// A query string from pairs (without the `?`).
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode(name));
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_survives_anything() {
        assert_eq!(decode("a+b%20c"), "a b c");
        assert_eq!(decode("%E2%80%9C"), "\u{201c}");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%FF"), "\u{fffd}");
        assert_eq!(decode("%3Cscript%3E"), "<script>");
    }

    #[test]
    fn encoding_round_trips() {
        for text in [
            "Staff attitude",
            "a&b=c?d#e/f",
            "“quoted” 😊",
            "100% + more",
        ] {
            assert_eq!(decode(&encode(text)), text);
        }
        assert_eq!(
            parse_query("q=wait*&service=A%26E&&=x&flag"),
            [
                ("q".to_owned(), "wait*".to_owned()),
                ("service".to_owned(), "A&E".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
        assert_eq!(
            query_string([("q", "a b"), ("s", "x&y")]),
            "q=a%20b&s=x%26y"
        );
    }
}
