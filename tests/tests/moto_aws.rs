//! `berth --aws --endpoint-url <moto>`: the SDK path against a real AWS wire protocol.

use std::time::{Duration, Instant};

/// Port 1 on loopback: nothing listens there, so connections are refused at once.
const CLOSED_ENDPOINT: &str = "http://127.0.0.1:1";

use berth_tests::{
    berth::Berth,
    fixtures,
    moto::{AWS_ENV, Moto},
};

#[tokio::test]
async fn lists_motos_clusters_with_their_counts() {
    let moto = Moto::start().await;
    let fleet = fixtures::seed_fleet(&moto).await;
    let berth = Berth::start(
        "moto-clusters",
        &["--aws", "--endpoint-url", &moto.url],
        AWS_ENV,
    );

    let (status, health) = berth.get("/api/health").await;
    assert_eq!(status, 200);
    assert_eq!(health["source"]["kind"], "aws");
    assert_eq!(health["source"]["region"], "us-east-1");
    assert_eq!(health["source"]["endpointUrl"], moto.url.as_str());

    let (status, body) = berth.get("/api/clusters").await;
    assert_eq!(status, 200, "{body}");
    let clusters = body["clusters"].as_array().unwrap();
    let names: Vec<_> = clusters
        .iter()
        .map(|c| c["clusterName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        fleet.clusters.iter().map(|c| c.0).collect::<Vec<_>>()
    );

    // Berth reports what DescribeClusters says, as the AWS console does. moto keeps its own
    // counters (it never counts services and counts run_task tasks as pending too), so the
    // reference is moto's own answer, read here directly through the SDK...
    let ecs = moto.ecs().await;
    let described = ecs
        .describe_clusters()
        .clusters("it-ec2")
        .clusters("it-empty")
        .send()
        .await
        .unwrap();
    for (cluster, reference) in clusters.iter().zip(described.clusters()) {
        assert_eq!(cluster["clusterArn"], reference.cluster_arn().unwrap());
        assert_eq!(
            cluster["registeredContainerInstancesCount"],
            reference.registered_container_instances_count()
        );
        assert_eq!(
            cluster["runningTasksCount"],
            reference.running_tasks_count()
        );
        assert_eq!(
            cluster["pendingTasksCount"],
            reference.pending_tasks_count()
        );
        assert_eq!(
            cluster["activeServicesCount"],
            reference.active_services_count()
        );
        assert_eq!(cluster["status"], reference.status().unwrap());
    }
    // ...and the counters moto does keep right match what was seeded.
    for (cluster, (name, instances, _services, running)) in clusters.iter().zip(&fleet.clusters) {
        assert_eq!(
            cluster["registeredContainerInstancesCount"], *instances,
            "{name}: {cluster}"
        );
        assert_eq!(cluster["runningTasksCount"], *running, "{name}: {cluster}");
        assert!(
            cluster["clusterArn"]
                .as_str()
                .unwrap()
                .starts_with("arn:aws:ecs:us-east-1:")
        );
    }

    let (status, one) = berth.get("/api/clusters/it-ec2").await;
    assert_eq!(status, 200);
    assert_eq!(one["cluster"]["clusterName"], "it-ec2");
    let instances = one["containerInstances"].as_array().unwrap();
    assert_eq!(instances.len(), 3, "{one}");
    let zones: Vec<_> = instances
        .iter()
        .map(|i| {
            i["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["name"] == "ecs.availability-zone")
                .unwrap()["value"]
                .clone()
        })
        .collect();
    assert_eq!(
        zones.iter().filter(|z| *z == "us-east-1a").count(),
        2,
        "{zones:?}"
    );
    assert_eq!(one["services"].as_array().unwrap().len(), 1);
    assert_eq!(one["services"][0]["serviceName"], "it-web");
    let tasks = one["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 4, "{one}");
    assert!(
        tasks
            .iter()
            .all(|t| t["group"] == "service:it-web" && t["containerInstanceArn"].is_string())
    );
    let (status, missing) = berth.get("/api/clusters/not-there").await;
    assert_eq!(status, 404, "{missing}");
    assert_eq!(missing["code"], "not_found");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_clear_retryable_error_not_a_hang() {
    let closed = CLOSED_ENDPOINT.to_owned();
    let berth = Berth::start(
        "unreachable",
        &["--aws", "--endpoint-url", &closed, "--aws-timeout", "5"],
        AWS_ENV,
    );
    let started = Instant::now();
    let (status, body) = berth.get("/api/clusters").await;
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "unavailable");
    assert_eq!(body["retryable"], true);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("ecs:ListClusters"),
        "{body}"
    );

    let (status, _) = berth.get("/api/health").await;
    assert_eq!(status, 200, "the server keeps running after AWS errors");
}

#[tokio::test]
async fn reads_are_cached_briefly_and_refresh_reads_the_source() {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    let berth = Berth::start(
        "moto-cache",
        &["--aws", "--endpoint-url", &moto.url, "--cache-ttl", "600"],
        AWS_ENV,
    );
    let (_, before) = berth.get("/api/clusters").await;
    assert_eq!(before["clusters"].as_array().unwrap().len(), 2);

    // A change made behind Berth's back (another tool, the AWS console)...
    let ecs = moto.ecs().await;
    ecs.create_cluster()
        .cluster_name("it-elsewhere")
        .send()
        .await
        .unwrap();
    // ...is not seen while the cached read is fresh...
    let (_, cached) = berth.get("/api/clusters").await;
    assert_eq!(cached["clusters"].as_array().unwrap().len(), 2);
    // ...and is seen at once with an explicit refresh.
    let (status, refreshed) = berth.get("/api/clusters?refresh=true").await;
    assert_eq!(status, 200);
    assert_eq!(
        refreshed["clusters"].as_array().unwrap().len(),
        3,
        "{refreshed}"
    );
}

/// `--log-format json`: every AWS call is a log line inside its request's span, with AWS's
/// request id; `/metrics` counts the calls by service, operation and outcome.
#[tokio::test]
async fn aws_calls_are_counted_and_logged_with_the_request_that_made_them() {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    let mut env = AWS_ENV.to_vec();
    env.push(("RUST_LOG", "info"));
    let berth = Berth::start(
        "moto-observed",
        &["--aws", "--endpoint-url", &moto.url, "--log-format", "json"],
        &env,
    );
    let response = reqwest::get(format!("{}/api/clusters", berth.url))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();

    let mut logged = None;
    for _ in 0..50 {
        logged = berth.log_lines().into_iter().find_map(|line| {
            let event: serde_json::Value = serde_json::from_str(&line).ok()?;
            let in_request = event["spans"]
                .as_array()?
                .iter()
                .any(|span| span["name"] == "request" && span["id"] == request_id.as_str());
            (in_request && event["aws.operation"] == "ListClusters").then_some(event)
        });
        if logged.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let logged = logged.unwrap_or_else(|| {
        panic!(
            "no JSON log line of ListClusters in request {request_id}: {:#?}",
            berth.log_lines()
        )
    });
    assert_eq!(logged["aws.service"], "ECS", "{logged}");
    assert_eq!(logged["ok"], true, "{logged}");
    assert!(
        logged["aws.request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "AWS's request id is logged: {logged}"
    );

    let metrics = reqwest::get(format!("{}/metrics", berth.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for sample in [
        r#"berth_aws_calls_total{service="ECS",operation="ListClusters",outcome="ok"} "#,
        r#"berth_aws_call_duration_seconds_count{service="ECS",operation="DescribeClusters"} "#,
        r#"berth_http_requests_total{method="GET",route="/api/clusters",status="200"} "#,
    ] {
        assert!(
            metrics.contains(sample),
            "{sample} missing from:\n{metrics}"
        );
    }
}
