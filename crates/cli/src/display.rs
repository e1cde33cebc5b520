//! Small helpers for what the CLI prints to a terminal.

use std::io::Write as _;

/// Writes `text` to standard output. A closed pipe (`chorus search … | head -1`) comes back as an error
/// for the command to return, and `main` exits quietly on it, as ripgrep does; `print!` would panic.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// A count with thousands separators, as summaries are read by people.
pub fn n(value: u64) -> String {
    chorus_core::keys::thousands(value)
}

/// "1 comment", "2 comments", "1,208 respondents": a count and its noun, singular or plural.
pub fn count(value: u64, singular: &str, plural: &str) -> String {
    format!(
        "{} {}",
        n(value),
        if value == 1 { singular } else { plural }
    )
}

#[cfg(test)]
mod tests {
    use super::n;

    #[test]
    fn groups_thousands() {
        assert_eq!(n(0), "0");
        assert_eq!(n(999), "999");
        assert_eq!(n(1000), "1,000");
        assert_eq!(n(1_234_567), "1,234,567");
    }
}
