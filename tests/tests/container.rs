//! The image's binary with nothing beside it: the static release `berth` (`cargo xtask dist
//! --static`, which `cargo xtask test` builds and names in `BERTH_STATIC_BINARY`) started in a
//! root directory that holds only itself and an empty `/tmp`, as in a `FROM scratch` image —
//! no shell, no shared library, no console files, no environment. It serves the API and the
//! console it carries, answers its own health probe, and stops cleanly on SIGTERM.
//!
//! The root is entered with `unshare --user --map-root-user --root`, a user namespace, so the
//! test needs no privilege; the network is the host's, so the server is reached on loopback.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use berth_tests::{berth::served_url, scratch_dir, target_dir};

fn static_binary() -> PathBuf {
    let path = std::env::var_os("BERTH_STATIC_BINARY").map_or_else(
        || target_dir().join("x86_64-unknown-linux-musl/release/berth"),
        PathBuf::from,
    );
    assert!(
        path.is_file(),
        "no static berth at {}: run `cargo xtask dist --static` (or `cargo xtask test`)",
        path.display()
    );
    path
}

/// Whether an ELF file asks for a program interpreter (a dynamic loader): a `PT_INTERP`
/// program header.
fn needs_a_loader(elf: &[u8]) -> bool {
    assert_eq!(&elf[..4], b"\x7fELF", "an ELF file");
    assert_eq!(elf[4], 2, "64-bit");
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([elf[at], elf[at + 1]]));
    let phoff = usize::try_from(u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap())).unwrap();
    let (size, count) = (u16_at(0x36), u16_at(0x38));
    (0..count).any(|i| {
        let at = phoff + i * size;
        u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) == 3
    })
}

/// `/berth ARGS…` inside `root`, with an empty environment.
fn in_root(root: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new("unshare");
    command
        .args(["--user", "--map-root-user"])
        .arg(format!("--root={}", root.display()))
        .arg("/berth")
        .args(args)
        .env_clear();
    command
}

#[tokio::test]
async fn the_static_binary_serves_everything_from_an_empty_root() {
    let binary = static_binary();
    assert!(
        !needs_a_loader(&std::fs::read(&binary).unwrap()),
        "{} is linked dynamically",
        binary.display()
    );
    let root = scratch_dir("empty-root");
    std::fs::create_dir_all(root.join("tmp")).unwrap();
    std::fs::copy(&binary, root.join("berth")).unwrap();
    let entries: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries.len(), 2, "only /berth and /tmp: {entries:?}");

    let mut server = in_root(
        &root,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--state",
            "/tmp/sandbox.json",
            "--log-format",
            "json",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("unshare starts");
    let stderr = server.stderr.take().unwrap();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("[berth in an empty root] {line}");
            if let Some(url) = served_url(&line) {
                let _ = sender.send(url);
            }
        }
    });
    let url = receiver
        .recv_timeout(Duration::from_secs(30))
        .expect("berth said where it serves within 30 s");

    let health: serde_json::Value = reqwest::get(format!("{url}/api/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok", "{health}");
    let clusters = reqwest::get(format!("{url}/api/clusters")).await.unwrap();
    assert_eq!(clusters.status(), 200, "the sandbox opens in /tmp");

    // The console it carries: the page, and the script the page loads.
    let page = reqwest::get(format!("{url}/clusters/demo-ec2"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.starts_with("<!doctype html>"), "{page}");
    let script = page
        .split("src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page loads a script");
    let loaded = reqwest::get(format!("{url}{script}")).await.unwrap();
    assert_eq!(loaded.status(), 200, "{script}");

    // Its own health probe, as the image's health check runs it.
    let probe = in_root(&root, &["probe", &format!("{url}/api/health")])
        .status()
        .unwrap();
    assert!(probe.success(), "berth probe: {probe}");
    let refused = in_root(&root, &["probe", "http://127.0.0.1:1/api/health"])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!refused.success(), "a probe of nothing fails");

    // SIGTERM (what ECS sends) stops it cleanly.
    let sent = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}

/// The Dockerfile builds what the test above runs, the way the test runs it: the static
/// binary on an empty base, as a user without privileges, checked with `berth probe`.
#[test]
fn the_dockerfile_ships_the_static_binary_on_an_empty_base() {
    let dockerfile = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/Dockerfile"),
    )
    .unwrap();
    let instructions: Vec<&str> = dockerfile
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    let last_from = instructions
        .iter()
        .rposition(|l| l.starts_with("FROM "))
        .unwrap();
    let image = &instructions[last_from..];
    assert_eq!(
        image[0], "FROM scratch",
        "the image has nothing but what it copies"
    );
    assert!(dockerfile.contains("RUN cargo xtask dist --static"));
    let user = image.iter().find_map(|l| l.strip_prefix("USER ")).unwrap();
    assert!(
        user.split(':')
            .all(|id| id.parse::<u32>().is_ok_and(|id| id != 0)),
        "a numeric user that is not root: {user}"
    );
    assert!(dockerfile.contains(r#"CMD ["/berth", "probe", "http://127.0.0.1:8080/api/health"]"#));
    assert!(image.contains(&r#"ENTRYPOINT ["/berth"]"#));
}
