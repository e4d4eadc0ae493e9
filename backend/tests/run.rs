//! Running standalone tasks in process, on the sandbox: a run is previewed (changing
//! nothing), then run once per client token; bad input names its field and starts nothing.

mod support;

use axum::{Router, http::Method};
use serde_json::{Value, json};

use support::{app, get, json_request, send};

async fn post(app: &Router, path: &str, body: &Value) -> (u16, Value) {
    let (status, body) = send(app, json_request(Method::POST, path, &body.to_string())).await;
    (status.as_u16(), body)
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
            .contains("--count 2 --launch-type EC2 --group 'family:nightly-by-hand'"),
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
        for path in [
            "/api/clusters/demo-ec2/tasks/preview",
            "/api/clusters/demo-ec2/tasks",
        ] {
            let (status, answer) = post(&app, path, &body).await;
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
    let (status, missing) = post(
        &app,
        "/api/clusters/nope/tasks/preview",
        &json!({"taskDefinition": "batch-report"}),
    )
    .await;
    assert_eq!(status, 404, "{missing}");
}
