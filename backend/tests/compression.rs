//! Compressed answers, in process: a cluster's snapshot is gzipped once per read and carries an
//! entity tag that answers `If-None-Match` with 304; other JSON answers are compressed with
//! whichever of gzip, brotli and zstd the client accepts (live streams: `tests/http_live.rs`).

mod support;

use std::io::Read;

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use support::{app, request};

/// `GET uri` with `headers`; the status, the answer's headers and its raw body.
async fn get(
    app: &axum::Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut built: Request<Body> = request(Method::GET, uri, None, Body::empty());
    for (name, value) in headers {
        built.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
            value.parse().expect("a header value"),
        );
    }
    let response = app.clone().oneshot(built).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = if uri.ends_with("/stream") {
        Vec::new()
    } else {
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec()
    };
    (status, headers, body)
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

fn encoding(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn a_snapshot_is_gzipped_when_accepted_and_not_sent_again_when_unchanged() {
    let app = app("compression-snapshot").await;
    let path = "/api/clusters/demo-small";
    let (status, plain_headers, plain) = get(&app, path, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(encoding(&plain_headers), None);
    let etag = plain_headers[header::ETAG].to_str().unwrap().to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");

    let (status, headers, zipped) = get(&app, path, &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(status, 200);
    assert_eq!(encoding(&headers), Some("gzip"));
    assert_eq!(headers[header::VARY], "accept-encoding");
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let unzipped = gunzip(&zipped);
    let (a, b): (Value, Value) = (
        serde_json::from_slice(&unzipped).unwrap(),
        serde_json::from_slice(&plain).unwrap(),
    );
    assert_eq!(a["cluster"], b["cluster"]);
    assert!(
        zipped.len() * 4 < unzipped.len(),
        "{} bytes gzipped of {}",
        zipped.len(),
        unzipped.len()
    );

    // Refused gzip (q=0) is not sent gzip.
    let (_, headers, _) = get(&app, path, &[("accept-encoding", "gzip;q=0")]).await;
    assert_eq!(encoding(&headers), None);

    // Unchanged since the tag the client holds (read again, at another time): 304 without a
    // body.
    let (_, headers, _) = get(&app, path, &[]).await;
    let current = headers[header::ETAG].to_str().unwrap().to_owned();
    let (status, headers, body) = get(&app, path, &[("if-none-match", &current)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(headers[header::ETAG], current.as_str());
    let (status, _, body) = get(&app, path, &[("if-none-match", "W/\"0000000000000000\"")]).await;
    assert_eq!(status, 200);
    assert!(!body.is_empty());
}

#[tokio::test]
async fn answers_are_compressed_as_the_client_accepts() {
    let app = app("compression-answers").await;
    let path = "/api/task-definitions";
    let (_, headers, plain) = get(&app, path, &[]).await;
    assert_eq!(encoding(&headers), None);
    for (accepted, expected) in [("gzip", "gzip"), ("br", "br"), ("zstd", "zstd")] {
        let (status, headers, body) = get(&app, path, &[("accept-encoding", accepted)]).await;
        assert_eq!(status, 200, "{accepted}");
        assert_eq!(encoding(&headers), Some(expected), "{accepted}");
        assert!(
            body.len() < plain.len(),
            "{accepted}: {} of {}",
            body.len(),
            plain.len()
        );
        if expected == "gzip" {
            let (a, b): (Value, Value) = (
                serde_json::from_slice(&gunzip(&body)).unwrap(),
                serde_json::from_slice(&plain).unwrap(),
            );
            assert_eq!(a["families"], b["families"]);
        }
    }
}
