//! AWS going away mid-session, for real: moto is stopped while Berth serves it, then started
//! again. Reads answered before are answered from Berth's last read, marked stale (headers,
//! and a banner in the console saying since when and why); reads never answered are a
//! retryable 503; once AWS answers again, pages are fresh without restarting Berth. The same
//! through a proxy that throttles, hangs and drops connections.

use std::time::Duration;

use berth_tests::{
    berth::Berth,
    browser::Browser,
    fault_proxy::{Fault, FaultProxy},
    fixtures,
    moto::{AWS_ENV, Moto},
    wait_for,
};

/// `GET path` with the stale header's value.
async fn get(berth: &Berth, path: &str) -> (u16, Option<String>, serde_json::Value) {
    let response = reqwest::get(format!("{}{path}", berth.url))
        .await
        .expect("berth answers");
    let status = response.status().as_u16();
    let stale = response
        .headers()
        .get("x-berth-stale")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, stale, response.json().await.expect("JSON"))
}

fn names(list: &serde_json::Value) -> Vec<String> {
    list["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["clusterName"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_go_stale_while_aws_is_down_and_recover_without_a_restart() {
    let mut moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    let berth = Berth::start(
        "moto-faults",
        &[
            "--aws",
            "--endpoint-url",
            &moto.url,
            "--cache-ttl",
            "1",
            "--aws-timeout",
            "3",
        ],
        AWS_ENV,
    );
    let (status, stale, before) = get(&berth, "/api/clusters").await;
    assert_eq!((status, stale), (200, None), "{before}");
    assert!(names(&before).contains(&"it-ec2".to_owned()));

    moto.stop();
    tokio::time::sleep(Duration::from_millis(1_200)).await; // past the cache's TTL
    let (status, stale, during) = get(&berth, "/api/clusters").await;
    assert_eq!(status, 200, "the last read stands in: {during}");
    assert_eq!(names(&during), names(&before));
    let read_at: i64 = stale.expect("marked stale").parse().unwrap();
    assert!(read_at > 0);
    let (status, _, never_read) = get(&berth, "/api/clusters/it-empty").await;
    assert_eq!(status, 503, "{never_read}");
    assert_eq!(never_read["retryable"], true);

    let browser = Browser::start().await;
    browser.goto(&format!("{}/clusters", berth.url)).await;
    browser
        .wait_for_text("[data-testid=stale-banner]", "AWS could not be read")
        .await;
    browser.find("[data-testid=cluster-card]").await;
    browser.screenshot("clusters-stale-while-aws-is-down").await;

    moto.restart().await;
    let serving = &berth;
    let recovered = wait_for(
        "fresh answers from the restarted moto",
        Duration::from_secs(20),
        || async move {
            let (status, stale, list) = get(serving, "/api/clusters").await;
            (status == 200 && stale.is_none()).then_some(list)
        },
    )
    .await;
    assert!(
        names(&recovered).is_empty(),
        "moto restarted empty: {recovered}"
    );
    browser.goto(&format!("{}/clusters", berth.url)).await;
    browser.find("[data-testid=empty]").await;
    assert_eq!(browser.count("[data-testid=stale-banner]").await, 0);
}

#[tokio::test]
async fn throttling_delays_and_dropped_connections_are_retryable_errors_or_stale_answers() {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    let proxy = FaultProxy::start(&moto.url).await;
    let berth = Berth::start(
        "moto-fault-proxy",
        &[
            "--aws",
            "--endpoint-url",
            &proxy.url,
            "--cache-ttl",
            "1",
            "--aws-timeout",
            "3",
        ],
        AWS_ENV,
    );
    let (status, stale, _) = get(&berth, "/api/clusters").await;
    assert_eq!((status, stale), (200, None));

    // AWS throttles: what was read stays readable, marked stale; the rest is retryable.
    proxy.set(Fault::Throttle);
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let asked = proxy.requests();
    let (status, stale, list) = get(&berth, "/api/clusters").await;
    assert_eq!(status, 200, "{list}");
    assert!(stale.is_some(), "a throttled read answers the last one");
    assert!(proxy.requests() > asked, "AWS was asked again");
    let (status, _, error) = get(&berth, "/api/clusters/it-empty").await;
    assert!(matches!(status, 429 | 503), "{status} {error}");
    assert_eq!(error["retryable"], true, "{error}");
    assert!(
        matches!(error["code"].as_str(), Some("throttled" | "unavailable")),
        "{error}"
    );

    // AWS hangs: an answer within --aws-timeout, never a hang.
    proxy.set(Fault::Delay(Duration::from_secs(30)));
    let started = std::time::Instant::now();
    let (status, _, error) = get(&berth, "/api/clusters/it-ec2").await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        (status, error["retryable"].as_bool()),
        (503, Some(true)),
        "{error}"
    );

    // AWS drops connections.
    proxy.set(Fault::Drop);
    let (status, _, error) = get(&berth, "/api/task-definitions").await;
    assert_eq!(
        (status, error["retryable"].as_bool()),
        (503, Some(true)),
        "{error}"
    );

    // AWS is back: fresh answers, no restart.
    proxy.set(Fault::None);
    let serving = &berth;
    wait_for(
        "fresh answers once AWS is back",
        Duration::from_secs(20),
        || async move {
            let (status, stale, _) = get(serving, "/api/clusters/it-ec2").await;
            (status == 200 && stale.is_none()).then_some(())
        },
    )
    .await;
}
