//! Deploy preview benchmark: a new image for one service of a 500-instance, 5,000-task cluster
//! ([`berth_shared::placement::bench_preview`]), the work the Deploy page redoes on every edit
//! (definition changes and validation, the rolling plan with the cluster's room, the surge
//! placement with its explanations, cost before and after, the calls). Run with
//! `cargo bench -p berth-shared --bench preview`.

use std::hint::black_box;

use berth_shared::{ops::preview_change, placement::bench_preview};
use criterion::{Criterion, criterion_group, criterion_main};

fn preview(c: &mut Criterion) {
    let input = bench_preview(500, 5_000);
    let preview = preview_change(&input);
    assert!(!preview.blocked, "{:?}", preview.problems);
    assert!(preview.registers && preview.deploys);
    let placement = preview.placement.expect("an EC2 service's surge is placed");
    assert_eq!(
        placement.placed, placement.tasks,
        "the surge fits: {placement:?}"
    );
    c.bench_function("preview a new image on 500 instances / 5,000 tasks", |b| {
        b.iter(|| preview_change(black_box(&input)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = preview
}
criterion_main!(benches);
