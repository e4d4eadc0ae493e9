//! The `berth` binary's command line, run as a user runs it.

use std::process::Command;

fn berth() -> Command {
    Command::new(env!("CARGO_BIN_EXE_berth"))
}

#[test]
fn prints_its_version() {
    let output = berth().arg("--version").output().expect("run berth");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn refuses_a_corrupt_state_file_without_touching_it() {
    let dir = std::env::temp_dir().join(format!("berth-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.json");
    std::fs::write(&state, "not json").unwrap();
    let output = berth()
        .args(["serve", "--addr", "127.0.0.1:0", "--state"])
        .arg(&state)
        .output()
        .expect("run berth");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is not valid") && stderr.contains("state.json"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&state).unwrap(), "not json");
}

#[test]
fn rejects_aws_flags_without_aws() {
    let output = berth()
        .args(["--region", "eu-west-1"])
        .output()
        .expect("run berth");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--aws"));
}

#[test]
fn a_public_address_is_refused_at_start() {
    let dir = std::env::temp_dir().join(format!("berth-cli-public-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for address in ["0.0.0.0:0", "[::]:0"] {
        let output = berth()
            .args(["serve", "--addr", address, "--state"])
            .arg(dir.join("state.json"))
            .output()
            .expect("run berth");
        assert!(!output.status.success(), "{address}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("refusing to serve") && stderr.contains("--allowed-hosts"),
            "{address}: {stderr}"
        );
    }
    assert!(
        !dir.join("state.json").exists(),
        "nothing is opened before the address is checked"
    );
}
