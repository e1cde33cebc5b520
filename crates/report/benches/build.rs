//! How long `build` takes on a million synthetic annotated comments (the target is under 10 s), and the
//! HTML pack rendered from it. Run with `cargo bench -p chorus-report`.

use std::hint::black_box;

use chorus_report::{BreakdownBy, ReportOptions, build, html, synthetic};
use criterion::{Criterion, criterion_group, criterion_main};

fn report(c: &mut Criterion) {
    let comments = synthetic::comments(1_000_000, 42);
    let catalog = synthetic::catalog();
    let options = ReportOptions {
        compare_previous: true,
        from: chorus_core::Date::from_ymd(2022, 7, 1),
        by: vec![
            BreakdownBy::Service,
            BreakdownBy::Month,
            BreakdownBy::Question,
            BreakdownBy::Attribute("Age band".into()),
        ],
        annotations: vec![chorus_report::ChangeNote {
            date: synthetic::change_date(),
            text: "New discharge lounge".into(),
        }],
        ..ReportOptions::default()
    };
    // The bench measures the right thing only if the report covers what it should.
    let check = build(&comments, &catalog, &options).expect("the report builds");
    let texts = comments
        .iter()
        .filter(|c| !c.no_comment && c.date.is_some_and(|d| Some(d) >= options.from))
        .count() as u64;
    assert_eq!(check.headline.comments, texts);
    assert_eq!(check.spc.len(), 7);

    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    group.bench_function("build 1M comments", |b| {
        b.iter(|| build(black_box(&comments), &catalog, &options).expect("the report builds"))
    });
    group.bench_function("render the HTML pack", |b| {
        b.iter(|| html::render(black_box(&check)))
    });
    group.finish();
}

criterion_group!(benches, report);
criterion_main!(benches);
