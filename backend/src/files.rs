//! Durable file writes shared by the sandbox state file and the auth file: a new content goes
//! to a temporary file beside the target, is flushed to disk, renamed over the target, and the
//! directory is flushed so the rename survives a crash. A crash mid-write leaves the previous
//! content intact; what is left is a `<file>.tmp-<pid>` that the owner of the file removes.
//!
//! Every call blocks on the file system.

use std::{
    ffi::OsString,
    fs::{self, File},
    io::{self, Write},
    path::{Path, PathBuf},
};

/// What a temporary file's name adds to its target's: `<file>.tmp-<pid>`.
pub const TEMPORARY_INFIX: &str = ".tmp-";

/// `path` with a suffix added to its file name: `<file><suffix>`.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The directory a path's file is in (`.` for a bare file name).
pub fn directory_of(path: &Path) -> &Path {
    path.parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Who may read a file [`write_durably`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    /// Whoever the process's umask lets.
    Default,
    /// Its owner only (mode 0600 on Unix): for files holding secrets or their hashes.
    OwnerOnly,
}

/// Replaces the content of `path` with `bytes`, atomically and durably (see the module).
pub fn write_durably(path: &Path, bytes: &[u8], readers: Readers) -> io::Result<()> {
    let temporary = sibling(path, &format!("{TEMPORARY_INFIX}{}", std::process::id()));
    let write = || -> io::Result<()> {
        let mut file = create(&temporary, readers)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    };
    write().inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })?;
    sync_directory(directory_of(path))
}

#[cfg(unix)]
fn create(path: &Path, readers: Readers) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mode = match readers {
        Readers::Default => 0o666,
        Readers::OwnerOnly => 0o600,
    };
    File::options()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)
}

#[cfg(not(unix))]
fn create(path: &Path, _readers: Readers) -> io::Result<File> {
    File::create(path)
}

/// Flushes a directory, so a rename in it is on disk (on Unix a rename is only durable once
/// its directory is).
#[cfg(unix)]
fn sync_directory(directory: &Path) -> io::Result<()> {
    File::open(directory)?.sync_all()
}

/// Elsewhere a directory cannot be opened as a file; the rename is as durable as the system
/// makes it.
#[cfg(not(unix))]
fn sync_directory(_directory: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_content_and_keeps_owner_only_files_private() {
        let directory = std::env::temp_dir().join(format!("berth-files-{}", std::process::id()));
        fs::create_dir_all(&directory).unwrap();
        let path = directory.join("secret.json");
        write_durably(&path, b"one", Readers::OwnerOnly).unwrap();
        write_durably(&path, b"two", Readers::OwnerOnly).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let names: Vec<_> = fs::read_dir(&directory)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["secret.json"]);
        fs::remove_dir_all(directory).unwrap();
    }
}
