//! Saving and loading the sandbox state file.
//!
//! One `berth` at a time uses a state file: [`StateFile::open`] takes an advisory lock on
//! `<file>.lock` beside it and holds it for as long as the [`StateFile`] lives, so a second
//! `berth` on the same file is refused with a message naming it rather than overwriting the
//! first one's changes. While it holds the lock, opening removes the temporary files a crashed
//! save left beside the state file.
//!
//! Writes are atomic and durable ([`crate::files::write_durably`]): a crash mid-write leaves
//! the previous state intact. A state file that
//! exists but cannot be read is never overwritten: Berth stops with a message naming the file,
//! so nothing a user did is lost.
//!
//! Every call blocks on the file system; the sandbox makes them off the async workers
//! ([`crate::blocking`]).

use std::{
    fs::{self, File, TryLockError},
    io,
    path::{Path, PathBuf},
};

use super::state::SandboxState;
use crate::files::{Readers, TEMPORARY_INFIX, directory_of, sibling, write_durably};

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
    /// Another `berth` holds the state file.
    #[error(
        "sandbox state file {path} is in use by another berth (it holds the lock {lock}); stop that berth, or pass --state PATH to use another file"
    )]
    InUse {
        /// The state file.
        path: PathBuf,
        /// The lock file beside it.
        lock: PathBuf,
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

/// The sandbox state file, held by this process for as long as the value lives.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    /// The open lock file: its advisory lock is released when it is closed, on drop.
    _lock: File,
}

impl StateFile {
    /// Takes the state file at `path` for this process: creates its directory, locks
    /// `<file>.lock` beside it (refused with [`StoreError::InUse`] while another `berth`
    /// holds it) and removes temporary files earlier saves left behind.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let io_error = |action, source| StoreError::Io {
            action,
            path: path.to_owned(),
            source,
        };
        let directory = directory_of(path);
        fs::create_dir_all(directory).map_err(|e| io_error("create the directory of", e))?;
        let lock_path = sibling(path, ".lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io_error("create the lock file of", e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::InUse {
                    path: path.to_owned(),
                    lock: lock_path,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io_error("lock", e)),
        }
        remove_temporaries(path).map_err(|e| io_error("clean the temporary files of", e))?;
        Ok(Self {
            path: path.to_owned(),
            _lock: lock,
        })
    }

    /// The state file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the state, or `None` when the file does not exist yet.
    pub fn load(&self) -> Result<Option<SandboxState>, StoreError> {
        load(&self.path)
    }

    /// Saves the state atomically and durably (temporary file, fsync, rename, fsync of the
    /// directory).
    pub fn save(&self, state: &SandboxState) -> Result<(), StoreError> {
        let path = &self.path;
        let io_error = |action, source| StoreError::Io {
            action,
            path: path.to_owned(),
            source,
        };
        let saved = serde_json::to_vec_pretty(state)
            .map_err(|e| io_error("encode", e.into()))
            .and_then(|json| {
                write_durably(path, &json, Readers::Default).map_err(|e| io_error("write", e))
            });
        crate::metrics::METRICS.sandbox_save(saved.is_ok());
        saved
    }
}

/// Removes the `<file>.tmp-*` files beside the state file: a save that crashed before its
/// rename left them. Only called with the lock held, so no save of another `berth` is under
/// way.
fn remove_temporaries(path: &Path) -> io::Result<()> {
    let Some(name) = path.file_name() else {
        return Ok(());
    };
    let mut prefix = name.to_owned();
    prefix.push(TEMPORARY_INFIX);
    let prefix = prefix.as_encoded_bytes();
    for entry in fs::read_dir(directory_of(path))? {
        let entry = entry?;
        if entry.file_name().as_encoded_bytes().starts_with(prefix) {
            tracing::info!(file = %entry.path().display(), "removing a temporary file a crashed save left");
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
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

    /// The names of the files in the state file's directory, sorted.
    fn files_beside(path: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn round_trips_and_leaves_no_temporary_files() {
        let path = scratch("round-trip");
        let file = StateFile::open(&path).unwrap();
        assert!(file.load().unwrap().is_none());
        let state = seed::demo_fleet(berth_shared::time::Timestamp::from_secs(1_700_000_000));
        file.save(&state).unwrap();
        assert_eq!(file.load().unwrap().as_ref(), Some(&state));
        assert_eq!(files_beside(&path), ["state.json", "state.json.lock"]);
    }

    #[test]
    fn refuses_to_use_a_corrupt_file_and_keeps_it() {
        let path = scratch("corrupt");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "{ not json").unwrap();
        let error = StateFile::open(&path).unwrap().load().unwrap_err();
        assert!(error.to_string().contains("move it aside"), "{error}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "{ not json");
    }

    #[test]
    fn one_holder_at_a_time_and_the_file_is_free_once_it_is_dropped() {
        let path = scratch("held");
        let first = StateFile::open(&path).unwrap();

        let error = StateFile::open(&path).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, StoreError::InUse { .. }), "{error:?}");
        for names in [path.display().to_string(), "another berth".to_owned()] {
            assert!(message.contains(&names), "{names} in {message}");
        }

        drop(first);
        StateFile::open(&path).expect("free once the first holder is gone");
    }

    #[test]
    fn opening_removes_the_temporary_files_of_crashed_saves_only() {
        let path = scratch("temporaries");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let files = [
            ("state.json.tmp-1", false),
            ("state.json.tmp-4194304", false),
            ("state.json", true),
            ("other.json.tmp-1", true),
            ("state.json.bak", true),
        ];
        for (name, _) in files {
            fs::write(path.with_file_name(name), "{}").unwrap();
        }

        let _file = StateFile::open(&path).unwrap();

        let mut kept: Vec<&str> = files
            .iter()
            .filter(|(_, kept)| *kept)
            .map(|(name, _)| *name)
            .chain(["state.json.lock"])
            .collect();
        kept.sort_unstable();
        assert_eq!(files_beside(&path), kept);
    }

    #[test]
    fn a_bare_file_name_is_in_the_current_directory() {
        let cases = [
            ("state.json", "."),
            ("dir/state.json", "dir"),
            ("/var/lib/berth/state.json", "/var/lib/berth"),
        ];
        for (path, directory) in cases {
            assert_eq!(
                directory_of(Path::new(path)),
                Path::new(directory),
                "{path}"
            );
        }
    }
}
