//! Berth's build, run and test driver.
//!
//! - `cargo xtask serve [--debug] [-- BERTH_ARGS…]`: installs what is missing, builds the
//!   release `berth` with the console built into it (as `dist` does) and serves it (sandbox by
//!   default) on 127.0.0.1; with `--debug`, a debug `berth` serving `dist/` from the checkout
//!   (quicker to rebuild while working on the server).
//! - `cargo xtask test`: every check CI runs: formatting, clippy for the host and for wasm32,
//!   the console's release build with its benchmark mode (`dist-bench/`), cfn-lint on the
//!   CloudFormation template, the static release `berth` (for the empty-root test), all unit
//!   and integration tests including the moto-backed and browser tests. It ends with a summary
//!   line.
//! - `cargo xtask build`: only the shipped console's release build, into `dist/`.
//! - `cargo xtask dist [--static]`: the one binary to ship: the console's release build
//!   embedded into a release `berth` (`target/release/berth`; with `--static`, linked
//!   statically with musl for an image with nothing else in it), whose path and size it prints.
//!
//! Tools are installed on demand and pinned: the wasm32 target (rustup), `wasm-bindgen-cli`
//! at exactly the version in Cargo.lock and `wasm-split-cli` at a pinned version (cargo
//! install), moto and cfn-lint in virtualenvs (pip), axe-core for the accessibility gate (npm),
//! the musl target (rustup) and Debian's musl-tools, chromium and chromium-driver (apt-get,
//! when running as root).

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
        "dist" => dist(&workspace_root(), rest).map(|_| ()),
        "help" | "--help" | "-h" => {
            println!(
                "usage: cargo xtask serve [--debug] [-- BERTH_ARGS…] | cargo xtask test | \
                 cargo xtask build | cargo xtask dist [--static]"
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

/// Builds the console, then the release `berth` with it embedded (with `--static`, a static
/// binary for an image with nothing else in it); prints and returns the binary's path.
fn dist(root: &std::path::Path, args: &[String]) -> Result<PathBuf, String> {
    let linking = match args {
        [] => Linking::Dynamic,
        [flag] if flag == "--static" => Linking::Static,
        other => return Err(format!("cargo xtask dist [--static]: unexpected {other:?}")),
    };
    let console = console::build(root, console::Console::Shipped)?;
    let binary = release_berth(root, &console, linking)?;
    let size = std::fs::metadata(&binary)
        .map_err(|e| format!("cannot read {}: {e}", binary.display()))?
        .len();
    println!(
        "berth: {} ({:.1} MB), serves the console with nothing beside it",
        binary.display(),
        size as f64 / 1_000_000.0
    );
    Ok(binary)
}

/// How the release `berth` is linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Linking {
    /// For this machine (glibc, shared).
    Dynamic,
    /// Static (musl): runs in an empty root.
    Static,
}

/// The release `berth` with the built console in `console` embedded; its path.
fn release_berth(
    root: &std::path::Path,
    console: &std::path::Path,
    linking: Linking,
) -> Result<PathBuf, String> {
    let mut build = run::cargo();
    build
        .current_dir(root)
        .env("BERTH_EMBED_CONSOLE", console)
        .args([
            "build",
            "--release",
            "--package",
            "berth-backend",
            "--bin",
            "berth",
        ]);
    let mut out = console::target_dir(root)?;
    if linking == Linking::Static {
        let compiler = tools::ensure_static_toolchain()?;
        build
            .args(["--target", tools::STATIC_TARGET])
            .env("CC_x86_64_unknown_linux_musl", compiler);
        out = out.join(tools::STATIC_TARGET);
    }
    let what = match linking {
        Linking::Dynamic => "building the release berth with the console in it",
        Linking::Static => "building the static release berth with the console in it",
    };
    run::step(what, &mut build)?;
    Ok(out.join("release").join("berth"))
}

fn serve(args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let (debug, args) = match args.split_first() {
        Some((first, rest)) if first == "--debug" => (true, rest),
        _ => (false, args),
    };
    let berth_args: Vec<String> = match args.first().map(String::as_str) {
        Some("--") => args[1..].to_vec(),
        _ => args.to_vec(),
    };
    if !debug {
        let binary = dist(&root, &[])?;
        return run::status(
            std::process::Command::new(binary)
                .arg("serve")
                .args(&berth_args),
            "berth",
        );
    }
    let dist = console::build(&root, console::Console::Shipped)?;
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
    let cfn_lint = tools::ensure_cfn_lint()?;
    run::step(
        "cfn-lint (the CloudFormation template that runs Berth on ECS)",
        std::process::Command::new(cfn_lint)
            .current_dir(&root)
            .arg("deploy/cloudformation/berth.json"),
    )?;
    // The image's binary, for the test that runs it in an empty root.
    let static_berth = release_berth(&root, &dist, Linking::Static)?;
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
        .env("BERTH_AXE", &axe)
        .env("BERTH_STATIC_BINARY", &static_berth);
    let summary = run::tests(&mut tests)?;
    println!(
        "xtask test: all checks passed — fmt, clippy (host, wasm32), console build, cfn-lint, static berth, {} tests passed, {} ignored, in {:.0?}",
        summary.passed,
        summary.ignored,
        started.elapsed()
    );
    Ok(())
}
