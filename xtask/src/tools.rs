//! Finding, and when missing installing, the tools the build and the tests need.
//!
//! Everything comes from the registries this project may use: rustup for the wasm32 target,
//! crates.io for `wasm-bindgen-cli` (pinned to Cargo.lock's wasm-bindgen) and `wasm-split-cli`
//! (pinned, under the user's cache directory), PyPI for moto (pinned) in a virtualenv under the
//! user's cache directory, npm for axe-core (pinned, under the same directory), and Debian for
//! chromium and chromium-driver. Each function says
//! clearly what to do when it cannot install something.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use crate::run;

/// The moto release the SDK-path tests are written against.
pub const MOTO_VERSION: &str = "5.2.5";

/// Where Berth keeps downloaded tools: `$BERTH_CACHE_DIR`, else `$XDG_CACHE_HOME/berth`, else
/// `~/.cache/berth`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("BERTH_CACHE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("berth");
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache").join("berth")
}

/// Adds the wasm32 target when rustup does not have it yet.
pub fn ensure_wasm_target() -> Result<(), String> {
    ensure_rust_target("wasm32-unknown-unknown")
}

/// Adds the rustup target `target` when it is not installed yet.
fn ensure_rust_target(target: &str) -> Result<(), String> {
    let installed = run::output(
        Command::new("rustup").args(["target", "list", "--installed"]),
        "rustup",
    )?;
    if installed.lines().any(|l| l.trim() == target) {
        return Ok(());
    }
    run::step(
        &format!("installing the {target} target"),
        Command::new("rustup").args(["target", "add", target]),
    )
}

/// The target of the static `berth` (no shared library needed, so it runs in an empty image).
pub const STATIC_TARGET: &str = "x86_64-unknown-linux-musl";

/// What building the static `berth` needs: the musl target and Debian's musl-gcc (for the C
/// code of aws-lc), installed with apt-get when missing and root. Returns the C compiler.
pub fn ensure_static_toolchain() -> Result<PathBuf, String> {
    ensure_rust_target(STATIC_TARGET)?;
    if let Some(compiler) = find_in_path(&["musl-gcc"]) {
        return Ok(compiler);
    }
    apt_install(&["musl-tools"], "the static build needs musl-gcc")?;
    find_in_path(&["musl-gcc"])
        .ok_or_else(|| "musl-tools was installed but musl-gcc is not on PATH".to_owned())
}

/// The version of a package as locked in Cargo.lock.
pub fn locked_version(root: &Path, package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .map(|i| i + needle.len())
        .ok_or_else(|| format!("{package} is not in Cargo.lock"))?;
    let end = lock[start..]
        .find('"')
        .map(|i| start + i)
        .ok_or("Cargo.lock is malformed")?;
    Ok(lock[start..end].to_owned())
}

/// The `wasm-bindgen` CLI at exactly `version`, installed with cargo when missing or different.
pub fn ensure_wasm_bindgen(version: &str) -> Result<PathBuf, String> {
    let cargo_home = std::env::var_os("CARGO_HOME").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"),
        PathBuf::from,
    );
    let binary = cargo_home.join("bin").join("wasm-bindgen");
    let current = Command::new(&binary)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success());
    let matches = current.is_some_and(|o| {
        String::from_utf8_lossy(&o.stdout).split_whitespace().nth(1) == Some(version)
    });
    if !matches {
        run::step(
            &format!(
                "installing wasm-bindgen-cli {version} (matches Cargo.lock; takes a few minutes once)"
            ),
            run::cargo().args([
                "install",
                "wasm-bindgen-cli",
                "--force",
                "--version",
                &format!("={version}"),
            ]),
        )?;
    }
    Ok(binary)
}

/// The `wasm_split_cli_support` release whose `wasm-split-cli` splits the console's wasm. Its
/// output must match the `wasm_split_helpers` runtime that Leptos links into the console (0.2.x
/// in Cargo.lock); bump the two together.
pub const WASM_SPLIT_VERSION: &str = "0.2.4";

/// `wasm-split-cli` at [`WASM_SPLIT_VERSION`], installed with cargo (its own Cargo.lock) into
/// the cache directory when missing.
pub fn ensure_wasm_split() -> Result<PathBuf, String> {
    let root = cache_dir().join(format!("wasm-split-{WASM_SPLIT_VERSION}"));
    let binary = root.join("bin").join("wasm-split-cli");
    if binary.is_file() {
        return Ok(binary);
    }
    run::step(
        &format!(
            "installing wasm-split-cli {WASM_SPLIT_VERSION} into {} (takes a minute or two once)",
            root.display()
        ),
        run::cargo()
            .args([
                "install",
                "--locked",
                "wasm_split_cli_support",
                "--version",
                &format!("={WASM_SPLIT_VERSION}"),
                "--features",
                "build-binary",
                "--root",
            ])
            .arg(&root),
    )?;
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "wasm_split_cli_support installed but {} is missing",
            binary.display()
        ))
    }
}

/// `moto_server` from a virtualenv with the pinned moto, created on first use.
pub fn ensure_moto() -> Result<PathBuf, String> {
    ensure_python_tool(
        &format!("moto-{MOTO_VERSION}"),
        &format!("moto[server]=={MOTO_VERSION}"),
        "moto_server",
        "the moto-backed tests",
    )
}

/// The cfn-lint release that checks the CloudFormation template.
pub const CFN_LINT_VERSION: &str = "1.58.0";

/// `cfn-lint` from a virtualenv with the pinned release, created on first use.
pub fn ensure_cfn_lint() -> Result<PathBuf, String> {
    ensure_python_tool(
        &format!("cfn-lint-{CFN_LINT_VERSION}"),
        &format!("cfn-lint=={CFN_LINT_VERSION}"),
        "cfn-lint",
        "the CloudFormation check",
    )
}

/// The program `executable` of the PyPI package `requirement`, from a virtualenv named `name`
/// in the tools' cache, created on first use; `needed_by` says what fails without it.
fn ensure_python_tool(
    name: &str,
    requirement: &str,
    executable: &str,
    needed_by: &str,
) -> Result<PathBuf, String> {
    let venv = cache_dir().join(name);
    let program = venv.join("bin").join(executable);
    if program.is_file() {
        return Ok(program);
    }
    let python = ["python3", "python"]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or_else(|| format!("Python 3 is needed for {needed_by}; install python3"))?;
    run::step(
        &format!(
            "creating a virtualenv for {requirement} in {}",
            venv.display()
        ),
        Command::new(python).args(["-m", "venv"]).arg(&venv),
    )?;
    run::step(
        &format!("installing {requirement}"),
        Command::new(venv.join("bin").join("pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            requirement,
        ]),
    )?;
    if program.is_file() {
        Ok(program)
    } else {
        Err(format!(
            "{requirement} installed but {} is missing",
            program.display()
        ))
    }
}

/// The axe-core release the browser tests' accessibility gate runs (`BERTH_AXE`).
pub const AXE_VERSION: &str = "4.14.1";

/// axe-core's browser build (`axe.min.js`) from npm, pinned, installed on first use.
pub fn ensure_axe() -> Result<PathBuf, String> {
    let prefix = cache_dir().join(format!("axe-core-{AXE_VERSION}"));
    let script = prefix
        .join("node_modules")
        .join("axe-core")
        .join("axe.min.js");
    if script.is_file() {
        return Ok(script);
    }
    run::step(
        &format!("installing axe-core {AXE_VERSION} from npm"),
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg(format!("axe-core@{AXE_VERSION}")),
    )
    .map_err(|e| format!("{e}; the accessibility gate needs Node's npm"))?;
    if script.is_file() {
        Ok(script)
    } else {
        Err(format!(
            "axe-core installed but {} is missing",
            script.display()
        ))
    }
}

/// Paths of the browser used by the browser tests.
#[derive(Debug)]
pub struct Browser {
    /// Chromium.
    pub chromium: PathBuf,
    /// The matching ChromeDriver.
    pub chromedriver: PathBuf,
}

fn find_in_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn find_browser() -> Option<Browser> {
    Some(Browser {
        chromium: find_in_path(&["chromium", "chromium-browser"])?,
        chromedriver: find_in_path(&["chromedriver"])?,
    })
}

/// Debian's chromium and chromium-driver, installed with apt-get when missing and root.
pub fn ensure_chromium() -> Result<Browser, String> {
    if let Some(browser) = find_browser() {
        return Ok(browser);
    }
    apt_install(
        &["chromium", "chromium-driver"],
        "the browser tests need Chromium and ChromeDriver",
    )?;
    find_browser().ok_or_else(|| {
        "chromium was installed but chromium or chromedriver is not on PATH".to_owned()
    })
}

/// Installs Debian's `packages` with apt-get when running as root; otherwise says how.
fn apt_install(packages: &[&str], needed_by: &str) -> Result<(), String> {
    let uid = run::output(Command::new("id").arg("-u"), "id -u").unwrap_or_default();
    if uid.trim() != "0" {
        return Err(format!(
            "{needed_by}: run `sudo apt-get install -y {}` and try again",
            packages.join(" ")
        ));
    }
    run::step(
        "updating Debian's package lists",
        Command::new("apt-get").arg("update"),
    )?;
    run::step(
        &format!("installing {}", packages.join(" and ")),
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}
