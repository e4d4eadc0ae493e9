//! The console over the SDK path: `berth --aws` against a seeded moto, in headless Chromium.
//! Each page is opened by a deep link and shows what moto holds: the cluster's placement
//! graph, a service and one of its tasks, task definitions and ECR repositories. Screenshots
//! land in `target/berth-tests/screenshots/moto-*.png`.

use berth_tests::{
    berth::Berth,
    browser::Browser,
    fixtures,
    moto::{AWS_ENV, Moto},
};

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
