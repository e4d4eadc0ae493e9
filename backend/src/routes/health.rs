//! `GET /api/health`: liveness, version and the source a request chooses (`?source=`);
//! `GET /api/sources`: the sources this server offers, for the console's source switch.

use axum::{Json, Router, extract::State, routing::get};
use berth_shared::{api::Health, sources::SourceList};

use super::body::Source;
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/sources", get(sources))
}

async fn sources(State(state): State<AppState>) -> Json<SourceList> {
    Json(state.accounts.list())
}

async fn health(State(state): State<AppState>, source: Source) -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        source: source.ecs.info(),
        read_only: state.read_only,
    })
}
