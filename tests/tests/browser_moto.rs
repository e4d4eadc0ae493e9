//! The console over the SDK path: `berth --aws` against a seeded moto, in headless Chromium.
//! Each page is opened by a deep link and shows what moto holds: the cluster's placement
//! graph, a service and one of its tasks, task definitions and ECR repositories. Screenshots
//! land in `target/berth-tests/screenshots/moto-*.png`. A 5,000-task cluster checks the console
//! at the scale of a real fleet over the same path.

use std::time::Duration;

use berth_tests::{
    berth::Berth,
    browser::Browser,
    fixtures::{self, LARGE_CLUSTER},
    moto::{AWS_ENV, Moto},
};
use serde_json::json;

#[tokio::test]
async fn every_page_shows_what_moto_holds() {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    let registry = fixtures::seed_registry(&moto).await;
    let berth = Berth::start(
        "browser-moto-pages",
        &["--aws", "--endpoint-url", &moto.url],
        AWS_ENV,
    );
    let browser = Browser::start().await;

    // The cluster: three instances over two zones, it-web's four tasks on them.
    browser
        .goto(&format!("{}/clusters/it-ec2", berth.url))
        .await;
    browser
        .wait_for_text("[data-testid=graph-count]", "instances")
        .await;
    assert_eq!(browser.count("[data-testid=lane]").await, 2);
    assert_eq!(browser.count("[data-testid=instance]").await, 3);
    let services = browser
        .attributes(".block[data-task]", "data-service")
        .await;
    assert_eq!(services.len(), 4, "{services:?}");
    assert!(services.iter().all(|s| s == "it-web"), "{services:?}");
    browser.screenshot("moto-cluster").await;

    // The service: its desired count as moto reports it, its tasks, and no auto scaling.
    browser
        .goto(&format!("{}/clusters/it-ec2/services/it-web", berth.url))
        .await;
    browser.wait_for_text("[data-testid=desired]", "4").await;
    browser
        .wait_for_text("[data-testid=scaling-none]", "Not auto scaled")
        .await;
    browser
        .wait_for_text("[data-testid=service-tasks] [data-testid=count]", "4 tasks")
        .await;
    browser.screenshot("moto-service").await;

    // One of its tasks, opened from the table.
    browser.click("[data-testid=service-tasks] tbody tr").await;
    browser
        .wait_for_text("[data-testid=task-group]", "it-web")
        .await;
    assert!(
        browser
            .current_url()
            .await
            .contains("/clusters/it-ec2/tasks/")
    );
    browser.screenshot("moto-task").await;

    // Task definitions: both families moto holds.
    browser
        .goto(&format!("{}/task-definitions", berth.url))
        .await;
    let families = browser
        .wait_for_text("[data-testid=families]", "it-web")
        .await;
    assert!(families.contains("it-api"), "{families}");
    browser.screenshot("moto-task-definitions").await;

    // ECR: every repository seeded, with its image count.
    browser.goto(&format!("{}/repositories", berth.url)).await;
    browser
        .wait_for_text("[data-testid=repository-row]", "/")
        .await;
    let rows = browser.texts("[data-testid=repository-row]").await;
    assert_eq!(rows.len(), registry.repositories.len(), "{rows:?}");
    for (name, _) in &registry.repositories {
        assert!(rows.iter().any(|r| r.contains(name)), "{name} in {rows:?}");
    }
    browser.screenshot("moto-repositories").await;
}

#[tokio::test]
async fn the_source_switch_opens_another_region_and_links_keep_it() {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    aws_sdk_ecs::Client::new(&moto.sdk_config_in("eu-west-1"))
        .create_cluster()
        .cluster_name("it-ireland")
        .send()
        .await
        .expect("create_cluster in eu-west-1");
    let berth = Berth::start(
        "browser-moto-sources",
        &[
            "--aws",
            "--endpoint-url",
            &moto.url,
            "--regions",
            "us-east-1,eu-west-1",
        ],
        AWS_ENV,
    );
    let browser = Browser::start().await;
    let switch = "[data-testid=source-switch]";
    let chosen = format!("return document.querySelector(\"{switch}\").value;");

    // The default region first, chosen in the switch.
    browser.goto(&format!("{}/clusters", berth.url)).await;
    browser
        .wait_for_text("[data-testid=summary]", "2 clusters")
        .await;
    browser
        .find(&format!("{switch} option[value='sandbox']"))
        .await;
    assert_eq!(browser.execute(&chosen, json!([])).await, "aws:us-east-1");
    let options = browser.texts(&format!("{switch} option")).await;
    assert_eq!(
        options,
        [
            "Sandbox (simulated us-east-1)",
            "US East (N. Virginia) · us-east-1 · default",
            "Europe (Ireland) · eu-west-1",
        ]
    );

    // Switching opens the other region's overview, with the source in the URL.
    browser.choose(switch, "aws:eu-west-1").await;
    browser
        .wait_for_text("[data-testid=summary]", "1 cluster")
        .await;
    assert!(
        browser
            .current_url()
            .await
            .ends_with("/clusters?source=aws:eu-west-1")
    );
    assert!(
        browser
            .text("[data-testid=source]")
            .await
            .contains("eu-west-1"),
        "the top bar names the region"
    );
    assert_eq!(browser.execute(&chosen, json!([])).await, "aws:eu-west-1");
    browser.screenshot("moto-sources-ireland").await;

    // Links keep the source: the cluster card, then the top bar's task definitions.
    browser
        .click("a.card__title[href='/clusters/it-ireland?source=aws:eu-west-1']")
        .await;
    browser
        .wait_for_text("[data-testid=cluster-name]", "it-ireland")
        .await;
    browser
        .click(".top-bar__nav a[href='/task-definitions?source=aws:eu-west-1']")
        .await;
    browser.wait_for_text("h1", "Task definitions").await;
    assert!(
        browser
            .current_url()
            .await
            .ends_with("/task-definitions?source=aws:eu-west-1")
    );

    // A deep link opens the account it names: the sandbox beside AWS.
    browser
        .goto(&format!("{}/clusters?source=sandbox", berth.url))
        .await;
    browser
        .wait_for_text("[data-testid=summary]", "3 clusters")
        .await;
    browser
        .find(&format!("{switch} option[value='sandbox']"))
        .await;
    assert_eq!(browser.execute(&chosen, json!([])).await, "sandbox");
    browser.dark().await;
    browser.screenshot("moto-sources-sandbox-dark").await;

    // A source the server does not offer is said in words, and the switch shows it as such.
    browser
        .goto(&format!("{}/clusters?source=aws:ap-south-1", berth.url))
        .await;
    let error = browser
        .wait_for_text("[data-testid=error]", "Invalid request")
        .await;
    assert!(
        error.contains("does not offer the source \"aws:ap-south-1\""),
        "{error}"
    );
    browser
        .wait_for_text(
            &format!("{switch} option[disabled]"),
            "aws:ap-south-1 (not offered)",
        )
        .await;
    browser.screenshot("moto-sources-not-offered").await;
}

/// 500 container instances and 5,000 tasks read over the SDK path: the graph draws them all,
/// 50 tasks started in AWS reach the page as a live delta (recorded on the performance
/// timeline), and the tasks table, the service page and the overview read the same fleet. Bounds only catch gross regressions; figures are in docs/BENCHMARKS.md.
#[tokio::test]
async fn a_five_thousand_task_cluster_from_aws_is_drawn_and_followed() {
    let moto = Moto::start().await;
    fixtures::seed_large_fleet(&moto, 500, 10, 500).await;
    let berth = Berth::start(
        "browser-moto-large",
        &["--aws", "--endpoint-url", &moto.url],
        AWS_ENV,
    );
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/{LARGE_CLUSTER}", berth.url))
        .await;
    let count = "[data-testid=graph-count]";
    let drawn = browser
        .text_within(count, Duration::from_secs(120), |t| {
            t.contains("of 5000 tasks")
        })
        .await;
    let Some(drawn) = drawn else {
        let shot = browser.failure_screenshot("moto-large-timeout").await;
        panic!("the 5,000 tasks are drawn within 120 s; {}", shot.display());
    };
    assert!(drawn.contains("500 instances"), "{drawn}");
    browser
        .wait_for_text("[data-testid=live-label]", "Live")
        .await;
    browser.screenshot("moto-large").await;

    let ecs = moto.ecs().await;
    for _ in 0..5 {
        fixtures::run_tasks(&ecs, "service:svc-00", 10).await;
    }
    let followed = browser
        .text_within(count, Duration::from_secs(120), |t| {
            t.contains("of 5050 tasks")
        })
        .await;
    assert!(followed.is_some(), "the 50 new tasks reach the page");
    let shown = browser
        .execute(
            "return performance.getEntriesByName('berth: live event shown')\
             .filter(e => e.detail.event === 'delta')\
             .reduce((sum, e) => sum + e.detail.tasks, 0);",
            json!([]),
        )
        .await;
    assert!(
        shown.as_u64().is_some_and(|tasks| tasks >= 50),
        "live deltas brought the new tasks and were measured: {shown}"
    );

    // The tasks table filtered to one service, the service's page, and the overview.
    browser
        .goto(&format!(
            "{}/clusters/{LARGE_CLUSTER}?tab=tasks&q=svc-03&sort=-memory",
            berth.url
        ))
        .await;
    browser.wait_for_text("main", "500 of 5050").await;
    browser
        .goto(&format!(
            "{}/clusters/{LARGE_CLUSTER}/services/svc-00",
            berth.url
        ))
        .await;
    browser.wait_for_text("[data-testid=desired]", "500").await;
    browser
        .wait_for_text(
            "[data-testid=service-tasks] [data-testid=count]",
            "550 tasks",
        )
        .await;
    browser.screenshot("moto-large-service").await;
    browser.goto(&format!("{}/clusters", berth.url)).await;
    browser
        .wait_for_text("[data-testid=summary]", "1 cluster")
        .await;
}
