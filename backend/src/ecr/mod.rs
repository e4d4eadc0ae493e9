//! The one boundary between Berth and an Amazon ECR registry, and what Berth derives from it.
//!
//! Architecture invariant: the rest of the backend reads ECR only through [`EcrApi`], which
//! speaks Berth's shared types (`berth_shared::ecr`, AWS's own JSON shapes), never SDK output
//! types. Two implementations exist: [`sdk::SdkEcr`] (aws-sdk-ecr, for real accounts and
//! AWS-compatible endpoints) and [`crate::sandbox::Sandbox`] (the embedded simulated account).
//!
//! - [`sdk`]: the AWS implementation.
//! - [`usage`]: the pure "where does this image run" index over task definitions and tasks.
//! - [`path`]: parsing repository names (which contain `/`) out of request paths.

pub mod path;
pub mod sdk;
pub mod usage;

use async_trait::async_trait;
use berth_shared::ecr::{ImageDetail, Repository};

use crate::error::SourceError;

/// Read access to the private registry of one account and region.
#[async_trait]
pub trait EcrApi: Send + Sync + std::fmt::Debug {
    /// Every repository, sorted by name.
    async fn list_repositories(&self) -> Result<Vec<Repository>, SourceError>;

    /// One repository by name; [`SourceError::NotFound`] (kind `repository`) when it does not
    /// exist.
    async fn repository(&self, name: &str) -> Result<Repository, SourceError>;

    /// Every image of a repository, most recently pushed first;
    /// [`SourceError::NotFound`] when the repository does not exist.
    async fn images(&self, repository: &str) -> Result<Vec<ImageDetail>, SourceError>;

    /// The repository's lifecycle policy text (JSON), or `None` when it has no policy;
    /// [`SourceError::NotFound`] when the repository does not exist.
    async fn lifecycle_policy(&self, repository: &str) -> Result<Option<String>, SourceError>;
}

/// Sorts images most recently pushed first (images without a push time last), then by digest,
/// so every source lists them in the same order.
pub fn sort_images(images: &mut [ImageDetail]) {
    images.sort_by(|a, b| {
        b.image_pushed_at
            .cmp(&a.image_pushed_at)
            .then_with(|| a.image_digest.cmp(&b.image_digest))
    });
}

#[cfg(test)]
mod tests {
    use berth_shared::time::Timestamp;

    use super::*;

    fn image(digest: &str, pushed: Option<i64>) -> ImageDetail {
        ImageDetail {
            registry_id: String::new(),
            repository_name: "demo/api".into(),
            image_digest: digest.into(),
            image_tags: Vec::new(),
            image_size_in_bytes: 0,
            image_pushed_at: pushed.map(Timestamp),
            image_scan_status: None,
            image_scan_findings_summary: None,
            image_manifest_media_type: None,
            last_recorded_pull_time: None,
        }
    }

    #[test]
    fn images_sort_newest_first_then_by_digest() {
        let mut images = vec![
            image("sha256:c", None),
            image("sha256:b", Some(10)),
            image("sha256:a", Some(10)),
            image("sha256:d", Some(20)),
        ];
        sort_images(&mut images);
        let order: Vec<_> = images.iter().map(|i| i.image_digest.as_str()).collect();
        assert_eq!(order, ["sha256:d", "sha256:a", "sha256:b", "sha256:c"]);
    }
}
