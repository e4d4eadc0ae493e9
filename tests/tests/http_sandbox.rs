//! The HTTP API of `berth` over the sandbox account, through a real socket.

use berth_tests::berth::Berth;

#[tokio::test]
async fn health_reports_version_and_the_sandbox_source() {
    let berth = Berth::start("health", &[], &[]);
    let (status, body) = berth.get("/api/health").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["source"]["kind"], "sandbox");
    assert!(
        !body.to_string().contains("state.json"),
        "no server path in answers that do not need one: {body}"
    );
}

#[tokio::test]
async fn lists_the_demo_fleet_with_counts_in_aws_field_names() {
    let berth = Berth::start("clusters", &[], &[]);
    let (status, body) = berth.get("/api/clusters").await;
    assert_eq!(status, 200);
    let clusters = body["clusters"].as_array().unwrap();
    let names: Vec<_> = clusters
        .iter()
        .map(|c| c["clusterName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["demo-ec2", "demo-fargate", "demo-small"]);
    let ec2 = &clusters[0];
    assert_eq!(ec2["registeredContainerInstancesCount"], 12);
    assert_eq!(ec2["activeServicesCount"], 6);
    assert_eq!(ec2["status"], "ACTIVE");
    let running = ec2["runningTasksCount"].as_i64().unwrap();
    assert!(
        running >= 30,
        "demo-ec2 runs its services' tasks, got {running}"
    );
    let ec2_tasks = ec2["statistics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "runningEC2TasksCount")
        .map(|s| s["value"].as_str().unwrap().parse::<i64>().unwrap());
    assert_eq!(ec2_tasks, Some(running));
    assert_eq!(clusters[1]["registeredContainerInstancesCount"], 0);
    assert_eq!(clusters[1]["runningTasksCount"], 7);
    assert!(body["fetchedAt"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn describes_one_cluster_and_answers_unknown_ones_with_a_json_404() {
    let berth = Berth::start("one-cluster", &[], &[]);
    let (status, body) = berth.get("/api/clusters/demo-small").await;
    assert_eq!(status, 200);
    assert_eq!(body["cluster"]["clusterName"], "demo-small");
    assert_eq!(body["containerInstances"].as_array().unwrap().len(), 2);
    assert_eq!(body["services"].as_array().unwrap().len(), 2);

    let (_, snapshot) = berth.get("/api/clusters/demo-ec2").await;
    let instances = snapshot["containerInstances"].as_array().unwrap();
    assert_eq!(instances.len(), 12);
    assert!(instances.iter().any(|i| i["status"] == "DRAINING"));
    assert!(
        instances[0]["remainingResources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "MEMORY")
    );
    let tasks = snapshot["tasks"].as_array().unwrap();
    let running = tasks
        .iter()
        .filter(|t| t["lastStatus"] == "RUNNING")
        .count();
    assert_eq!(
        i64::try_from(running).unwrap(),
        snapshot["cluster"]["runningTasksCount"].as_i64().unwrap()
    );
    assert!(
        tasks
            .iter()
            .all(|t| t["containerInstanceArn"].is_string() && t["availabilityZone"].is_string())
    );
    let daemon = snapshot["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["schedulingStrategy"] == "DAEMON");
    assert_eq!(daemon.unwrap()["serviceName"], "metrics-agent");
    let (status, body) = berth.get("/api/clusters/no-such-cluster").await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "not_found");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("no-such-cluster")
    );
    assert_eq!(body["retryable"], false);
}

#[tokio::test]
async fn unknown_api_paths_get_json_and_other_paths_get_the_console() {
    let berth = Berth::start("fallbacks", &[], &[]);
    let (status, body) = berth.get("/api/no/such/endpoint").await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "not_found");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("/api/no/such/endpoint")
    );

    let response = reqwest::get(format!("{}/clusters/demo-ec2", berth.url))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(response.text().await.unwrap().contains("<html"));
}

#[tokio::test]
async fn the_sandbox_state_survives_a_restart() {
    let first = Berth::start("persist", &[], &[]);
    let (_, before) = first.get("/api/clusters").await;
    let state = first.dir.join("state.json");
    let saved = std::fs::read_to_string(&state).unwrap();
    drop(first);
    assert!(saved.contains("\"formatVersion\""));

    let second = Berth::start("persist-again", &["--state", state.to_str().unwrap()], &[]);
    let (_, after) = second.get("/api/clusters").await;
    assert_eq!(before["clusters"], after["clusters"]);
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        saved,
        "reading must not rewrite the state"
    );
}

#[tokio::test]
async fn snapshots_carry_how_services_scale() {
    let berth = Berth::start("scaling", &[], &[]);
    let (status, body) = berth.get("/api/clusters/demo-ec2").await;
    assert_eq!(status, 200);
    let scaling = body["scaling"].as_array().unwrap();
    let services: Vec<_> = scaling
        .iter()
        .map(|s| s["serviceName"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["api", "web-frontend"]);
    let web = &scaling[1];
    let target = &web["scalableTarget"];
    assert_eq!(target["resourceId"], "service/demo-ec2/web-frontend");
    assert_eq!(target["scalableDimension"], "ecs:service:DesiredCount");
    assert_eq!(
        (
            target["minCapacity"].as_i64(),
            target["maxCapacity"].as_i64()
        ),
        (Some(3), Some(12))
    );
    let policy = &web["scalingPolicies"][0];
    assert_eq!(policy["policyType"], "TargetTrackingScaling");
    assert_eq!(
        policy["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]["predefinedMetricType"],
        "ECSServiceAverageCPUUtilization"
    );
    assert_eq!(policy["alarms"].as_array().unwrap().len(), 2);
    assert!(
        policy["policyARN"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:autoscaling:")
    );
    assert_eq!(
        web["scheduledActions"][0]["schedule"],
        "cron(0 8 ? * MON-FRI *)"
    );
    let (_, fargate) = berth.get("/api/clusters/demo-fargate").await;
    assert_eq!(
        fargate["scaling"][0]["scalingPolicies"][0]["policyType"],
        "StepScaling"
    );
    let (_, small) = berth.get("/api/clusters/demo-small").await;
    assert_eq!(small["scaling"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn service_metrics_cover_the_window_and_refuse_bad_windows() {
    let berth = Berth::start("metrics", &[], &[]);
    let (status, body) = berth
        .get("/api/clusters/demo-ec2/services/api/metrics?minutes=60")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["periodSeconds"], 60);
    let series = body["series"].as_array().unwrap();
    let names: Vec<_> = series
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s["metricName"].as_str().unwrap(),
                s["statistic"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "CPUUtilization Average",
            "CPUUtilization Maximum",
            "MemoryUtilization Average",
            "MemoryUtilization Maximum"
        ]
    );
    for s in series {
        let points = s["points"].as_array().unwrap();
        assert_eq!(points.len(), 60);
        assert!(
            points
                .iter()
                .all(|p| (0.0..=100.0).contains(&p["value"].as_f64().unwrap()))
        );
    }
    let (status, default) = berth
        .get("/api/clusters/demo-ec2/services/api/metrics")
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        default["series"][0]["points"].as_array().unwrap().len(),
        180
    );

    for bad in ["0", "1441", "soon", "-5"] {
        let (status, error) = berth
            .get(&format!(
                "/api/clusters/demo-ec2/services/api/metrics?minutes={bad}"
            ))
            .await;
        assert_eq!(status, 400, "{bad}: {error}");
        assert_eq!(error["code"], "invalid_input");
        assert_eq!(error["field"], "minutes");
    }
    let (status, missing) = berth
        .get("/api/clusters/demo-ec2/services/nope/metrics")
        .await;
    assert_eq!(status, 404, "{missing}");
    let (status, _) = berth.get("/api/clusters/nope/services/api/metrics").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn cluster_reservation_is_what_the_instances_report() {
    let berth = Berth::start("reservation", &[], &[]);
    let (status, body) = berth.get("/api/metrics/clusters").await;
    assert_eq!(status, 200, "{body}");
    let clusters = body["clusters"].as_array().unwrap();
    let names: Vec<_> = clusters
        .iter()
        .map(|c| c["clusterName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["demo-ec2", "demo-fargate", "demo-small"]);
    // The reference: registered minus remaining over the ACTIVE and DRAINING instances.
    let (_, snapshot) = berth.get("/api/clusters/demo-ec2").await;
    let (mut registered, mut remaining) = (0, 0);
    for instance in snapshot["containerInstances"].as_array().unwrap() {
        if !matches!(instance["status"].as_str(), Some("ACTIVE" | "DRAINING")) {
            continue;
        }
        let cpu = |list: &str| {
            instance[list]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["name"] == "CPU")
                .unwrap()["integerValue"]
                .as_i64()
                .unwrap()
        };
        registered += cpu("registeredResources");
        remaining += cpu("remainingResources");
    }
    let expected = (registered - remaining) as f64 * 100.0 / registered as f64;
    let cpu = clusters[0]["cpuReservation"].as_f64().unwrap();
    assert!((cpu - expected).abs() < 1e-9, "{cpu} vs {expected}");
    assert!(clusters[0]["memoryReservation"].as_f64().unwrap() > 0.0);
    // A Fargate-only cluster has no instances to reserve on.
    assert!(
        clusters[1].get("cpuReservation").is_none(),
        "{}",
        clusters[1]
    );
}
