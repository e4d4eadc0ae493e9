//! Widgets shared by the console's features.

pub mod data_table;
pub mod dialog;
pub mod error_panel;
pub mod help;
pub mod keyboard;
pub mod launch_type_bar;
pub mod live;
pub mod server;
pub mod sort_header;
pub mod stale_banner;
pub mod timing;
pub mod top_bar;
