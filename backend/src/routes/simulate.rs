//! `POST /api/simulate/…`, `/api/validate/…`, `/api/estimate/…`: the "what if" tools over
//! HTTP.
//!
//! The body is the tool's JSON input; the answer is its JSON output, or a 400 whose body
//! names the offending field.

use axum::{Json, Router, body::Bytes, extract::Path, routing::post};
use serde_json::Value;

use crate::{AppState, error::ApiError, simulate::Tool};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/simulate/{tool}", post(simulate))
        .route("/validate/{tool}", post(validate))
        .route("/estimate/{tool}", post(estimate))
}

async fn simulate(Path(tool): Path<String>, body: Bytes) -> Result<Json<Value>, ApiError> {
    run(&format!("simulate/{tool}"), &body)
}

async fn validate(Path(tool): Path<String>, body: Bytes) -> Result<Json<Value>, ApiError> {
    run(&format!("validate/{tool}"), &body)
}

async fn estimate(Path(tool): Path<String>, body: Bytes) -> Result<Json<Value>, ApiError> {
    run(&format!("estimate/{tool}"), &body)
}

fn run(path: &str, body: &[u8]) -> Result<Json<Value>, ApiError> {
    let tool = Tool::from_path(path)
        .ok_or_else(|| ApiError::no_such_endpoint("POST", &format!("/api/{path}")))?;
    let document = std::str::from_utf8(body)
        .map_err(|_| ApiError::invalid_input(".", "the body is not UTF-8 text"))?;
    Ok(Json(tool.run(document)?.json))
}
