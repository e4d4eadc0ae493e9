//! `?synthetic=INSTANCESxTASKS` (e.g. `500x5000`): a generated cluster instead of the API's,
//! with timings of the first render and of applying a 50-task change, for the console
//! benchmark in `docs/BENCHMARKS.md`.
//!
//! Timings use `performance.now()` and end after the next animation frame and the task that
//! follows it, so they include style, layout and paint of what changed.
//!
//! The generator (`berth-synthetic`) is only in a console built with the `bench` feature, as
//! `cargo xtask test` builds it; the console that `cargo xtask serve` and `build` ship leaves it
//! out, and there `?synthetic=` is ignored (the page shows the cluster its path names).

use std::sync::Arc;

use berth_shared::api::ClusterSnapshot;
use leptos::{prelude::*, wasm_bindgen::prelude::wasm_bindgen};

use crate::components::timing::{after_paint, now as performance_now};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn date_now() -> f64;
}

/// Tasks changed by one press of "Apply a change".
const CHANGE: usize = 50;

/// A generated cluster and how long generating it took.
#[derive(Debug, Clone)]
pub struct Synthetic {
    /// When generation ended (`performance.now()`, ms).
    pub ready_at: f64,
    /// How long generation took, ms.
    pub generate_ms: f64,
}

/// Reads `500x5000` (at most 5,000 instances and 100,000 tasks).
pub fn parse(text: &str) -> Option<(usize, usize)> {
    let (instances, tasks) = text.split_once('x')?;
    let (instances, tasks) = (instances.parse().ok()?, tasks.parse().ok()?);
    (instances <= 5_000 && tasks <= 100_000).then_some((instances, tasks))
}

/// Generates the cluster `name` with `instances` instances and `tasks` tasks, read "now";
/// `None` in a console built without the generator.
pub fn generate(
    name: &str,
    instances: usize,
    tasks: usize,
) -> Option<(ClusterSnapshot, Synthetic)> {
    let start = performance_now();
    let snapshot = generator::snapshot(name, instances, tasks, date_now())?;
    let ready_at = performance_now();
    let timing = Synthetic {
        ready_at,
        generate_ms: ready_at - start,
    };
    Some((snapshot, timing))
}

/// The generator of a console built with the `bench` feature.
#[cfg(feature = "bench")]
mod generator {
    use berth_shared::{api::ClusterSnapshot, time::Timestamp};

    /// The cluster, read at `now_ms`.
    pub fn snapshot(
        name: &str,
        instances: usize,
        tasks: usize,
        now_ms: f64,
    ) -> Option<ClusterSnapshot> {
        Some(berth_synthetic::synthetic_snapshot(
            name,
            instances,
            tasks,
            42,
            Timestamp(now_ms as i64),
        ))
    }

    /// Changes `count` tasks of `snapshot`.
    pub fn change(snapshot: &mut ClusterSnapshot, count: usize, seed: u64) {
        berth_synthetic::synthetic_change(snapshot, count, seed);
    }
}

/// A console built without the `bench` feature has no generator.
#[cfg(not(feature = "bench"))]
mod generator {
    use berth_shared::api::ClusterSnapshot;

    /// No cluster.
    pub fn snapshot(_: &str, _: usize, _: usize, _: f64) -> Option<ClusterSnapshot> {
        None
    }

    /// Nothing to change (no synthetic cluster is ever shown).
    pub fn change(_: &mut ClusterSnapshot, _: usize, _: u64) {}
}

/// The benchmark bar: timings and the "apply a change" button.
#[component]
pub fn SyntheticBar(
    /// The page's snapshot, changed in place by the button.
    snapshot: RwSignal<Arc<ClusterSnapshot>>,
    /// Generation timing.
    timing: Synthetic,
) -> impl IntoView {
    let first = RwSignal::new(None::<(f64, f64)>);
    let change = RwSignal::new(None::<f64>);
    let presses = RwSignal::new(0u64);
    after_paint(timing.ready_at, move |ms| {
        first.set(Some((ms, performance_now())));
    });
    let apply = move |_| {
        let start = performance_now();
        let seed = presses.get_untracked() + 1;
        presses.set(seed);
        snapshot.update(|current| {
            let mut next = ClusterSnapshot::clone(current);
            generator::change(&mut next, CHANGE, seed);
            *current = Arc::new(next);
        });
        after_paint(start, move |ms| change.set(Some(ms)));
    };
    let generate_ms = timing.generate_ms;
    let text = move || {
        let mut text = format!("generated in {generate_ms:.0} ms");
        if let Some((render, since_navigation)) = first.get() {
            text.push_str(&format!(
                " · first render {render:.0} ms · painted {since_navigation:.0} ms after navigation start"
            ));
        }
        if let Some(ms) = change.get() {
            text.push_str(&format!(" · {CHANGE}-task change {ms:.0} ms"));
        }
        text
    };
    view! {
        <div class="bench" role="status">
            <strong>"Synthetic cluster"</strong>
            <span class="bench__timings" data-testid="bench" data-first=move || first.get().map(|f| format!("{:.1}", f.0)) data-change=move || change.get().map(|c| format!("{c:.1}"))>
                {text}
            </span>
            <button type="button" class="button button--quiet button--small" data-testid="bench-change" on:click=apply>
                {format!("Apply a {CHANGE}-task change")}
            </button>
        </div>
    }
}
