//! Agreement of discovered themes with the v6 labels (NMI) across seeds and theme counts: the quality
//! test's measurement, for trying settings.
//!
//! `cargo run --release -p chorus-themes --example discover_eval -- [all|v6] [K,K,…|auto] [seeds]`

use std::time::Instant;

use chorus_themes::discover::{ClusterCount, DiscoverDoc, DiscoverOptions, discover};

#[path = "../tests/common/discovery.rs"]
mod discovery;

use discovery::{corpora_dir, feedback, score, v6};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let setup = args.get(1).map_or("v6", String::as_str);
    let counts: Vec<ClusterCount> = args
        .get(2)
        .map_or("15,30,60,auto", String::as_str)
        .split(',')
        .map(|k| k.parse().map_or(ClusterCount::Auto, ClusterCount::Fixed))
        .collect();
    let seeds: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3);
    let Some(dir) = corpora_dir() else {
        eprintln!("skipping: ../shared/corpora not found");
        return;
    };
    let v6 = v6(&dir);
    let phase1 = feedback(&dir, "phase1-text-data.csv");
    let stories = feedback(&dir, "care-opinion-stories.csv");
    let labels: Vec<Option<usize>> = v6.iter().map(|(_, l)| *l).collect();
    let texts: Vec<&str> = v6
        .iter()
        .map(|(t, _)| t.as_str())
        .chain(phase1.iter().map(String::as_str))
        .chain(stories.iter().map(String::as_str))
        .collect();
    let docs: Vec<DiscoverDoc<'_>> = texts
        .iter()
        .enumerate()
        .map(|(i, &text)| DiscoverDoc {
            text,
            include: i < v6.len() || setup == "all",
        })
        .collect();
    for count in counts {
        let mut scores = Vec::new();
        let started = Instant::now();
        let mut themes = 0;
        for seed in 0..seeds {
            let found = discover(
                &docs,
                &DiscoverOptions {
                    count,
                    seed: 42 + seed,
                },
            );
            themes = found.themes.len();
            scores.push(score(&found, &labels));
            if seed == 0 && std::env::var_os("SHOW_THEMES").is_some() {
                for t in &found.themes {
                    println!("{:>5}  {}  [{}]", t.size, t.label, t.key_phrases.join(", "));
                    for q in &t.quotes {
                        println!("         > {q}");
                    }
                }
            }
        }
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        println!(
            "{setup} {count:?} ({themes} themes): mean NMI {mean:.4} over {} seeds {:?} ({:.2} s per run)",
            scores.len(),
            scores
                .iter()
                .map(|s| (s * 1e4).round() / 1e4)
                .collect::<Vec<_>>(),
            started.elapsed().as_secs_f64() / seeds as f64
        );
    }
}
