//! Embeds the built console into the `berth` binary when `BERTH_EMBED_CONSOLE` names its
//! directory (`cargo xtask dist` sets it): every file of it, the precompressed `.gz` copies
//! included, becomes a `(path, bytes)` entry of `console_files.rs` in `OUT_DIR`. Without it
//! (tests, `cargo xtask serve --debug`) the table is empty and the server serves a directory.

use std::{
    env, fs,
    path::{Path, PathBuf},
};

fn files_under(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        panic!("BERTH_EMBED_CONSOLE: cannot read {}", dir.display());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, found);
        } else if path.file_name().is_some_and(|n| n != ".inputs") {
            found.push(path);
        }
    }
}

fn main() {
    println!("cargo::rerun-if-env-changed=BERTH_EMBED_CONSOLE");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut table =
        String::from("/// The embedded console's files: (path under the root, bytes).\n");
    table.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    if let Some(dir) = env::var_os("BERTH_EMBED_CONSOLE").filter(|d| !d.is_empty()) {
        let dir = fs::canonicalize(PathBuf::from(dir)).expect("BERTH_EMBED_CONSOLE exists");
        assert!(
            dir.join("index.html").is_file(),
            "BERTH_EMBED_CONSOLE ({}) holds no index.html: build the console first",
            dir.display()
        );
        // `cargo xtask build` rewrites this stamp whenever the console changes.
        println!("cargo::rerun-if-changed={}", dir.join(".inputs").display());
        println!(
            "cargo::rerun-if-changed={}",
            dir.join("index.html").display()
        );
        let mut files = Vec::new();
        files_under(&dir, &mut files);
        files.sort();
        for file in files {
            let relative = file
                .strip_prefix(&dir)
                .expect("under the directory")
                .to_string_lossy()
                .replace('\\', "/");
            table.push_str(&format!(
                "    ({relative:?}, include_bytes!({:?})),\n",
                file.display().to_string()
            ));
        }
    }
    table.push_str("];\n");
    fs::write(out.join("console_files.rs"), table).expect("write console_files.rs");
}
