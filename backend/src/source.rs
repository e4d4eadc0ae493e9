//! The one boundary between Berth and an ECS account.
//!
//! Architecture invariant: the rest of the backend reads and changes ECS only through
//! [`EcsApi`], which speaks Berth's shared types (AWS shapes from `berth_shared::ecs`), never
//! SDK output types. Two implementations exist: [`crate::aws::SdkEcs`] (the AWS SDK, for real
//! accounts and AWS-compatible endpoints) and [`crate::sandbox::Sandbox`] (the embedded
//! simulated account).

use async_trait::async_trait;
use berth_shared::{
    api::{ClusterSnapshot, SourceInfo},
    ecs::Cluster,
};

use crate::error::SourceError;

/// Read and write access to one ECS region.
#[async_trait]
pub trait EcsApi: Send + Sync + std::fmt::Debug {
    /// Which account this is, for the top bar and `/api/health`.
    fn info(&self) -> SourceInfo;

    /// Every cluster with its counts and statistics, sorted by name.
    async fn list_clusters(&self) -> Result<Vec<Cluster>, SourceError>;

    /// One cluster by name or ARN with its instances, services and tasks;
    /// [`SourceError::NotFound`] when it does not exist.
    async fn cluster_snapshot(&self, name: &str) -> Result<ClusterSnapshot, SourceError>;
}
