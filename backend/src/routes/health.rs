//! `GET /api/health`: liveness and version for anyone (load balancers' health checks), and
//! for a signed-in request the source it chooses (`?source=`); `GET /api/sources`: the
//! sources this server offers, for the console's source switch.

use axum::{
    Extension, Json, Router,
    extract::{FromRequestParts, State},
    http::request::Parts,
    routing::get,
};
use berth_shared::{api::Health, sources::SourceList};

use super::body::Source;
use crate::{AppState, auth::Identity, error::ApiError};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/sources", get(sources))
}

async fn sources(State(state): State<AppState>) -> Json<SourceList> {
    Json(state.accounts.list())
}

async fn health(
    State(state): State<AppState>,
    identity: Option<Extension<Identity>>,
    mut parts: Parts,
) -> Result<Json<Health>, ApiError> {
    let source = match identity {
        Some(_) => Some(
            Source::from_request_parts(&mut parts, &state)
                .await?
                .ecs
                .info(),
        ),
        None => None,
    };
    Ok(Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        source,
        read_only: state.read_only,
    }))
}
