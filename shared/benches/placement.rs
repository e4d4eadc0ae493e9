//! Placement engine benchmark: 10,000 tasks onto 1,000 instances across 3 Availability Zones
//! with spread(attribute:ecs.availability-zone) then binpack(memory) and a memberOf
//! constraint (the scenario is [`berth_shared::placement::bench_fleet`], which the wasm32
//! benchmark in `benches/placement-wasm` shares). Run with
//! `cargo bench -p berth-shared --bench placement`.

use std::hint::black_box;

use berth_shared::placement::{bench_fleet, simulate_placement};
use criterion::{Criterion, criterion_group, criterion_main};

fn placement(c: &mut Criterion) {
    let input = bench_fleet(1000, 3, 10_000, 42);
    let output = simulate_placement(&input).expect("valid input");
    assert_eq!(output.tasks.len(), 10_000, "every task fits");
    c.bench_function(
        "place 10k tasks on 1k instances (spread AZ, binpack memory, memberOf)",
        |b| b.iter(|| simulate_placement(black_box(&input))),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = placement
}
criterion_main!(benches);
