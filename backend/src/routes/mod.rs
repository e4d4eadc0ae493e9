//! The JSON API under `/api/`, one module per resource.
//!
//! Architecture invariant: every response under `/api/` is JSON, including errors and unknown
//! paths (a JSON 404, never the console's `index.html`).

mod body;
mod clusters;
mod health;
mod repositories;
mod services;
mod simulate;
mod task_definitions;

use axum::{Router, extract::Request};

use crate::{AppState, error::ApiError};

/// The API router, to be nested at `/api`.
pub fn api(state: AppState) -> Router {
    Router::new()
        .merge(health::routes())
        .merge(clusters::routes())
        .merge(repositories::routes())
        .merge(simulate::routes())
        .merge(task_definitions::routes())
        .merge(services::routes())
        .fallback(unknown_endpoint)
        .with_state(state)
}

async fn unknown_endpoint(request: Request) -> ApiError {
    ApiError::no_such_endpoint(
        request.method().as_str(),
        &format!("/api{}", request.uri().path()),
    )
}
