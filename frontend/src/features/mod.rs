//! The console's areas, one folder each.

pub mod clusters;
pub mod repositories;
