//! The sandbox account's private registry: [`EcrApi`] over the stored repositories.
//!
//! Repositories, images and lifecycle policies are stored facts (see [`super::state`]); reads
//! copy them out in the order AWS would list them. The sandbox never runs lifecycle policies
//! itself, like ECR's 24-hour delay it leaves expiry to be previewed.

use async_trait::async_trait;
use berth_shared::ecr::{ImageDetail, Repository};

use super::{Sandbox, state::RepositoryState};
use crate::{
    ecr::{EcrApi, sort_images},
    error::SourceError,
};

fn find<'a>(
    repositories: &'a [RepositoryState],
    name: &str,
) -> Result<&'a RepositoryState, SourceError> {
    repositories
        .iter()
        .find(|r| r.repository.repository_name == name)
        .ok_or_else(|| SourceError::NotFound {
            kind: "repository",
            name: name.to_owned(),
        })
}

#[async_trait]
impl EcrApi for Sandbox {
    async fn list_repositories(&self) -> Result<Vec<Repository>, SourceError> {
        let state = self.state.read().await;
        let mut repositories: Vec<Repository> = state
            .repositories
            .iter()
            .map(|r| r.repository.clone())
            .collect();
        repositories.sort_by(|a, b| a.repository_name.cmp(&b.repository_name));
        Ok(repositories)
    }

    async fn repository(&self, name: &str) -> Result<Repository, SourceError> {
        let state = self.state.read().await;
        Ok(find(&state.repositories, name)?.repository.clone())
    }

    async fn images(&self, repository: &str) -> Result<Vec<ImageDetail>, SourceError> {
        let state = self.state.read().await;
        let mut images = find(&state.repositories, repository)?.images.clone();
        sort_images(&mut images);
        Ok(images)
    }

    async fn lifecycle_policy(&self, repository: &str) -> Result<Option<String>, SourceError> {
        let state = self.state.read().await;
        Ok(find(&state.repositories, repository)?
            .lifecycle_policy
            .clone())
    }
}

#[cfg(test)]
mod tests {
    use berth_shared::time::Timestamp;

    use super::*;

    fn sandbox(name: &str) -> Sandbox {
        let dir = std::env::temp_dir().join(format!("berth-ecr-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Sandbox::open(&dir.join("state.json"), Timestamp::from_secs(1_700_000_000)).unwrap()
    }

    #[tokio::test]
    async fn lists_the_demo_repositories_by_name() {
        let sandbox = sandbox("list");
        let names: Vec<_> = sandbox
            .list_repositories()
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.repository_name)
            .collect();
        assert_eq!(
            names,
            [
                "base-images/python",
                "demo/api",
                "demo/payments",
                "demo/web-frontend",
                "demo/worker"
            ]
        );
    }

    #[tokio::test]
    async fn reads_images_newest_first_and_policies() {
        let sandbox = sandbox("images");
        let images = sandbox.images("demo/api").await.unwrap();
        assert_eq!(images.len(), 25);
        assert!(
            images
                .windows(2)
                .all(|w| w[0].image_pushed_at >= w[1].image_pushed_at)
        );
        assert!(images[0].image_tags.contains(&"latest".to_owned()));
        assert!(
            sandbox
                .lifecycle_policy("demo/api")
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(
            sandbox.lifecycle_policy("demo/payments").await.unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn unknown_repositories_are_not_found_by_name() {
        let sandbox = sandbox("unknown");
        for error in [
            sandbox.repository("demo/nope").await.unwrap_err(),
            sandbox.images("demo/nope").await.unwrap_err(),
            sandbox.lifecycle_policy("demo/nope").await.unwrap_err(),
        ] {
            assert_eq!(
                error,
                SourceError::NotFound {
                    kind: "repository",
                    name: "demo/nope".into()
                }
            );
        }
    }
}
