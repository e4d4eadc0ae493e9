//! Two `berth` processes with the same configuration, as two tasks behind a load balancer: on
//! different loopback addresses, over the same account (moto, through the SDK), sharing an auth
//! file. A session made on one is accepted by the other; a change made through one is seen
//! through the other once its read cache expires; each runs its own poller for a watched
//! cluster; and SIGTERM to one ends its live stream cleanly while the other keeps serving.

use std::time::{Duration, Instant};

use berth_tests::{
    berth::{Berth, create_token},
    fixtures, free_port,
    moto::{AWS_ENV, Moto},
    scratch_dir,
};
use serde_json::{Value, json};

/// The sample of `name` (a gauge without labels) in `/metrics`.
async fn gauge(berth: &Berth, token: &str, name: &str) -> Option<f64> {
    let text = reqwest::Client::new()
        .get(format!("{}/metrics", berth.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.trim().parse().ok())
}

/// The desired count of `it-web` as `berth` reads it, with `token`.
async fn desired_count(berth: &Berth, token: &str) -> Value {
    let snapshot: Value = reqwest::Client::new()
        .get(format!("{}/api/clusters/it-ec2", berth.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    snapshot["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["serviceName"] == "it-web"))
        .map(|s| s["desiredCount"].clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn two_replicas_share_sessions_and_the_account_and_stop_apart() {
    let moto = Moto::start().await;
    fixtures::seed_fleet(&moto).await;
    let auth_file = scratch_dir("replicas").join("auth.json");
    let token = create_token(&auth_file, "deployer", "ci-bot");
    let auth = auth_file.to_str().unwrap();
    let replica = |name: &str, ip: &str| {
        let addr = format!("{ip}:{}", free_port());
        Berth::start(
            name,
            &[
                "--addr",
                &addr,
                "--aws",
                "--endpoint-url",
                &moto.url,
                "--auth-file",
                auth,
                "--cache-ttl",
                "1",
                "--poll-interval",
                "1",
            ],
            AWS_ENV,
        )
    };
    let mut first = replica("replica-1", "127.0.0.2");
    let second = replica("replica-2", "127.0.0.3");
    assert!(first.url.contains("127.0.0.2") && second.url.contains("127.0.0.3"));

    // A session cookie made by the first is accepted by the second.
    let signed_in = reqwest::Client::new()
        .post(format!("{}/api/session", first.url))
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let session = |berth: &Berth| {
        reqwest::Client::new()
            .get(format!("{}/api/session", berth.url))
            .header("cookie", cookie.clone())
            .send()
    };
    let on_second: Value = session(&second).await.unwrap().json().await.unwrap();
    assert_eq!(on_second["name"], "ci-bot", "{on_second}");
    let anonymous = reqwest::get(format!("{}/api/clusters", second.url))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    // A change made through the first is seen through the second once its cache expires.
    let before = desired_count(&second, &token).await;
    let changed = reqwest::Client::new()
        .put(format!("{}/api/clusters/it-ec2/services/it-web", first.url))
        .bearer_auth(&token)
        .json(&json!({"desiredCount": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(before, json!(5));
    let deadline = Instant::now() + Duration::from_secs(10);
    while desired_count(&second, &token).await != json!(5) {
        assert!(Instant::now() < deadline, "the second never saw the change");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Each watches with its own poller.
    let watch = |berth: &Berth| {
        reqwest::Client::new()
            .get(format!("{}/api/clusters/it-ec2/stream", berth.url))
            .bearer_auth(&token)
            .send()
    };
    let mut first_stream = watch(&first).await.unwrap();
    let mut second_stream = watch(&second).await.unwrap();
    assert!(first_stream.chunk().await.unwrap().is_some());
    assert!(second_stream.chunk().await.unwrap().is_some());
    for berth in [&first, &second] {
        assert_eq!(
            gauge(berth, &token, "berth_live_pollers").await,
            Some(1.0),
            "{}",
            berth.url
        );
        assert_eq!(
            gauge(berth, &token, "berth_live_streams").await,
            Some(1.0),
            "{}",
            berth.url
        );
    }

    // SIGTERM to the first ends its stream cleanly; the second keeps serving, stream included.
    let status = first.terminate(Duration::from_secs(10));
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match first_stream.chunk().await {
                Ok(Some(_)) => continue,
                other => break other,
            }
        }
    })
    .await
    .expect("the stream ended within 5 s");
    assert!(
        matches!(ended, Ok(None)),
        "ended cleanly, not cut: {ended:?}"
    );
    let health = reqwest::get(format!("{}/api/health", second.url))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        gauge(&second, &token, "berth_live_streams").await,
        Some(1.0)
    );
    assert!(
        tokio::time::timeout(Duration::from_secs(20), second_stream.chunk())
            .await
            .is_ok_and(|chunk| chunk.is_ok_and(|c| c.is_some())),
        "the second's stream goes on"
    );
}
