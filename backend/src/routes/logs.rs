//! A task's container logs: `GET /api/clusters/{cluster}/tasks/{task}/logs` with
//! `container` (default: the first essential one that logs with `awslogs`), `filter` (words a
//! line must all contain, ignoring case, searched in the stream's latest
//! [`SEARCH_WINDOW`] lines), `token` (the `nextToken` of an earlier answer: only the lines
//! written since) and `limit` (1 to [`MAX_LINES`], default [`DEFAULT_LINES`]).
//!
//! Where the lines are is the shared rule ([`berth_shared::ops::logs::log_location`]); the
//! source reads them (CloudWatch Logs, or the sandbox's own streams). A container whose lines
//! cannot be read, or whose stream does not exist yet, is answered with the reason in words
//! and the task's stopped reason, never as an error: that is what the log view shows.

use std::collections::HashMap;

use axum::{
    Json, Router,
    extract::{Path, Query},
    routing::get,
};
use berth_shared::{
    ecs::short_id,
    logs::{LogPage, TaskLogs},
    ops::logs::{DEFAULT_LINES, MAX_LINES, SEARCH_WINDOW, default_container, log_location, search},
};

use super::body::Source;
use crate::{
    AppState,
    error::{ApiError, SourceError},
};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/clusters/{cluster}/tasks/{task}/logs", get(task_logs))
}

async fn task_logs(
    source: Source,
    Path((cluster, task)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<TaskLogs>, ApiError> {
    let limit = lines_limit(query.get("limit").map(String::as_str))?;
    let snapshot = source.ecs.cluster_snapshot(&cluster).await?;
    let found = snapshot
        .tasks
        .iter()
        .find(|t| t.task_arn == task || short_id(&t.task_arn) == task)
        .ok_or_else(|| SourceError::NotFound {
            kind: "task",
            name: task.clone(),
        })?;
    let definition = source
        .ecs
        .describe_task_definition(&found.task_definition_arn)
        .await?;
    let containers: Vec<String> = definition
        .container_definitions
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let container = match query.get("container").filter(|c| !c.is_empty()) {
        Some(asked) if containers.contains(asked) => asked.clone(),
        Some(asked) => {
            return Err(ApiError::invalid_input(
                "container",
                format!(
                    "the task has no container {asked:?}; it has {}",
                    containers.join(", ")
                ),
            ));
        }
        None => default_container(&definition)
            .unwrap_or_default()
            .to_owned(),
    };
    let filter = query.get("filter").map(|f| f.trim()).unwrap_or_default();
    let token = query
        .get("token")
        .map(String::as_str)
        .filter(|t| !t.is_empty());
    let mut logs = TaskLogs {
        task_arn: found.task_arn.clone(),
        last_status: found.last_status.clone(),
        stopped_reason: found.stopped_reason.clone(),
        container: container.clone(),
        containers,
        location: None,
        unavailable: None,
        events: Vec::new(),
        next_token: None,
        searched: None,
    };
    let region = source.ecs.info().region().to_owned();
    let location = match log_location(&definition, &container, &found.task_arn, &region) {
        Ok(location) => location,
        Err(reason) => {
            logs.unavailable = Some(reason);
            return Ok(Json(logs));
        }
    };
    let read = if filter.is_empty() {
        source.ecs.log_events(&location, token, limit).await
    } else {
        // Searches read the whole window (or everything since the token), then keep matches.
        source
            .ecs
            .log_events(&location, token, SEARCH_WINDOW)
            .await
            .map(|page| {
                logs.searched = Some(page.events.len());
                LogPage {
                    events: search(page.events, filter, limit),
                    next_token: page.next_token,
                }
            })
    };
    match read {
        Ok(page) => {
            logs.events = page.events;
            logs.next_token = page.next_token;
        }
        Err(SourceError::NotFound {
            kind: "log stream", ..
        }) => {
            logs.unavailable = Some(format!(
                "No lines yet: CloudWatch Logs has no stream {} in {} (a container's stream appears once it starts).",
                location.stream, location.group
            ));
        }
        Err(other) => return Err(other.into()),
    }
    logs.location = Some(location);
    Ok(Json(logs))
}

/// The `limit` query parameter: 1 to [`MAX_LINES`].
fn lines_limit(value: Option<&str>) -> Result<usize, ApiError> {
    let Some(value) = value else {
        return Ok(DEFAULT_LINES);
    };
    value
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_LINES).contains(n))
        .ok_or_else(|| {
            ApiError::invalid_input(
                "limit",
                format!("limit must be a whole number from 1 to {MAX_LINES}, not {value:?}"),
            )
        })
}
