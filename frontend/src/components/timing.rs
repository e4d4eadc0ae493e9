//! How long the console takes to show something, on the browser's performance timeline.
//!
//! [`after_paint`] waits for the next animation frame and the task after it, so a time taken
//! there includes the style, layout and paint of what changed. [`measure`] records a span as a
//! User Timing measure (`performance.measure`) with a detail object, where the browser's
//! developer tools and the console benchmarks (`benches/load/`) read it.

use std::time::Duration;

use leptos::{
    prelude::*,
    wasm_bindgen::{JsValue, prelude::wasm_bindgen},
    web_sys::js_sys::{Object, Reflect},
};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
    #[wasm_bindgen(catch, js_namespace = performance, js_name = measure)]
    fn performance_measure(name: &str, options: &JsValue) -> Result<JsValue, JsValue>;
}

/// Milliseconds since the page's time origin (`performance.now()`).
pub fn now() -> f64 {
    performance_now()
}

/// Calls `done` with the ms since `start` once the browser has painted.
pub fn after_paint(start: f64, done: impl FnOnce(f64) + 'static) {
    request_animation_frame(move || {
        set_timeout(move || done(performance_now() - start), Duration::ZERO);
    });
}

/// Records the span from `start` to now as the measure `name`, with `detail`'s fields (names
/// and numbers) as its detail. A browser without User Timing level 3 records nothing.
pub fn measure(name: &str, start: f64, detail: &[(&str, JsValue)]) {
    let fields = Object::new();
    for (key, value) in detail {
        let _ = Reflect::set(&fields, &JsValue::from_str(key), value);
    }
    let options = Object::new();
    let _ = Reflect::set(&options, &"start".into(), &start.into());
    let _ = Reflect::set(&options, &"end".into(), &performance_now().into());
    let _ = Reflect::set(&options, &"detail".into(), &fields);
    let _ = performance_measure(name, &options);
}
