//! `berth --aws --endpoint-url <moto>`: ECR through the SDK path, compared with what moto
//! itself answers through the SDK.

use std::collections::BTreeSet;

use berth_tests::{
    berth::Berth,
    fixtures,
    moto::{AWS_ENV, Moto},
};

#[tokio::test]
async fn lists_motos_repositories_and_images_as_the_sdk_describes_them() {
    let moto = Moto::start().await;
    let registry = fixtures::seed_registry(&moto).await;
    let berth = Berth::start(
        "moto-ecr-list",
        &["--aws", "--endpoint-url", &moto.url],
        AWS_ENV,
    );
    let ecr = fixtures::ecr(&moto).await;

    let (status, body) = berth.get("/api/repositories").await;
    assert_eq!(status, 200, "{body}");
    let listed = body["repositories"].as_array().unwrap();
    let counts: Vec<_> = listed
        .iter()
        .map(|r| {
            (
                r["repository"]["repositoryName"].as_str().unwrap(),
                r["imageCount"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    assert_eq!(counts, registry.repositories);

    let described = ecr.describe_repositories().send().await.unwrap();
    for summary in listed {
        let repository = &summary["repository"];
        let reference = described
            .repositories()
            .iter()
            .find(|r| r.repository_name() == repository["repositoryName"].as_str())
            .unwrap();
        assert_eq!(
            repository["repositoryArn"],
            reference.repository_arn().unwrap()
        );
        assert_eq!(
            repository["repositoryUri"],
            reference.repository_uri().unwrap()
        );
        assert_eq!(repository["registryId"], reference.registry_id().unwrap());
        assert_eq!(
            repository["imageTagMutability"],
            reference.image_tag_mutability().unwrap().as_str()
        );
    }

    // Berth's images of it/api are exactly moto's DescribeImages, newest first.
    let (status, body) = berth.get("/api/repositories/it/api/images").await;
    assert_eq!(status, 200, "{body}");
    let images = body["imageDetails"].as_array().unwrap();
    let ours: BTreeSet<(String, Vec<String>, i64)> = images
        .iter()
        .map(|i| {
            (
                i["imageDigest"].as_str().unwrap().to_owned(),
                i["imageTags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_owned())
                    .collect(),
                i["imageSizeInBytes"].as_i64().unwrap(),
            )
        })
        .collect();
    let theirs: BTreeSet<(String, Vec<String>, i64)> = ecr
        .describe_images()
        .repository_name("it/api")
        .send()
        .await
        .unwrap()
        .image_details()
        .iter()
        .map(|i| {
            (
                i.image_digest().unwrap().to_owned(),
                i.image_tags().to_vec(),
                i.image_size_in_bytes().unwrap(),
            )
        })
        .collect();
    assert_eq!(ours, theirs);
    assert!(
        ours.iter().any(|(_, tags, _)| tags.is_empty()),
        "the untagged build is listed: {ours:?}"
    );
    assert!(images.iter().all(|i| i["imagePushedAt"].is_string()));
}

#[tokio::test]
async fn previews_a_lifecycle_policy_put_through_the_sdk() {
    let moto = Moto::start().await;
    let registry = fixtures::seed_registry(&moto).await;
    let berth = Berth::start(
        "moto-ecr-preview",
        &["--aws", "--endpoint-url", &moto.url],
        AWS_ENV,
    );

    let (status, detail) = berth.get("/api/repositories/it%2Fapi").await;
    assert_eq!(status, 200, "{detail}");
    let text = detail["lifecyclePolicyText"].as_str().unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(text).unwrap(),
        registry.policy
    );
    let preview = &detail["lifecyclePreview"];
    assert_eq!(preview["kind"], "evaluated", "{preview}");
    let verdicts = preview["result"]["images"].as_array().unwrap();
    assert_eq!(verdicts.len(), 6);
    // moto stamps every push "now": rule 1 (untagged, older than a day) expires nothing, and
    // rule 2 keeps two of the five `v` images and expires three.
    let expiring: Vec<_> = verdicts.iter().filter(|v| v["expires"] == true).collect();
    assert_eq!(expiring.len(), 3, "{verdicts:?}");
    assert!(expiring.iter().all(|v| v["appliedRulePriority"] == 2));
    assert_eq!(preview["result"]["expiringCount"], 3);
    let untagged = verdicts
        .iter()
        .find(|v| v["imageTags"].as_array().unwrap().is_empty())
        .unwrap();
    assert_eq!(untagged["expires"], false, "{untagged}");

    // `it-api` (a task definition and a service in moto's ECS) names it/api:v5.
    let images = detail["imageDetails"].as_array().unwrap();
    let v5 = images
        .iter()
        .find(|i| i["imageTags"] == serde_json::json!(["v5"]))
        .unwrap()["imageDigest"]
        .clone();
    let usage = detail["usage"].as_array().unwrap();
    assert_eq!(usage.len(), 1, "{usage:?}");
    assert_eq!(usage[0]["imageDigest"], v5);
    assert_eq!(
        usage[0]["taskDefinitions"],
        serde_json::json!([registry.task_definition_arn])
    );
    assert_eq!(usage[0]["services"][0]["serviceName"], "it-api");
    assert_eq!(usage[0]["services"][0]["clusterName"], "it-registry");
    let v5_verdict = verdicts.iter().find(|v| v["imageDigest"] == v5).unwrap();
    assert_eq!(v5_verdict["inUse"], true);
}

#[tokio::test]
async fn repositories_without_a_policy_or_that_do_not_exist() {
    let moto = Moto::start().await;
    fixtures::seed_registry(&moto).await;
    let berth = Berth::start(
        "moto-ecr-missing",
        &["--aws", "--endpoint-url", &moto.url],
        AWS_ENV,
    );

    let (status, detail) = berth.get("/api/repositories/base/python").await;
    assert_eq!(status, 200, "{detail}");
    assert!(detail.get("lifecyclePolicyText").is_none(), "{detail}");
    assert!(detail.get("lifecyclePreview").is_none(), "{detail}");
    assert_eq!(detail["imageDetails"].as_array().unwrap().len(), 1);

    for path in [
        "/api/repositories/it/nope",
        "/api/repositories/it%2Fnope/images",
    ] {
        let (status, body) = berth.get(path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body["code"], "not_found");
        assert!(
            body["message"].as_str().unwrap().contains("\"it/nope\""),
            "{body}"
        );
    }
}
