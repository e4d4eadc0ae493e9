//! Widgets shared by the console's features.

pub mod error_panel;
pub mod launch_type_bar;
pub mod top_bar;
