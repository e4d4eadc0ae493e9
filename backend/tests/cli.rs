//! The `berth` binary's command line, run as a user runs it.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
};

fn berth() -> Command {
    Command::new(env!("CARGO_BIN_EXE_berth"))
}

/// `berth serve` over the sandbox saved at `state`, once it listens (it has opened the
/// sandbox by then).
fn serving(state: &Path) -> Child {
    let mut child = berth()
        .args(["serve", "--addr", "127.0.0.1:0", "--state"])
        .arg(state)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start berth");
    let stderr = BufReader::new(child.stderr.take().expect("berth's stderr"));
    let listening = stderr
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains(" at http://"));
    assert!(listening, "berth stopped before it listened");
    child
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
fn refuses_a_state_file_another_berth_holds_until_it_is_gone() {
    let dir = std::env::temp_dir().join(format!("berth-cli-held-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let state = dir.join("state.json");
    let mut first = serving(&state);

    let output = berth()
        .args(["serve", "--addr", "127.0.0.1:0", "--state"])
        .arg(&state)
        .output()
        .expect("run berth");

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&state.display().to_string()) && stderr.contains("another berth"),
        "{stderr}"
    );
    first.kill().expect("stop the first berth");
    first.wait().expect("the first berth exits");
    let mut after = serving(&state);
    after.kill().expect("stop berth");
    after.wait().expect("berth exits");
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
            stderr.contains("refusing to serve") && stderr.contains("--auth-file"),
            "{address}: {stderr}"
        );
    }
    assert!(
        !dir.join("state.json").exists(),
        "nothing is opened before the address is checked"
    );
}

#[test]
fn tokens_are_printed_once_stored_hashed_and_private_and_revoked_by_name() {
    let dir = std::env::temp_dir().join(format!("berth-cli-tokens-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let auth_file = dir.join("auth.json");
    let create = |name: &str| {
        berth()
            .args([
                "token",
                "create",
                "--role",
                "deployer",
                "--name",
                name,
                "--auth-file",
            ])
            .arg(&auth_file)
            .output()
            .expect("run berth")
    };
    let created = create("ana");
    assert!(created.status.success());
    let token = String::from_utf8(created.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("berth_"), "{token}");
    let stored = std::fs::read_to_string(&auth_file).unwrap();
    assert!(
        !stored.contains(&token) && stored.contains("\"deployer\""),
        "{stored}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&auth_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only its owner reads the auth file");
    }
    let again = create("ana");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("revoke it first"));
    let revoke = |name: &str| {
        berth()
            .args(["token", "revoke", "--name", name, "--auth-file"])
            .arg(&auth_file)
            .output()
            .expect("run berth")
    };
    assert!(revoke("ana").status.success());
    let missing = revoke("ana");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no token named"));
    std::fs::remove_dir_all(dir).unwrap();
}
