//! Image references and the repositories they name: the one reading of
//! `REPOSITORY_URI[:TAG][@DIGEST]` used wherever Berth asks which image a container runs —
//! where images run (the server), whether the sandbox can pull one, and the console's tag
//! picker.
//!
//! A reference names an image of the repository at `repository_uri` when it is that URI
//! followed by `:TAG`, `@DIGEST`, `:TAG@DIGEST` or nothing (which means `:latest`); a digest
//! wins over a tag, as it does when ECS pulls
//! (https://docs.aws.amazon.com/AmazonECR/latest/userguide/docker-pull-ecr-image.html).

use crate::ecr::ImageDetail;

/// What a reference asks of a repository: a digest, else a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted<'a> {
    /// `@sha256:…`.
    Digest(&'a str),
    /// `:TAG` (`latest` when none is given).
    Tag(&'a str),
}

/// What `reference` asks of the repository at `repository_uri`, when it names that
/// repository at all.
pub fn wanted<'a>(reference: &'a str, repository_uri: &str) -> Option<Wanted<'a>> {
    let rest = reference.trim().strip_prefix(repository_uri)?;
    let (rest, digest) = match rest.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (rest, None),
    };
    let tag = match rest {
        "" => "latest",
        _ => rest.strip_prefix(':').filter(|tag| !tag.is_empty())?,
    };
    Some(digest.map_or(Wanted::Tag(tag), Wanted::Digest))
}

/// The image (index into `images`) that `reference` names in the repository at
/// `repository_uri`, if any.
pub fn resolve(reference: &str, repository_uri: &str, images: &[ImageDetail]) -> Option<usize> {
    match wanted(reference, repository_uri)? {
        Wanted::Digest(digest) => images.iter().position(|i| i.image_digest == digest),
        Wanted::Tag(tag) => images
            .iter()
            .position(|i| i.image_tags.iter().any(|t| t == tag)),
    }
}

/// `reference` with its tag (and any digest) replaced by `tag`.
pub fn with_tag(reference: &str, repository_uri: &str, tag: &str) -> String {
    let base = if wanted(reference, repository_uri).is_some() {
        repository_uri
    } else {
        let without_digest = reference.split('@').next().unwrap_or(reference);
        // A `:` after the last `/` starts the tag; one before it is a registry's port.
        match without_digest.rsplit_once(':') {
            Some((name, tag)) if !tag.contains('/') => name,
            _ => without_digest,
        }
    };
    format!("{base}:{tag}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo/api";

    #[test]
    fn references_name_a_tag_or_a_digest_of_their_repository() {
        // (reference, wanted)
        let cases = [
            (format!("{URI}:v1"), Some(Wanted::Tag("v1"))),
            (URI.to_owned(), Some(Wanted::Tag("latest"))),
            (
                format!("{URI}@sha256:ab"),
                Some(Wanted::Digest("sha256:ab")),
            ),
            (
                format!("{URI}:v1@sha256:ab"),
                Some(Wanted::Digest("sha256:ab")),
            ),
            (format!("{URI}-other:v1"), None),
            (format!("{URI}:"), None),
            ("nginx:1".to_owned(), None),
        ];
        for (reference, expected) in cases {
            assert_eq!(wanted(&reference, URI), expected, "{reference}");
        }
    }

    #[test]
    fn a_tag_replaces_the_tag_and_digest() {
        // (reference, tag, result)
        let cases = [
            (format!("{URI}:v1"), "v2", format!("{URI}:v2")),
            (format!("{URI}@sha256:ab"), "v2", format!("{URI}:v2")),
            ("nginx:1.25".to_owned(), "1.27", "nginx:1.27".to_owned()),
            ("nginx".to_owned(), "1.27", "nginx:1.27".to_owned()),
            (
                "registry:5000/team/app@sha256:00".to_owned(),
                "v3",
                "registry:5000/team/app:v3".to_owned(),
            ),
        ];
        for (reference, tag, expected) in cases {
            assert_eq!(with_tag(&reference, URI, tag), expected, "{reference}");
        }
    }
}
