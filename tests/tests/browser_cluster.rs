//! The cluster page in headless Chromium against the sandbox: the placement graph, its legend,
//! filters and selection, the tables, deep links, keyboard use, the console benchmark
//! (`?synthetic=500x5000`, figures in docs/BENCHMARKS.md), and the large demo fleet fetched from
//! the server.

use std::time::Duration;

use berth_tests::{berth::Berth, browser::Browser, poll_until};
use serde_json::{Value, json};

/// Waits until `count(css) == expected`.
async fn wait_for_count(browser: &Browser, css: &str, expected: u64) {
    let found = poll_until(Duration::from_secs(20), || async {
        (browser.count(css).await == expected).then_some(())
    })
    .await;
    if found.is_none() {
        let shot = browser.failure_screenshot("timeout-count").await;
        panic!(
            "expected {expected} elements matching {css}, found {}; screenshot {}",
            browser.count(css).await,
            shot.display()
        );
    }
}

#[tokio::test]
async fn the_graph_draws_demo_ec2_by_zone_and_filters_by_service() {
    let berth = Berth::start("browser-cluster-graph", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/demo-ec2", berth.url))
        .await;

    browser
        .wait_for_text("[data-testid=graph-count]", "35 of 35 tasks")
        .await;
    let zones = browser.attributes("[data-testid=lane]", "data-zone").await;
    assert_eq!(zones, ["us-east-1a", "us-east-1b", "us-east-1c"]);
    assert_eq!(browser.count("[data-testid=instance]").await, 12);
    assert_eq!(browser.count(".block[data-task]").await, 35);
    // Each box and block is named in words for assistive technology: the instance with its
    // zone and usage, the task with its service and status.
    let first_box = browser
        .attributes("[data-zone=us-east-1a] [data-testid=instance]", "title")
        .await;
    assert!(
        first_box[0].contains("us-east-1a") && first_box[0].contains("CPU"),
        "{first_box:?}"
    );
    assert_eq!(
        browser.count(".block[data-task][role=img][title]").await,
        35
    );
    let api_block = browser
        .attributes(".block[data-service=api]", "title")
        .await;
    assert!(api_block[0].starts_with("api · RUNNING"), "{api_block:?}");
    assert_eq!(
        browser.count(".node--draining").await,
        1,
        "the draining instance is drawn differently"
    );
    let legend = browser.text("[data-testid=legend]").await;
    for service in [
        "api",
        "auth",
        "metrics-agent",
        "nginx-proxy",
        "payments",
        "web-frontend",
    ] {
        assert!(legend.contains(service), "{service} missing from {legend}");
    }
    browser.screenshot("cluster-graph").await;

    browser.click(".legend__item[data-service=api]").await;
    browser
        .wait_for_text("[data-testid=graph-count]", "8 of 35 tasks")
        .await;
    let services = browser
        .attributes(".block[data-task]", "data-service")
        .await;
    assert_eq!(services.len(), 8);
    assert!(services.iter().all(|s| s == "api"), "{services:?}");
    assert!(
        browser.current_url().await.contains("service=api"),
        "the filter is in the URL"
    );
    assert_eq!(
        browser.count("[data-testid=instance]").await,
        12,
        "instances stay"
    );
    browser.screenshot("cluster-graph-api").await;

    browser.click("[data-testid=clear-filters]").await;
    browser
        .wait_for_text("[data-testid=graph-count]", "35 of 35 tasks")
        .await;
    browser.click("[data-testid=graph-as-table]").await;
    wait_for_count(&browser, "[data-testid=graph-table] tbody tr", 12).await;
    browser.screenshot("cluster-graph-table").await;
}

#[tokio::test]
async fn clicking_a_task_or_an_instance_shows_its_details() {
    let berth = Berth::start("browser-cluster-details", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/demo-ec2", berth.url))
        .await;
    browser.find(".block[data-service=payments]").await;
    let task = browser
        .attributes(".block[data-service=payments]", "data-task")
        .await[0]
        .clone();
    browser.click(&format!(".block[data-task='{task}']")).await;
    let details = browser
        .wait_for_text("[data-testid=details]", "payments")
        .await;
    assert!(
        details.contains("TASK") || details.contains("Task"),
        "{details}"
    );
    assert!(details.contains(&task), "{details}");
    assert!(
        details.contains(" units (") && details.contains(" vCPU) · "),
        "CPU and memory read as on every page: {details}"
    );
    assert!(
        browser
            .current_url()
            .await
            .contains(&format!("task={task}"))
    );
    browser.screenshot("cluster-task-details").await;

    browser.click("[data-testid=instance] .node__name").await;
    browser
        .wait_for_text("[data-testid=details]", "Tasks on it")
        .await;
    assert!(browser.current_url().await.contains("instance="));
    browser.click(".details__close").await;
    wait_for_count(&browser, "[data-testid=details]", 0).await;
}

#[tokio::test]
async fn a_deep_link_restores_the_tab_and_filter() {
    let berth = Berth::start("browser-cluster-deep-link", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}/clusters/demo-ec2?tab=tasks&service=api",
            berth.url
        ))
        .await;
    browser
        .wait_for_text("[data-testid=tasks-table] [data-testid=count]", "8 tasks")
        .await;
    let selected = browser
        .attributes(".tabs__tab[aria-selected=true]", "data-tab")
        .await;
    assert_eq!(selected, ["tasks"]);
    let value = browser
        .execute(
            "return document.querySelector('[data-testid=filter-service]').value;",
            json!([]),
        )
        .await;
    assert_eq!(value, Value::from("api"));
    browser.screenshot("cluster-tasks-api").await;

    browser
        .goto(&format!("{}/clusters/demo-fargate?tab=graph", berth.url))
        .await;
    browser
        .wait_for_text("[data-testid=graph-count]", "7 of 7 tasks")
        .await;
    let pools = browser.texts("[data-testid=pool]").await;
    assert!(
        !pools.is_empty() && pools.iter().all(|p| p.contains("Fargate")),
        "{pools:?}"
    );
    assert_eq!(browser.count("[data-testid=pool] .block").await, 7);
    browser.screenshot("cluster-fargate-graph").await;
}

#[tokio::test]
async fn tables_sort_filter_and_answer_the_keyboard() {
    let berth = Berth::start("browser-cluster-tables", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/demo-ec2?tab=tasks", berth.url))
        .await;
    browser
        .wait_for_text("[data-testid=count]", "35 tasks")
        .await;

    // Sorting: memory, largest first, then smallest first.
    browser.click("[data-sort=memory]").await;
    let memory = |texts: Vec<String>| -> Vec<f64> {
        texts
            .iter()
            .map(|t| {
                let (number, unit) = t.split_once(' ').expect("a size with a unit");
                let number: f64 = number.parse().expect("a number");
                if unit.starts_with("GiB") {
                    number * 1024.0
                } else {
                    number
                }
            })
            .collect()
    };
    let column = "[data-testid=tasks-table] tbody tr td:nth-child(7) > span:first-child";
    poll_until(Duration::from_secs(10), || async {
        browser
            .current_url()
            .await
            .contains("sort=-memory")
            .then_some(())
    })
    .await
    .expect("the sort order is in the URL");
    let descending = memory(browser.texts(column).await);
    assert_eq!(descending.len(), 35);
    assert!(
        descending.windows(2).all(|w| w[0] >= w[1]),
        "{descending:?}"
    );
    browser.click("[data-sort=memory]").await;
    poll_until(Duration::from_secs(10), || async {
        browser
            .current_url()
            .await
            .contains("sort=memory")
            .then_some(())
    })
    .await
    .expect("the sort order flips");
    let ascending = memory(browser.texts(column).await);
    assert!(ascending.windows(2).all(|w| w[0] <= w[1]), "{ascending:?}");

    // Filtering as you type, with counts.
    browser
        .type_into("[data-testid=filter]", "us-east-1a")
        .await;
    let counted = browser
        .wait_for_text("[data-testid=count]", "of 35 tasks")
        .await;
    let shown: usize = counted.split(' ').next().unwrap().parse().unwrap();
    assert_eq!(
        browser.count("[data-testid=tasks-table] tbody tr").await as usize,
        shown
    );
    assert!(shown > 0 && shown < 35, "{counted}");
    browser
        .type_into("[data-testid=filter]", "no-such-thing")
        .await;
    browser
        .wait_for_text("[data-testid=table-empty]", "No tasks match")
        .await;
    browser.screenshot("cluster-tasks-empty").await;

    // `/` focuses the filter of the current table; j and Enter open a row.
    browser
        .goto(&format!("{}/clusters/demo-ec2?tab=instances", berth.url))
        .await;
    browser
        .wait_for_text("[data-testid=count]", "12 instances")
        .await;
    browser.press("/").await;
    let focused = browser
        .execute(
            "return document.activeElement.getAttribute('data-testid');",
            json!([]),
        )
        .await;
    assert_eq!(focused, Value::from("filter"));
    browser
        .execute("document.activeElement.blur();", json!([]))
        .await;
    browser.press("j").await;
    wait_for_count(&browser, ".data-table__row--active", 1).await;
    browser.press("Enter").await;
    browser
        .wait_for_text("[data-testid=details]", "Tasks on it")
        .await;
    assert!(browser.current_url().await.contains("instance="));
    browser.screenshot("cluster-instances-keyboard").await;

    // Services and events render their rows.
    browser
        .goto(&format!("{}/clusters/demo-ec2?tab=services", berth.url))
        .await;
    let services = browser
        .wait_for_text("[data-testid=services-table]", "6 services")
        .await;
    assert!(
        services.contains("One task on every active container instance (daemon service)."),
        "{services}"
    );
    browser.screenshot("cluster-services").await;
    browser
        .goto(&format!(
            "{}/clusters/demo-ec2?tab=events&q=steady",
            berth.url
        ))
        .await;
    browser
        .wait_for_text("[data-testid=events-table]", "steady state")
        .await;
    browser.screenshot("cluster-events").await;
}

#[tokio::test]
async fn the_help_explains_ecs_concepts() {
    let berth = Berth::start("browser-cluster-help", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/demo-ec2", berth.url))
        .await;
    browser
        .click("[data-testid=help][aria-label='Explain: Availability Zone']")
        .await;
    let popover = browser
        .wait_for_text(".help__popover", "Availability Zone")
        .await;
    assert!(popover.contains("isolated from the"), "{popover}");
    browser.screenshot("cluster-help").await;

    for (path, concept, needle) in [
        (
            "/clusters/demo-ec2",
            "Capacity provider",
            "the rest in proportion to the weights",
        ),
        ("/clusters", "Cluster", "A cluster has no size of its own"),
        ("/clusters", "Region and sandbox", "touches nothing real"),
        ("/task-definitions", "Task definition", "family:revision"),
    ] {
        browser.goto(&format!("{}{path}", berth.url)).await;
        browser
            .click(&format!(
                "[data-testid=help][aria-label='Explain: {concept}']"
            ))
            .await;
        let popover = browser.wait_for_text(".help__popover", concept).await;
        assert!(popover.contains(needle), "{concept}: {popover}");
    }
}

/// The console benchmark: a 500-instance, 5,000-task cluster generated in the page, its first
/// render and a 50-task change, timed by the page itself (`performance.now()` to the frame
/// after the DOM update). Figures go to stderr and docs/BENCHMARKS.md; the bounds only catch
/// gross regressions.
#[tokio::test]
async fn console_benchmark_5000_tasks_on_500_instances() {
    let berth = Berth::start("browser-cluster-bench", &[], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/bench?synthetic=500x5000", berth.url))
        .await;
    browser
        .wait_for_text("[data-testid=graph-count]", "of 5000 tasks")
        .await;
    let first = poll_until(Duration::from_secs(30), || async {
        browser
            .attributes("[data-testid=bench]", "data-first")
            .await
            .pop()
    })
    .await
    .expect("the first render is timed");
    // Boxes far below the viewport are drawn when scrolled near; until then they are empty
    // cells, so the grid already has all 500.
    let drawn = browser.count("[data-testid=instance]").await;
    let waiting = browser.count(".node--placeholder").await;
    assert_eq!(drawn + waiting, 500);
    assert!(
        drawn < 200,
        "only the boxes near the viewport are drawn first: {drawn}"
    );
    browser.screenshot("cluster-bench-5000").await;

    let mut changes = Vec::new();
    for _ in 0..5 {
        let before = browser
            .attributes("[data-testid=bench]", "data-change")
            .await;
        browser.click("[data-testid=bench-change]").await;
        let after = poll_until(Duration::from_secs(30), || async {
            let now = browser
                .attributes("[data-testid=bench]", "data-change")
                .await;
            (now != before).then(|| now.first().cloned()).flatten()
        })
        .await
        .expect("the change is timed");
        changes.push(after.parse::<f64>().expect("milliseconds"));
    }
    let first: f64 = first.parse().expect("milliseconds");
    let text = browser.text("[data-testid=bench]").await;
    eprintln!(
        "console benchmark: first render {first:.0} ms; 50-task changes {changes:?} ms; page says: {text}"
    );
    assert!(first < 15_000.0, "first render took {first} ms");

    // Scrolling down the lanes draws every box.
    let drawn = poll_until(Duration::from_secs(30), || async {
        browser.execute("window.scrollBy(0, 600);", json!([])).await;
        let drawn = browser.count("[data-testid=instance]").await;
        (drawn == 500).then_some(drawn)
    })
    .await;
    assert_eq!(drawn, Some(500), "scrolling reveals every instance");
    assert_eq!(browser.count(".node--placeholder").await, 0);
    assert!(
        changes.iter().all(|c| *c < 5_000.0),
        "50-task changes took {changes:?} ms"
    );
}

/// The large demo fleet (2,000 instances, 20,000 tasks) fetched from a server, decoded and
/// drawn, and its tasks table filtered. The bound only catches gross regressions (a debug
/// server serialises the 26 MB snapshot); the figures are in docs/BENCHMARKS.md.
#[tokio::test]
async fn the_large_fleet_is_fetched_drawn_and_filtered() {
    let berth = Berth::start("browser-large", &["--demo-fleet", "large"], &[]);
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/clusters/demo-large", berth.url))
        .await;
    let drawn = browser
        .text_within("[data-testid=graph-count]", Duration::from_secs(90), |t| {
            t.contains("of 20000 tasks") && t.contains("2000 instances")
        })
        .await;
    assert!(
        drawn.is_some(),
        "the large cluster's graph is drawn within 90 s"
    );
    // Only the boxes near the viewport are built; the rest are placeholders.
    let boxes = browser.count("[data-testid=graph] [data-instance]").await;
    assert!((1..2000).contains(&boxes), "{boxes} instance boxes built");
    browser.screenshot("cluster-large").await;

    browser
        .goto(&format!(
            "{}/clusters/demo-large?tab=tasks&q=api-01",
            berth.url
        ))
        .await;
    let filtered = poll_until(Duration::from_secs(90), || async {
        let text = browser
            .execute(
                "return document.querySelector('main').innerText;",
                json!([]),
            )
            .await;
        text.as_str()
            .filter(|t| t.contains("500 of 20000") || t.contains("500 of 20,000"))
            .map(str::to_owned)
    })
    .await;
    if filtered.is_none() {
        browser.failure_screenshot("cluster-large-tasks").await;
    }
    assert!(
        filtered.is_some(),
        "the tasks table filters the large cluster to one service"
    );
}
