//! The sentences the generator recombines: read at run time from the real corpora in `../shared/corpora`
//! (never copied into the repository), or from the repository's sample export when they are absent.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chorus_core::FftScore;

/// How a sentence feels, taken from the label of the comment it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Polarity {
    /// Praise.
    Positive,
    /// Neither, or mixed.
    Neutral,
    /// Criticism.
    Negative,
}

impl Polarity {
    fn slot(self) -> usize {
        match self {
            Polarity::Positive => 0,
            Polarity::Neutral => 1,
            Polarity::Negative => 2,
        }
    }

    /// From a `-5..=5` criticality (phase 1 and Care Opinion); malformed values are neutral.
    fn from_criticality(text: &str) -> Polarity {
        match text.trim().parse::<i32>() {
            Ok(c) if c > 0 => Polarity::Positive,
            Ok(c) if c < 0 => Polarity::Negative,
            _ => Polarity::Neutral,
        }
    }

    /// From an FFT answer code or word (1–2 positive, 4–5 negative).
    fn from_score(score: FftScore) -> Polarity {
        if score.is_positive() {
            Polarity::Positive
        } else if score.is_negative() {
            Polarity::Negative
        } else {
            Polarity::Neutral
        }
    }
}

/// Sentences by polarity (`[positive, neutral, negative]`), for each kind of answer.
#[derive(Clone, Debug, Default)]
pub struct SentencePool {
    /// Sentences of answers to "why did you give that score" (and "what was good").
    pub why: [Vec<String>; 3],
    /// Sentences of answers to "what could we do better / how could we improve".
    pub improve: [Vec<String>; 3],
    /// Whole long stories (Care Opinion), used now and then as one comment.
    pub stories: [Vec<String>; 3],
    /// The files the sentences came from.
    pub sources: Vec<PathBuf>,
}

impl SentencePool {
    /// The sentences of `polarity` for the "why" question.
    pub fn why(&self, polarity: Polarity) -> &[String] {
        non_empty(&self.why, polarity)
    }

    /// The sentences of `polarity` for the "improve" question.
    pub fn improve(&self, polarity: Polarity) -> &[String] {
        non_empty(&self.improve, polarity)
    }

    /// Long stories of `polarity` (possibly none).
    pub fn stories(&self, polarity: Polarity) -> &[String] {
        &self.stories[polarity.slot()]
    }

    /// How many sentences the pool holds.
    pub fn len(&self) -> usize {
        self.why.iter().chain(&self.improve).map(Vec::len).sum()
    }

    /// Whether the pool has no sentence.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The real corpora in `shared` if any is there, else the sample export `sample`.
    pub fn load(shared: &Path, sample: &Path) -> anyhow::Result<SentencePool> {
        let mut pool = SentencePool::default();
        pool.add_v6(&shared.join("fft-v6-dev.csv"))?;
        pool.add_criticality(&shared.join("phase1-text-data.csv"), false)?;
        pool.add_criticality(&shared.join("care-opinion-stories.csv"), true)?;
        if pool.is_empty() {
            pool.add_sample(sample)?;
        }
        anyhow::ensure!(
            !pool.is_empty(),
            "no sentences: neither {} nor {} could be read",
            shared.display(),
            sample.display()
        );
        Ok(pool)
    }

    fn push(&mut self, text: &str, polarity: Polarity, improve: bool) {
        let pool = if improve {
            &mut self.improve
        } else {
            &mut self.why
        };
        for sentence in sentences(text) {
            pool[polarity.slot()].push(sentence.to_owned());
        }
    }

    /// `fft-v6-dev.csv`: "FFT answer", labelled by "Comment sentiment" (else the FFT answer), the
    /// question telling "why" from "improve".
    fn add_v6(&mut self, path: &Path) -> anyhow::Result<()> {
        let Some(mut reader) = open(path)? else {
            return Ok(());
        };
        let headers = reader.headers()?.clone();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (Some(text), Some(sentiment), Some(score), Some(question)) = (
            col("FFT answer"),
            col("Comment sentiment"),
            col("FFT categorical answer"),
            col("FFT question"),
        ) else {
            anyhow::bail!("{} lacks the expected v6 columns", path.display());
        };
        for record in reader.records() {
            let record = record.with_context(|| format!("reading {}", path.display()))?;
            let field = |i: usize| record.get(i).unwrap_or("");
            let polarity = match field(sentiment).trim() {
                "1" | "2" => Polarity::Positive,
                "3" => Polarity::Neutral,
                "4" | "5" => Polarity::Negative,
                _ => Polarity::from_score(FftScore::parse(field(score))),
            };
            let q = field(question).to_ascii_lowercase();
            let improve = q.contains("better") || q.contains("improve");
            self.push(field(text), polarity, improve);
        }
        self.sources.push(path.to_owned());
        Ok(())
    }

    /// `phase1-text-data.csv` and `care-opinion-stories.csv`: `feedback` labelled by `criticality`.
    fn add_criticality(&mut self, path: &Path, stories: bool) -> anyhow::Result<()> {
        let Some(mut reader) = open(path)? else {
            return Ok(());
        };
        let headers = reader.headers()?.clone();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (Some(text), Some(criticality)) = (col("feedback"), col("criticality")) else {
            anyhow::bail!("{} lacks `feedback` and `criticality`", path.display());
        };
        let label = col("label");
        for record in reader.records() {
            let record = record.with_context(|| format!("reading {}", path.display()))?;
            let field = |i: usize| record.get(i).unwrap_or("");
            let polarity = Polarity::from_criticality(field(criticality));
            // "Couldn't be improved" answers ("Nothing.") were given to an improve question.
            let improve = label.is_some_and(|l| field(l).starts_with("Couldn"));
            self.push(field(text), polarity, improve);
            let story = field(text).trim();
            if stories && story.len() > 600 && story.len() < 6_000 {
                self.stories[polarity.slot()].push(story.to_owned());
            }
        }
        self.sources.push(path.to_owned());
        Ok(())
    }

    /// The repository's `corpora/sample-fft.csv`: its two free-text columns, labelled by the FFT score.
    fn add_sample(&mut self, path: &Path) -> anyhow::Result<()> {
        let Some(mut reader) = open(path)? else {
            return Ok(());
        };
        let headers = reader.headers()?.clone();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (Some(score), Some(why), Some(improve)) = (
            col("FFT score"),
            col("Please tell us why you gave your answer"),
            col("What could we do better?"),
        ) else {
            anyhow::bail!("{} lacks the sample's columns", path.display());
        };
        for record in reader.records() {
            let record = record.with_context(|| format!("reading {}", path.display()))?;
            let field = |i: usize| record.get(i).unwrap_or("");
            let polarity = Polarity::from_score(FftScore::parse(field(score)));
            self.push(field(why), polarity, false);
            self.push(field(improve), polarity, true);
        }
        self.sources.push(path.to_owned());
        Ok(())
    }
}

/// The pool of `polarity`, or the fullest one if that is empty (tiny samples may lack one).
fn non_empty(pools: &[Vec<String>; 3], polarity: Polarity) -> &[String] {
    let own = &pools[polarity.slot()];
    if !own.is_empty() {
        return own;
    }
    pools
        .iter()
        .max_by_key(|p| p.len())
        .map_or(&[], Vec::as_slice)
}

fn open(path: &Path) -> anyhow::Result<Option<csv::Reader<std::fs::File>>> {
    if !path.is_file() {
        return Ok(None);
    }
    let reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("opening {}", path.display()))?;
    Ok(Some(reader))
}

/// The sentences of a comment: split after `.`, `!` or `?` followed by a space; placeholders ("Did not
/// answer", "-") and fragments under three characters are left out.
pub fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut cuts = Vec::new();
    for i in 1..bytes.len() {
        if bytes[i].is_ascii_whitespace() && matches!(bytes[i - 1], b'.' | b'!' | b'?') {
            cuts.push((start, i));
            start = i + 1;
        }
    }
    cuts.push((start, bytes.len()));
    cuts.into_iter()
        .map(move |(a, b)| text[a..b].trim())
        .filter(|s| s.chars().filter(|c| c.is_alphanumeric()).count() >= 3)
        .filter(|s| !chorus_ingest::is_placeholder(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_after_end_punctuation_and_drop_placeholders() {
        let got: Vec<&str> =
            sentences("Lovely staff. Waited 5hrs! Why? ok 2.5 mg fine.  N/A").collect();
        assert_eq!(
            got,
            ["Lovely staff.", "Waited 5hrs!", "Why?", "ok 2.5 mg fine."]
        );
        assert_eq!(sentences("Did not answer").count(), 0);
    }
}
