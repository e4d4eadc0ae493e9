//! The ECR pages of the console in headless Chromium, against the sandbox.

use berth_tests::{berth::Berth, browser::Browser};
use serde_json::json;

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

    // Filter and sort live in the URL, so a reload (or a shared link) restores them.
    browser.type_into("[data-testid=filter]", "demo/w").await;
    browser
        .wait_for_text(
            "[data-testid=repository-count-label]",
            "2 of 5 repositories",
        )
        .await;
    let rows = browser.texts("[data-testid=repository-row]").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0].starts_with("demo/web-frontend") && rows[1].starts_with("demo/worker"));
    browser.click("button.sort[data-sort=size]").await;
    let url = browser.current_url().await;
    assert!(
        url.contains("q=demo") && url.ends_with("sort=-size"),
        "{url}"
    );
    browser.goto(&url).await;
    browser
        .wait_for_text(
            "[data-testid=repository-count-label]",
            "2 of 5 repositories",
        )
        .await;
    assert_eq!(
        browser
            .attributes("th[aria-sort=descending] button.sort", "data-sort")
            .await,
        ["size"]
    );
    assert_eq!(
        browser
            .execute(
                "return document.querySelector('[data-testid=filter]').value;",
                json!([])
            )
            .await,
        "demo/w"
    );

    browser.type_into("[data-testid=filter]", "").await;
    browser.click("button.sort[data-sort=images]").await;
    browser
        .wait_for_text("[data-testid=repository-count-label]", "5 repositories")
        .await;
    let rows = browser.texts("[data-testid=repository-row]").await;
    assert!(
        rows[0].starts_with("demo/api"),
        "sorted by images, most first: {rows:?}"
    );

    // The keyboard: `/` focuses the filter, Escape leaves it, `j` moves, Enter opens.
    browser.press("/").await;
    let focused = "return document.activeElement.dataset.testid || '';";
    assert_eq!(browser.execute(focused, json!([])).await, "filter");
    browser.press("Escape").await;
    assert_eq!(browser.execute(focused, json!([])).await, "");
    browser.press("j").await;
    browser.press("j").await;
    let active = browser
        .wait_for_text(
            "[data-testid=repository-row].data-table__row--active",
            "demo/",
        )
        .await;
    assert!(
        active.starts_with(rows[1].split_whitespace().next().unwrap()),
        "{active}"
    );
    browser.screenshot("repositories-keyboard").await;
    browser.press("Enter").await;
    browser
        .wait_for_text(
            "[data-testid=repository-name]",
            rows[1].split_whitespace().next().unwrap(),
        )
        .await;
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
    browser
        .wait_for_text("[data-testid=image-count-label]", "6 of 25 images")
        .await;
    assert!(
        browser
            .texts("[data-testid=image-row]")
            .await
            .iter()
            .all(|row| row.contains("untagged"))
    );
    assert!(browser.current_url().await.ends_with("?q=untagged"));
}

#[tokio::test]
async fn image_filters_are_deep_links_and_enter_opens_where_an_image_runs() {
    let berth = Berth::start("browser-repository-keys", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}/repositories/demo/api?q=v1.7.0&sort=size",
            berth.url
        ))
        .await;
    browser
        .wait_for_text("[data-testid=image-count-label]", "1 of 25 images")
        .await;
    assert_eq!(
        browser
            .attributes("th[aria-sort=ascending] button.sort", "data-sort")
            .await,
        ["size"]
    );
    let service = browser
        .attributes("[data-testid=image-row] a.chip--service", "href")
        .await;
    assert_eq!(service, ["/clusters/demo-ec2/services/api"]);
    browser.press("j").await;
    browser
        .wait_for_text("[data-testid=image-row].data-table__row--active", "v1.7.0")
        .await;
    browser.press("Enter").await;
    browser
        .wait_for_text("[data-testid=service-name]", "api")
        .await;
    assert!(
        browser
            .current_url()
            .await
            .ends_with("/clusters/demo-ec2/services/api")
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
