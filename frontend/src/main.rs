//! The Berth console, compiled to WebAssembly and mounted on the page's `<body>`.
//!
//! - `app`: the router, the layout and the top bar.
//! - `lazy_pages`: the pages loaded on first use, from wasm modules split off the main one.
//! - `api`: one async function per backend endpoint, with typed errors.
//! - `features/`: one folder per area of the console (clusters, …), one page per file.
//! - `components/`: widgets shared by the features (error panels, badges, …).

mod api;
mod app;
mod components;
mod features;
mod lazy_pages;
mod links;
mod source;
mod url_query;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
