//! Clusters: `GET /api/clusters` and `GET /api/clusters/{name}`.

use axum::{
    Json, Router,
    extract::{Path, State},
    routing::get,
};
use berth_shared::api::{ClusterDetail, ClusterList};

use crate::{AppState, error::ApiError, now};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/clusters", get(list_clusters))
        .route("/clusters/{name}", get(describe_cluster))
}

async fn list_clusters(State(state): State<AppState>) -> Result<Json<ClusterList>, ApiError> {
    let clusters = state.ecs.list_clusters().await?;
    Ok(Json(ClusterList {
        clusters,
        fetched_at: now(),
    }))
}

async fn describe_cluster(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<ClusterDetail>, ApiError> {
    let cluster = state.ecs.describe_cluster(&name).await?;
    Ok(Json(ClusterDetail {
        cluster,
        fetched_at: now(),
    }))
}
