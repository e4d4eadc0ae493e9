//! The JSON API under `/api/`, one module per resource.
//!
//! Architecture invariant: every response under `/api/` is JSON, errors included. Unknown
//! paths are a JSON 404 (never the console's `index.html`); a body over [`MAX_BODY_BYTES`] is
//! a JSON 413 and one not declared as JSON a JSON 415 (`body`); and whatever error axum
//! answers on its own (a 405 for a method a path does not answer, or an extractor's
//! rejection) is rewritten as the JSON error of its status by `errors_as_json`. Panics are
//! answered by the app's catch-panic layer ([`crate::error::catch_panics`]).

mod audit;
mod body;
mod clusters;
mod health;
mod logs;
mod repositories;
mod services;
mod session;
mod simulate;
mod task_definitions;

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request},
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};

pub use body::MAX_BODY_BYTES;

use crate::{AppState, auth, error::ApiError};

/// The most of a non-JSON error body that is kept as the JSON error's message.
const MAX_ERROR_TEXT_BYTES: usize = 4096;

/// The API router, to be nested at `/api`.
///
/// Every request is first identified ([`auth::authenticate`]: a 401 without a sign-in), then
/// refused if it would change something on a `--read-only` server, then routed; on the matched
/// route, changes are recorded in the audit log ([`crate::audit::record`], refusals included)
/// and the role is checked ([`auth::authorize`]) before the handler runs.
pub fn api(state: AppState) -> Router {
    let read_only = state.read_only;
    let access = state.access.clone();
    Router::new()
        .merge(health::routes())
        .merge(session::routes())
        .merge(audit::routes())
        .merge(clusters::routes())
        .merge(repositories::routes())
        .merge(simulate::routes())
        .merge(task_definitions::routes())
        .merge(services::routes())
        .merge(logs::routes())
        .route_layer(middleware::from_fn(auth::authorize))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::audit::record,
        ))
        .route_layer(middleware::from_fn(crate::metrics::label_route))
        .fallback(unknown_endpoint)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(read_only, refuse_changes))
        .layer(middleware::from_fn(crate::stale::mark))
        .layer(middleware::from_fn_with_state(access, auth::authenticate))
        .layer(middleware::from_fn(errors_as_json))
        .with_state(state)
}

/// With `--read-only`, refuses every request that would change the account, before it reaches
/// a handler. Reads and the "what if" tools (`/simulate`, `/validate`, `/estimate`) change
/// nothing and stay available; so does signing in and out.
async fn refuse_changes(
    axum::extract::State(read_only): axum::extract::State<bool>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method();
    let path = format!("/api{}", request.uri().path());
    let changes = !auth::policy::changes_nothing(method, &path)
        && auth::policy::requirement(method, &path) != auth::policy::Requirement::Public;
    if read_only && changes {
        return ApiError::read_only(method.as_str(), &path).into_response();
    }
    next.run(request).await
}

async fn unknown_endpoint(request: Request) -> ApiError {
    ApiError::no_such_endpoint(
        request.method().as_str(),
        &format!("/api{}", request.uri().path()),
    )
}

/// Rewrites an error answered without a JSON body as the JSON error of its status, keeping
/// its headers (a 405's `Allow` is added around this layer) and, but for a 405, its text as
/// the message. JSON answers and successes pass as they are.
async fn errors_as_json(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = format!("/api{}", request.uri().path());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let error = if status == StatusCode::METHOD_NOT_ALLOWED {
        ApiError::method_not_allowed(method.as_str(), &path)
    } else {
        let text = axum::body::to_bytes(body, MAX_ERROR_TEXT_BYTES)
            .await
            .unwrap_or_default();
        ApiError::from_status(status, String::from_utf8_lossy(&text).trim())
    };
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut answer = error.into_response();
    for (name, value) in &parts.headers {
        answer.headers_mut().entry(name).or_insert(value.clone());
    }
    answer
}

fn is_json(response: &Response) -> bool {
    response.headers().get(header::CONTENT_TYPE)
        == Some(&HeaderValue::from_static("application/json"))
}
