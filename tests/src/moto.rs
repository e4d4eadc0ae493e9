//! A pinned moto server (the AWS emulator from PyPI) on a free loopback port.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use crate::{free_port, wait_for};

/// A running `moto_server`, killed when dropped.
#[derive(Debug)]
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

/// Environment that points the AWS SDK at moto with throwaway credentials, isolated from any
/// real AWS configuration of the machine.
pub const AWS_ENV: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_SESSION_TOKEN", "testing"),
    ("AWS_REGION", "us-east-1"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
    ("AWS_CONFIG_FILE", "/dev/null"),
    ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
];

fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("BERTH_MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    let path = home.join(".cache/berth/moto-5.2.5/bin/moto_server");
    assert!(
        path.is_file(),
        "moto is not installed: run `cargo xtask test`, which installs it"
    );
    path
}

fn spawn(port: u16) -> Child {
    Command::new(server_binary())
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server")
}

impl Moto {
    /// Starts moto and waits until it answers.
    pub async fn start() -> Self {
        let port = free_port();
        let moto = Self {
            child: spawn(port),
            url: format!("http://127.0.0.1:{port}"),
        };
        moto.answering().await;
        moto
    }

    async fn answering(&self) {
        let probe = format!("{}/moto-api/", self.url);
        wait_for("moto to answer", Duration::from_secs(60), || {
            let probe = probe.clone();
            async move { reqwest::get(&probe).await.ok().map(|_| ()) }
        })
        .await;
    }

    /// Stops moto (as an AWS outage would): its port refuses connections until [`Self::restart`].
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts moto again on the same port, empty (moto keeps nothing across restarts), and
    /// waits until it answers.
    pub async fn restart(&mut self) {
        let port = self
            .url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("moto's port");
        self.child = spawn(port);
        self.answering().await;
    }

    /// Stops moto moving tasks along their lifecycle (by default each DescribeTasks moves every
    /// task it describes one state further, until STOPPED), so a seeded fleet stays as it is.
    pub async fn freeze_tasks(&self) {
        let transition = serde_json::json!({
            "model_name": "ecs::task",
            "transition": { "progression": "manual", "times": 1_000_000_000_u64 }
        });
        reqwest::Client::new()
            .post(format!(
                "{}/moto-api/state-manager/set-transition",
                self.url
            ))
            .json(&transition)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("moto freezes task states");
    }

    /// SDK configuration for this moto (test credentials, `us-east-1`).
    pub fn sdk_config(&self) -> aws_config::SdkConfig {
        self.sdk_config_in("us-east-1")
    }

    /// SDK configuration for this moto in `region` (moto keeps each region apart, as AWS does).
    pub fn sdk_config_in(&self, region: &str) -> aws_config::SdkConfig {
        let credentials =
            aws_sdk_ecs::config::Credentials::new("testing", "testing", None, None, "berth-tests");
        aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_sdk_ecs::config::Region::new(region.to_owned()))
            .credentials_provider(aws_sdk_ecs::config::SharedCredentialsProvider::new(
                credentials,
            ))
            .endpoint_url(&self.url)
            .build()
    }

    /// An ECS client for this moto.
    pub async fn ecs(&self) -> aws_sdk_ecs::Client {
        aws_sdk_ecs::Client::new(&self.sdk_config())
    }

    /// An Application Auto Scaling client for this moto.
    pub fn autoscaling(&self) -> aws_sdk_applicationautoscaling::Client {
        aws_sdk_applicationautoscaling::Client::new(&self.sdk_config())
    }

    /// A CloudWatch client for this moto.
    pub fn cloudwatch(&self) -> aws_sdk_cloudwatch::Client {
        aws_sdk_cloudwatch::Client::new(&self.sdk_config())
    }

    /// A CloudWatch Logs client for this moto.
    pub fn logs(&self) -> aws_sdk_cloudwatchlogs::Client {
        aws_sdk_cloudwatchlogs::Client::new(&self.sdk_config())
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
