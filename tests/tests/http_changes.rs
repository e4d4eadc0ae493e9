//! Changes through the API against the sandbox: task definitions, services and tasks behave
//! as ECS does (placement engine, scale-in order, rolling deployments) and are saved.

use std::time::Duration;

use berth_tests::{berth::Berth, poll_until};
use serde_json::{Value, json};

fn live(snapshot: &Value, service: &str) -> Vec<Value> {
    snapshot["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["group"] == format!("service:{service}") && t["lastStatus"] == "RUNNING")
        .cloned()
        .collect()
}

/// The cluster's snapshot once `settled` holds for it (the sandbox's clock has moved on).
async fn once(berth: &Berth, cluster: &str, settled: impl Fn(&Value) -> bool) -> Value {
    poll_until(Duration::from_secs(30), || async {
        let (_, snapshot) = berth.get(&format!("/api/clusters/{cluster}")).await;
        settled(&snapshot).then_some(snapshot)
    })
    .await
    .expect("the sandbox gets there")
}

fn service<'a>(snapshot: &'a Value, name: &str) -> &'a Value {
    snapshot["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["serviceName"] == name)
        .unwrap()
}

#[tokio::test]
async fn task_definitions_register_validate_describe_and_deregister() {
    let berth = Berth::start("changes-task-definitions", &[], &[]);
    let (status, families) = berth.get("/api/task-definitions").await;
    assert_eq!(status, 200);
    let api = families["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["family"] == "api")
        .unwrap()
        .clone();
    assert_eq!(api["revisions"][0]["revision"], 7);

    let (status, latest) = berth.get("/api/task-definitions/api").await;
    assert_eq!(status, 200);
    assert_eq!(latest["revision"], 7);
    let (status, by_arn) = berth
        .get(&format!(
            "/api/task-definitions/{}",
            latest["taskDefinitionArn"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200, "{by_arn}");
    assert_eq!(by_arn["revision"], 7);

    let mut next = latest.clone();
    next.as_object_mut().unwrap().retain(|k, _| {
        !["taskDefinitionArn", "revision", "status", "registeredAt"].contains(&k.as_str())
    });
    next["containerDefinitions"][0]["image"] =
        json!("123456789012.dkr.ecr.us-east-1.amazonaws.com/demo/api:v1.8.0");
    let (status, registered) = berth
        .send(
            reqwest::Method::POST,
            "/api/task-definitions",
            Some(next.clone()),
        )
        .await;
    assert_eq!(status, 200, "{registered}");
    assert_eq!(registered["resource"]["revision"], 8);
    assert_eq!(
        registered["resource"]["containerDefinitions"][0]["logConfiguration"]["logDriver"],
        "awslogs",
        "fields Berth does not model are kept"
    );

    next["containerDefinitions"][0]["memory"] = json!(-5);
    next["containerDefinitions"][1]["name"] = json!("");
    let (status, error) = berth
        .send(reqwest::Method::POST, "/api/task-definitions", Some(next))
        .await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["code"], "invalid_input");
    let paths: Vec<_> = error["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        paths.contains(&"containerDefinitions[0].memory".to_owned()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"containerDefinitions[1].name".to_owned()),
        "{paths:?}"
    );

    let (status, gone) = berth
        .send(reqwest::Method::DELETE, "/api/task-definitions/api:8", None)
        .await;
    assert_eq!(status, 200, "{gone}");
    assert_eq!(gone["resource"]["status"], "INACTIVE");
    let (status, missing) = berth.get("/api/task-definitions/nope:3").await;
    assert_eq!(status, 404, "{missing}");
}

#[tokio::test]
async fn services_scale_deploy_and_replace_stopped_tasks() {
    let berth = Berth::start("changes-services", &[], &[]);
    let (status, updated) = berth
        .send(
            reqwest::Method::PUT,
            "/api/clusters/demo-ec2/services/web-frontend",
            Some(json!({"desiredCount": 9})),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["resource"]["desiredCount"], 9);
    assert_eq!(updated["resource"]["pendingCount"], 3, "{updated}");
    once(&berth, "demo-ec2", |s| live(s, "web-frontend").len() == 9).await;

    let (status, deployed) = berth
        .send(
            reqwest::Method::PUT,
            "/api/clusters/demo-ec2/services/web-frontend",
            Some(json!({"forceNewDeployment": true})),
        )
        .await;
    assert_eq!(status, 200, "{deployed}");
    let deployment = &deployed["resource"]["deployments"][0];
    assert_eq!(deployment["rolloutState"], "IN_PROGRESS", "{deployed}");
    let snapshot = once(&berth, "demo-ec2", |s| {
        service(s, "web-frontend")["deployments"][0]["rolloutState"] == "COMPLETED"
    })
    .await;
    let tasks = live(&snapshot, "web-frontend");
    assert_eq!(tasks.len(), 9);
    assert!(
        tasks.iter().all(|t| t["startedBy"] == deployment["id"]),
        "every task belongs to the new deployment"
    );

    let victim = tasks[0]["taskArn"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let (status, stopped) = berth
        .send(
            reqwest::Method::POST,
            &format!("/api/clusters/demo-ec2/tasks/{victim}/stop"),
            Some(json!({"reason": "testing"})),
        )
        .await;
    assert_eq!(status, 200, "{stopped}");
    assert_eq!(stopped["resource"]["lastStatus"], "STOPPED");
    let snapshot = once(&berth, "demo-ec2", |s| {
        live(s, "web-frontend").len() == 9
            && !live(s, "web-frontend")
                .iter()
                .any(|t| t["taskArn"].as_str().unwrap().ends_with(&victim))
    })
    .await;
    assert_eq!(
        live(&snapshot, "web-frontend").len(),
        9,
        "the scheduler replaced the stopped task"
    );

    let (status, error) = berth
        .send(
            reqwest::Method::PUT,
            "/api/clusters/demo-ec2/services/web-frontend",
            Some(json!({"desiredCount": 3, "colour": "blue"})),
        )
        .await;
    assert_eq!(status, 400, "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("colour"),
        "{error}"
    );
    let (status, error) = berth
        .send(
            reqwest::Method::PUT,
            "/api/clusters/demo-ec2/services/nope",
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 404, "{error}");
}

#[tokio::test]
async fn run_task_and_create_service_use_the_placement_engine_and_persist() {
    let berth = Berth::start("changes-tasks", &[], &[]);
    let (status, ran) = berth.send(reqwest::Method::POST,
        "/api/clusters/demo-ec2/tasks",
        Some(json!({"taskDefinition": "batch-report", "count": 2,
                    "placementConstraints": [{"type": "memberOf", "expression": "attribute:stack == green"}]})),
    )
    .await;
    assert_eq!(status, 200, "{ran}");
    let (_, snapshot) = berth.get("/api/clusters/demo-ec2").await;
    let instances = snapshot["containerInstances"].as_array().unwrap();
    for task in ran["resource"]["tasks"].as_array().unwrap() {
        let host = instances
            .iter()
            .find(|i| i["containerInstanceArn"] == task["containerInstanceArn"])
            .unwrap();
        let stack = host["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "stack")
            .unwrap();
        assert_eq!(stack["value"], "green");
    }

    let (status, created) = berth
        .send(
            reqwest::Method::POST,
            "/api/clusters/demo-small/services",
            Some(
                json!({"serviceName": "reports", "taskDefinition": "scheduler", "desiredCount": 1}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["resource"]["pendingCount"], 1, "{created}");
    once(&berth, "demo-small", |s| {
        service(s, "reports")["runningCount"] == 1
            && service(s, "reports")["deployments"][0]["rolloutState"] == "COMPLETED"
    })
    .await;

    let (status, error) = berth
        .send(
            reqwest::Method::POST,
            "/api/clusters/demo-small/tasks",
            Some(json!({"count": 1})),
        )
        .await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["field"], "taskDefinition", "{error}");
    let malformed = reqwest::Client::new()
        .post(format!("{}/api/clusters/demo-small/tasks", berth.url))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status().as_u16(), 400);
    let body: Value = malformed.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("not valid JSON"),
        "{body}"
    );

    let state = std::fs::read_to_string(berth.dir.join("state.json")).unwrap();
    assert!(state.contains("\"reports\""), "the new service is saved");
}

#[tokio::test]
async fn out_of_range_changes_are_refused_naming_the_field() {
    let berth = Berth::start("changes-out-of-range", &[], &[]);
    berth.refuses_out_of_range_changes("demo-ec2", "api").await;
}
