//! Removing personal identifiers from text before anything is stored or shown.
//!
//! [`Redactor`] replaces NHS numbers, UK phone numbers, email addresses, UK postcodes and people's names
//! with typed markers (`[NHS_NUMBER]`, `[PHONE]`, `[EMAIL]`, `[POSTCODE]`, `[NAME]`). Names are found
//! after titles and roles ("Dr Patel", "nurse Kelly", "Sister O'Brien") and from a user-supplied list.
//!
//! It is built for throughput: most comments hold no identifier, so each detector first asks a cheap
//! question of the text (enough digits for a phone number? an `@` for an email?) and only then does real
//! work; numbers and names are found by single passes over the bytes rather than by regular expressions,
//! and only postcodes and emails use the `regex` crate.

use std::borrow::Cow;
use std::path::Path;

use regex::Regex;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::Error;

/// The kinds of personal identifier the redactor removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    /// A 10-digit NHS number with a valid check digit.
    NhsNumber,
    /// A UK mobile or landline number.
    Phone,
    /// An email address.
    Email,
    /// A UK postcode.
    Postcode,
    /// A person's name.
    Name,
}

impl IdentifierKind {
    /// The marker that replaces an identifier of this kind.
    pub fn marker(self) -> &'static str {
        match self {
            IdentifierKind::NhsNumber => "[NHS_NUMBER]",
            IdentifierKind::Phone => "[PHONE]",
            IdentifierKind::Email => "[EMAIL]",
            IdentifierKind::Postcode => "[POSTCODE]",
            IdentifierKind::Name => "[NAME]",
        }
    }
}

/// How many identifiers of each kind were replaced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactionCounts {
    /// NHS numbers.
    pub nhs_number: u64,
    /// Phone numbers.
    pub phone: u64,
    /// Email addresses.
    pub email: u64,
    /// Postcodes.
    pub postcode: u64,
    /// Names.
    pub name: u64,
}

impl RedactionCounts {
    /// Counts one identifier.
    pub fn add(&mut self, kind: IdentifierKind) {
        *self.get_mut(kind) += 1;
    }

    fn get_mut(&mut self, kind: IdentifierKind) -> &mut u64 {
        match kind {
            IdentifierKind::NhsNumber => &mut self.nhs_number,
            IdentifierKind::Phone => &mut self.phone,
            IdentifierKind::Email => &mut self.email,
            IdentifierKind::Postcode => &mut self.postcode,
            IdentifierKind::Name => &mut self.name,
        }
    }

    /// Adds another set of counts.
    pub fn merge(&mut self, other: &RedactionCounts) {
        self.nhs_number += other.nhs_number;
        self.phone += other.phone;
        self.email += other.email;
        self.postcode += other.postcode;
        self.name += other.name;
    }

    /// All identifiers replaced.
    pub fn total(&self) -> u64 {
        self.nhs_number + self.phone + self.email + self.postcode + self.name
    }

    /// `(kind, count)` for every kind, in a fixed order.
    pub fn by_kind(&self) -> [(IdentifierKind, u64); 5] {
        [
            (IdentifierKind::NhsNumber, self.nhs_number),
            (IdentifierKind::Phone, self.phone),
            (IdentifierKind::Email, self.email),
            (IdentifierKind::Postcode, self.postcode),
            (IdentifierKind::Name, self.name),
        ]
    }
}

/// Words after which a capitalised word is a name: honorifics ("Dr Patel", "Mrs Jones") also take a
/// name written in capitals ("DR PATEL").
const HONORIFICS: &[&str] = &[
    "dr",
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "prof",
    "professor",
    "sister",
];

/// Job titles and roles that people name staff by ("nurse Kelly", "paramedic John").
const ROLES: &[&str] = &[
    "doctor",
    "nurse",
    "matron",
    "paramedic",
    "midwife",
    "consultant",
    "surgeon",
    "registrar",
    "physio",
    "physiotherapist",
    "therapist",
    "receptionist",
    "porter",
    "carer",
    "dentist",
    "pharmacist",
    "radiographer",
    "sonographer",
    "technician",
    "counsellor",
    "psychiatrist",
    "psychologist",
    "practitioner",
    "hca",
    "gp",
    "optometrist",
    "chaplain",
    "dietitian",
    "dietician",
    "podiatrist",
    "phlebotomist",
    "anaesthetist",
    "advisor",
    "adviser",
    "handler",
    "coordinator",
    "worker",
    "visitor",
    "manager",
    "assistant",
    "driver",
    "officer",
    "tech",
    "emt",
    "sonographer",
];

/// Capitalised words that follow a title or role without being a name: role words, sentence starts,
/// verbs that begin a clause, places, days and months. Compared lowercase.
const NOT_NAMES: &[&str] = &[
    // pronouns, articles, conjunctions, prepositions
    "a",
    "an",
    "and",
    "the",
    "or",
    "but",
    "so",
    "if",
    "as",
    "at",
    "in",
    "on",
    "of",
    "for",
    "to",
    "from",
    "with",
    "by",
    "into",
    "about",
    "after",
    "before",
    "because",
    "since",
    "while",
    "until",
    "then",
    "than",
    "there",
    "here",
    "this",
    "that",
    "these",
    "those",
    "who",
    "whom",
    "whose",
    "which",
    "what",
    "when",
    "where",
    "why",
    "how",
    "i",
    "im",
    "i'm",
    "ive",
    "i've",
    "i'd",
    "i'll",
    "me",
    "my",
    "we",
    "our",
    "us",
    "you",
    "your",
    "he",
    "him",
    "his",
    "she",
    "her",
    "they",
    "them",
    "their",
    "it",
    "its",
    "all",
    "also",
    "not",
    "no",
    "yes",
    "very",
    "just",
    "only",
    "really",
    "too",
    "again",
    "even",
    "always",
    "never",
    "still",
    "both",
    "each",
    "every",
    "everyone",
    "everybody",
    "someone",
    "nobody",
    "any",
    "some",
    "none",
    "other",
    "others",
    "another",
    "one",
    "two",
    "three",
    "first",
    "next",
    "last",
    "today",
    "yesterday",
    "tomorrow",
    "tonight",
    "overall",
    "however",
    "although",
    "though",
    "thank",
    "thanks",
    "thankyou",
    "please",
    "ok",
    "okay",
    "well",
    "now",
    "later",
    "soon",
    // verbs that often follow a role at the start of a clause
    "is",
    "was",
    "were",
    "are",
    "be",
    "been",
    "being",
    "am",
    "has",
    "had",
    "have",
    "having",
    "do",
    "did",
    "does",
    "done",
    "didnt",
    "didn't",
    "wasnt",
    "wasn't",
    "isnt",
    "isn't",
    "couldnt",
    "couldn't",
    "wouldnt",
    "wouldn't",
    "dont",
    "don't",
    "will",
    "would",
    "could",
    "should",
    "can",
    "cant",
    "can't",
    "may",
    "might",
    "must",
    "shall",
    "said",
    "says",
    "say",
    "told",
    "tells",
    "came",
    "come",
    "comes",
    "went",
    "go",
    "goes",
    "gave",
    "give",
    "gives",
    "got",
    "get",
    "gets",
    "made",
    "make",
    "makes",
    "took",
    "take",
    "takes",
    "saw",
    "see",
    "sees",
    "seen",
    "called",
    "call",
    "calls",
    "rang",
    "phoned",
    "explained",
    "asked",
    "arrived",
    "listened",
    "helped",
    "spoke",
    "spent",
    "showed",
    "let",
    "put",
    "kept",
    "left",
    "looked",
    "treated",
    "examined",
    "checked",
    "sorted",
    "dealt",
    "knew",
    "felt",
    "tried",
    "visited",
    "attended",
    "referred",
    // staff, places and services
    "team",
    "teams",
    "staff",
    "station",
    "unit",
    "ward",
    "wards",
    "department",
    "dept",
    "service",
    "services",
    "clinic",
    "clinics",
    "surgery",
    "practice",
    "practices",
    "specialist",
    "specialists",
    "led",
    "lead",
    "leads",
    "support",
    "appointment",
    "appointments",
    "reception",
    "home",
    "visit",
    "visits",
    "office",
    "room",
    "hospital",
    "trust",
    "centre",
    "center",
    "nhs",
    "a&e",
    "ae",
    "ed",
    "icu",
    "itu",
    "crew",
    "crews",
    "call",
    "line",
    "triage",
    "care",
    "health",
    "mental",
    "community",
    "district",
    "practitioners",
    "nurses",
    "doctors",
    "paramedics",
    "consultants",
    "midwives",
    "receptionists",
    "porters",
    "carers",
    "therapists",
    "associate",
    "student",
    "students",
    "staffs",
    "on-call",
    "oncall",
    "duty",
    "night",
    "day",
    "shift",
    "bank",
    "agency",
    "junior",
    "senior",
    "head",
    "chief",
    "charge",
    "ambulance",
    "technician",
    "technicians",
    "assistant",
    "assistants",
    "worker",
    "workers",
    "manager",
    "managers",
    "great",
    "good",
    "excellent",
    "lovely",
    "brilliant",
    "amazing",
    "fantastic",
    "kind",
    "nice",
    "helpful",
    "friendly",
    "rude",
    "wonderful",
    "fab",
    "fabulous",
    "superb",
    "outstanding",
    // days and months
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Finds and replaces personal identifiers. Build one and share it: it is `Sync`, and
/// [`Redactor::redact`] takes `&self`.
///
/// ```
/// use chorus_ingest::Redactor;
///
/// let redactor = Redactor::new();
/// let (text, counts) = redactor.redact("Dr Patel rang me on 07700 900123; nurse was lovely");
/// assert_eq!(text, "Dr [NAME] rang me on [PHONE]; nurse was lovely");
/// assert_eq!((counts.name, counts.phone), (1, 1));
/// ```
#[derive(Clone, Debug)]
pub struct Redactor {
    email: Regex,
    postcode: Regex,
    honorifics: FxHashSet<&'static str>,
    roles: FxHashSet<&'static str>,
    not_names: FxHashSet<&'static str>,
    /// Names from the user's list, lowercase, by first word; each entry is the full name's words.
    names: FxHashMap<String, Vec<Vec<String>>>,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new()
    }
}

/// A stretch of text to replace.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    end: usize,
    kind: IdentifierKind,
}

impl Redactor {
    /// A redactor with the built-in detectors and no names list.
    pub fn new() -> Redactor {
        // Both patterns are fixed and tested below, so failing to compile them is a bug, not bad input.
        #[allow(clippy::unwrap_used)]
        let email =
            Regex::new(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
                .unwrap();
        // The UK postcode shapes (A9 9AA, A99 9AA, A9A 9AA, AA9 9AA, AA99 9AA, AA9A 9AA) with the letters
        // each position can hold; the inward code never uses C I K M O V, which keeps "4pm" out.
        #[allow(clippy::unwrap_used)]
        let postcode = Regex::new(
            r"(?i)\b(?:GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2})\b",
        )
        .unwrap();
        Redactor {
            email,
            postcode,
            honorifics: HONORIFICS.iter().copied().collect(),
            roles: ROLES.iter().copied().collect(),
            not_names: NOT_NAMES.iter().copied().collect(),
            names: FxHashMap::default(),
        }
    }

    /// Adds names to redact wherever they appear as whole words, ignoring case ("Kelly", "Jo Bloggs").
    pub fn with_names<I, S>(mut self, names: I) -> Redactor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for name in names {
            let words: Vec<String> = name_words(name.as_ref()).map(|(_, w)| fold(w)).collect();
            if let Some(first) = words.first() {
                let entry = self.names.entry(first.clone()).or_default();
                if !entry.contains(&words) {
                    entry.push(words);
                }
            }
        }
        // Longest names first, so "Jo Bloggs" wins over "Jo".
        for list in self.names.values_mut() {
            list.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        }
        self
    }

    /// Adds the names in a file, one per line (blank lines and lines starting with `#` are skipped).
    pub fn with_names_file(self, path: &Path) -> Result<Redactor, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::NamesList {
            path: path.to_owned(),
            source,
        })?;
        let text = crate::encoding::decode_whole(&bytes)
            .map(|(_, text)| text)
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
        let names: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        Ok(self.with_names(names))
    }

    /// How many names the user's list holds.
    pub fn names_len(&self) -> usize {
        self.names.values().map(Vec::len).sum()
    }

    /// Replaces every identifier in `text` with its marker. Borrows when there is nothing to replace.
    pub fn redact<'a>(&self, text: &'a str) -> (Cow<'a, str>, RedactionCounts) {
        let mut spans: Vec<Span> = Vec::new();
        let bytes = text.as_bytes();
        if memchr::memchr(b'@', bytes).is_some() {
            for m in self.email.find_iter(text) {
                spans.push(Span {
                    start: m.start(),
                    end: m.end(),
                    kind: IdentifierKind::Email,
                });
            }
        }
        let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
        if digits >= 9 {
            find_numbers(text, &mut spans);
        }
        if digits >= 2 {
            for m in self.postcode.find_iter(text) {
                let inward = &text[m.end() - 2..m.end()];
                // "b4 3rd": an ordinal, not a postcode, when written in lower case.
                if matches!(inward, "st" | "nd" | "rd" | "th") {
                    continue;
                }
                spans.push(Span {
                    start: m.start(),
                    end: m.end(),
                    kind: IdentifierKind::Postcode,
                });
            }
        }
        self.find_names(text, &mut spans);
        if spans.is_empty() {
            return (Cow::Borrowed(text), RedactionCounts::default());
        }
        spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        let mut out = String::with_capacity(text.len());
        let mut counts = RedactionCounts::default();
        let mut cursor = 0;
        for span in spans {
            if span.start < cursor {
                // Overlaps one already replaced (an email's digits, a listed name after a title).
                continue;
            }
            out.push_str(&text[cursor..span.start]);
            out.push_str(span.kind.marker());
            counts.add(span.kind);
            cursor = span.end;
        }
        out.push_str(&text[cursor..]);
        (Cow::Owned(out), counts)
    }

    fn find_names(&self, text: &str, spans: &mut Vec<Span>) {
        if self.names.is_empty() && !has_capitalised_word_after_space(text.as_bytes()) {
            // A name after a title is a capitalised word after a space ("Dr Patel"): most comments
            // have none beyond "I", so they skip the word scan.
            return;
        }
        let words: Vec<(usize, &str)> = name_words(text).collect();
        let listing = !self.names.is_empty();
        let mut i = 0;
        while i < words.len() {
            let (start, word) = words[i];
            // A title or role only matters before a capitalised word: skip the folding otherwise.
            let before_capital = words
                .get(i + 1)
                .is_some_and(|(_, next)| next.chars().next().is_some_and(char::is_uppercase));
            if !listing && (!before_capital || word.len() > 16) {
                i += 1;
                continue;
            }
            let lower = fold(word);
            if !self.names.is_empty()
                && let Some(len) = self.listed_name_at(text, &words, i, &lower)
            {
                let (last_start, last) = words[i + len - 1];
                spans.push(Span {
                    start,
                    end: last_start + last.len(),
                    kind: IdentifierKind::Name,
                });
                i += len;
                continue;
            }
            let honorific = self.honorifics.contains(lower.as_str());
            if (honorific || self.roles.contains(lower.as_str())) && i + 1 < words.len() {
                let end = start + word.len();
                if let Some(len) = self.name_after(text, &words, i + 1, end, honorific) {
                    let (first_start, _) = words[i + 1];
                    let (last_start, last) = words[i + len];
                    let last = strip_possessive(last);
                    spans.push(Span {
                        start: first_start,
                        end: last_start + last.len(),
                        kind: IdentifierKind::Name,
                    });
                    i += len + 1;
                    continue;
                }
            }
            i += 1;
        }
    }

    /// The number of words of a listed name starting at word `i`, if one does.
    fn listed_name_at(
        &self,
        text: &str,
        words: &[(usize, &str)],
        i: usize,
        lower: &str,
    ) -> Option<usize> {
        let candidates = self.names.get(lower)?;
        'names: for name in candidates {
            if i + name.len() > words.len() {
                continue;
            }
            for (k, part) in name.iter().enumerate().skip(1) {
                let (prev_start, prev) = words[i + k - 1];
                let (start, word) = words[i + k];
                let gap = &text[prev_start + prev.len()..start];
                if !gap.chars().all(char::is_whitespace) || fold(word) != *part {
                    continue 'names;
                }
            }
            return Some(name.len());
        }
        None
    }

    /// The number of words (1 or 2, plus an initial) of a name right after a title ending at byte
    /// `title_end`, if the next word is one.
    fn name_after(
        &self,
        text: &str,
        words: &[(usize, &str)],
        first: usize,
        title_end: usize,
        honorific: bool,
    ) -> Option<usize> {
        let (start, word) = words[first];
        let gap = &text[title_end..start];
        // "Dr. Patel" and "Dr Patel"; for roles a full stop ends the sentence ("the nurse. Kelly ...").
        let gap_ok = match gap {
            " " | "  " | "\t" => true,
            ". " if honorific => true,
            _ => false,
        };
        if !gap_ok {
            return None;
        }
        let mut len = 0;
        let mut k = first;
        // An initial: "Dr J Smith", "Dr J. Smith".
        if word.len() == 1 && word.as_bytes()[0].is_ascii_uppercase() && k + 1 < words.len() {
            let (next_start, _) = words[k + 1];
            let between = &text[start + 1..next_start];
            if matches!(between, " " | ". ") {
                len += 1;
                k += 1;
            }
        }
        let (_, word) = words[k];
        // Only honorifics take a name in capitals: "DR PATEL", but not "NURSE WAS RUDE".
        if !self.looks_like_name(word, honorific) {
            return None;
        }
        len += 1;
        // "the consultant Social worker": a word that qualifies a role is not a name.
        if let Some(&(next_start, next)) = words.get(k + 1) {
            let (start, word) = words[k];
            if text[start + word.len()..next_start].trim().is_empty()
                && self.roles.contains(fold(next).as_str())
            {
                return None;
            }
        }
        // A surname: "Dr John Smith".
        if k + 1 < words.len() {
            let (start, word) = words[k];
            let (next_start, next) = words[k + 1];
            if &text[start + word.len()..next_start] == " "
                && !word.ends_with("'s")
                && !word.ends_with("’s")
                && self.looks_like_name(next, false)
            {
                len += 1;
            }
        }
        Some(len)
    }

    fn looks_like_name(&self, word: &str, allow_all_caps: bool) -> bool {
        let core = strip_possessive(word);
        let mut chars = core.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        if !first.is_uppercase() || core.chars().count() < 2 {
            return false;
        }
        let has_lower = core.chars().any(char::is_lowercase);
        if !has_lower && !allow_all_caps {
            return false;
        }
        let lower = fold(core);
        !self.not_names.contains(lower.as_str())
            && !self.roles.contains(lower.as_str())
            && !self.honorifics.contains(lower.as_str())
    }
}

/// Whether some space is followed by an upper-case letter and then a letter or a full stop ("Dr Patel",
/// "Dr J. Smith"), not counting the pronoun "I". Non-ASCII letters count as possible capitals.
fn has_capitalised_word_after_space(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| {
        w[0].is_ascii_whitespace()
            && (w[1].is_ascii_uppercase()
                && (w[2].is_ascii_alphabetic() || w[2] == b'.' || w[2] >= 0x80)
                || w[1] >= 0xC0)
    })
}

fn strip_possessive(word: &str) -> &str {
    word.strip_suffix("'s")
        .or_else(|| word.strip_suffix("’s"))
        .unwrap_or(word)
}

/// Lowercase, with curly apostrophes made straight, for comparing words.
fn fold(word: &str) -> String {
    if word.is_ascii() {
        word.to_ascii_lowercase()
    } else {
        word.chars()
            .map(|c| if c == '’' { '\'' } else { c })
            .flat_map(char::to_lowercase)
            .collect()
    }
}

/// Words as names are written: letters with inner apostrophes and hyphens ("O'Brien", "Smith-Jones"),
/// with their byte offsets.
fn name_words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    // The byte length of the letter at `i`, if a letter starts there. ASCII is decided from the byte
    // alone; only non-ASCII text pays for decoding a character.
    let letter_at = move |i: usize| -> Option<usize> {
        let b = *bytes.get(i)?;
        if b.is_ascii_alphabetic() {
            return Some(1);
        }
        if b < 0x80 {
            return None;
        }
        let c = text.get(i..)?.chars().next()?;
        c.is_alphabetic().then(|| c.len_utf8())
    };
    let mut pos = 0;
    std::iter::from_fn(move || {
        while pos < bytes.len() {
            let Some(len) = letter_at(pos) else {
                pos += if bytes[pos] < 0x80 {
                    1
                } else {
                    text.get(pos..)
                        .and_then(|t| t.chars().next())
                        .map_or(1, char::len_utf8)
                };
                continue;
            };
            let start = pos;
            pos += len;
            loop {
                if let Some(len) = letter_at(pos) {
                    pos += len;
                    continue;
                }
                // An apostrophe or hyphen only inside a word: "O'Brien" yes, "nurse'" no.
                let joiner = match bytes.get(pos) {
                    Some(b'\'' | b'-') => 1,
                    Some(0xE2) if text.get(pos..).is_some_and(|t| t.starts_with('’')) => 3,
                    _ => 0,
                };
                if joiner > 0 && letter_at(pos + joiner).is_some() {
                    pos += joiner;
                    continue;
                }
                break;
            }
            return Some((start, &text[start..pos]));
        }
        None
    })
}

/// Finds NHS numbers and UK phone numbers: runs of digit groups separated by single spaces or hyphens,
/// optionally starting with `+`, then the sub-run of groups that forms a valid number.
fn find_numbers(text: &str, spans: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let starts_run = b.is_ascii_digit()
            || (b == b'+' || b == b'(') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        // Not inside a word, a decimal or a date ("A12", "3.14159265", "12/03/2022").
        let prev_ok = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || matches!(bytes[i - 1], b'.' | b'/' | b','));
        if !starts_run || !prev_ok {
            i += 1;
            continue;
        }
        let groups = digit_groups(bytes, i);
        let run_end = groups.last().map_or(i + 1, |g| g.end);
        let followed_ok = run_end >= bytes.len()
            || !(bytes[run_end].is_ascii_alphanumeric()
                || matches!(bytes[run_end], b'/' | b':')
                || bytes[run_end] == b'.'
                    && bytes.get(run_end + 1).is_some_and(u8::is_ascii_digit));
        let mut g = 0;
        while g < groups.len() {
            if let Some((len, kind)) = longest_number(
                bytes,
                &groups[g..],
                g + groups[g..].len() == groups.len() && !followed_ok,
            ) {
                spans.push(Span {
                    start: groups[g].start,
                    end: groups[g + len - 1].end,
                    kind,
                });
                g += len;
            } else {
                g += 1;
            }
        }
        i = run_end.max(i + 1);
    }
}

/// A group of digits, with where it starts (including a leading `+` or `(`) and ends.
#[derive(Clone, Copy, Debug)]
struct Group {
    start: usize,
    end: usize,
    digits_start: usize,
    plus: bool,
    paren: bool,
}

fn digit_groups(bytes: &[u8], mut i: usize) -> Vec<Group> {
    let mut groups = Vec::new();
    loop {
        let start = i;
        let plus = bytes.get(i) == Some(&b'+');
        let paren = bytes.get(i) == Some(&b'(');
        if plus || paren {
            i += 1;
        }
        let digits_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == digits_start {
            break;
        }
        let mut end = i;
        if paren {
            if bytes.get(i) == Some(&b')') {
                i += 1;
                end = i;
            } else {
                break;
            }
        }
        groups.push(Group {
            start,
            end,
            digits_start,
            plus,
            paren,
        });
        // One separator, then another group.
        match (bytes.get(i), bytes.get(i + 1)) {
            (Some(b' ' | b'-'), Some(n)) if n.is_ascii_digit() || *n == b'(' => i += 1,
            (Some(b'('), _) => {}
            // "(0)20 7946 0000": a bracketed group runs straight into the next.
            (Some(n), _) if paren && n.is_ascii_digit() => {}
            _ => break,
        }
    }
    groups
}

/// The most groups from the start of `groups` that form an NHS number or a UK phone number.
fn longest_number(
    bytes: &[u8],
    groups: &[Group],
    last_is_glued: bool,
) -> Option<(usize, IdentifierKind)> {
    let first = groups.first()?;
    if first.paren && &bytes[first.digits_start..first.end - 1] == b"0" {
        return None;
    }
    for len in (1..=groups.len().min(6)).rev() {
        if len == groups.len() && last_is_glued {
            continue;
        }
        let chosen = &groups[..len];
        let mut digits = String::with_capacity(16);
        for g in chosen {
            let end = if g.paren { g.end - 1 } else { g.end };
            digits.push_str(std::str::from_utf8(&bytes[g.digits_start..end]).unwrap_or(""));
        }
        let sizes: Vec<usize> = chosen
            .iter()
            .map(|g| {
                if g.paren {
                    g.end - 1 - g.digits_start
                } else {
                    g.end - g.digits_start
                }
            })
            .collect();
        if !first.plus
            && !first.paren
            && digits.len() == 10
            && (sizes == [10] || sizes == [3, 3, 4])
            && nhs_check_digit_ok(&digits)
        {
            return Some((len, IdentifierKind::NhsNumber));
        }
        if is_uk_phone(&digits, &sizes, chosen) {
            return Some((len, IdentifierKind::Phone));
        }
    }
    None
}

/// Whether digits grouped as `sizes` are a UK phone number: `0` then 9–10 digits, or `+44`/`0044` then
/// 9–10 digits (with an optional `(0)`). Groups of fewer than three digits are refused so that dates and
/// counts ("01-02-2022 03") are not read as numbers.
fn is_uk_phone(digits: &str, sizes: &[usize], groups: &[Group]) -> bool {
    let national = if let Some(rest) = digits.strip_prefix("44").filter(|_| groups[0].plus) {
        let rest = if groups.get(1).is_some_and(|g| g.paren) {
            rest.strip_prefix('0').unwrap_or(rest)
        } else {
            rest
        };
        // After +44 the area code may be two digits ("+44 20 7946 0000"); a bracketed "(0)" is one.
        if sizes
            .iter()
            .zip(groups)
            .skip(1)
            .any(|(&s, g)| s < 2 && !g.paren)
        {
            return false;
        }
        rest
    } else if let Some(rest) = digits.strip_prefix("0044") {
        rest
    } else if let Some(rest) = digits.strip_prefix('0').filter(|_| !groups[0].plus) {
        if sizes.iter().any(|&s| s < 3) {
            return false;
        }
        rest
    } else {
        return false;
    };
    (9..=10).contains(&national.len())
        && matches!(
            national.as_bytes()[0],
            b'1' | b'2' | b'3' | b'5' | b'7' | b'8' | b'9'
        )
}

/// The NHS number's modulus 11 check: weights 10 to 2 on the first nine digits; 11 minus the remainder
/// (11 becomes 0, 10 is never issued) must equal the tenth.
pub fn nhs_check_digit_ok(digits: &str) -> bool {
    let d: Vec<u32> = digits
        .bytes()
        .map(|b| u32::from(b.wrapping_sub(b'0')))
        .collect();
    if d.len() != 10 || d.iter().any(|&x| x > 9) {
        return false;
    }
    let sum: u32 = d[..9].iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == d[9]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(redactor: &Redactor, input: &str, expected: &str) {
        let (out, counts) = redactor.redact(input);
        assert_eq!(out, expected, "input: {input:?}");
        let markers = expected.matches('[').count() - input.matches('[').count();
        assert_eq!(counts.total() as usize, markers, "count for {input:?}");
    }

    #[test]
    fn nhs_numbers_need_a_valid_check_digit() {
        let r = Redactor::new();
        check(
            &r,
            "my NHS number is 943 476 5919 ok",
            "my NHS number is [NHS_NUMBER] ok",
        );
        check(&r, "nhs no 9434765919.", "nhs no [NHS_NUMBER].");
        check(&r, "ref 943-476-5919", "ref [NHS_NUMBER]");
        // Wrong check digits: left alone.
        check(&r, "ref 943 476 5918", "ref 943 476 5918");
        check(&r, "ref 1234567890", "ref 1234567890");
        assert!(nhs_check_digit_ok("4010232137"));
        assert!(!nhs_check_digit_ok("4010232138"));
    }

    #[test]
    fn uk_phone_numbers_in_their_usual_shapes() {
        let r = Redactor::new();
        for phone in [
            "07700 900123",
            "07700900123",
            "07700-900-123",
            "0191 498 0123",
            "020 7946 0000",
            "(0191) 498 0123",
            "+44 7700 900123",
            "+447700900123",
            "+44 (0)20 7946 0000",
            "0044 20 7946 0000",
            "0800 123 456",
            "01632 960 001",
        ] {
            check(&r, &format!("call {phone} now"), "call [PHONE] now");
        }
    }

    #[test]
    fn ordinary_numbers_dates_and_times_are_left_alone() {
        let r = Redactor::new();
        for text in [
            "rang 111 then 999 and waited 4 hours",
            "seen on 03/04/2022 at 10:30, then 12-03-2022 14:00",
            "dates 01-02-2022 03-04-2022 05-06-2022",
            "scored 10/10, 5 stars, 100%",
            "waited from 2019 2020 2021 until 2022",
            "ward 4 bed 12 room 101 on the 3rd floor",
            "cost £1,234,567,890 apparently",
            "version 3.1415926535 of the app",
            "A12345678901 is my hospital number",
        ] {
            check(&r, text, text);
        }
    }

    #[test]
    fn emails_and_postcodes() {
        let r = Redactor::new();
        check(
            &r,
            "email me at jo.bloggs+nhs@example.co.uk please",
            "email me at [EMAIL] please",
        );
        check(&r, "I live at NE1 4LP near", "I live at [POSTCODE] near");
        check(&r, "postcode sw1a 1aa.", "postcode [POSTCODE].");
        check(
            &r,
            "from M1 1AE and B33 8TH",
            "from [POSTCODE] and [POSTCODE]",
        );
        check(&r, "EC1A1BB", "[POSTCODE]");
        for text in [
            "at 4pm",
            "the M1 was busy",
            "A1 road",
            "b4 3rd visit",
            "seen at 2 30pm",
            "covid19 jab",
        ] {
            check(&r, text, text);
        }
    }

    #[test]
    fn names_after_titles_and_roles_keep_the_title() {
        let r = Redactor::new();
        let cases = [
            ("Dr Patel was great", "Dr [NAME] was great"),
            (
                "thanks to nurse Kelly and Sister O'Brien",
                "thanks to nurse [NAME] and Sister [NAME]",
            ),
            ("Mr. Smith explained", "Mr. [NAME] explained"),
            ("paramedic John was kind", "paramedic [NAME] was kind"),
            ("Dr John Smith saw me", "Dr [NAME] saw me"),
            ("Dr J. Smith saw me", "Dr [NAME] saw me"),
            ("Dr Patel's clinic", "Dr [NAME]'s clinic"),
            ("Staff Nurse Kelly-Ann helped", "Staff Nurse [NAME] helped"),
            ("DR PATEL WAS GREAT", "DR [NAME] WAS GREAT"),
            ("Mrs Ní Bhriain", "Mrs [NAME]"),
        ];
        for (input, expected) in cases {
            check(&r, input, expected);
        }
    }

    #[test]
    fn titles_followed_by_ordinary_words_are_not_names() {
        let r = Redactor::new();
        for text in [
            "the nurse was lovely",
            "Dr was lovely",
            "the Nurse Practitioner was kind",
            "saw the doctor. Everyone was kind",
            "saw the nurse. Kelly then came",
            "The Paramedic Crew were great",
            "NURSE WAS RUDE",
            "my GP Surgery is good",
            "the Doctor The next day",
            "Nurse Led Clinic",
            "nurse practitioner on Monday",
            "The consultant Social worker, named nurse",
            "the best therapist I've ever had",
        ] {
            check(&r, text, text);
        }
    }

    #[test]
    fn a_names_list_matches_whole_words_ignoring_case() {
        let r = Redactor::new().with_names(["Kelly", "Jo Bloggs", "O'Neill"]);
        check(
            &r,
            "kelly was great, so was KELLY",
            "[NAME] was great, so was [NAME]",
        );
        check(&r, "thanks Jo Bloggs and Jo", "thanks [NAME] and Jo");
        check(&r, "Kellys and Kellyanne", "Kellys and Kellyanne");
        check(&r, "nurse Kelly", "nurse [NAME]");
        check(&r, "o’neill helped", "[NAME] helped");
        assert_eq!(r.names_len(), 3);
    }

    #[test]
    fn text_without_identifiers_is_borrowed() {
        let r = Redactor::new();
        let (out, counts) = r.redact("Staff were kind and the wait was short");
        assert!(matches!(out, Cow::Borrowed(_)));
        assert_eq!(counts, RedactionCounts::default());
    }
}
