//! Discovery on hand-made comments: separation, quotes, tiny and degenerate inputs, determinism.

use super::*;

/// Every text as a doc to cluster (shared by the discovery modules' own tests).
pub(super) fn docs<'a>(texts: &[&'a str]) -> Vec<DiscoverDoc<'a>> {
    texts
        .iter()
        .map(|&text| DiscoverDoc {
            text,
            include: true,
        })
        .collect()
}

/// `run` on a pool of `threads` threads.
fn on_threads<T: Send>(threads: usize, run: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
        .install(run)
}

fn fixed(k: usize) -> DiscoverOptions {
    DiscoverOptions {
        count: ClusterCount::Fixed(k),
        seed: 42,
    }
}

/// Three obvious topics, written many ways.
fn three_topics() -> Vec<String> {
    let parking = [
        "The car park was full and parking is far too expensive",
        "Parking charges are a rip off, the car park machine was broken",
        "Could not find a parking space, drove round the car park for ages",
        "Car park too small and the parking fees are expensive",
        "Paying for parking at a hospital is wrong, the car park is always full",
    ];
    let food = [
        "The food was cold and the meals were tasteless",
        "Hospital food was awful, cold meals and no choice on the menu",
        "Meals tasteless and the food arrived cold every day",
        "Better food please, the menu had no choice and the meals were cold",
        "The food and drink on the ward were poor, cold meals",
    ];
    let staff = [
        "The nurses were kind, caring and friendly",
        "Lovely caring nurses, so kind and friendly to my mum",
        "Friendly staff, the nurses were kind and caring throughout",
        "Kind and caring nurses who were always friendly",
        "The staff and nurses were friendly, kind and caring",
    ];
    let mut texts = Vec::new();
    for round in 0..6 {
        for group in [&parking, &food, &staff] {
            for (i, t) in group.iter().enumerate() {
                // Vary the texts a little so that no two docs are identical.
                texts.push(format!(
                    "{t} {}",
                    ["", "really", "honestly", "overall", "today", "again"][(round + i) % 6]
                ));
            }
        }
    }
    texts
}

#[test]
fn obvious_groups_separate() {
    let texts = three_topics();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let found = discover(&docs(&refs), &fixed(3));
    assert_eq!(found.themes.len(), 3);
    // Docs come in runs of five per topic: parking, food, staff, parking, …
    let topic = |i: usize| (i / 5) % 3;
    for i in 0..texts.len() {
        for j in 0..texts.len() {
            let (a, b) = (found.assignments[i], found.assignments[j]);
            assert!(a.is_some() && b.is_some());
            assert_eq!(
                topic(i) == topic(j),
                a.map(|x| x.0) == b.map(|x| x.0),
                "{} / {}",
                texts[i],
                texts[j]
            );
        }
    }
    let sizes: Vec<u64> = found.themes.iter().map(|t| t.size).collect();
    assert_eq!(sizes, [30, 30, 30]);
    let labels: Vec<String> = found
        .themes
        .iter()
        .map(|t| t.label.to_lowercase())
        .collect();
    assert!(labels.iter().any(|l| l.contains("park")), "{labels:?}");
    assert!(
        labels
            .iter()
            .any(|l| l.contains("food") || l.contains("cold") || l.contains("meals")),
        "{labels:?}"
    );
    assert!(
        labels
            .iter()
            .any(|l| l.contains("kind") || l.contains("caring") || l.contains("nurses")),
        "{labels:?}"
    );
}

#[test]
fn quotes_are_distinct_short_and_from_the_theme() {
    let texts = three_topics();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let found = discover(&docs(&refs), &fixed(3));
    for theme in &found.themes {
        assert!((3..=5).contains(&theme.quotes.len()), "{theme:?}");
        let mut seen = std::collections::HashSet::new();
        for q in &theme.quotes {
            assert!(q.chars().count() <= 200);
            assert!(seen.insert(q.to_lowercase()), "duplicate quote {q}");
            // The quote is one of the theme's comments (tidied).
            let doc = refs
                .iter()
                .position(|t| t.split_whitespace().collect::<Vec<_>>().join(" ") == *q);
            let doc = doc.unwrap_or_else(|| panic!("{q} is not a comment"));
            assert_eq!(found.assignments[doc].map(|a| a.0), Some(theme.id));
        }
        assert!(!theme.key_phrases.is_empty());
    }
    assert_names_are_phrases_of_their_comments(&refs, &found);
}

/// Each theme is named by a phrase its own comments use (compared lowercased, white space collapsed),
/// or says it has none; no two themes share a name.
fn assert_names_are_phrases_of_their_comments(texts: &[&str], found: &Discovery) {
    let mut names = std::collections::HashSet::new();
    for theme in &found.themes {
        assert!(
            names.insert(theme.label.clone()),
            "two themes {}",
            theme.label
        );
        if theme.label == format!("unnamed group {}", theme.id) {
            continue;
        }
        assert!(!theme.label.contains('·'), "{}", theme.label);
        let name = theme.label.to_lowercase();
        let members: Vec<String> = texts
            .iter()
            .zip(&found.assignments)
            .filter(|(_, a)| a.map(|a| a.0) == Some(theme.id))
            .map(|(t, _)| {
                t.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            })
            .collect();
        let using = members.iter().filter(|m| m.contains(&name)).count();
        assert!(
            using * 20 >= members.len() && using >= 2,
            "`{}` is in {using} of its {} comments",
            theme.label,
            members.len()
        );
    }
}

/// Answers that say nothing, written the many ways people write them.
const SAY_NOTHING: [&str; 12] = [
    "Nothing",
    "No comment",
    "N/A",
    "nothing to improve",
    "can't think of anything",
    "no",
    "none",
    "Nothing.",
    "Nothing at all",
    "nothing really",
    "No comments",
    "Not sure",
];

/// [`three_topics`] with as many answers that say nothing among them.
fn topics_and_nothing() -> Vec<String> {
    let mut texts = three_topics();
    let n = texts.len();
    for i in 0..n {
        texts.push(SAY_NOTHING[i % SAY_NOTHING.len()].to_string());
    }
    texts
}

#[test]
fn answers_that_say_nothing_make_no_theme() {
    let texts = topics_and_nothing();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    for count in [ClusterCount::Fixed(4), ClusterCount::Auto] {
        let found = discover(&docs(&refs), &DiscoverOptions { count, seed: 42 });
        let topics = texts.len() / 2;
        assert!(
            found.assignments[topics..].iter().all(Option::is_none),
            "an answer that says nothing was placed in a theme"
        );
        assert!(found.assignments[..topics].iter().all(Option::is_some));
        for theme in &found.themes {
            let label = theme.label.to_lowercase();
            assert!(
                !["nothing", "comment", "n/a", "think", "none"]
                    .iter()
                    .any(|w| label.contains(w)),
                "{label}"
            );
            for q in &theme.quotes {
                assert!(!SAY_NOTHING.contains(&q.as_str()), "{q} quoted");
            }
        }
        assert_names_are_phrases_of_their_comments(&refs, &found);
    }
}

#[test]
fn two_runs_give_the_same_themes_names_and_numbers() {
    let texts = topics_and_nothing();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let options = DiscoverOptions {
        count: ClusterCount::Auto,
        seed: 42,
    };
    let first = discover(&docs(&refs), &options);
    let second = discover(&docs(&refs), &options);
    assert_eq!(first.assignments, second.assignments);
    assert_eq!(first.themes, second.themes);
}

#[test]
fn long_comments_are_quoted_by_a_sentence() {
    let long = concat!(
        "I arrived early for my appointment. The car park was full and parking is far too expensive. ",
        "I then waited for a long time in a corridor with nowhere to sit, which was not pleasant at ",
        "all for anyone, and certainly not for the elderly patients who had been there since the ",
        "morning and had not been offered a drink."
    );
    let mut texts: Vec<&str> = vec![long];
    let topics = three_topics();
    texts.extend(topics.iter().map(String::as_str));
    let found = discover(&docs(&texts), &fixed(3));
    for q in found.themes.iter().flat_map(|t| &t.quotes) {
        assert!(q.chars().count() <= 200, "{q}");
    }
}

#[test]
fn tiny_inputs_never_crash() {
    let options = fixed(5);
    assert!(discover(&[], &options).themes.is_empty());

    let one = discover(&docs(&["The parking was expensive"]), &options);
    assert_eq!(one.assignments.len(), 1);
    assert!(one.themes.len() <= 1);
    if let Some(theme) = one.themes.first() {
        assert_eq!(theme.size, 1);
        assert_eq!(one.assignments[0].map(|a| a.0), Some(theme.id));
    }

    // Fewer docs than themes.
    let few = discover(
        &docs(&["food cold", "parking dear", "nurses kind"]),
        &fixed(10),
    );
    assert!(few.themes.len() <= 3);
    let placed: u64 = few.themes.iter().map(|t| t.size).sum();
    assert_eq!(placed as usize, few.assignments.iter().flatten().count());

    // Nothing but empty texts, punctuation and stop words.
    let empty = discover(&docs(&["", "   ", "...", "the and of", "?!"]), &options);
    assert!(empty.themes.is_empty());
    assert!(empty.assignments.iter().all(Option::is_none));

    // A one-word vocabulary: every comment is the same word.
    let same = discover(&docs(&["parking"; 12]), &options);
    assert!(same.themes.len() <= 1);
    let same = discover(
        &docs(&["parking parking", "parking", "parking parking parking"]),
        &options,
    );
    assert!(same.themes.len() <= 1);

    // Identical comments: one theme however many are asked for.
    let identical = discover(&docs(&["the food was cold and bland"; 30]), &fixed(4));
    assert_eq!(identical.themes.len(), 1);
    assert_eq!(identical.themes[0].size, 30);
    assert_eq!(
        identical.themes[0].quotes.len(),
        1,
        "identical comments are one quote"
    );

    // Auto on a handful of docs.
    let auto = discover(
        &docs(&["food cold", "parking dear", "nurses kind", "food bland"]),
        &DiscoverOptions {
            count: ClusterCount::Auto,
            seed: 1,
        },
    );
    assert!(auto.themes.len() <= 4);
    assert!(discover(&docs(&["a"]), &fixed(0)).themes.is_empty());
}

#[test]
fn set_aside_docs_are_not_placed_but_teach_words() {
    let texts = three_topics();
    let mut all: Vec<DiscoverDoc<'_>> = docs(&texts.iter().map(String::as_str).collect::<Vec<_>>());
    for (i, d) in all.iter_mut().enumerate() {
        d.include = i % 2 == 0;
    }
    let found = discover(&all, &fixed(3));
    for (i, a) in found.assignments.iter().enumerate() {
        assert_eq!(a.is_some(), i % 2 == 0);
    }
    let placed: u64 = found.themes.iter().map(|t| t.size).sum();
    assert_eq!(placed, 45);
    // None included: nothing placed, no themes.
    for d in &mut all {
        d.include = false;
    }
    let none = discover(&all, &fixed(3));
    assert!(none.themes.is_empty() && none.assignments.iter().all(Option::is_none));
}

#[test]
fn same_docs_and_seed_give_the_same_output_on_any_thread_count() {
    let texts = three_topics();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let docs = docs(&refs);
    let run = |threads: usize| on_threads(threads, || discover(&docs, &fixed(4)));
    let (one, two, three) = (run(1), run(2), run(3));
    for other in [&two, &three] {
        assert_eq!(one.assignments, other.assignments);
        assert_eq!(one.themes, other.themes);
    }
    let again = discover(&docs, &fixed(4));
    assert_eq!(again.themes, one.themes);
}

#[test]
fn ids_follow_size_and_sizes_add_up() {
    let texts = three_topics();
    let mut refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    refs.extend(texts.iter().take(15).map(String::as_str));
    let found = discover(&docs(&refs), &fixed(3));
    for (i, t) in found.themes.iter().enumerate() {
        assert_eq!(t.id, i as u32);
        let members = found
            .assignments
            .iter()
            .flatten()
            .filter(|a| a.0 == t.id)
            .count();
        assert_eq!(members as u64, t.size);
    }
    assert!(found.themes.windows(2).all(|w| w[0].size >= w[1].size));
    for &(_, s) in found.assignments.iter().flatten() {
        assert!((-1.0..=1.0001).contains(&s));
    }
}

#[test]
fn large_input_paths_sample_then_assign_everything() {
    // Caps far below the input: the word vectors learn from a sample of the text, the themes are fitted
    // on a sample, restarts run on a smaller one, and most docs are read only when assigned.
    let params = Params {
        learn_bytes: 3_000,
        fit_docs: 40,
        kmeans: KMeansOptions {
            restart_points: 20,
            ..Params::default().kmeans
        },
        ..Params::default()
    };
    let texts = three_topics();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let docs = docs(&refs);
    let run = |threads: usize| on_threads(threads, || discover_docs(&docs, &fixed(3), &params));
    let found = run(2);
    assert_eq!(found.themes.len(), 3);
    assert!(found.assignments.iter().all(Option::is_some));
    let topic = |i: usize| (i / 5) % 3;
    for i in 0..texts.len() {
        for j in 0..texts.len() {
            let (a, b) = (found.assignments[i], found.assignments[j]);
            assert_eq!(topic(i) == topic(j), a.map(|x| x.0) == b.map(|x| x.0));
        }
    }
    let one = run(1);
    assert_eq!(one.assignments, found.assignments);
    assert_eq!(one.themes, found.themes);
}
