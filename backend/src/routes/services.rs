//! Changes to a cluster's services and tasks: `POST /api/clusters/{cluster}/services`
//! (create), `PUT /api/clusters/{cluster}/services/{service}` (update: desired count, task
//! definition, forced deployment, deployment configuration), `POST
//! /api/clusters/{cluster}/tasks` (run tasks), `POST /api/clusters/{cluster}/tasks/{task}/stop`.

use axum::{
    Json, Router,
    extract::{Path, State},
    routing::{post, put},
};
use berth_shared::{
    api::{CreateService, Mutation, RunTask, RunTaskResult, ServiceUpdate, StopTask},
    ecs::{Service, Task},
};

use super::body::JsonBody;
use crate::{AppState, error::ApiError};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/clusters/{cluster}/services", post(create_service))
        .route(
            "/clusters/{cluster}/services/{service}",
            put(update_service),
        )
        .route("/clusters/{cluster}/tasks", post(run_task))
        .route("/clusters/{cluster}/tasks/{task}/stop", post(stop_task))
}

async fn create_service(
    State(state): State<AppState>,
    Path(cluster): Path<String>,
    JsonBody(request): JsonBody<CreateService>,
) -> Result<Json<Mutation<Service>>, ApiError> {
    Ok(Json(state.ecs.create_service(&cluster, request).await?))
}

async fn update_service(
    State(state): State<AppState>,
    Path((cluster, service)): Path<(String, String)>,
    JsonBody(update): JsonBody<ServiceUpdate>,
) -> Result<Json<Mutation<Service>>, ApiError> {
    Ok(Json(
        state.ecs.update_service(&cluster, &service, update).await?,
    ))
}

async fn run_task(
    State(state): State<AppState>,
    Path(cluster): Path<String>,
    JsonBody(request): JsonBody<RunTask>,
) -> Result<Json<Mutation<RunTaskResult>>, ApiError> {
    Ok(Json(state.ecs.run_task(&cluster, request).await?))
}

async fn stop_task(
    State(state): State<AppState>,
    Path((cluster, task)): Path<(String, String)>,
    JsonBody(request): JsonBody<StopTask>,
) -> Result<Json<Mutation<Task>>, ApiError> {
    Ok(Json(state.ecs.stop_task(&cluster, &task, request).await?))
}
