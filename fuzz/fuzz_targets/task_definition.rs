//! Any JSON document given as a task definition is validated without a panic, and a document
//! the validator finds no error in decodes as a task definition.

#![no_main]

use berth_shared::{
    ecs::TaskDefinition,
    input::from_value,
    ops::{Severity, validate_task_definition},
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return;
    };
    let report = validate_task_definition(&document);
    if report.problems.iter().all(|p| p.severity != Severity::Error) {
        let _ = from_value::<TaskDefinition>(document);
    }
});
