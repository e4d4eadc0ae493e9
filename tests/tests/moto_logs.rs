//! A task's container logs through `berth --aws` against moto's CloudWatch Logs: the stream
//! the task definition's `awslogs` options name is read with GetLogEvents, searched and
//! followed, and a container without `awslogs` says why it has no lines.

use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use berth_tests::{
    berth::Berth,
    fixtures,
    moto::{AWS_ENV, Moto},
};
use serde_json::{Value, json};

async fn put_lines(logs: &aws_sdk_cloudwatchlogs::Client, stream: &str, lines: &[&str]) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let events = lines.iter().enumerate().map(|(i, line)| {
        InputLogEvent::builder()
            .timestamp(now + i as i64)
            .message(*line)
            .build()
            .unwrap()
    });
    logs.put_log_events()
        .log_group_name("/ecs/it-logged")
        .log_stream_name(stream)
        .set_log_events(Some(events.collect()))
        .send()
        .await
        .expect("put_log_events");
}

fn messages(answer: &Value) -> Vec<&str> {
    answer["events"]
        .as_array()
        .unwrap_or_else(|| panic!("events in {answer}"))
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_containers_awslogs_stream_is_read_searched_and_followed() {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    let logs = moto.logs();
    let berth = Berth::start(
        "moto-logs",
        &["--aws", "--endpoint-url", &moto.url],
        AWS_ENV,
    );

    let definition = json!({
        "family": "it-logged",
        "networkMode": "bridge",
        "containerDefinitions": [{
            "name": "app", "image": "public.ecr.aws/docker/library/busybox:1.36", "memory": 128,
            "essential": true,
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": "/ecs/it-logged", "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "batch"}}
        }]
    });
    let (status, registered) = berth
        .send(reqwest::Method::POST, "/api/task-definitions", definition)
        .await;
    assert_eq!(status, 200, "{registered}");
    let (status, ran) = berth
        .send(
            reqwest::Method::POST,
            "/api/clusters/it-ec2/tasks",
            json!({"taskDefinition": "it-logged", "count": 1}),
        )
        .await;
    assert_eq!(status, 200, "{ran}");
    let task_arn = ran["resource"]["tasks"][0]["taskArn"].as_str().unwrap();
    let task_id = task_arn.rsplit('/').next().unwrap().to_owned();
    let path = format!("/api/clusters/it-ec2/tasks/{task_id}/logs?refresh");

    // Before the container writes, the stream does not exist: said in words, not an error.
    let (status, before) = berth.get(&path).await;
    assert_eq!(status, 200, "{before}");
    assert!(
        before["unavailable"]
            .as_str()
            .unwrap()
            .contains("No lines yet"),
        "{before}"
    );
    let stream = format!("batch/app/{task_id}");
    assert_eq!(before["location"]["stream"], stream.as_str());
    assert_eq!(before["location"]["group"], "/ecs/it-logged");

    logs.create_log_group()
        .log_group_name("/ecs/it-logged")
        .send()
        .await
        .expect("create_log_group");
    logs.create_log_stream()
        .log_group_name("/ecs/it-logged")
        .log_stream_name(&stream)
        .send()
        .await
        .expect("create_log_stream");
    put_lines(
        &logs,
        &stream,
        &[
            "starting batch",
            "processed 12 messages",
            "WARN retry message 7",
        ],
    )
    .await;

    let (status, first) = berth.get(&path).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["container"], "app");
    assert_eq!(
        messages(&first),
        [
            "starting batch",
            "processed 12 messages",
            "WARN retry message 7"
        ]
    );
    assert!(first.get("unavailable").is_none(), "{first}");

    // Search: every word, any case.
    let (_, found) = berth.get(&format!("{path}&filter=warn%20RETRY")).await;
    assert_eq!(messages(&found), ["WARN retry message 7"], "{found}");
    assert_eq!(found["searched"], 3);

    // Follow: only what was written after the token.
    let token = first["nextToken"].as_str().expect("a forward token");
    put_lines(&logs, &stream, &["processed 3 messages", "stopping"]).await;
    let (_, next) = berth.get(&format!("{path}&{}", pair("token", token))).await;
    assert_eq!(
        messages(&next),
        ["processed 3 messages", "stopping"],
        "{next}"
    );

    // The seeded service's container has no log configuration: the reason, in words.
    let (_, snapshot) = berth.get("/api/clusters/it-ec2?refresh").await;
    let web_task = snapshot["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["taskDefinitionArn"].as_str().unwrap().contains("it-web"))
        .unwrap()["taskArn"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let (status, silent) = berth
        .get(&format!("/api/clusters/it-ec2/tasks/{web_task}/logs"))
        .await;
    assert_eq!(status, 200, "{silent}");
    assert!(
        silent["unavailable"]
            .as_str()
            .unwrap()
            .contains("no logConfiguration"),
        "{silent}"
    );

    // Bad input names its field.
    let (status, error) = berth.get(&format!("{path}&container=nope")).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["field"], "container");
    let (status, error) = berth.get(&format!("{path}&limit=0")).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["field"], "limit");
}

/// `name=value` with the value escaped for a query string.
fn pair(name: &str, value: &str) -> String {
    let mut url = reqwest::Url::parse("http://localhost/").unwrap();
    url.query_pairs_mut().append_pair(name, value);
    url.query().unwrap().to_owned()
}
