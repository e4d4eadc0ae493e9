//! Building the console: Rust → wasm32 → wasm-split → wasm-bindgen → `dist/`, with gzip copies.
//!
//! The wasm is split (as `cargo leptos --split` does) at the console's `#[wasm_split]`
//! functions (`frontend/src/lazy_pages.rs`): the main module holds the shell and the clusters
//! overview and is what a first visit downloads; the other pages are modules the console
//! fetches on first use. `dist/` holds `index.html` and one directory named after a content
//! hash of everything else: `berth.js` and `berth_bg.wasm` (wasm-bindgen's glue and the main
//! module), `__wasm_split.js` (the loader wasm-split writes), the split-off modules
//! (`split_*.wasm`, `chunk_*.wasm`) and `style.css`, each with a `.gz` sibling that `berth`
//! serves to browsers accepting gzip. So a new build is never mixed with a cached old one, and
//! a tab opened before a rebuild cannot load a module of the new build into its old main
//! module: the old names are gone, the fetch fails, and the page offers to reload.
//!
//! Two consoles are built from the same code: the one Berth ships (`dist/`, for `cargo xtask
//! serve` and `build`) and the one the tests drive (`dist-bench/`), which adds the `bench`
//! feature: the `?synthetic=` benchmark mode and its cluster generator, kept out of what ships.
//!
//! `dist/.inputs` records a hash of the inputs (the compiled wasm, `frontend/static/` and this
//! build step), so an unchanged console is not packaged again.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use flate2::{Compression, write::GzEncoder};

use crate::{run, tools};

/// Which console to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Console {
    /// What Berth ships, into `dist/`.
    Shipped,
    /// What the browser tests drive: the shipped console plus the `bench` feature, into
    /// `dist-bench/`.
    WithBench,
}

impl Console {
    fn dist_name(self) -> &'static str {
        match self {
            Self::Shipped => "dist",
            Self::WithBench => "dist-bench",
        }
    }

    fn features(self) -> &'static [&'static str] {
        match self {
            Self::Shipped => &[],
            Self::WithBench => &["--features", "bench"],
        }
    }
}

/// Builds `console` in release mode into `<root>/dist` (or `dist-bench`) and returns that
/// directory.
pub fn build(root: &Path, console: Console) -> Result<PathBuf, String> {
    tools::ensure_wasm_target()?;
    let wasm_bindgen = tools::ensure_wasm_bindgen(&tools::locked_version(root, "wasm-bindgen")?)?;
    let wasm_split = tools::ensure_wasm_split()?;
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
        ])
        .args(console.features())
        .args([
            // Leptos's `erase_components`: `view!` and components return type-erased
            // views, so rendering, state and drop code is not monomorphised for every
            // nested view type. Same pages, about 15% less wasm. `--emit-relocs` keeps the
            // linker's relocations, which wasm-split needs to move functions and data.
            "--config",
            r#"target.wasm32-unknown-unknown.rustflags = ["--cfg", "erase_components", "-Clink-args=--emit-relocs"]"#,
        ]),
    )?;
    let out_dir = target_dir(root)?
        .join("wasm32-unknown-unknown")
        .join("wasm-release");
    let wasm = out_dir.join("berth-frontend.wasm");
    let dist = root.join(console.dist_name());
    let static_dir = root.join("frontend").join("static");
    // The wasm, the static files, and this build step itself (its flags and tools shape the
    // output).
    let xtask_src = root.join("xtask").join("src");
    let mut inputs = vec![
        wasm.clone(),
        xtask_src.join("console.rs"),
        xtask_src.join("tools.rs"),
    ];
    inputs.extend(files_in(&static_dir)?);
    inputs.sort();
    let stamp = content_hash(&inputs.iter().map(PathBuf::as_path).collect::<Vec<_>>())?;
    let stamp_file = dist.join(".inputs");
    if dist.join("index.html").is_file()
        && fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp)
    {
        println!("console in {} is up to date", dist.display());
        return Ok(dist);
    }

    let mut assets = split_and_bind(
        &wasm,
        &out_dir.join("berth-console"),
        &wasm_split,
        &wasm_bindgen,
    )?;
    for path in files_in(&static_dir)? {
        let name = file_name(&path);
        if name != "index.html" {
            assets.push(Asset {
                bytes: read(&path)?,
                name,
                initial: true,
            });
        }
    }
    let template = fs::read_to_string(static_dir.join("index.html"))
        .map_err(|e| format!("cannot read index.html: {e}"))?;
    write_dist(&dist, &template, &assets)?;
    fs::write(&stamp_file, &stamp)
        .map_err(|e| format!("cannot write {}: {e}", stamp_file.display()))?;
    Ok(dist)
}

/// One file of the `dist/<hash>/` directory.
#[derive(Debug)]
struct Asset {
    name: String,
    bytes: Vec<u8>,
    /// Whether the first visit downloads it (else the console fetches it on first use).
    initial: bool,
}

/// Splits `wasm` with wasm-split and runs wasm-bindgen on the main module, in `work`; returns
/// the main module and its glue, the loader, and the split-off modules.
fn split_and_bind(
    wasm: &Path,
    work: &Path,
    wasm_split: &Path,
    wasm_bindgen: &Path,
) -> Result<Vec<Asset>, String> {
    let (split_dir, bindgen_dir) = (work.join("split"), work.join("bindgen"));
    if work.exists() {
        fs::remove_dir_all(work).map_err(|e| format!("cannot clear {}: {e}", work.display()))?;
    }
    run::status(
        std::process::Command::new(wasm_split)
            .args(["--out-name", "berth"])
            .arg(wasm)
            .arg(&split_dir),
        "wasm-split-cli",
    )?;
    run::status(
        std::process::Command::new(wasm_bindgen)
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--remove-name-section",
                "--remove-producers-section",
                // The split-off modules import the main module's table, memory and
                // functions through these exports.
                "--keep-lld-exports",
                "--out-name",
                "berth",
                "--out-dir",
            ])
            .arg(&bindgen_dir)
            .arg(split_dir.join("berth.wasm")),
        "wasm-bindgen",
    )?;
    let mut assets = Vec::new();
    for (dir, name) in [
        (&bindgen_dir, "berth_bg.wasm"),
        (&bindgen_dir, "berth.js"),
        (&split_dir, "__wasm_split.js"),
    ] {
        assets.push(Asset {
            name: name.to_owned(),
            bytes: read(&dir.join(name))?,
            initial: true,
        });
    }
    let mut split_off = Vec::new();
    for path in files_in(&split_dir)? {
        let name = file_name(&path);
        if name.ends_with(".wasm") && name != "berth.wasm" {
            // wasm-bindgen drops the main module's names; these do not go through it.
            split_off.push(Asset {
                bytes: strip_custom_sections(&read(&path)?)?,
                name,
                initial: false,
            });
        }
    }
    if split_off.is_empty() {
        return Err("wasm-split produced no lazily loaded module".to_owned());
    }
    split_off.sort_by(|a, b| a.name.cmp(&b.name));
    assets.extend(split_off);
    Ok(assets)
}

/// Replaces `dist` with `index.html` (from `template`, `{{assets}}` standing for the assets'
/// directory) and the assets, all with gzipped copies, and prints their sizes.
fn write_dist(dist: &Path, template: &str, assets: &[Asset]) -> Result<(), String> {
    if !template.contains("{{assets}}") {
        return Err("frontend/static/index.html does not refer to {{assets}}".to_owned());
    }
    let mut hash = Fnv::default();
    for asset in assets {
        hash.update(asset.name.as_bytes());
        hash.update(&asset.bytes);
    }
    let assets_name = hash.hex();
    let assets_dir = dist.join(&assets_name);
    if dist.exists() {
        fs::remove_dir_all(dist).map_err(|e| format!("cannot clear {}: {e}", dist.display()))?;
    }
    fs::create_dir_all(&assets_dir)
        .map_err(|e| format!("cannot create {}: {e}", assets_dir.display()))?;
    let index = template.replace("{{assets}}", &format!("/{assets_name}"));
    let mut report = vec![format!(
        "  {:<40} {}",
        "index.html",
        sizes(write_gzipped(&dist.join("index.html"), index.as_bytes())?)
    )];
    let (mut initial_wasm, mut on_use) = ((0, 0), (0, 0));
    for asset in assets {
        let written = write_gzipped(&assets_dir.join(&asset.name), &asset.bytes)?;
        report.push(format!(
            "  {:<40} {}{}",
            format!("{assets_name}/{}", asset.name),
            sizes(written),
            if asset.initial { "" } else { "  loaded on use" }
        ));
        if asset.name == "berth_bg.wasm" {
            initial_wasm = written;
        } else if !asset.initial {
            on_use = (on_use.0 + written.0, on_use.1 + written.1);
        }
    }
    println!(
        "console built in {}:\n{}\n  initial wasm {} KB ({} KB gzipped); modules loaded on use {} KB ({} KB gzipped)",
        dist.display(),
        report.join("\n"),
        initial_wasm.0 / 1024,
        initial_wasm.1 / 1024,
        on_use.0 / 1024,
        on_use.1 / 1024
    );
    Ok(())
}

/// The cargo target directory (`CARGO_TARGET_DIR`, else `<root>/target`).
pub fn target_dir(root: &Path) -> Result<PathBuf, String> {
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

/// The files (not directories) directly in `dir`.
fn files_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_file() {
            files.push(path);
        }
    }
    Ok(files)
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// FNV-1a, 64 bits.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn update(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The hash as 12 hex characters.
    fn hex(&self) -> String {
        format!("{:016x}", self.0)[..12].to_owned()
    }
}

/// FNV-1a over the files' contents, as 12 hex characters.
fn content_hash(files: &[&Path]) -> Result<String, String> {
    let mut hash = Fnv::default();
    for file in files {
        hash.update(&read(file)?);
    }
    Ok(hash.hex())
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}

/// Writes `bytes` to `file` and a gzipped copy to `<file>.gz`; returns (raw, gzipped) sizes
/// in bytes.
fn write_gzipped(file: &Path, bytes: &[u8]) -> Result<(usize, usize), String> {
    let compressed = gzip(bytes)?;
    fs::write(file, bytes).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    let mut target = file.as_os_str().to_owned();
    target.push(".gz");
    fs::write(PathBuf::from(target), &compressed).map_err(|e| e.to_string())?;
    Ok((bytes.len(), compressed.len()))
}

fn sizes((raw, gzipped): (usize, usize)) -> String {
    format!("{raw:>9} B ({gzipped:>7} B gzipped)")
}

/// `module` without its custom sections (names, producers, target features), which the
/// browser does not need.
fn strip_custom_sections(module: &[u8]) -> Result<Vec<u8>, String> {
    const HEADER: usize = 8; // b"\0asm" and the version
    if module.len() < HEADER || !module.starts_with(b"\0asm") {
        return Err("not a wasm module".to_owned());
    }
    let mut stripped = module[..HEADER].to_vec();
    let mut at = HEADER;
    while at < module.len() {
        let id = module[at];
        let (size, body) = read_leb128_u32(module, at + 1)?;
        let end = body
            .checked_add(size)
            .filter(|&end| end <= module.len())
            .ok_or("a wasm section runs past the end of the module")?;
        if id != 0 {
            stripped.extend_from_slice(&module[at..end]);
        }
        at = end;
    }
    Ok(stripped)
}

/// Reads an unsigned LEB128 number of at most 32 bits at `at`; returns it and the offset
/// after it.
fn read_leb128_u32(bytes: &[u8], mut at: usize) -> Result<(usize, usize), String> {
    let mut value = 0usize;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(at).ok_or("a wasm section size is cut off")?;
        at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok((value, at));
        }
    }
    Err("a wasm section size is longer than 5 bytes".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_custom_sections_and_keeps_the_others() {
        let header = b"\0asm\x01\0\0\0";
        // A type section with one `() -> ()` function type.
        let types = [1u8, 4, 1, 0x60, 0, 0];
        // A custom section "name" with a 130-byte body, so its size takes two LEB128 bytes.
        let mut custom = vec![0u8, 0x87, 0x01, 4];
        custom.extend_from_slice(b"name");
        custom.extend(std::iter::repeat_n(0xaa, 130));
        let mut module = header.to_vec();
        module.extend_from_slice(&custom);
        module.extend_from_slice(&types);
        module.extend_from_slice(&custom);

        let mut expected = header.to_vec();
        expected.extend_from_slice(&types);
        assert_eq!(strip_custom_sections(&module), Ok(expected));
    }

    #[test]
    fn rejects_what_is_not_a_whole_wasm_module() {
        assert!(strip_custom_sections(b"<!doctype html>").is_err());
        assert!(strip_custom_sections(b"\0asm\x01\0\0\0\x01\x09\x01").is_err());
        assert!(strip_custom_sections(b"\0asm\x01\0\0\0\x01\x80").is_err());
    }
}
