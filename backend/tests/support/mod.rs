//! What the in-process tests share: the app over a fresh sandbox, and requests to it.

#![allow(dead_code)] // each test file uses its own part of this module

use std::{path::PathBuf, sync::Arc, time::Duration};

use axum::{
    Router,
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use berth_backend::{
    AppState,
    accounts::{Accounts, SourceSettings},
    audit::AuditLog,
    auth::Access,
    aws::AwsSettings,
    defences::AllowedHosts,
    limits::RequestLimits,
    live::Streams,
    sandbox::{DemoFleet, Pace},
};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// Live streams the test app serves at once.
pub const MAX_STREAMS: usize = 2;

/// A fresh directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("berth-router-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The app over a new sandbox, also offering `eu-west-1` (never reached: its endpoint is a
/// closed port), with no built console and no sign-in.
pub async fn app(name: &str) -> Router {
    app_with(name, false).await
}

/// [`app`], refusing every change when `read_only`.
pub async fn app_with(name: &str, read_only: bool) -> Router {
    app_with_access(
        &scratch(name),
        read_only,
        Access::open(read_only),
        AuditLog::server_log_only(),
    )
    .await
}

/// The app over a new sandbox in `dir`, with the given sign-in and audit log.
pub async fn app_with_access(
    dir: &std::path::Path,
    read_only: bool,
    access: Access,
    audit: AuditLog,
) -> Router {
    let accounts = Accounts::start(SourceSettings {
        aws_default: false,
        sandbox_path: dir.join("state.json"),
        sandbox_pace: Pace::faster(50),
        sandbox_fleet: DemoFleet::Standard,
        aws: AwsSettings {
            region: None,
            profile: None,
            endpoint_url: Some("http://127.0.0.1:9".to_owned()),
            operation_timeout: Duration::from_secs(2),
        },
        regions: vec!["eu-west-1".to_owned()],
        cache_ttl: Duration::ZERO,
        poll_interval: Duration::from_secs(5),
        clusters: Vec::new(),
    })
    .await
    .expect("the sandbox opens");
    berth_backend::app(
        AppState {
            accounts: Arc::new(accounts),
            allowed_hosts: AllowedHosts::new(&["berth.example.com".to_owned()]),
            streams: Streams::new(MAX_STREAMS).0,
            read_only,
            access,
            audit,
            limits: RequestLimits::new(Duration::from_secs(30), 64),
        },
        Some(&dir.join("dist")),
    )
}

/// A request to `127.0.0.1:8080` with an optional body and content type.
pub fn request(method: Method, uri: &str, content_type: Option<&str>, body: Body) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1:8080");
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    request.body(body).unwrap()
}

/// A request with a JSON body.
pub fn json_request(method: Method, uri: &str, body: &str) -> Request<Body> {
    request(
        method,
        uri,
        Some("application/json"),
        Body::from(body.to_owned()),
    )
}

/// Sends `request` and reads the answer, which must be JSON.
pub async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let what = format!("{} {}", request.method(), request.uri());
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(
        content_type.as_ref().and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "{what} answered {status} with {:?}",
        String::from_utf8_lossy(&bytes)
    );
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
    (status, body)
}

/// `GET path`, answered as `(status, JSON)`.
pub async fn get(app: &Router, path: &str) -> (u16, Value) {
    let (status, body) = send(app, request(Method::GET, path, None, Body::empty())).await;
    (status.as_u16(), body)
}

/// The service's running definition with `image` in its first container, as a change.
pub async fn new_image(app: &Router, tag: &str, token: Option<&str>) -> Value {
    let (_, definition) = get(app, "/api/task-definitions/web-frontend").await;
    let mut register = definition.clone();
    let image = register["containerDefinitions"][0]["image"]
        .as_str()
        .unwrap()
        .rsplit_once(':')
        .unwrap()
        .0
        .to_owned();
    register["containerDefinitions"][0]["image"] = serde_json::json!(format!("{image}:{tag}"));
    let mut change = serde_json::json!({
        "register": register,
        "expectedTaskDefinition": definition["taskDefinitionArn"],
    });
    if let Some(token) = token {
        change["clientToken"] = serde_json::json!(token);
    }
    change
}
