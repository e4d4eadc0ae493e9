//! Headless Chromium driven through ChromeDriver, speaking WebDriver (JSON over HTTP).
//!
//! Only what the tests need: open a page, wait for an element, read text, click, run a
//! script, and save a screenshot under `target/berth-tests/screenshots/`.

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use base64::Engine;
use serde_json::{Value, json};

use crate::{free_port, poll_until, scratch_dir, target_dir, wait_for};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A ChromeDriver process with one Chromium session; both end when dropped.
#[derive(Debug)]
pub struct Browser {
    driver: Child,
    session: String,
    base: String,
    http: reqwest::Client,
}

fn tool(variable: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.is_file(),
        "{} is missing: run `cargo xtask test`, which installs Debian's chromium and chromium-driver",
        path.display()
    );
    path
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium session (1400×900).
    pub async fn start() -> Self {
        let chromium = tool("BERTH_CHROMIUM", "/usr/bin/chromium");
        let chromedriver = tool("BERTH_CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let status = format!("{base}/status");
        wait_for("chromedriver to answer", Duration::from_secs(30), || {
            let (http, status) = (http.clone(), status.clone());
            async move { http.get(&status).send().await.ok().map(|_| ()) }
        })
        .await;
        let profile = scratch_dir(&format!("chromium-profile-{port}"));
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--no-first-run", "--window-size=1400,900",
                         format!("--user-data-dir={}", profile.display())]
            }
        }}});
        let response: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("create a browser session")
            .json()
            .await
            .expect("a WebDriver response");
        let session = response["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id in {response}"))
            .to_owned();
        Self {
            driver,
            session,
            base,
            http,
        }
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut request = self.http.request(method, &url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response: Value = request
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("JSON");
        response["value"].clone()
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    /// The current URL.
    pub async fn current_url(&self) -> String {
        self.command(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    async fn find_now(&self, css: &str) -> Option<String> {
        let value = self
            .command(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        value[ELEMENT_KEY].as_str().map(str::to_owned)
    }

    /// Waits up to 15 s for an element matching `css` and returns its id.
    pub async fn find(&self, css: &str) -> String {
        wait_for(&format!("element {css}"), Duration::from_secs(15), || {
            self.find_now(css)
        })
        .await
    }

    /// Waits for an element and returns its visible text.
    pub async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        let value = self
            .command(
                reqwest::Method::GET,
                &format!("/element/{element}/text"),
                None,
            )
            .await;
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Waits until the element matching `css` has text containing `needle`, and returns it.
    /// On timeout it saves a screenshot named `timeout` and panics with the page's text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let found = poll_until(Duration::from_secs(20), || async {
            let element = self.find_now(css).await?;
            let value = self
                .command(
                    reqwest::Method::GET,
                    &format!("/element/{element}/text"),
                    None,
                )
                .await;
            value
                .as_str()
                .filter(|t| t.contains(needle))
                .map(str::to_owned)
        })
        .await;
        if let Some(text) = found {
            return text;
        }
        let page = self
            .execute("return document.body.innerText;", json!([]))
            .await;
        let shot = self.screenshot("timeout").await;
        panic!(
            "timed out waiting for {css} to contain {needle:?} at {}; page text: {page}; screenshot: {}",
            self.current_url().await,
            shot.display()
        );
    }

    /// Texts of every element matching `css` (possibly none).
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let script =
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText);";
        strings(&self.execute(script, json!([css])).await)
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Runs `script` (a function body) with `args` and returns its result.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// How many elements match `css`.
    pub async fn count(&self, css: &str) -> u64 {
        self.execute(
            "return document.querySelectorAll(arguments[0]).length;",
            json!([css]),
        )
        .await
        .as_u64()
        .unwrap_or(0)
    }

    /// An attribute of every element matching `css` (elements without it are skipped).
    pub async fn attributes(&self, css: &str, name: &str) -> Vec<String> {
        let script = "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.getAttribute(arguments[1]));";
        strings(&self.execute(script, json!([css, name])).await)
    }

    /// Types `text` into the element matching `css` the way a user would (an `input` event).
    pub async fn type_into(&self, css: &str, text: &str) {
        self.find(css).await;
        self.execute(
            "const e = document.querySelector(arguments[0]); e.focus(); e.value = arguments[1]; \
             e.dispatchEvent(new Event('input', {bubbles: true}));",
            json!([css, text]),
        )
        .await;
    }

    /// Chooses the option `value` of the select matching `css` the way a user would (a
    /// `change` event).
    pub async fn choose(&self, css: &str, value: &str) {
        self.find(&format!("{css} option[value='{value}']")).await;
        self.execute(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
             e.dispatchEvent(new Event('change', {bubbles: true}));",
            json!([css, value]),
        )
        .await;
    }

    /// Presses `key` on the focused element (or the page).
    pub async fn press(&self, key: &str) {
        self.execute(
            "(document.activeElement || document.body).dispatchEvent(new KeyboardEvent('keydown', \
             {key: arguments[0], bubbles: true, cancelable: true}));",
            json!([key]),
        )
        .await;
    }

    /// Switches the page to the dark palette (what `prefers-color-scheme: dark` selects).
    pub async fn dark(&self) {
        self.execute(
            "const rules = Array.from(document.styleSheets).flatMap(s => Array.from(s.cssRules)); \
             const media = rules.find(r => r.media && r.media.mediaText.includes('dark')); \
             const style = document.createElement('style'); \
             style.textContent = media.cssRules[0].cssText; \
             document.head.appendChild(style);",
            json!([]),
        )
        .await;
    }

    /// Saves a PNG screenshot as `target/berth-tests/screenshots/<name>.png`; returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let value = self
            .command(reqwest::Method::GET, "/screenshot", None)
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(value.as_str().expect("a base64 screenshot"))
            .expect("valid base64");
        let dir = target_dir().join("berth-tests").join("screenshots");
        std::fs::create_dir_all(&dir).expect("create the screenshot directory");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write the screenshot");
        path
    }
}

impl Drop for Browser {
    /// Ends the WebDriver session (ChromeDriver then closes its Chromium), then ChromeDriver.
    ///
    /// The session is ended with a plain blocking HTTP request because `drop` cannot await;
    /// nothing here signals a process group, so no other process can be hit by mistake.
    fn drop(&mut self) {
        let address = self.base.trim_start_matches("http://").to_owned();
        if let Ok(mut stream) = TcpStream::connect(&address) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let request = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session
            );
            if stream.write_all(request.as_bytes()).is_ok() {
                let _ = stream.read_to_end(&mut Vec::new());
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The strings of a JSON array (other items skipped).
fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
