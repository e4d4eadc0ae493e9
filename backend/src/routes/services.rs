//! A cluster's services and tasks: `POST /api/clusters/{cluster}/services` (create), `PUT
//! /api/clusters/{cluster}/services/{service}` (update: desired count, task definition, forced
//! deployment, deployment configuration), `GET
//! /api/clusters/{cluster}/services/{service}/metrics?minutes=N` (CPU and memory utilization
//! over the last N minutes, default 180, at most a day), `POST /api/clusters/{cluster}/tasks`
//! (run tasks), `POST /api/clusters/{cluster}/tasks/{task}/stop`, and the Deploy flow:
//! `POST /api/clusters/{cluster}/services/{service}/preview` (what a change would do, changing
//! nothing) and `…/deploy` (apply it: register, then update; see [`crate::deploy`]); and
//! `POST /api/clusters/{cluster}/tasks/preview` (what a run would do) and `POST
//! /api/clusters/{cluster}/new-service/preview` (what creating a service would do; both in
//! [`crate::launch`]).
//!
//! Every change is checked with the model's request rules (`berth_shared::ops::requests`)
//! before either source sees it, so the sandbox and AWS refuse the same requests the same way.
//! Tasks run through Berth carry who ran them in `startedBy`, and stopped ones who stopped
//! them in their reason, so ECS itself shows it.

use axum::{
    Json, Router,
    extract::{Path, RawQuery},
    routing::{get, post, put},
};
use berth_shared::{
    api::{
        CreateService, Deployed, Mutation, RunTask, RunTaskResult, ServiceChange, ServiceUpdate,
        StopTask,
    },
    autoscaling::{DEFAULT_METRICS_MINUTES, MAX_METRICS_MINUTES, ServiceMetrics},
    ecs::{Service, Task},
    ops::{
        CreateServicePreview, RunTaskPreview, ServicePreview, check_create_service, check_run_task,
        check_service_update, stop_reason,
    },
};

use super::body::{JsonBody, Source};
use crate::{AppState, auth::Identity, deploy, error::ApiError, launch};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/clusters/{cluster}/services", post(create_service))
        .route(
            "/clusters/{cluster}/new-service/preview",
            post(preview_create),
        )
        .route(
            "/clusters/{cluster}/services/{service}",
            put(update_service),
        )
        .route(
            "/clusters/{cluster}/services/{service}/metrics",
            get(service_metrics),
        )
        .route(
            "/clusters/{cluster}/services/{service}/preview",
            post(preview_change),
        )
        .route(
            "/clusters/{cluster}/services/{service}/deploy",
            post(deploy_change),
        )
        .route("/clusters/{cluster}/tasks", post(run_task))
        .route("/clusters/{cluster}/tasks/preview", post(preview_run))
        .route("/clusters/{cluster}/tasks/{task}/stop", post(stop_task))
}

/// Creates a service the request and its preview allow, once per client token (see
/// [`crate::launch`]).
async fn create_service(
    source: Source,
    Path(cluster): Path<String>,
    JsonBody(request): JsonBody<CreateService>,
) -> Result<Json<Mutation<Service>>, ApiError> {
    check_create_service(&request)?;
    Ok(Json(launch::create(&source, &cluster, request).await?))
}

/// What creating a service would do, changing nothing.
async fn preview_create(
    source: Source,
    Path(cluster): Path<String>,
    JsonBody(request): JsonBody<CreateService>,
) -> Result<Json<CreateServicePreview>, ApiError> {
    Ok(Json(
        launch::preview_create(&source, &cluster, &request).await?,
    ))
}

async fn update_service(
    source: Source,
    Path((cluster, service)): Path<(String, String)>,
    JsonBody(update): JsonBody<ServiceUpdate>,
) -> Result<Json<Mutation<Service>>, ApiError> {
    check_service_update(&update)?;
    Ok(Json(
        source
            .ecs
            .update_service(&cluster, &service, update)
            .await?,
    ))
}

async fn preview_change(
    source: Source,
    Path((cluster, service)): Path<(String, String)>,
    JsonBody(change): JsonBody<ServiceChange>,
) -> Result<Json<ServicePreview>, ApiError> {
    Ok(Json(
        deploy::preview(&source, &cluster, &service, &change).await?,
    ))
}

async fn deploy_change(
    source: Source,
    Path((cluster, service)): Path<(String, String)>,
    JsonBody(change): JsonBody<ServiceChange>,
) -> Result<Json<Deployed>, ApiError> {
    Ok(Json(
        deploy::apply(&source, &cluster, &service, change).await?,
    ))
}

async fn service_metrics(
    source: Source,
    Path((cluster, service)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Json<ServiceMetrics>, ApiError> {
    let minutes = metrics_minutes(query.as_deref())?;
    Ok(Json(
        source
            .ecs
            .service_metrics(&cluster, &service, minutes, crate::now())
            .await?,
    ))
}

/// The `minutes` query parameter: a whole number from 1 to a day.
fn metrics_minutes(query: Option<&str>) -> Result<i64, ApiError> {
    let value = query
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("minutes="));
    let Some(value) = value else {
        return Ok(DEFAULT_METRICS_MINUTES);
    };
    value
        .parse::<i64>()
        .ok()
        .filter(|m| (1..=MAX_METRICS_MINUTES).contains(m))
        .ok_or_else(|| {
            ApiError::invalid_input(
                "minutes",
                format!(
                    "minutes must be a whole number from 1 to {MAX_METRICS_MINUTES}, not {value:?}"
                ),
            )
        })
}

/// Runs tasks tagged with who ran them (`startedBy`, whatever the body said), once per client
/// token (see [`crate::launch`]).
async fn run_task(
    source: Source,
    identity: Identity,
    Path(cluster): Path<String>,
    JsonBody(request): JsonBody<RunTask>,
) -> Result<Json<Mutation<RunTaskResult>>, ApiError> {
    check_run_task(&request)?;
    Ok(Json(
        launch::run(&source, &cluster, &identity.name, request).await?,
    ))
}

/// What running tasks would do, changing nothing.
async fn preview_run(
    source: Source,
    Path(cluster): Path<String>,
    JsonBody(request): JsonBody<RunTask>,
) -> Result<Json<RunTaskPreview>, ApiError> {
    Ok(Json(
        launch::preview_run(&source, &cluster, &request).await?,
    ))
}

/// Stops a task with a reason naming who stopped it.
async fn stop_task(
    source: Source,
    identity: Identity,
    Path((cluster, task)): Path<(String, String)>,
    JsonBody(mut request): JsonBody<StopTask>,
) -> Result<Json<Mutation<Task>>, ApiError> {
    request.reason = Some(stop_reason(request.reason.as_deref(), &identity.name));
    Ok(Json(source.ecs.stop_task(&cluster, &task, request).await?))
}
