//! A task's container logs in process, on the sandbox: a running container's stream starts
//! with its start-up lines and is searched and followed; a task whose image tag is missing
//! from the repository never starts, so its container has no stream and the answer says why;
//! bad input names its field.

mod support;

use std::time::Duration;

use axum::http::Method;
use serde_json::Value;

use support::{app, get, json_request, new_image, send};

fn messages(logs: &Value) -> Vec<&str> {
    logs["events"]
        .as_array()
        .unwrap_or_else(|| panic!("events in {logs}"))
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect()
}

/// The id of the first task of `service` in demo-ec2 for which `wanted` holds.
async fn task_where(
    app: &axum::Router,
    service: &str,
    wanted: impl Fn(&Value) -> bool,
) -> Option<String> {
    let (_, snapshot) = get(app, "/api/clusters/demo-ec2?refresh").await;
    snapshot["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["group"] == format!("service:{service}"))
        .find(|t| wanted(t))
        .map(|t| {
            let arn = t["taskArn"].as_str().unwrap();
            arn.rsplit('/').next().unwrap().to_owned()
        })
}

#[tokio::test]
async fn a_running_containers_lines_are_read_searched_and_followed() {
    let app = app("logs-running").await;
    let task = task_where(&app, "web-frontend", |t| t["lastStatus"] == "RUNNING")
        .await
        .expect("a running web-frontend task");
    let path = format!("/api/clusters/demo-ec2/tasks/{task}/logs");

    let (status, logs) = get(&app, &path).await;
    assert_eq!(status, 200, "{logs}");
    assert_eq!(logs["container"], "web");
    assert_eq!(logs["location"]["group"], "/ecs/web-frontend");
    assert_eq!(
        logs["location"]["stream"],
        format!("web/web/{task}").as_str()
    );
    let lines = messages(&logs);
    assert!(lines.len() > 5, "{logs}");
    // RFC 3339 with milliseconds: ordered as text.
    let times: Vec<&str> = logs["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["timestamp"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first");

    let (_, found) = get(&app, &format!("{path}?filter=GET%20200")).await;
    assert!(!messages(&found).is_empty(), "{found}");
    assert!(
        messages(&found)
            .iter()
            .all(|m| m.contains("GET") && m.contains("200")),
        "{found}"
    );
    assert!(found["searched"].as_u64().unwrap() >= messages(&found).len() as u64);

    // Following from the token never repeats a line.
    let token = logs["nextToken"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let (_, next) = get(&app, &format!("{path}?token={token}")).await;
    let last = *times.last().unwrap();
    assert!(
        next["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["timestamp"].as_str().unwrap() > last),
        "{next}"
    );

    // Another container of the task, and bad input by name.
    let (_, router) = get(&app, &format!("{path}?container=log-router")).await;
    assert_eq!(router["container"], "log-router", "{router}");
    for (query, field) in [
        ("container=nope", "container"),
        ("limit=0", "limit"),
        ("limit=5000", "limit"),
        ("token=yesterday", "token"),
    ] {
        let (status, error) = get(&app, &format!("{path}?{query}")).await;
        assert_eq!(status, 400, "{query}: {error}");
        assert_eq!(error["field"], field, "{query}: {error}");
    }
    let (status, error) = get(&app, "/api/clusters/demo-ec2/tasks/0000/logs").await;
    assert_eq!(status, 404, "{error}");
}

#[tokio::test]
async fn a_container_that_never_started_has_no_lines_and_the_stopped_reason_says_why() {
    let app = app("logs-pull-error").await;
    let change = new_image(&app, "v404", None).await;
    let (status, deployed) = send(
        &app,
        json_request(
            Method::POST,
            "/api/clusters/demo-ec2/services/web-frontend/deploy",
            &change.to_string(),
        ),
    )
    .await;
    assert_eq!(status, 200, "{deployed}");
    let mut failed = None;
    for _ in 0..100 {
        failed = task_where(&app, "web-frontend", |t| {
            t["stoppedReason"]
                .as_str()
                .is_some_and(|r| r.contains("CannotPullContainerError"))
        })
        .await;
        if failed.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let task = failed.expect("a task of the bad tag failed to start");
    let (status, logs) = get(&app, &format!("/api/clusters/demo-ec2/tasks/{task}/logs")).await;
    assert_eq!(status, 200, "{logs}");
    assert!(messages(&logs).is_empty(), "{logs}");
    assert!(
        logs["unavailable"]
            .as_str()
            .unwrap()
            .contains("No lines yet"),
        "{logs}"
    );
    assert!(
        logs["stoppedReason"]
            .as_str()
            .unwrap()
            .contains("CannotPullContainerError"),
        "{logs}"
    );
}
