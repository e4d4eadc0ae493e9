//! The console's areas, one folder each.

pub mod access;
pub mod clusters;
pub mod deploy;
pub mod instances;
pub mod repositories;
pub mod services;
pub mod task_definitions;
pub mod tasks;
