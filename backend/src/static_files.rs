//! Serving the built console (the `dist/` directory made by `cargo xtask build`).
//!
//! Files are served as they are; any other GET outside `/api/` gets `index.html` so that deep
//! links such as `/clusters/demo-ec2` load the single-page app, which then routes on the
//! client. When the console has not been built, a short HTML page says how to build it.

use std::path::Path;

use axum::{
    Router,
    http::{HeaderValue, header},
    response::Html,
    routing::get,
};
use tower_http::{
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
};

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Berth</title>\
<body style=\"font-family:system-ui;margin:3rem\"><h1>Berth</h1>\
<p>The console has not been built yet. Run <code>cargo xtask serve</code> from the repository \
root, or pass <code>--static-dir</code> pointing at a built <code>dist/</code> directory.</p>\
<p>The JSON API is available under <a href=\"/api/health\">/api/</a>.</p>";

/// A router serving `dir` with the single-page-app fallback.
pub fn console(dir: &Path) -> Router {
    let index = dir.join("index.html");
    if !index.is_file() {
        tracing::warn!(dir = %dir.display(), "no built console found; serving a placeholder page");
        return Router::new().fallback(get(|| async { Html(NOT_BUILT) }));
    }
    let files = ServeDir::new(dir)
        .precompressed_gzip()
        .fallback(ServeFile::new(index));
    Router::new()
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}
