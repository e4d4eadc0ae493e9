//! The accessibility gate over every page of the console: each is opened on the sandbox and
//! checked by axe-core (WCAG 2.0 and 2.1, A and AA) in the light and the dark theme through
//! `Browser::screenshot`, which fails on any serious or critical violation. The other browser
//! tests pass the same gate at every state they look at (dialogs, previews, rollouts).

use berth_tests::{berth::Berth, browser::Browser};
use serde_json::json;

#[tokio::test]
async fn every_page_passes_the_accessibility_gate_in_both_themes() {
    let berth = Berth::start("browser-accessibility", &[], &[]);
    let browser = Browser::start().await;
    let (_, snapshot) = berth.get("/api/clusters/demo-ec2").await;
    let task = snapshot["tasks"][0]["taskArn"]
        .as_str()
        .and_then(|arn| arn.rsplit('/').next())
        .expect("a task in demo-ec2")
        .to_owned();
    let instance = snapshot["containerInstances"][0]["containerInstanceArn"]
        .as_str()
        .and_then(|arn| arn.rsplit('/').next())
        .expect("an instance in demo-ec2")
        .to_owned();
    // (path, text that says the page has loaded, screenshot name)
    let pages = [
        ("/clusters", "demo-ec2", "a11y-overview"),
        ("/clusters/demo-ec2", "tasks ·", "a11y-cluster-graph"),
        (
            "/clusters/demo-ec2?tab=services",
            "api",
            "a11y-cluster-services",
        ),
        ("/clusters/demo-ec2?tab=tasks", "api", "a11y-cluster-tasks"),
        (
            "/clusters/demo-ec2?tab=instances",
            "ACTIVE",
            "a11y-cluster-instances",
        ),
        (
            "/clusters/demo-ec2?tab=events",
            "api",
            "a11y-cluster-events",
        ),
        (
            "/clusters/demo-ec2/services/api",
            "Deployments",
            "a11y-service",
        ),
        (
            "/clusters/demo-ec2/services/api/deploy",
            "Preview",
            "a11y-deploy",
        ),
        ("/clusters/demo-ec2/run", "Preview", "a11y-run-task"),
        (
            "/clusters/demo-ec2/new-service",
            "Preview",
            "a11y-create-service",
        ),
        (
            &format!("/clusters/demo-ec2/tasks/{task}"),
            "Containers",
            "a11y-task",
        ),
        (
            &format!("/clusters/demo-ec2/instances/{instance}"),
            "Attributes",
            "a11y-instance",
        ),
        ("/repositories", "demo/api", "a11y-repositories"),
        ("/repositories/demo/api", "Images", "a11y-repository"),
        ("/task-definitions", "api", "a11y-task-definitions"),
        (
            "/task-definitions/api",
            "Containers",
            "a11y-task-definition",
        ),
        ("/audit", "Audit", "a11y-audit"),
        ("/login", "sign-in", "a11y-sign-in"),
        ("/no-such-page", "Page not found", "a11y-not-found"),
    ];
    for (path, loaded, name) in pages {
        browser.goto(&format!("{}{path}", berth.url)).await;
        browser.wait_for_text("main", loaded).await;
        // Pages that load parts lazily settle before they are judged.
        let busy = "return document.querySelectorAll('[aria-busy=true]').length;";
        for _ in 0..50 {
            if browser.execute(busy, json!([])).await == json!(0) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        browser.screenshot(name).await;
    }
}
