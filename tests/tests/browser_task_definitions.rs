//! The task-definition pages of the console in headless Chromium, against the sandbox: the
//! families table with filter and sort, a revision in words (containers, ports), its
//! validation and copyable JSON, and the comparison of two revisions from a deep link.
//! Screenshots in light and dark colours.

use berth_tests::{berth::Berth, browser::Browser};
use serde_json::json;

/// The first cell of each row of the families table.
async fn family_names(browser: &Browser) -> Vec<String> {
    browser
        .texts("[data-testid=families] tbody tr td:first-child")
        .await
}

#[tokio::test]
async fn lists_the_sandbox_families_sorts_and_filters_them() {
    let berth = Berth::start("browser-task-definitions-list", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/task-definitions", berth.url))
        .await;

    let summary = browser
        .wait_for_text("[data-testid=summary]", "10 families")
        .await;
    assert!(summary.contains("revisions"), "{summary}");
    let names = family_names(&browser).await;
    assert_eq!(
        names,
        [
            "api",
            "auth",
            "batch-report",
            "metrics-agent",
            "nginx-proxy",
            "notifications",
            "payments",
            "scheduler",
            "web-frontend",
            "worker"
        ]
    );
    let api = &browser.texts("[data-testid=families] tbody tr").await[0];
    assert!(api.contains("api:7"), "{api}");
    browser.screenshot("task-definitions").await;

    browser.type_into("[data-testid=filter]", "pay").await;
    browser
        .wait_for_text("[data-testid=count]", "1 of 10")
        .await;
    assert_eq!(family_names(&browser).await, ["payments"]);
    assert!(browser.current_url().await.contains("q=pay"));

    browser.type_into("[data-testid=filter]", "").await;
    browser.click("button[data-sort=revisions]").await;
    browser
        .wait_for_text("[data-testid=count]", "10 families")
        .await;
    let names = family_names(&browser).await;
    assert_eq!(names[0], "api", "most revisions first: {names:?}");

    browser
        .click("[data-testid=families] tbody tr[data-key=payments]")
        .await;
    browser
        .wait_for_text("[data-testid=family-name]", "payments")
        .await;
    browser
        .wait_for_text("[data-testid=words]", "payments:")
        .await;
}

#[tokio::test]
async fn a_revision_in_words_shows_its_containers_ports_validation_and_json() {
    let berth = Berth::start("browser-task-definitions-revision", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}/task-definitions/web-frontend?revision=5",
            berth.url
        ))
        .await;

    let words = browser
        .wait_for_text("[data-testid=words]", "web-frontend:5")
        .await;
    assert!(words.contains("bridge"), "{words}");
    assert!(words.contains("EC2"), "{words}");
    assert!(words.contains("awslogs → /ecs/web-frontend"), "{words}");
    let containers = browser.texts("[data-testid=container]").await;
    assert_eq!(containers.len(), 2, "{containers:?}");
    assert!(containers[0].starts_with("web"), "{}", containers[0]);
    assert!(containers[0].contains("essential"), "{}", containers[0]);
    let ports = browser.texts("[data-testid=port]").await;
    assert_eq!(ports, ["8080/tcp → a dynamic host port"]);

    browser
        .wait_for_text("[data-testid=validation]", "No problems found")
        .await;
    let json = browser.text("[data-testid=json] pre").await;
    assert!(json.contains("\"family\": \"web-frontend\""), "{json}");
    assert!(json.contains("logConfiguration"), "{json}");
    let copy = browser.text("[data-testid=copy]").await;
    assert_eq!(copy, "Copy JSON");

    browser.click("[data-testid=help]").await;
    browser.wait_for_text(".help__popover", "Revisions").await;
    browser.click(".help__close").await;

    browser.screenshot("task-definition-revision").await;
    browser.dark().await;
    browser.screenshot("task-definition-revision-dark").await;

    // An inactive revision says so; the list marks it.
    browser
        .goto(&format!(
            "{}/task-definitions/web-frontend?revision=1",
            berth.url
        ))
        .await;
    browser
        .wait_for_text("[data-testid=revision-status]", "INACTIVE")
        .await;
    let links = browser.texts("[data-testid=revision-link]").await;
    assert_eq!(links.len(), 5, "{links:?}");
}

#[tokio::test]
async fn a_compare_deep_link_shows_the_changed_lines_side_by_side() {
    let berth = Berth::start("browser-task-definitions-compare", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/task-definitions/api?compare=6,7", berth.url))
        .await;

    let summary = browser
        .wait_for_text("[data-testid=diff-summary]", "fields changed")
        .await;
    assert_eq!(summary, "2 fields changed: image, environment");
    let changed = browser
        .texts("[data-testid=diff-row][data-kind=changed]")
        .await;
    assert!(
        changed
            .iter()
            .any(|row| row.contains("api:v1.6.0") && row.contains("api:v1.7.0")),
        "{changed:?}"
    );
    assert!(
        changed
            .iter()
            .any(|row| row.contains("\"value\": \"6\"") && row.contains("\"value\": \"7\"")),
        "{changed:?}"
    );
    let unchanged = browser
        .texts("[data-testid=diff-row][data-kind=same]")
        .await;
    assert!(
        unchanged
            .iter()
            .any(|row| row.contains("\"family\": \"api\"")),
        "{unchanged:?}"
    );
    browser.screenshot("task-definition-compare").await;
    browser.dark().await;
    browser.screenshot("task-definition-compare-dark").await;

    // Any two revisions: the compare form starts from the pair in the URL.
    browser
        .goto(&format!("{}/task-definitions/api?compare=3,7", berth.url))
        .await;
    browser
        .wait_for_text("[data-testid=diff]", "revision 3 → revision 7")
        .await;
    let old = browser
        .execute(
            "return document.querySelector('[data-testid=compare-old]').value;",
            json!([]),
        )
        .await;
    assert_eq!(old, json!("3"));
}

#[tokio::test]
async fn the_compare_form_opens_any_two_revisions() {
    let berth = Berth::start("browser-task-definitions-form", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/task-definitions/payments", berth.url))
        .await;
    browser
        .wait_for_text("[data-testid=words]", "payments:")
        .await;
    browser
        .execute(
            "const select = document.querySelector('[data-testid=compare-old]');
             select.value = '2';
             select.dispatchEvent(new Event('change', { bubbles: true }));",
            json!([]),
        )
        .await;
    browser.click("[data-testid=compare]").await;
    browser
        .wait_for_text("[data-testid=diff]", "revision 2 → revision")
        .await;
    assert!(browser.current_url().await.contains("compare=2,"));
}
