//! What every AWS SDK adapter shares: how to reach AWS ([`AwsSettings`], [`load_config`]) and
//! how a call is made ([`calls`]: pagination to the last page and one mapping of SDK errors to
//! [`crate::error::SourceError`]). The adapters themselves live beside the trait they implement:
//! [`crate::ecs::sdk`] (ECS, Application Auto Scaling, CloudWatch) and [`crate::ecr::sdk`].
//!
//! Credentials and region come from the standard chain (environment, shared config and
//! credentials files, SSO, IMDS), overridden by `--region`, `--profile` and `--endpoint-url`
//! as the AWS CLI does.

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, retry::RetryConfig, timeout::TimeoutConfig};

pub mod calls;

pub(crate) use calls::{Asked, all_pages, map_sdk_error};

/// Region used when neither a flag, the environment nor a profile names one.
pub const FALLBACK_REGION: &str = "us-east-1";
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

/// Loads AWS configuration the way the AWS CLI does (environment, shared files, SSO, IMDS),
/// overridden by the settings, with connect and operation timeouts and the standard retry
/// policy. Without any region configured, [`FALLBACK_REGION`] is used (with a warning).
pub async fn load_config(settings: &AwsSettings) -> aws_config::SdkConfig {
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
    let config = loader.load().await;
    if config.region().is_some() {
        return config;
    }
    tracing::warn!("no AWS region configured; using {FALLBACK_REGION} (pass --region to choose)");
    config
        .into_builder()
        .region(Region::from_static(FALLBACK_REGION))
        .build()
}
