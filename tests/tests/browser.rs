//! The console in headless Chromium, against the sandbox and against AWS errors.

/// Port 1 on loopback: nothing listens there, so connections are refused at once.
const CLOSED_ENDPOINT: &str = "http://127.0.0.1:1";

use serde_json::json;

use berth_tests::{
    berth::Berth,
    browser::Browser,
    fixtures,
    moto::{AWS_ENV, Moto},
};

#[tokio::test]
async fn shows_the_sandbox_clusters_and_follows_a_link() {
    let berth = Berth::start("browser-sandbox", &[], &[]);
    let browser = Browser::start().await;
    browser.goto(&format!("{}/", berth.url)).await;

    browser
        .wait_for_text("[data-testid=summary]", "3 clusters")
        .await;
    let cards = browser.texts("[data-testid=cluster-card]").await;
    assert_eq!(cards.len(), 3, "{cards:?}");
    assert!(
        cards[0].contains("demo-ec2") && cards[0].contains("12"),
        "{}",
        cards[0]
    );
    assert!(
        cards[1].contains("demo-fargate") && cards[1].contains("Fargate"),
        "{}",
        cards[1]
    );
    let source = browser.text("[data-testid=source]").await;
    assert!(source.contains("Sandbox"), "{source}");
    // Reservation is read beside the list and drawn in each card.
    let reservation = browser
        .wait_for_text(
            "[data-testid=cluster-card] [data-testid=reservation]",
            "reserved",
        )
        .await;
    assert!(
        reservation.contains("CPU") && reservation.contains("Memory"),
        "{reservation}"
    );
    let fargate = browser.texts("[data-testid=reservation]").await;
    assert!(
        fargate[1].contains("No container instances to reserve on"),
        "{fargate:?}"
    );
    browser.screenshot("clusters-overview").await;
    // The overview needs only the main module; a cluster page fetches its own on first use.
    let wasm_fetched = "return performance.getEntriesByType('resource').map(e => e.name.split('/').pop()).filter(n => n.endsWith('.wasm')).sort();";
    assert_eq!(
        browser.execute(wasm_fetched, json!([])).await,
        json!(["berth_bg.wasm"])
    );

    browser
        .click("a.card__title[href='/clusters/demo-ec2']")
        .await;
    browser
        .wait_for_text("[data-testid=cluster-name]", "demo-ec2")
        .await;
    let fetched = browser.execute(wasm_fetched, json!([])).await;
    assert!(
        fetched.as_array().is_some_and(|names| names
            .iter()
            .any(|n| n.as_str().is_some_and(|n| n.contains("cluster")))),
        "{fetched}"
    );
    assert!(browser.current_url().await.ends_with("/clusters/demo-ec2"));
    assert_eq!(browser.text("[data-testid=instances]").await, "12");
    browser.screenshot("cluster-demo-ec2").await;
}

#[tokio::test]
async fn deep_links_and_unknown_clusters_render_in_words() {
    let berth = Berth::start("browser-deep-links", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/demo-fargate", berth.url))
        .await;
    browser.wait_for_text("[data-testid=running]", "7").await;

    browser
        .goto(&format!("{}/clusters/no-such-cluster", berth.url))
        .await;
    let error = browser
        .wait_for_text("[data-testid=error]", "Not found")
        .await;
    assert!(error.contains("no-such-cluster"), "{error}");
    browser.screenshot("cluster-not-found").await;

    // A service, task or instance the cluster does not have: words and a way back.
    for (path, sentence, back) in [
        (
            "services/nope",
            "Cluster demo-fargate has no service named nope.",
            "/clusters/demo-fargate",
        ),
        (
            "tasks/nope",
            "Cluster demo-fargate lists no task nope.",
            "/clusters/demo-fargate?tab=tasks",
        ),
        (
            "instances/nope",
            "Cluster demo-fargate has no container instance nope.",
            "/clusters/demo-fargate?tab=instances",
        ),
    ] {
        browser
            .goto(&format!("{}/clusters/demo-fargate/{path}", berth.url))
            .await;
        browser
            .wait_for_text("[data-testid=not-found]", sentence)
            .await;
        assert_eq!(
            browser
                .attributes("[data-testid=not-found] a", "href")
                .await,
            [back]
        );
    }
}

#[tokio::test]
async fn an_unreachable_aws_endpoint_shows_a_readable_error() {
    let closed = CLOSED_ENDPOINT.to_owned();
    let berth = Berth::start(
        "browser-unreachable",
        &["--aws", "--endpoint-url", &closed, "--aws-timeout", "3"],
        AWS_ENV,
    );
    let browser = Browser::start().await;
    browser.goto(&format!("{}/clusters", berth.url)).await;
    let error = browser
        .wait_for_text("[data-testid=error]", "AWS is unreachable")
        .await;
    assert!(error.contains("could not reach AWS"), "{error}");
    assert!(
        error.contains("Try again"),
        "a retry button is offered: {error}"
    );
    let source = browser.text("[data-testid=source]").await;
    assert!(source.contains(&closed), "{source}");
    browser.screenshot("clusters-aws-unreachable").await;
}

#[tokio::test]
async fn shows_motos_clusters_through_the_sdk_path() {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    let berth = Berth::start(
        "browser-moto",
        &["--aws", "--endpoint-url", &moto.url],
        AWS_ENV,
    );
    let browser = Browser::start().await;
    browser.goto(&format!("{}/clusters", berth.url)).await;
    browser
        .wait_for_text("[data-testid=summary]", "2 clusters")
        .await;
    let cards = browser.texts("[data-testid=cluster-card]").await;
    assert!(cards[0].contains("it-ec2"), "{cards:?}");
    assert!(cards[1].contains("it-empty"), "{cards:?}");
    let source = browser.text("[data-testid=source]").await;
    assert!(
        source.starts_with("AWS · us-east-1") && source.contains(&moto.url),
        "{source}"
    );
    // moto's CloudWatch has no ECS reservation points: the cards say so in words.
    browser
        .wait_for_text("[data-testid=reservation]", "No recent reservation data")
        .await;
    browser.screenshot("clusters-moto").await;
}

#[tokio::test]
async fn the_cluster_page_follows_changes_live() {
    let berth = Berth::start("browser-live", &["--poll-interval", "1"], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/demo-small", berth.url))
        .await;
    browser
        .wait_for_text("[data-testid=live-label]", "Live")
        .await;
    browser
        .wait_for_text("[data-testid=tabs]", "Tasks\n3")
        .await;

    // A change made elsewhere (another user, the CLI) shows up without reloading the page.
    let response = reqwest::Client::new()
        .put(format!(
            "{}/api/clusters/demo-small/services/scheduler",
            berth.url
        ))
        .json(&serde_json::json!({"desiredCount": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    browser
        .wait_for_text("[data-testid=tabs]", "Tasks\n4")
        .await;
    browser.wait_for_text("[data-testid=running]", "3").await;
    browser.screenshot("cluster-live").await;

    // The changes came as deltas; the page they built reads as a fresh load of it does.
    let fresh = Browser::start().await;
    fresh
        .goto(&format!("{}/clusters/demo-small?tab=tasks", berth.url))
        .await;
    browser.click("[data-tab=tasks]").await;
    let page_text = "const main = document.querySelector('main').cloneNode(true); \
         main.querySelectorAll('[data-testid^=live]').forEach(e => e.remove()); \
         return main.innerText;";
    let same = berth_tests::poll_until(std::time::Duration::from_secs(15), || async {
        let built = browser.execute(page_text, json!([])).await;
        let loaded = fresh.execute(page_text, json!([])).await;
        (built == loaded && built.as_str().is_some_and(|t| t.contains("scheduler"))).then_some(())
    })
    .await;
    assert!(
        same.is_some(),
        "the page built from deltas reads as a fresh load:\n{}\n---\n{}",
        browser.execute(page_text, json!([])).await,
        fresh.execute(page_text, json!([])).await
    );

    browser.click("[data-testid=live-toggle]").await;
    browser
        .wait_for_text("[data-testid=live-label]", "Paused")
        .await;
}

#[tokio::test]
async fn the_console_runs_under_its_content_security_policy() {
    let berth = Berth::start("browser-csp", &[], &[]);
    let browser = Browser::start().await;
    browser.goto(&format!("{}/clusters", berth.url)).await;
    browser
        .wait_for_text("[data-testid=summary]", "3 clusters")
        .await;
    // The policy the page was served with, as the browser saw it.
    let policy = browser
        .execute(
            "return fetch(location.href).then(r => r.headers.get('content-security-policy'));",
            json!([]),
        )
        .await;
    let policy = policy.as_str().unwrap_or_default();
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval'")
            && policy.contains("frame-ancestors 'none'"),
        "{policy}"
    );
    // Every page module the console fetches later runs under it with no violation.
    browser
        .execute(
            "window.__violations = []; document.addEventListener('securitypolicyviolation', \
             e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));",
            json!([]),
        )
        .await;
    browser
        .click("a.card__title[href='/clusters/demo-ec2']")
        .await;
    browser
        .wait_for_text("[data-testid=cluster-name]", "demo-ec2")
        .await;
    browser.click(".top-bar__nav a[href='/repositories']").await;
    browser
        .wait_for_text("[data-testid=repositories]", "demo/api")
        .await;
    assert_eq!(
        browser
            .execute("return window.__violations;", json!([]))
            .await,
        json!([]),
        "no script, style, image or connection was blocked"
    );
}
