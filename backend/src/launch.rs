//! Previewing and starting new work: standalone tasks (the console's Run task page) and new
//! services (its Create service page).
//!
//! Each preview reads what the shared model needs — the cluster's live snapshot and the
//! revision the request names — and answers the same preview the console computes in the
//! browser ([`preview_run_task`], [`preview_create_service`]). Starting the work refuses a
//! request its preview blocks (400, every problem at its path), then calls RunTask (with who
//! ran it in `startedBy`) or CreateService. A `clientToken` seen in the last 15 minutes on this
//! account answers the first call's result without starting anything more (and AWS is given the
//! token too).

use berth_shared::{
    api::{ClusterSnapshot, CreateService, Mutation, RunTask, RunTaskResult},
    ecs::{Service, TaskDefinition},
    ops::{
        CreateServicePreview, CreateServicePreviewInput, Problem, RunTaskPreview,
        RunTaskPreviewInput, Severity, check_client_token, preview_create_service,
        preview_run_task, started_by,
    },
};

use crate::{
    accounts::Account,
    error::{ApiError, SourceError},
};

/// What both previews read from the account: the region, the cluster's snapshot, and the
/// revision `reference` names (none when there is none).
async fn read_cluster_and_revision(
    account: &Account,
    cluster: &str,
    reference: &str,
) -> Result<(String, ClusterSnapshot, Option<TaskDefinition>), ApiError> {
    let snapshot = account.ecs.cluster_snapshot(cluster).await?;
    let definition = match account.ecs.describe_task_definition(reference).await {
        Ok(found) => Some(found),
        Err(SourceError::NotFound { .. } | SourceError::InvalidParameter(_)) => None,
        Err(other) => return Err(other.into()),
    };
    Ok((account.ecs.info().region().to_owned(), snapshot, definition))
}

/// A 400 naming every error of a preview, or nothing when it has none.
fn refuse_errors(problems: Vec<Problem>) -> Result<(), ApiError> {
    let errors: Vec<(String, String)> = problems
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.path, p.message))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_fields(errors))
    }
}

async fn run_input(
    account: &Account,
    cluster: &str,
    request: &RunTask,
) -> Result<RunTaskPreviewInput, ApiError> {
    let (region, snapshot, definition) =
        read_cluster_and_revision(account, cluster, &request.task_definition).await?;
    Ok(RunTaskPreviewInput {
        region,
        snapshot,
        definition,
        task_definitions: Vec::new(),
        request: request.clone(),
    })
}

/// What running `request` on `cluster` would do, changing nothing.
pub async fn preview_run(
    account: &Account,
    cluster: &str,
    request: &RunTask,
) -> Result<RunTaskPreview, ApiError> {
    check_client_token(request.client_token.as_deref())?;
    Ok(preview_run_task(
        &run_input(account, cluster, request).await?,
    ))
}

/// Runs `request` as `who`, once per client token.
pub async fn run(
    account: &Account,
    cluster: &str,
    who: &str,
    mut request: RunTask,
) -> Result<Mutation<RunTaskResult>, ApiError> {
    request.started_by = Some(started_by(who));
    let token = request.client_token.clone();
    account
        .runs
        .once(token.as_deref(), || async move {
            let preview = preview_run_task(&run_input(account, cluster, &request).await?);
            refuse_errors(preview.problems)?;
            Ok(account.ecs.run_task(cluster, request).await?)
        })
        .await
}

async fn create_input(
    account: &Account,
    cluster: &str,
    request: &CreateService,
) -> Result<CreateServicePreviewInput, ApiError> {
    let (region, snapshot, definition) =
        read_cluster_and_revision(account, cluster, &request.task_definition).await?;
    Ok(CreateServicePreviewInput {
        region,
        snapshot,
        definition,
        task_definitions: Vec::new(),
        request: request.clone(),
    })
}

/// What creating the service `request` describes on `cluster` would do, changing nothing.
pub async fn preview_create(
    account: &Account,
    cluster: &str,
    request: &CreateService,
) -> Result<CreateServicePreview, ApiError> {
    check_client_token(request.client_token.as_deref())?;
    Ok(preview_create_service(
        &create_input(account, cluster, request).await?,
    ))
}

/// Creates the service `request` describes, once per client token.
pub async fn create(
    account: &Account,
    cluster: &str,
    request: CreateService,
) -> Result<Mutation<Service>, ApiError> {
    let token = request.client_token.clone();
    account
        .created
        .once(token.as_deref(), || async move {
            let preview = preview_create_service(&create_input(account, cluster, &request).await?);
            refuse_errors(preview.problems)?;
            Ok(account.ecs.create_service(cluster, request).await?)
        })
        .await
}
