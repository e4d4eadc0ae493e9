//! Headless Chromium driven through ChromeDriver, speaking WebDriver (JSON over HTTP).
//!
//! Only what the tests need: open a page, wait for an element, read text, click, run a
//! script, and save a screenshot under `target/berth-tests/screenshots/`.
//!
//! Every screenshot is also the accessibility gate: axe-core (pinned, installed from npm by
//! `cargo xtask test`) checks the page as shown against WCAG 2.0 and 2.1 A and AA, in the light
//! and the dark theme, and any serious or critical violation fails the test. So every state a
//! browser test reaches and looks at — pages, dialogs, previews — is checked, and a new page
//! inherits the gate with its first screenshot.

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        OnceLock,
        atomic::{AtomicBool, Ordering},
    },
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
    /// Whether the page is shown with `prefers-color-scheme: dark`.
    dark: AtomicBool,
}

/// WebDriver's code for the Tab key.
pub const TAB: &str = "\u{E004}";
/// WebDriver's code for the Enter key.
pub const ENTER: &str = "\u{E007}";
/// WebDriver's code for the Escape key.
pub const ESCAPE: &str = "\u{E00C}";
/// WebDriver's code for the down arrow key.
pub const ARROW_DOWN: &str = "\u{E015}";
/// WebDriver's code for the Shift key.
const SHIFT: &str = "\u{E008}";

/// The axe-core release the accessibility gate runs (`cargo xtask test` installs it).
pub const AXE_VERSION: &str = "4.14.1";

/// The WCAG rule sets the gate checks.
const WCAG_TAGS: &str = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']";

/// axe-core's browser build: the file `BERTH_AXE` names, else where `cargo xtask test`
/// installs it.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = std::env::var_os("BERTH_AXE").map_or_else(
            || {
                let home =
                    std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
                home.join(format!(
                    ".cache/berth/axe-core-{AXE_VERSION}/node_modules/axe-core/axe.min.js"
                ))
            },
            PathBuf::from,
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing at {} ({e}): run `cargo xtask test`, which installs it from npm",
                path.display()
            )
        })
    })
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
    /// Starts ChromeDriver and a headless Chromium session (1440×900, a common laptop).
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
                         "--no-first-run", "--window-size=1440,900",
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
            dark: AtomicBool::new(false),
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
        let shot = self.failure_screenshot("timeout").await;
        panic!(
            "timed out waiting for {css} to contain {needle:?} at {}; page text: {page}; screenshot: {}",
            self.current_url().await,
            shot.display()
        );
    }

    /// The text of the element matching `css` once `wanted` accepts it, polled for up to
    /// `within` (for pages that take long, e.g. a large cluster); `None` when it never does.
    pub async fn text_within(
        &self,
        css: &str,
        within: Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let script = "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';";
        poll_until(within, || async {
            let text = self.execute(script, json!([css])).await;
            text.as_str().filter(|t| wanted(t)).map(str::to_owned)
        })
        .await
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

    /// Types `keys` as real key presses (WebDriver actions, so Tab moves the focus as it would
    /// for a user). WebDriver's codes name special keys: `"\u{E004}"` is Tab, `"\u{E007}"`
    /// Enter.
    pub async fn keys(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|key| {
                let key = key.to_string();
                [
                    json!({"type": "keyDown", "value": key}),
                    json!({"type": "keyUp", "value": key}),
                ]
            })
            .collect();
        self.command(
            reqwest::Method::POST,
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .await;
    }

    /// Presses Tab until the focused element matches `css` (at most 80 times), checks that the
    /// focus is drawn where it is, and returns. Fails the test when `css` is never reached.
    pub async fn tab_to(&self, css: &str) {
        for _ in 0..80 {
            if self.focus_matches(css).await {
                self.assert_focus_drawn(css).await;
                return;
            }
            self.keys(TAB).await;
        }
        let shot = self.failure_screenshot("tab-to").await;
        panic!(
            "Tab never reached {css} at {}; screenshot {}",
            self.current_url().await,
            shot.display()
        );
    }

    /// Presses Shift+Tab once (the focus moves back).
    pub async fn shift_tab(&self) {
        let actions = json!([
            {"type": "keyDown", "value": SHIFT},
            {"type": "keyDown", "value": TAB},
            {"type": "keyUp", "value": TAB},
            {"type": "keyUp", "value": SHIFT},
        ]);
        self.command(
            reqwest::Method::POST,
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .await;
    }

    /// Waits (up to 5 s) until the focused element matches `css`, and checks that its focus
    /// is drawn; fails the test with what has the focus instead.
    pub async fn wait_for_focus(&self, css: &str) {
        for _ in 0..50 {
            if self.focus_matches(css).await {
                self.assert_focus_drawn(css).await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let focused = self
            .execute(
                "const e = document.activeElement; return e ? e.outerHTML.slice(0, 200) : null;",
                json!([]),
            )
            .await;
        let shot = self.failure_screenshot("focus").await;
        panic!(
            "the focus never came to {css} at {}: it is on {focused}; screenshot {}",
            self.current_url().await,
            shot.display()
        );
    }

    async fn focus_matches(&self, css: &str) -> bool {
        let at = "const e = document.activeElement; return !!e && e.matches(arguments[0]);";
        self.execute(at, json!([css])).await == Value::Bool(true)
    }

    async fn assert_focus_drawn(&self, css: &str) {
        let outline = self
            .execute(
                "return getComputedStyle(document.activeElement).outlineStyle;",
                json!([]),
            )
            .await;
        assert_ne!(outline, json!("none"), "the focus on {css} is not drawn");
    }

    /// Resizes the window so the page's viewport is about `width` × `height` CSS pixels.
    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.command(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    /// Shows pages in the dark theme, as an operating system set to dark would
    /// (`prefers-color-scheme: dark`), until [`Self::light`].
    pub async fn dark(&self) {
        self.color_scheme(true).await;
    }

    /// Shows pages in the light theme again.
    pub async fn light(&self) {
        self.color_scheme(false).await;
    }

    async fn color_scheme(&self, dark: bool) {
        let value = if dark { "dark" } else { "light" };
        self.command(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(json!({"cmd": "Emulation.setEmulatedMedia", "params": {
                "features": [{"name": "prefers-color-scheme", "value": value}]
            }})),
        )
        .await;
        self.dark.store(dark, Ordering::Relaxed);
    }

    /// The serious and critical WCAG 2.0/2.1 A and AA violations axe-core finds on the page as
    /// shown, in words (rule, what it asks, and up to five elements with what is wrong).
    pub async fn accessibility_problems(&self) -> Vec<String> {
        let loaded = self
            .execute("return typeof axe !== 'undefined';", json!([]))
            .await;
        if loaded != Value::Bool(true) {
            self.execute(axe_source(), json!([])).await;
        }
        let script = format!(
            "const done = arguments[arguments.length - 1]; \
             axe.run(document, {{runOnly: {{type: 'tag', values: {WCAG_TAGS}}}, resultTypes: ['violations']}}) \
             .then(r => done(r.violations \
               .filter(v => v.impact === 'serious' || v.impact === 'critical') \
               .map(v => `${{v.id}} (${{v.impact}}): ${{v.help}} — ` + v.nodes.slice(0, 5) \
                 .map(n => `${{n.target.join(' ')}}: ${{(n.failureSummary || '').replace(/\\s+/g, ' ')}}`) \
                 .join(' | ')))) \
             .catch(e => done([`axe-core could not run: ${{e}}`]));"
        );
        strings(
            &self
                .command(
                    reqwest::Method::POST,
                    "/execute/async",
                    Some(json!({"script": script, "args": []})),
                )
                .await,
        )
    }

    /// Fails the test, naming `what`, when the page has accessibility problems in either theme
    /// (the page is left in the theme it was in).
    pub async fn assert_accessible(&self, what: &str) {
        let dark = self.dark.load(Ordering::Relaxed);
        let mut problems = Vec::new();
        for theme in [dark, !dark] {
            if theme != self.dark.load(Ordering::Relaxed) {
                self.color_scheme(theme).await;
            }
            let name = if theme { "dark" } else { "light" };
            problems.extend(
                self.accessibility_problems()
                    .await
                    .into_iter()
                    .map(|p| format!("[{name}] {p}")),
            );
        }
        self.color_scheme(dark).await;
        assert!(
            problems.is_empty(),
            "{what} at {} has accessibility problems (WCAG 2.1 AA, axe-core {AXE_VERSION}):\n{}",
            self.current_url().await,
            problems.join("\n")
        );
    }

    /// Saves a PNG screenshot as `target/berth-tests/screenshots/<name>.png` and returns its
    /// path, after checking the page's accessibility ([`Self::assert_accessible`]).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let path = self.failure_screenshot(name).await;
        self.assert_accessible(&format!("the page of screenshot {}", path.display()))
            .await;
        path
    }

    /// Saves a screenshot without checking anything: for a test that is failing already.
    pub async fn failure_screenshot(&self, name: &str) -> PathBuf {
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
