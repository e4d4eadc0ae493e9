//! The accessibility gate over every page of the console: each is opened on the sandbox and
//! checked by axe-core (WCAG 2.0 and 2.1, A and AA) in the light and the dark theme through
//! `Browser::screenshot`, which fails on any serious or critical violation; and again at 360
//! pixels wide, where no page may scroll sideways. The other browser tests pass the same gate
//! at every state they look at (dialogs, previews, rollouts). The keyboard tests walk the
//! console's flows with real key presses, and check that dialogs hold and give back the focus.

use berth_tests::{
    berth::Berth,
    browser::{ARROW_DOWN, Browser, ENTER, ESCAPE, TAB},
};
use serde_json::json;

/// Every page of the console on the sandbox: (path, text saying it has loaded, a name).
async fn pages(berth: &Berth) -> Vec<(String, &'static str, &'static str)> {
    let (_, snapshot) = berth.get("/api/clusters/demo-ec2").await;
    let short = |arn: &serde_json::Value| {
        arn.as_str()
            .and_then(|arn| arn.rsplit('/').next())
            .expect("an ARN")
            .to_owned()
    };
    let task = short(&snapshot["tasks"][0]["taskArn"]);
    let instance = short(&snapshot["containerInstances"][0]["containerInstanceArn"]);
    [
        ("/clusters", "demo-ec2", "overview"),
        ("/clusters/demo-ec2", "tasks ·", "cluster-graph"),
        ("/clusters/demo-ec2?tab=services", "api", "cluster-services"),
        ("/clusters/demo-ec2?tab=tasks", "api", "cluster-tasks"),
        (
            "/clusters/demo-ec2?tab=instances",
            "ACTIVE",
            "cluster-instances",
        ),
        ("/clusters/demo-ec2?tab=events", "api", "cluster-events"),
        ("/clusters/demo-ec2/services/api", "Deployments", "service"),
        (
            "/clusters/demo-ec2/services/api/deploy",
            "Preview",
            "deploy",
        ),
        ("/clusters/demo-ec2/run", "Preview", "run-task"),
        (
            "/clusters/demo-ec2/new-service",
            "Preview",
            "create-service",
        ),
        (
            &format!("/clusters/demo-ec2/tasks/{task}"),
            "Containers",
            "task",
        ),
        (
            &format!("/clusters/demo-ec2/instances/{instance}"),
            "Attributes",
            "instance",
        ),
        ("/repositories", "demo/api", "repositories"),
        ("/repositories/demo/api", "Images", "repository"),
        ("/task-definitions", "api", "task-definitions"),
        ("/task-definitions/api", "Containers", "task-definition"),
        ("/audit", "Audit", "audit"),
        ("/login", "sign-in", "sign-in"),
        ("/no-such-page", "Page not found", "not-found"),
    ]
    .into_iter()
    .map(|(path, loaded, name)| (path.to_owned(), loaded, name))
    .collect()
}

/// Opens `url` and waits until `main` says `loaded` and nothing is still loading.
async fn open(browser: &Browser, url: &str, loaded: &str) {
    browser.goto(url).await;
    browser.wait_for_text("main", loaded).await;
    let busy = "return document.querySelectorAll('[aria-busy=true]').length;";
    for _ in 0..50 {
        if browser.execute(busy, json!([])).await == json!(0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn every_page_passes_the_accessibility_gate_in_both_themes() {
    let berth = Berth::start("browser-accessibility", &[], &[]);
    let browser = Browser::start().await;
    for (path, loaded, name) in pages(&berth).await {
        open(&browser, &format!("{}{path}", berth.url), loaded).await;
        browser.screenshot(&format!("a11y-{name}")).await;
    }
}

/// At 360 CSS pixels wide (a small phone) no page scrolls sideways: wide tables and the tab
/// bar scroll inside their own boxes. Each page also passes the gate at that width.
#[tokio::test]
async fn every_page_fits_a_360_pixel_wide_screen() {
    let berth = Berth::start("browser-narrow", &[], &[]);
    let browser = Browser::start().await;
    browser.set_window_size(360, 800).await;
    let width = "return [document.documentElement.scrollWidth, document.documentElement.clientWidth, innerWidth];";
    let viewport = browser.execute(width, json!([])).await;
    assert!(
        viewport[2].as_u64().is_some_and(|w| w <= 400),
        "the window is narrow: {viewport}"
    );
    for (path, loaded, name) in pages(&berth).await {
        open(&browser, &format!("{}{path}", berth.url), loaded).await;
        let widths = browser.execute(width, json!([])).await;
        let shot = browser.screenshot(&format!("narrow-{name}")).await;
        assert!(
            widths[0].as_u64() <= widths[1].as_u64(),
            "{path} scrolls sideways at 360 px ([content, viewport, window] = {widths}); {}",
            shot.display()
        );
    }
}

/// The main ways through the console with the keyboard alone, every stop with a visible
/// focus: from the overview into a cluster and on to Run task; and from the graph filtered to a
/// service, to that service's page and its Deploy page.
#[tokio::test]
async fn the_main_ways_work_with_the_keyboard_alone() {
    let berth = Berth::start("browser-keyboard", &[], &[]);
    let browser = Browser::start().await;
    open(&browser, &format!("{}/clusters", berth.url), "demo-ec2").await;
    browser
        .tab_to("a.card__title[href='/clusters/demo-ec2']")
        .await;
    browser.keys(ENTER).await;
    browser
        .wait_for_text("[data-testid=cluster-name]", "demo-ec2")
        .await;
    browser.tab_to("[data-testid=run-task-link]").await;
    browser.keys(ENTER).await;
    browser.wait_for_text("main", "Preview").await;
    assert!(
        browser
            .current_url()
            .await
            .ends_with("/clusters/demo-ec2/run")
    );

    open(
        &browser,
        &format!("{}/clusters/demo-ec2?service=api", berth.url),
        "8 of 35 tasks",
    )
    .await;
    browser.tab_to("[data-testid=service-page-link]").await;
    browser.keys(ENTER).await;
    browser
        .wait_for_text("[data-testid=service-name]", "api")
        .await;
    browser.tab_to("[data-testid=deploy-link]").await;
    browser.keys(ENTER).await;
    browser.wait_for_text("main", "Preview").await;
    assert!(browser.current_url().await.contains("/services/api/deploy"));
    browser.screenshot("keyboard-deploy").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialogs_hold_the_focus_and_give_it_back() {
    let berth = Berth::start("browser-dialogs", &[], &[]);
    let browser = Browser::start().await;
    open(
        &browser,
        &format!("{}/clusters/demo-ec2/services/api", berth.url),
        "Deployments",
    )
    .await;

    // A confirmation: the focus starts on Cancel, Tab and Shift+Tab stay inside, Escape
    // cancels and the focus is back on the control that opened it.
    browser.tab_to("[data-testid=force-deploy]").await;
    browser.keys(ENTER).await;
    browser
        .wait_for_focus("[data-testid=confirm-deploy-cancel]")
        .await;
    browser.screenshot("keyboard-confirm").await;
    browser.keys(TAB).await;
    browser
        .wait_for_focus("[data-testid=confirm-deploy-yes]")
        .await;
    browser.keys(TAB).await;
    browser
        .wait_for_focus("[data-testid=confirm-deploy-cancel]")
        .await;
    browser.shift_tab().await;
    browser
        .wait_for_focus("[data-testid=confirm-deploy-yes]")
        .await;
    browser.shift_tab().await;
    browser
        .wait_for_focus("[data-testid=confirm-deploy-cancel]")
        .await;
    browser.keys(ESCAPE).await;
    browser.wait_for_focus("[data-testid=force-deploy]").await;
    assert_eq!(browser.count("[data-testid=confirm-deploy]").await, 0);
    // Cancel with Enter does the same.
    browser.keys(ENTER).await;
    browser
        .wait_for_focus("[data-testid=confirm-deploy-cancel]")
        .await;
    browser.keys(ENTER).await;
    browser.wait_for_focus("[data-testid=force-deploy]").await;

    // A help popover: the focus goes to its close button and stays; Escape gives it back
    // to the "?" that opened it.
    browser.tab_to("[data-testid=help]").await;
    let opener = browser
        .execute(
            "return document.activeElement.getAttribute('aria-label');",
            json!([]),
        )
        .await;
    browser.keys(ENTER).await;
    browser.wait_for_focus(".help__popover .help__close").await;
    browser.screenshot("keyboard-help").await;
    browser.keys(TAB).await;
    browser.wait_for_focus(".help__popover .help__close").await;
    browser.keys(ESCAPE).await;
    browser
        .wait_for_focus("[data-testid=help][aria-expanded=false]")
        .await;
    assert_eq!(
        browser
            .execute(
                "return document.activeElement.getAttribute('aria-label');",
                json!([])
            )
            .await,
        opener
    );
    assert_eq!(browser.count(".help__popover").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_are_made_with_the_keyboard_alone() {
    let berth = Berth::start("browser-keyboard-changes", &[], &[]);
    let browser = Browser::start().await;

    // The desired count, typed and submitted with Enter.
    open(
        &browser,
        &format!("{}/clusters/demo-ec2/services/payments", berth.url),
        "Deployments",
    )
    .await;
    browser.tab_to("[data-testid=desired-input]").await;
    browser
        .execute("document.activeElement.select();", json!([]))
        .await;
    browser.keys("5").await;
    browser.keys(ENTER).await;
    browser
        .wait_for_text("[data-testid=action-done]", "Desired count set to 5")
        .await;
    let (_, snapshot) = berth.get("/api/clusters/demo-ec2").await;
    let payments = snapshot["services"]
        .as_array()
        .and_then(|services| services.iter().find(|s| s["serviceName"] == "payments"))
        .expect("payments is in the snapshot");
    assert_eq!(payments["desiredCount"], json!(5), "{payments}");

    // A new image tag on the Deploy page, previewed, applied through the confirmation.
    open(
        &browser,
        &format!(
            "{}/clusters/demo-ec2/services/web-frontend/deploy",
            berth.url
        ),
        "Nothing changes yet",
    )
    .await;
    browser.tab_to("[data-testid=tag-input]").await;
    browser.keys("v1.17.0").await;
    browser.keys(TAB).await;
    browser
        .wait_for_text("[data-testid=preview-headline]", "Registers a new revision")
        .await;
    browser.tab_to("[data-testid=apply-button]").await;
    browser.keys(ENTER).await;
    browser
        .wait_for_focus("[data-testid=confirm-apply-cancel]")
        .await;
    browser.keys(TAB).await;
    browser
        .wait_for_focus("[data-testid=confirm-apply-yes]")
        .await;
    browser.keys(ENTER).await;
    browser
        .wait_for_text("[data-testid=applied-calls]", "UpdateService")
        .await;
    // The confirmation is gone and the focus stayed on the Apply panel, not the page's start.
    browser
        .wait_for_focus("[data-testid=apply], [data-testid=apply] *")
        .await;
    browser.screenshot("keyboard-applied").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_and_task_definitions_are_read_with_the_keyboard_alone() {
    let berth = Berth::start("browser-keyboard-reading", &[], &[]);
    let browser = Browser::start().await;

    // Repositories: `/` filters, `j` highlights, Enter opens; an image's service is a link.
    open(&browser, &format!("{}/repositories", berth.url), "demo/api").await;
    browser.keys("/").await;
    browser.keys("demo/api").await;
    browser.keys(ESCAPE).await;
    browser.keys("j").await;
    browser.keys(ENTER).await;
    browser
        .wait_for_text("[data-testid=repository-name]", "demo/api")
        .await;
    browser
        .tab_to("[data-testid=image-row] a.chip--service")
        .await;
    browser.keys(ENTER).await;
    browser.wait_for_text("main", "Deployments").await;
    assert!(browser.current_url().await.contains("/services/"));

    // Task definitions: a family found and opened from the list, two revisions compared.
    open(&browser, &format!("{}/task-definitions", berth.url), "api").await;
    browser.keys("/").await;
    browser.keys("api").await;
    browser.keys(ESCAPE).await;
    browser.keys("j").await;
    browser.keys(ENTER).await;
    browser.wait_for_text("main", "Containers").await;
    assert!(
        browser
            .current_url()
            .await
            .contains("/task-definitions/api")
    );
    browser.tab_to("[data-testid=compare-old]").await;
    browser.keys(ARROW_DOWN).await;
    browser.tab_to("[data-testid=compare]").await;
    browser.keys(ENTER).await;
    browser
        .wait_for_text("[data-testid=diff-summary]", "change")
        .await;
    browser.screenshot("keyboard-compare").await;
}
