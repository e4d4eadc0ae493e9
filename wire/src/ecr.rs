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

// ---------------------------------------------------------------------------------------------
// Lifecycle policies (the document ECR stores) and what evaluating one over images gives
// ---------------------------------------------------------------------------------------------

/// A lifecycle policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecyclePolicy {
    /// The rules.
    pub rules: Vec<LifecycleRule>,
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleRule {
    /// Lower is applied first; unique, ≥ 1.
    pub rule_priority: i64,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Which images, and how many to keep.
    pub selection: RuleSelection,
    /// What to do.
    pub action: RuleAction,
}

/// A rule's selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSelection {
    /// `tagged`, `untagged` or `any`.
    pub tag_status: String,
    /// Tag prefixes (tagged only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag_prefix_list: Vec<String>,
    /// Tag patterns with `*` (tagged only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag_pattern_list: Vec<String>,
    /// `imageCountMoreThan` or `sinceImagePushed`.
    pub count_type: String,
    /// `days`, with `sinceImagePushed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_unit: Option<String>,
    /// The count or the number of days.
    pub count_number: i64,
}

/// A rule's action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleAction {
    /// `expire`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// The verdict on one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageVerdict {
    /// Digest.
    pub image_digest: String,
    /// Tags.
    pub image_tags: Vec<String>,
    /// Push time.
    pub image_pushed_at: Timestamp,
    /// Whether the policy expires it.
    pub expires: bool,
    /// The rule that expires it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_rule_priority: Option<i64>,
    /// Whether a task definition or task still references it.
    pub in_use: bool,
    /// Why, in words.
    pub reason: String,
}

/// The evaluation's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleOutput {
    /// Every image, most recently pushed first.
    pub images: Vec<ImageVerdict>,
    /// How many images expire.
    pub expiring_count: usize,
    /// Their total size in bytes.
    pub expiring_bytes: i64,
    /// Digests of expiring images that are still in use.
    pub expiring_in_use: Vec<String>,
}
