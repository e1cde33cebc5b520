//! The deterministic corpus generator: N comments as a wide FFT export (one row per respondent, a "why"
//! and an "improve" column), made by resampling and recombining real sentences.
//!
//! Every row draws from its own random stream (seeded by the seed and the row number), so the output is
//! the same byte for byte for the same sentences, seed and size; only the dates depend on the size (the
//! rows spread over the same 24 months).
//!
//! What makes it realistic enough to measure with:
//! - five fictional trusts of different kinds (acute, ambulance and 111, mental health and community), each
//!   with sites, services and wards, weighted by size;
//! - dates over 24 months (April 2023 to March 2025) in export order, `dd/mm/yyyy`, a few blank;
//! - FFT answers with national-like proportions (about 85 % positive, lower in emergency care), as codes
//!   or words, a few not given;
//! - text that agrees with the answer most of the time (sentences are drawn from the pool of the polarity
//!   the answer suggests, with some mixing), one to six sentences, now and then a long story;
//! - both question kinds, blank cells and placeholders ("Did not answer", "N/A"), and the "Nothing" that
//!   means praise when the question is "What could we do better?".

use std::io::Write;

use crate::corpus::{Polarity, SentencePool};

/// The header of a generated export, the layout of `corpora/sample-fft.csv` with a trust column.
pub const HEADER: [&str; 11] = [
    "Response ID",
    "Date",
    "Trust",
    "Site",
    "Service",
    "Ward/Department",
    "Age band",
    "Ethnicity",
    "FFT score",
    WHY_COLUMN,
    IMPROVE_COLUMN,
];
/// The "why" free-text column.
pub const WHY_COLUMN: &str = "Please tell us why you gave your answer";
/// The "improve" free-text column.
pub const IMPROVE_COLUMN: &str = "What could we do better?";

/// What [`generate`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    /// Data rows (respondents).
    pub rows: u64,
    /// Comments: two per row, blank cells included (ingestion stores them as "no comment").
    pub comments: u64,
    /// Bytes of free text.
    pub text_bytes: u64,
}

/// A small, fast, well-mixed generator (SplitMix64): no dependency, and its stream never changes between
/// releases, which keeps the generated corpora stable.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A stream for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One item of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One string of a non-empty slice of them.
    pub fn pick_str<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// An index drawn with the given weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

struct Service {
    name: &'static str,
    wards: &'static [&'static str],
    /// Chance of a positive FFT answer.
    positive: f64,
}

struct Trust {
    name: &'static str,
    sites: &'static [&'static str],
    services: &'static [Service],
    weight: u32,
}

const TRUSTS: &[Trust] = &[
    Trust {
        name: "Riverside University Hospitals NHS Trust",
        sites: &["Riverside General", "Northgate Community Hospital"],
        services: &[
            Service {
                name: "Emergency Department",
                wards: &["Majors", "Minors", "Paediatric ED", "Resus"],
                positive: 0.76,
            },
            Service {
                name: "Maternity",
                wards: &["Antenatal Clinic", "Labour Ward", "Postnatal Ward"],
                positive: 0.9,
            },
            Service {
                name: "Outpatients",
                wards: &["Rheumatology", "Diabetes", "Fracture Clinic", "Cardiology"],
                positive: 0.91,
            },
            Service {
                name: "Inpatients",
                wards: &[
                    "Ward 7 (Elderly care)",
                    "Ward 9 (Surgical)",
                    "Ward 12 (Respiratory)",
                ],
                positive: 0.87,
            },
        ],
        weight: 30,
    },
    Trust {
        name: "Moorland Hospitals NHS Foundation Trust",
        sites: &["Moorland Royal Infirmary", "Moorland West"],
        services: &[
            Service {
                name: "Emergency Department",
                wards: &["Majors", "Minors", "Urgent Treatment Centre"],
                positive: 0.74,
            },
            Service {
                name: "Day Surgery",
                wards: &["Day Case Unit", "Endoscopy"],
                positive: 0.93,
            },
            Service {
                name: "Outpatients",
                wards: &["Ophthalmology", "Dermatology", "ENT"],
                positive: 0.9,
            },
            Service {
                name: "Children's Services",
                wards: &["Children's Ward", "Neonatal Unit"],
                positive: 0.9,
            },
        ],
        weight: 25,
    },
    Trust {
        name: "Northern Coast Ambulance Service NHS Foundation Trust",
        sites: &["111 Contact Centre", "Coastal Operations"],
        services: &[
            Service {
                name: "111",
                wards: &["Call Handling", "Clinical Advice"],
                positive: 0.8,
            },
            Service {
                name: "Patient Transport",
                wards: &["Renal", "Outpatient Journeys"],
                positive: 0.88,
            },
            Service {
                name: "See and Convey",
                wards: &["Emergency Response"],
                positive: 0.9,
            },
        ],
        weight: 20,
    },
    Trust {
        name: "Vale Mental Health and Community NHS Trust",
        sites: &["Vale House", "Brook Centre"],
        services: &[
            Service {
                name: "Community Mental Health",
                wards: &[
                    "CMHT North",
                    "CMHT South",
                    "Early Intervention in Psychosis",
                ],
                positive: 0.82,
            },
            Service {
                name: "Inpatient Mental Health",
                wards: &["Acute Ward", "Forensic Ward"],
                positive: 0.72,
            },
            Service {
                name: "Community Nursing",
                wards: &["District Nursing", "Podiatry"],
                positive: 0.92,
            },
        ],
        weight: 15,
    },
    Trust {
        name: "Eastfield Community Health NHS Trust",
        sites: &["Eastfield Health Centre"],
        services: &[
            Service {
                name: "Community Services",
                wards: &[
                    "Physiotherapy",
                    "Speech and Language Therapy",
                    "Health Visiting",
                ],
                positive: 0.93,
            },
            Service {
                name: "Urgent Treatment Centre",
                wards: &["Walk-in"],
                positive: 0.8,
            },
        ],
        weight: 10,
    },
];

const AGE_BANDS: &[&str] = &[
    "16-24",
    "25-34",
    "35-44",
    "45-54",
    "55-64",
    "65-74",
    "75+",
    "Prefer not to say",
    "",
];
const ETHNICITIES: &[&str] = &[
    "White: English, Welsh, Scottish, Northern Irish or British",
    "White: English, Welsh, Scottish, Northern Irish or British",
    "White: English, Welsh, Scottish, Northern Irish or British",
    "White: Other White",
    "Asian, Asian British or Asian Welsh: Indian",
    "Asian, Asian British or Asian Welsh: Pakistani",
    "Black, Black British, Black Welsh, Caribbean or African: African",
    "Mixed or Multiple ethnic groups: White and Black Caribbean",
    "Other ethnic group: Arab",
    "Prefer not to say",
    "",
];
const SCORE_WORDS: [&str; 6] = [
    "Very good",
    "Good",
    "Neither good nor poor",
    "Poor",
    "Very poor",
    "Don't know",
];
const PLACEHOLDERS: &[&str] = &["Did not answer", "-", "N/A", "No comment", "n/a", "."];
const NOTHING_TO_IMPROVE: &[&str] = &[
    "Nothing",
    "Nothing.",
    "Nothing to improve",
    "Nothing, it was perfect",
    "Nothing at all, thank you",
    "Nothing really",
    "Can't think of anything",
    "Keep doing what you are doing",
];
/// The first day and the number of days the dates cover.
const FIRST_DAY: (i32, u32, u32) = (2023, 4, 1);
const DAYS: usize = 731;

/// Writes `comments` comments (rounded up to an even number: two per row) as CSV to `out`.
pub fn generate(
    pool: &SentencePool,
    comments: u64,
    seed: u64,
    out: impl Write,
) -> anyhow::Result<Generated> {
    anyhow::ensure!(!pool.is_empty(), "the sentence pool is empty");
    let rows = comments.div_ceil(2);
    let first =
        chorus_core::Date::from_ymd(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2).expect("a valid date");
    let mut writer = csv::WriterBuilder::new()
        .buffer_capacity(1 << 20)
        .from_writer(out);
    writer.write_record(HEADER)?;
    let weights: Vec<u32> = TRUSTS.iter().map(|t| t.weight).collect();
    let mut generated = Generated::default();
    let mut why = String::new();
    let mut improve = String::new();
    for row in 0..rows {
        let mut rng = Rng::new(seed ^ row.wrapping_mul(0xA24B_AED4_963E_E407));
        let trust = &TRUSTS[rng.weighted(&weights)];
        let site = rng.pick_str(trust.sites);
        let service = rng.pick(trust.services);
        let ward = rng.pick_str(service.wards);
        // Export order: dates rise with the row number, a day or two of jitter.
        let day = (row as usize * DAYS / rows as usize + rng.below(3)).min(DAYS - 1);
        let date = if rng.chance(0.005) {
            String::new()
        } else {
            let (y, m, d) = first.add_days(day as i32).ymd();
            format!("{d:02}/{m:02}/{y:04}")
        };
        let code = score(&mut rng, service.positive);
        let score_text = match code {
            None => String::new(),
            Some(c) if rng.chance(0.25) => SCORE_WORDS[c - 1].to_owned(),
            Some(c) => c.to_string(),
        };
        why_answer(&mut rng, pool, code, &mut why);
        improve_answer(&mut rng, pool, code, &mut improve);
        generated.text_bytes += (why.len() + improve.len()) as u64;
        let id = (10_000_000 + row).to_string();
        writer.write_record([
            id.as_str(),
            &date,
            trust.name,
            site,
            service.name,
            ward,
            rng.pick_str(AGE_BANDS),
            rng.pick_str(ETHNICITIES),
            &score_text,
            &why,
            &improve,
        ])?;
    }
    writer.flush()?;
    generated.rows = rows;
    generated.comments = rows * 2;
    Ok(generated)
}

/// An FFT code 1–6, or none (not given).
fn score(rng: &mut Rng, positive: f64) -> Option<usize> {
    if rng.chance(positive) {
        return Some(if rng.chance(0.72) { 1 } else { 2 });
    }
    match rng.weighted(&[30, 25, 30, 10, 5]) {
        0 => Some(3),
        1 => Some(4),
        2 => Some(5),
        3 => Some(6),
        _ => None,
    }
}

/// The polarity of one sentence for an answer: mostly what the answer suggests.
fn polarity(rng: &mut Rng, code: Option<usize>) -> Polarity {
    let weights: [u32; 3] = match code {
        Some(1) => [90, 7, 3],
        Some(2) => [72, 16, 12],
        Some(3) => [25, 35, 40],
        Some(4) => [10, 20, 70],
        Some(5) => [5, 10, 85],
        _ => [45, 30, 25],
    };
    [Polarity::Positive, Polarity::Neutral, Polarity::Negative][rng.weighted(&weights)]
}

/// How many sentences an answer has: mostly one or two, like FFT comments.
fn sentence_count(rng: &mut Rng) -> usize {
    [1, 2, 3, 4, 5, 6][rng.weighted(&[46, 28, 14, 6, 4, 2])]
}

fn why_answer(rng: &mut Rng, pool: &SentencePool, code: Option<usize>, out: &mut String) {
    out.clear();
    if rng.chance(0.05) {
        return;
    }
    if rng.chance(0.02) {
        out.push_str(rng.pick_str(PLACEHOLDERS));
        return;
    }
    if rng.chance(0.01) {
        let stories = pool.stories(polarity(rng, code));
        if !stories.is_empty() {
            out.push_str(rng.pick(stories).as_str());
            return;
        }
    }
    for _ in 0..sentence_count(rng) {
        let sentences = pool.why(polarity(rng, code));
        join(out, rng.pick(sentences).as_str());
    }
}

fn improve_answer(rng: &mut Rng, pool: &SentencePool, code: Option<usize>, out: &mut String) {
    out.clear();
    let happy = matches!(code, Some(1 | 2));
    if rng.chance(if happy { 0.4 } else { 0.15 }) {
        return;
    }
    if rng.chance(0.02) {
        out.push_str(rng.pick_str(PLACEHOLDERS));
        return;
    }
    if happy && rng.chance(0.4) {
        out.push_str(rng.pick_str(NOTHING_TO_IMPROVE));
        return;
    }
    for _ in 0..sentence_count(rng).min(3) {
        // Suggestions read as criticism whatever the score; a few are praise ("more staff like Sam").
        let p = if rng.chance(0.8) {
            Polarity::Negative
        } else {
            polarity(rng, code)
        };
        join(out, rng.pick(pool.improve(p)).as_str());
    }
}

fn join(out: &mut String, sentence: &str) {
    if !out.is_empty() {
        if !out.ends_with(['.', '!', '?']) {
            out.push('.');
        }
        out.push(' ');
    }
    out.push_str(sentence);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_weighted_and_below_stay_in_range() {
        let mut rng = Rng::new(7);
        for _ in 0..1000 {
            assert!(rng.below(3) < 3);
            assert!(rng.weighted(&[0, 5, 1]) >= 1);
        }
    }
}
