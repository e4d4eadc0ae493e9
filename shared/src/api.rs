//! The JSON API between `berth` and its clients (the console, scripts, tests).
//!
//! Resources themselves use the AWS shapes of [`crate::ecs`] and [`crate::ecr`]; this module
//! holds the envelopes around them and the error body every failing request returns.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    ecs::{Cluster, ContainerInstance, Service, Task},
    time::Timestamp,
};

/// Stable machine-readable error codes. Clients branch on these, never on messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request was malformed or a field was invalid.
    InvalidInput,
    /// The resource (or API path) does not exist.
    NotFound,
    /// The credentials lack a permission.
    AccessDenied,
    /// AWS throttled the request; retry later.
    Throttled,
    /// The AWS endpoint could not be reached or timed out.
    Unavailable,
    /// The request conflicts with the current state.
    Conflict,
    /// Something failed inside Berth; details are in the server log.
    Internal,
}

impl ErrorCode {
    /// The snake_case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::NotFound => "not_found",
            Self::AccessDenied => "access_denied",
            Self::Throttled => "throttled",
            Self::Unavailable => "unavailable",
            Self::Conflict => "conflict",
            Self::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// What kind of failure.
    pub code: ErrorCode,
    /// A sentence for a person, naming the field or resource involved.
    pub message: String,
    /// Whether the same request may succeed if retried later.
    pub retryable: bool,
    /// JSON path of the offending input field, when one is to blame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Which account Berth is showing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SourceInfo {
    /// The embedded simulated account.
    #[serde(rename_all = "camelCase")]
    Sandbox {
        /// Simulated region name.
        region: String,
        /// Where the sandbox state is saved.
        state_path: String,
    },
    /// A real AWS account or an AWS-compatible endpoint.
    #[serde(rename_all = "camelCase")]
    Aws {
        /// Region in use.
        region: String,
        /// Named profile, when one was chosen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        profile: Option<String>,
        /// Custom endpoint (e.g. a local emulator), when one was given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        endpoint_url: Option<String>,
    },
}

impl SourceInfo {
    /// A short label for the top bar: `Sandbox · us-east-1`, `AWS · eu-west-1`,
    /// `AWS · us-east-1 · http://127.0.0.1:5000`.
    pub fn label(&self) -> String {
        match self {
            Self::Sandbox { region, .. } => format!("Sandbox · {region}"),
            Self::Aws {
                region,
                profile,
                endpoint_url,
            } => {
                let mut label = format!("AWS · {region}");
                if let Some(profile) = profile {
                    label.push_str(&format!(" · profile {profile}"));
                }
                if let Some(endpoint) = endpoint_url {
                    label.push_str(&format!(" · {endpoint}"));
                }
                label
            }
        }
    }
}

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    /// Berth's version.
    pub version: String,
    /// The active source.
    pub source: SourceInfo,
}

/// `GET /api/clusters`: every cluster of the source, as `DescribeClusters` describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterList {
    /// Clusters sorted by name.
    pub clusters: Vec<Cluster>,
    /// When the data was read from the source.
    pub fetched_at: Timestamp,
}

/// `GET /api/clusters/{name}`: one cluster with everything in it, read at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSnapshot {
    /// The cluster.
    pub cluster: Cluster,
    /// Its container instances (ACTIVE, DRAINING and others), as
    /// `DescribeContainerInstances` returns them.
    pub container_instances: Vec<ContainerInstance>,
    /// Its services, as `DescribeServices` returns them.
    pub services: Vec<Service>,
    /// Its tasks (running, pending and recently stopped), as `DescribeTasks` returns them.
    pub tasks: Vec<Task>,
    /// When the data was read from the source.
    pub fetched_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_snake_case_on_the_wire() {
        let body = ErrorBody {
            code: ErrorCode::InvalidInput,
            message: "bad".into(),
            retryable: false,
            field: Some("count".into()),
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["code"], ErrorCode::InvalidInput.as_str());
        assert_eq!(serde_json::from_value::<ErrorBody>(json).unwrap(), body);
    }

    #[test]
    fn labels_name_the_source() {
        let aws = SourceInfo::Aws {
            region: "eu-west-1".into(),
            profile: None,
            endpoint_url: Some("http://127.0.0.1:5000".into()),
        };
        assert_eq!(aws.label(), "AWS · eu-west-1 · http://127.0.0.1:5000");
        let json = serde_json::to_value(&aws).unwrap();
        assert_eq!(json["kind"], "aws");
        assert_eq!(json["endpointUrl"], "http://127.0.0.1:5000");
    }
}
