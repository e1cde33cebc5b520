//! Discovered themes: comments clustered into K themes (or a K chosen from the data), each labelled with
//! its distinctive key phrases and shown by a few short, diverse quotes.
//!
//! The method, step by step (each in its own module):
//!
//! 1. `corpus`: docs through the shared analyzer (`chorus_text::Analyzer::english`), so discovery sees
//!    the words search sees: stems, without stop words and numbers.
//! 2. `vectors`: word vectors from the text of **all** docs (included or not: in a store holding several
//!    corpora, all text helps) by positive PMI over ±5-word windows and a randomized SVD (`linalg`).
//! 3. `sif`: a vector per comment, the frequency-weighted average of its word vectors minus the
//!    component all comments share.
//!    `content` leaves out of the themes the comments that say nothing ("Nothing", "N/A", "can't
//!    think of anything"): no word after stop words, negators and fillers.
//! 4. `kmeans`: spherical k-means with k-means++ seeding and restarts on a deterministic sample of the
//!    included comments; then every included comment is assigned to its nearest theme, in parallel.
//!    `auto_k` says how many themes `auto` means.
//! 5. `label`: key phrases, label and quotes per theme.
//!
//! On large inputs the word vectors learn from a sample of about 24 MB of text and the themes are
//! fitted on a sample of 30,000 comments (fitting on a sample and assigning the rest costs almost
//! nothing in quality); only the sampled comments are kept as term ids, and the others are read once,
//! as they are assigned, so memory grows with the input only by the assignments themselves.
//!
//! Everything is deterministic for a seed: random draws come from a seeded generator, vocabulary and
//! theme orders are sorted with tie-breaks, and parallel floating-point sums add fixed-size chunks in a
//! fixed order, so the output does not depend on the number of threads.
//!
//! ```
//! use chorus_themes::discover::{ClusterCount, DiscoverDoc, DiscoverOptions, discover};
//!
//! let texts = [
//!     "car park was full and parking costs too much",
//!     "parking was expensive, the car park machine took no cards",
//!     "could not find a space in the car park, parking is a nightmare",
//!     "the nurse was kind and caring, lovely staff",
//!     "kind caring nurse, staff were lovely",
//!     "lovely kind staff and a caring nurse",
//! ];
//! let docs: Vec<DiscoverDoc<'_>> =
//!     texts.iter().map(|&text| DiscoverDoc { text, include: true }).collect();
//! let options = DiscoverOptions { count: ClusterCount::Fixed(2), seed: 1 };
//! let found = discover(&docs, &options);
//! assert_eq!(found.themes.len(), 2);
//! let theme = |i: usize| found.assignments[i].map(|(id, _)| id);
//! assert_eq!(theme(0), theme(1));
//! assert_eq!(theme(3), theme(4));
//! assert_ne!(theme(0), theme(3));
//! ```

mod auto_k;
mod content;
mod corpus;
mod kmeans;
mod label;
mod linalg;
mod rng;
mod sif;
mod vectors;

use chorus_core::DiscoveredTheme;
use rayon::prelude::*;

use self::corpus::Corpus;
pub use self::corpus::{ChunkTerms, DocTerms};
use self::kmeans::{KMeansOptions, Points, spherical_kmeans};
use self::label::Cluster;
use self::rng::{Rng, sample_indices};
use self::sif::Embedder;
use self::vectors::VectorOptions;
use std::borrow::Cow;

/// How many themes to discover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterCount {
    /// Exactly this many (fewer when there are fewer distinct comments).
    Fixed(usize),
    /// Chosen from the number of comments offered: √n, clamped to 15..=60 (themes of about √n comments
    /// each; the cap is reached at 3,600 comments).
    Auto,
}

impl ClusterCount {
    /// The most themes a fixed count may ask for: more than a meeting can read is a typo, and each costs
    /// a pass over every comment.
    pub const MAX: usize = 500;
}

impl std::str::FromStr for ClusterCount {
    type Err = String;

    /// `auto` or a number of themes from 2 to [`ClusterCount::MAX`], as `--discover` takes it.
    fn from_str(spec: &str) -> Result<ClusterCount, String> {
        let spec = spec.trim();
        if spec.eq_ignore_ascii_case("auto") {
            return Ok(ClusterCount::Auto);
        }
        match spec.parse::<usize>() {
            Ok(k) if (2..=ClusterCount::MAX).contains(&k) => Ok(ClusterCount::Fixed(k)),
            _ => Err(format!(
                "give a number of themes (2 to {}) or `auto`, not `{spec}`",
                ClusterCount::MAX
            )),
        }
    }
}

/// Options for discovery.
#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    /// How many themes.
    pub count: ClusterCount,
    /// Seed for every random choice; the same seed gives the same themes.
    pub seed: u64,
}

/// One comment offered to discovery.
#[derive(Debug, Clone, Copy)]
pub struct DiscoverDoc<'a> {
    /// The comment text.
    pub text: &'a str,
    /// Whether to cluster it (false: set aside, e.g. already explained by the codebook, or no comment).
    /// Its text still teaches discovery which words mean the same.
    pub include: bool,
}

/// The result: per input doc, its theme and similarity (None if set aside or unplaced), and the themes.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// Per input doc, in input order: the theme id and the cosine similarity with the theme's centre.
    /// `None` for docs set aside and for docs with no word discovery knows.
    pub assignments: Vec<Option<(u32, f32)>>,
    /// The themes, with labels, key phrases and quotes, largest first; ids are 0, 1, 2 … in this order.
    pub themes: Vec<DiscoveredTheme>,
}

/// The method's settings. Fixed in the product (the defaults are what the research measured best);
/// a struct so that tests can shrink the sample sizes and reach the large-input paths on small inputs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Params {
    /// Fewest occurrences for a word to get a vector (lowered for tiny inputs).
    pub(crate) min_count: u64,
    /// Most words with a vector.
    pub(crate) max_terms: usize,
    /// Most bytes of text the word vectors learn from: beyond it, a deterministic sample of docs.
    pub(crate) learn_bytes: usize,
    pub(crate) vectors: VectorOptions,
    /// The SIF smoothing `a` in a/(a + p(w)).
    pub(crate) sif_a: f64,
    /// Most comments the themes are fitted on: beyond it, a deterministic sample; all are then assigned.
    pub(crate) fit_docs: usize,
    pub(crate) kmeans: KMeansOptions,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            min_count: 5,
            max_terms: 30_000,
            learn_bytes: 24_000_000,
            vectors: VectorOptions {
                window: 5,
                context_smoothing: 0.75,
                rank: 100,
                oversample: 20,
                power_iterations: 2,
            },
            sif_a: 0.03,
            fit_docs: 30_000,
            kmeans: KMeansOptions {
                restarts: 5,
                iterations: 50,
                restart_points: 10_000,
            },
        }
    }
}

/// Where discovery reads the text of the comments it labels and quotes (the members of the fitting
/// sample, a few thousand at most): held by the caller, or read back from a store.
pub trait DocTexts: Sync {
    /// The text of doc `doc` (an index into the docs discovery was given).
    fn text(&self, doc: usize) -> Cow<'_, str>;
}

impl DocTexts for &[DiscoverDoc<'_>] {
    fn text(&self, doc: usize) -> Cow<'_, str> {
        Cow::Borrowed(self[doc].text)
    }
}

/// Clusters the included docs into themes and describes each theme.
///
/// Never fails: with no included doc, no known word, or fewer distinct comments than themes asked for,
/// it finds fewer themes (possibly none) and leaves the unplaced docs `None`.
pub fn discover(docs: &[DiscoverDoc<'_>], options: &DiscoverOptions) -> Discovery {
    discover_docs(docs, options, &Params::default())
}

/// [`discover`] with explicit settings.
pub(crate) fn discover_docs(
    docs: &[DiscoverDoc<'_>],
    options: &DiscoverOptions,
    params: &Params,
) -> Discovery {
    let terms = DocTerms::read(docs);
    let include: Vec<bool> = docs.iter().map(|d| d.include).collect();
    discover_with(&terms, &include, &docs, options, params)
}

/// [`discover`] for docs whose terms were gathered while they were analysed for something else
/// (theming), so that no text is analysed twice: `terms` holds every doc, `include[doc]` says whether
/// to cluster it, and `texts` gives the text of the few docs that labels and quotes are made from.
pub fn discover_terms(
    terms: &DocTerms,
    include: &[bool],
    texts: &dyn DocTexts,
    options: &DiscoverOptions,
) -> Discovery {
    discover_with(terms, include, texts, options, &Params::default())
}

/// Discovery from gathered terms, with explicit settings.
fn discover_with(
    terms: &DocTerms,
    include: &[bool],
    texts: &dyn DocTexts,
    options: &DiscoverOptions,
    params: &Params,
) -> Discovery {
    let mut discovery = Discovery {
        assignments: vec![None; terms.len()],
        themes: Vec::new(),
    };
    // Comments that say nothing ("Nothing", "N/A") would make themes of their own: left out.
    let says_something = terms.says_something();
    let included: Vec<usize> = (0..terms.len())
        .filter(|&i| include[i] && says_something[i])
        .collect();
    drop(says_something);
    if included.is_empty() {
        return discovery;
    }
    let rng = Rng::new(options.seed);

    // What to learn from: the word vectors from (a sample of) all the text, the themes from (a sample
    // of) the included docs. Only these docs are stored as term ids; the rest are read once, when
    // assigned, so memory does not grow with the input beyond the assignments.
    let bytes = terms.bytes() as usize;
    let learn: Vec<usize> = if bytes <= params.learn_bytes {
        (0..terms.len()).collect()
    } else {
        let count = (terms.len() as f64 * params.learn_bytes as f64 / bytes as f64).ceil() as usize;
        sample_indices(terms.len(), count, &mut rng.fork(1))
    };
    let fit: Vec<usize> = sample_indices(included.len(), params.fit_docs, &mut rng.fork(3))
        .into_iter()
        .map(|i| included[i])
        .collect();
    let mut rows_wanted: Vec<usize> = learn.iter().chain(&fit).copied().collect();
    rows_wanted.sort_unstable();
    rows_wanted.dedup();
    // Tiny inputs keep rarer words: with 20 comments, a word seen once is all there is.
    let min_count = ((rows_wanted.len() / 400) as u64).clamp(1, params.min_count.max(1));
    let corpus = Corpus::build(terms, rows_wanted, min_count, params.max_terms);
    if corpus.terms.is_empty() {
        return discovery;
    }
    let learn_rows: Vec<usize> = learn
        .iter()
        .filter_map(|&doc| corpus.row_of(doc))
        .filter(|&row| corpus.ids(row).len() > 1)
        .collect();
    drop(learn);
    let vectors = vectors::learn(&corpus, &learn_rows, params.vectors, &mut rng.fork(2));
    drop(learn_rows);
    if vectors.dim == 0 {
        return discovery;
    }
    let mut embedder = Embedder::new(&corpus, &vectors, params.sif_a);

    // The fitting sample: included docs with a word that has a vector (a word seen only alone has
    // none).
    let has_vector: Vec<bool> = (0..corpus.terms.len() as u32)
        .map(|id| vectors.get(id).iter().any(|&x| x != 0.0))
        .collect();
    let fit_rows: Vec<usize> = fit
        .iter()
        .filter_map(|&doc| corpus.row_of(doc))
        .filter(|&row| corpus.ids(row).iter().any(|&id| has_vector[id as usize]))
        .collect();
    drop(fit);
    embedder.remove_common_component(&corpus, &fit_rows);
    let points = embed_rows(&corpus, &embedder, &fit_rows);
    let k = match options.count {
        ClusterCount::Fixed(k) => k,
        ClusterCount::Auto => auto_k::auto_k(included.len()),
    };
    let Some(clustering) = spherical_kmeans(&points, k, params.kmeans, &rng.fork(4)) else {
        return discovery;
    };
    drop(points);
    let centroids = clustering.centroids;

    // Every included doc to its nearest theme, from the terms gathered for it.
    let assigned: Vec<(u32, f32)> = included
        .par_iter()
        .map_init(
            || (Vec::new(), vec![0f32; embedder.dim()]),
            |(ids, vector), &doc| {
                let ids: &[u32] = match corpus.row_of(doc) {
                    Some(row) => corpus.ids(row),
                    None => {
                        corpus.read_ids(terms, doc, ids);
                        ids
                    }
                };
                if embedder.embed(ids, vector) {
                    let (c, s) = centroids.nearest(vector);
                    (c as u32, s)
                } else {
                    (u32::MAX, 0.0)
                }
            },
        )
        .collect();

    // Themes largest first (ties: the earlier cluster), empty ones dropped.
    let mut sizes = vec![0u64; centroids.k];
    for &(c, _) in &assigned {
        if let Some(size) = sizes.get_mut(c as usize) {
            *size += 1;
        }
    }
    let mut order: Vec<usize> = (0..centroids.k).filter(|&c| sizes[c] > 0).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut new_id = vec![u32::MAX; centroids.k];
    for (id, &c) in order.iter().enumerate() {
        new_id[c] = id as u32;
    }
    for (&doc, &(c, s)) in included.iter().zip(&assigned) {
        if let Some(&id) = new_id.get(c as usize) {
            discovery.assignments[doc] = Some((id, s));
        }
    }
    drop(assigned);

    // Describe each theme from its members in the fitting sample (all members, on small inputs).
    let mut members: Vec<Vec<(usize, f32)>> = vec![Vec::new(); order.len()];
    for &row in &fit_rows {
        let doc = corpus.doc_of(row);
        if let Some((id, s)) = discovery.assignments[doc] {
            members[id as usize].push((doc, s));
        }
    }
    let clusters: Vec<Cluster> = order
        .iter()
        .zip(members)
        .map(|(&c, mut members)| {
            members.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            Cluster {
                members,
                centroid: centroids.row(c),
            }
        })
        .collect();
    let descriptions = label::describe(texts, &corpus, &embedder, &clusters);
    discovery.themes = descriptions
        .into_iter()
        .zip(&order)
        .enumerate()
        .map(|(id, (d, &c))| DiscoveredTheme {
            id: id as u32,
            label: d.label,
            key_phrases: d.key_phrases,
            quotes: d.quotes,
            size: sizes[c],
        })
        .collect();
    discovery
}

/// The unit vectors of the corpus rows `rows`, which all have a word with a vector (so every embedding
/// succeeds).
fn embed_rows(corpus: &Corpus, embedder: &Embedder<'_>, rows: &[usize]) -> Points {
    let dim = embedder.dim();
    let mut data = vec![0f32; rows.len() * dim];
    data.par_chunks_mut(dim).zip(rows).for_each(|(out, &row)| {
        if !embedder.embed(corpus.ids(row), out) {
            out.fill(0.0);
        }
    });
    Points { dim, data }
}

#[cfg(test)]
mod tests;
