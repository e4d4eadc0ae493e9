//! The "what if" tools over HTTP (`POST /api/simulate/…`, `/api/validate/…`) and on the
//! command line (`berth simulate …`, `berth validate …`).

use std::{
    io::Write,
    process::{Command, Stdio},
};

use berth_tests::{berth::Berth, target_dir, workspace_root};
use serde_json::{Value, json};

fn example(name: &str) -> String {
    std::fs::read_to_string(workspace_root().join("docs/examples").join(name))
        .expect("the example exists")
}

async fn post(berth: &Berth, path: &str, body: String) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", berth.url))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("berth answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

/// Runs `berth ARGS…` with `stdin`; returns (exit code, stdout, stderr).
fn berth_cli(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(target_dir().join("debug").join("berth"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run berth");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let output = child.wait_with_output().expect("berth finishes");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn placement_follows_the_specs_worked_example() {
    let berth = Berth::start("simulate-placement", &[], &[]);
    let (status, body) = post(&berth, "/api/simulate/placement", example("placement.json")).await;
    assert_eq!(status, 200, "{body}");
    // i-2 lacks CPU, i-3 memory, i-4 already holds port 80: the first task goes to i-1, and
    // the second finds port 80 taken there too.
    assert_eq!(body["tasks"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body["tasks"][0]["ec2InstanceId"], "i-1");
    assert_eq!(body["tasks"][0]["availabilityZone"], "us-east-1a");
    assert_eq!(body["failures"][0]["reason"], "RESOURCE:PORTS", "{body}");
    assert_eq!(body["explanations"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn invalid_input_is_a_400_naming_the_field() {
    let berth = Berth::start("simulate-invalid", &[], &[]);
    let mut input: Value = serde_json::from_str(&example("placement.json")).unwrap();
    input["placementStrategy"][1]["type"] = json!("pack-it-tight");
    let (status, body) = post(&berth, "/api/simulate/placement", input.to_string()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "invalid_input");
    assert_eq!(body["field"], "placementStrategy[1].type");
    assert!(
        body["message"].as_str().unwrap().contains("pack-it-tight"),
        "{body}"
    );

    input["placementStrategy"] = json!([]);
    input["placementConstraints"][0]["expression"] = json!("attribute:ecs.instance-type =~");
    let (status, body) = post(&berth, "/api/simulate/placement", input.to_string()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["field"], "placementConstraints[0].expression");

    let (status, body) = post(&berth, "/api/simulate/placement", "{\"count\": ".to_owned()).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("not valid JSON"),
        "{body}"
    );

    let (status, body) = post(&berth, "/api/simulate/weather", "{}".to_owned()).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "not_found");
}

#[tokio::test]
async fn validation_reports_problems_with_json_paths() {
    let berth = Berth::start("validate", &[], &[]);
    let definition = json!({
        "family": "web",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "4096",
        "containerDefinitions": [{"name": "app", "image": "nginx:latest", "essential": true}]
    });
    let (status, body) = post(
        &berth,
        "/api/validate/task-definition",
        definition.to_string(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["valid"], false,
        "256 CPU units cannot have 4 GB on Fargate: {body}"
    );
    let problems = body["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["severity"] == "error" && p["path"] == "memory"),
        "{body}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p["severity"] == "warning" && p["path"] == "containerDefinitions[0].image"),
        "{body}"
    );
}

#[test]
fn the_cli_runs_the_same_tools_with_exit_codes() {
    let (code, stdout, stderr) =
        berth_cli(&["simulate", "placement", "-"], &example("placement.json"));
    assert_eq!(code, 0, "{stderr}");
    let output: Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    assert_eq!(output["tasks"][0]["ec2InstanceId"], "i-1");

    let (code, stdout, stderr) = berth_cli(&["simulate", "placement", "-"], r#"{"count": 3}"#);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("taskDefinition"), "{stderr}");

    let invalid = json!({"family": "web", "containerDefinitions": []}).to_string();
    let (code, stdout, _) = berth_cli(&["validate", "task-definition", "-"], &invalid);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).unwrap()["valid"],
        false
    );

    let (code, _, stderr) = berth_cli(&["simulate", "placement", "/no/such/file.json"], "");
    assert_eq!(code, 2);
    assert!(stderr.contains("/no/such/file.json"), "{stderr}");
}

#[tokio::test]
async fn every_tool_answers_its_documented_example_and_names_bad_fields() {
    let berth = Berth::start("simulate-every-tool", &[], &[]);
    for (path, file, bad_field) in [
        (
            "/api/simulate/scaling",
            "scaling.json",
            "initialDesiredCount",
        ),
        (
            "/api/simulate/capacity",
            "capacity.json",
            "capacityProvider",
        ),
        (
            "/api/simulate/deployment",
            "deployment.json",
            "desiredCount",
        ),
        ("/api/simulate/strategy", "strategy.json", "tasks"),
        ("/api/simulate/lifecycle", "lifecycle.json", "now"),
        ("/api/estimate/cost", "cost.json", "current"),
    ] {
        let document = example(file);
        let (status, body) = post(&berth, path, document.clone()).await;
        assert_eq!(status, 200, "{path}: {body}");
        let mut broken: Value = serde_json::from_str(&document).unwrap();
        assert!(broken.get(bad_field).is_some(), "{file} has {bad_field}");
        broken[bad_field] = json!([["not", "this"]]);
        let (status, body) = post(&berth, path, broken.to_string()).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(
            body["field"].as_str().unwrap().starts_with(bad_field),
            "{path}: {body}"
        );
    }
    let (code, stdout, stderr) = berth_cli(&["estimate", "cost", "-"], &example("cost.json"));
    assert_eq!(code, 0, "{stderr}");
    assert!(serde_json::from_str::<Value>(&stdout).is_ok());
}
