//! The one text analyzer Chorus uses everywhere, so that a search and a theme see the same words.
//!
//! An [`Analyzer`] is a [`WordSegmenter`] followed by small [`TokenFilter`]s, as in tantivy:
//!
//! - [`WordSegmenter`]: UAX #29 word boundaries, with the splits feedback needs ("2hrs" → `2` `hrs`,
//!   "great.staff" → `great` `staff`) and the joins it needs ("A&E" stays one word); emoji are tokens.
//! - [`Normaliser`]: Unicode NFKC, lowercase, curly and straight apostrophes alike, possessives dropped
//!   ("nurse's" → `nurse`), contractions closed up ("didn’t" → `didnt`).
//! - [`UnitNormaliser`]: one spelling per unit of time ("hrs", "hr", "hours" → `hour`).
//! - [`ClauseMarker`]: numbers each token's clause: sentences, semicolons, new lines, and contrast words
//!   ("but", "however", "although") start a new one.
//! - [`NegationMarker`]: marks negators ("not", "never", "nothing", "without", "didn't") and the words in
//!   their scope, up to the next punctuation or clause.
//! - [`StopWords`]: marks function words; negators and words that carry meaning in feedback ("wait",
//!   "more", "too", "again") are never stop words. Stop words stay in the stream for sentiment and keep
//!   their positions; the index skips them.
//! - [`Stemmer`]: English Snowball stemming ("waiting", "waited" → `wait`), cached per analyzer.
//!
//! Tokens keep byte offsets into the original text; no filter changes them, so `&text[t.start..t.end]` is
//! always the exact original word, for highlights and quotes.
//!
//! This crate does no I/O and knows nothing of tantivy: the index registers an adapter around
//! [`Analyzer`].
//!
//! ```
//! use chorus_text::Analyzer;
//!
//! let mut analyzer = Analyzer::english();
//! let text = "Staff lovely but I WAITED 4hrs, wasn't told why";
//! let tokens = analyzer.analyze(text);
//! let terms: Vec<&str> = tokens.content_terms().collect();
//! assert_eq!(terms, ["staff", "love", "wait", "4", "hour", "wasnt", "told", "whi"]);
//! // "but" starts a new clause; "told" is in the scope of "wasn't".
//! assert_eq!(tokens.clauses().count(), 2);
//! let told = tokens.iter().find(|t| &text[t.start..t.end] == "told").unwrap();
//! assert!(told.negated);
//! ```
#![deny(missing_docs)]

mod analyzer;
mod clauses;
mod negation;
mod normalise;
mod segmenter;
mod stemmer;
mod stopwords;
mod token;
mod units;
mod wordlist;

pub use analyzer::{Analyzer, AnalyzerBuilder, TokenFilter};
pub use clauses::{CONTRAST_WORDS, Clause, ClauseMarker};
pub use negation::{NegationMarker, is_negator};
pub use normalise::Normaliser;
pub use segmenter::WordSegmenter;
pub use stemmer::Stemmer;
pub use stopwords::{StopWords, is_stop_word};
pub use token::{Token, TokenKind, Tokens};
pub use units::UnitNormaliser;
