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
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
