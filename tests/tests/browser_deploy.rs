//! The Deploy flow in headless Chromium against the sandbox (whose tasks start ten times
//! faster than its own pace, polled every second): a new image tag previewed in the browser
//! (the same preview the server answers), applied after a confirmation and watched to
//! COMPLETED, then rolled back by hand; and a tag missing from the repository failing to pull
//! until the circuit breaker rolls the service back; standalone tasks run, and a new service
//! created behind a target group, each previewed in the browser and confirmed. Screenshots in
//! light and dark colours land in `target/berth-tests/screenshots/`.

use std::time::Duration;

use berth_tests::{berth::Berth, browser::Browser, poll_until};
use serde_json::{Value, json};

const SERVICE: &str = "/api/clusters/demo-ec2/services/web-frontend";

/// Scrolls the element matching `css` to the top of the window, below the sticky top bar.
async fn scroll_to(browser: &Browser, css: &str) {
    browser.find(css).await;
    browser
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'start'}); window.scrollBy(0, -80);",
            json!([css]),
        )
        .await;
}

/// Sets the value of the input matching `css` and sends `change`, as leaving the field does.
async fn change_to(browser: &Browser, css: &str, value: &str) {
    browser.find(css).await;
    browser
        .execute(
            "const e = document.querySelector(arguments[0]); e.focus(); e.value = arguments[1]; \
             e.dispatchEvent(new Event('change', {bubbles: true}));",
            json!([css, value]),
        )
        .await;
}

/// A browser on web-frontend's Deploy page, once the page has its first preview.
async fn open_deploy(berth: &Berth) -> Browser {
    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}/clusters/demo-ec2/services/web-frontend/deploy",
            berth.url
        ))
        .await;
    browser
        .wait_for_text("[data-testid=preview-headline]", "Nothing changes yet")
        .await;
    browser
}

/// Whether the button matching `css` is disabled.
async fn disabled(browser: &Browser, css: &str) -> bool {
    browser
        .execute(
            "return document.querySelector(arguments[0]).disabled;",
            json!([css]),
        )
        .await
        == json!(true)
}

/// Ticks the checkbox matching `css` unless it is ticked.
async fn check(browser: &Browser, css: &str) {
    let checked = browser
        .execute(
            "return document.querySelector(arguments[0]).checked;",
            json!([css]),
        )
        .await;
    if checked != json!(true) {
        browser.click(css).await;
    }
}

/// The service as the API has it.
async fn service(berth: &Berth) -> Value {
    let (status, snapshot) = berth.get("/api/clusters/demo-ec2").await;
    assert_eq!(status, 200, "{snapshot}");
    snapshot["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["serviceName"] == "web-frontend")
        .unwrap()
        .clone()
}

/// Waits until the service runs `revision` alone, its deployment completed.
async fn completed_on(berth: &Berth, revision: &str) -> Value {
    poll_until(Duration::from_secs(60), || async {
        let service = service(berth).await;
        let deployments = service["deployments"].as_array().unwrap();
        (deployments.len() == 1
            && deployments[0]["rolloutState"] == "COMPLETED"
            && service["taskDefinition"]
                .as_str()
                .unwrap()
                .ends_with(revision))
        .then_some(service)
    })
    .await
    .unwrap_or_else(|| panic!("the service completes a deployment of {revision}"))
}

/// The current image of the service's first container, with `tag`, as a change to register.
async fn image_change(berth: &Berth, tag: &str) -> Value {
    let (_, definition) = berth.get("/api/task-definitions/web-frontend").await;
    let mut register = definition.clone();
    let image = register["containerDefinitions"][0]["image"]
        .as_str()
        .unwrap()
        .rsplit_once(':')
        .unwrap()
        .0
        .to_owned();
    register["containerDefinitions"][0]["image"] = json!(format!("{image}:{tag}"));
    json!({"register": register, "expectedTaskDefinition": definition["taskDefinitionArn"]})
}

#[tokio::test]
async fn a_new_image_is_previewed_applied_watched_and_rolled_back() {
    let berth = Berth::start("browser-deploy", &["--poll-interval", "1"], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}/clusters/demo-ec2/services/web-frontend",
            berth.url
        ))
        .await;
    browser.click("[data-testid=deploy-link]").await;
    browser
        .wait_for_text("[data-testid=preview-headline]", "Nothing changes yet")
        .await;
    let url = browser.current_url().await;
    assert!(
        url.contains("/services/web-frontend/deploy?service=web-frontend"),
        "the page's graph shows the service: {url}"
    );

    // A newer tag from the repository, newest first with its facts.
    let options = browser.texts("[data-testid=tag-select] option").await;
    assert!(options[0].starts_with("v1.18.0 · pushed"), "{options:?}");
    assert!(
        options.iter().any(|o| o.starts_with("v1.5.0")),
        "{options:?}"
    );
    browser.choose("[data-testid=tag-select]", "v1.17.0").await;
    let headline = browser
        .wait_for_text("[data-testid=preview-headline]", "Registers a new revision")
        .await;
    assert!(headline.contains("web-frontend:5"), "{headline}");
    let changes = browser.text("[data-testid=preview-changes]").await;
    assert!(
        changes.contains("containerDefinitions[0].image") && changes.contains("v1.17.0"),
        "{changes}"
    );
    assert!(browser.count("[data-testid=plan-step]").await >= 2);
    let placement = browser.text("[data-testid=preview-placement]").await;
    assert!(placement.contains("fit"), "{placement}");
    let calls = browser.text("[data-testid=preview-calls]").await;
    assert!(
        calls.contains("aws ecs register-task-definition --region us-east-1"),
        "{calls}"
    );
    assert!(calls.contains("aws ecs update-service --region us-east-1 --cluster 'demo-ec2' --service 'web-frontend'"), "{calls}");

    // The browser's preview is the server's.
    let in_browser: Value = serde_json::from_str(
        browser
            .execute(
                "return document.querySelector('[data-testid=preview-json]').textContent;",
                json!([]),
            )
            .await
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let (status, on_server) = berth
        .send(
            reqwest::Method::POST,
            &format!("{SERVICE}/preview"),
            Some(image_change(&berth, "v1.17.0").await),
        )
        .await;
    assert_eq!(status, 200, "{on_server}");
    assert_eq!(in_browser, on_server);

    scroll_to(&browser, "[data-testid=preview]").await;
    browser.screenshot("deploy-preview").await;
    browser.dark().await;
    browser.screenshot("deploy-preview-dark").await;

    // Apply, after a confirmation that names the service, cluster and account.
    browser.click("[data-testid=apply-button]").await;
    let confirm = browser
        .wait_for_text("[data-testid=confirm-apply]", "web-frontend")
        .await;
    assert!(
        confirm.contains("demo-ec2") && confirm.contains("Sandbox · us-east-1"),
        "{confirm}"
    );
    browser.screenshot("deploy-confirm-dark").await;
    browser.click("[data-testid=confirm-apply-yes]").await;
    let applied = browser
        .wait_for_text("[data-testid=applied-calls]", "UpdateService")
        .await;
    assert!(
        applied.contains("RegisterTaskDefinition registered web-frontend:6"),
        "{applied}"
    );
    completed_on(&berth, "web-frontend:6").await;
    scroll_to(&browser, "[data-testid=rollout]").await;
    browser
        .wait_for_text("[data-testid=rollout-progress]", "6 of 6 running")
        .await;
    browser
        .wait_for_text("[data-testid=rollout-events]", "steady state")
        .await;
    browser.screenshot("deploy-rollout-dark").await;
    // The service's tasks on the cluster's placement graph, filtered to it.
    let graph = browser
        .wait_for_text("[data-testid=rollout-graph]", "12 instances · 3 zones")
        .await;
    assert!(
        graph.contains("12 of 41 tasks"),
        "six new tasks and the six old ones just stopped: {graph}"
    );
    scroll_to(&browser, "[data-testid=rollout-graph]").await;
    // The lanes paint as they scroll into view.
    tokio::time::sleep(Duration::from_millis(500)).await;
    browser.screenshot("deploy-rollout-graph-dark").await;
    scroll_to(&browser, "[data-testid=rollout]").await;

    // Roll back by hand: the earlier revision, previewed, applied.
    browser.click("[data-testid=roll-back]").await;
    browser
        .wait_for_text(
            "[data-testid=preview-headline]",
            "Deploys web-frontend:5 in place of web-frontend:6",
        )
        .await;
    browser.click("[data-testid=apply-button]").await;
    browser.click("[data-testid=confirm-apply-yes]").await;
    browser
        .wait_for_text("[data-testid=applied]", "now deploys web-frontend:5")
        .await;
    completed_on(&berth, "web-frontend:5").await;
    let (_, families) = berth.get("/api/task-definitions").await;
    let revisions = families["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["family"] == "web-frontend")
        .unwrap()["revisions"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        revisions, 6,
        "one revision registered, none for the roll back"
    );
}

#[tokio::test]
async fn a_tag_missing_from_the_repository_fails_and_the_circuit_breaker_rolls_back() {
    let berth = Berth::start("browser-deploy-bad-tag", &["--poll-interval", "1"], &[]);
    let browser = open_deploy(&berth).await;
    change_to(&browser, "[data-testid=tag-input]", "v404").await;
    browser
        .wait_for_text("[data-testid=tag-warning]", "CannotPullContainerError")
        .await;
    check(&browser, "[data-testid=breaker-input]").await;
    check(&browser, "[data-testid=rollback-input]").await;
    let plan = browser
        .wait_for_text(
            "[data-testid=preview]",
            "the circuit breaker trips after 3 failed launches",
        )
        .await;
    assert!(plan.contains("Registers a new revision"), "{plan}");
    scroll_to(&browser, "[data-testid=deploy-inputs]").await;
    browser.screenshot("deploy-bad-tag").await;

    browser.click("[data-testid=apply-button]").await;
    browser.click("[data-testid=confirm-apply-yes]").await;
    browser
        .wait_for_text("[data-testid=applied-calls]", "UpdateService")
        .await;
    scroll_to(&browser, "[data-testid=rollout]").await;
    let failed = browser
        .wait_for_text("[data-testid=failed-launches]", "CannotPullContainerError")
        .await;
    assert!(failed.contains("v404"), "{failed}");
    browser
        .wait_for_text("[data-testid=rollout-events]", "rolling back")
        .await;
    browser.screenshot("deploy-rolled-back").await;

    // The logs beside the rollout: a task that never started has no lines, and says why.
    let failed_task = browser
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=rollout-logs-task] option'))\
             .find(o => o.textContent.includes('TaskFailedToStart')).value;",
            json!([]),
        )
        .await;
    browser
        .choose(
            "[data-testid=rollout-logs-task]",
            failed_task.as_str().expect("a failed task is offered"),
        )
        .await;
    let none = browser
        .wait_for_text("[data-testid=logs-unavailable]", "CannotPullContainerError")
        .await;
    assert!(none.contains("No lines yet"), "{none}");
    scroll_to(&browser, "[data-testid=rollout-logs]").await;
    browser.screenshot("deploy-logs-pull-error").await;
    let service = completed_on(&berth, "web-frontend:5").await;
    assert!(
        service["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"]
                .as_str()
                .unwrap()
                .contains("deployment failed: tasks failed to start")),
        "{service}"
    );
}

#[tokio::test]
async fn bad_input_is_named_and_blocks_apply() {
    let berth = Berth::start("browser-deploy-bad-input", &[], &[]);
    let browser = open_deploy(&berth).await;

    // Ports and log settings are form fields; a port that is not one is named in words.
    change_to(&browser, "[data-testid=ports-input]", "8080, 80:9000").await;
    let changes = browser
        .wait_for_text("[data-testid=preview-changes]", "portMappings[1]")
        .await;
    assert!(changes.contains("9000"), "{changes}");
    change_to(&browser, "[data-testid=log-prefix-input]", "frontend").await;
    browser
        .wait_for_text("[data-testid=preview-changes]", "awslogs-stream-prefix")
        .await;
    change_to(&browser, "[data-testid=ports-input]", "http").await;
    browser
        .wait_for_text(
            "[data-testid=ports-problem]",
            "\"http\" is not a port mapping",
        )
        .await;
    scroll_to(&browser, "[data-testid=ports-input]").await;
    browser.screenshot("deploy-ports-and-logs").await;
    // New auto scaling bounds: one RegisterScalableTarget call, and what it does to the count.
    browser
        .type_into("[data-testid=scale-max-input]", "4")
        .await;
    let calls = browser
        .wait_for_text("[data-testid=preview-calls]", "RegisterScalableTarget")
        .await;
    assert!(
        calls.contains(
            "--resource-id 'service/demo-ec2/web-frontend' --min-capacity 3 --max-capacity 4"
        ),
        "{calls}"
    );
    browser
        .wait_for_text("[data-testid=preview-problems]", "moves it to 4")
        .await;
    browser
        .wait_for_text(
            "[data-testid=preview-headline]",
            "auto scaling between 3 and 4 tasks",
        )
        .await;
    browser
        .type_into("[data-testid=scale-max-input]", "12")
        .await;
    // A new capacity provider strategy replaces every task: the update says so.
    change_to(
        &browser,
        "[data-testid=strategy-input]",
        "demo-ec2-cp weight 1",
    )
    .await;
    change_to(&browser, "[data-testid=ports-input]", "8080").await;
    let calls = browser
        .wait_for_text(
            "[data-testid=preview-calls]",
            "--capacity-provider-strategy",
        )
        .await;
    assert!(calls.contains("--force-new-deployment"), "{calls}");
    change_to(
        &browser,
        "[data-testid=strategy-input]",
        "demo-ec2-cp size 2",
    )
    .await;
    browser
        .wait_for_text(
            "[data-testid=settings-problems]",
            "capacityProviderStrategy",
        )
        .await;
    browser.goto(&browser.current_url().await).await;
    browser
        .wait_for_text("[data-testid=preview-headline]", "Nothing changes yet")
        .await;

    browser
        .type_into("[data-testid=desired-input]", "6000")
        .await;
    let problems = browser
        .wait_for_text("[data-testid=preview-problems]", "desiredCount")
        .await;
    assert!(problems.contains("5000"), "{problems}");
    assert!(disabled(&browser, "[data-testid=apply-button]").await);
    browser
        .type_into("[data-testid=desired-input]", "six")
        .await;
    browser
        .wait_for_text("[data-testid=settings-problems]", "whole number")
        .await;
    browser.type_into("[data-testid=desired-input]", "6").await;
    browser.click("[data-testid=json-editor] summary").await;
    browser
        .type_into(
            "[data-testid=json-input]",
            "{\"family\": \"web-frontend\", ",
        )
        .await;
    browser
        .wait_for_text("[data-testid=definition-problems]", "does not parse")
        .await;
    browser
        .type_into(
            "[data-testid=json-input]",
            r#"{"family": "web-frontend", "containerDefinitions": [{"name": "web", "image": "x:1", "memory": -5}]}"#,
        )
        .await;
    let problems = browser
        .wait_for_text(
            "[data-testid=definition-problems]",
            "register.containerDefinitions[0].memory",
        )
        .await;
    assert!(problems.contains("Error"), "{problems}");
    scroll_to(&browser, "[data-testid=json-editor]").await;
    browser.screenshot("deploy-bad-input").await;
    assert_eq!(
        service(&berth).await["deployments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_task_run_is_previewed_confirmed_and_its_tasks_log() {
    let berth = Berth::start("browser-run", &["--poll-interval", "1"], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/demo-ec2", berth.url))
        .await;
    browser.click("[data-testid=run-task-link]").await;
    browser
        .wait_for_text("[data-testid=cluster-name]", "demo-ec2")
        .await;
    browser
        .choose("[data-testid=run-family]", "batch-report")
        .await;
    browser.type_into("[data-testid=run-count]", "11").await;
    browser
        .wait_for_text("[data-testid=run-problems]", "1 to 10")
        .await;
    browser
        .wait_for_text(
            "[data-testid=run-headline]",
            "1 problem to fix before this can run",
        )
        .await;
    browser.screenshot("run-task-bad-count").await;
    assert!(
        disabled(&browser, "[data-testid=run-button]").await,
        "a run that breaks a rule cannot be sent"
    );
    browser.type_into("[data-testid=run-count]", "2").await;
    browser
        .wait_for_text(
            "[data-testid=run-headline]",
            "Runs 2 tasks of batch-report:",
        )
        .await;
    browser
        .wait_for_text("[data-testid=preview-placement]", "All 2 of the tasks fit")
        .await;
    let calls = browser.text("[data-testid=preview-calls]").await;
    assert!(
        calls.contains("aws ecs run-task --region us-east-1 --cluster 'demo-ec2'"),
        "{calls}"
    );
    browser.screenshot("run-task-preview").await;

    browser.click("[data-testid=run-button]").await;
    browser
        .wait_for_text(
            "[data-testid=confirm-run]",
            "Run tasks in the cluster demo-ec2 of Sandbox",
        )
        .await;
    browser.dark().await;
    browser.screenshot("run-task-confirm-dark").await;
    browser.click("[data-testid=confirm-run-yes]").await;
    let done = browser
        .wait_for_text("[data-testid=run-done]", "Started 2 tasks")
        .await;
    assert!(done.contains("no request id"), "{done}");
    browser.screenshot("run-task-done-dark").await;

    // Each task started is a link to its page, where its logs follow once it runs.
    browser.click("[data-testid=run-tasks] a").await;
    browser
        .wait_for_text("[data-testid=task-summary]", "batch-report")
        .await;
    browser
        .wait_for_text("[data-testid=log-lines]", "starting report")
        .await;
}

#[tokio::test]
async fn a_new_service_is_previewed_like_the_server_confirmed_and_watched() {
    let berth = Berth::start("browser-create", &["--poll-interval", "1"], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/demo-ec2", berth.url))
        .await;
    browser.click("[data-testid=new-service-link]").await;
    browser
        .wait_for_text("[data-testid=cluster-name]", "demo-ec2")
        .await;
    browser
        .choose("[data-testid=create-family]", "web-frontend")
        .await;
    browser
        .type_into("[data-testid=create-name]", "web-frontend")
        .await;
    browser
        .wait_for_text(
            "[data-testid=create-problems]",
            "demo-ec2 already has a service named web-frontend",
        )
        .await;
    browser
        .type_into("[data-testid=create-placement]", "pack(memory)")
        .await;
    browser
        .wait_for_text("[data-testid=create-problems]", "is not a placement rule")
        .await;
    assert!(
        disabled(&browser, "[data-testid=create-button]").await,
        "a service that breaks a rule cannot be created"
    );
    browser.screenshot("create-service-bad-input").await;

    let target_group = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-canary/0123456789abcdef";
    browser
        .type_into("[data-testid=create-name]", "web-canary")
        .await;
    browser
        .type_into(
            "[data-testid=create-placement]",
            "spread(attribute:ecs.availability-zone)\nbinpack(memory)",
        )
        .await;
    browser
        .type_into("[data-testid=create-target-group]", target_group)
        .await;
    browser
        .wait_for_text("[data-testid=create-target]", "web:8080")
        .await;
    browser
        .wait_for_text(
            "[data-testid=create-headline]",
            "Creates web-canary on demo-ec2: 2 tasks of web-frontend:",
        )
        .await;
    browser
        .wait_for_text(
            "[data-testid=preview-placement]",
            "All 2 of the service's first tasks fit",
        )
        .await;
    let calls = browser.text("[data-testid=preview-calls]").await;
    assert!(
        calls.contains(
            "aws ecs create-service --region us-east-1 --cluster 'demo-ec2' --service-name 'web-canary'"
        ) && calls.contains("--load-balancers"),
        "{calls}"
    );
    browser.screenshot("create-service-preview").await;

    // The server previews the request the page would send the same way.
    let page: Value = serde_json::from_value(
        browser
            .execute(
                "return JSON.parse(document.querySelector('[data-testid=create-preview-json]').textContent);",
                json!([]),
            )
            .await,
    )
    .unwrap();
    let mut request = page["calls"][0]["input"].clone();
    request.as_object_mut().unwrap().remove("cluster");
    let (status, server) = berth
        .send(
            reqwest::Method::POST,
            "/api/clusters/demo-ec2/new-service/preview",
            request,
        )
        .await;
    assert_eq!(status, 200, "{server}");
    for field in [
        "service", "revision", "tasks", "problems", "blocked", "calls",
    ] {
        assert_eq!(server[field], page[field], "{field}");
    }

    browser.click("[data-testid=create-button]").await;
    browser
        .wait_for_text(
            "[data-testid=confirm-create]",
            "Create the service web-canary in the cluster demo-ec2 of Sandbox",
        )
        .await;
    browser.dark().await;
    browser.screenshot("create-service-confirm-dark").await;
    browser.click("[data-testid=confirm-create-yes]").await;
    browser
        .wait_for_text("[data-testid=create-done]", "Created web-canary (ACTIVE)")
        .await;
    browser.screenshot("create-service-done-dark").await;

    browser.click("[data-testid=create-watch]").await;
    browser
        .wait_for_text("[data-testid=service-name]", "web-canary")
        .await;
    let created = poll_until(Duration::from_secs(60), || async {
        let (_, snapshot) = berth.get("/api/clusters/demo-ec2").await;
        snapshot["services"].as_array().and_then(|services| {
            services
                .iter()
                .find(|s| s["serviceName"] == "web-canary" && s["runningCount"] == 2)
                .cloned()
        })
    })
    .await
    .expect("web-canary runs its 2 tasks");
    assert_eq!(created["loadBalancers"][0]["targetGroupArn"], target_group);
    assert_eq!(
        created["placementStrategy"][0]["field"],
        "attribute:ecs.availability-zone"
    );
    browser.screenshot("create-service-watched-dark").await;
}
