//! Amazon ECR resources in AWS's own JSON shapes (`DescribeRepositories`, `DescribeImages`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// A repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    /// Full ARN.
    pub repository_arn: String,
    /// Account id of the registry.
    #[serde(default)]
    pub registry_id: String,
    /// Name, e.g. `shop/web`.
    pub repository_name: String,
    /// URI to push and pull.
    #[serde(default)]
    pub repository_uri: String,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// `MUTABLE` or `IMMUTABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_tag_mutability: Option<String>,
}

/// Scan state of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageScanStatus {
    /// `COMPLETE`, `IN_PROGRESS`, `FAILED`, …
    #[serde(default)]
    pub status: String,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Counts of findings by severity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageScanFindingsSummary {
    /// When the scan finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_scan_completed_at: Option<Timestamp>,
    /// Severity (`CRITICAL`, `HIGH`, …) → count.
    #[serde(default)]
    pub finding_severity_counts: BTreeMap<String, i64>,
}

/// An image as `DescribeImages` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageDetail {
    /// Account id.
    #[serde(default)]
    pub registry_id: String,
    /// Repository name.
    #[serde(default)]
    pub repository_name: String,
    /// `sha256:…` digest.
    pub image_digest: String,
    /// Tags (empty for untagged images).
    #[serde(default)]
    pub image_tags: Vec<String>,
    /// Compressed size in bytes.
    #[serde(default)]
    pub image_size_in_bytes: i64,
    /// Push time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pushed_at: Option<Timestamp>,
    /// Scan status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_scan_status: Option<ImageScanStatus>,
    /// Findings by severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_scan_findings_summary: Option<ImageScanFindingsSummary>,
    /// Manifest media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_manifest_media_type: Option<String>,
    /// Last recorded pull.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_recorded_pull_time: Option<Timestamp>,
}
