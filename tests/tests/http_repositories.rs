//! The ECR part of the HTTP API over the sandbox account, through a real socket.

use berth_tests::berth::Berth;
use serde_json::Value;

const REPOSITORIES: [(&str, usize); 5] = [
    ("base-images/python", 6),
    ("demo/api", 25),
    ("demo/payments", 12),
    ("demo/web-frontend", 18),
    ("demo/worker", 9),
];

#[tokio::test]
async fn lists_the_demo_repositories_with_their_image_counts() {
    let berth = Berth::start("repositories", &[], &[]);
    let (status, body) = berth.get("/api/repositories").await;
    assert_eq!(status, 200, "{body}");
    let repositories = body["repositories"].as_array().unwrap();
    let listed: Vec<_> = repositories
        .iter()
        .map(|r| {
            (
                r["repository"]["repositoryName"].as_str().unwrap(),
                r["imageCount"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    assert_eq!(listed, REPOSITORIES);
    let api = &repositories[1];
    assert!(
        api["repository"]["repositoryUri"]
            .as_str()
            .unwrap()
            .ends_with(".amazonaws.com/demo/api"),
        "{api}"
    );
    assert_eq!(api["repository"]["imageTagMutability"], "IMMUTABLE");
    assert!(api["totalSizeInBytes"].as_i64().unwrap() > 25 * 48_000_000);
    assert!(api["lastPushedAt"].as_str().unwrap().ends_with('Z'));
    assert!(body["fetchedAt"].is_string());
}

#[tokio::test]
async fn lists_images_newest_first_with_tags_sizes_and_scan_findings() {
    let berth = Berth::start("repository-images", &[], &[]);
    // The slash in the name may be written as is or percent-encoded.
    for path in [
        "/api/repositories/demo/api/images",
        "/api/repositories/demo%2Fapi/images",
    ] {
        let (status, body) = berth.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["repositoryName"], "demo/api");
        let images = body["imageDetails"].as_array().unwrap();
        assert_eq!(images.len(), 25, "{path}");
        let pushed: Vec<_> = images
            .iter()
            .map(|i| i["imagePushedAt"].as_str().unwrap())
            .collect();
        assert!(
            pushed.windows(2).all(|w| w[0] >= w[1]),
            "newest first: {pushed:?}"
        );
        let newest = &images[0];
        assert_eq!(
            newest["imageTags"],
            serde_json::json!(["v1.25.0", "latest"])
        );
        assert!(
            newest["imageDigest"]
                .as_str()
                .unwrap()
                .starts_with("sha256:")
        );
        assert!(newest["imageSizeInBytes"].as_i64().unwrap() > 0);
        assert_eq!(newest["imageScanStatus"]["status"], "COMPLETE");
        assert!(
            newest["imageScanFindingsSummary"]["findingSeverityCounts"]["MEDIUM"]
                .as_i64()
                .is_some()
        );
        assert!(
            images
                .iter()
                .any(|i| i["imageTags"].as_array().unwrap().is_empty()),
            "the demo has untagged images"
        );
    }
}

fn verdict<'a>(detail: &'a Value, digest: &str) -> &'a Value {
    detail["lifecyclePreview"]["result"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["imageDigest"] == digest)
        .unwrap_or_else(|| panic!("no verdict for {digest}"))
}

#[tokio::test]
async fn previews_the_lifecycle_policy_and_says_where_images_run() {
    let berth = Berth::start("repository-detail", &[], &[]);
    let (status, detail) = berth.get("/api/repositories/demo%2Fapi").await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["repository"]["repositoryName"], "demo/api");
    let images = detail["imageDetails"].as_array().unwrap();
    assert_eq!(images.len(), 25);
    assert!(
        detail["lifecyclePolicyText"]
            .as_str()
            .unwrap()
            .contains("imageCountMoreThan")
    );

    let preview = &detail["lifecyclePreview"];
    assert_eq!(preview["kind"], "evaluated", "{preview}");
    assert_eq!(preview["policy"]["rules"].as_array().unwrap().len(), 2);
    let result = &preview["result"];
    assert_eq!(result["images"].as_array().unwrap().len(), 25);
    // Rule 2 keeps the 10 most recent `v*` images: the other tagged ones expire by it.
    let tagged = images
        .iter()
        .filter(|i| !i["imageTags"].as_array().unwrap().is_empty())
        .count();
    let by_rule_2 = result["images"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["appliedRulePriority"] == 2)
        .count();
    assert_eq!(by_rule_2, tagged - 10);
    // Rule 1 expires untagged images pushed more than 14 days ago, and only those.
    let now = berth_shared::time::Timestamp::parse_rfc3339(detail["fetchedAt"].as_str().unwrap())
        .unwrap();
    let mut by_rule_1 = 0;
    for image in images
        .iter()
        .filter(|i| i["imageTags"].as_array().unwrap().is_empty())
    {
        let pushed =
            berth_shared::time::Timestamp::parse_rfc3339(image["imagePushedAt"].as_str().unwrap())
                .unwrap();
        let verdict = verdict(&detail, image["imageDigest"].as_str().unwrap());
        if now.0 - pushed.0 > 14 * 86_400_000 {
            by_rule_1 += 1;
            assert_eq!(verdict["appliedRulePriority"], 1, "{verdict}");
            assert!(verdict["reason"].as_str().unwrap().contains("days ago"));
        } else {
            assert_eq!(verdict["expires"], false, "{verdict}");
        }
    }
    assert!(by_rule_1 > 0);
    assert_eq!(
        result["expiringCount"].as_u64().unwrap() as usize,
        by_rule_2 + by_rule_1
    );

    // The demo `api` service runs the latest revision of the `api` family (api:7), whose
    // containers name `demo/api:v1.7.0`: that image runs, in a service and its tasks. Rule 2
    // keeps only the 10 most recent `v*` images, so it would expire it anyway: the preview
    // must say it is still in use.
    let usage = detail["usage"].as_array().unwrap();
    let running = images
        .iter()
        .find(|i| i["imageTags"] == serde_json::json!(["v1.7.0"]))
        .unwrap()["imageDigest"]
        .as_str()
        .unwrap();
    let in_use = usage
        .iter()
        .find(|u| u["imageDigest"] == running)
        .unwrap_or_else(|| panic!("v1.7.0 runs: {usage:?}"));
    assert!(
        in_use["taskDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|arn| arn.as_str().unwrap().ends_with(":task-definition/api:7")),
        "{in_use}"
    );
    let services = in_use["services"].as_array().unwrap();
    assert!(
        services
            .iter()
            .any(|s| s["serviceName"] == "api" && s["clusterName"] == "demo-ec2"),
        "{services:?}"
    );
    assert!(!in_use["tasks"].as_array().unwrap().is_empty(), "{in_use}");
    let running_verdict = verdict(&detail, running);
    assert_eq!(running_verdict["inUse"], true, "{running_verdict}");
    assert_eq!(
        running_verdict["appliedRulePriority"], 2,
        "{running_verdict}"
    );
    assert!(
        result["expiringInUse"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == running),
        "{result}"
    );
    // The newest image is not named by any task definition.
    let newest = images[0]["imageDigest"].as_str().unwrap();
    assert!(usage.iter().all(|u| u["imageDigest"] != newest));
    assert_eq!(verdict(&detail, newest)["expires"], false);
    assert!(detail.get("usageProblem").is_none(), "{detail}");
}

#[tokio::test]
async fn a_repository_without_a_policy_has_no_preview() {
    let berth = Berth::start("repository-no-policy", &[], &[]);
    let (status, detail) = berth.get("/api/repositories/demo/payments").await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["repository"]["repositoryName"], "demo/payments");
    assert_eq!(detail["imageDetails"].as_array().unwrap().len(), 12);
    assert!(detail.get("lifecyclePolicyText").is_none(), "{detail}");
    assert!(detail.get("lifecyclePreview").is_none(), "{detail}");
}

#[tokio::test]
async fn unknown_repositories_are_a_json_404_naming_them() {
    let berth = Berth::start("repository-unknown", &[], &[]);
    for path in [
        "/api/repositories/demo%2Fnope",
        "/api/repositories/demo/nope",
        "/api/repositories/demo/nope/images",
    ] {
        let (status, body) = berth.get(path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body["code"], "not_found");
        assert_eq!(body["retryable"], false);
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("repository") && message.contains("demo/nope"),
            "{path}: {message}"
        );
    }
    let (status, body) = berth.get("/api/repositories/demo%2").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "invalid_input");
}
