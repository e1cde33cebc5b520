//! People's names, found by the words around them: after a title ("Dr Patel", "mrs o'neill"), a role or a
//! relative ("nurse Jo", "the paramedic, Steve,", "my son Oliver"), "called", "named", "known as" and "my
//! name is"; after thanks and sign-offs ("Thanks so much Chloe!", "Regards, Paul Wilson"); before an age
//! ("Tom, aged 4"), a role ("Jo the nurse") or a post ("Sarah on reception"); and beside any of those in a
//! list ("Natasha and Dr Schofield", "nurses Siobhan and Grace").
//!
//! Whether the word in such a place is a name is the lexicon's call (see `lexicon.rs`): after a title almost
//! anything is; after a role, a lower-case word is a name only if it is no English word and no misspelling
//! of one ("nurse jo", not "nurse wsa"), and a capitalised one if it is no English word or is also a name
//! ("Nurse Grace", not "the nurse Practitioner").

use rustc_hash::FxHashMap;

use super::lexicon::{Cue, DETERMINERS, LEXICON, PARTICLES};
use super::scan::{Word, fold, next_word, prev_word, words};
use super::{IdentifierKind, Span};

/// How sure the words before are that a name follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Evidence {
    /// After a title: a name unless it is plainly a word ("Dr was lovely", "mr smith" is a name).
    Title,
    /// After a role, a relative, "called" or "my name is": a name if no English word, or a capitalised
    /// name ("Grace").
    Role,
    /// After "my name is": as after a role, and a name even before a place's word ("George Ward").
    NameIs,
    /// Only a capitalised word that is no English word or is also a name: before "the nurse", after
    /// "thanks", in a list.
    Capitalised,
    /// Only a capitalised word known as a name and not as an English word: after "called" with no person
    /// before it ("a drug called Oramorph" is no name, "I called Sarah" is).
    KnownName,
}

/// Whether `w` can be a name given the evidence around it, in `text`.
fn is_name_word(text: &str, w: &Word, evidence: Evidence) -> bool {
    let bare = w.bare();
    let mut chars = bare.text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !first.is_alphabetic() || chars.next().is_none() {
        return false;
    }
    let lex = &*LEXICON;
    let lower = bare.folded();
    if lex.is_not_name(&lower) {
        return false;
    }
    let capitalised = bare.is_capitalised();
    if evidence == Evidence::Title {
        return first.is_uppercase() || !lex.is_common(&lower) || lex.is_name(&lower);
    }
    if capitalised && is_brand(bare.text) {
        return false;
    }
    // In capitals, a word after a role is an abbreviation ("dentist ASAP", "GP OOH") unless the whole
    // comment is in capitals ("NURSE JANET WAS BRILLIANT").
    if bare.is_all_caps() && !is_shouting(text) {
        return false;
    }
    // A capital is evidence of a name mid-sentence; at a sentence's start any word has one ("Tell the
    // GP"), so there only a word that is no English word can be a name. A capitalised word that looks
    // like a misspelling is still taken for a name: "Callum" is one letter from "callus".
    if capitalised && lex.is_common(&lower) && starts_sentence(text, w.start) {
        return false;
    }
    let unknown = || !lex.is_common(&lower) && (capitalised || !lex.is_misspelling(&lower));
    match evidence {
        Evidence::Title => true,
        Evidence::NameIs => {
            lex.is_name(&lower) && (capitalised || !lex.is_common(&lower)) || unknown()
        }
        Evidence::Role => {
            (lex.is_name(&lower) && (capitalised || !lex.is_common(&lower)) || unknown())
                && !before_place_word(text, *w)
        }
        Evidence::Capitalised => {
            capitalised && (lex.is_name(&lower) || unknown()) && !before_place_word(text, *w)
        }
        Evidence::KnownName => {
            capitalised
                && lex.is_name(&lower)
                && !lex.is_common(&lower)
                && !before_place_word(text, *w)
        }
    }
}

/// A word with a capital inside that names a product or an organisation ("SureStart", "myGP"), not a
/// person ("McAllister", "DeSouza" and "O'Neill" are names).
fn is_brand(word: &str) -> bool {
    let inner = word
        .char_indices()
        .skip(1)
        .find(|&(i, c)| c.is_uppercase() && !word[..i].ends_with(['\'', '’', '-']));
    inner.is_some_and(|(i, _)| {
        !matches!(
            &word[..i],
            "Mc" | "Mac" | "De" | "Di" | "Da" | "Du" | "Le" | "La" | "Van" | "Von" | "Fitz" | "St"
        )
    })
}

/// Whether the word at `start` begins the text or a sentence.
fn starts_sentence(text: &str, start: usize) -> bool {
    text[..start]
        .trim_end()
        .chars()
        .next_back()
        .is_none_or(|c| matches!(c, '.' | '!' | '?' | '"' | '(' | '-' | ':' | ';'))
}

/// Whether most of the letters of `text` are capitals.
fn is_shouting(text: &str) -> bool {
    let (mut upper, mut lower) = (0, 0);
    for c in text.chars() {
        if c.is_uppercase() {
            upper += 1;
        } else if c.is_lowercase() {
            lower += 1;
        }
    }
    upper > 3 * lower
}

/// A cue word found in the text.
#[derive(Clone, Copy, Debug)]
pub(super) struct Hit {
    pub start: usize,
    pub end: usize,
    pub cue: Cue,
}

/// Finds names by the cue words in `hits` and pushes their spans.
pub(super) fn find_names(text: &str, hits: &[Hit], spans: &mut Vec<Span>) {
    let mut found = Vec::new();
    for hit in hits {
        let cue = hit.cue;
        if cue.honorific {
            after_title(text, hit, &mut found);
        }
        if cue.role || cue.relative {
            after_role(text, hit, &mut found);
            before_role(text, hit, &mut found);
        }
        if cue.called {
            after_called(text, hit, &mut found);
        }
        if cue.name {
            after_name_is(text, hit, &mut found);
        }
        if cue.thanks {
            after_thanks(text, hit, &mut found);
        }
        if cue.sign_off {
            after_sign_off(text, hit, &mut found);
        }
        if cue.aged || cue.post {
            before_age_or_post(text, hit, &mut found);
        }
    }
    spans.extend(found.into_iter().map(|(start, end)| Span {
        start,
        end,
        kind: IdentifierKind::Name,
    }));
}

/// Names found, as byte ranges.
type Found = Vec<(usize, usize)>;

fn lower_word(text: &str, hit: &Hit) -> String {
    fold(&text[hit.start..hit.end])
}

/// "Dr Patel", "Mrs O'Neill", "Dr A K Sharma", "Dr van der Berg", "Ms J. Okafor", "DR AHMED".
fn after_title(text: &str, hit: &Hit, found: &mut Found) {
    let lower = lower_word(text, hit);
    let after_determiner = prev_word(text, hit.start, 1)
        .is_some_and(|(w, gap)| gap == " " && DETERMINERS.contains(&fold(w.text).as_str()));
    let lower_case_miss = lower == "miss" && text[hit.start..].starts_with('m');
    if after_determiner || lower_case_miss {
        // "the dr", "my sister", "I miss": a noun or a verb, so only as good as a role.
        after_role(text, hit, found);
        // "the Dr. Siobhan": the full stop of an abbreviation, not a sentence's end.
        if let Some((". " | ".", w)) = next_word(text, hit.end, 2)
            && w.is_capitalised()
            && lower != "miss"
        {
            name_at(text, w, Evidence::Role, hit.start, found);
        }
        return;
    }
    let Some((gap, mut w)) = next_word(text, hit.end, 2) else {
        return;
    };
    if !matches!(gap, " " | "  " | ". " | "." | "\t") {
        return;
    }
    let start = w.start;
    let mut steps = 0;
    // Initials and particles before the name itself.
    loop {
        let initial = w.text.len() == 1 && w.text.as_bytes()[0].is_ascii_uppercase();
        let particle = PARTICLES.contains(&fold(w.text).as_str());
        if steps >= 4 || !(initial || particle) {
            break;
        }
        let Some((gap, next)) = next_word(text, w.end, 2) else {
            return;
        };
        let ok = if initial {
            matches!(gap, " " | ". " | ".")
        } else {
            gap == " "
        };
        if !ok {
            return;
        }
        w = next;
        steps += 1;
    }
    if !is_name_word(text, &w, Evidence::Title) {
        return;
    }
    let last = surname(text, w);
    found.push((start, last.bare().end));
    list_after(text, last, w.is_capitalised(), found);
    list_before(text, hit.start, found);
}

/// The last word of a name that starts with `first`: a surname or two may follow ("Raj Patel").
fn surname<'a>(text: &'a str, first: Word<'a>) -> Word<'a> {
    let mut last = first;
    for _ in 0..2 {
        if last.bare().end != last.end {
            break; // "Patel's clinic"
        }
        let Some((" ", next)) = next_word(text, last.end, 1) else {
            break;
        };
        let fits = if first.is_capitalised() {
            next.is_capitalised() && is_name_word(text, &next, Evidence::Capitalised)
        } else if first.is_all_caps() {
            next.is_all_caps() && is_name_word(text, &next, Evidence::Role)
        } else {
            !next.is_capitalised()
                && !next.is_all_caps()
                && is_name_word(text, &next, Evidence::Role)
        };
        if !fits {
            break;
        }
        last = next;
    }
    last
}

/// "nurse Kelly", "the paramedic, Steve,", "my son Oliver", "Mum (Beryl)", "NURSE JANET".
fn after_role(text: &str, hit: &Hit, found: &mut Found) {
    let Some((gap, w)) = next_word(text, hit.end, 3) else {
        return;
    };
    if !matches!(gap, " " | "  " | ", " | " (" | " - " | ": " | " – ") {
        return;
    }
    name_at(text, w, Evidence::Role, hit.start, found);
}

/// Records a name starting at `w` if the evidence allows, with its surname and any list around it.
fn name_at(text: &str, w: Word, evidence: Evidence, anchor: usize, found: &mut Found) -> bool {
    if !is_name_word(text, &w, evidence) {
        return false;
    }
    // "the consultant Social worker", "Staff Nurse": an English word that qualifies a role is no name.
    if let Some((" ", next)) = next_word(text, w.end, 1)
        && LEXICON.is_role(&fold(next.text))
        && LEXICON.is_common(&w.folded())
    {
        return false;
    }
    let last = surname(text, w);
    found.push((w.start, last.bare().end));
    list_after(text, last, w.is_capitalised(), found);
    list_before(text, anchor, found);
    true
}

/// Whether the word after `w` ends the name of a place: "Bonnard Ward", "Notts Mental Health".
fn before_place_word(text: &str, w: Word) -> bool {
    next_word(text, w.end, 1).is_some_and(|(gap, next)| {
        gap == " " && next.is_capitalised() && LEXICON.is_place_word(&next.folded())
    })
}

/// "Jo the nurse", "Paula, our midwife".
fn before_role(text: &str, hit: &Hit, found: &mut Found) {
    let Some((det, " ")) = prev_word(text, hit.start, 1) else {
        return;
    };
    if !matches!(fold(det.text).as_str(), "the" | "our" | "my" | "a") {
        return;
    }
    let Some((w, gap)) = prev_word(text, det.start, 2) else {
        return;
    };
    if matches!(gap, " " | ", ") && is_name_word(text, &w, Evidence::Capitalised) {
        found.push((w.start, w.bare().end));
        list_before(text, w.start, found);
    }
}

/// "a nurse called Jo", "receptionist named Karen", "known as Bex", "I called Sarah".
fn after_called(text: &str, hit: &Hit, found: &mut Found) {
    let mut from = hit.end;
    if lower_word(text, hit) == "known" {
        match next_word(text, hit.end, 1) {
            Some((" ", w)) if fold(w.text) == "as" => from = w.end,
            _ => return,
        }
    }
    let Some((gap, w)) = next_word(text, from, 3) else {
        return;
    };
    if !matches!(gap, " " | ": " | " - " | ", ") {
        return;
    }
    let evidence = if person_before(text, hit.start) {
        Evidence::Role
    } else {
        Evidence::KnownName
    };
    name_at(text, w, evidence, w.start, found);
}

/// Whether a role, a relative or a person comes in the few words before `at`, in the same sentence.
fn person_before(text: &str, mut at: usize) -> bool {
    for _ in 0..5 {
        let Some((w, gap)) = prev_word(text, at, 4) else {
            return false;
        };
        if gap.contains(['.', '!', '?', '\n', '(', ')']) {
            return false;
        }
        if LEXICON.is_person(&fold(w.text)) {
            return true;
        }
        at = w.start;
    }
    false
}

/// "my name is John Smith", "My name's Aisha", "her name was Edna", "Name: Jo Bloggs".
fn after_name_is(text: &str, hit: &Hit, found: &mut Found) {
    let rest = &text[hit.end..];
    let from = if let Some(r) = rest.strip_prefix("'s").or_else(|| rest.strip_prefix("’s")) {
        text.len() - r.len()
    } else if rest.starts_with(':') {
        hit.end
    } else {
        match next_word(text, hit.end, 1) {
            Some((" ", w)) if matches!(fold(w.text).as_str(), "is" | "was" | "are" | "were") => {
                w.end
            }
            _ => return,
        }
    };
    let Some((gap, w)) = next_word(text, from, 3) else {
        return;
    };
    if matches!(gap, " " | ": " | ":" | " - ") {
        name_at(text, w, Evidence::NameIs, w.start, found);
    }
}

/// "Thank you to Becky", "Huge thanks to Imran", "Thanks so much Chloe!", "many thanks, Deborah".
fn after_thanks(text: &str, hit: &Hit, found: &mut Found) {
    let mut end = hit.end;
    if lower_word(text, hit) == "thank" {
        match next_word(text, hit.end, 1) {
            Some((" " | "-", w)) if fold(w.text) == "you" => end = w.end,
            _ => return,
        }
    }
    for _ in 0..3 {
        match next_word(text, end, 2) {
            Some((" " | ", ", w))
                if matches!(
                    fold(w.text).as_str(),
                    "you" | "to" | "so" | "very" | "much" | "again" | "especially" | "also"
                ) =>
            {
                end = w.end
            }
            _ => break,
        }
    }
    let Some((gap, w)) = next_word(text, end, 3) else {
        return;
    };
    if matches!(gap, " " | ", " | " - " | ",") {
        name_at(text, w, Evidence::Capitalised, w.start, found);
    }
}

/// "Regards, Paul Wilson", "Best wishes, Jo".
fn after_sign_off(text: &str, hit: &Hit, found: &mut Found) {
    let Some((gap, w)) = next_word(text, hit.end, 4) else {
        return;
    };
    if matches!(gap, ", " | " " | "," | ",\n" | "\n" | ",\r\n" | " - ") {
        name_at(text, w, Evidence::Capitalised, w.start, found);
    }
}

/// "Tom, aged 4", "Ava (aged 6)", "Sarah on reception", "Kelly on nights".
fn before_age_or_post(text: &str, hit: &Hit, found: &mut Found) {
    let mut at = hit.start;
    if hit.cue.aged {
        let after = text[hit.end..].trim_start_matches([' ', ':']);
        if !after.starts_with(|c: char| c.is_ascii_digit()) {
            return;
        }
    } else {
        let Some((mut w, " ")) = prev_word(text, at, 1) else {
            return;
        };
        if fold(w.text) == "the" {
            let Some((before, " ")) = prev_word(text, w.start, 1) else {
                return;
            };
            w = before;
        }
        if !matches!(
            fold(w.text).as_str(),
            "on" | "at" | "from" | "in" | "behind" | "covering"
        ) {
            return;
        }
        at = w.start;
    }
    let Some((w, gap)) = prev_word(text, at, 2) else {
        return;
    };
    if matches!(gap, " " | ", " | " (" | " - ") && is_name_word(text, &w, Evidence::Capitalised) {
        found.push((w.start, w.bare().end));
        list_before(text, w.start, found);
    }
}

/// Names listed after one found: "Tom and Ben", "Siobhan, Grace and Kelly".
fn list_after<'a>(text: &'a str, mut last: Word<'a>, capitalised: bool, found: &mut Found) {
    for _ in 0..8 {
        let Some((gap, mut w)) = next_word(text, last.end, 3) else {
            return;
        };
        if fold(w.text) == "and" && matches!(gap, " " | ", ") {
            match next_word(text, w.end, 1) {
                Some((" ", next)) => w = next,
                _ => return,
            }
        } else if !matches!(gap, ", " | " & " | "/" | " / " | " + ") {
            return;
        }
        let fits = if capitalised {
            is_name_word(text, &w, Evidence::Capitalised)
        } else {
            !w.is_capitalised() && !w.is_all_caps() && is_name_word(text, &w, Evidence::Role)
        };
        if !fits {
            return;
        }
        let end = surname(text, w);
        found.push((w.start, end.bare().end));
        last = end;
    }
}

/// Names listed before the words at `at`: "Natasha and Dr Schofield", "Fay, Nicky and Dr Gordon".
fn list_before(text: &str, mut at: usize, found: &mut Found) {
    for _ in 0..8 {
        let Some((mut w, gap)) = prev_word(text, at, 3) else {
            return;
        };
        if fold(w.text) == "and" && gap == " " {
            match prev_word(text, w.start, 2) {
                Some((before, " " | ", ")) => w = before,
                _ => return,
            }
        } else if !matches!(gap, ", " | " & " | "/" | " / " | " + ") {
            return;
        }
        if !is_name_word(text, &w, Evidence::Capitalised) {
            return;
        }
        found.push((w.start, w.bare().end));
        at = w.start;
    }
}

/// A user's list of names: lower-case, by first word; each entry is the full name's words.
pub(super) type NamesList = FxHashMap<String, Vec<Vec<String>>>;

/// Finds the names of the user's list wherever they appear as whole words, ignoring case.
pub(super) fn find_listed(text: &str, names: &NamesList, spans: &mut Vec<Span>) {
    let words: Vec<Word> = words(text).collect();
    let mut i = 0;
    while i < words.len() {
        match listed_name_at(text, &words, i, names) {
            Some(len) => {
                spans.push(Span {
                    start: words[i].start,
                    end: words[i + len - 1].bare().end,
                    kind: IdentifierKind::Name,
                });
                i += len;
            }
            None => i += 1,
        }
    }
}

/// The number of words of a listed name starting at word `i`, if one does.
fn listed_name_at(text: &str, words: &[Word], i: usize, names: &NamesList) -> Option<usize> {
    let candidates = names.get(&words[i].folded())?;
    'names: for name in candidates {
        if i + name.len() > words.len() {
            continue;
        }
        for (k, part) in name.iter().enumerate().skip(1) {
            let (prev, word) = (words[i + k - 1], words[i + k]);
            let gap = &text[prev.end..word.start];
            if !gap.chars().all(char::is_whitespace) || word.folded() != *part {
                continue 'names;
            }
        }
        return Some(name.len());
    }
    None
}
