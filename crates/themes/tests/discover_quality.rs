//! Discovered themes against human labels: normalised mutual information (NMI, arithmetic
//! normalisation, as scikit-learn's default) between the discovered themes and the v6 framework's labels,
//! on the v6 comments that carry exactly one label.
//!
//! The docs are a store holding all three public corpora (v6 FFT comments, phase 1 comments, Care
//! Opinion stories): the word vectors learn from all their text. The asserted setup clusters the v6
//! comments with the other two set aside (`include: false`), as `--set-aside-explained` sets aside what a
//! codebook explains; a second setup clusters all three, and its figures are printed too. The NMI is
//! measured on the v6 comments with text and exactly one label.
//!
//! Skips with a message when `../shared/corpora` is absent.

mod common {
    pub mod discovery;
}

use std::time::Instant;

use chorus_core::{Comment, FftScore, SourceRef, ThemeSource};
use chorus_themes::discover::{ClusterCount, DiscoverDoc, DiscoverOptions, discover};
use chorus_themes::{ThemeConfig, analyse};
use common::discovery::{corpora_dir, feedback, nmi, score, v6};

#[test]
fn nmi_matches_a_hand_computed_example() {
    // Identical partitions (up to renaming) agree fully; independent ones not at all.
    assert!((nmi(&[0, 0, 1, 1], &[5, 5, 7, 7]) - 1.0).abs() < 1e-12);
    assert!(nmi(&[0, 0, 1, 1], &[0, 1, 0, 1]).abs() < 1e-12);
    // By hand: H(a) = 0.6730, H(b) = 1.0549, I = H(a) (b determines a), NMI = 0.6730 / 0.8640.
    assert!((nmi(&[0, 0, 1, 1, 1], &[0, 0, 1, 1, 2]) - 0.778_979_417_334_536_1).abs() < 1e-12);
}

/// The public corpora as one store would hold them: v6 comments with text first (with their label when
/// they have exactly one), then phase 1 comments and Care Opinion stories.
struct Corpora {
    texts: Vec<String>,
    labels: Vec<Option<usize>>,
    v6: usize,
}

fn corpora() -> Option<Corpora> {
    let Some(dir) = corpora_dir() else {
        eprintln!("skipping: ../shared/corpora not found");
        return None;
    };
    let v6 = v6(&dir);
    let phase1 = feedback(&dir, "phase1-text-data.csv");
    let stories = feedback(&dir, "care-opinion-stories.csv");
    println!(
        "corpora: {} v6 comments with text ({} with exactly one label), {} phase 1 comments, {} Care \
         Opinion stories",
        v6.len(),
        v6.iter().filter(|(_, l)| l.is_some()).count(),
        phase1.len(),
        stories.len()
    );
    Some(Corpora {
        labels: v6.iter().map(|(_, l)| *l).collect(),
        v6: v6.len(),
        texts: v6
            .into_iter()
            .map(|(t, _)| t)
            .chain(phase1)
            .chain(stories)
            .collect(),
    })
}

/// The docs of the corpora: v6 comments included, the others included or set aside.
fn docs(corpora: &Corpora, include_others: bool) -> Vec<DiscoverDoc<'_>> {
    corpora
        .texts
        .iter()
        .enumerate()
        .map(|(i, text)| DiscoverDoc {
            text,
            include: i < corpora.v6 || include_others,
        })
        .collect()
}

/// The quality bar: NMI ≥ 0.36 at the best K in 15..=60, with the v6 comments clustered and the other
/// two corpora set aside (their text still trains the word vectors, as in a store holding all three).
/// That is the setup the NMI measures fairly: clustering the phase 1 and Care Opinion comments as well
/// spends themes on what the v6 comments never mention (surgery stories, children's centres), which
/// lowers the v6 NMI without saying anything about the method; its figures are printed too.
#[test]
fn discovered_themes_agree_with_human_labels() {
    let Some(corpora) = corpora() else {
        return;
    };
    let mut best = 0f64;
    for (setup, include_others) in [
        ("v6 clustered, others set aside", false),
        ("all three corpora clustered", true),
    ] {
        let docs = docs(&corpora, include_others);
        for count in [
            ClusterCount::Fixed(15),
            ClusterCount::Fixed(30),
            ClusterCount::Fixed(60),
            ClusterCount::Auto,
        ] {
            let started = Instant::now();
            let found = discover(&docs, &DiscoverOptions { count, seed: 42 });
            let seconds = started.elapsed().as_secs_f64();
            let nmi = score(&found, &corpora.labels);
            println!(
                "{setup}: {count:?} -> {} themes, NMI {nmi:.4} ({seconds:.2} s)",
                found.themes.len()
            );
            if !include_others && matches!(count, ClusterCount::Fixed(_)) {
                best = best.max(nmi);
            }
            for theme in &found.themes {
                assert!(!theme.label.is_empty() && !theme.key_phrases.is_empty());
                assert!((1..=5).contains(&theme.quotes.len()), "{theme:?}");
                assert!(
                    theme.quotes.iter().all(|q| q.chars().count() <= 200),
                    "{theme:?}"
                );
            }
        }
    }
    assert!(best >= 0.36, "best NMI {best:.4} is below 0.36");
}

#[test]
fn real_comments_give_the_same_themes_on_any_thread_count() {
    let Some(corpora) = corpora() else {
        return;
    };
    // All three clustered: more comments than the restarts' sample, so every path is taken.
    let docs = docs(&corpora, true);
    let options = DiscoverOptions {
        count: ClusterCount::Fixed(20),
        seed: 7,
    };
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
            .install(|| discover(&docs, &options))
    };
    let (one, two) = (on(1), on(2));
    assert_eq!(one.assignments, two.assignments);
    assert_eq!(one.themes, two.themes);
}

#[test]
fn theming_with_discovery_annotates_and_catalogues_every_theme() {
    let Some(corpora) = corpora() else {
        return;
    };
    let comments: Vec<Comment> = corpora.texts[..corpora.v6]
        .iter()
        .enumerate()
        .map(|(i, text)| Comment {
            id: i.to_string(),
            respondent: i.to_string(),
            question: "FFT Why?".into(),
            text: text.clone(),
            no_comment: false,
            date: None,
            score: FftScore::NotGiven,
            service: None,
            organisation: None,
            attributes: Default::default(),
            source: SourceRef::default(),
            annotations: None,
        })
        .collect();
    let config = ThemeConfig {
        discover: Some(DiscoverOptions {
            count: ClusterCount::Auto,
            seed: 42,
        }),
        set_aside_explained: true,
        ..ThemeConfig::default()
    };
    let run = analyse(&comments, &config).expect("the built-in configuration runs");
    let catalogued: Vec<u32> = run.catalog.discovered.iter().map(|t| t.id).collect();
    assert!(!catalogued.is_empty());
    let mut placed = 0u64;
    for a in run.annotations().iter().flatten() {
        if let Some(id) = a.discovered_theme {
            placed += 1;
            assert!(catalogued.contains(&id));
            // Set aside: a comment a codebook theme explains is not clustered.
            assert!(a.themes.iter().all(|t| t.source == ThemeSource::Discovered));
        }
    }
    assert_eq!(
        placed,
        run.catalog.discovered.iter().map(|t| t.size).sum::<u64>()
    );
    println!(
        "theming {} v6 comments, explained ones set aside: {} discovered themes, {placed} placed",
        comments.len(),
        catalogued.len()
    );
}
