//! The AWS implementation of [`EcrApi`]: a thin adapter over `aws-sdk-ecr`.
//!
//! It is configured exactly like [`crate::ecs::sdk::SdkEcs`] from the same [`AwsSettings`]: the
//! standard credential chain overridden by `--region`, `--profile` and `--endpoint-url`, a
//! connect timeout and an overall timeout on every operation, and the standard retry policy
//! (three attempts) for throttling. `DescribeRepositories` and `DescribeImages` are paginated
//! until the last page at ECR's maximum page size (1000, docs/ECS-MODEL.md §9.3).
//!
//! Errors are mapped by kind: `RepositoryNotFoundException` is a 404 naming the repository
//! asked for (never ECR's sentence about the registry),
//! `LifecyclePolicyNotFoundException` means "no policy", access denied, throttling, invalid
//! parameters and unreachable endpoints map as they do for ECS.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_ecr::{
    Client, operation::get_lifecycle_policy::GetLifecyclePolicyError, primitives::DateTime,
    types as sdk,
};
use berth_shared::{
    ecr::{ImageDetail, ImageScanFindingsSummary, ImageScanStatus, Repository},
    time::Timestamp,
};

use super::{EcrApi, sort_images};
use crate::{
    aws::{Asked, AwsSettings, all_pages, load_config, map_sdk_error},
    error::SourceError,
};

/// `DescribeRepositories` and `DescribeImages` return at most 1000 items per page.
const PAGE_SIZE: i32 = 1000;

/// ECR through the official SDK.
#[derive(Debug, Clone)]
pub struct SdkEcr {
    client: Client,
}

impl SdkEcr {
    /// Resolves configuration the way the AWS CLI does and builds the client.
    pub async fn connect(settings: &AwsSettings) -> Self {
        Self::new(&load_config(settings).await)
    }

    /// ECR over an already loaded configuration (shared with the ECS source), counting and
    /// logging its calls ([`crate::metrics::AwsCalls`]).
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self::from_client(Client::from_conf(
            aws_sdk_ecr::config::Builder::from(config)
                .interceptor(crate::metrics::AwsCalls)
                .build(),
        ))
    }

    /// An adapter over an already configured client (tests answer it with mocks).
    pub fn from_client(client: Client) -> Self {
        Self { client }
    }

    /// Every repository with the given names (all of them when `names` is empty).
    async fn describe_repositories(
        &self,
        names: Option<Vec<String>>,
    ) -> Result<Vec<Repository>, SourceError> {
        let single = names.is_some();
        let asked: Vec<Asked<'_>> = names
            .iter()
            .flatten()
            .map(|name| Asked::Repository(name))
            .collect();
        let asked = &asked;
        let mut repositories = all_pages(|next_token| {
            let mut request = self
                .client
                .describe_repositories()
                .set_repository_names(names.clone())
                .set_next_token(next_token);
            if !single {
                request = request.max_results(PAGE_SIZE);
            }
            async move {
                let page = request
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("ecr:DescribeRepositories", asked, e))?;
                let repositories = page.repositories().iter().map(repository).collect();
                Ok((repositories, page.next_token().map(str::to_owned)))
            }
        })
        .await?;
        repositories.sort_by(|a, b| a.repository_name.cmp(&b.repository_name));
        Ok(repositories)
    }
}

#[async_trait]
impl EcrApi for SdkEcr {
    async fn list_repositories(&self) -> Result<Vec<Repository>, SourceError> {
        self.describe_repositories(None).await
    }

    async fn repository(&self, name: &str) -> Result<Repository, SourceError> {
        self.describe_repositories(Some(vec![name.to_owned()]))
            .await?
            .into_iter()
            .find(|r| r.repository_name == name)
            .ok_or_else(|| not_found(name))
    }

    async fn images(&self, repository: &str) -> Result<Vec<ImageDetail>, SourceError> {
        let mut images = all_pages(|next_token| {
            let request = self
                .client
                .describe_images()
                .repository_name(repository)
                .max_results(PAGE_SIZE)
                .set_next_token(next_token);
            async move {
                let page = request.send().await.map_err(|e| {
                    map_sdk_error("ecr:DescribeImages", &[Asked::Repository(repository)], e)
                })?;
                let images = page.image_details().iter().map(image).collect();
                Ok((images, page.next_token().map(str::to_owned)))
            }
        })
        .await?;
        sort_images(&mut images);
        Ok(images)
    }

    async fn lifecycle_policy(&self, repository: &str) -> Result<Option<String>, SourceError> {
        let result = self
            .client
            .get_lifecycle_policy()
            .repository_name(repository)
            .send()
            .await;
        match result {
            Ok(output) => Ok(output.lifecycle_policy_text().map(str::to_owned)),
            Err(error)
                if error.as_service_error().is_some_and(
                    GetLifecyclePolicyError::is_lifecycle_policy_not_found_exception,
                ) =>
            {
                Ok(None)
            }
            Err(error) => Err(map_sdk_error(
                "ecr:GetLifecyclePolicy",
                &[Asked::Repository(repository)],
                error,
            )),
        }
    }
}

fn not_found(name: &str) -> SourceError {
    SourceError::NotFound {
        kind: "repository",
        name: name.to_owned(),
    }
}

fn time(value: Option<&DateTime>) -> Option<Timestamp> {
    value.map(|t| Timestamp(t.secs() * 1000 + i64::from(t.subsec_nanos() / 1_000_000)))
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

/// A repository from `DescribeRepositories`.
fn repository(repository: &sdk::Repository) -> Repository {
    Repository {
        repository_arn: text(repository.repository_arn()),
        registry_id: text(repository.registry_id()),
        repository_name: text(repository.repository_name()),
        repository_uri: text(repository.repository_uri()),
        created_at: time(repository.created_at()),
        image_tag_mutability: repository
            .image_tag_mutability()
            .map(|m| m.as_str().to_owned()),
    }
}

/// An image from `DescribeImages`.
fn image(image: &sdk::ImageDetail) -> ImageDetail {
    ImageDetail {
        registry_id: text(image.registry_id()),
        repository_name: text(image.repository_name()),
        image_digest: text(image.image_digest()),
        image_tags: image.image_tags().to_vec(),
        image_size_in_bytes: image.image_size_in_bytes().unwrap_or_default(),
        image_pushed_at: time(image.image_pushed_at()),
        image_scan_status: image.image_scan_status().map(|s| ImageScanStatus {
            status: s
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            description: s.description().map(str::to_owned),
        }),
        image_scan_findings_summary: image.image_scan_findings_summary().map(|s| {
            ImageScanFindingsSummary {
                image_scan_completed_at: time(s.image_scan_completed_at()),
                finding_severity_counts: s
                    .finding_severity_counts()
                    .map(|counts| {
                        counts
                            .iter()
                            .map(|(severity, count)| {
                                (severity.as_str().to_owned(), i64::from(*count))
                            })
                            .collect::<BTreeMap<_, _>>()
                    })
                    .unwrap_or_default(),
            }
        }),
        image_manifest_media_type: image.image_manifest_media_type().map(str::to_owned),
        last_recorded_pull_time: time(image.last_recorded_pull_time()),
    }
}
