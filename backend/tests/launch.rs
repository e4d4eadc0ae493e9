//! Starting new work in process, on the sandbox: standalone tasks and new services are
//! previewed (changing nothing), then started once per client token; bad input names its
//! field and starts nothing.

mod support;

use axum::{Router, http::Method};
use serde_json::{Value, json};

use support::{app, get, json_request, send};

async fn post(app: &Router, path: &str, body: &Value) -> (u16, Value) {
    let (status, body) = send(app, json_request(Method::POST, path, &body.to_string())).await;
    (status.as_u16(), body)
}

/// `body` is refused at `field` by `path` (400) and by its preview (`preview_path`: blocked
/// with a problem at `field`, or 400 when the request itself is malformed).
async fn assert_refused(app: &Router, path: &str, body: &Value, field: &str) {
    let preview_path = match path.strip_suffix("/services") {
        Some(cluster) => format!("{cluster}/new-service/preview"),
        None => format!("{path}/preview"),
    };
    for path in [preview_path.as_str(), path] {
        let (status, answer) = post(app, path, body).await;
        if path.ends_with("preview") && status == 200 {
            assert_eq!(answer["blocked"], true, "{path} {body}: {answer}");
            assert!(
                answer["problems"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["path"] == field),
                "{path} {body}: {answer}"
            );
        } else {
            assert_eq!(status, 400, "{path} {body}: {answer}");
            assert_eq!(answer["field"], field, "{path} {body}: {answer}");
        }
    }
}

/// Tasks of `group` in demo-ec2.
async fn tasks_in(app: &Router, group: &str) -> usize {
    let (_, snapshot) = get(app, "/api/clusters/demo-ec2?refresh").await;
    snapshot["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["group"] == group)
        .count()
}

#[tokio::test]
async fn a_previewed_run_starts_its_tasks_once_per_token() {
    let app = app("run-once").await;
    let request = json!({
        "taskDefinition": "batch-report", "count": 2, "launchType": "EC2",
        "group": "family:nightly-by-hand", "clientToken": "run-1"
    });

    let (status, preview) = post(&app, "/api/clusters/demo-ec2/tasks/preview", &request).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["blocked"], false, "{preview}");
    assert_eq!(preview["count"], 2);
    assert_eq!(preview["placement"]["placed"], 2, "{preview}");
    assert_eq!(preview["calls"][0]["operation"], "RunTask");
    assert!(
        preview["calls"][0]["commandLine"]
            .as_str()
            .unwrap()
            .contains("--count 2 --launch-type EC2 --group family:nightly-by-hand"),
        "{preview}"
    );
    assert_eq!(
        tasks_in(&app, "family:nightly-by-hand").await,
        0,
        "a preview runs nothing"
    );

    let (status, ran) = post(&app, "/api/clusters/demo-ec2/tasks", &request).await;
    assert_eq!(status, 200, "{ran}");
    assert_eq!(ran["resource"]["tasks"].as_array().unwrap().len(), 2);
    let (status, again) = post(&app, "/api/clusters/demo-ec2/tasks", &request).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, ran, "the same token answers the same run");
    assert_eq!(tasks_in(&app, "family:nightly-by-hand").await, 2);
}

#[tokio::test]
async fn bad_runs_are_named_and_start_nothing() {
    let app = app("run-bad").await;
    for (body, field) in [
        (
            json!({"taskDefinition": "batch-report", "count": 11}),
            "count",
        ),
        (
            json!({"taskDefinition": "no-such-family"}),
            "taskDefinition",
        ),
        (
            json!({"taskDefinition": "batch-report", "clientToken": "not ok!"}),
            "clientToken",
        ),
    ] {
        assert_refused(&app, "/api/clusters/demo-ec2/tasks", &body, field).await;
    }
    let (status, missing) = post(
        &app,
        "/api/clusters/nope/tasks/preview",
        &json!({"taskDefinition": "batch-report"}),
    )
    .await;
    assert_eq!(status, 404, "{missing}");
}

#[tokio::test]
async fn a_previewed_service_is_created_once_per_token_with_its_load_balancer() {
    let app = app("create-once").await;
    let target_group =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
    let request = json!({
        "serviceName": "web-canary", "taskDefinition": "web-frontend", "desiredCount": 2,
        "launchType": "EC2",
        "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}],
        "loadBalancers": [{"targetGroupArn": target_group, "containerName": "web", "containerPort": 8080}],
        "clientToken": "create-1"
    });

    let (status, preview) =
        post(&app, "/api/clusters/demo-ec2/new-service/preview", &request).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["blocked"], false, "{preview}");
    assert_eq!(preview["tasks"], 2);
    assert_eq!(preview["placement"]["placed"], 2, "{preview}");
    assert_eq!(preview["calls"][0]["operation"], "CreateService");
    let line = preview["calls"][0]["commandLine"].as_str().unwrap();
    assert!(
        line.contains("--service-name 'web-canary'") && line.contains("--load-balancers '["),
        "{line}"
    );
    let (_, snapshot) = get(&app, "/api/clusters/demo-ec2?refresh").await;
    assert!(
        !snapshot["services"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["serviceName"] == "web-canary"),
        "a preview creates nothing"
    );

    let (status, created) = post(&app, "/api/clusters/demo-ec2/services", &request).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["resource"]["serviceName"], "web-canary");
    assert_eq!(
        created["resource"]["loadBalancers"][0]["targetGroupArn"],
        target_group
    );
    let (status, again) = post(&app, "/api/clusters/demo-ec2/services", &request).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, created, "the same token answers the same creation");

    let (status, preview) =
        post(&app, "/api/clusters/demo-ec2/new-service/preview", &request).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["blocked"], true, "the name is taken now: {preview}");
    assert_eq!(preview["problems"][0]["path"], "serviceName", "{preview}");
}

#[tokio::test]
async fn bad_services_are_named_and_create_nothing() {
    let app = app("create-bad").await;
    let target_group = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1";
    for (body, field) in [
        (
            json!({"serviceName": "api", "taskDefinition": "api"}),
            "serviceName",
        ),
        (
            json!({"serviceName": "x", "taskDefinition": "no-such-family"}),
            "taskDefinition",
        ),
        (
            json!({"serviceName": "x y", "taskDefinition": "api"}),
            "serviceName",
        ),
        (
            json!({"serviceName": "x", "taskDefinition": "api", "desiredCount": 5001}),
            "desiredCount",
        ),
        (
            json!({"serviceName": "x", "taskDefinition": "api", "launchType": "FARGATE",
                   "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}}),
            "launchType",
        ),
        (
            json!({"serviceName": "x", "taskDefinition": "worker", "launchType": "FARGATE"}),
            "networkConfiguration",
        ),
        (
            json!({"serviceName": "x", "taskDefinition": "api", "loadBalancers": [
                {"targetGroupArn": target_group, "containerName": "api", "containerPort": 80}]}),
            "loadBalancers[0].containerPort",
        ),
        (
            json!({"serviceName": "x", "taskDefinition": "api", "loadBalancers": [
                {"targetGroupArn": "tg-1", "containerName": "api", "containerPort": 3000}]}),
            "loadBalancers[0].targetGroupArn",
        ),
    ] {
        assert_refused(&app, "/api/clusters/demo-ec2/services", &body, field).await;
    }
    let (_, snapshot) = get(&app, "/api/clusters/demo-ec2?refresh").await;
    assert!(
        !snapshot["services"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["serviceName"] == "x"),
        "nothing was created"
    );
}
