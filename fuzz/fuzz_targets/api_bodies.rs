//! Any text sent as the body of a change (CreateService, UpdateService, RunTask) is decoded or
//! refused naming the field, and what decodes is checked by the model's request rules, never
//! a panic.

#![no_main]

use berth_shared::{
    api::{CreateService, RunTask, ServiceUpdate},
    input::from_json,
    ops::{check_create_service, check_run_task, check_service_update},
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(request) = from_json::<CreateService>(text) {
        let _ = check_create_service(&request);
    }
    if let Ok(update) = from_json::<ServiceUpdate>(text) {
        let _ = check_service_update(&update);
    }
    if let Ok(request) = from_json::<RunTask>(text) {
        let _ = check_run_task(&request);
    }
});
