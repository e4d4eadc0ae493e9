//! One `berth` serving several sources: moto in two regions and the sandbox, each chosen per
//! request with `?source=`, through the real binary over HTTP.

use aws_sdk_ecs::Client;
use berth_tests::{
    berth::Berth,
    fixtures,
    moto::{AWS_ENV, Moto},
};
use serde_json::Value;

fn cluster_names(body: &Value) -> Vec<&str> {
    body["clusters"]
        .as_array()
        .expect("a list of clusters")
        .iter()
        .filter_map(|c| c["clusterName"].as_str())
        .collect()
}

#[tokio::test]
async fn each_request_reads_the_source_it_names() {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    Client::new(&moto.sdk_config_in("eu-west-1"))
        .create_cluster()
        .cluster_name("it-ireland")
        .send()
        .await
        .expect("create_cluster in eu-west-1");
    let berth = Berth::start(
        "moto-sources",
        &[
            "--aws",
            "--endpoint-url",
            &moto.url,
            "--regions",
            "us-east-1,eu-west-1",
        ],
        AWS_ENV,
    );

    let (status, sources) = berth.get("/api/sources").await;
    assert_eq!(status, 200, "{sources}");
    assert_eq!(sources["defaultSource"], "aws:us-east-1");
    let offered: Vec<&str> = sources["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(offered, ["sandbox", "aws:us-east-1", "aws:eu-west-1"]);
    assert_eq!(sources["sources"][2]["name"], "Europe (Ireland)");

    // No source: the default region. Each region sees only its own clusters.
    let (_, default) = berth.get("/api/clusters").await;
    assert_eq!(cluster_names(&default), ["it-ec2", "it-empty"]);
    let (_, ireland) = berth.get("/api/clusters?source=aws:eu-west-1").await;
    assert_eq!(cluster_names(&ireland), ["it-ireland"]);
    let (_, encoded) = berth.get("/api/clusters?source=aws%3Aeu-west-1").await;
    assert_eq!(cluster_names(&encoded), ["it-ireland"]);
    let (status, snapshot) = berth
        .get("/api/clusters/it-ireland?source=aws:eu-west-1&refresh")
        .await;
    assert_eq!(status, 200, "{snapshot}");
    assert_eq!(snapshot["cluster"]["clusterName"], "it-ireland");
    let (status, missing) = berth.get("/api/clusters/it-ireland").await;
    assert_eq!(status, 404, "{missing}");

    // The sandbox beside AWS: its demo fleet, saved in the test's own directory.
    let (_, sandbox) = berth.get("/api/clusters?source=sandbox").await;
    assert_eq!(
        cluster_names(&sandbox),
        ["demo-ec2", "demo-fargate", "demo-small"]
    );

    // Health names the source of the request.
    let (_, health) = berth.get("/api/health?source=aws:eu-west-1").await;
    assert_eq!(health["source"]["kind"], "aws");
    assert_eq!(health["source"]["region"], "eu-west-1");
    let (_, health) = berth.get("/api/health?source=sandbox").await;
    assert_eq!(health["source"]["kind"], "sandbox");

    // Sources this server does not offer, or that are not sources, are refused in words.
    for (query, needle) in [
        (
            "aws:ap-south-1",
            "does not offer the source \"aws:ap-south-1\"",
        ),
        (
            "gcp:europe-west1",
            "expected \"sandbox\" or \"aws:<region>\"",
        ),
        ("aws:Ireland", "not an AWS region code"),
    ] {
        let (status, error) = berth.get(&format!("/api/clusters?source={query}")).await;
        assert_eq!(status, 400, "{error}");
        assert_eq!(error["code"], "invalid_input");
        assert_eq!(error["field"], "source");
        assert!(
            error["message"].as_str().unwrap().contains(needle),
            "{error}"
        );
    }
}

#[tokio::test]
async fn aws_is_offered_only_when_asked_and_missing_credentials_are_explained() {
    let no_credentials = [
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ("AWS_ACCESS_KEY_ID", ""),
        ("AWS_SECRET_ACCESS_KEY", ""),
    ];
    // A plain server never reaches for the machine's AWS credentials.
    let plain = Berth::start("sources-sandbox-only", &[], &no_credentials);
    let (_, sources) = plain.get("/api/sources").await;
    assert_eq!(sources["defaultSource"], "sandbox");
    let offered: Vec<&str> = sources["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(offered, ["sandbox"], "{sources}");
    let (status, error) = plain.get("/api/clusters?source=aws:eu-central-1").await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["field"], "source", "{error}");

    // Regions named with --regions are offered beside the sandbox.
    let berth = Berth::start(
        "sources-no-credentials",
        &["--aws-timeout", "5", "--regions", "eu-central-1"],
        &no_credentials,
    );
    let (_, sources) = berth.get("/api/sources").await;
    assert_eq!(sources["defaultSource"], "sandbox");
    let offered = sources["sources"].as_array().unwrap();
    assert_eq!(offered[0]["name"], "Sandbox (simulated us-east-1)");
    assert!(
        offered.len() == 2
            && offered
                .iter()
                .any(|s| s["id"] == "aws:eu-central-1" && s["name"] == "Europe (Frankfurt)"),
        "{sources}"
    );

    let (status, error) = berth.get("/api/clusters?source=aws:eu-central-1").await;
    assert_eq!(status, 503, "{error}");
    assert_eq!(error["code"], "unavailable");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("no AWS credentials were found") && message.contains("aws configure"),
        "{message}"
    );
}
