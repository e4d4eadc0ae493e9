//! The placement engine benchmark (issue #3, "Performance") compiled to `wasm32`: the same
//! scenario as the native criterion benchmark, [`berth_shared::placement::bench_fleet`]
//! (10,000 tasks onto 1,000 instances across 3 Availability Zones, spread(AZ) then
//! binpack(memory) and a `memberOf` constraint), timed with the browser's `performance.now()`.
//!
//! It also times the Deploy preview ([`bench_preview`]: a new image for one service of a
//! 500-instance, 5,000-task cluster), the work the Deploy page redoes on every edit.
//!
//! `run.sh` next to this crate builds it, serves `index.html` and drives headless Chromium;
//! the page calls [`bench_placement`] (or [`bench_preview`] with `?bench=preview`) and writes
//! the result into the DOM.

use std::hint::black_box;

use berth_shared::{
    ops::preview_change,
    placement::{bench_fleet, simulate_placement},
};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: milliseconds, sub-millisecond resolution (Chromium coarsens it to
    /// 5 µs on pages that are not cross-origin isolated, or 100 µs, far below what is timed).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Timings of [`bench_placement`], in milliseconds.
#[wasm_bindgen]
#[derive(Debug, Clone, Copy)]
pub struct PlacementTiming {
    /// The first run, before any warm-up (includes the browser tiering the code up).
    pub first_ms: f64,
    /// Median of the measured runs.
    pub median_ms: f64,
    /// Fastest measured run.
    pub min_ms: f64,
    /// Slowest measured run.
    pub max_ms: f64,
    /// How many runs were measured (after `warmup` unmeasured ones).
    pub runs: u32,
    /// Tasks placed by one run (10,000 when every task fits).
    pub placed: u32,
    /// Time to build the input fleet once (not part of the runs).
    pub setup_ms: f64,
    /// FNV-1a (32-bit) of the placed tasks' container instance ARNs in placement order, to
    /// check that the wasm32 build places exactly as the native one (same input, same seed).
    pub placement_digest: u32,
}

/// Builds the benchmark fleet once, then runs `simulate_placement` once (timed as
/// `first_ms`), `warmup` more times untimed and `runs` times timed (at least one).
///
/// Errors with the engine's message if the input is rejected (it never is).
#[wasm_bindgen]
pub fn bench_placement(
    instances: u32,
    zones: u32,
    count: u32,
    warmup: u32,
    runs: u32,
) -> Result<PlacementTiming, JsError> {
    let start = performance_now();
    let input = bench_fleet(instances as usize, zones as usize, i64::from(count), 42);
    let setup_ms = performance_now() - start;

    let start = performance_now();
    let output = simulate_placement(&input).map_err(|error| JsError::new(&error.to_string()))?;
    let first_ms = performance_now() - start;
    let placed = u32::try_from(output.tasks.len()).unwrap_or(u32::MAX);
    let placement_digest = output
        .tasks
        .iter()
        .flat_map(|task| task.container_instance_arn.as_deref().unwrap_or("").bytes())
        .fold(0x811c_9dc5_u32, |hash, byte| {
            (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
        });
    drop(output);

    let runs = runs.max(1);
    let times = time_runs(warmup, runs, || {
        // Like criterion's `iter`: the output is dropped inside the timed region.
        let _ = black_box(simulate_placement(black_box(&input)));
    });
    Ok(PlacementTiming {
        first_ms,
        median_ms: times.median_ms,
        min_ms: times.min_ms,
        max_ms: times.max_ms,
        runs,
        placed,
        setup_ms,
        placement_digest,
    })
}

/// Timings of [`bench_preview`], in milliseconds.
#[wasm_bindgen]
#[derive(Debug, Clone, Copy)]
pub struct PreviewTiming {
    /// The first run, before any warm-up.
    pub first_ms: f64,
    /// Median of the measured runs.
    pub median_ms: f64,
    /// Fastest measured run.
    pub min_ms: f64,
    /// Slowest measured run.
    pub max_ms: f64,
    /// How many runs were measured.
    pub runs: u32,
    /// Time to build the input once (not part of the runs).
    pub setup_ms: f64,
}

/// The Deploy preview on [`berth_shared::placement::bench_preview`] (a new image for one
/// service of `instances` instances running `tasks` tasks): once cold, `warmup` times untimed,
/// then `runs` times timed.
#[wasm_bindgen]
pub fn bench_preview(instances: u32, tasks: u32, warmup: u32, runs: u32) -> PreviewTiming {
    let start = performance_now();
    let input = berth_shared::placement::bench_preview(instances as usize, tasks as usize);
    let setup_ms = performance_now() - start;
    let start = performance_now();
    drop(black_box(preview_change(black_box(&input))));
    let first_ms = performance_now() - start;
    let runs = runs.max(1);
    let times = time_runs(warmup, runs, || {
        let _ = black_box(preview_change(black_box(&input)));
    });
    PreviewTiming {
        first_ms,
        median_ms: times.median_ms,
        min_ms: times.min_ms,
        max_ms: times.max_ms,
        runs,
        setup_ms,
    }
}

/// The median, fastest and slowest of timed runs.
struct Runs {
    median_ms: f64,
    min_ms: f64,
    max_ms: f64,
}

/// Runs `work` `warmup` times untimed, then `runs` (at least one) times timed.
fn time_runs(warmup: u32, runs: u32, mut work: impl FnMut()) -> Runs {
    for _ in 0..warmup {
        work();
    }
    let mut times: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let start = performance_now();
            work();
            performance_now() - start
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let middle = times.len() / 2;
    let median_ms = if times.len().is_multiple_of(2) {
        (times[middle - 1] + times[middle]) / 2.0
    } else {
        times[middle]
    };
    Runs {
        median_ms,
        min_ms: times[0],
        max_ms: times[times.len() - 1],
    }
}
