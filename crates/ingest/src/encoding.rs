//! Which text encoding a file uses, and turning its bytes into UTF-8 text.
//!
//! Survey exports arrive as UTF-8 (with or without a byte-order mark), as Excel's "Unicode text" (UTF-16
//! with a BOM) or as Windows-1252 from older systems, and sometimes as a mix (a UTF-8 export with one row
//! pasted in from an older system). The encoding is sniffed from the first 64 KiB; UTF-16 is transcoded to
//! UTF-8 as a stream. UTF-8 and Windows-1252 are decided field by field: a field that is valid UTF-8 is
//! read as UTF-8, any other as Windows-1252, so one stray byte costs that field a fallback, not the whole
//! file its emoji and curly quotes. (Windows-1252 text is valid UTF-8 only when it is ASCII, or in
//! mojibake such as `Ã©`: an accented capital followed by a symbol, which feedback does not write.)

use std::borrow::Cow;
use std::io::{self, Read};

use serde::Serialize;

/// A file's text encoding, as detected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark (plain ASCII is reported as this).
    Utf8,
    /// UTF-8 starting with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// UTF-16 little-endian with a byte-order mark (Excel's "Unicode text" on Windows).
    Utf16Le,
    /// UTF-16 big-endian.
    Utf16Be,
    /// Windows-1252, for files that are not valid UTF-8 (older exports, "CSV" from Excel on Windows).
    Windows1252,
}

impl TextEncoding {
    /// A human name: `UTF-8`, `UTF-8 with BOM`, `UTF-16LE`, `UTF-16BE`, `Windows-1252`.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1252 => "Windows-1252",
        }
    }

    fn bom_len(self) -> usize {
        match self {
            TextEncoding::Utf8Bom => 3,
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => 2,
            TextEncoding::Utf8 | TextEncoding::Windows1252 => 0,
        }
    }
}

/// How many bytes are looked at to decide the encoding.
pub(crate) const SNIFF_LEN: usize = 64 * 1024;

/// What the first bytes of a file say.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Sniff {
    /// Text in this encoding.
    Text(TextEncoding),
    /// NUL bytes without a UTF-16 pattern: not a text file.
    Binary,
}

/// Decides the encoding from the first bytes of a file.
pub(crate) fn sniff(prefix: &[u8]) -> Sniff {
    if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Sniff::Text(TextEncoding::Utf8Bom);
    }
    if prefix.starts_with(&[0xFF, 0xFE]) {
        return Sniff::Text(TextEncoding::Utf16Le);
    }
    if prefix.starts_with(&[0xFE, 0xFF]) {
        return Sniff::Text(TextEncoding::Utf16Be);
    }
    let sample = &prefix[..prefix.len().min(4096)];
    if memchr::memchr(0, sample).is_some() {
        // UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte.
        let pairs = sample.len() / 2;
        let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
        let odd = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count();
        if pairs > 0 && odd * 10 >= pairs * 4 && even * 20 <= pairs {
            return Sniff::Text(TextEncoding::Utf16Le);
        }
        if pairs > 0 && even * 10 >= pairs * 4 && odd * 20 <= pairs {
            return Sniff::Text(TextEncoding::Utf16Be);
        }
        return Sniff::Binary;
    }
    match std::str::from_utf8(prefix) {
        Ok(_) => Sniff::Text(TextEncoding::Utf8),
        // A character cut off by the end of the sample is not evidence against UTF-8.
        Err(e) if e.error_len().is_none() => Sniff::Text(TextEncoding::Utf8),
        Err(_) if mostly_utf8(prefix) => Sniff::Text(TextEncoding::Utf8),
        Err(_) => Sniff::Text(TextEncoding::Windows1252),
    }
}

/// Whether valid multi-byte UTF-8 characters outnumber the bytes that are not UTF-8: a UTF-8 export with
/// a stray Windows-1252 byte, rather than a Windows-1252 file (whose non-ASCII bytes are almost never
/// valid UTF-8).
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    valid > invalid
}

/// Reads up to `limit` bytes (fewer only at the end of the input).
pub(crate) fn read_prefix(reader: &mut impl Read, limit: usize) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(limit.min(SNIFF_LEN));
    reader
        .by_ref()
        .take(limit as u64)
        .read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// Turns a raw byte stream (whose first bytes were already read into `prefix`) into a stream of bytes to
/// parse: the BOM is dropped and UTF-16 is transcoded to UTF-8. UTF-8 and Windows-1252 pass through and
/// are decoded field by field with [`decode_field`].
pub(crate) fn text_stream<'r>(
    encoding: TextEncoding,
    prefix: Vec<u8>,
    rest: impl Read + 'r,
) -> Box<dyn Read + 'r> {
    let skip = encoding.bom_len().min(prefix.len());
    let chained = io::Cursor::new(prefix).chain(rest);
    let mut chained = chained;
    // Drop the BOM by reading past it; the cursor holds it, so this cannot fail.
    let mut bom = [0u8; 3];
    let _ = chained.read_exact(&mut bom[..skip]);
    match encoding {
        TextEncoding::Utf16Le => Box::new(Utf16ToUtf8::new(chained, encoding_rs::UTF_16LE)),
        TextEncoding::Utf16Be => Box::new(Utf16ToUtf8::new(chained, encoding_rs::UTF_16BE)),
        TextEncoding::Utf8 | TextEncoding::Utf8Bom | TextEncoding::Windows1252 => Box::new(chained),
    }
}

/// The byte written in place of malformed UTF-16 (an unpaired surrogate). It never occurs in UTF-8, so
/// the field that holds it fails UTF-8 validation downstream and its record is quarantined, instead of the
/// damage being papered over with U+FFFD.
const MALFORMED_MARKER: u8 = 0xFF;

/// Streams UTF-16 as UTF-8.
struct Utf16ToUtf8<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
    done: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
        const CHUNK: usize = 16 * 1024;
        Utf16ToUtf8 {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; CHUNK],
            in_start: 0,
            in_end: 0,
            // Each UTF-16 code unit becomes at most 3 UTF-8 bytes, plus room for a marker.
            output: vec![0; CHUNK * 2 + 16],
            out_start: 0,
            out_end: 0,
            eof: false,
            done: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        while self.out_start == self.out_end && !self.done {
            self.out_start = 0;
            self.out_end = 0;
            if self.in_start == self.in_end && !self.eof {
                self.in_start = 0;
                self.in_end = self.inner.read(&mut self.input)?;
                if self.in_end == 0 {
                    self.eof = true;
                }
            }
            let room = self.output.len() - 4;
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.in_start..self.in_end],
                &mut self.output[..room],
                self.eof,
            );
            self.in_start += read;
            self.out_end = written;
            match result {
                encoding_rs::DecoderResult::InputEmpty => {
                    if self.eof {
                        self.done = true;
                    }
                }
                encoding_rs::DecoderResult::OutputFull => {}
                encoding_rs::DecoderResult::Malformed(_, _) => {
                    self.output[self.out_end] = MALFORMED_MARKER;
                    self.out_end += 1;
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.refill()?;
        let n = (self.out_end - self.out_start).min(buf.len());
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

/// One field's bytes, decoded.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decoded<'a> {
    /// Text in the file's encoding.
    Text(Cow<'a, str>),
    /// Text in the other of UTF-8 and Windows-1252 (a file saved by two programs): not valid UTF-8 in a
    /// UTF-8 file, or valid non-ASCII UTF-8 in a Windows-1252 one.
    Fallback(String),
    /// No encoding makes sense of these bytes.
    Undecodable,
}

/// Decodes one field of a file whose stream encoding is `encoding` (UTF-16 has already become UTF-8).
pub(crate) fn decode_field(bytes: &[u8], encoding: TextEncoding) -> Decoded<'_> {
    match encoding {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => match std::str::from_utf8(bytes) {
            Ok(text) => Decoded::Text(Cow::Borrowed(text)),
            Err(_) => match decode_windows_1252(bytes) {
                Some(text) => Decoded::Fallback(text.into_owned()),
                None => Decoded::Undecodable,
            },
        },
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => match std::str::from_utf8(bytes) {
            Ok(text) => Decoded::Text(Cow::Borrowed(text)),
            Err(_) => Decoded::Undecodable,
        },
        TextEncoding::Windows1252 => match std::str::from_utf8(bytes) {
            Ok(text) if !text.is_ascii() => Decoded::Fallback(text.to_owned()),
            _ => match decode_windows_1252(bytes) {
                Some(text) => Decoded::Text(text),
                None => Decoded::Undecodable,
            },
        },
    }
}

/// Windows-1252, refusing bytes that no real Windows-1252 text contains: the five codes the code page
/// leaves undefined and control characters other than tab and line breaks. Those mean the bytes are in
/// some other encoding, and guessing would store nonsense.
fn decode_windows_1252(bytes: &[u8]) -> Option<Cow<'_, str>> {
    let implausible = |b: &u8| {
        matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D)
            || (*b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            || *b == 0x7F
    };
    if bytes.iter().any(implausible) {
        return None;
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    Some(text)
}

/// Decodes a whole file held in memory (a story, a small labelled training file) in the encoding its
/// bytes suggest: UTF-8 with or without a byte-order mark, UTF-16 with one, or Windows-1252. `None` when
/// the bytes look binary or no encoding reads them.
pub fn decode_whole(bytes: &[u8]) -> Option<(TextEncoding, String)> {
    let encoding = match sniff(&bytes[..bytes.len().min(SNIFF_LEN)]) {
        Sniff::Text(encoding) => encoding,
        Sniff::Binary => return None,
    };
    let body = &bytes[encoding.bom_len().min(bytes.len())..];
    let text = match encoding {
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
            let codec = if encoding == TextEncoding::Utf16Le {
                encoding_rs::UTF_16LE
            } else {
                encoding_rs::UTF_16BE
            };
            codec
                .decode_without_bom_handling_and_without_replacement(body)?
                .into_owned()
        }
        TextEncoding::Utf8 | TextEncoding::Utf8Bom | TextEncoding::Windows1252 => {
            match std::str::from_utf8(body) {
                Ok(text) => text.to_owned(),
                Err(_) => decode_lines(body)?,
            }
        }
    };
    Some((encoding, text))
}

/// Text that is not all valid UTF-8, decoded line by line: UTF-8 where a line is valid UTF-8, Windows-1252
/// where it is not. `None` if a line is neither.
fn decode_lines(bytes: &[u8]) -> Option<String> {
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    for line in bytes.split_inclusive(|&b| b == b'\n' || b == b'\r') {
        match std::str::from_utf8(line) {
            Ok(line) => text.push_str(line),
            Err(_) => text.push_str(&decode_windows_1252(line)?),
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
        let mut bytes = if little_endian {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            let pair = if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            };
            bytes.extend_from_slice(&pair);
        }
        bytes
    }

    fn stream(bytes: Vec<u8>) -> (TextEncoding, Vec<u8>) {
        let Sniff::Text(encoding) = sniff(&bytes) else {
            panic!("binary")
        };
        let mut out = Vec::new();
        text_stream(encoding, bytes, io::empty())
            .read_to_end(&mut out)
            .unwrap();
        (encoding, out)
    }

    #[test]
    fn each_encoding_is_recognised_and_read_as_utf8() {
        let text = "Comment\n“Lovely” staff – £5 parking 😀\n";
        let cases: Vec<(Vec<u8>, TextEncoding)> = vec![
            (text.as_bytes().to_vec(), TextEncoding::Utf8),
            (
                [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
                TextEncoding::Utf8Bom,
            ),
            (utf16(text, true), TextEncoding::Utf16Le),
            (utf16(text, false), TextEncoding::Utf16Be),
        ];
        for (bytes, expected) in cases {
            let (encoding, out) = stream(bytes);
            assert_eq!(encoding, expected);
            assert_eq!(String::from_utf8(out).unwrap(), text, "{expected:?}");
        }
    }

    #[test]
    fn windows_1252_is_the_fallback_and_decodes_pound_and_curly_quotes() {
        let bytes = b"Comment\n\x93Lovely\x94 staff \x96 \xA35 parking\n".to_vec();
        let (encoding, out) = stream(bytes);
        assert_eq!(encoding, TextEncoding::Windows1252);
        assert_eq!(
            decode_field(&out, encoding),
            Decoded::Text(Cow::Owned("Comment\n“Lovely” staff – £5 parking\n".into()))
        );
    }

    #[test]
    fn a_stray_byte_in_a_utf8_file_falls_back_for_that_field_only() {
        assert_eq!(
            decode_field(b"caf\xE9", TextEncoding::Utf8),
            Decoded::Fallback("café".into())
        );
        assert_eq!(
            decode_field(b"bad \x81\x8D", TextEncoding::Utf8),
            Decoded::Undecodable
        );
        assert_eq!(
            decode_field(b"nul \x00 byte", TextEncoding::Windows1252),
            Decoded::Undecodable
        );
    }

    #[test]
    fn a_mostly_utf8_sample_with_a_stray_byte_is_utf8_and_each_field_decides() {
        let mut bytes = b"id,comment\n1,caf\xE9\n".to_vec();
        for i in 0..20 {
            bytes.extend(format!("{i},\u{201C}fine\u{201D} \u{1F610}\n").as_bytes());
        }
        assert_eq!(sniff(&bytes), Sniff::Text(TextEncoding::Utf8));
        // Windows-1252 files take UTF-8 fields as UTF-8 too: the emoji's bytes are not Windows-1252.
        assert_eq!(
            decode_field("\u{1F610}".as_bytes(), TextEncoding::Windows1252),
            Decoded::Fallback("\u{1F610}".into())
        );
        assert_eq!(
            decode_field(b"\x93ok\x94", TextEncoding::Windows1252),
            Decoded::Text(Cow::Owned("\u{201C}ok\u{201D}".into()))
        );
        // A story: each line decides.
        let story = [&b"caf\xE9\r\n"[..], "\u{1F610} \u{2019}\n".as_bytes()].concat();
        assert_eq!(
            decode_whole(&story),
            Some((
                TextEncoding::Utf8,
                "caf\u{e9}\r\n\u{1F610} \u{2019}\n".to_owned()
            ))
        );
    }

    #[test]
    fn unpaired_surrogates_in_utf16_make_the_field_undecodable() {
        let mut bytes = utf16("ab", true);
        bytes.extend_from_slice(&0xD800u16.to_le_bytes());
        bytes.extend_from_slice(&u16::from(b'c').to_le_bytes());
        let (encoding, out) = stream(bytes);
        assert_eq!(decode_field(&out, encoding), Decoded::Undecodable);
    }

    #[test]
    fn utf16_without_bom_and_binary_files_are_told_apart() {
        let le: Vec<u8> = "id,comment\n1,ok\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(sniff(&le), Sniff::Text(TextEncoding::Utf16Le));
        assert_eq!(sniff(b"%PDF\x00\x01\x02\x03binary\x00\xff"), Sniff::Binary);
        // A multi-byte character cut by the sample's end is still UTF-8.
        assert_eq!(
            sniff("ab£".as_bytes().split_last().unwrap().1),
            Sniff::Text(TextEncoding::Utf8)
        );
    }
}
