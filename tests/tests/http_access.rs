//! Sign-in and the audit log, end to end: tokens made with `berth token create`, a server
//! started with `--auth-file` and `--audit-log`, requests over loopback as scripts send them.

use std::time::Duration;

use berth_tests::{
    berth::{Berth, create_token, run},
    scratch_dir, wait_for,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn tokens_sign_in_roles_are_enforced_changes_are_audited_and_revoking_ends_access() {
    let secrets = scratch_dir("access-secrets");
    let auth_file = secrets.join("auth.json");
    let admin = create_token(&auth_file, "admin", "ana");
    let viewer = create_token(&auth_file, "viewer", "vic");
    let listed = run(&["token", "list", "--auth-file", auth_file.to_str().unwrap()]);
    assert!(
        listed.contains("ana\tadmin") && listed.contains("vic\tviewer"),
        "{listed}"
    );
    assert!(!listed.contains(&admin), "tokens are never shown again");
    let audit_log = secrets.join("audit.jsonl");
    let berth = Berth::start(
        "access",
        &[
            "--auth-file",
            auth_file.to_str().unwrap(),
            "--audit-log",
            audit_log.to_str().unwrap(),
        ],
        &[],
    );
    let client = reqwest::Client::new();
    let call = |method: Method, path: &str, token: Option<&str>, body: Option<Value>| {
        let mut request = client.request(method, format!("{}{path}", berth.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.expect("berth answers");
            let status = response.status();
            (status, response.json::<Value>().await.expect("JSON"))
        }
    };

    let (status, body) = call(Method::GET, "/api/clusters", None, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    assert_eq!(
        call(Method::GET, "/api/clusters", Some(&viewer), None)
            .await
            .0,
        StatusCode::OK
    );
    let scale = |count| Some(json!({ "desiredCount": count }));
    let path = "/api/clusters/demo-ec2/services/api";
    let (status, body) = call(Method::PUT, path, Some(&viewer), scale(4)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{body}"
    );
    let (status, body) = call(Method::PUT, path, Some(&admin), scale(4)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let records: Vec<Value> = std::fs::read_to_string(&audit_log)
        .expect("the audit log exists")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    let summary: Vec<_> = records
        .iter()
        .map(|r| {
            (
                r["identity"].as_str().unwrap(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [("vic", 403), ("ana", 200)],
        "written before the answer"
    );
    assert_eq!(records[1]["change"], json!({ "desiredCount": 4 }));

    run(&[
        "token",
        "revoke",
        "--name",
        "vic",
        "--auth-file",
        auth_file.to_str().unwrap(),
    ]);
    wait_for(
        "the revoked token to be refused",
        Duration::from_secs(5),
        || {
            let call = call(Method::GET, "/api/clusters", Some(&viewer), None);
            async move { (call.await.0 == StatusCode::UNAUTHORIZED).then_some(()) }
        },
    )
    .await;
    assert_eq!(
        call(Method::GET, "/api/clusters", Some(&admin), None)
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn concurrent_changes_are_all_made_and_all_audited() {
    const CHANGES: usize = 120;
    let secrets = scratch_dir("access-concurrent-secrets");
    let auth_file = secrets.join("auth.json");
    let deployer = create_token(&auth_file, "deployer", "ci-bot");
    let audit_log = secrets.join("audit.jsonl");
    let berth = Berth::start(
        "access-concurrent",
        &[
            "--auth-file",
            auth_file.to_str().unwrap(),
            "--audit-log",
            audit_log.to_str().unwrap(),
        ],
        &[],
    );
    let client = reqwest::Client::new();
    let mut sends = tokio::task::JoinSet::new();
    for change in 0..CHANGES {
        let request = client
            .post(format!("{}/api/task-definitions", berth.url))
            .bearer_auth(&deployer)
            .json(&json!({
                "family": format!("load-{change}"),
                "containerDefinitions": [{"name": "app", "image": "busybox", "memory": 64}]
            }));
        sends.spawn(async move { request.send().await.expect("berth answers").status() });
    }
    while let Some(status) = sends.join_next().await {
        assert!(status.unwrap().is_success());
    }

    let (status, families) = {
        let response = client
            .get(format!("{}/api/task-definitions", berth.url))
            .bearer_auth(&deployer)
            .send()
            .await
            .unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK);
    let made = families["families"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["family"].as_str().is_some_and(|n| n.starts_with("load-")))
        .count();
    assert_eq!(made, CHANGES, "no change lost");
    let records = std::fs::read_to_string(&audit_log).unwrap();
    let audited = records
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("whole JSON lines"))
        .filter(|r| r["operation"] == "RegisterTaskDefinition" && r["status"] == 200)
        .count();
    assert_eq!(audited, CHANGES, "every change audited");
}
