//! Berth's build, run and test driver.
//!
//! - `cargo xtask serve [-- BERTH_ARGS…]`: installs what is missing, builds the console in
//!   release mode, builds `berth` and serves the console (sandbox by default) on 127.0.0.1.
//! - `cargo xtask test`: every check CI runs: formatting, clippy for the host and for wasm32,
//!   the console's release build with its benchmark mode (`dist-bench/`), all unit and
//!   integration tests including the moto-backed and browser tests. It ends with a summary
//!   line.
//! - `cargo xtask build`: only the shipped console's release build, into `dist/`.
//!
//! Tools are installed on demand and pinned: the wasm32 target (rustup), `wasm-bindgen-cli`
//! at exactly the version in Cargo.lock and `wasm-split-cli` at a pinned version (cargo
//! install), moto in a virtualenv (pip), axe-core for the accessibility gate (npm), and
//! Debian's chromium and chromium-driver (apt-get, when running as root).

#![allow(clippy::print_stdout)]

mod console;
mod run;
mod tools;

use std::{path::PathBuf, process::ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match command {
        "serve" => serve(rest),
        "test" => test(),
        "build" => console::build(&workspace_root(), console::Console::Shipped).map(|_| ()),
        "help" | "--help" | "-h" => {
            println!(
                "usage: cargo xtask serve [-- BERTH_ARGS…] | cargo xtask test | cargo xtask build"
            );
            Ok(())
        }
        other => Err(format!("unknown command {other:?}; try `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (the parent of this crate).
///
/// `cargo run` sets `CARGO_MANIFEST_DIR` for the process it starts; that runtime value is
/// preferred to the one compiled in, so a binary shared through a common target directory
/// still works on the checkout that invoked it.
fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir
        .parent()
        .map_or(manifest_dir.clone(), PathBuf::from)
}

fn serve(args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let dist = console::build(&root, console::Console::Shipped)?;
    let berth_args: Vec<String> = match args.first().map(String::as_str) {
        Some("--") => args[1..].to_vec(),
        _ => args.to_vec(),
    };
    let mut command = run::cargo();
    command
        .current_dir(&root)
        .args([
            "run",
            "--quiet",
            "--package",
            "berth-backend",
            "--bin",
            "berth",
            "--",
            "serve",
        ])
        .arg("--static-dir")
        .arg(&dist)
        .args(&berth_args);
    run::status(&mut command, "berth")
}

fn test() -> Result<(), String> {
    let root = workspace_root();
    let started = std::time::Instant::now();
    run::step(
        "formatting",
        run::cargo()
            .current_dir(&root)
            .args(["fmt", "--all", "--", "--check"]),
    )?;
    run::step(
        "clippy (host)",
        run::cargo().current_dir(&root).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    tools::ensure_wasm_target()?;
    run::step(
        "clippy (wasm32)",
        run::cargo().current_dir(&root).args([
            "clippy",
            "-p",
            "berth-wire",
            "-p",
            "berth-shared",
            "-p",
            "berth-view",
            "-p",
            "berth-frontend",
            // The host run checks the shipped console; this one the console with its benchmark.
            "--features",
            "berth-frontend/bench",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    let dist = console::build(&root, console::Console::WithBench)?;
    let moto = tools::ensure_moto()?;
    let browser = tools::ensure_chromium()?;
    let axe = tools::ensure_axe()?;
    let mut tests = run::cargo();
    tests
        .current_dir(&root)
        .args(["test", "--workspace", "--no-fail-fast"])
        .env("BERTH_DIST", &dist)
        .env("BERTH_MOTO_SERVER", &moto)
        .env("BERTH_CHROMIUM", &browser.chromium)
        .env("BERTH_CHROMEDRIVER", &browser.chromedriver)
        .env("BERTH_AXE", &axe);
    let summary = run::tests(&mut tests)?;
    println!(
        "xtask test: all checks passed — fmt, clippy (host, wasm32), console build, {} tests passed, {} ignored, in {:.0?}",
        summary.passed,
        summary.ignored,
        started.elapsed()
    );
    Ok(())
}
