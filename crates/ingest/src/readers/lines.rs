//! Line numbers as a person sees them in a text editor: CR, LF and CRLF each end a line, whatever mix a
//! file uses (old Mac Excel writes CR alone, Windows CRLF, everything else LF), and a quoted field that
//! spans lines counts each of them.
//!
//! The `csv` crate counts LF only, so a CR-only file is all "line 1" and the records of a CRLF file are
//! numbered from the line break before them. [`LineCounter`] watches the bytes on their way to the parser
//! and remembers where each non-empty line starts; the reader then asks for the line of a record by its
//! byte offset.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

/// Passes bytes through unchanged, noting where lines start.
pub(crate) struct LineCounter<R> {
    inner: R,
    starts: Rc<RefCell<LineStarts>>,
}

impl<R: Read> LineCounter<R> {
    /// Wraps `inner`; the returned handle answers [`LineStarts::line_at`] for the bytes read so far.
    pub(crate) fn new(inner: R) -> (LineCounter<R>, Rc<RefCell<LineStarts>>) {
        let starts = Rc::new(RefCell::new(LineStarts::default()));
        (
            LineCounter {
                inner,
                starts: Rc::clone(&starts),
            },
            starts,
        )
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.starts.borrow_mut().scan(&buf[..n]);
        Ok(n)
    }
}

/// Where the non-empty lines start that the parser may still ask about.
#[derive(Debug)]
pub(crate) struct LineStarts {
    /// Bytes scanned.
    offset: u64,
    /// The line the next byte is on (1-based).
    line: u64,
    /// The last byte scanned was a CR (so an LF right after it ends no new line).
    after_cr: bool,
    /// The next byte starts a line.
    at_line_start: bool,
    /// `(offset, line)` of each non-empty line start not yet passed, oldest first. It holds the lines of
    /// the parser's read-ahead and of the record being parsed, never the whole file.
    pending: VecDeque<(u64, u64)>,
}

impl Default for LineStarts {
    fn default() -> Self {
        LineStarts {
            offset: 0,
            line: 1,
            after_cr: false,
            at_line_start: true,
            pending: VecDeque::new(),
        }
    }
}

impl LineStarts {
    fn scan(&mut self, bytes: &[u8]) {
        let base = self.offset;
        let mut start = 0;
        for i in memchr::memchr2_iter(b'\r', b'\n', bytes) {
            if i > start {
                self.content(base + start as u64);
            }
            if bytes[i] == b'\n' && self.after_cr {
                self.after_cr = false;
            } else {
                self.line += 1;
                self.after_cr = bytes[i] == b'\r';
            }
            self.at_line_start = true;
            start = i + 1;
        }
        if start < bytes.len() {
            self.content(base + start as u64);
        }
        self.offset += bytes.len() as u64;
    }

    /// Content (not a line break) at `offset`.
    fn content(&mut self, offset: u64) {
        if self.at_line_start {
            self.pending.push_back((offset, self.line));
            self.at_line_start = false;
        }
        self.after_cr = false;
    }

    /// The line of the first content at or after byte `offset`: where a record that the parser started
    /// reading at `offset` begins (the parser skips blank lines before a record). Offsets asked about must
    /// not decrease; `None` if nothing that far has been read.
    pub(crate) fn line_at(&mut self, offset: u64) -> Option<u64> {
        while self
            .pending
            .front()
            .is_some_and(|&(start, _)| start < offset)
        {
            self.pending.pop_front();
        }
        self.pending.front().map(|&(_, line)| line)
    }

    /// The line the reader has reached (for errors).
    pub(crate) fn current_line(&self) -> u64 {
        self.line
    }
}

/// The lines of `bytes`, split at CR, LF and CRLF (without the line breaks).
pub(crate) fn split_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(bytes);
    std::iter::from_fn(move || {
        let text = rest?;
        match memchr::memchr2(b'\r', b'\n', text) {
            None => {
                rest = None;
                Some(text)
            }
            Some(i) => {
                let skip = if text[i] == b'\r' && text.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                rest = Some(&text[i + skip..]);
                Some(&text[..i])
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(chunks: &[&[u8]]) -> Vec<(u64, u64)> {
        let mut s = LineStarts::default();
        for chunk in chunks {
            s.scan(chunk);
        }
        s.pending.into_iter().collect()
    }

    #[test]
    fn cr_lf_and_crlf_each_end_one_line_even_across_reads() {
        let text = b"a\r\nb\rc\n\nd\r\r\ne";
        let whole = starts(&[text]);
        assert_eq!(whole, [(0, 1), (3, 2), (5, 3), (8, 5), (12, 7)]);
        // The same split anywhere, including between CR and LF.
        for cut in 0..text.len() {
            assert_eq!(starts(&[&text[..cut], &text[cut..]]), whole, "cut at {cut}");
        }
    }

    #[test]
    fn a_record_is_on_the_line_of_its_first_content() {
        let mut s = LineStarts::default();
        s.scan(b"h\r\n\r\nx,\"two\rlines\"\ny\n");
        assert_eq!(s.line_at(0), Some(1));
        // The parser starts the record at the blank line's break; it begins on line 3.
        assert_eq!(s.line_at(3), Some(3));
        assert_eq!(s.line_at(19), Some(5));
        assert_eq!(s.line_at(21), None);
    }

    #[test]
    fn lines_split_at_every_kind_of_break() {
        let lines: Vec<&[u8]> = split_lines(b"a\r\nb\rc\n\nd").collect();
        assert_eq!(lines, [&b"a"[..], b"b", b"c", b"", b"d"]);
        assert_eq!(split_lines(b"").count(), 1);
    }
}
