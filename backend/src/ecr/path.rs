//! Repository names in request paths.
//!
//! ECR repository names contain `/` (`demo/api`), so `/api/repositories/…` takes the rest of
//! the path and reads it here, from the raw (still percent-encoded) path:
//!
//! - `demo/api` and `demo%2Fapi` both name the repository `demo/api`;
//! - a last segment `images` written as such asks for the images only: `demo/api/images` and
//!   `demo%2Fapi/images` are the images of `demo/api`. A repository whose own name ends in
//!   `/images` is reached by encoding that slash (`team%2Fimages`).

use std::fmt;

/// What a path under `/api/repositories/` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepositoryPath {
    /// The repository page: `/api/repositories/{name}`.
    Detail(String),
    /// Its images only: `/api/repositories/{name}/images`.
    Images(String),
}

/// Why a path does not name a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRepositoryPath(String);

impl fmt::Display for BadRepositoryPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads the part of a raw request path after `/repositories/`.
pub fn parse(raw: &str) -> Result<RepositoryPath, BadRepositoryPath> {
    let raw = raw.trim_matches('/');
    let (name, images) = match raw.rsplit_once('/') {
        Some((name, "images")) if !name.is_empty() => (name, true),
        _ => (raw, false),
    };
    let name = percent_decode(name)?;
    if name.is_empty() || name.split('/').any(str::is_empty) {
        return Err(BadRepositoryPath(format!(
            "{name:?} is not a repository name: names are path segments separated by single slashes"
        )));
    }
    Ok(if images {
        RepositoryPath::Images(name)
    } else {
        RepositoryPath::Detail(name)
    })
}

fn percent_decode(text: &str) -> Result<String, BadRepositoryPath> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut position = 0;
    while position < bytes.len() {
        if bytes[position] == b'%' {
            let byte = text
                .get(position + 1..position + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| {
                    BadRepositoryPath(format!("{text:?} has a malformed percent-escape"))
                })?;
            decoded.push(byte);
            position += 3;
        } else {
            decoded.push(bytes[position]);
            position += 1;
        }
    }
    String::from_utf8(decoded)
        .map_err(|_| BadRepositoryPath(format!("{text:?} does not decode to UTF-8 text")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_with_slashes_encoded_or_not() {
        let cases = [
            ("demo/api", RepositoryPath::Detail("demo/api".into())),
            ("demo%2Fapi", RepositoryPath::Detail("demo/api".into())),
            ("demo%2fapi/", RepositoryPath::Detail("demo/api".into())),
            ("demo/api/images", RepositoryPath::Images("demo/api".into())),
            (
                "demo%2Fapi/images",
                RepositoryPath::Images("demo/api".into()),
            ),
            ("nginx", RepositoryPath::Detail("nginx".into())),
            ("nginx/images", RepositoryPath::Images("nginx".into())),
            ("images", RepositoryPath::Detail("images".into())),
            (
                "team%2Fimages",
                RepositoryPath::Detail("team/images".into()),
            ),
            ("a/b/c.d_e-f", RepositoryPath::Detail("a/b/c.d_e-f".into())),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse(raw), Ok(expected), "{raw}");
        }
    }

    #[test]
    fn rejects_what_cannot_be_a_name() {
        for raw in ["", "/", "demo//api", "demo%2", "demo%zzapi", "%FF%FE"] {
            let error = parse(raw).unwrap_err();
            assert!(!error.to_string().is_empty(), "{raw}");
        }
    }
}
