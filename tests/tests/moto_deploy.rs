//! The Deploy flow through `berth --aws` against moto: a new image is previewed (nothing
//! changes), applied as RegisterTaskDefinition then UpdateService with AWS's request ids,
//! replayed by its client token without a second revision, refused when the service moved
//! since the preview, and rolled back to the earlier revision with UpdateService alone.
//! A new service is previewed, created with its load balancer once per client token, and
//! refused by name once it exists. moto finishes deployments at once, so what is checked is
//! the calls and what AWS then reports through the SDK, not the rollout.

use berth_tests::{
    berth::Berth,
    fixtures,
    moto::{AWS_ENV, Moto},
};
use serde_json::{Value, json};

const SERVICE: &str = "/api/clusters/it-ec2/services/it-web";

fn operations(deployed: &Value) -> Vec<(String, bool)> {
    deployed["calls"]
        .as_array()
        .unwrap_or_else(|| panic!("calls in {deployed}"))
        .iter()
        .map(|call| {
            (
                call["operation"].as_str().unwrap().to_owned(),
                call["requestId"].as_str().is_some_and(|id| !id.is_empty()),
            )
        })
        .collect()
}

async fn running_definition(ecs: &aws_sdk_ecs::Client) -> String {
    let services = ecs
        .describe_services()
        .cluster("it-ec2")
        .services("it-web")
        .send()
        .await
        .unwrap();
    services.services()[0].task_definition().unwrap().to_owned()
}

#[tokio::test]
async fn a_new_image_is_registered_deployed_replayed_and_rolled_back_on_aws() {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    let ecs = moto.ecs().await;
    let berth = Berth::start(
        "moto-deploy",
        &["--aws", "--endpoint-url", &moto.url],
        AWS_ENV,
    );

    let (status, current) = berth.get("/api/task-definitions/it-web").await;
    assert_eq!(status, 200, "{current}");
    let first_arn = current["taskDefinitionArn"].as_str().unwrap().to_owned();
    let mut register = current.clone();
    register["containerDefinitions"][0]["image"] = json!("public.ecr.aws/nginx/nginx:1.28");
    let change = json!({
        "register": register,
        "expectedTaskDefinition": first_arn,
        "clientToken": "moto-deploy-1",
    });

    let (status, preview) = berth
        .send(
            reqwest::Method::POST,
            &format!("{SERVICE}/preview"),
            change.clone(),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["registers"], true, "{preview}");
    assert_eq!(
        preview["changes"][0]["path"],
        "containerDefinitions[0].image"
    );
    assert_eq!(
        running_definition(&ecs).await,
        first_arn,
        "a preview changes nothing"
    );

    let (status, deployed) = berth
        .send(
            reqwest::Method::POST,
            &format!("{SERVICE}/deploy"),
            change.clone(),
        )
        .await;
    assert_eq!(status, 200, "{deployed}");
    assert_eq!(
        operations(&deployed),
        [
            ("RegisterTaskDefinition".to_owned(), true),
            ("UpdateService".to_owned(), true)
        ],
        "each call carries AWS's request id: {deployed}"
    );
    let second_arn = deployed["taskDefinition"].as_str().unwrap().to_owned();
    assert!(second_arn.ends_with("it-web:2"), "{deployed}");
    assert_eq!(running_definition(&ecs).await, second_arn);
    let described = ecs
        .describe_task_definition()
        .task_definition("it-web:2")
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.task_definition().unwrap().container_definitions()[0].image(),
        Some("public.ecr.aws/nginx/nginx:1.28")
    );

    // A retry with the same token answers the same, registering nothing more.
    let (status, again) = berth
        .send(
            reqwest::Method::POST,
            &format!("{SERVICE}/deploy"),
            change.clone(),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, deployed);
    let revisions = ecs
        .list_task_definitions()
        .family_prefix("it-web")
        .send()
        .await
        .unwrap();
    assert_eq!(revisions.task_definition_arns().len(), 2);

    // The service moved since that preview: a change expecting revision 1 is refused.
    let mut stale = change.clone();
    stale["clientToken"] = json!("moto-deploy-2");
    let (status, refused) = berth
        .send(reqwest::Method::POST, &format!("{SERVICE}/deploy"), stale)
        .await;
    assert_eq!(status, 409, "{refused}");

    // Roll back: the earlier revision, with UpdateService alone.
    // (The revision it expects may be named as `family:revision` as well as by ARN.)
    let back = json!({"taskDefinition": "it-web:1", "expectedTaskDefinition": "it-web:2"});
    let (status, rolled) = berth
        .send(reqwest::Method::POST, &format!("{SERVICE}/deploy"), back)
        .await;
    assert_eq!(status, 200, "{rolled}");
    assert_eq!(
        operations(&rolled),
        [("UpdateService".to_owned(), true)],
        "{rolled}"
    );
    assert_eq!(running_definition(&ecs).await, first_arn);

    // Bad input changes nothing: an unknown revision, a count outside ECS's limits.
    for (body, field) in [
        (json!({"taskDefinition": "it-web:99"}), "taskDefinition"),
        (json!({"desiredCount": -1}), "desiredCount"),
    ] {
        let (status, error) = berth
            .send(
                reqwest::Method::POST,
                &format!("{SERVICE}/deploy"),
                body.clone(),
            )
            .await;
        assert_eq!(status, 400, "{body}: {error}");
        assert_eq!(error["field"], field, "{error}");
    }
    assert_eq!(running_definition(&ecs).await, first_arn);

    // New auto scaling bounds: refused without a scalable target, then RegisterScalableTarget.
    let bounds = json!({"scalableTarget": {"minCapacity": 2, "maxCapacity": 8}});
    let (status, refused) = berth
        .send(
            reqwest::Method::POST,
            &format!("{SERVICE}/deploy"),
            bounds.clone(),
        )
        .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["field"], "scalableTarget");
    let autoscaling = moto.autoscaling();
    autoscaling
        .register_scalable_target()
        .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs)
        .scalable_dimension(
            aws_sdk_applicationautoscaling::types::ScalableDimension::EcsServiceDesiredCount,
        )
        .resource_id("service/it-ec2/it-web")
        .min_capacity(1)
        .max_capacity(4)
        .send()
        .await
        .expect("register_scalable_target");
    let (status, scaled) = berth
        .send(
            reqwest::Method::POST,
            &format!("{SERVICE}/deploy?refresh"),
            bounds,
        )
        .await;
    assert_eq!(status, 200, "{scaled}");
    assert_eq!(
        operations(&scaled),
        [("RegisterScalableTarget".to_owned(), true)],
        "{scaled}"
    );
    let targets = autoscaling
        .describe_scalable_targets()
        .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs)
        .send()
        .await
        .unwrap();
    let target = &targets.scalable_targets()[0];
    assert_eq!((target.min_capacity(), target.max_capacity()), (2, 8));
}

#[tokio::test]
async fn a_new_service_is_previewed_then_created_once_on_aws() {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    let ecs = moto.ecs().await;
    let berth = Berth::start(
        "moto-create",
        &["--aws", "--endpoint-url", &moto.url],
        AWS_ENV,
    );
    let target_group =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/it-web/0123456789abcdef";
    let request = json!({
        "serviceName": "it-web-canary", "taskDefinition": "it-web", "desiredCount": 1,
        "launchType": "EC2",
        "loadBalancers": [{"targetGroupArn": target_group, "containerName": "web", "containerPort": 80}],
        "clientToken": "moto-create-1",
    });
    let services = || async {
        ecs.list_services()
            .cluster("it-ec2")
            .send()
            .await
            .unwrap()
            .service_arns()
            .iter()
            .filter(|arn| arn.ends_with("/it-web-canary"))
            .count()
    };

    let (status, preview) = berth
        .send(
            reqwest::Method::POST,
            "/api/clusters/it-ec2/new-service/preview",
            request.clone(),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["blocked"], false, "{preview}");
    assert_eq!(preview["calls"][0]["operation"], "CreateService");
    assert_eq!(services().await, 0, "a preview creates nothing");

    let (status, created) = berth
        .send(
            reqwest::Method::POST,
            "/api/clusters/it-ec2/services",
            request.clone(),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert!(
        created["requestId"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{created}"
    );
    let (status, again) = berth
        .send(
            reqwest::Method::POST,
            "/api/clusters/it-ec2/services",
            request.clone(),
        )
        .await;
    assert_eq!((status, &again), (200, &created), "replayed by its token");
    assert_eq!(services().await, 1);
    let described = ecs
        .describe_services()
        .cluster("it-ec2")
        .services("it-web-canary")
        .send()
        .await
        .unwrap();
    let balancer = &described.services()[0].load_balancers()[0];
    assert_eq!(balancer.target_group_arn(), Some(target_group));
    assert_eq!(
        (balancer.container_name(), balancer.container_port()),
        (Some("web"), Some(80))
    );

    let mut second = request.clone();
    second["clientToken"] = json!("moto-create-2");
    let (status, taken) = berth
        .send(
            reqwest::Method::POST,
            "/api/clusters/it-ec2/services",
            second,
        )
        .await;
    assert_eq!(status, 400, "{taken}");
    assert_eq!(taken["field"], "serviceName", "{taken}");
}
