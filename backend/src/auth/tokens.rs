//! The auth file: the API tokens a server accepts, stored as SHA-256 hashes, and the key that
//! signs its session cookies.
//!
//! `berth token create --role deployer --name ana --auth-file auth.json` adds a token and
//! prints it once; only its hash is written. Tokens are 32 random bytes, so a plain SHA-256
//! is as good as a slow password hash: nobody can guess one from its hash. The file is written
//! durably and readable by its owner only ([`crate::files`]). Replicas that share the file
//! share the session key, so any of them accepts a session another one started.

use std::{
    fmt::Write as _,
    io,
    path::{Path, PathBuf},
};

use aws_lc_rs::{
    digest::{SHA256, digest},
    rand::{SecureRandom, SystemRandom},
};
use berth_shared::{access::Role, time::Timestamp};
use serde::{Deserialize, Serialize};

use crate::files::{Readers, write_durably};

/// Every token starts with this, so a leaked one is recognisable (and secret scanners can
/// match it).
pub const TOKEN_PREFIX: &str = "berth_";

/// The longest token name.
pub const MAX_NAME_LENGTH: usize = 64;

/// The auth file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthFile {
    /// The key signing session cookies, 32 random bytes in hex.
    pub session_key: String,
    /// The tokens accepted.
    #[serde(default)]
    pub tokens: Vec<TokenEntry>,
}

/// One token: who it stands for, their role, and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenEntry {
    /// Who it stands for (audit records, `startedBy`, stop reasons).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// SHA-256 of the token, in hex.
    pub sha256: String,
    /// When it was created.
    pub created: Timestamp,
}

/// Why the auth file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AuthFileError {
    /// Reading or writing failed.
    #[error("cannot {action} the auth file {path}: {source}")]
    Io {
        /// What was attempted.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file is not an auth file.
    #[error("the auth file {path} is not valid ({message}); fix it or create tokens in a new file")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// A command's input was refused.
    #[error("{0}")]
    Refused(String),
}

impl AuthFile {
    /// A new auth file with a fresh session key and no tokens.
    pub fn new() -> Result<Self, AuthFileError> {
        Ok(Self {
            session_key: hex(&random_bytes::<32>()?),
            tokens: Vec::new(),
        })
    }

    /// Reads the file at `path`; `None` when it does not exist.
    pub fn load(path: &Path) -> Result<Option<Self>, AuthFileError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(AuthFileError::Io {
                    action: "read",
                    path: path.to_owned(),
                    source,
                });
            }
        };
        Self::parse(&text, path).map(Some)
    }

    /// Reads an auth file's content, `origin` naming where it came from in errors (a path, or
    /// the environment variable that carried it).
    pub fn parse(text: &str, origin: &Path) -> Result<Self, AuthFileError> {
        let file: Self = serde_json::from_str(text).map_err(|e| AuthFileError::Invalid {
            path: origin.to_owned(),
            message: e.to_string(),
        })?;
        file.session_key_bytes()
            .map_err(|message| AuthFileError::Invalid {
                path: origin.to_owned(),
                message,
            })?;
        Ok(file)
    }

    /// Reads the file at `path`, or starts a new one when it does not exist.
    pub fn load_or_new(path: &Path) -> Result<Self, AuthFileError> {
        match Self::load(path)? {
            Some(file) => Ok(file),
            None => Self::new(),
        }
    }

    /// Writes the file durably, readable by its owner only.
    pub fn save(&self, path: &Path) -> Result<(), AuthFileError> {
        let io_error = |action, source| AuthFileError::Io {
            action,
            path: path.to_owned(),
            source,
        };
        if let Some(directory) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(directory)
                .map_err(|e| io_error("create the directory of", e))?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(|e| io_error("encode", e.into()))?;
        write_durably(path, &json, Readers::OwnerOnly).map_err(|e| io_error("write", e))
    }

    /// The session key's bytes.
    pub fn session_key_bytes(&self) -> Result<Vec<u8>, String> {
        let bytes = from_hex(&self.session_key)
            .ok_or_else(|| "sessionKey must be hexadecimal".to_owned())?;
        if bytes.len() < 32 {
            return Err("sessionKey must be at least 32 bytes (64 hex digits)".to_owned());
        }
        Ok(bytes)
    }

    /// Adds a token for `name` with `role` and returns it: the only time it is ever shown.
    pub fn create_token(
        &mut self,
        name: &str,
        role: Role,
        now: Timestamp,
    ) -> Result<String, AuthFileError> {
        check_name(name).map_err(AuthFileError::Refused)?;
        if self.tokens.iter().any(|t| t.name == name) {
            return Err(AuthFileError::Refused(format!(
                "a token named {name:?} exists; revoke it first (berth token revoke --name {name}) \
                 or choose another name"
            )));
        }
        let token = format!("{TOKEN_PREFIX}{}", hex(&random_bytes::<32>()?));
        self.tokens.push(TokenEntry {
            name: name.to_owned(),
            role,
            sha256: token_hash(&token),
            created: now,
        });
        Ok(token)
    }

    /// Removes the token named `name`; whether there was one. Sessions started with it end too.
    pub fn revoke(&mut self, name: &str) -> bool {
        let before = self.tokens.len();
        self.tokens.retain(|t| t.name != name);
        self.tokens.len() != before
    }

    /// The entry of a token, if it is one of this file's.
    pub fn find(&self, token: &str) -> Option<&TokenEntry> {
        let hash = token_hash(token.trim());
        self.tokens.iter().find(|t| t.sha256 == hash)
    }

    /// The entry whose hash is `hash`.
    pub fn find_hash(&self, hash: &str) -> Option<&TokenEntry> {
        self.tokens.iter().find(|t| t.sha256 == hash)
    }
}

/// A token name: 1 to 64 letters, digits, `.`, `_`, `-` or `@` (an e-mail address fits).
pub fn check_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    if name.is_empty() || name.len() > MAX_NAME_LENGTH || !name.chars().all(allowed) {
        return Err(format!(
            "{name:?} is not a token name: use 1 to {MAX_NAME_LENGTH} letters, digits, '.', '_', \
             '-' or '@'"
        ));
    }
    Ok(())
}

/// SHA-256 of a token, in hex.
pub fn token_hash(token: &str) -> String {
    hex(digest(&SHA256, token.as_bytes()).as_ref())
}

/// `N` bytes from the system's secure random source.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], AuthFileError> {
    let mut bytes = [0; N];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| AuthFileError::Refused("the system's random source failed".to_owned()))?;
    Ok(bytes)
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut text, byte| {
            let _ = write!(text, "{byte:02x}");
            text
        })
}

/// The bytes of a hex string, `None` when it is not one.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let directory =
            std::env::temp_dir().join(format!("berth-auth-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&directory);
        directory.join("auth.json")
    }

    #[test]
    fn a_created_token_is_found_by_itself_only_and_stored_hashed() {
        let path = scratch("create");
        let mut file = AuthFile::load_or_new(&path).unwrap();
        let token = file
            .create_token("ana", Role::Deployer, Timestamp(1))
            .unwrap();
        assert!(token.starts_with(TOKEN_PREFIX) && token.len() == TOKEN_PREFIX.len() + 64);
        file.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&token), "the token itself is never written");
        let loaded = AuthFile::load(&path).unwrap().unwrap();
        assert_eq!(
            loaded.find(&token).map(|t| (t.name.as_str(), t.role)),
            Some(("ana", Role::Deployer))
        );
        assert!(loaded.find(&format!("{token}x")).is_none());
        assert!(loaded.find("").is_none());
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn names_are_unique_and_revoking_removes_the_token() {
        let mut file = AuthFile::new().unwrap();
        let token = file
            .create_token("ci-bot", Role::Viewer, Timestamp(1))
            .unwrap();
        assert!(matches!(
            file.create_token("ci-bot", Role::Admin, Timestamp(2)),
            Err(AuthFileError::Refused(_))
        ));
        for bad in ["", "a b", "x/y", &"n".repeat(65)] {
            assert!(
                file.create_token(bad, Role::Viewer, Timestamp(3)).is_err(),
                "{bad:?}"
            );
        }
        assert!(file.revoke("ci-bot"));
        assert!(!file.revoke("ci-bot"));
        assert!(file.find(&token).is_none());
    }

    #[test]
    fn an_invalid_file_is_refused_naming_it() {
        let path = scratch("invalid");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, r#"{"sessionKey": "abc", "tokens": []}"#).unwrap();
        let error = AuthFile::load(&path).unwrap_err().to_string();
        assert!(
            error.contains("auth.json") && error.contains("sessionKey"),
            "{error}"
        );
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(from_hex("000fff"), Some(vec![0, 15, 255]));
        assert_eq!(from_hex("0g"), None);
        assert_eq!(from_hex("abc"), None);
    }
}
