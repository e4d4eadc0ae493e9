//! Serving the built console: from a directory (`--static-dir`, the `dist/` that `cargo xtask
//! build` makes), or from the `berth` binary itself when `cargo xtask dist` embedded it (so the
//! release binary alone serves everything).
//!
//! Files are served as they are, their precompressed `.gz` copies to clients that accept gzip;
//! any other GET outside `/api/` gets `index.html` so that deep links such as
//! `/clusters/demo-ec2` load the single-page app, which then routes on the client. When no
//! console is built, a short HTML page says how to build it.

use std::path::Path;

use axum::{
    Router,
    http::{HeaderMap, HeaderValue, Uri, header},
    response::{Html, IntoResponse, Response},
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

/// The console embedded at build time (`BERTH_EMBED_CONSOLE`, see `build.rs`).
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/console_files.rs"));
}

/// The files of a console: (path under its root, bytes), sorted by path.
pub type Files = &'static [(&'static str, &'static [u8])];

/// Whether this binary carries a built console.
pub fn is_embedded() -> bool {
    !embedded::FILES.is_empty()
}

/// The console's router: the directory `dir` when given; otherwise the console embedded in
/// the binary, or else `./dist` (a checkout's build), or the placeholder page.
pub fn console(dir: Option<&Path>) -> Router {
    match dir {
        Some(dir) => directory(dir),
        None if is_embedded() => files(embedded::FILES),
        None => directory(Path::new("dist")),
    }
}

/// A router serving `files` (a console held in memory) with the single-page-app fallback.
pub fn files(files: Files) -> Router {
    Router::new()
        .fallback(get(move |uri: Uri, headers: HeaderMap| async move {
            answer(files, uri.path(), &headers)
        }))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}

fn find(files: Files, path: &str) -> Option<&'static [u8]> {
    files
        .binary_search_by(|(name, _)| (*name).cmp(path))
        .ok()
        .map(|at| files[at].1)
}

/// The answer to a GET of `path`: the file (gzipped when the client accepts it and a `.gz`
/// copy exists), or `index.html` for any path that is not a file.
fn answer(files: Files, path: &str, headers: &HeaderMap) -> Response {
    let wanted = path.trim_start_matches('/');
    let (name, bytes) = match find(files, wanted).filter(|_| !wanted.is_empty()) {
        Some(bytes) => (wanted, bytes),
        None => match find(files, "index.html") {
            Some(index) => ("index.html", index),
            None => return Html(NOT_BUILT).into_response(),
        },
    };
    let content_type = HeaderValue::from_static(content_type(name));
    let accepts_gzip = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|coding| coding.trim().starts_with("gzip")));
    let vary = (header::VARY, HeaderValue::from_static("accept-encoding"));
    match find(files, &format!("{name}.gz")).filter(|_| accepts_gzip) {
        Some(gzipped) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
                vary,
            ],
            gzipped,
        )
            .into_response(),
        None => ([(header::CONTENT_TYPE, content_type), vary], bytes).into_response(),
    }
}

/// The media type of a console file, by its extension.
fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, extension)| extension) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A router serving `dir` with the single-page-app fallback.
fn directory(dir: &Path) -> Router {
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

#[cfg(test)]
mod tests {
    use axum::{body::Body, http::Request};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    const CONSOLE: Files = &[
        ("abc123/berth_bg.wasm", b"\0asm-raw"),
        ("abc123/berth_bg.wasm.gz", b"gzipped-wasm"),
        ("abc123/style.css", b"body{}"),
        ("index.html", b"<!doctype html><title>Berth</title>"),
    ];

    async fn fetch(path: &str, gzip: bool) -> (u16, HeaderMap, Vec<u8>) {
        let mut request = Request::get(path);
        if gzip {
            request = request.header(header::ACCEPT_ENCODING, "br, gzip;q=0.9");
        }
        let response = files(CONSOLE)
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes().to_vec();
        (parts.status.as_u16(), parts.headers, bytes)
    }

    #[tokio::test]
    async fn embedded_files_are_served_gzipped_when_accepted_with_the_app_as_fallback() {
        let (status, headers, body) = fetch("/abc123/berth_bg.wasm", true).await;
        assert_eq!(status, 200);
        assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
        assert_eq!(body, b"gzipped-wasm");

        let (_, headers, body) = fetch("/abc123/berth_bg.wasm", false).await;
        assert!(headers.get(header::CONTENT_ENCODING).is_none());
        assert_eq!(body, b"\0asm-raw");

        let (_, headers, body) = fetch("/abc123/style.css", true).await;
        assert_eq!(headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
        assert!(
            headers.get(header::CONTENT_ENCODING).is_none(),
            "no .gz copy"
        );
        assert_eq!(body, b"body{}");

        for deep_link in ["/", "/clusters/demo-ec2", "/abc123/missing.js"] {
            let (status, headers, body) = fetch(deep_link, false).await;
            assert_eq!(status, 200, "{deep_link}");
            assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
            assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
            assert!(body.starts_with(b"<!doctype html>"), "{deep_link}");
        }
    }

    #[tokio::test]
    async fn without_a_console_the_page_says_how_to_build_it() {
        let response = files(&[])
            .oneshot(Request::get("/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert!(String::from_utf8_lossy(&body).contains("cargo xtask serve"));
    }
}
