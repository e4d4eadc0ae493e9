//! Saving and loading the sandbox state file.
//!
//! Writes are atomic: the new state goes to a temporary file beside the target, is flushed to
//! disk, and then renamed over the old file, so a crash mid-write leaves the previous state
//! intact. A state file that exists but cannot be read is never overwritten: Berth stops with
//! a message naming the file, so nothing a user did is lost.
//!
//! Both calls block on the file system; the sandbox makes them off the async workers
//! ([`crate::blocking`]).

use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
};

use super::state::SandboxState;

/// Why the state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading or writing failed.
    #[error("cannot {action} sandbox state file {path}: {source}")]
    Io {
        /// What was attempted.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file is not a sandbox state Berth understands.
    #[error(
        "sandbox state file {path} is not valid ({message}); move it aside to start a fresh sandbox, or pass --state PATH"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
}

/// Loads the state, or `None` when the file does not exist yet.
pub fn load(path: &Path) -> Result<Option<SandboxState>, StoreError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StoreError::Io {
                action: "read",
                path: path.to_owned(),
                source,
            });
        }
    };
    let state: SandboxState = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    if state.format_version != SandboxState::FORMAT_VERSION {
        return Err(StoreError::Corrupt {
            path: path.to_owned(),
            message: format!(
                "format version {} is not the supported version {}",
                state.format_version,
                SandboxState::FORMAT_VERSION
            ),
        });
    }
    Ok(Some(state))
}

/// Saves the state atomically (temporary file, fsync, rename).
pub fn save(path: &Path, state: &SandboxState) -> Result<(), StoreError> {
    let io_error = |action, source| StoreError::Io {
        action,
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| io_error("create the directory of", e))?;
    }
    let json = serde_json::to_vec_pretty(state).map_err(|e| io_error("encode", e.into()))?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".tmp-{}", std::process::id()));
    let temporary = PathBuf::from(temporary);
    let write = || -> io::Result<()> {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(&json)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&temporary);
        io_error("write", e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::seed;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("berth-store-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir.join("nested").join("state.json")
    }

    #[test]
    fn round_trips_and_leaves_no_temporary_files() {
        let path = scratch("round-trip");
        assert!(load(&path).unwrap().is_none());
        let state = seed::demo_fleet(berth_shared::time::Timestamp::from_secs(1_700_000_000));
        save(&path, &state).unwrap();
        assert_eq!(load(&path).unwrap().as_ref(), Some(&state));
        let files: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(files.len(), 1);
    }

    #[test]
    fn refuses_to_use_a_corrupt_file_and_keeps_it() {
        let path = scratch("corrupt");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "{ not json").unwrap();
        let error = load(&path).unwrap_err();
        assert!(error.to_string().contains("move it aside"), "{error}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "{ not json");
    }
}
