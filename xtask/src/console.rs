//! Building the console: Rust → wasm32 → wasm-bindgen → `dist/`, with gzip copies.
//!
//! `dist/` holds `index.html`, `style.css`, `berth.js` and `berth_bg.wasm` (plus `.gz`
//! siblings that `berth` serves to browsers accepting gzip). Asset URLs carry a content hash
//! so a new build is never mixed with a cached old one. `dist/.inputs` records a hash of the
//! inputs (the compiled wasm and `frontend/static/`), so an unchanged console is not rebuilt.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use flate2::{Compression, write::GzEncoder};

use crate::{run, tools};

/// Builds the console in release mode into `<root>/dist` and returns that directory.
pub fn build(root: &Path) -> Result<PathBuf, String> {
    tools::ensure_wasm_target()?;
    let wasm_bindgen = tools::ensure_wasm_bindgen(&tools::locked_version(root, "wasm-bindgen")?)?;
    run::step(
        "building the console (wasm32, release)",
        run::cargo().current_dir(root).args([
            "build",
            "--package",
            "berth-frontend",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm-release",
            // Leptos's `erase_components`: `view!` and components return type-erased
            // views, so rendering, state and drop code is not monomorphised for every
            // nested view type. Same pages, about 15% less wasm.
            "--config",
            r#"target.wasm32-unknown-unknown.rustflags = ["--cfg", "erase_components"]"#,
        ]),
    )?;
    let wasm = target_dir(root)?
        .join("wasm32-unknown-unknown")
        .join("wasm-release")
        .join("berth-frontend.wasm");
    let dist = root.join("dist");
    let static_dir = root.join("frontend").join("static");
    // The wasm, the static files, and this build step itself (its flags shape the output).
    let mut inputs = vec![
        wasm.clone(),
        root.join("xtask").join("src").join("console.rs"),
    ];
    for entry in fs::read_dir(&static_dir)
        .map_err(|e| format!("cannot read {}: {e}", static_dir.display()))?
    {
        inputs.push(entry.map_err(|e| e.to_string())?.path());
    }
    inputs.sort();
    let stamp = content_hash(&inputs.iter().map(PathBuf::as_path).collect::<Vec<_>>())?;
    let stamp_file = dist.join(".inputs");
    if dist.join("index.html").is_file()
        && fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp)
    {
        println!("console in {} is up to date", dist.display());
        return Ok(dist);
    }
    if dist.exists() {
        fs::remove_dir_all(&dist).map_err(|e| format!("cannot clear {}: {e}", dist.display()))?;
    }
    fs::create_dir_all(&dist).map_err(|e| format!("cannot create {}: {e}", dist.display()))?;
    run::status(
        std::process::Command::new(wasm_bindgen)
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--remove-name-section",
                "--remove-producers-section",
                "--out-name",
                "berth",
                "--out-dir",
            ])
            .arg(&dist)
            .arg(&wasm),
        "wasm-bindgen",
    )?;
    for entry in fs::read_dir(&static_dir)
        .map_err(|e| format!("cannot read {}: {e}", static_dir.display()))?
    {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_file() && path.file_name().is_some_and(|n| n != "index.html") {
            let name = path.file_name().unwrap_or_default();
            fs::copy(&path, dist.join(name))
                .map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    let hash = content_hash(&[
        &dist.join("berth_bg.wasm"),
        &dist.join("berth.js"),
        &dist.join("style.css"),
    ])?;
    let template = fs::read_to_string(static_dir.join("index.html"))
        .map_err(|e| format!("cannot read index.html: {e}"))?;
    fs::write(dist.join("index.html"), template.replace("{{hash}}", &hash))
        .map_err(|e| e.to_string())?;
    let mut report = Vec::new();
    for name in ["berth_bg.wasm", "berth.js", "style.css", "index.html"] {
        let (raw, gzipped) = gzip(&dist.join(name))?;
        report.push(format!(
            "{name} {} KB ({} KB gzipped)",
            raw / 1024,
            gzipped / 1024
        ));
    }
    fs::write(&stamp_file, &stamp)
        .map_err(|e| format!("cannot write {}: {e}", stamp_file.display()))?;
    println!("console built in {}: {}", dist.display(), report.join(", "));
    Ok(dist)
}

fn target_dir(root: &Path) -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return Ok(if dir.is_absolute() {
            dir
        } else {
            root.join(dir)
        });
    }
    let metadata = run::output(
        run::cargo()
            .current_dir(root)
            .args(["metadata", "--format-version", "1", "--no-deps"]),
        "cargo metadata",
    )?;
    let key = "\"target_directory\":\"";
    let start = metadata
        .find(key)
        .map(|i| i + key.len())
        .ok_or("cargo metadata has no target_directory")?;
    let end = metadata[start..]
        .find('"')
        .map(|i| start + i)
        .ok_or("cargo metadata is malformed")?;
    Ok(PathBuf::from(&metadata[start..end]))
}

/// FNV-1a over the files, as 12 hex characters.
fn content_hash(files: &[&Path]) -> Result<String, String> {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in files {
        for byte in fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))? {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    Ok(format!("{hash:016x}")[..12].to_owned())
}

/// Writes `<file>.gz` beside `file`; returns (raw, gzipped) sizes in bytes.
fn gzip(file: &Path) -> Result<(usize, usize), String> {
    let bytes = fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&bytes).map_err(|e| e.to_string())?;
    let compressed = encoder.finish().map_err(|e| e.to_string())?;
    let mut target = file.as_os_str().to_owned();
    target.push(".gz");
    fs::write(PathBuf::from(target), &compressed).map_err(|e| e.to_string())?;
    Ok((bytes.len(), compressed.len()))
}
