//! Previewing and running standalone tasks (the console's Run task page).
//!
//! [`preview`] reads what the shared model's [`preview_run_task`] needs — the cluster's live
//! snapshot and the revision the request names — and answers its [`RunTaskPreview`], the same
//! one the console computes in the browser. [`run`] refuses a request the preview blocks (400,
//! every problem at its path), then calls RunTask with who ran it in `startedBy`. A
//! `clientToken` seen in the last 15 minutes on this account answers the first run's result
//! without starting more tasks (and AWS's RunTask is given the token too).

use std::time::Instant;

use berth_shared::{
    api::{Mutation, RunTask, RunTaskResult},
    ops::{
        RunTaskPreview, RunTaskPreviewInput, Severity, check_client_token, preview_run_task,
        started_by,
    },
};

use crate::{accounts::Account, error::ApiError, error::SourceError};

/// What the preview needs, read from the account.
async fn preview_input(
    account: &Account,
    cluster: &str,
    request: &RunTask,
) -> Result<RunTaskPreviewInput, ApiError> {
    let snapshot = account.ecs.cluster_snapshot(cluster).await?;
    let definition = match account
        .ecs
        .describe_task_definition(&request.task_definition)
        .await
    {
        Ok(found) => Some(found),
        Err(SourceError::NotFound { .. } | SourceError::InvalidParameter(_)) => None,
        Err(other) => return Err(other.into()),
    };
    Ok(RunTaskPreviewInput {
        region: account.ecs.info().region().to_owned(),
        snapshot,
        definition,
        task_definitions: Vec::new(),
        request: request.clone(),
    })
}

/// What running `request` on `cluster` would do, changing nothing.
pub async fn preview(
    account: &Account,
    cluster: &str,
    request: &RunTask,
) -> Result<RunTaskPreview, ApiError> {
    check_client_token(request.client_token.as_deref())?;
    let input = preview_input(account, cluster, request).await?;
    Ok(preview_run_task(&input))
}

/// Runs `request` as `who`, once per client token.
pub async fn run(
    account: &Account,
    cluster: &str,
    who: &str,
    mut request: RunTask,
) -> Result<Mutation<RunTaskResult>, ApiError> {
    check_client_token(request.client_token.as_deref())?;
    request.started_by = Some(started_by(who));
    match request.client_token.clone() {
        Some(token) => {
            let cell = account.runs.cell(&token, Instant::now());
            cell.get_or_try_init(|| run_once(account, cluster, request))
                .await
                .cloned()
        }
        None => run_once(account, cluster, request).await,
    }
}

async fn run_once(
    account: &Account,
    cluster: &str,
    request: RunTask,
) -> Result<Mutation<RunTaskResult>, ApiError> {
    let preview = preview_run_task(&preview_input(account, cluster, &request).await?);
    let errors: Vec<(String, String)> = preview
        .problems
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.path, p.message))
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    Ok(account.ecs.run_task(cluster, request).await?)
}
