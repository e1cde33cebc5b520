//! The words the redactor knows: English words and names (from SCOWL, see `make_words.py`), and its own
//! lists of titles, roles, relatives and the cue words around names and addresses.
//!
//! The English words are what lets a lower-case name through nowhere: after "nurse", "jo" is no English
//! word and so a name, while "explained" is one and so is not; "Grace" is a word but also a name, so it is
//! a name only when written with a capital.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use rustc_hash::{FxHashMap, FxHashSet};

/// Titles written before a name: what follows is a name unless it is plainly a word ("Dr was lovely").
#[rustfmt::skip]
const HONORIFICS: &[&str] = &[
    "dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sister", "rev", "revd", "reverend",
    "dame", "matron",
];

/// Job titles and roles that people name staff by ("nurse Kelly", "the paramedic, Steve,").
#[rustfmt::skip]
const ROLES: &[&str] = &[
    "doctor", "doc", "nurse", "paramedic", "midwife", "consultant", "surgeon", "registrar",
    "physio", "physiotherapist", "therapist", "receptionist", "porter", "carer", "dentist",
    "pharmacist", "radiographer", "sonographer", "technician", "counsellor", "psychiatrist",
    "psychologist", "practitioner", "hca", "gp", "optometrist", "optician", "chaplain", "dietitian",
    "dietician", "podiatrist", "phlebotomist", "anaesthetist", "anesthetist", "advisor", "adviser",
    "handler", "coordinator", "co-ordinator", "worker", "visitor", "manager", "assistant", "driver",
    "officer", "tech", "emt", "crew", "cpn", "cleaner", "volunteer", "housekeeper", "clinician",
    "specialist", "physician", "orthoptist", "audiologist", "mentor", "navigator", "operator",
    "secretary", "administrator", "admin", "trainee", "student", "houseman", "medic", "ecp", "ot",
    "slt", "psychotherapist", "keyworker", "caseworker",
];

/// Relatives, named by patients ("my son Oliver", "Mum (Beryl)").
#[rustfmt::skip]
const RELATIVES: &[&str] = &[
    "son", "daughter", "husband", "wife", "partner", "mum", "mam", "mom", "mummy", "mother", "dad",
    "daddy", "father", "brother", "grandson", "granddaughter", "grandmother", "grandfather",
    "grandma", "grandad", "granddad", "grandpa", "gran", "granny", "nan", "nana", "nanna", "baby",
    "child", "toddler", "boyfriend", "girlfriend", "fiance", "fiancee", "fiancé", "fiancée",
    "friend", "uncle", "aunt", "auntie", "aunty", "niece", "nephew", "cousin", "stepson",
    "stepdaughter", "stepmum", "stepdad", "twin", "grandchild", "neighbour", "neighbor",
];

/// People not named by a role, who may be "called" something ("a lady called Sue"); not cue words
/// themselves, only looked for before "called".
#[rustfmt::skip]
const PEOPLE: &[&str] = &[
    "lady", "ladies", "man", "men", "woman", "women", "gentleman", "gent", "guy", "chap", "bloke",
    "fella", "fellow", "girl", "boy", "lad", "lass", "person", "someone", "somebody", "he", "she",
    "one", "member",
];

/// Words that come before an English word, not a name, after a title or role: pronouns, articles,
/// conjunctions, common verbs, staff, places and services, praise, days and months. Compared lower-case.
/// Every cue word above is one too.
#[rustfmt::skip]
const NOT_NAMES: &[&str] = &[
    "a", "an", "and", "the", "or", "but", "so", "if", "as", "at", "in", "on", "of", "for", "to",
    "from", "with", "by", "into", "about", "after", "before", "because", "since", "while", "until",
    "then", "than", "there", "here", "this", "that", "these", "those", "who", "whom", "whose",
    "which", "what", "when", "where", "why", "how", "i", "im", "i'm", "ive", "i've", "i'd", "i'll",
    "me", "my", "we", "our", "us", "you", "your", "he", "him", "his", "she", "her", "they", "them",
    "their", "it", "its", "all", "also", "not", "no", "yes", "very", "just", "only", "really",
    "too", "again", "even", "always", "never", "still", "both", "each", "every", "everyone",
    "everybody", "someone", "nobody", "any", "some", "none", "other", "others", "another", "one",
    "two", "three", "first", "next", "last", "today", "yesterday", "tomorrow", "tonight", "overall",
    "however", "although", "though", "thank", "thanks", "thankyou", "please", "ok", "okay", "well",
    "now", "later", "soon", "dear", "hi", "hello", "sir", "madam", "is", "was", "were", "are", "be",
    "been", "being", "am", "has", "had", "have", "having", "do", "did", "does", "done", "didnt",
    "didn't", "wasnt", "wasn't", "isnt", "isn't", "couldnt", "couldn't", "wouldnt", "wouldn't",
    "dont", "don't", "will", "would", "could", "should", "can", "cant", "can't", "may", "might",
    "must", "shall", "said", "says", "say", "told", "tells", "came", "come", "comes", "went", "go",
    "goes", "gave", "give", "gives", "got", "get", "gets", "made", "make", "makes", "took", "take",
    "takes", "saw", "see", "sees", "seen", "called", "call", "calls", "rang", "phoned", "explained",
    "asked", "arrived", "listened", "helped", "spoke", "spent", "showed", "let", "put", "kept",
    "left", "looked", "treated", "examined", "checked", "sorted", "dealt", "knew", "felt", "tried",
    "visited", "attended", "referred", "named", "known", "team", "teams", "staff", "station",
    "unit", "ward", "wards", "department", "dept", "service", "services", "clinic", "clinics",
    "surgery", "practice", "practices", "specialists", "led", "lead", "leads", "support",
    "appointment", "appointments", "reception", "home", "visit", "visits", "office", "room",
    "hospital", "trust", "centre", "center", "nhs", "a&e", "ae", "ed", "icu", "itu", "crews",
    "line", "triage", "care", "health", "mental", "community", "district", "practitioners",
    "nurses", "doctors", "paramedics", "consultants", "midwives", "receptionists", "porters",
    "carers", "therapists", "associate", "students", "on-call", "oncall", "duty", "night", "nights",
    "day", "days", "shift", "bank", "agency", "junior", "senior", "head", "chief", "charge",
    "ambulance", "technicians", "assistants", "workers", "managers", "great", "good", "excellent",
    "lovely", "brilliant", "amazing", "fantastic", "kind", "nice", "helpful", "friendly", "rude",
    "wonderful", "fab", "fabulous", "superb", "outstanding", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "june",
    "july", "august", "september", "october", "november", "december", "christmas", "easter", "name",
    "names", "regards", "wishes", "aged", "age", "hca", "hcas", "gps", "nhs", "xxx", "xxxx",
    "xxxxx", "social", "private", "main", "general", "royal", "queen", "king", "saint", "st", "new",
    "emergency", "urgent", "maternity", "children", "adult", "adults", "older", "people", "in-law",
    "in-laws", "inlaw", "inlaws", "etc", "ect", "eg", "ie", "asap", "aka", "approx", "inc", "incl",
    "locum", "locums", "obs", "bloods", "meds", "ecg", "ecgs", "bp", "iv", "cannula", "cannulas",
    "cannulated", "triaged", "post-op", "postop", "pre-op", "preop", "inpatient", "outpatient",
    "covid", "covid-19", "sats", "paeds", "paediatric", "ortho", "resus", "nebs", "catheter",
    "catheterised", "antibiotics", "physio", "physios",
];

/// Words that follow the name of a place, not a person ("Bonnard Ward", "Notts Mental Health", "Lings
/// Bar"): a capitalised word before one is no name. Never names themselves.
#[rustfmt::skip]
pub(super) const PLACE_WORDS: &[&str] = &[
    "ward", "wards", "hospital", "hospitals", "unit", "centre", "center", "clinic", "house", "team",
    "road", "street", "lane", "surgery", "practice", "council", "county", "trust", "health",
    "mental", "medical", "court", "hall", "lodge", "building", "wing", "suite", "department",
    "service", "services", "children's", "childrens", "school", "college", "university", "group",
    "cafe", "café", "bar", "village", "infirmary", "general", "hospice", "pharmacy", "station",
    "campus", "site", "block", "library", "church", "centres", "foundation", "nhs", "ccg", "icb",
    "pct", "city", "town", "central", "north", "south", "east", "west",
];

/// Words a name may start with ("van der Berg", "de la Cruz", "Mac Giolla").
#[rustfmt::skip]
pub(super) const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "da", "di", "du", "del", "della", "la", "le", "el", "al",
    "bin", "ben", "ibn", "ap", "mac", "ter", "ten", "dos", "das", "ni", "nic", "o",
];

/// Words before a relative or a title that make it a noun, not a title ("my sister", "the dr").
#[rustfmt::skip]
pub(super) const DETERMINERS: &[&str] = &[
    "the", "a", "an", "my", "your", "our", "his", "her", "their", "this", "that", "any", "no",
    "every", "each", "another", "which", "what", "whose", "same", "other", "its", "some", "one",
];

/// The last word of a street's name ("Mill Lane", "Oakfield Rd"); `true` where it names a street also
/// written in lower case ("7a church road"), `false` where the lower-case word is an ordinary one ("a
/// 5 minute drive", "a long way").
#[rustfmt::skip]
const STREETS: &[(&str, bool)] = &[
    ("road", true), ("rd", true), ("street", true), ("st", false), ("lane", true), ("ln", false),
    ("avenue", true), ("ave", true), ("close", false), ("drive", false), ("dr", false),
    ("way", false), ("crescent", true), ("cres", false), ("court", false), ("ct", false),
    ("place", false), ("pl", false), ("grove", true), ("gardens", true), ("gdns", true),
    ("terrace", true), ("tce", false), ("walk", false), ("hill", false), ("park", false),
    ("square", false), ("sq", false), ("mews", true), ("row", false), ("view", false),
    ("rise", false), ("green", false), ("parade", false), ("vale", false), ("wharf", false),
    ("boulevard", true), ("croft", false), ("fold", false), ("chase", false), ("meadow", false),
    ("meadows", false), ("paddock", false), ("gate", false), ("yard", false), ("cottages", false),
    ("villas", false), ("crossway", false), ("wynd", false),
];

/// What a cue word may start. One word can be several ("dr": a title, and a street, "Elmwood Dr").
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Cue {
    /// "Dr", "Mrs": a name follows.
    pub honorific: bool,
    /// "nurse", "crew": a name may follow, or come before ("Jo the nurse").
    pub role: bool,
    /// "son", "Mum": a name may follow.
    pub relative: bool,
    /// "called", "named", "known" (as).
    pub called: bool,
    /// "name", "names" (is, was, 's).
    pub name: bool,
    /// "thank", "thanks": a name may follow.
    pub thanks: bool,
    /// "regards", "wishes": a sign-off, a name follows.
    pub sign_off: bool,
    /// "aged", "age": a name may come before ("Tom, aged 4", "Freya (age 7)").
    pub aged: bool,
    /// "reception", "nights": a name may come before ("Sarah on reception").
    pub post: bool,
    /// "Lane", "Road": a street address may end here; `Some(true)` when also in lower case.
    pub street: Option<bool>,
}

/// The cue words, found in one pass over a comment.
pub(super) struct Cues {
    pub finder: AhoCorasick,
    pub cues: Vec<Cue>,
}

/// The cue words: built once, shared by every redactor.
pub(super) static CUES: LazyLock<Cues> = LazyLock::new(Cues::build);

impl Cues {
    fn build() -> Cues {
        let mut by_word: FxHashMap<String, Cue> = FxHashMap::default();
        let mut add =
            |word: &str, set: &dyn Fn(&mut Cue)| set(by_word.entry(word.to_owned()).or_default());
        for w in HONORIFICS {
            add(w, &|c| c.honorific = true);
        }
        for w in ROLES {
            add(w, &|c| c.role = true);
            add(&format!("{w}s"), &|c| c.role = true);
        }
        for w in RELATIVES {
            add(w, &|c| c.relative = true);
        }
        for w in ["called", "named", "known"] {
            add(w, &|c| c.called = true);
        }
        for w in ["name", "names"] {
            add(w, &|c| c.name = true);
        }
        for w in ["thank", "thanks", "thankyou", "thank-you", "thanx", "thx"] {
            add(w, &|c| c.thanks = true);
        }
        for w in ["regards", "wishes", "sincerely", "faithfully", "signed"] {
            add(w, &|c| c.sign_off = true);
        }
        for w in ["aged", "age"] {
            add(w, &|c| c.aged = true);
        }
        for w in ["reception", "nights", "switchboard"] {
            add(w, &|c| c.post = true);
        }
        for &(w, lower) in STREETS {
            add(w, &|c| c.street = Some(lower));
        }
        let mut words: Vec<(String, Cue)> = by_word.into_iter().collect();
        words.sort_by(|a, b| a.0.cmp(&b.0));
        // The patterns are fixed words, so building the automaton cannot fail on input.
        #[allow(clippy::unwrap_used)]
        let finder = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            // Every comment is searched: a DFA is the fastest to search, and a few hundred words keep it small.
            .kind(Some(AhoCorasickKind::DFA))
            .build(words.iter().map(|(w, _)| w))
            .unwrap();
        Cues {
            finder,
            cues: words.into_iter().map(|(_, c)| c).collect(),
        }
    }
}

/// English words and names, lower-case.
pub(super) struct Lexicon {
    common: FxHashSet<&'static str>,
    names: FxHashSet<&'static str>,
    not_names: FxHashSet<&'static str>,
    /// Roles and relatives, and people who may be "called" something.
    people: FxHashSet<&'static str>,
    /// The first six letters of the longer English words, to see "practioner" as a misspelling.
    stems: FxHashSet<&'static str>,
}

/// The lexicon: loaded once, shared by every redactor.
pub(super) static LEXICON: LazyLock<Lexicon> = LazyLock::new(Lexicon::load);

fn entries(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl Lexicon {
    fn load() -> Lexicon {
        let common: FxHashSet<&'static str> = entries(include_str!("common-words.txt")).collect();
        let stems = common
            .iter()
            .filter(|w| w.len() >= 8 && w.is_char_boundary(6))
            .map(|w| &w[..6])
            .collect();
        let not_names = NOT_NAMES
            .iter()
            .chain(HONORIFICS)
            .chain(ROLES)
            .chain(RELATIVES)
            .chain(PEOPLE)
            .chain(PLACE_WORDS)
            .copied()
            .collect();
        let people = ROLES
            .iter()
            .chain(RELATIVES)
            .chain(PEOPLE)
            .copied()
            .collect();
        Lexicon {
            common,
            names: entries(include_str!("names.txt")).collect(),
            not_names,
            people,
            stems,
        }
    }

    /// An English word (lower-case), leaving out the rarer ones that are also names ("tom", "hazel").
    pub fn is_common(&self, lower: &str) -> bool {
        self.common.contains(lower)
    }

    /// A name of a person or place (lower-case).
    pub fn is_name(&self, lower: &str) -> bool {
        self.names.contains(lower)
    }

    /// A word that is never a name where a name could stand: "was", "nurse", "ward", "the".
    pub fn is_not_name(&self, lower: &str) -> bool {
        self.not_names.contains(lower)
            || lower
                .strip_suffix('s')
                .is_some_and(|w| self.not_names.contains(w))
    }

    /// A role ("nurse", "nurses"), a relative ("son") or a person ("lady"), lower-case.
    pub fn is_person(&self, lower: &str) -> bool {
        self.people.contains(lower)
            || lower
                .strip_suffix('s')
                .is_some_and(|w| self.people.contains(w))
    }

    /// A role ("nurse", "nurses"), lower-case.
    pub fn is_role(&self, lower: &str) -> bool {
        let single = lower.strip_suffix('s').unwrap_or(lower);
        ROLES.contains(&lower) || ROLES.contains(&single)
    }

    /// A word that follows a place's name ("Ward", "Hospital"), lower-case.
    pub fn is_place_word(&self, lower: &str) -> bool {
        PLACE_WORDS.contains(&lower)
    }

    /// Whether an unknown lower-case word is likelier an English word, misspelt or run together, than a
    /// name: its parts are words ("post-stroke", "werecalm"), it has no vowel ("wss"), two swapped
    /// letters make a word ("wsa"), or, when long, one letter inside it changed, added or dropped does
    /// ("practitoner"), or it starts like a long word ("practioner").
    pub fn is_misspelling(&self, lower: &str) -> bool {
        if !lower.is_ascii() {
            return false;
        }
        if lower.contains('-') && lower.split('-').all(|part| self.common.contains(part)) {
            return true;
        }
        let bytes = lower.as_bytes();
        if bytes.len() >= 6
            && (2..=bytes.len() - 2).any(|i| {
                let (a, b) = (&lower[..i], &lower[i..]);
                // Two words run together, one of them a little one: "werecalm", "aswell".
                self.common.contains(a)
                    && self.common.contains(b)
                    && (self.not_names.contains(a) && b.len() >= 3
                        || self.not_names.contains(b) && a.len() >= 3)
            })
        {
            return true;
        }
        if !bytes.iter().any(|b| b"aeiouy".contains(b)) {
            return true;
        }
        let mut buf = bytes.to_vec();
        let known = |buf: &[u8]| std::str::from_utf8(buf).is_ok_and(|w| self.common.contains(w));
        for i in 1..bytes.len() {
            buf.swap(i - 1, i);
            if known(&buf) {
                return true;
            }
            buf.swap(i - 1, i);
        }
        if bytes.len() < 6 {
            return false;
        }
        if bytes.len() >= 8 && self.stems.contains(&lower[..6]) {
            return true;
        }
        // One letter dropped, changed or added inside the word: a name differs from a word at its ends
        // more often than a typo does ("callum", "callus").
        let inside = 1..bytes.len() - 1;
        for i in inside.clone() {
            let mut dropped = bytes.to_vec();
            dropped.remove(i);
            if known(&dropped) {
                return true;
            }
        }
        for i in inside {
            for c in b'a'..=b'z' {
                let mut changed = bytes.to_vec();
                changed[i] = c;
                if known(&changed) {
                    return true;
                }
                changed = bytes.to_vec();
                changed.insert(i, c);
                if known(&changed) {
                    return true;
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_words_names_and_misspellings() {
        let lex = &*LEXICON;
        assert!(lex.is_common("explained") && lex.is_common("grace") && !lex.is_common("jo"));
        assert!(
            !lex.is_common("tom"),
            "a rarer word that is mostly a name counts as a name"
        );
        assert!(lex.is_name("grace") && lex.is_name("kelly") && !lex.is_name("explained"));
        for typo in [
            "wss",
            "wsa",
            "practioner",
            "practitoner",
            "explaned",
            "werecalm",
            "aswell",
        ] {
            assert!(lex.is_misspelling(typo), "{typo}");
        }
        for name in [
            "jo",
            "siobhan",
            "olufunmilayo",
            "agnieszka",
            "callum",
            "codadze",
            "secsadze",
        ] {
            assert!(!lex.is_misspelling(name), "{name}");
        }
        assert!(lex.is_not_name("nurses") && lex.is_not_name("was"));
    }

    #[test]
    fn every_cue_word_is_found_in_any_case() {
        let cues = &*CUES;
        let found: Vec<_> = cues.finder.find_iter("NURSE Dr mrs Lane").collect();
        assert_eq!(found.len(), 4);
        let dr = &cues.cues[found[1].pattern().as_usize()];
        assert!(dr.honorific && dr.street.is_some());
    }
}
