//! Starting the real `berth` binary for a test.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex, PoisonError, mpsc},
    time::Duration,
};

use crate::{scratch_dir, target_dir, workspace_root};

/// A running `berth serve`, killed when dropped.
#[derive(Debug)]
pub struct Berth {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its scratch directory (holds the sandbox state file).
    pub dir: PathBuf,
    /// Every line it has written to standard error so far.
    logs: Arc<Mutex<Vec<String>>>,
}

/// The address a log line (text or JSON) says the server listens at: `… at http://HOST:PORT`.
pub fn served_url(line: &str) -> Option<String> {
    let rest = line.split(" at http://").nth(1)?;
    let address: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '[' | ']'))
        .collect();
    (!address.is_empty()).then(|| format!("http://{address}"))
}

/// Where the built console is: `$BERTH_DIST`, else `<repo>/dist-bench` (the console `cargo
/// xtask test` builds: the shipped one plus its `?synthetic=` benchmark mode).
pub fn dist_dir() -> PathBuf {
    std::env::var_os("BERTH_DIST")
        .map_or_else(|| workspace_root().join("dist-bench"), PathBuf::from)
}

fn binary() -> PathBuf {
    let path = target_dir().join("debug").join("berth");
    assert!(
        path.is_file(),
        "{} is missing: run `cargo xtask test` (or `cargo build -p berth-backend`) first",
        path.display()
    );
    path
}

/// Runs `berth ARGS…` to its end (a subcommand such as `token create`), asserting it
/// succeeds, and returns its standard output.
pub fn run(args: &[&str]) -> String {
    let output = Command::new(binary())
        .args(args)
        .output()
        .expect("run berth");
    assert!(
        output.status.success(),
        "berth {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Creates a token for `name` with `role` in the auth file at `auth_file` and returns it.
pub fn create_token(auth_file: &std::path::Path, role: &str, name: &str) -> String {
    let file = auth_file.to_str().expect("a UTF-8 path");
    run(&[
        "token",
        "create",
        "--role",
        role,
        "--name",
        name,
        "--auth-file",
        file,
    ])
    .trim()
    .to_owned()
}

impl Berth {
    /// Starts `berth serve --addr 127.0.0.1:0 --state <scratch>/state.json --static-dir <dist>
    /// --sandbox-speed 10 ARGS…` (ARGS' own `--addr` or `--state` replacing the default) with the environment `env`, and waits until it listens (the
    /// sandbox's tasks start ten times faster than its own pace unless ARGS say otherwise).
    pub fn start(name: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        let dir = scratch_dir(name);
        let mut command = Command::new(binary());
        command.arg("serve");
        if !args.contains(&"--addr") {
            command.args(["--addr", "127.0.0.1:0"]);
        }
        command
            .arg("--static-dir")
            .arg(dist_dir())
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if !args.contains(&"--state") {
            command.arg("--state").arg(dir.join("state.json"));
        }
        if !args.contains(&"--sandbox-speed") {
            command.args(["--sandbox-speed", "10"]);
        }
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("start berth");
        let stderr = child.stderr.take().expect("berth's stderr");
        let (sender, receiver) = mpsc::channel();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&logs);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = served_url(&line) {
                    let _ = sender.send(url);
                }
                eprintln!("[berth] {line}");
                kept.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(line);
            }
        });
        let url = receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("berth printed the address it serves within 30 s");
        Self {
            child,
            url,
            dir,
            logs,
        }
    }

    /// The lines the server has written to standard error so far.
    pub fn log_lines(&self) -> Vec<String> {
        self.logs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// `GET url + path` and the decoded JSON body with its status.
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let response = reqwest::get(format!("{}{path}", self.url))
            .await
            .expect("berth answers");
        let status = response.status().as_u16();
        let body = response.json().await.expect("a JSON body");
        (status, body)
    }

    /// `method url + path` with a JSON body (`None`: no body), and the decoded JSON answer
    /// with its status.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: impl Into<Option<serde_json::Value>>,
    ) -> (u16, serde_json::Value) {
        let mut request = reqwest::Client::new().request(method, format!("{}{path}", self.url));
        if let Some(body) = body.into() {
            request = request.json(&body);
        }
        let response = request.send().await.expect("berth answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }

    /// Sends SIGTERM (what ECS sends to stop a task) and waits up to `within` for the server
    /// to exit; its exit status, or `None` if it is still running.
    pub fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait for berth") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Asserts that changes with numbers out of ECS's range are refused with a 400 naming the
    /// field, whatever the source, and that the service is left as it was.
    pub async fn refuses_out_of_range_changes(&self, cluster: &str, service: &str) {
        let service_path = format!("/api/clusters/{cluster}/services/{service}");
        let refused = [
            (
                reqwest::Method::PUT,
                service_path.clone(),
                serde_json::json!({"forceNewDeployment": true,
                    "deploymentConfiguration": {"maximumPercent": 9_223_372_036_854_775_807_i64}}),
                "deploymentConfiguration.maximumPercent",
            ),
            (
                reqwest::Method::PUT,
                service_path.clone(),
                serde_json::json!({"deploymentConfiguration": {"minimumHealthyPercent": 101}}),
                "deploymentConfiguration.minimumHealthyPercent",
            ),
            (
                reqwest::Method::PUT,
                service_path.clone(),
                serde_json::json!({"desiredCount": 5001}),
                "desiredCount",
            ),
            (
                reqwest::Method::PUT,
                service_path.clone(),
                serde_json::json!({"desiredCount": 4_294_967_297_i64}),
                "desiredCount",
            ),
            (
                reqwest::Method::POST,
                format!("/api/clusters/{cluster}/services"),
                serde_json::json!({"serviceName": "too-big", "taskDefinition": "x", "desiredCount": 5001}),
                "desiredCount",
            ),
            (
                reqwest::Method::POST,
                format!("/api/clusters/{cluster}/tasks"),
                serde_json::json!({"taskDefinition": "x", "count": 11}),
                "count",
            ),
        ];
        let (_, before) = self.get(&format!("/api/clusters/{cluster}")).await;
        for (method, path, body, field) in refused {
            let (status, error) = self.send(method.clone(), &path, body.clone()).await;
            assert_eq!(status, 400, "{method} {path} {body}: {error}");
            assert_eq!(error["code"], "invalid_input", "{error}");
            assert_eq!(error["field"], field, "{body}: {error}");
            assert!(
                error["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(field),
                "the message names the field: {error}"
            );
        }
        let (_, after) = self
            .get(&format!("/api/clusters/{cluster}?refresh=true"))
            .await;
        let of = |snapshot: &serde_json::Value| {
            snapshot["services"]
                .as_array()
                .and_then(|services| services.iter().find(|s| s["serviceName"] == service))
                .map(|s| {
                    (
                        s["desiredCount"].clone(),
                        s["deploymentConfiguration"].clone(),
                    )
                })
        };
        assert!(of(&before).is_some(), "{service} is in {cluster}");
        assert_eq!(of(&before), of(&after), "a refused change changes nothing");
    }
}

impl Drop for Berth {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
