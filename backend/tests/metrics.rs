//! `GET /metrics` and request ids, in process: what a monitoring system scrapes after a few
//! requests, a change and a refused path, and the id every answer carries.

mod support;

use axum::{
    body::Body,
    http::{Method, StatusCode, header},
};
use http_body_util::BodyExt;
use tower::ServiceExt;

use support::{app, get, json_request, request, send};

/// The value of the sample `line` starts with (`name{labels}`), if the text has it.
fn sample(text: &str, line: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(line))
        .and_then(|rest| rest.trim().split(' ').next())
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn the_metrics_count_requests_by_route_changes_and_cache_reads() {
    let app = app("metrics").await;
    for _ in 0..3 {
        let (status, _) = get(&app, "/api/clusters/demo-ec2").await;
        assert_eq!(status, 200);
    }
    let (status, _) = get(&app, "/api/no-such-thing").await;
    assert_eq!(status, 404);
    let (status, body) = send(
        &app,
        json_request(
            Method::PUT,
            "/api/clusters/demo-small/services/scheduler",
            r#"{"desiredCount": 2}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let response = app
        .clone()
        .oneshot(request(Method::GET, "/metrics", None, Body::empty()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();

    // The counters belong to the process, which other tests of this file may share: at least.
    let snapshots = sample(
        &text,
        r#"berth_http_requests_total{method="GET",route="/api/clusters/{name}",status="200"}"#,
    );
    assert!(snapshots.is_some_and(|n| n >= 3.0), "{text}");
    assert!(
        sample(
            &text,
            r#"berth_http_requests_total{method="GET",route="/api",status="404"}"#
        )
        .is_some_and(|n| n >= 1.0),
        "an unknown path counts under /api, not under its own path: {text}"
    );
    assert!(
        sample(
            &text,
            r#"berth_http_requests_total{method="PUT",route="/api/clusters/{cluster}/services/{service}",status="200"}"#
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        text.contains(
            r#"berth_http_request_duration_seconds_bucket{le="0.001",method="GET",route="/api/clusters/{name}"}"#
        ),
        "{text}"
    );
    assert!(
        sample(&text, r#"berth_cache_lookups_total{outcome="miss"}"#).is_some_and(|n| n >= 3.0),
        "{text}"
    );
    assert!(
        sample(&text, r#"berth_sandbox_saves_total{outcome="ok"}"#).is_some_and(|n| n >= 1.0),
        "the change was saved: {text}"
    );
    assert_eq!(sample(&text, "berth_live_streams "), Some(0.0), "{text}");
    assert_eq!(sample(&text, "berth_live_pollers "), Some(0.0), "{text}");
    assert!(text.trim_end().ends_with("# EOF"), "{text}");
}

#[tokio::test]
async fn every_answer_carries_its_own_request_id() {
    let app = app("request-ids").await;
    let mut ids = Vec::new();
    for uri in [
        "/api/health",
        "/api/health",
        "/clusters",
        "/api/nothing-here",
    ] {
        let response = app
            .clone()
            .oneshot(request(Method::GET, uri, None, Body::empty()))
            .await
            .unwrap();
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(id.len(), 21, "{uri}: {id}");
        ids.push(id);
    }
    let distinct: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "{ids:?}");
}
