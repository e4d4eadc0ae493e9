//! The Deploy flow in process, on the sandbox: a change is previewed (changing nothing), then
//! applied as RegisterTaskDefinition and UpdateService; applying is idempotent (a client token
//! answers its first result again, an unchanged definition is not registered twice), refuses a
//! change previewed against another revision (409) and bad input naming the field (400).

mod support;

use axum::{Router, http::Method};
use serde_json::{Value, json};

use support::{app, json_request, new_image, send};

const SERVICE: &str = "/api/clusters/demo-ec2/services/web-frontend";

async fn post(app: &Router, path: &str, body: &Value) -> (u16, Value) {
    let (status, body) = send(
        app,
        json_request(
            Method::POST,
            &format!("{SERVICE}/{path}"),
            &body.to_string(),
        ),
    )
    .await;
    (status.as_u16(), body)
}

async fn revisions(app: &Router) -> usize {
    let (_, families) = send(
        app,
        support::request(
            Method::GET,
            "/api/task-definitions",
            None,
            axum::body::Body::empty(),
        ),
    )
    .await;
    families["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["family"] == "web-frontend")
        .unwrap()["revisions"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_previewed_image_change_is_applied_once() {
    let app = app("deploy-apply").await;
    let before = revisions(&app).await;
    let change = new_image(&app, "v1.17.0", Some("apply-1")).await;

    let (status, preview) = post(&app, "preview", &change).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["registers"], true);
    assert_eq!(preview["toRevision"], "web-frontend:next");
    assert_eq!(
        preview["changes"][0]["path"],
        "containerDefinitions[0].image"
    );
    assert_eq!(preview["plan"]["outcome"], "COMPLETED", "{preview}");
    assert_eq!(preview["calls"].as_array().unwrap().len(), 2);
    assert_eq!(revisions(&app).await, before, "a preview changes nothing");

    let (status, deployed) = post(&app, "deploy", &change).await;
    assert_eq!(status, 200, "{deployed}");
    let operations: Vec<&str> = deployed["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations, ["RegisterTaskDefinition", "UpdateService"]);
    assert!(
        deployed["taskDefinition"]
            .as_str()
            .unwrap()
            .ends_with(&format!("web-frontend:{}", before + 1))
    );
    assert_eq!(
        deployed["service"]["deployments"][0]["rolloutState"],
        "IN_PROGRESS"
    );

    // The same token again: the same answer, nothing new.
    let (status, again) = post(&app, "deploy", &change).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, deployed);
    assert_eq!(revisions(&app).await, before + 1);

    // Without the token, the same definition is the latest revision: nothing is registered.
    let mut retry = change.clone();
    retry.as_object_mut().unwrap().remove("clientToken");
    retry["expectedTaskDefinition"] = deployed["taskDefinition"].clone();
    let (status, retried) = post(&app, "deploy", &retry).await;
    assert_eq!(status, 200, "{retried}");
    assert_eq!(retried["calls"].as_array().unwrap().len(), 1);
    assert_eq!(revisions(&app).await, before + 1);
}

#[tokio::test]
async fn a_change_previewed_on_another_revision_or_with_bad_input_changes_nothing() {
    let app = app("deploy-refused").await;
    let before = revisions(&app).await;

    let mut stale = new_image(&app, "v1.17.0", None).await;
    stale["expectedTaskDefinition"] =
        json!("arn:aws:ecs:us-east-1:123456789012:task-definition/web-frontend:1");
    let (status, error) = post(&app, "deploy", &stale).await;
    assert_eq!(status, 409, "{error}");
    assert_eq!(error["code"], "conflict");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("preview it again"),
        "{error}"
    );

    let mut invalid = new_image(&app, "v1.17.0", None).await;
    invalid["register"]["containerDefinitions"][0]["memory"] = json!(-5);
    let (status, preview) = post(&app, "preview", &invalid).await;
    assert_eq!(status, 200);
    assert_eq!(preview["blocked"], true);
    let (status, error) = post(&app, "deploy", &invalid).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(
        error["field"], "register.containerDefinitions[0].memory",
        "{error}"
    );

    // (body, status, field)
    let cases = [
        (json!({"desiredCount": 6000}), 400, Some("desiredCount")),
        (
            json!({"taskDefinition": "web-frontend:99"}),
            400,
            Some("taskDefinition"),
        ),
        (json!({"clientToken": "not ok!"}), 400, Some("clientToken")),
        (json!({"colour": "blue"}), 400, None),
    ];
    for (body, expected, field) in cases {
        let (status, error) = post(&app, "deploy", &body).await;
        assert_eq!(status, expected, "{body}: {error}");
        if let Some(field) = field {
            assert_eq!(error["field"], field, "{body}: {error}");
        }
    }
    let (status, error) = send(
        &app,
        json_request(
            Method::POST,
            "/api/clusters/demo-ec2/services/nope/preview",
            "{}",
        ),
    )
    .await;
    assert_eq!(status.as_u16(), 404, "{error}");
    assert_eq!(revisions(&app).await, before, "nothing was registered");
}

#[tokio::test]
async fn a_new_capacity_provider_strategy_replaces_the_launch_type() {
    let app = app("deploy-strategy").await;
    let strategy = json!([{"capacityProvider": "demo-ec2-cp", "weight": 1, "base": 0}]);
    let (status, refused) = post(
        &app,
        "deploy",
        &json!({"capacityProviderStrategy": strategy}),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["field"], "forceNewDeployment");

    let change = json!({"capacityProviderStrategy": strategy, "forceNewDeployment": true});
    let (status, preview) = post(&app, "preview", &change).await;
    assert_eq!(status, 200, "{preview}");
    assert!(
        preview["calls"][0]["commandLine"]
            .as_str()
            .unwrap()
            .contains("--capacity-provider-strategy"),
        "{preview}"
    );
    let (status, deployed) = post(&app, "deploy", &change).await;
    assert_eq!(status, 200, "{deployed}");
    let service = &deployed["service"];
    assert_eq!(service["capacityProviderStrategy"], strategy, "{service}");
    assert!(service.get("launchType").is_none(), "{service}");
    assert_eq!(service["deployments"][0]["rolloutState"], "IN_PROGRESS");
}

#[tokio::test]
async fn new_auto_scaling_bounds_move_the_desired_count_inside_them() {
    let app = app("deploy-bounds").await;
    let change = json!({"scalableTarget": {"minCapacity": 2, "maxCapacity": 4}});
    let (status, deployed) = post(&app, "deploy", &change).await;
    assert_eq!(status, 200, "{deployed}");
    let operations: Vec<&str> = deployed["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations, ["RegisterScalableTarget"]);
    assert_eq!(
        deployed["service"]["desiredCount"], 4,
        "6 tasks, at most 4 now"
    );
    let (_, snapshot) = support::get(&app, "/api/clusters/demo-ec2?refresh").await;
    let target = &snapshot["scaling"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["serviceName"] == "web-frontend")
        .unwrap()["scalableTarget"];
    assert_eq!(
        (&target["minCapacity"], &target["maxCapacity"]),
        (&json!(2), &json!(4))
    );

    let (status, refused) = send(
        &app,
        json_request(
            Method::POST,
            "/api/clusters/demo-ec2/services/payments/deploy",
            &change.to_string(),
        ),
    )
    .await;
    assert_eq!(status.as_u16(), 400, "{refused}");
    assert_eq!(refused["field"], "scalableTarget", "{refused}");
}
