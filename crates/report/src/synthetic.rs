//! Synthetic annotated comments with a realistic shape, for benchmarks, demonstrations of the pack and
//! tests that must not wait for ingest and theming: several services over two years, skewed themes,
//! FFT scores that mostly agree with the text, a worsening of waiting and an improvement of discharge
//! after a change in January 2022. Deterministic for a seed.

use chorus_core::{
    Annotations, Attributes, CatalogEntry, Comment, Date, Direction, DiscoveredTheme, FftScore,
    SentimentLabel, SentimentScore, SourceRef, ThemeAssignment, ThemeCatalog, ThemeSource,
    TouchpointMention, YearMonth,
};

use crate::assemble::DEFAULT_TOUCHPOINTS;

/// The date of the synthetic service change (a new discharge lounge).
pub fn change_date() -> Date {
    Date::from_ymd(2022, 1, 1).unwrap_or(Date::from_days_since_epoch(0))
}

struct ThemeSpec {
    id: &'static str,
    label: &'static str,
    direction: Direction,
    touchpoint: &'static str,
    weight: u32,
    praise: &'static [&'static str],
    complaint: &'static [&'static str],
}

const THEMES: &[ThemeSpec] = &[
    ThemeSpec {
        id: "staff-attitude",
        label: "Staff attitude",
        direction: Direction::Neutral,
        touchpoint: "treatment",
        weight: 30,
        praise: &[
            "The nurses were kind and patient with my mum.",
            "Staff were friendly and put me at ease straight away.",
            "Every member of staff treated me with respect.",
        ],
        complaint: &[
            "The receptionist was rude and dismissive.",
            "One nurse rolled her eyes when I asked for help.",
        ],
    },
    ThemeSpec {
        id: "waiting-time",
        label: "Waiting time",
        direction: Direction::LowerIsBetter,
        touchpoint: "waiting",
        weight: 22,
        praise: &["Seen within ten minutes of arriving, brilliant."],
        complaint: &[
            "Waited over four hours to be seen with no update.",
            "The wait in A&E was far too long for a child in pain.",
            "We sat in the waiting room for hours and nobody told us why.",
        ],
    },
    ThemeSpec {
        id: "communication",
        label: "Communication",
        direction: Direction::Neutral,
        touchpoint: "information",
        weight: 18,
        praise: &[
            "The doctor explained everything clearly and answered all my questions.",
            "Kept informed at every stage, which made a big difference.",
        ],
        complaint: &[
            "Nobody explained what the tests were for.",
            "Conflicting information from different staff about my discharge.",
        ],
    },
    ThemeSpec {
        id: "kindness",
        label: "Kindness and compassion",
        direction: Direction::HigherIsBetter,
        touchpoint: "stay",
        weight: 15,
        praise: &[
            "They held my hand when I was frightened. Thank you.",
            "Such compassion shown to my dad at the end of his life.",
        ],
        complaint: &["I felt like a number, not a person."],
    },
    ThemeSpec {
        id: "discharge",
        label: "Discharge process",
        direction: Direction::Neutral,
        touchpoint: "discharge",
        weight: 10,
        praise: &["Discharge was smooth and my medication was ready."],
        complaint: &[
            "Waited all day for discharge medication to come from pharmacy.",
            "Sent home without any advice about what to do next.",
        ],
    },
    ThemeSpec {
        id: "cleanliness",
        label: "Cleanliness",
        direction: Direction::Neutral,
        touchpoint: "stay",
        weight: 8,
        praise: &["The ward was spotless."],
        complaint: &["The toilets were dirty and nobody cleaned them all day."],
    },
    ThemeSpec {
        id: "food",
        label: "Food and drink",
        direction: Direction::Neutral,
        touchpoint: "stay",
        weight: 6,
        praise: &["The food was hot and there was plenty of choice."],
        complaint: &["Food was cold and arrived late."],
    },
    ThemeSpec {
        id: "parking",
        label: "Parking",
        direction: Direction::LowerIsBetter,
        touchpoint: "travel",
        weight: 6,
        praise: &["Easy to park right outside."],
        complaint: &[
            "Parking was impossible and expensive.",
            "Drove round the car park for forty minutes.",
        ],
    },
    ThemeSpec {
        id: "appointments",
        label: "Appointment booking",
        direction: Direction::Neutral,
        touchpoint: "access",
        weight: 8,
        praise: &["Booking online was quick and easy."],
        complaint: &[
            "Could not get through on the phone to book for three days.",
            "My appointment was cancelled twice at short notice.",
        ],
    },
    ThemeSpec {
        id: "pain",
        label: "Pain management",
        direction: Direction::Neutral,
        touchpoint: "medication",
        weight: 5,
        praise: &["My pain was controlled well after the operation."],
        complaint: &["Left in pain for hours before anyone brought pain relief."],
    },
    ThemeSpec {
        id: "assessment",
        label: "Clinical assessment",
        direction: Direction::Neutral,
        touchpoint: "assessment",
        weight: 6,
        praise: &["Thorough examination and quick tests."],
        complaint: &["The triage nurse did not listen to my symptoms."],
    },
    ThemeSpec {
        id: "arrival",
        label: "Welcome on arrival",
        direction: Direction::HigherIsBetter,
        touchpoint: "arrival",
        weight: 4,
        praise: &["Greeted with a smile at the front desk."],
        complaint: &["Nobody at reception when we arrived."],
    },
];

const SERVICES: [&str; 5] = [
    "Emergency Department",
    "Maternity",
    "Ward 7",
    "Outpatients",
    "Community Nursing",
];
const QUESTIONS: [&str; 3] = [
    "Please tell us why you gave your answer",
    "What was good?",
    "What could we do better?",
];
const AGE_BANDS: [&str; 6] = ["16-24", "25-34", "35-49", "50-64", "65-79", "80+"];
const ETHNICITIES: [&str; 5] = ["White", "Asian", "Black", "Mixed", "Other"];

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, per_thousand: u64) -> bool {
        self.below(1000) < per_thousand
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The catalog of the synthetic theming run.
pub fn catalog() -> ThemeCatalog {
    ThemeCatalog {
        touchpoints: DEFAULT_TOUCHPOINTS
            .iter()
            .map(|id| CatalogEntry {
                id: id.to_string(),
                label: {
                    let mut c = id.chars();
                    c.next()
                        .map(|f| f.to_uppercase().chain(c).collect())
                        .unwrap_or_default()
                },
                source: ThemeSource::Codebook,
                description: String::new(),
                direction: Direction::Neutral,
                category: None,
            })
            .collect(),
        themes: THEMES
            .iter()
            .map(|t| CatalogEntry {
                id: t.id.to_string(),
                label: t.label.to_string(),
                source: ThemeSource::Codebook,
                description: format!("Comments about {}", t.label.to_lowercase()),
                direction: t.direction,
                category: None,
            })
            .chain(std::iter::once(CatalogEntry {
                id: "Staff professionalism".into(),
                label: "Staff professionalism".into(),
                source: ThemeSource::Model,
                description: "Predicted by the trained model".into(),
                direction: Direction::Neutral,
                category: Some("Staff".into()),
            }))
            .collect(),
        discovered: vec![
            DiscoveredTheme {
                id: 0,
                label: "noise at night".into(),
                key_phrases: vec!["noise".into(), "night".into(), "sleep".into()],
                quotes: vec!["Too noisy at night to sleep.".into()],
                size: 0,
            },
            DiscoveredTheme {
                id: 1,
                label: "hospital transport".into(),
                key_phrases: vec!["transport".into(), "ambulance".into()],
                quotes: vec!["Transport home came four hours late.".into()],
                size: 0,
            },
        ],
        run: "synthetic data".into(),
    }
}

fn label_score(label: SentimentLabel) -> f32 {
    match label {
        SentimentLabel::Positive => 0.7,
        SentimentLabel::Neutral => 0.0,
        SentimentLabel::Mixed => -0.05,
        SentimentLabel::Negative => -0.7,
    }
}

/// `n` annotated comments over 24 months from January 2021, in date order, deterministic for `seed`.
pub fn comments(n: usize, seed: u64) -> Vec<Comment> {
    let mut rng = Rng(seed ^ 0x5EED);
    let start = YearMonth {
        year: 2021,
        month: 1,
    };
    let total_weight: u32 = THEMES.iter().map(|t| t.weight).sum();
    let change_month = change_date().year_month();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let month_offset = (i * 24 / n.max(1)) as i32;
        let mut month = start;
        for _ in 0..month_offset {
            month = month.next();
        }
        let day = 1 + rng.below(28) as u32;
        let date = Date::from_ymd(month.year, month.month, day);
        let service = *rng.pick(&SERVICES);
        let question_index = rng.below(QUESTIONS.len() as u64) as usize;
        let question = QUESTIONS[question_index];
        // Waiting complaints grow steadily over the two years; discharge complaints fall after the
        // change.
        let waiting_pressure = 400 + month_offset as u64 * 15;
        let after_change = month >= change_month;
        let happy = match question_index {
            1 => rng.chance(950),
            2 => rng.chance(400),
            _ => rng.chance(800),
        };
        let n_themes = 1 + rng.below(3) as usize + usize::from(rng.chance(60)) * 2;
        let mut themes: Vec<ThemeAssignment> = Vec::new();
        let mut touchpoints: Vec<TouchpointMention> = Vec::new();
        let mut sentences: Vec<&str> = Vec::new();
        let mut pos = 0;
        let mut neg = 0;
        for _ in 0..n_themes {
            let mut pick = rng.below(u64::from(total_weight)) as u32;
            let spec = THEMES
                .iter()
                .find(|t| {
                    if pick < t.weight {
                        true
                    } else {
                        pick -= t.weight;
                        false
                    }
                })
                .unwrap_or(&THEMES[0]);
            if themes.iter().any(|t| &*t.name == spec.label) {
                continue;
            }
            let mut positive = if happy {
                rng.chance(880)
            } else {
                rng.chance(150)
            };
            if spec.id == "waiting-time" {
                positive = !rng.chance(waiting_pressure.min(950)) && positive;
            }
            if spec.id == "discharge" && after_change && !positive {
                positive = rng.chance(600);
            }
            let label = if positive {
                SentimentLabel::Positive
            } else {
                SentimentLabel::Negative
            };
            if positive {
                pos += 1;
                sentences.push(*rng.pick(spec.praise));
            } else {
                neg += 1;
                sentences.push(*rng.pick(spec.complaint));
            }
            themes.push(ThemeAssignment {
                name: spec.label.into(),
                source: ThemeSource::Codebook,
                confidence: 1.0,
                sentiment: label,
            });
            if !touchpoints.iter().any(|t| &*t.id == spec.touchpoint) {
                touchpoints.push(TouchpointMention {
                    id: spec.touchpoint.into(),
                    sentiment: label,
                    score: label_score(label) + (rng.below(30) as f32 - 15.0) / 100.0,
                });
            }
            if spec.id == "staff-attitude" && rng.chance(400) {
                themes.push(ThemeAssignment {
                    name: "Staff professionalism".into(),
                    source: ThemeSource::Model,
                    confidence: 0.55 + rng.below(40) as f32 / 100.0,
                    sentiment: label,
                });
            }
        }
        let discovered = if rng.chance(40) {
            sentences.push("It was far too noisy at night to sleep on the ward.");
            Some(0)
        } else if rng.chance(20) {
            sentences.push("Hospital transport home came hours late.");
            Some(1)
        } else {
            None
        };
        if let Some(id) = discovered {
            neg += 1;
            themes.push(ThemeAssignment {
                name: if id == 0 {
                    "noise at night".into()
                } else {
                    "hospital transport".into()
                },
                source: ThemeSource::Discovered,
                confidence: 0.7,
                sentiment: SentimentLabel::Negative,
            });
        }
        touchpoints.sort_by_key(|t| {
            DEFAULT_TOUCHPOINTS
                .iter()
                .position(|id| *id == &*t.id)
                .unwrap_or(usize::MAX)
        });
        let sentiment = match (pos, neg) {
            (_, 0) => SentimentLabel::Positive,
            (0, _) => SentimentLabel::Negative,
            _ => SentimentLabel::Mixed,
        };
        let discordant_draw = rng.chance(40);
        let score = match (sentiment, discordant_draw) {
            (SentimentLabel::Positive, false) | (SentimentLabel::Negative, true) => {
                *rng.pick(&[FftScore::VeryGood, FftScore::VeryGood, FftScore::Good])
            }
            (SentimentLabel::Mixed, _) => {
                *rng.pick(&[FftScore::Good, FftScore::Neither, FftScore::Poor])
            }
            _ => *rng.pick(&[FftScore::Poor, FftScore::VeryPoor, FftScore::Neither]),
        };
        let discordant = discordant_draw && sentiment != SentimentLabel::Mixed;
        let no_comment = rng.chance(30);
        let mut attributes = Attributes::new();
        attributes.insert("Age band", *rng.pick(&AGE_BANDS));
        if rng.chance(900) {
            attributes.insert("Ethnicity", *rng.pick(&ETHNICITIES));
        }
        let text = if no_comment {
            String::new()
        } else {
            sentences.join(" ")
        };
        out.push(Comment {
            id: format!("S{i:07}"),
            respondent: format!("R{:07}", i / 2),
            question: (*question).into(),
            text,
            no_comment,
            date,
            score,
            service: Some((*service).into()),
            organisation: Some("Synthetic Trust".into()),
            attributes,
            source: SourceRef {
                name: "synthetic".into(),
                line: i as u64 + 2,
                column: "Comment".into(),
            },
            annotations: (!no_comment).then(|| Annotations {
                sentiment: SentimentScore {
                    label: sentiment,
                    score: label_score(sentiment),
                },
                touchpoints,
                themes,
                discovered_theme: discovered,
                discordant,
                clauses: Vec::new(),
            }),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_comments_are_deterministic_and_annotated() {
        let a = comments(500, 7);
        assert_eq!(a, comments(500, 7));
        assert_ne!(a, comments(500, 8));
        assert!(
            a.iter()
                .filter(|c| !c.no_comment)
                .all(|c| c.annotations.is_some())
        );
        let first = a.first().and_then(|c| c.date).unwrap();
        let last = a.last().and_then(|c| c.date).unwrap();
        assert_eq!(first.year_month().to_string(), "2021-01");
        assert_eq!(last.year_month().to_string(), "2022-12");
    }
}
