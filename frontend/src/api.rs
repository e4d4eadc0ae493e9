//! Calls to the `berth` JSON API.
//!
//! Every call carries the page's `?source=` ([`crate::source`]), so it reads the account and
//! region the page shows. Every call returns `Result<T, ClientError>`: a network failure, an API error (decoded from
//! the shared `ErrorBody`, so pages can show the server's sentence and branch on its code), or
//! a response that could not be decoded. Nothing is swallowed.

use berth_shared::{
    access::{AuditLog, CSRF_HEADER, Session, SignIn},
    api::{ClusterList, ClusterSnapshot, ErrorBody, ErrorCode, Health},
};
use gloo_net::http::Request;
use serde::de::DeserializeOwned;

/// Why a call to the backend failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The request did not reach the server (server stopped, network down).
    #[error("could not reach the Berth server ({0})")]
    Network(String),
    /// The server answered with an error body.
    #[error("{}", .body.message)]
    Api {
        /// HTTP status.
        status: u16,
        /// The decoded error body.
        body: ErrorBody,
    },
    /// The server's answer was not what this console expects.
    #[error("the server sent a response this console cannot read ({0})")]
    Decode(String),
}

impl ClientError {
    /// Whether trying again may help.
    pub fn retryable(&self) -> bool {
        match self {
            Self::Network(_) => true,
            Self::Api { body, .. } => body.retryable,
            Self::Decode(_) => false,
        }
    }

    /// A short title for an error panel.
    pub fn title(&self) -> &'static str {
        match self {
            Self::Network(_) => "Berth server unreachable",
            Self::Api { body, .. } => match body.code {
                ErrorCode::NotFound => "Not found",
                ErrorCode::AccessDenied => "Access denied",
                ErrorCode::Throttled => "AWS is throttling requests",
                ErrorCode::Unavailable => "AWS is unreachable",
                ErrorCode::CredentialsExpired => "AWS credentials expired",
                ErrorCode::InvalidInput => "Invalid request",
                ErrorCode::Conflict => "Conflict",
                ErrorCode::MethodNotAllowed => "Not allowed on this path",
                ErrorCode::PayloadTooLarge => "Request too large",
                ErrorCode::UnsupportedMediaType => "Request not in JSON",
                ErrorCode::HostNotAllowed => "Unknown host name",
                ErrorCode::CrossOrigin => "Refused: sent from another site",
                ErrorCode::ReadOnly => "This Berth is read-only",
                ErrorCode::Unauthenticated => "Sign-in needed",
                ErrorCode::Forbidden => "Not allowed for your role",
                ErrorCode::Internal => "Something went wrong",
            },
            Self::Decode(_) => "Unexpected response",
        }
    }
}

async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ClientError> {
    answer(Request::get(&crate::source::link(path)).send().await).await
}

/// An answer the server built from its last read because AWS could not be read again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleRead {
    /// When that read was made.
    pub read_at: berth_shared::time::Timestamp,
    /// Why reading again failed.
    pub reason: String,
}

thread_local! {
    /// The last answer's staleness: set by a stale answer, cleared by a fresh one.
    static STALE_READ: leptos::prelude::ArcRwSignal<Option<StaleRead>> =
        leptos::prelude::ArcRwSignal::new(None);
}

/// Whether the latest answer was stale, and since when (reactive).
pub fn stale_read() -> leptos::prelude::ArcRwSignal<Option<StaleRead>> {
    STALE_READ.with(Clone::clone)
}

/// Notes whether a successful answer was built from a stale read (its `X-Berth-Stale`
/// headers).
fn note_staleness(response: &gloo_net::http::Response) {
    use leptos::prelude::{Set, WithUntracked};
    let headers = response.headers();
    let stale = headers
        .get("x-berth-stale")
        .and_then(|at| at.parse::<i64>().ok())
        .map(|at| StaleRead {
            read_at: berth_shared::time::Timestamp(at),
            reason: headers.get("x-berth-stale-reason").unwrap_or_default(),
        });
    let signal = stale_read();
    if signal.with_untracked(|current| *current != stale) {
        signal.set(stale);
    }
}

/// Decodes what the server answered: `T`, or the error body of a failure.
async fn answer<T: DeserializeOwned>(
    sent: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<T, ClientError> {
    let response = sent.map_err(|e| ClientError::Network(e.to_string()))?;
    if response.ok() {
        note_staleness(&response);
        return response
            .json::<T>()
            .await
            .map_err(|e| ClientError::Decode(e.to_string()));
    }
    let status = response.status();
    let body = response
        .json::<ErrorBody>()
        .await
        .unwrap_or_else(|_| ErrorBody {
            code: ErrorCode::Internal,
            message: format!("the server answered HTTP {status} without an error description"),
            retryable: status >= 500,
            field: None,
            problems: Vec::new(),
        });
    Err(ClientError::Api { status, body })
}

/// Percent-encodes one path segment (cluster names are `[A-Za-z0-9_-]`, ARNs contain `:` and `/`).
fn segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `GET /api/health`.
pub async fn health() -> Result<Health, ClientError> {
    get_json("/api/health").await
}

/// `GET /api/sources`: what the source switch offers.
pub async fn sources() -> Result<berth_shared::sources::SourceList, ClientError> {
    get_json("/api/sources").await
}

/// `GET /api/clusters`.
pub async fn clusters() -> Result<ClusterList, ClientError> {
    get_json("/api/clusters").await
}

/// `GET /api/metrics/clusters`.
pub async fn cluster_reservations() -> Result<berth_shared::api::ClusterReservations, ClientError> {
    get_json("/api/metrics/clusters").await
}

/// `GET /api/clusters/{name}`.
pub async fn cluster(name: &str) -> Result<ClusterSnapshot, ClientError> {
    get_json(&format!("/api/clusters/{}", segment(name))).await
}

/// `GET /api/clusters/{cluster}/services/{service}/metrics?minutes={minutes}`.
pub async fn service_metrics(
    cluster: &str,
    service: &str,
    minutes: i64,
) -> Result<berth_shared::autoscaling::ServiceMetrics, ClientError> {
    get_json(&format!(
        "/api/clusters/{}/services/{}/metrics?minutes={minutes}",
        segment(cluster),
        segment(service)
    ))
    .await
}

/// `GET /api/clusters/{cluster}/tasks/{task}/logs`: `container`'s lines (the server's choice
/// without one), those matching `filter`, after `token` when following.
pub async fn task_logs(
    cluster: &str,
    task: &str,
    container: Option<&str>,
    filter: &str,
    token: Option<&str>,
) -> Result<berth_shared::logs::TaskLogs, ClientError> {
    use crate::source::encode_query_value as value;
    let mut query = String::from("limit=500");
    if let Some(container) = container {
        query.push_str(&format!("&container={}", value(container)));
    }
    if !filter.trim().is_empty() {
        query.push_str(&format!("&filter={}", value(filter.trim())));
    }
    if let Some(token) = token {
        query.push_str(&format!("&token={}", value(token)));
    }
    get_json(&format!(
        "/api/clusters/{}/tasks/{}/logs?{query}",
        segment(cluster),
        segment(task)
    ))
    .await
}

/// `GET /api/repositories`.
pub async fn repositories() -> Result<berth_shared::api::RepositoryList, ClientError> {
    get_json("/api/repositories").await
}

/// `GET /api/repositories/{name}`; the slashes of the name are percent-encoded, so the path
/// names the repository whatever its segments are.
pub async fn repository(name: &str) -> Result<berth_shared::api::RepositoryDetail, ClientError> {
    get_json(&format!("/api/repositories/{}", segment(name))).await
}

thread_local! {
    /// The signed-in session's CSRF token, sent with every change (see [`send_json`]).
    static CSRF_TOKEN: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Remembers the session's CSRF token (or forgets it on sign-out).
fn remember_csrf(session: Option<&Session>) {
    let token = session.and_then(|s| s.csrf_token.clone());
    CSRF_TOKEN.with(|cell| *cell.borrow_mut() = token);
}

/// `method path` with the session's CSRF token when there is one: every change goes through
/// here, so none is sent without it.
fn change(
    method: fn(&str) -> gloo_net::http::RequestBuilder,
    path: &str,
) -> gloo_net::http::RequestBuilder {
    let request = method(&crate::source::link(path));
    match CSRF_TOKEN.with(|cell| cell.borrow().clone()) {
        Some(token) => request.header(CSRF_HEADER, &token),
        None => request,
    }
}

/// Sends `body` as JSON to `path` with `method` (`Request::put`, `Request::post`) and decodes
/// the answer like [`get_json`].
async fn send_json<B: serde::Serialize, T: DeserializeOwned>(
    method: fn(&str) -> gloo_net::http::RequestBuilder,
    path: &str,
    body: &B,
) -> Result<T, ClientError> {
    let request = change(method, path)
        .json(body)
        .map_err(|e| ClientError::Decode(e.to_string()))?;
    answer(request.send().await).await
}

/// `GET /api/session`: who this console is signed in as (a 401 `unauthenticated` when it is
/// not and the server requires sign-in).
pub async fn session() -> Result<Session, ClientError> {
    let session = get_json::<Session>("/api/session").await;
    remember_csrf(session.as_ref().ok());
    session
}

/// `POST /api/session`: exchanges an API token for a session cookie.
pub async fn sign_in(token: &str) -> Result<Session, ClientError> {
    let body = SignIn {
        token: token.to_owned(),
    };
    let session = send_json::<_, Session>(Request::post, "/api/session", &body).await;
    remember_csrf(session.as_ref().ok());
    session
}

/// `DELETE /api/session`: ends the session.
pub async fn sign_out() -> Result<(), ClientError> {
    let response = change(Request::delete, "/api/session")
        .send()
        .await
        .map_err(|e| ClientError::Network(e.to_string()))?;
    remember_csrf(None);
    if response.ok() {
        Ok(())
    } else {
        answer::<()>(Ok(response)).await
    }
}

/// `GET /api/audit?…`: the audit log's records matching `query` (already encoded), newest
/// first.
pub async fn audit(query: &str) -> Result<AuditLog, ClientError> {
    get_json(&format!("/api/audit?{query}")).await
}

/// The URL of `GET /api/clusters/{name}/stream` (server-sent events).
pub fn cluster_stream_url(name: &str) -> String {
    crate::source::link(&format!("/api/clusters/{}/stream", segment(name)))
}

/// `PUT /api/clusters/{cluster}/services/{service}`: desired count, forced deployment or task
/// definition.
pub async fn update_service(
    cluster: &str,
    service: &str,
    change: &berth_shared::api::ServiceUpdate,
) -> Result<berth_shared::api::Mutation<berth_shared::ecs::Service>, ClientError> {
    let path = format!(
        "/api/clusters/{}/services/{}",
        segment(cluster),
        segment(service)
    );
    send_json(Request::put, &path, change).await
}

/// `POST /api/clusters/{cluster}/services/{service}/deploy`: registers the change's revision
/// when it has one, then updates the service.
pub async fn deploy(
    cluster: &str,
    service: &str,
    change: &berth_shared::api::ServiceChange,
) -> Result<berth_shared::api::Deployed, ClientError> {
    let path = format!(
        "/api/clusters/{}/services/{}/deploy",
        segment(cluster),
        segment(service)
    );
    send_json(Request::post, &path, change).await
}

/// `POST /api/clusters/{cluster}/services`: creates a service.
pub async fn create_service(
    cluster: &str,
    request: &berth_shared::api::CreateService,
) -> Result<berth_shared::api::Mutation<berth_shared::ecs::Service>, ClientError> {
    let path = format!("/api/clusters/{}/services", segment(cluster));
    send_json(Request::post, &path, request).await
}

/// `POST /api/clusters/{cluster}/tasks`: starts standalone tasks.
pub async fn run_task(
    cluster: &str,
    request: &berth_shared::api::RunTask,
) -> Result<berth_shared::api::Mutation<berth_shared::api::RunTaskResult>, ClientError> {
    let path = format!("/api/clusters/{}/tasks", segment(cluster));
    send_json(Request::post, &path, request).await
}

/// `POST /api/clusters/{cluster}/tasks/{task}/stop`.
pub async fn stop_task(
    cluster: &str,
    task: &str,
    reason: &str,
) -> Result<berth_shared::api::Mutation<berth_shared::ecs::Task>, ClientError> {
    let body = berth_shared::api::StopTask {
        reason: (!reason.trim().is_empty()).then(|| reason.trim().to_owned()),
    };
    let path = format!(
        "/api/clusters/{}/tasks/{}/stop",
        segment(cluster),
        segment(task)
    );
    send_json(Request::post, &path, &body).await
}

/// `GET /api/task-definitions`: every family with its revisions, newest first.
pub async fn task_definition_families()
-> Result<berth_shared::api::TaskDefinitionFamilies, ClientError> {
    get_json("/api/task-definitions").await
}

/// `GET /api/task-definitions/{id}`; `id` is a family (its latest active revision),
/// `family:revision` or an ARN, percent-encoded here.
pub async fn task_definition(id: &str) -> Result<berth_shared::ecs::TaskDefinition, ClientError> {
    get_json(&format!("/api/task-definitions/{}", segment(id))).await
}

/// `POST /api/validate/task-definition`: errors and warnings of a task definition.
pub async fn validate_task_definition(
    definition: &berth_shared::ecs::TaskDefinition,
) -> Result<berth_shared::ops::ValidationReport, ClientError> {
    send_json(Request::post, "/api/validate/task-definition", definition).await
}
