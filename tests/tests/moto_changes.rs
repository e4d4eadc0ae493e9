//! Changes through `berth --aws` against a real moto server: every mutation reaches AWS's
//! wire protocol and what berth answers matches what moto then reports through the SDK.

use berth_tests::{
    berth::Berth,
    fixtures,
    moto::{AWS_ENV, Moto},
};
use serde_json::json;

#[tokio::test]
async fn every_change_reaches_aws_and_reads_back() {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    let ecs = moto.ecs().await;
    let berth = Berth::start(
        "moto-changes",
        &["--aws", "--endpoint-url", &moto.url],
        AWS_ENV,
    );

    // Register: validated by Berth, then sent through the SDK with the fields it carries.
    let definition = json!({
        "family": "it-worker",
        "networkMode": "bridge",
        "containerDefinitions": [{
            "name": "worker", "image": "public.ecr.aws/docker/library/busybox:1.36", "cpu": 128,
            "memory": 256, "essential": true, "command": ["sleep", "3600"],
            "environment": [{"name": "MODE", "value": "batch"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/it-worker"}}
        }]
    });
    let (status, registered) = berth
        .send(reqwest::Method::POST, "/api/task-definitions", definition)
        .await;
    assert_eq!(status, 200, "{registered}");
    assert_eq!(registered["resource"]["revision"], 1);
    assert!(
        registered["requestId"].is_string(),
        "the AWS request id is returned: {registered}"
    );
    let described = ecs
        .describe_task_definition()
        .task_definition("it-worker:1")
        .send()
        .await
        .unwrap();
    let container = &described.task_definition().unwrap().container_definitions()[0];
    assert_eq!(container.command(), ["sleep", "3600"]);
    assert_eq!(
        container.log_configuration().unwrap().log_driver().as_str(),
        "awslogs"
    );

    let (status, read) = berth.get("/api/task-definitions/it-worker:1").await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(
        read["containerDefinitions"][0]["command"],
        json!(["sleep", "3600"])
    );
    let (_, families) = berth.get("/api/task-definitions").await;
    let names: Vec<_> = families["families"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["family"].clone())
        .collect();
    assert!(
        names.contains(&json!("it-worker")) && names.contains(&json!("it-web")),
        "{names:?}"
    );

    // A field Berth cannot send yet is refused by name rather than dropped.
    let unsupported = json!({"family": "it-x", "containerDefinitions": [
        {"name": "x", "image": "busybox", "memory": 64, "firelensConfiguration": {"type": "fluentbit"}}]});
    let (status, error) = berth
        .send(reqwest::Method::POST, "/api/task-definitions", unsupported)
        .await;
    assert_eq!(status, 400, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("firelensConfiguration"),
        "{error}"
    );

    // Update a service's desired count.
    let (status, updated) = berth
        .send(
            reqwest::Method::PUT,
            "/api/clusters/it-ec2/services/it-web",
            json!({"desiredCount": 6}),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["resource"]["desiredCount"], 6);
    let services = ecs
        .describe_services()
        .cluster("it-ec2")
        .services("it-web")
        .send()
        .await
        .unwrap();
    assert_eq!(services.services()[0].desired_count(), 6);

    // Run and stop a task.
    let (status, ran) = berth
        .send(
            reqwest::Method::POST,
            "/api/clusters/it-ec2/tasks",
            json!({"taskDefinition": "it-worker:1", "count": 2, "startedBy": "berth-tests"}),
        )
        .await;
    assert_eq!(status, 200, "{ran}");
    let tasks = ran["resource"]["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2, "{ran}");
    let task_arn = tasks[0]["taskArn"].as_str().unwrap().to_owned();
    let (status, stopped) = berth
        .send(
            reqwest::Method::POST,
            &format!(
                "/api/clusters/it-ec2/tasks/{}/stop",
                task_arn.rsplit('/').next().unwrap()
            ),
            json!({"reason": "done"}),
        )
        .await;
    assert_eq!(status, 200, "{stopped}");
    let after = ecs
        .describe_tasks()
        .cluster("it-ec2")
        .tasks(&task_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(after.tasks()[0].desired_status(), Some("STOPPED"));

    // Create a service, then deregister the revision.
    let (status, created) = berth
        .send(
            reqwest::Method::POST,
            "/api/clusters/it-ec2/services",
            json!({"serviceName": "it-worker", "taskDefinition": "it-worker:1", "desiredCount": 1}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["resource"]["serviceName"], "it-worker");
    let (status, gone) = berth
        .send(
            reqwest::Method::DELETE,
            "/api/task-definitions/it-worker:1",
            json!(null),
        )
        .await;
    assert_eq!(status, 200, "{gone}");
    assert_eq!(gone["resource"]["status"], "INACTIVE");

    // AWS's own errors come back mapped: a missing cluster is a 404.
    let (status, missing) = berth
        .send(
            reqwest::Method::PUT,
            "/api/clusters/no-such-cluster/services/it-web",
            json!({"desiredCount": 1}),
        )
        .await;
    assert_eq!(status, 404, "{missing}");
    assert_eq!(missing["code"], "not_found");
    assert!(
        missing["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{missing}"
    );
}

#[tokio::test]
async fn out_of_range_changes_are_refused_before_aws() {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    let berth = Berth::start(
        "moto-out-of-range",
        &["--aws", "--endpoint-url", &moto.url],
        AWS_ENV,
    );
    berth.refuses_out_of_range_changes("it-ec2", "it-web").await;
}
