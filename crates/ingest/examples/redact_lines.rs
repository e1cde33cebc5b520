//! Redacts each line of standard input and prints the lines it changed (before, after): for reading
//! what the redactor does to a file of comments.
//!
//! `cargo run --release -p chorus-ingest --example redact_lines < comments.txt`

use std::io::BufRead;

use chorus_ingest::Redactor;

fn main() {
    let redactor = Redactor::new();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        if let (std::borrow::Cow::Owned(out), _) = redactor.redact(&line) {
            println!("- {line}\n+ {out}");
        }
    }
}
