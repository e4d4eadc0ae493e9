//! The whole application in process: `berth_backend::app` over a sandbox on a scratch state
//! file, driven with `tower::ServiceExt::oneshot` (no socket, no spawned binary). These tests
//! pin the API's error contract: every answer under `/api/` is JSON (`ErrorBody`), naming what
//! was asked for or the field to blame, whatever went wrong and whoever noticed it (a source,
//! an extractor, axum's router, a panic) — and its browser defences (host allow-list,
//! cross-site changes refused, security headers).

mod support;

use axum::{
    Router,
    body::Body,
    http::{Method, Request, StatusCode, header},
    routing::get,
};
use berth_backend::{
    blocking::off_workers,
    error::{ApiError, catch_panics},
    routes::MAX_BODY_BYTES,
};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use support::{MAX_STREAMS, app, app_with, json_request, request, send};

/// What an error answer must say: its status, code and field, and a text its message holds.
struct Expected {
    status: u16,
    code: &'static str,
    field: Option<&'static str>,
    message: &'static str,
}

fn error(
    status: u16,
    code: &'static str,
    field: Option<&'static str>,
    message: &'static str,
) -> Expected {
    Expected {
        status,
        code,
        field,
        message,
    }
}

/// Sends each request and checks its answer is the expected JSON error.
async fn assert_errors(app: &Router, cases: Vec<(Request<Body>, Expected)>) {
    for (request, expected) in cases {
        let what = format!("{} {}", request.method(), request.uri());
        let (status, body) = send(app, request).await;
        assert_eq!(status.as_u16(), expected.status, "{what}: {body}");
        assert_eq!(body["code"], expected.code, "{what}: {body}");
        assert_eq!(body["retryable"], false, "{what}: {body}");
        assert_eq!(body["field"].as_str(), expected.field, "{what}: {body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(expected.message),
            "{what}: {message:?} should contain {:?}",
            expected.message
        );
    }
}

#[tokio::test]
async fn source_errors_name_what_was_asked_for() {
    let app = app("source-errors").await;
    let get = |uri: &str| request(Method::GET, uri, None, Body::empty());
    let cases = vec![
        (
            get("/api/clusters/nope"),
            error(404, "not_found", None, r#"cluster "nope" was not found"#),
        ),
        (
            get("/api/clusters/nope/services/web/metrics"),
            error(404, "not_found", None, r#"cluster "nope" was not found"#),
        ),
        (
            json_request(
                Method::PUT,
                "/api/clusters/demo-small/services/nope",
                r#"{"desiredCount": 1}"#,
            ),
            error(404, "not_found", None, r#"service "nope" was not found"#),
        ),
        (
            get("/api/repositories/demo/nope"),
            error(
                404,
                "not_found",
                None,
                r#"repository "demo/nope" was not found"#,
            ),
        ),
    ];
    assert_errors(&app, cases).await;
}

#[tokio::test]
async fn bad_bodies_are_400_naming_the_field_or_415_when_not_json() {
    let app = app("bodies").await;
    let run_task = |body: &str| json_request(Method::POST, "/api/clusters/demo-small/tasks", body);
    let cases = vec![
        (
            run_task(r#"{"count": 1}"#),
            error(400, "invalid_input", Some("taskDefinition"), "is required"),
        ),
        (
            run_task(r#"{"taskDefinition": "web", "count": "ten"}"#),
            error(400, "invalid_input", Some("count"), "invalid type"),
        ),
        (
            run_task(r#"{"taskDefinition": "web", "colour": "blue"}"#),
            error(
                400,
                "invalid_input",
                Some("colour"),
                "unknown field `colour`",
            ),
        ),
        (
            run_task("{not json"),
            error(
                400,
                "invalid_input",
                Some("."),
                "not valid JSON: key must be a string",
            ),
        ),
        (
            request(
                Method::POST,
                "/api/clusters/demo-small/tasks",
                Some("text/plain;charset=UTF-8"),
                Body::from(r#"{"taskDefinition": "web"}"#),
            ),
            error(
                415,
                "unsupported_media_type",
                None,
                "not text/plain;charset=UTF-8",
            ),
        ),
        (
            request(
                Method::POST,
                "/api/simulate/placement",
                Some("application/x-www-form-urlencoded"),
                Body::from("count=1"),
            ),
            error(415, "unsupported_media_type", None, "must be JSON"),
        ),
    ];
    assert_errors(&app, cases).await;
}

#[tokio::test]
async fn changes_out_of_ecs_range_are_400_naming_the_field_before_any_source() {
    let app = app("validation").await;
    let service = "/api/clusters/demo-small/services/web";
    let cases = vec![
        (
            json_request(
                Method::PUT,
                service,
                r#"{"forceNewDeployment": true, "deploymentConfiguration": {"maximumPercent": 9223372036854775807}}"#,
            ),
            error(
                400,
                "invalid_input",
                Some("deploymentConfiguration.maximumPercent"),
                "Must be between 0 and 2147483647",
            ),
        ),
        (
            json_request(Method::PUT, service, r#"{"desiredCount": 5001}"#),
            error(
                400,
                "invalid_input",
                Some("desiredCount"),
                "ECS runs at most 5000 tasks per service",
            ),
        ),
        (
            // Checked before the source: the cluster does not exist, the rule still answers.
            json_request(
                Method::POST,
                "/api/clusters/nope/services",
                r#"{"serviceName": "a b", "taskDefinition": "web"}"#,
            ),
            error(
                400,
                "invalid_input",
                Some("serviceName"),
                "is not a service name",
            ),
        ),
        (
            json_request(
                Method::POST,
                "/api/clusters/demo-small/tasks",
                r#"{"taskDefinition": "web", "count": 11}"#,
            ),
            error(
                400,
                "invalid_input",
                Some("count"),
                "RunTask starts 1 to 10 tasks",
            ),
        ),
    ];
    assert_errors(&app, cases).await;
}

#[tokio::test]
async fn unknown_paths_and_methods_are_json_404_and_405() {
    let app = app("paths").await;
    let empty = |method, uri: &str| request(method, uri, None, Body::empty());
    let cases = vec![
        (
            empty(Method::GET, "/api/nothing/here"),
            error(
                404,
                "not_found",
                None,
                "no API endpoint GET /api/nothing/here",
            ),
        ),
        (
            json_request(Method::POST, "/api/simulate/weather", "{}"),
            error(
                404,
                "not_found",
                None,
                "no API endpoint POST /api/simulate/weather",
            ),
        ),
        (
            empty(Method::DELETE, "/api/clusters"),
            error(
                405,
                "method_not_allowed",
                None,
                "/api/clusters does not answer DELETE",
            ),
        ),
        (
            empty(Method::GET, "/api/simulate/placement"),
            error(
                405,
                "method_not_allowed",
                None,
                "the Allow header lists the methods it answers",
            ),
        ),
        (
            empty(Method::PATCH, "/api/task-definitions/web:1"),
            error(
                405,
                "method_not_allowed",
                None,
                "/api/task-definitions/web:1 does not answer PATCH",
            ),
        ),
        // An extractor's own rejection: a path segment that is not UTF-8.
        (
            empty(Method::GET, "/api/clusters/%FF"),
            error(400, "invalid_input", None, "Invalid UTF-8 in `name`"),
        ),
    ];
    assert_errors(&app, cases).await;

    let response = app
        .clone()
        .oneshot(empty(Method::DELETE, "/api/clusters"))
        .await
        .unwrap();
    let allow = response.headers().get(header::ALLOW).unwrap();
    assert!(allow.to_str().unwrap().contains("GET"), "{allow:?}");
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_json_413() {
    let app = app("too-large").await;
    let oversized = || {
        let mut document = br#"{"count": 1, "padding": ""#.to_vec();
        document.resize(MAX_BODY_BYTES + 1, b' ');
        Body::from(document)
    };
    let cases = vec![
        (
            request(
                Method::POST,
                "/api/simulate/placement",
                Some("application/json"),
                oversized(),
            ),
            error(
                413,
                "payload_too_large",
                None,
                "larger than the API's limit of 16 MiB",
            ),
        ),
        (
            request(
                Method::POST,
                "/api/clusters/demo-small/tasks",
                Some("application/json"),
                oversized(),
            ),
            error(
                413,
                "payload_too_large",
                None,
                "larger than the API's limit",
            ),
        ),
    ];
    assert_errors(&app, cases).await;
}

#[tokio::test]
async fn the_source_parameter_chooses_the_account_or_is_a_400_naming_it() {
    let app = app("source-parameter").await;
    let health = |query: &str| {
        request(
            Method::GET,
            &format!("/api/health{query}"),
            None,
            Body::empty(),
        )
    };
    for query in ["", "?source=sandbox", "?source=sandbox&refresh=true"] {
        let (status, body) = send(&app, health(query)).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(body["source"]["kind"], "sandbox", "{query}");
    }
    let cases = vec![
        (
            health("?source=aws:ap-south-1"),
            error(
                400,
                "invalid_input",
                Some("source"),
                "does not offer the source \"aws:ap-south-1\"",
            ),
        ),
        (
            health("?source=moon"),
            error(
                400,
                "invalid_input",
                Some("source"),
                r#""moon" is not a source"#,
            ),
        ),
        (
            health("?source=aws:not%20a%20region"),
            error(
                400,
                "invalid_input",
                Some("source"),
                r#""not a region" is not an AWS region code"#,
            ),
        ),
        (
            request(
                Method::GET,
                "/api/clusters/nope?source=aws:",
                None,
                Body::empty(),
            ),
            error(
                400,
                "invalid_input",
                Some("source"),
                r#""" is not an AWS region code"#,
            ),
        ),
    ];
    assert_errors(&app, cases).await;
}

#[tokio::test]
async fn outside_the_api_deep_links_get_the_console() {
    let app = app("console").await;
    let response = app
        .oneshot(request(
            Method::GET,
            "/clusters/demo-ec2",
            None,
            Body::empty(),
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
    assert!(content_type.starts_with("text/html"), "{content_type}");
}

async fn inline_bug() -> &'static str {
    panic!("inline bug")
}

/// A router whose handlers panic, inline or in blocking work, behind the app's catch-panic
/// layer.
fn panicking() -> Router {
    Router::new()
        .route("/inline", get(inline_bug))
        .route(
            "/blocking",
            get(|| async {
                off_workers(|| panic!("blocking bug"))
                    .await
                    .map(|()| "unreachable")
                    .map_err(ApiError::from)
            }),
        )
        .layer(catch_panics())
}

#[tokio::test]
async fn a_panicking_handler_is_a_generic_json_500() {
    let app = panicking();
    for uri in ["/inline", "/blocking"] {
        let (status, body) = send(&app, request(Method::GET, uri, None, Body::empty())).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{uri}");
        assert_eq!(
            body,
            json!({
                "code": "internal",
                "message": "Berth hit an unexpected error; the server log has the details",
                "retryable": false,
            }),
            "{uri}: the panic's message stays in the log"
        );
    }
}

#[tokio::test]
async fn a_host_that_is_not_this_server_is_refused_whatever_the_path_but_health() {
    let app = app("hosts").await;
    let with_host = |host: &'static str, uri: &str| {
        let mut request = request(Method::GET, uri, None, Body::empty());
        request
            .headers_mut()
            .insert(header::HOST, header::HeaderValue::from_static(host));
        request
    };
    for host in ["localhost:8080", "[::1]:8080", "berth.example.com"] {
        let (status, body) = send(&app, with_host(host, "/api/clusters")).await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
    }
    // A load balancer's health check names the target's address: health answers it, and
    // only health.
    let (status, body) = send(&app, with_host("10.0.3.17:8080", "/api/health")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = send(&app, with_host("10.0.3.17:8080", "/api/sources")).await;
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
    // A rebinding domain resolving to 127.0.0.1 still names itself.
    let cases = vec![
        (
            with_host("attacker.example.net:8080", "/api/clusters"),
            error(421, "host_not_allowed", None, "--allowed-hosts"),
        ),
        (
            with_host("attacker.example.net:8080", "/clusters/demo-ec2"),
            error(421, "host_not_allowed", None, "attacker.example.net"),
        ),
    ];
    assert_errors(&app, cases).await;
}

#[tokio::test]
async fn changes_sent_from_another_site_are_refused_and_plain_clients_are_not() {
    let app = app("cross-site").await;
    let change = |headers: &[(&'static str, &'static str)]| {
        let mut request = json_request(
            Method::POST,
            "/api/clusters/demo-small/tasks",
            r#"{"taskDefinition": "scheduler", "count": 1}"#,
        );
        for (name, value) in headers {
            request
                .headers_mut()
                .insert(*name, header::HeaderValue::from_static(value));
        }
        request
    };
    let cases = vec![
        (
            change(&[("origin", "https://attacker.example.net")]),
            error(403, "cross_origin", None, "https://attacker.example.net"),
        ),
        (
            change(&[("sec-fetch-site", "cross-site")]),
            error(403, "cross_origin", None, "cross-site"),
        ),
        (
            change(&[("origin", "null")]),
            error(403, "cross_origin", None, "null"),
        ),
    ];
    assert_errors(&app, cases).await;
    // The console's own pages, and clients that are not browsers, may change things.
    for headers in [
        &[
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin"),
        ][..],
        &[][..],
    ] {
        let (status, body) = send(&app, change(headers)).await;
        assert_eq!(status, StatusCode::OK, "{headers:?}: {body}");
    }
    // A no-cors `fetch` can only send a body as text, a form or nothing declared.
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let (status, body) = send(
            &app,
            request(
                Method::POST,
                "/api/clusters/demo-small/tasks",
                content_type,
                Body::from(r#"{"taskDefinition": "web"}"#),
            ),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}: {body}"
        );
        assert_eq!(body["code"], "unsupported_media_type");
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = app("headers").await;
    for uri in ["/api/health", "/api/nope", "/clusters"] {
        let response = app
            .clone()
            .oneshot(request(Method::GET, uri, None, Body::empty()))
            .await
            .unwrap();
        let headers = response.headers();
        let csp = headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{uri}: {csp}"
        );
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{uri}");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer", "{uri}");
    }
}

#[tokio::test]
async fn live_streams_need_a_cluster_and_a_free_slot() {
    let app = app("streams").await;
    let (status, body) = send(
        &app,
        request(
            Method::GET,
            "/api/clusters/nope/stream",
            None,
            Body::empty(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["message"], r#"cluster "nope" was not found"#);

    let open = || async {
        app.clone()
            .oneshot(request(
                Method::GET,
                "/api/clusters/demo-small/stream",
                None,
                Body::empty(),
            ))
            .await
            .unwrap()
    };
    let mut held = Vec::new();
    for _ in 0..MAX_STREAMS {
        let response = open().await;
        assert_eq!(response.status(), StatusCode::OK);
        held.push(response);
    }
    let refused = open().await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value =
        serde_json::from_slice(&refused.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["code"], "unavailable");
    assert_eq!(body["retryable"], true);
    held.pop();
    assert_eq!(
        open().await.status(),
        StatusCode::OK,
        "a closed stream frees its slot"
    );
}

#[tokio::test]
async fn a_read_only_server_refuses_every_change_and_says_so() {
    let app = app_with("read-only", true).await;
    let cases = vec![
        (
            json_request(
                Method::PUT,
                "/api/clusters/demo-small/services/scheduler",
                r#"{"desiredCount": 2}"#,
            ),
            error(403, "read_only", None, "--read-only"),
        ),
        (
            json_request(
                Method::POST,
                "/api/clusters/demo-small/tasks",
                r#"{"taskDefinition": "scheduler"}"#,
            ),
            error(
                403,
                "read_only",
                None,
                "POST /api/clusters/demo-small/tasks",
            ),
        ),
        (
            request(
                Method::DELETE,
                "/api/task-definitions/scheduler:1",
                None,
                Body::empty(),
            ),
            error(403, "read_only", None, "changes nothing"),
        ),
    ];
    assert_errors(&app, cases).await;
    // Reads and the "what if" tools still answer, and health says the server is read-only.
    let (status, health) = send(
        &app,
        request(Method::GET, "/api/health", None, Body::empty()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["readOnly"], true);
    let (status, body) = send(
        &app,
        json_request(
            Method::POST,
            "/api/validate/task-definition",
            r#"{"family": "x", "containerDefinitions": [{"name": "a", "image": "i", "memory": 128}]}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// SplitMix64: deterministic numbers for the body fuzzer below.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Bodies made of the API's own field names with values of every kind, sent to every endpoint
/// that takes one: the API answers each with a success or a JSON error, never a 500.
#[tokio::test]
async fn arbitrary_bodies_get_an_answer_never_a_server_error() {
    const BODIES: usize = 600;
    let app = app("fuzz").await;
    let endpoints = [
        (Method::POST, "/api/clusters/demo-small/services"),
        (Method::PUT, "/api/clusters/demo-small/services/scheduler"),
        (Method::POST, "/api/clusters/demo-small/tasks"),
        (Method::POST, "/api/task-definitions"),
        (Method::POST, "/api/simulate/placement"),
        (Method::POST, "/api/simulate/deployment"),
        (Method::POST, "/api/validate/task-definition"),
    ];
    let fields = [
        "serviceName",
        "taskDefinition",
        "family",
        "desiredCount",
        "count",
        "launchType",
        "schedulingStrategy",
        "capacityProviderStrategy",
        "placementStrategy",
        "placementConstraints",
        "deploymentConfiguration",
        "containerDefinitions",
        "cpu",
        "memory",
        "networkMode",
        "startedBy",
        "group",
        "forceNewDeployment",
        "instances",
        "task",
    ];
    let values = [
        json!(null),
        json!(0),
        json!(-1),
        json!(5001),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(1.5e300),
        json!(""),
        json!("scheduler"),
        json!("a b\u{0}c"),
        json!("FARGATE"),
        json!(true),
        json!([]),
        json!({}),
        json!([{"capacityProvider": "FARGATE", "weight": -3, "base": 9_999_999_999_i64}]),
        json!([{"type": "memberOf", "expression": "attribute:x =~ ((("}]),
        json!([{"type": "spread", "field": "attribute:ecs.availability-zone"}]),
        json!({"maximumPercent": 9_223_372_036_854_775_807_i64, "minimumHealthyPercent": -7}),
        json!([{"name": "a", "image": "i", "memory": -1, "portMappings": [{"containerPort": 70000}]}]),
        json!([{"containerInstanceArn": 1}]),
    ];
    let mut state = 0x0b57_5eed_u64;
    let (mut accepted, mut refused) = (0, 0);
    for sent in 0..BODIES {
        let (method, path) = &endpoints[splitmix(&mut state) as usize % endpoints.len()];
        let mut body = serde_json::Map::new();
        for _ in 0..splitmix(&mut state) % 6 {
            let field = fields[splitmix(&mut state) as usize % fields.len()];
            let value = values[splitmix(&mut state) as usize % values.len()].clone();
            body.insert(field.to_owned(), value);
        }
        let body = Value::Object(body).to_string();
        let (status, answer) = send(&app, json_request(method.clone(), path, &body)).await;
        assert!(
            !status.is_server_error(),
            "body {sent} to {method} {path} gave {status}: {body} → {answer}"
        );
        if status.is_success() {
            accepted += 1;
        } else {
            refused += 1;
            assert!(
                answer["code"].is_string() && answer["message"].is_string(),
                "a JSON error for {body} → {answer}"
            );
        }
    }
    assert!(
        accepted > 0 && refused > 0,
        "the bodies reach the handlers: {accepted} accepted, {refused} refused"
    );
}
