//! The AWS implementation of [`EcsApi`]: a thin adapter over `aws-sdk-ecs`.
//!
//! Credentials and region come from the standard chain (environment, shared config and
//! credentials files, SSO, IMDS), overridden by `--region`, `--profile` and `--endpoint-url`
//! as the AWS CLI does. Every call has a connect timeout and an overall timeout so that an
//! unreachable endpoint becomes a clear [`SourceError::Unavailable`] instead of a hang, and
//! throttling is retried by the SDK's standard retry policy before it is reported.
//!
//! List calls are paginated until the last page; Describe calls are batched at ECS's maxima.

use std::time::Duration;

use async_trait::async_trait;
use aws_config::{BehaviorVersion, Region, retry::RetryConfig, timeout::TimeoutConfig};
use aws_sdk_ecs::{
    Client,
    error::{DisplayErrorContext, ProvideErrorMetadata, SdkError},
    types::ClusterField,
};
use berth_shared::{
    api::SourceInfo,
    ecs::{CapacityProviderStrategyItem, Cluster, ClusterSetting, KeyValuePair, Tag},
};

use crate::{error::SourceError, source::EcsApi};

/// Region used when neither a flag, the environment nor a profile names one.
const FALLBACK_REGION: &str = "us-east-1";
/// DescribeClusters accepts at most 100 clusters per call.
const DESCRIBE_CLUSTERS_BATCH: usize = 100;

/// How to reach AWS.
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    /// Region override.
    pub region: Option<String>,
    /// Named profile.
    pub profile: Option<String>,
    /// Custom endpoint (an AWS-compatible emulator, a VPC endpoint).
    pub endpoint_url: Option<String>,
    /// Overall time allowed for one API operation, retries included.
    pub operation_timeout: Duration,
}

/// ECS through the official SDK.
#[derive(Debug, Clone)]
pub struct SdkEcs {
    client: Client,
    info: SourceInfo,
}

impl SdkEcs {
    /// Resolves configuration the way the AWS CLI does and builds the client.
    pub async fn connect(settings: &AwsSettings) -> Self {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(3))
            .operation_attempt_timeout(settings.operation_timeout / 2)
            .operation_timeout(settings.operation_timeout)
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(timeouts)
            .retry_config(RetryConfig::standard().with_max_attempts(3));
        if let Some(profile) = &settings.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &settings.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(endpoint) = &settings.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        let mut config = loader.load().await;
        if config.region().is_none() {
            tracing::warn!(
                "no AWS region configured; using {FALLBACK_REGION} (pass --region to choose)"
            );
            config = config
                .into_builder()
                .region(Region::from_static(FALLBACK_REGION))
                .build();
        }
        let region = config
            .region()
            .map_or_else(|| FALLBACK_REGION.to_owned(), ToString::to_string);
        Self {
            client: Client::new(&config),
            info: SourceInfo::Aws {
                region,
                profile: settings.profile.clone(),
                endpoint_url: settings.endpoint_url.clone(),
            },
        }
    }

    async fn describe_clusters(&self, names: &[String]) -> Result<Vec<Cluster>, SourceError> {
        let mut clusters = Vec::with_capacity(names.len());
        for batch in names.chunks(DESCRIBE_CLUSTERS_BATCH) {
            let output = self
                .client
                .describe_clusters()
                .set_clusters(Some(batch.to_vec()))
                .include(ClusterField::Statistics)
                .include(ClusterField::Settings)
                .include(ClusterField::Tags)
                .send()
                .await
                .map_err(|e| map_sdk_error("ecs:DescribeClusters", e))?;
            clusters.extend(output.clusters().iter().map(cluster_from_sdk));
            if let Some(failure) = output.failures().first() {
                if failure.reason() == Some("MISSING") {
                    return Err(SourceError::NotFound {
                        kind: "cluster",
                        name: failure.arn().unwrap_or_default().to_owned(),
                    });
                }
                tracing::warn!(reason = ?failure.reason(), arn = ?failure.arn(), "DescribeClusters failure");
            }
        }
        Ok(clusters)
    }
}

#[async_trait]
impl EcsApi for SdkEcs {
    fn info(&self) -> SourceInfo {
        self.info.clone()
    }

    async fn list_clusters(&self) -> Result<Vec<Cluster>, SourceError> {
        let mut arns = Vec::new();
        let mut next_token = None;
        loop {
            let page = self
                .client
                .list_clusters()
                .max_results(100)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(|e| map_sdk_error("ecs:ListClusters", e))?;
            arns.extend(page.cluster_arns().iter().cloned());
            next_token = page.next_token().map(str::to_owned);
            if next_token.is_none() {
                break;
            }
        }
        let mut clusters = self.describe_clusters(&arns).await?;
        clusters.sort_by(|a, b| a.cluster_name.cmp(&b.cluster_name));
        Ok(clusters)
    }

    async fn describe_cluster(&self, name: &str) -> Result<Cluster, SourceError> {
        let found = self.describe_clusters(&[name.to_owned()]).await?;
        found
            .into_iter()
            .find(|c| c.status != "INACTIVE")
            .ok_or_else(|| SourceError::NotFound {
                kind: "cluster",
                name: name.to_owned(),
            })
    }
}

fn cluster_from_sdk(cluster: &aws_sdk_ecs::types::Cluster) -> Cluster {
    Cluster {
        cluster_arn: cluster.cluster_arn().unwrap_or_default().to_owned(),
        cluster_name: cluster.cluster_name().unwrap_or_default().to_owned(),
        status: cluster.status().unwrap_or("ACTIVE").to_owned(),
        registered_container_instances_count: cluster.registered_container_instances_count().into(),
        running_tasks_count: cluster.running_tasks_count().into(),
        pending_tasks_count: cluster.pending_tasks_count().into(),
        active_services_count: cluster.active_services_count().into(),
        statistics: cluster
            .statistics()
            .iter()
            .map(|kv| KeyValuePair {
                name: kv.name().unwrap_or_default().to_owned(),
                value: kv.value().unwrap_or_default().to_owned(),
            })
            .collect(),
        settings: cluster
            .settings()
            .iter()
            .map(|s| ClusterSetting {
                name: s.name().map(|n| n.as_str().to_owned()).unwrap_or_default(),
                value: s.value().unwrap_or_default().to_owned(),
            })
            .collect(),
        capacity_providers: cluster.capacity_providers().to_vec(),
        default_capacity_provider_strategy: cluster
            .default_capacity_provider_strategy()
            .iter()
            .map(|item| CapacityProviderStrategyItem {
                capacity_provider: item.capacity_provider().to_owned(),
                weight: item.weight().into(),
                base: item.base().into(),
            })
            .collect(),
        tags: cluster
            .tags()
            .iter()
            .map(|t| Tag {
                key: t.key().unwrap_or_default().to_owned(),
                value: t.value().unwrap_or_default().to_owned(),
            })
            .collect(),
    }
}

/// The innermost error of a chain, which names the actual problem ("Connection refused",
/// "dns error", "no credentials in the chain").
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

/// Maps an SDK failure to a [`SourceError`] by kind, naming the API action.
fn map_sdk_error<E, R>(action: &str, error: SdkError<E, R>) -> SourceError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match &error {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let code = inner.code().unwrap_or_default();
            let message = inner.message().unwrap_or_default().to_owned();
            match code {
                "ClusterNotFoundException" => SourceError::NotFound {
                    kind: "cluster",
                    name: message,
                },
                "AccessDeniedException"
                | "AccessDenied"
                | "UnauthorizedOperation"
                | "UnrecognizedClientException"
                | "InvalidSignatureException" => SourceError::AccessDenied {
                    action: action.to_owned(),
                    message,
                },
                "ThrottlingException"
                | "Throttling"
                | "TooManyRequestsException"
                | "RequestLimitExceeded" => SourceError::Throttled {
                    action: action.to_owned(),
                    message,
                },
                "InvalidParameterException" | "ClientException" | "ValidationException" => {
                    SourceError::InvalidParameter(message)
                }
                _ => SourceError::Internal(format!("{action}: {}", DisplayErrorContext(&error))),
            }
        }
        SdkError::TimeoutError(_) => SourceError::Unavailable(format!(
            "AWS did not answer {action} in time; check the endpoint and your network"
        )),
        SdkError::DispatchFailure(_) => {
            tracing::warn!(error = %DisplayErrorContext(&error), "{action} could not be sent");
            SourceError::Unavailable(format!(
                "could not reach AWS for {action}: {}",
                root_cause(&error)
            ))
        }
        _ => SourceError::Internal(format!("{action}: {}", DisplayErrorContext(&error))),
    }
}
