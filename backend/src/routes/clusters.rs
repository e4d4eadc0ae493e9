//! Clusters: `GET /api/clusters` (every cluster) and `GET /api/clusters/{name}` (a snapshot
//! of one cluster: instances, services and tasks).

use axum::{
    Json, Router,
    extract::{Path, State},
    routing::get,
};
use berth_shared::api::{ClusterList, ClusterSnapshot};

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
) -> Result<Json<ClusterSnapshot>, ApiError> {
    Ok(Json(state.ecs.cluster_snapshot(&name).await?))
}
