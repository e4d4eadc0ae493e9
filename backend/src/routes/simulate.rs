//! `POST /api/simulate/…`, `/api/validate/…`, `/api/estimate/…`: the "what if" tools over
//! HTTP.
//!
//! The body is the tool's JSON input; the answer is its JSON output, or a 400 whose body
//! names the offending field. A tool is CPU-bound (a placement may place 10,000 tasks), so it
//! runs off the async workers ([`crate::blocking`]); a panic inside is still a JSON 500.

use axum::{Json, Router, extract::Path, routing::post};
use serde_json::Value;

use super::body::JsonText;
use crate::{AppState, blocking::off_workers, error::ApiError, simulate::Tool};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/simulate/{tool}", post(simulate))
        .route("/validate/{tool}", post(validate))
        .route("/estimate/{tool}", post(estimate))
}

async fn simulate(Path(tool): Path<String>, body: JsonText) -> Result<Json<Value>, ApiError> {
    run(&format!("simulate/{tool}"), body).await
}

async fn validate(Path(tool): Path<String>, body: JsonText) -> Result<Json<Value>, ApiError> {
    run(&format!("validate/{tool}"), body).await
}

async fn estimate(Path(tool): Path<String>, body: JsonText) -> Result<Json<Value>, ApiError> {
    run(&format!("estimate/{tool}"), body).await
}

async fn run(path: &str, JsonText(document): JsonText) -> Result<Json<Value>, ApiError> {
    let tool = Tool::from_path(path)
        .ok_or_else(|| ApiError::no_such_endpoint("POST", &format!("/api/{path}")))?;
    let outcome = off_workers(move || tool.run(&document)).await??;
    Ok(Json(outcome.json))
}
