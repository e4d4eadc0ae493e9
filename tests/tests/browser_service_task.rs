//! The service, task and container-instance pages in headless Chromium against the sandbox
//! (polled every second): deployments, events and placement in words, the desired-count form
//! and a forced deployment, a task's deep link and Stop task with the service's replacement,
//! an instance's resources and tasks, and the live indicator. Screenshots in light and dark
//! colours land in `target/berth-tests/screenshots/`.

use std::time::Duration;

use berth_tests::{berth::Berth, browser::Browser, poll_until};
use serde_json::{Value, json};

/// Saves a screenshot in light colours, then in dark colours (the page is left dark).
async fn screenshots(browser: &Browser, name: &str) {
    browser.execute("window.scrollTo(0, 0);", json!([])).await;
    browser.screenshot(name).await;
    browser.dark().await;
    browser.screenshot(&format!("{name}-dark")).await;
    browser
        .execute("window.scrollTo(0, document.body.scrollHeight);", json!([]))
        .await;
    browser.screenshot(&format!("{name}-dark-end")).await;
}

/// The demo-ec2 snapshot from the API.
async fn snapshot(berth: &Berth) -> Value {
    let (status, body) = berth.get("/api/clusters/demo-ec2").await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The last path segment of an ARN.
fn id(arn: &Value) -> String {
    arn.as_str()
        .and_then(|a| a.rsplit('/').next())
        .expect("an ARN")
        .to_owned()
}

#[tokio::test]
async fn the_service_page_explains_the_service_and_changes_its_desired_count() {
    let berth = Berth::start("browser-service", &["--poll-interval", "1"], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/demo-ec2/services/api", berth.url))
        .await;

    browser
        .wait_for_text("[data-testid=live-label]", "Live")
        .await;
    browser.wait_for_text("[data-testid=desired]", "8").await;
    let deployments = browser.text("[data-testid=deployments]").await;
    for needle in ["PRIMARY", "COMPLETED", "api:7"] {
        assert!(
            deployments.contains(needle),
            "{needle} missing from {deployments}"
        );
    }
    let revision = browser
        .execute(
            "return document.querySelector('[data-testid=deployment] a').getAttribute('href');",
            json!([]),
        )
        .await;
    assert_eq!(revision, json!("/task-definitions/api?revision=7"));
    let words = browser.text("[data-testid=placement-words]").await;
    assert!(
        words.starts_with(
            "Spread tasks evenly across Availability Zones, then binpack on memory: each task \
             goes to the instance with the least memory left"
        ),
        "{words}"
    );
    assert!(browser.count("[data-testid=event]").await >= 1);
    browser
        .wait_for_text("[data-testid=service-tasks] [data-testid=count]", "8 tasks")
        .await;
    browser
        .type_into("[data-testid=events-search]", "no such words")
        .await;
    browser
        .wait_for_text(
            "[data-testid=service-events]",
            "No events match this search.",
        )
        .await;
    browser.type_into("[data-testid=events-search]", "").await;
    screenshots(&browser, "service-page").await;

    // The form checks the number before sending it.
    browser.type_into("[data-testid=desired-input]", "-3").await;
    browser.click("[data-testid=desired-submit]").await;
    browser
        .wait_for_text("[data-testid=desired-invalid]", "between 0 and 5000")
        .await;

    // A valid count changes the service: the page shows it at once, then the tasks follow.
    browser.type_into("[data-testid=desired-input]", "10").await;
    browser.click("[data-testid=desired-submit]").await;
    browser
        .wait_for_text("[data-testid=action-done]", "Desired count set to 10")
        .await;
    browser.wait_for_text("[data-testid=desired]", "10").await;
    browser.wait_for_text("[data-testid=running]", "10").await;
    browser
        .wait_for_text(
            "[data-testid=service-tasks] [data-testid=count]",
            "10 tasks",
        )
        .await;

    // A forced deployment asks first, then replaces the primary deployment.
    let first = browser.text("[data-testid=deployment-id]").await;
    browser.click("[data-testid=force-deploy]").await;
    browser
        .wait_for_text("[data-testid=confirm-deploy]", "Replace every task")
        .await;
    browser.click("[data-testid=confirm-deploy-yes]").await;
    browser
        .wait_for_text("[data-testid=action-done]", "New deployment started")
        .await;
    let replaced = poll_until(Duration::from_secs(20), || async {
        let ids = browser.texts("[data-testid=deployment-id]").await;
        (!ids.is_empty() && !ids.contains(&first)).then_some(())
    })
    .await;
    if replaced.is_none() {
        let shot = browser.failure_screenshot("service-deploy-timeout").await;
        panic!(
            "the deployment {first} was not replaced; screenshot {}",
            shot.display()
        );
    }
    browser.execute("window.scrollTo(0, 0);", json!([])).await;
    browser.screenshot("service-page-deploying").await;

    // Pausing closes the stream and says so; resuming makes it live again.
    browser.click("[data-testid=live-toggle]").await;
    browser
        .wait_for_text("[data-testid=live-label]", "Paused")
        .await;
    browser.click("[data-testid=live-toggle]").await;
    browser
        .wait_for_text("[data-testid=live-label]", "Live")
        .await;
}

#[tokio::test]
async fn a_task_deep_link_shows_its_containers_and_stopping_it_gets_a_replacement() {
    let berth = Berth::start("browser-task", &["--poll-interval", "1"], &[]);
    let before = snapshot(&berth).await;
    let task = before["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["group"] == "service:api" && t["lastStatus"] == "RUNNING")
        .expect("a running api task")
        .clone();
    let task_id = id(&task["taskArn"]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/demo-ec2/tasks/{task_id}", berth.url))
        .await;

    browser
        .wait_for_text("[data-testid=live-label]", "Live")
        .await;
    let containers = browser
        .wait_for_text("[data-testid=containers]", "envoy")
        .await;
    assert!(containers.contains("demo/api:v1.7.0"), "{containers}");
    assert!(containers.contains("HEALTHY"), "{containers}");
    assert_eq!(browser.count("[data-testid=container]").await, 2);
    let summary = browser.text("[data-testid=task-summary]").await;
    assert!(summary.contains("service api"), "{summary}");
    assert!(summary.contains("api:7"), "{summary}");
    let zone = task["availabilityZone"].as_str().expect("a zone");
    assert!(browser.text("[data-testid=task-zone]").await.contains(zone));
    let instance = browser
        .execute(
            "return document.querySelector('[data-testid=instance-link]').getAttribute('href');",
            json!([]),
        )
        .await;
    assert_eq!(
        instance,
        json!(format!(
            "/clusters/demo-ec2/instances/{}",
            id(&task["containerInstanceArn"])
        ))
    );

    // Its logs (it started two days ago: the latest lines), more while following, a search,
    // the other container.
    browser
        .wait_for_text("[data-testid=log-lines]", "INFO")
        .await;
    assert!(
        browser
            .text("[data-testid=logs-where]")
            .await
            .contains(&task_id),
        "the stream is named after the task"
    );
    let first = browser.count(".log-line").await;
    poll_until(Duration::from_secs(20), || async {
        (browser.count(".log-line").await > first).then_some(())
    })
    .await
    .expect("following reads new lines");
    browser
        .type_into("[data-testid=logs-search]", "info get")
        .await;
    browser
        .wait_for_text("[data-testid=logs-where]", "searched the latest")
        .await;
    let found = browser.texts(".log-line").await;
    assert!(
        !found.is_empty()
            && found
                .iter()
                .all(|l| l.contains("INFO") && l.contains("GET")),
        "{found:?}"
    );
    browser
        .execute(
            "document.querySelector('[data-testid=logs]').scrollIntoView({block: 'start'});",
            json!([]),
        )
        .await;
    browser.screenshot("task-logs-search").await;
    browser.type_into("[data-testid=logs-search]", "").await;
    browser
        .choose("[data-testid=logs-container]", "envoy")
        .await;
    browser
        .wait_for_text("[data-testid=logs-where]", "/envoy/")
        .await;
    screenshots(&browser, "task-page").await;

    // Stop it with a reason, after a confirmation.
    browser
        .type_into("[data-testid=stop-reason]", "browser test")
        .await;
    browser.click("[data-testid=stop-task]").await;
    browser
        .wait_for_text("[data-testid=confirm-stop]", "Stop this task?")
        .await;
    browser.click("[data-testid=confirm-stop-yes]").await;
    browser
        .wait_for_text("[data-testid=action-done]", "Stop requested")
        .await;
    browser
        .wait_for_text("[data-testid=task-summary]", "STOPPED")
        .await;
    browser
        .wait_for_text("[data-testid=stopped-reason]", "browser test")
        .await;
    browser.screenshot("task-page-stopped").await;

    // The service starts a replacement: eight api tasks run again, none of them this one.
    let replaced = poll_until(Duration::from_secs(30), || async {
        let now = snapshot(&berth).await;
        let running: Vec<String> = now["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .filter(|t| t["group"] == "service:api" && t["lastStatus"] == "RUNNING")
            .map(|t| id(&t["taskArn"]))
            .collect();
        (running.len() == 8 && !running.contains(&task_id)).then_some(running)
    })
    .await
    .expect("the service replaces the stopped task");
    browser
        .goto(&format!("{}/clusters/demo-ec2/services/api", berth.url))
        .await;
    browser.wait_for_text("[data-testid=running]", "8").await;
    let tasks = browser.text("[data-testid=service-tasks]").await;
    assert!(tasks.contains(&replaced[0][..8]), "{tasks}");
}

#[tokio::test]
async fn the_instance_page_shows_resources_attributes_and_its_tasks() {
    let berth = Berth::start("browser-instance", &["--poll-interval", "1"], &[]);
    let before = snapshot(&berth).await;
    let instances = before["containerInstances"].as_array().expect("instances");
    let busiest = instances
        .iter()
        .max_by_key(|i| i["runningTasksCount"].as_i64())
        .expect("an instance");
    let running = busiest["runningTasksCount"].as_i64().expect("a count");
    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}/clusters/demo-ec2/instances/{}",
            berth.url,
            id(&busiest["containerInstanceArn"])
        ))
        .await;

    browser
        .wait_for_text("[data-testid=live-label]", "Live")
        .await;
    browser
        .wait_for_text("[data-testid=resources]", "Memory")
        .await;
    assert_eq!(browser.count("[data-testid=meter]").await, 2);
    browser
        .wait_for_text("[data-testid=agent]", "connected")
        .await;
    let attributes = browser.text("[data-testid=attributes]").await;
    assert!(attributes.contains("ecs.availability-zone"), "{attributes}");
    browser
        .wait_for_text(
            "[data-testid=instance-tasks] [data-testid=count]",
            &format!("{running} tasks"),
        )
        .await;
    screenshots(&browser, "instance-page").await;

    // Rows open the task page.
    browser
        .click("[data-testid=instance-tasks] .data-table__row")
        .await;
    browser.find("[data-testid=container]").await;

    // A draining instance says so.
    let draining = instances
        .iter()
        .find(|i| i["status"] == "DRAINING")
        .expect("a draining instance");
    browser
        .goto(&format!(
            "{}/clusters/demo-ec2/instances/{}",
            berth.url,
            id(&draining["containerInstanceArn"])
        ))
        .await;
    browser
        .wait_for_text("[data-testid=draining]", "No new tasks are placed here")
        .await;
    browser.screenshot("instance-page-draining").await;
}

#[tokio::test]
async fn the_service_page_shows_utilization_against_its_scaling_policies() {
    let berth = Berth::start("browser-scaling", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}/clusters/demo-ec2/services/web-frontend?metrics=60",
            berth.url
        ))
        .await;

    let target = browser
        .wait_for_text("[data-testid=scaling-target]", "between 3 and 12")
        .await;
    assert_eq!(
        target,
        "Auto scaling keeps the desired count between 3 and 12."
    );
    let policy = browser.text("[data-testid=scaling-policy]").await;
    assert!(
        policy.contains("cpu60") && policy.contains("average CPU use near 60%"),
        "{policy}"
    );
    assert_eq!(browser.count("[data-testid=scheduled-action]").await, 2);
    let latest = browser
        .wait_for_text(
            "[data-testid=cpu-chart] [data-testid=chart-latest]",
            "average",
        )
        .await;
    assert!(latest.ends_with("peak in the last period"), "{latest}");
    // The CPU policy's target is drawn on the CPU chart only.
    assert_eq!(
        browser
            .count("[data-testid=cpu-chart] [data-testid=chart-target]")
            .await,
        1
    );
    assert_eq!(
        browser
            .count("[data-testid=memory-chart] [data-testid=chart-target]")
            .await,
        0
    );
    let pressed = browser
        .execute(
            "return document.querySelector('[data-testid=window-60]').getAttribute('aria-pressed');",
            json!([]),
        )
        .await;
    assert_eq!(pressed, json!("true"), "the window comes from the URL");
    let points = browser
        .execute(
            "return document.querySelector('[data-testid=cpu-chart] .chart__avg').getAttribute('points').split(' ').length;",
            json!([]),
        )
        .await;
    assert_eq!(points, json!(60));
    browser.click("[data-testid=window-720]").await;
    browser
        .wait_for_text("[data-testid=cpu-chart]", "12 h ago")
        .await;
    assert!(browser.current_url().await.ends_with("?metrics=720"));
    browser
        .execute(
            "document.querySelector('[data-testid=utilization]').scrollIntoView(); window.scrollBy(0, -70);",
            json!([]),
        )
        .await;
    browser.screenshot("service-scaling").await;
    browser.dark().await;
    browser.screenshot("service-scaling-dark").await;

    // A service without a scalable target says so.
    browser
        .goto(&format!(
            "{}/clusters/demo-ec2/services/payments",
            berth.url
        ))
        .await;
    browser
        .wait_for_text("[data-testid=scaling-none]", "Not auto scaled")
        .await;
}

#[tokio::test]
async fn the_service_pages_filters_live_in_the_url() {
    let berth = Berth::start("browser-service-url", &[], &[]);
    let browser = Browser::start().await;
    // A deep link restores the tasks filter and the events search.
    browser
        .goto(&format!(
            "{}/clusters/demo-ec2/services/api?q=no-such-task&events=no-such-words",
            berth.url
        ))
        .await;
    browser
        .wait_for_text(
            "[data-testid=service-tasks] [data-testid=count]",
            "0 of 8 tasks",
        )
        .await;
    browser
        .wait_for_text(
            "[data-testid=service-events]",
            "No events match this search.",
        )
        .await;
    let value = |css: &str| format!("return document.querySelector('{css}').value;");
    assert_eq!(
        browser
            .execute(
                &value("[data-testid=service-tasks] [data-testid=filter]"),
                json!([])
            )
            .await,
        json!("no-such-task")
    );
    assert_eq!(
        browser
            .execute(&value("[data-testid=events-search]"), json!([]))
            .await,
        json!("no-such-words")
    );
    // Typing writes the URL back.
    browser
        .type_into("[data-testid=events-search]", "steady")
        .await;
    browser
        .wait_for_text("[data-testid=service-events]", "steady state")
        .await;
    let url = browser.current_url().await;
    assert!(
        url.contains("events=steady") && url.contains("q=no-such-task"),
        "{url}"
    );
}

#[tokio::test]
async fn a_fargate_capacity_provider_service_reads_the_same_on_the_cluster_and_service_pages() {
    let berth = Berth::start("browser-fargate-words", &[], &[]);
    let (status, created) = berth
        .send(
            reqwest::Method::POST,
            "/api/clusters/demo-fargate/services",
            json!({
                "serviceName": "spot-worker", "taskDefinition": "worker", "desiredCount": 2,
                "capacityProviderStrategy": [
                    {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                    {"capacityProvider": "FARGATE_SPOT", "weight": 3}
                ],
                "networkConfiguration": {"awsvpcConfiguration": {
                    "subnets": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]}}
            }),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let expected = "Fargate spreads tasks across the Availability Zones of the service's subnets.";

    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}/clusters/demo-fargate?tab=services&q=spot-worker",
            berth.url
        ))
        .await;
    let row = browser
        .wait_for_text("[data-testid=services-table]", "spot-worker")
        .await;
    assert!(row.contains(expected), "{row}");
    assert!(
        row.contains("FARGATE (weight 1, base 1), FARGATE_SPOT (weight 3)"),
        "{row}"
    );
    browser
        .screenshot("cluster-services-fargate-providers")
        .await;

    browser
        .goto(&format!(
            "{}/clusters/demo-fargate/services/spot-worker",
            berth.url
        ))
        .await;
    let words = browser
        .wait_for_text("[data-testid=placement-words]", "Fargate")
        .await;
    assert_eq!(
        words.trim(),
        expected,
        "the service page reads as the cluster page"
    );
    browser.screenshot("service-page-fargate-providers").await;
}

#[tokio::test]
async fn a_read_only_server_offers_no_changes() {
    let berth = Berth::start("browser-read-only", &["--read-only"], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/demo-ec2/services/api", berth.url))
        .await;
    browser
        .wait_for_text("[data-testid=read-only]", "read-only")
        .await;
    assert_eq!(browser.count("[data-testid=desired-form]").await, 0);
    let badge = browser.text("[data-testid=read-only-badge]").await;
    assert_eq!(badge, "Read-only");
    browser.screenshot("service-page-read-only").await;

    let task = snapshot(&berth).await["tasks"][0]["taskArn"].clone();
    browser
        .goto(&format!(
            "{}/clusters/demo-ec2/tasks/{}",
            berth.url,
            id(&task)
        ))
        .await;
    browser
        .wait_for_text("[data-testid=read-only]", "changes nothing")
        .await;
    assert_eq!(browser.count("[data-testid=task-actions]").await, 0);

    // The server decides, whatever a page offers.
    let (status, refused) = berth
        .send(
            reqwest::Method::PUT,
            "/api/clusters/demo-ec2/services/api",
            json!({"desiredCount": 1}),
        )
        .await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["code"], "read_only");
}
