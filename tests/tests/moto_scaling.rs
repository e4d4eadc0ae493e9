//! Service scaling and ECS metrics over the SDK path: scalable targets, policies and scheduled
//! actions made in moto's Application Auto Scaling, and service utilization and cluster
//! reservation put into moto's CloudWatch, read back through `berth --aws` and compared with
//! what moto itself returns.

use aws_sdk_applicationautoscaling::types::{
    MetricType, PolicyType, PredefinedMetricSpecification, ScalableDimension, ScalableTargetAction,
    ServiceNamespace, TargetTrackingScalingPolicyConfiguration,
};
use aws_sdk_cloudwatch::{
    primitives::DateTime,
    types::{Dimension, MetricDatum, StandardUnit},
};
use berth_tests::{
    berth::Berth,
    fixtures,
    moto::{AWS_ENV, Moto},
};

const RESOURCE: &str = "service/it-ec2/it-web";

/// Moto with the seeded fleet, and Berth over it with `extra` arguments.
async fn start(name: &str, extra: &[&str]) -> (Moto, Berth) {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    let mut args = vec!["--aws", "--endpoint-url", &moto.url];
    args.extend_from_slice(extra);
    let berth = Berth::start(name, &args, AWS_ENV);
    (moto, berth)
}

/// The start of the whole minute `ago` minutes before now.
fn minutes_ago(ago: i64) -> DateTime {
    let now_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    DateTime::from_millis((now_ms / 60_000 - ago) * 60_000)
}

async fn scale_it_web(moto: &Moto) {
    let autoscaling = moto.autoscaling();
    autoscaling
        .register_scalable_target()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id(RESOURCE)
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .min_capacity(2)
        .max_capacity(8)
        .send()
        .await
        .expect("register_scalable_target");
    autoscaling
        .put_scaling_policy()
        .policy_name("cpu50")
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id(RESOURCE)
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .policy_type(PolicyType::TargetTrackingScaling)
        .target_tracking_scaling_policy_configuration(
            TargetTrackingScalingPolicyConfiguration::builder()
                .target_value(50.0)
                .predefined_metric_specification(
                    PredefinedMetricSpecification::builder()
                        .predefined_metric_type(MetricType::EcsServiceAverageCpuUtilization)
                        .build()
                        .unwrap(),
                )
                .scale_in_cooldown(120)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("put_scaling_policy");
    autoscaling
        .put_scheduled_action()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id(RESOURCE)
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .scheduled_action_name("mornings")
        .schedule("cron(0 7 * * ? *)")
        .scalable_target_action(ScalableTargetAction::builder().min_capacity(4).build())
        .send()
        .await
        .expect("put_scheduled_action");
}

#[tokio::test]
async fn snapshots_carry_what_application_auto_scaling_returns() {
    let (moto, berth) = start("moto-scaling", &["--cache-ttl", "0"]).await;

    let (status, before) = berth.get("/api/clusters/it-ec2").await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["scaling"], serde_json::json!([]));

    scale_it_web(&moto).await;
    let (status, body) = berth.get("/api/clusters/it-ec2").await;
    assert_eq!(status, 200, "{body}");
    let scaling = body["scaling"].as_array().unwrap();
    assert_eq!(scaling.len(), 1, "{body}");
    let web = &scaling[0];
    assert_eq!(web["serviceName"], "it-web");

    let autoscaling = moto.autoscaling();
    let targets = autoscaling
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .send()
        .await
        .unwrap();
    let reference = &targets.scalable_targets()[0];
    let target = &web["scalableTarget"];
    assert_eq!(target["resourceId"], reference.resource_id());
    assert_eq!(target["minCapacity"], reference.min_capacity());
    assert_eq!(target["maxCapacity"], reference.max_capacity());
    assert_eq!(target["scalableDimension"], "ecs:service:DesiredCount");

    let policies = autoscaling
        .describe_scaling_policies()
        .service_namespace(ServiceNamespace::Ecs)
        .send()
        .await
        .unwrap();
    let reference = &policies.scaling_policies()[0];
    let policy = &web["scalingPolicies"][0];
    assert_eq!(policy["policyName"], "cpu50");
    assert_eq!(policy["policyARN"], reference.policy_arn());
    assert_eq!(policy["policyType"], "TargetTrackingScaling");
    let config = &policy["targetTrackingScalingPolicyConfiguration"];
    assert_eq!(config["targetValue"], 50.0);
    assert_eq!(config["scaleInCooldown"], 120);
    assert_eq!(
        config["predefinedMetricSpecification"]["predefinedMetricType"],
        "ECSServiceAverageCPUUtilization"
    );
    assert_eq!(
        policy["alarms"].as_array().unwrap().len(),
        reference.alarms().len()
    );

    let action = &web["scheduledActions"][0];
    assert_eq!(action["scheduledActionName"], "mornings");
    assert_eq!(action["schedule"], "cron(0 7 * * ? *)");
    assert_eq!(action["scalableTargetAction"]["minCapacity"], 4);
    assert!(action.get("scalableTargetAction").unwrap()["maxCapacity"].is_null());

    // The other cluster has no services, so nothing of it-web's scaling shows there.
    let (_, empty) = berth.get("/api/clusters/it-empty").await;
    assert_eq!(empty["scaling"], serde_json::json!([]));
}

#[tokio::test]
async fn service_metrics_are_what_cloudwatch_holds() {
    let (moto, berth) = start("moto-metrics", &[]).await;

    // Five whole minutes of CPU, ending two minutes ago, at 10, 20, … 50 percent.
    let minutes: Vec<DateTime> = (0..5).map(|k| minutes_ago(6 - k)).collect();
    let dimensions = [("ClusterName", "it-ec2"), ("ServiceName", "it-web")]
        .map(|(n, v)| Dimension::builder().name(n).value(v).build());
    let mut put = moto.cloudwatch().put_metric_data().namespace("AWS/ECS");
    for (k, at) in minutes.iter().enumerate() {
        put = put.metric_data(
            MetricDatum::builder()
                .metric_name("CPUUtilization")
                .set_dimensions(Some(dimensions.to_vec()))
                .timestamp(*at)
                .value(10.0 * (k as f64 + 1.0))
                .unit(StandardUnit::Percent)
                .build(),
        );
    }
    put.send().await.expect("put_metric_data");

    let (status, body) = berth
        .get("/api/clusters/it-ec2/services/it-web/metrics?minutes=30")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["periodSeconds"], 60);
    let cpu = &body["series"][0];
    assert_eq!(
        (cpu["metricName"].as_str(), cpu["statistic"].as_str()),
        (Some("CPUUtilization"), Some("Average"))
    );
    let values: Vec<f64> = cpu["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values, [10.0, 20.0, 30.0, 40.0, 50.0], "{body}");
    let memory = &body["series"][2];
    assert_eq!(memory["metricName"], "MemoryUtilization");
    assert_eq!(memory["points"], serde_json::json!([]));
}

#[tokio::test]
async fn cluster_reservation_is_the_latest_cloudwatch_point() {
    let (moto, berth) = start("moto-reservation", &[]).await;
    let datum = |metric: &str, ago: i64, value: f64| {
        MetricDatum::builder()
            .metric_name(metric)
            .dimensions(
                Dimension::builder()
                    .name("ClusterName")
                    .value("it-ec2")
                    .build(),
            )
            .timestamp(minutes_ago(ago))
            .value(value)
            .unit(StandardUnit::Percent)
            .build()
    };
    moto.cloudwatch()
        .put_metric_data()
        .namespace("AWS/ECS")
        .metric_data(datum("CPUReservation", 5, 20.0))
        .metric_data(datum("CPUReservation", 2, 35.0))
        .metric_data(datum("MemoryReservation", 3, 48.5))
        .send()
        .await
        .expect("put_metric_data");

    let (status, body) = berth.get("/api/metrics/clusters").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["clusters"][0]["clusterName"], "it-ec2");
    assert_eq!(body["clusters"][0]["cpuReservation"], 35.0, "{body}");
    assert_eq!(body["clusters"][0]["memoryReservation"], 48.5, "{body}");
    assert_eq!(body["clusters"][1]["clusterName"], "it-empty");
    assert!(
        body["clusters"][1].get("cpuReservation").is_none(),
        "{body}"
    );
}
