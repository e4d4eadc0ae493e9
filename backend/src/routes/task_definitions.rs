//! Task definitions: `GET /api/task-definitions` (families and revisions),
//! `GET /api/task-definitions/{id}` (one revision: ARN, `family:revision` or family),
//! `POST /api/task-definitions` (register a revision, validated first by the shared
//! validator), `DELETE /api/task-definitions/{id}` (deregister a revision).

use axum::{Json, Router, extract::Path, routing::get};
use berth_shared::{
    api::{Mutation, TaskDefinitionFamilies},
    ecs::TaskDefinition,
    input::from_value,
    ops::{Severity, validate_task_definition},
};
use serde_json::Value;

use super::body::{JsonBody, Source};
use crate::{AppState, error::ApiError, now};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/task-definitions", get(families).post(register))
        .route("/task-definitions/{*id}", get(describe).delete(deregister))
}

async fn families(source: Source) -> Result<Json<TaskDefinitionFamilies>, ApiError> {
    Ok(Json(TaskDefinitionFamilies {
        families: source.ecs.task_definition_families().await?,
        fetched_at: now(),
    }))
}

async fn describe(
    source: Source,
    Path(id): Path<String>,
) -> Result<Json<TaskDefinition>, ApiError> {
    Ok(Json(source.ecs.describe_task_definition(&id).await?))
}

async fn register(
    source: Source,
    JsonBody(document): JsonBody<Value>,
) -> Result<Json<Mutation<TaskDefinition>>, ApiError> {
    let report = validate_task_definition(&document);
    let errors: Vec<_> = report
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.path.clone(), p.message.clone()))
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let definition: TaskDefinition = from_value(document)?;
    Ok(Json(source.ecs.register_task_definition(definition).await?))
}

async fn deregister(
    source: Source,
    Path(id): Path<String>,
) -> Result<Json<Mutation<TaskDefinition>>, ApiError> {
    Ok(Json(source.ecs.deregister_task_definition(&id).await?))
}
