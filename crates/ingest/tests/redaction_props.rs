//! Property tests of the redactor: on generated comments it never panics, redacting twice changes
//! nothing more than redacting once, and an identifier of any of the forms it knows, embedded in
//! generated text, never comes out.
//!
//! `PROPTEST_CASES` sets the number of cases per property (256 by default), for a long run:
//! `PROPTEST_CASES=1000000 cargo test --release -p chorus-ingest --test redaction_props`. The cases are
//! the same on every run (seed 1, or `PROPTEST_RNG_SEED`), so a failure seen once is seen again.

use chorus_ingest::{Redactor, nhs_check_digit_ok};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::RngSeed;

/// The default configuration (with `PROPTEST_CASES`), on a fixed seed, writing no files.
fn config() -> ProptestConfig {
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    ProptestConfig {
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Ordinary words of feedback, lower-case, none a name: the text an identifier is embedded in.
#[rustfmt::skip]
const FILLER: &[&str] = &[
    "the", "staff", "were", "kind", "and", "waited", "hours", "in", "a&e", "ward", "was", "clean",
    "but", "the", "food", "cold", "i", "was", "seen", "quickly", "thank", "you", "for",
    "everything", "parking", "is", "awful", "my", "mum", "felt", "listened", "to", "very", "good",
    "service", "nurse", "doctor", "called", "back", "named", "nothing", "could", "be", "better",
    "appointment", "letter", "late", "rude", "lovely", "explained", "well", "discharge", "took",
    "ages", "on", "at", "dr's", "gp", "111", "999", "ward 7", "bay 4", "9.30", "2 hours", "500mg",
    "covid-19", "12/03/2024",
];

/// Pieces of text chosen to meet the redactor's edge cases: cues, digits, apostrophes, markers,
/// non-ASCII letters, odd spacing.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    "Dr", "dr.", "Mrs", "MISS", "nurse", "Nurse", "the", "called", "named", "name is", "my name's",
    "thank you", "Thanks", "regards,", "aged", "age", "on reception", "the nurse", "and", "&", ",",
    ".", "!", "?", "(", ")", "'", "’", "-", " ", "  ", "\n", "\t", "0", "07", "7700", "900", "123",
    "+44", "(0)", "943", "476", "5919", "@", " at ", " dot ", "(at)", "com", ".uk", "NE1", "4LP",
    "Lane", "Road", "road", "St", "Flat", "14", "7a", "DOB", "born", "01/02/1950", "/", "MRN", "RX",
    "1234567", "[NAME]", "[PHONE]", "[ADDRESS]", "Jo", "O'Neill", "van", "der", "Ní", "é", "ß", "İ",
    "ﬁ", "\u{301}", "😀", "\u{200b}", "\u{a0}", "Kelly", "Grace", "Ward", "XXXX", "JO", "jo",
];

/// Generated comments: arbitrary text, and text built from pieces that meet the edge cases.
fn comment() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(select(PIECES), 0..40).prop_map(|p| p.join("")),
        prop::collection::vec(select(PIECES), 0..40).prop_map(|p| p.join(" ")),
        prop::collection::vec(
            prop_oneof![select(PIECES).prop_map(str::to_owned), any::<String>()],
            0..12
        )
        .prop_map(|p| p.concat()),
    ]
}

/// First names and surnames of several languages, none an English word.
#[rustfmt::skip]
const NAMES: &[&str] = &[
    "Siobhan", "Priya", "Kwame", "Agnieszka", "Olufunmilayo", "Raj", "Jo", "Kelly", "Karen",
    "Tomasz", "Aisha", "Ewa", "Callum", "Deborah", "Imran", "Nguyen", "Okafor", "Patel", "O'Neill",
    "McAllister", "Smith-Jones", "Wiśniewski", "Chowdhury", "Fitzgerald",
];

/// A name no English word could be: a real one, or an invented one with an ending English words lack.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        select(NAMES).prop_map(str::to_owned),
        (
            "[B-DF-HJ-NP-TV-Z][aeiou][bcdfglmnrstvz]{1,2}[aeiou]?",
            select(&["ski", "wicz", "enko", "adze", "oglu", "opoulos", "owska"][..])
        )
            .prop_map(|(stem, end)| format!("{stem}{end}")),
    ]
}

/// An identifier form and the parts of it that must not come out.
fn identifier() -> impl Strategy<Value = (String, Vec<String>)> {
    prop_oneof![
        (
            select(
                &[
                    "Dr", "Dr.", "Mr", "Mrs", "Ms", "Miss", "Prof", "Sister", "dr", "mrs", "MR"
                ][..]
            ),
            name()
        )
            .prop_map(|(t, n)| (format!("{t} {n}"), vec![n])),
        (
            select(
                &[
                    "nurse",
                    "Nurse",
                    "the paramedic,",
                    "our midwife",
                    "physio",
                    "the HCA",
                    "receptionist",
                    "driver",
                    "my carer",
                    "consultant",
                    "my son",
                    "my wife,"
                ][..]
            ),
            name()
        )
            .prop_map(|(r, n)| (format!("{r} {n}"), vec![n])),
        // In lower case, a real name: an invented one may be one letter from an English word
        // ("decadze"), which the redactor takes for a misspelling.
        (
            select(&["nurse", "the doctor", "my daughter", "paramedic"][..]),
            select(NAMES)
        )
            .prop_map(|(r, n)| {
                let lower = n.to_lowercase();
                (format!("{r} {lower}"), vec![lower])
            }),
        (
            select(
                &[
                    "a nurse called",
                    "a lady called",
                    "someone named",
                    "a porter known as",
                    "my name is",
                    "My name's",
                    "her name was"
                ][..]
            ),
            name(),
            name()
        )
            .prop_map(|(c, n, s)| (format!("{c} {n} {s}"), vec![n, s])),
        (name(), 1..99u8).prop_map(|(n, a)| (format!("{n}, aged {a},"), vec![n])),
        (
            select(&["Thank you", "thanks to", "Huge thanks to", "Regards,"][..]),
            name()
        )
            .prop_map(|(t, n)| (format!("{t} {n}"), vec![n])),
        phone(),
        nhs_number(),
        (
            "[a-z][a-z0-9._]{0,10}[a-z0-9]",
            "[a-z]{2,10}",
            select(&["com", "co.uk", "org", "nhs.net"][..]),
            select(&["@", " @ ", "@ "][..])
        )
            .prop_map(|(local, domain, tld, at)| {
                (
                    format!("{local}{at}{domain}.{tld}"),
                    vec![format!("{local}{at}{domain}")],
                )
            }),
        (
            "[ABDEFGHKLMNPRSTW][ABDEFGHKLMNPRSTUWY]?[1-9]",
            "[0-9][ABDEFGHJLNPQRSTUWXYZ]{2}"
        )
            .prop_map(|(out, inward)| {
                let code = format!("{out} {inward}");
                (code.clone(), vec![code])
            }),
        (
            1..999u16,
            select(&["Mill", "Church", "High", "Acacia", "Oakfield", "St John's"][..]),
            select(
                &[
                    "Lane", "Road", "Street", "Avenue", "Close", "Drive", "Rd", "Crescent"
                ][..]
            )
        )
            .prop_map(|(n, s, t)| (format!("{n} {s} {t}"), vec![format!("{s} {t}")])),
        (
            select(&["date of birth", "DOB", "d.o.b.", "born on", "dob:"][..]),
            1..29u8,
            1..13u8,
            1920..2024u16
        )
            .prop_map(|(c, d, m, y)| {
                let date = format!("{d:02}/{m:02}/{y}");
                (format!("{c} {date}"), vec![date])
            }),
        (
            "[A-Z]{1,3}[0-9]{7}",
            select(&["", "hospital number ", "MRN: ", "unit no "][..])
        )
            .prop_map(|(id, cue)| (format!("{cue}{id}"), vec![id])),
        (
            "[0-9]{7,8}",
            select(&["hospital number ", "MRN: ", "patient ID "][..])
        )
            .prop_map(|(id, cue)| (format!("{cue}{id}"), vec![id])),
    ]
}

/// A UK mobile number written as people write one.
fn phone() -> impl Strategy<Value = (String, Vec<String>)> {
    ("[0-9]{9}", 0..5u8).prop_map(|(rest, style)| {
        let digits = format!("07{rest}");
        let written = match style {
            0 => digits.clone(),
            1 => format!("{} {}", &digits[..5], &digits[5..]),
            2 => format!("{}.{}.{}", &digits[..5], &digits[5..8], &digits[8..]),
            3 => digits
                .chars()
                .map(String::from)
                .collect::<Vec<_>>()
                .join(" "),
            _ => format!("+44 {} {}", &digits[1..5], &digits[5..]),
        };
        (written, vec![digits[1..].to_owned()])
    })
}

/// An NHS number with a valid check digit, grouped as people write one, or any ten digits called one.
fn nhs_number() -> impl Strategy<Value = (String, Vec<String>)> {
    prop_oneof![
        "[0-9]{9}".prop_filter_map("no check digit", |nine| {
            (0..10)
                .map(|d| format!("{nine}{d}"))
                .find(|n| nhs_check_digit_ok(n))
        }),
        "[0-9]{10}".prop_map(|n| n),
    ]
    .prop_flat_map(|digits| {
        let valid = nhs_check_digit_ok(&digits);
        (Just(digits), 0..4u8, if valid { 0..2u8 } else { 1..2u8 })
    })
    .prop_map(|(digits, style, cue)| {
        let written = match style {
            0 => digits.clone(),
            1 => format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..]),
            2 => format!("{}-{}-{}", &digits[..3], &digits[3..6], &digits[6..]),
            _ => format!("{}.{}.{}", &digits[..3], &digits[3..6], &digits[6..]),
        };
        let cue = if cue == 1 { "my NHS number is " } else { "" };
        (format!("{cue}{written}"), vec![digits])
    })
}

/// Ordinary words around an identifier, a sentence before it and words after it.
fn filler() -> impl Strategy<Value = (String, String)> {
    (
        prop::collection::vec(select(FILLER), 0..8),
        prop::collection::vec(select(FILLER), 0..8),
        select(&[". ", "! ", "\n", " ", ", "][..]),
        select(
            &[
                " was great",
                " and the ward",
                ", then",
                ".",
                "!",
                " (again)",
                "",
            ][..],
        ),
    )
        .prop_map(|(before, after, stop, join)| {
            let before = if before.is_empty() {
                String::new()
            } else {
                format!("{}{stop}", before.join(" "))
            };
            (before, format!("{join} {}", after.join(" ")))
        })
}

/// Whether `part` shows in `out`: its digits in a row, for a number; otherwise the text as a whole word.
fn still_there(out: &str, part: &str) -> bool {
    let digits: String = part.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 6 {
        let out_digits: String = out.chars().filter(char::is_ascii_digit).collect();
        return out_digits.contains(&digits);
    }
    out.match_indices(part).any(|(at, _)| {
        let before = out[..at].chars().next_back();
        let after = out[at + part.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn never_panics_and_counts_each_marker(text in comment()) {
        let redactor = Redactor::new().with_names(["Kelly", "Jo Bloggs"]);
        let (out, counts) = redactor.redact(&text);
        let markers = ["[NHS_NUMBER]", "[PHONE]", "[EMAIL]", "[POSTCODE]", "[ADDRESS]",
            "[DATE_OF_BIRTH]", "[ID_NUMBER]", "[NAME]"];
        let added: usize = markers
            .iter()
            .map(|m| out.matches(m).count() - text.matches(m).count())
            .sum();
        prop_assert_eq!(counts.total() as usize, added);
    }

    #[test]
    fn redacting_twice_changes_nothing_more(text in comment()) {
        let redactor = Redactor::new();
        let (once, _) = redactor.redact(&text);
        let (twice, counts) = redactor.redact(&once);
        prop_assert_eq!(&*twice, &*once);
        prop_assert_eq!(counts.total(), 0);
    }

    #[test]
    fn identifiers_embedded_in_text_never_come_out(
        (id, parts) in identifier(),
        (before, after) in filler(),
    ) {
        let text = format!("{before}{id}{after}");
        let (out, _) = Redactor::new().redact(&text);
        for part in &parts {
            prop_assert!(!still_there(&out, part), "{:?} came out of {:?} as {:?}", part, text, out);
        }
    }
}
