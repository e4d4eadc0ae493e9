//! `GET /api/health`: liveness, version and the active source.

use axum::{Json, Router, extract::State, routing::get};
use berth_shared::api::Health;

use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        source: state.ecs.info(),
    })
}
