//! ECR repositories:
//!
//! - `GET /api/repositories`: every repository with its image count, total size and last push;
//! - `GET /api/repositories/{name}/images`: the images of one repository;
//! - `GET /api/repositories/{name}`: one repository with its images, its lifecycle policy, a
//!   preview of what the policy would expire now (and which of those images are still in use),
//!   and where each image runs.
//!
//! Repository names contain `/`; see [`crate::ecr::path`] for how they are read from the path
//! (`demo/api` and `demo%2Fapi` both work).

use std::sync::Arc;

use axum::{
    Json, Router,
    http::Uri,
    response::{IntoResponse, Response},
    routing::get,
};
use berth_shared::{
    api::{
        ClusterSnapshot, ImageUsage, LifecyclePreview, RepositoryDetail, RepositoryImages,
        RepositoryList, RepositorySummary,
    },
    ecr::{ImageDetail, Repository},
    ecs::TaskDefinition,
    input::from_json,
    ops::{LifecycleInput, lifecycle::LifecyclePolicy, simulate_lifecycle},
    time::Timestamp,
};
use tokio::task::JoinSet;

use super::body::Source;
use crate::{
    AppState, EcsApi,
    accounts::Account,
    ecr::{
        path::{self, RepositoryPath},
        usage,
    },
    error::{ApiError, SourceError},
    now,
};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/repositories", get(list_repositories))
        .route("/repositories/{*name}", get(repository))
}

async fn list_repositories(source: Source) -> Result<Json<RepositoryList>, ApiError> {
    let repositories = source.ecr.list_repositories().await?;
    let mut reads = JoinSet::new();
    for (position, repository) in repositories.into_iter().enumerate() {
        let ecr = Arc::clone(&source.ecr);
        reads.spawn(async move {
            let images = ecr.images(&repository.repository_name).await;
            (position, repository, images)
        });
    }
    let mut summaries = Vec::new();
    while let Some(read) = reads.join_next().await {
        let (position, repository, images) =
            read.map_err(|e| SourceError::Internal(format!("reading images: {e}")))?;
        match images {
            Ok(images) => summaries.push((position, summary(repository, &images))),
            // Deleted between the two calls: list what exists now.
            Err(SourceError::NotFound { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    summaries.sort_by_key(|(position, _)| *position);
    Ok(Json(RepositoryList {
        repositories: summaries.into_iter().map(|(_, s)| s).collect(),
        fetched_at: now(),
    }))
}

fn summary(repository: Repository, images: &[ImageDetail]) -> RepositorySummary {
    RepositorySummary {
        repository,
        image_count: images.len(),
        total_size_in_bytes: images.iter().map(|i| i.image_size_in_bytes).sum(),
        last_pushed_at: images.iter().filter_map(|i| i.image_pushed_at).max(),
    }
}

async fn repository(source: Source, uri: Uri) -> Result<Response, ApiError> {
    let raw = uri
        .path()
        .strip_prefix("/repositories/")
        .unwrap_or_default();
    match path::parse(raw).map_err(|e| ApiError::invalid_input("name", e.to_string()))? {
        RepositoryPath::Images(name) => {
            let image_details = source.ecr.images(&name).await?;
            Ok(Json(RepositoryImages {
                repository_name: name,
                image_details,
                fetched_at: now(),
            })
            .into_response())
        }
        RepositoryPath::Detail(name) => Ok(Json(detail(&source, &name).await?).into_response()),
    }
}

async fn detail(source: &Account, name: &str) -> Result<RepositoryDetail, ApiError> {
    let (repository, image_details, lifecycle_policy_text) = tokio::try_join!(
        source.ecr.repository(name),
        source.ecr.images(name),
        source.ecr.lifecycle_policy(name),
    )?;
    let (usage, usage_problem) =
        match where_images_run(&source.ecs, &repository, &image_details).await {
            Ok(usage) => (usage, None),
            Err(error) => {
                let error = ApiError::from(error);
                tracing::warn!(message = %error.body().message, "cannot tell where images run");
                (
                    Vec::new(),
                    Some(format!(
                        "Berth could not read ECS to tell where these images run: {}",
                        error.body().message
                    )),
                )
            }
        };
    let fetched_at = now();
    let lifecycle_preview = lifecycle_policy_text
        .as_deref()
        .map(|text| preview(text, &image_details, &usage, fetched_at));
    Ok(RepositoryDetail {
        repository,
        image_details,
        lifecycle_policy_text,
        lifecycle_preview,
        usage,
        usage_problem,
        fetched_at,
    })
}

/// Evaluates the policy `text` over `images` at `now` with the shared lifecycle model; images
/// with any usage count as in use.
fn preview(
    text: &str,
    images: &[ImageDetail],
    usage: &[ImageUsage],
    now: Timestamp,
) -> LifecyclePreview {
    let evaluated = from_json::<LifecyclePolicy>(text).and_then(|policy| {
        let input = LifecycleInput {
            now,
            lifecycle_policy: None,
            lifecycle_policy_text: Some(text.to_owned()),
            image_details: images.to_vec(),
            images_in_use: usage.iter().map(|u| u.image_digest.clone()).collect(),
        };
        simulate_lifecycle(&input).map(|result| (policy, result))
    });
    match evaluated {
        Ok((policy, result)) => LifecyclePreview::Evaluated { policy, result },
        Err(error) => LifecyclePreview::NotEvaluated {
            field: error.field,
            message: error.message,
        },
    }
}

/// Most task definitions read to tell where images run; the ones services and tasks use and
/// the latest revision of each family come first.
const MAX_DEFINITIONS: usize = 300;
/// Task definitions read at once.
const CONCURRENT_READS: usize = 8;

/// Reads every cluster and the active task definitions (the ones services and tasks use, the
/// latest revision of each family, then older active revisions, up to [`MAX_DEFINITIONS`]),
/// and indexes where the repository's images run.
async fn where_images_run(
    ecs: &Arc<dyn EcsApi>,
    repository: &Repository,
    images: &[ImageDetail],
) -> Result<Vec<ImageUsage>, SourceError> {
    let (clusters, families) =
        tokio::try_join!(ecs.list_clusters(), ecs.task_definition_families())?;

    let mut snapshots = JoinSet::new();
    for cluster in clusters {
        let ecs = Arc::clone(ecs);
        snapshots.spawn(async move { ecs.cluster_snapshot(&cluster.cluster_arn).await });
    }
    let mut clusters: Vec<ClusterSnapshot> = Vec::new();
    while let Some(snapshot) = snapshots.join_next().await {
        match snapshot.map_err(|e| SourceError::Internal(format!("reading a cluster: {e}")))? {
            Ok(snapshot) => clusters.push(snapshot),
            // Deleted since it was listed.
            Err(SourceError::NotFound { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    clusters.sort_by(|a, b| a.cluster.cluster_name.cmp(&b.cluster.cluster_name));

    let mut wanted = usage::definitions_in_use(&clusters);
    let active = |family: &berth_shared::api::TaskDefinitionFamily| {
        family
            .revisions
            .iter()
            .filter(|r| r.status == "ACTIVE")
            .map(|r| r.task_definition_arn.clone())
            .collect::<Vec<_>>()
    };
    let active: Vec<Vec<String>> = families.iter().map(active).collect();
    wanted.extend(
        active
            .iter()
            .filter_map(|revisions| revisions.first().cloned()),
    );
    wanted.extend(
        active
            .into_iter()
            .flat_map(|revisions| revisions.into_iter().skip(1)),
    );
    let mut seen = std::collections::BTreeSet::new();
    wanted.retain(|arn| seen.insert(arn.clone()));
    wanted.truncate(MAX_DEFINITIONS);

    let mut definitions: Vec<TaskDefinition> = Vec::with_capacity(wanted.len());
    for batch in wanted.chunks(CONCURRENT_READS) {
        let mut reads = JoinSet::new();
        for arn in batch {
            let (ecs, arn) = (Arc::clone(ecs), arn.clone());
            reads.spawn(async move { ecs.describe_task_definition(&arn).await });
        }
        while let Some(read) = reads.join_next().await {
            match read
                .map_err(|e| SourceError::Internal(format!("reading a task definition: {e}")))?
            {
                Ok(definition) => definitions.push(definition),
                Err(SourceError::NotFound { .. }) => {}
                Err(error) => return Err(error),
            }
        }
    }
    Ok(usage::image_usage(
        &repository.repository_uri,
        images,
        &definitions,
        &clusters,
    ))
}
