//! Harnesses for Berth's integration and browser tests.
//!
//! - [`berth`]: starts the real `berth` binary on a free loopback port and stops it on drop.
//! - [`moto`]: starts a pinned `moto_server` (the AWS emulator) on a free loopback port.
//! - [`fixtures`]: a small fleet seeded into moto through the SDK.
//! - [`fault_proxy`]: a loopback proxy in front of moto that delays, drops or throttles.
//! - [`browser`]: drives Debian's headless Chromium through ChromeDriver (WebDriver over
//!   plain HTTP) and saves screenshots under the target directory.
//!
//! `cargo xtask test` installs the tools and passes their paths in `BERTH_MOTO_SERVER`,
//! `BERTH_CHROMIUM`, `BERTH_CHROMEDRIVER` and `BERTH_DIST`; without them the harnesses look in
//! the default places and fail with a message saying how to get what is missing.

pub mod berth;
pub mod browser;
pub mod fault_proxy;
pub mod fixtures;
pub mod moto;

use std::{
    net::TcpListener,
    path::PathBuf,
    time::{Duration, Instant},
};

/// The repository root.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or(manifest_dir.clone(), PathBuf::from)
}

/// The cargo target directory this test binary was built into (`…/target`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    // …/target/debug/deps/<test binary>
    exe.ancestors()
        .nth(3)
        .map(PathBuf::from)
        .expect("test binaries live in target/<profile>/deps")
}

/// A free TCP port on 127.0.0.1 (bound and released; good enough for test servers).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A fresh, empty scratch directory under the target directory.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = target_dir()
        .join("berth-tests")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

/// Polls `probe` every 100 ms until it returns `Some`, or panics with `what` after `timeout`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    match poll_until(timeout, probe).await {
        Some(value) => value,
        None => panic!("timed out after {timeout:?} waiting for {what}"),
    }
}

/// Polls `probe` every 100 ms until it returns `Some`; `None` once `timeout` has passed.
pub async fn poll_until<T, F, Fut>(timeout: Duration, mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe().await {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
