//! The ECR pages of the console in headless Chromium, against the sandbox.

use berth_tests::{berth::Berth, browser::Browser};

#[tokio::test]
async fn lists_the_sandbox_repositories_and_filters_them_as_you_type() {
    let berth = Berth::start("browser-repositories", &[], &[]);
    let browser = Browser::start().await;
    browser.goto(&format!("{}/repositories", berth.url)).await;

    let summary = browser
        .wait_for_text("[data-testid=summary]", "5 repositories")
        .await;
    assert!(summary.contains("70 images"), "{summary}");
    let rows = browser.texts("[data-testid=repository-row]").await;
    let names: Vec<&str> = rows
        .iter()
        .map(|row| row.split_whitespace().next().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "base-images/python",
            "demo/api",
            "demo/payments",
            "demo/web-frontend",
            "demo/worker"
        ]
    );
    assert!(
        rows[1].contains("25") && rows[1].contains("Immutable"),
        "{}",
        rows[1]
    );
    browser.screenshot("repositories").await;

    browser.type_into("[data-testid=filter]", "demo/w").await;
    let rows = browser.texts("[data-testid=repository-row]").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0].starts_with("demo/web-frontend") && rows[1].starts_with("demo/worker"));

    browser.type_into("[data-testid=filter]", "").await;
    browser.click("th:nth-child(3) button.sort").await;
    let rows = browser.texts("[data-testid=repository-row]").await;
    assert!(
        rows[0].starts_with("demo/api"),
        "sorted by images, most first: {rows:?}"
    );
}

#[tokio::test]
async fn a_repository_page_shows_images_and_the_ones_that_would_expire() {
    let berth = Berth::start("browser-repository", &[], &[]);
    let browser = Browser::start().await;
    browser.goto(&format!("{}/repositories", berth.url)).await;
    browser
        .wait_for_text("[data-testid=summary]", "5 repositories")
        .await;
    browser.click("a[href='/repositories/demo/api']").await;
    browser
        .wait_for_text("[data-testid=repository-name]", "demo/api")
        .await;
    assert!(
        browser
            .current_url()
            .await
            .ends_with("/repositories/demo/api")
    );
    browser
        .wait_for_text("[data-testid=image-count-label]", "25 images")
        .await;
    assert_eq!(browser.text("[data-testid=image-count]").await, "25");

    let rules = browser.texts("[data-testid=rule]").await;
    assert_eq!(rules.len(), 2, "{rules:?}");
    assert!(
        rules[0].contains("Expire untagged images pushed more than 14 days ago"),
        "{}",
        rules[0]
    );
    assert!(rules[1].contains("keep the 10 most recent"), "{}", rules[1]);
    let preview = browser.text("[data-testid=preview]").await;
    assert!(preview.contains("would expire"), "{preview}");

    let expiring = browser.texts("tr[data-expires=true]").await;
    let stat = browser.text("[data-testid=expiring-count]").await;
    assert!(
        stat.starts_with(&format!("{} ", expiring.len())),
        "{stat} vs {} highlighted rows",
        expiring.len()
    );
    assert!(expiring.iter().all(|row| row.contains("Expires · rule")));
    // api:7 runs demo/api:v1.7.0, which rule 2 would expire: the page warns.
    let in_use = browser
        .texts("tr[data-expires=true][data-in-use=true]")
        .await;
    assert!(
        in_use
            .iter()
            .any(|row| row.contains("v1.7.0") && row.contains("in use") && row.contains("api")),
        "{in_use:?}"
    );
    let warning = browser.text("[data-testid=expiring-in-use]").await;
    assert!(warning.contains("still in use"), "{warning}");
    browser.screenshot("repository-demo-api").await;

    browser
        .type_into("[data-testid=image-filter]", "untagged")
        .await;
    let shown = browser.text("[data-testid=image-count-label]").await;
    assert_eq!(shown, "6 of 25 images");
    assert!(
        browser
            .texts("[data-testid=image-row]")
            .await
            .iter()
            .all(|row| row.contains("untagged"))
    );
}

#[tokio::test]
async fn deep_links_to_unknown_repositories_render_in_words() {
    let berth = Berth::start("browser-repository-unknown", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/repositories/demo/payments", berth.url))
        .await;
    browser
        .wait_for_text("[data-testid=lifecycle]", "No lifecycle policy")
        .await;
    browser
        .goto(&format!("{}/repositories/demo/nope", berth.url))
        .await;
    let error = browser
        .wait_for_text("[data-testid=error]", "Not found")
        .await;
    assert!(error.contains("demo/nope"), "{error}");
    browser.screenshot("repository-not-found").await;
}
