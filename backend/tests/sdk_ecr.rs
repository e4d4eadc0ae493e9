//! The ECR adapter ([`SdkEcr`]) against a mocked ECR, through the real SDK client.
//!
//! moto neither paginates DescribeImages nor DescribeRepositories, so a small fake answers the
//! SDK here: it pages with `nextToken` (honouring `maxResults`) and records the page size the
//! adapter asks for, and it answers errors as AWS sends them on the wire (HTTP 400 with an
//! awsJson `__type`), so the SDK's own error parsing runs.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use aws_sdk_ecr::{
    Client,
    config::retry::RetryConfig,
    operation::{
        describe_images::DescribeImagesOutput, describe_repositories::DescribeRepositoriesOutput,
        get_lifecycle_policy::GetLifecyclePolicyOutput,
    },
    primitives::DateTime,
    types as sdk,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use berth_backend::{EcrApi, ecr::sdk::SdkEcr, error::SourceError};

/// ECR's largest page (docs/ECS-MODEL.md §9.3).
const PAGE_MAX: i32 = 1000;

fn adapter(rules: &[Rule]) -> SdkEcr {
    let client = mock_client!(aws_sdk_ecr, RuleMode::MatchAny, rules, |config| {
        config.retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(2)),
        )
    });
    SdkEcr::from_client(client)
}

/// An error as ECR sends it: HTTP 400 with the awsJson 1.1 `__type`.
fn aws_error(code: &str, message: &str) -> String {
    serde_json::json!({ "__type": code, "message": message }).to_string()
}

/// Items `[start, end)` of `total` for a page request, and the next token.
fn page(
    token: Option<&str>,
    max_results: Option<i32>,
    total: usize,
) -> (usize, usize, Option<String>) {
    let start = token.map_or(0, |t| t.parse().unwrap());
    let size = usize::try_from(max_results.unwrap_or(100)).unwrap();
    let end = (start + size).min(total);
    (start, end, (end < total).then(|| end.to_string()))
}

#[tokio::test]
async fn describe_images_is_paged_to_the_end_at_the_largest_page_size() {
    const TOTAL: usize = 2_500;
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&asked);
    let images = mock!(Client::describe_images).then_compute_output(move |input| {
        log.lock().unwrap().push(input.max_results());
        let (start, end, next) = page(input.next_token(), input.max_results(), TOTAL);
        DescribeImagesOutput::builder()
            .set_image_details(Some(
                (start..end)
                    .map(|n| {
                        sdk::ImageDetail::builder()
                            .repository_name(input.repository_name().unwrap_or_default())
                            .image_digest(format!("sha256:{n:064x}"))
                            .image_tags(format!("v{n}"))
                            .image_size_in_bytes(1_000 + n as i64)
                            .image_pushed_at(DateTime::from_secs(1_700_000_000 + n as i64))
                            .build()
                    })
                    .collect(),
            ))
            .set_next_token(next)
            .build()
    });
    let ecr = adapter(&[images]);
    let listed = ecr.images("demo/api").await.unwrap();
    assert_eq!(listed.len(), TOTAL);
    assert_eq!(*asked.lock().unwrap(), [Some(PAGE_MAX); 3]);
    assert_eq!(listed[0].image_tags, ["v2499"], "newest first");
    assert_eq!(listed[0].image_size_in_bytes, 3_499);
    assert_eq!(listed[0].repository_name, "demo/api");
    assert_eq!(
        listed[0].image_pushed_at.map(|t| t.secs()),
        Some(1_700_002_499)
    );
}

#[tokio::test]
async fn describe_repositories_is_paged_and_sorted_by_name() {
    const TOTAL: usize = 1_500;
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&asked);
    let repositories = mock!(Client::describe_repositories).then_compute_output(move |input| {
        log.lock().unwrap().push(input.max_results());
        let (start, end, next) = page(input.next_token(), input.max_results(), TOTAL);
        DescribeRepositoriesOutput::builder()
            .set_repositories(Some(
                // Served in reverse name order, so sorting is the adapter's work.
                (start..end)
                    .map(|n| {
                        let name = format!("team/{:04}", TOTAL - n);
                        sdk::Repository::builder()
                            .repository_arn(format!(
                                "arn:aws:ecr:us-east-1:123456789012:repository/{name}"
                            ))
                            .repository_uri(format!(
                                "123456789012.dkr.ecr.us-east-1.amazonaws.com/{name}"
                            ))
                            .repository_name(name)
                            .image_tag_mutability(sdk::ImageTagMutability::Immutable)
                            .build()
                    })
                    .collect(),
            ))
            .set_next_token(next)
            .build()
    });
    let ecr = adapter(&[repositories]);
    let listed = ecr.list_repositories().await.unwrap();
    assert_eq!(listed.len(), TOTAL);
    assert_eq!(*asked.lock().unwrap(), [Some(PAGE_MAX); 2]);
    assert_eq!(listed[0].repository_name, "team/0001");
    assert_eq!(listed[TOTAL - 1].repository_name, "team/1500");
    assert_eq!(listed[0].image_tag_mutability.as_deref(), Some("IMMUTABLE"));
}

#[tokio::test]
async fn a_missing_repository_is_not_found_by_name_and_a_missing_policy_is_none() {
    let missing = mock!(Client::describe_images)
        .sequence()
        .http_status(
            400,
            Some(aws_error(
                "RepositoryNotFoundException",
                "The repository with name 'demo/nope' does not exist in the registry with id '123456789012'",
            )),
        )
        .repeatedly()
        .build();
    let no_policy = mock!(Client::get_lifecycle_policy)
        .match_requests(|input| input.repository_name() == Some("demo/api"))
        .sequence()
        .http_status(
            400,
            Some(aws_error(
                "LifecyclePolicyNotFoundException",
                "Lifecycle policy does not exist for the repository with name 'demo/api'",
            )),
        )
        .repeatedly()
        .build();
    let policy = mock!(Client::get_lifecycle_policy)
        .match_requests(|input| input.repository_name() == Some("demo/worker"))
        .then_output(|| {
            GetLifecyclePolicyOutput::builder()
                .repository_name("demo/worker")
                .lifecycle_policy_text(r#"{"rules":[]}"#)
                .build()
        });
    let missing_repository = mock!(Client::describe_repositories)
        .sequence()
        .http_status(
            400,
            Some(aws_error(
                "RepositoryNotFoundException",
                "The repository with name 'demo/nope' does not exist in the registry with id '123456789012'",
            )),
        )
        .repeatedly()
        .build();
    let ecr = adapter(&[missing, missing_repository, no_policy, policy]);
    for error in [
        ecr.images("demo/nope").await.unwrap_err(),
        ecr.repository("demo/nope").await.unwrap_err(),
    ] {
        assert_eq!(
            error,
            SourceError::NotFound {
                kind: "repository",
                name: "demo/nope".into()
            }
        );
    }
    assert_eq!(ecr.lifecycle_policy("demo/api").await.unwrap(), None);
    assert_eq!(
        ecr.lifecycle_policy("demo/worker")
            .await
            .unwrap()
            .as_deref(),
        Some(r#"{"rules":[]}"#)
    );
}

#[tokio::test]
async fn access_denied_names_the_ecr_action() {
    let denied = mock!(Client::describe_repositories)
        .sequence()
        .http_status(
            400,
            Some(aws_error(
                "AccessDeniedException",
                "User is not authorized to perform: ecr:DescribeRepositories",
            )),
        )
        .repeatedly()
        .build();
    let ecr = adapter(&[denied]);
    match ecr.list_repositories().await.unwrap_err() {
        SourceError::AccessDenied { action, .. } => assert_eq!(action, "ecr:DescribeRepositories"),
        other => panic!("expected access denied, got {other:?}"),
    }
}
