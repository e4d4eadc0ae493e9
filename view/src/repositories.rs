//! What the repository pages show, computed without the DOM: sizes and digests in words,
//! lifecycle rules in words, scan severities in order, and the sorting and filtering of the
//! two tables. Everything here is plain data in, plain data out, and unit-tested.

use std::cmp::Ordering;

use berth_shared::{
    api::{ImageUsage, LifecyclePreview, RepositoryDetail, RepositorySummary},
    ecr::{ImageDetail, ImageVerdict, LifecycleRule},
};

use crate::table::{Sort, SortColumn};

/// `sha256:3f2a…` → `3f2a9c1b7d4e`: the first 12 hex digits, as `docker images` shows them.
pub fn short_digest(digest: &str) -> &str {
    let hex = digest.split_once(':').map_or(digest, |(_, hex)| hex);
    hex.get(..12).unwrap_or(hex)
}

/// Scan severities from worst to least, as ECR names them.
pub const SEVERITIES: [&str; 6] = [
    "CRITICAL",
    "HIGH",
    "MEDIUM",
    "LOW",
    "INFORMATIONAL",
    "UNDEFINED",
];

/// `(severity, count)` of an image's scan findings, worst first, zero counts left out.
pub fn severity_counts(image: &ImageDetail) -> Vec<(&'static str, i64)> {
    let Some(summary) = &image.image_scan_findings_summary else {
        return Vec::new();
    };
    SEVERITIES
        .iter()
        .filter_map(|severity| {
            summary
                .finding_severity_counts
                .get(*severity)
                .filter(|count| **count > 0)
                .map(|count| (*severity, *count))
        })
        .collect()
}

/// A rule of a lifecycle policy in words: what it selects and what it does.
pub fn rule_in_words(rule: &LifecycleRule) -> String {
    let selection = &rule.selection;
    let quoted = |items: &[String]| {
        items
            .iter()
            .map(|item| format!("“{item}”"))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let which = match selection.tag_status.as_str() {
        "untagged" => "untagged images".to_owned(),
        "any" => "all images".to_owned(),
        _ if !selection.tag_pattern_list.is_empty() => {
            format!(
                "images with tags matching {}",
                quoted(&selection.tag_pattern_list)
            )
        }
        _ if !selection.tag_prefix_list.is_empty() => {
            format!(
                "images with tags starting with {}",
                quoted(&selection.tag_prefix_list)
            )
        }
        _ => "tagged images".to_owned(),
    };
    let n = selection.count_number;
    match selection.count_type.as_str() {
        "imageCountMoreThan" => {
            let keep = if n == 1 {
                "the most recent".to_owned()
            } else {
                format!("the {n} most recent")
            };
            format!("Of {which}, keep {keep} and expire the rest.")
        }
        _ => {
            let days = if n == 1 {
                "1 day".to_owned()
            } else {
                format!("{n} days")
            };
            format!("Expire {which} pushed more than {days} ago.")
        }
    }
}

/// One row of the images table: the image, the policy's verdict on it and where it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageRow {
    /// The image.
    pub image: ImageDetail,
    /// The lifecycle verdict, when a policy was evaluated.
    pub verdict: Option<ImageVerdict>,
    /// Where it runs, when it runs anywhere.
    pub usage: Option<ImageUsage>,
}

impl ImageRow {
    /// Whether the policy would expire it now.
    pub fn expires(&self) -> bool {
        self.verdict.as_ref().is_some_and(|v| v.expires)
    }

    /// Whether a task definition, service or task uses it.
    pub fn in_use(&self) -> bool {
        self.usage.is_some()
    }

    fn matches(&self, words: &[String]) -> bool {
        let mut haystack = self.image.image_digest.to_lowercase();
        for tag in &self.image.image_tags {
            haystack.push(' ');
            haystack.push_str(&tag.to_lowercase());
        }
        if self.image.image_tags.is_empty() {
            haystack.push_str(" untagged");
        }
        if self.expires() {
            haystack.push_str(" expiring expires");
        }
        if self.in_use() {
            haystack.push_str(" in-use");
        }
        if let Some(usage) = &self.usage {
            for service in &usage.services {
                haystack.push(' ');
                haystack.push_str(&service.service_name.to_lowercase());
            }
        }
        words.iter().all(|word| haystack.contains(word.as_str()))
    }
}

/// The rows of a repository page, in the order of its images (most recently pushed first).
pub fn image_rows(detail: &RepositoryDetail) -> Vec<ImageRow> {
    let verdicts = match &detail.lifecycle_preview {
        Some(LifecyclePreview::Evaluated { result, .. }) => result.images.as_slice(),
        _ => &[],
    };
    detail
        .image_details
        .iter()
        .map(|image| ImageRow {
            image: image.clone(),
            verdict: verdicts
                .iter()
                .find(|v| v.image_digest == image.image_digest)
                .cloned(),
            usage: detail
                .usage
                .iter()
                .find(|u| u.image_digest == image.image_digest)
                .cloned(),
        })
        .collect()
}

/// Columns the images table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSort {
    /// First tag, alphabetically (untagged last).
    Tags,
    /// Compressed size.
    Size,
    /// Push time.
    Pushed,
    /// Scan findings, worst first.
    Findings,
}

impl SortColumn for ImageSort {
    const NAMES: &'static [(Self, &'static str)] = &[
        (Self::Tags, "tags"),
        (Self::Size, "size"),
        (Self::Pushed, "pushed"),
        (Self::Findings, "findings"),
    ];
}

impl SortColumn for RepositorySort {
    const NAMES: &'static [(Self, &'static str)] = &[
        (Self::Name, "name"),
        (Self::Images, "images"),
        (Self::Size, "size"),
        (Self::Pushed, "pushed"),
        (Self::Created, "created"),
    ];
}

fn words(query: &str) -> Vec<String> {
    query.split_whitespace().map(str::to_lowercase).collect()
}

fn findings_key(image: &ImageDetail) -> Vec<i64> {
    let counts = severity_counts(image);
    SEVERITIES
        .iter()
        .map(|s| {
            counts
                .iter()
                .find(|(severity, _)| severity == s)
                .map_or(0, |(_, n)| *n)
        })
        .collect()
}

/// The rows matching every word of `query` (tags, digest, service names, or the words
/// `untagged`, `expiring`, `in-use`), in `sort` order; ties keep the pushed order.
pub fn select_images<'a>(
    rows: &'a [ImageRow],
    query: &str,
    sort: Sort<ImageSort>,
) -> Vec<&'a ImageRow> {
    let words = words(query);
    let mut picked: Vec<&ImageRow> = rows.iter().filter(|row| row.matches(&words)).collect();
    let compare = |a: &&ImageRow, b: &&ImageRow| -> Ordering {
        let (a, b) = (&a.image, &b.image);
        match sort.column {
            ImageSort::Tags => match (a.image_tags.first(), b.image_tags.first()) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            ImageSort::Size => a.image_size_in_bytes.cmp(&b.image_size_in_bytes),
            ImageSort::Pushed => a.image_pushed_at.cmp(&b.image_pushed_at),
            ImageSort::Findings => findings_key(a).cmp(&findings_key(b)),
        }
    };
    picked.sort_by(|a, b| {
        let order = compare(a, b);
        if sort.descending && sort.column != ImageSort::Tags {
            order.reverse()
        } else if sort.descending {
            // Untagged images stay last whichever way tags sort.
            match (a.image.image_tags.is_empty(), b.image.image_tags.is_empty()) {
                (false, false) => order.reverse(),
                _ => order,
            }
        } else {
            order
        }
    });
    picked
}

/// Columns the repositories table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepositorySort {
    /// Name.
    Name,
    /// Number of images.
    Images,
    /// Total size.
    Size,
    /// Last push.
    Pushed,
    /// Creation time.
    Created,
}

/// The repositories matching every word of `query` (in the name or URI), in `sort` order.
pub fn select_repositories<'a>(
    repositories: &'a [RepositorySummary],
    query: &str,
    sort: Sort<RepositorySort>,
) -> Vec<&'a RepositorySummary> {
    let words = words(query);
    let mut picked: Vec<&RepositorySummary> = repositories
        .iter()
        .filter(|summary| {
            let haystack = format!(
                "{} {}",
                summary.repository.repository_name.to_lowercase(),
                summary.repository.repository_uri.to_lowercase()
            );
            words.iter().all(|word| haystack.contains(word.as_str()))
        })
        .collect();
    picked.sort_by(|a, b| {
        let order = match sort.column {
            RepositorySort::Name => a
                .repository
                .repository_name
                .cmp(&b.repository.repository_name),
            RepositorySort::Images => a.image_count.cmp(&b.image_count),
            RepositorySort::Size => a.total_size_in_bytes.cmp(&b.total_size_in_bytes),
            RepositorySort::Pushed => a.last_pushed_at.cmp(&b.last_pushed_at),
            RepositorySort::Created => a.repository.created_at.cmp(&b.repository.created_at),
        };
        if sort.descending {
            order.reverse()
        } else {
            order
        }
    });
    picked
}

#[cfg(test)]
mod tests {
    use berth_shared::{
        api::{ServiceUsage, TaskUsage},
        ecr::{ImageScanFindingsSummary, Repository},
        input::from_json,
        time::Timestamp,
    };

    use super::*;

    #[test]
    fn sort_orders_read_and_write_their_url_form() {
        for (text, sort) in [
            (
                "size",
                Sort {
                    column: ImageSort::Size,
                    descending: false,
                },
            ),
            (
                "-findings",
                Sort {
                    column: ImageSort::Findings,
                    descending: true,
                },
            ),
        ] {
            assert_eq!(Sort::parse(text), Some(sort));
            assert_eq!(sort.param(), text);
        }
        let created = Sort {
            column: RepositorySort::Created,
            descending: true,
        };
        assert_eq!(Sort::parse(&created.param()), Some(created));
        assert_eq!(Sort::<ImageSort>::parse("name"), None);
        assert_eq!(Sort::<RepositorySort>::parse("--name"), None);
        assert_eq!(Sort::<RepositorySort>::parse(""), None);
    }

    fn image(digest: &str, tags: &[&str], size: i64, pushed: i64) -> ImageDetail {
        ImageDetail {
            registry_id: String::new(),
            repository_name: "demo/api".into(),
            image_digest: digest.into(),
            image_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            image_size_in_bytes: size,
            image_pushed_at: Some(Timestamp(pushed)),
            image_scan_status: None,
            image_scan_findings_summary: None,
            image_manifest_media_type: None,
            last_recorded_pull_time: None,
        }
    }

    fn row(image: ImageDetail, expires: bool, service: Option<&str>) -> ImageRow {
        ImageRow {
            verdict: Some(ImageVerdict {
                image_digest: image.image_digest.clone(),
                image_tags: image.image_tags.clone(),
                image_pushed_at: image.image_pushed_at.unwrap_or_default(),
                expires,
                applied_rule_priority: expires.then_some(1),
                in_use: service.is_some(),
                reason: String::new(),
            }),
            usage: service.map(|name| ImageUsage {
                image_digest: image.image_digest.clone(),
                task_definitions: Vec::new(),
                services: vec![ServiceUsage {
                    cluster_name: "prod".into(),
                    service_name: name.into(),
                    task_definition: "td".into(),
                    running_count: 1,
                }],
                tasks: vec![TaskUsage {
                    cluster_name: "prod".into(),
                    task_arn: "t".into(),
                    task_definition_arn: "td".into(),
                    group: None,
                }],
            }),
            image,
        }
    }

    #[test]
    fn digests_shorten_to_twelve_hex_digits() {
        assert_eq!(short_digest("sha256:0123456789abcdef0123"), "0123456789ab");
        assert_eq!(short_digest("sha256:abc"), "abc");
        assert_eq!(short_digest("plain"), "plain");
    }

    #[test]
    fn severities_come_worst_first_without_zeros() {
        let mut scanned = image("sha256:a", &[], 1, 0);
        scanned.image_scan_findings_summary = Some(ImageScanFindingsSummary {
            image_scan_completed_at: None,
            finding_severity_counts: [("MEDIUM", 4), ("CRITICAL", 1), ("HIGH", 0)]
                .into_iter()
                .map(|(s, n)| (s.to_owned(), n))
                .collect(),
        });
        assert_eq!(severity_counts(&scanned), [("CRITICAL", 1), ("MEDIUM", 4)]);
        assert!(severity_counts(&image("sha256:b", &[], 1, 0)).is_empty());
    }

    #[test]
    fn rules_read_as_sentences() {
        let rule = |json: &str| from_json::<LifecycleRule>(json).unwrap();
        let cases = [
            (
                r#"{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}"#,
                "Expire untagged images pushed more than 14 days ago.",
            ),
            (
                r#"{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPatternList":["v*"],"countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}"#,
                "Of images with tags matching “v*”, keep the 10 most recent and expire the rest.",
            ),
            (
                r#"{"rulePriority":3,"selection":{"tagStatus":"tagged","tagPrefixList":["prod","eu"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}"#,
                "Of images with tags starting with “prod” and “eu”, keep the most recent and expire the rest.",
            ),
            (
                r#"{"rulePriority":4,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}"#,
                "Expire all images pushed more than 1 day ago.",
            ),
        ];
        for (json, words) in cases {
            assert_eq!(rule_in_words(&rule(json)), words);
        }
    }

    #[test]
    fn images_filter_by_every_word_and_sort_by_column() {
        let rows = vec![
            row(
                image("sha256:aaa", &["v3", "latest"], 30, 300),
                false,
                Some("api"),
            ),
            row(image("sha256:bbb", &[], 10, 200), true, None),
            row(image("sha256:ccc", &["v1"], 20, 100), true, Some("worker")),
        ];
        let digests = |picked: Vec<&ImageRow>| {
            picked
                .iter()
                .map(|r| r.image.image_digest.clone())
                .collect::<Vec<_>>()
        };
        let pushed = Sort {
            column: ImageSort::Pushed,
            descending: true,
        };
        assert_eq!(
            digests(select_images(&rows, "", pushed)),
            ["sha256:aaa", "sha256:bbb", "sha256:ccc"]
        );
        assert_eq!(
            digests(select_images(&rows, "expiring", pushed)),
            ["sha256:bbb", "sha256:ccc"]
        );
        assert_eq!(
            digests(select_images(&rows, "expiring in-use", pushed)),
            ["sha256:ccc"]
        );
        assert_eq!(
            digests(select_images(&rows, "UNTAGGED", pushed)),
            ["sha256:bbb"]
        );
        assert_eq!(
            digests(select_images(&rows, "worker", pushed)),
            ["sha256:ccc"]
        );
        assert_eq!(
            digests(select_images(&rows, "sha256:a", pushed)),
            ["sha256:aaa"]
        );
        assert!(select_images(&rows, "v9", pushed).is_empty());

        let by_size = pushed.click(ImageSort::Size, true);
        assert!(by_size.descending);
        assert_eq!(
            digests(select_images(&rows, "", by_size)),
            ["sha256:aaa", "sha256:ccc", "sha256:bbb"]
        );
        let by_tags = by_size.click(ImageSort::Tags, false);
        assert_eq!(
            digests(select_images(&rows, "", by_tags)),
            ["sha256:ccc", "sha256:aaa", "sha256:bbb"]
        );
        let by_tags_descending = by_tags.click(ImageSort::Tags, false);
        assert_eq!(
            digests(select_images(&rows, "", by_tags_descending)),
            ["sha256:aaa", "sha256:ccc", "sha256:bbb"],
            "untagged images stay last"
        );
        assert_eq!(by_tags_descending.aria(ImageSort::Tags), "descending");
        assert_eq!(by_tags_descending.aria(ImageSort::Size), "none");
    }

    #[test]
    fn repositories_filter_by_name_or_uri_and_sort() {
        let summary = |name: &str, count: usize, size: i64| RepositorySummary {
            repository: Repository {
                repository_arn: format!("arn:aws:ecr:us-east-1:1:repository/{name}"),
                registry_id: "1".into(),
                repository_name: name.into(),
                repository_uri: format!("1.dkr.ecr.us-east-1.amazonaws.com/{name}"),
                created_at: None,
                image_tag_mutability: None,
            },
            image_count: count,
            total_size_in_bytes: size,
            last_pushed_at: None,
        };
        let list = vec![
            summary("demo/api", 25, 3),
            summary("base-images/python", 6, 9),
            summary("demo/worker", 9, 1),
        ];
        let names = |picked: Vec<&RepositorySummary>| {
            picked
                .iter()
                .map(|r| r.repository.repository_name.clone())
                .collect::<Vec<_>>()
        };
        let by_name = Sort {
            column: RepositorySort::Name,
            descending: false,
        };
        assert_eq!(
            names(select_repositories(&list, "", by_name)),
            ["base-images/python", "demo/api", "demo/worker"]
        );
        assert_eq!(
            names(select_repositories(&list, "DEMO", by_name)),
            ["demo/api", "demo/worker"]
        );
        assert_eq!(
            names(select_repositories(&list, "dkr.ecr work", by_name)),
            ["demo/worker"]
        );
        let by_images = by_name.click(RepositorySort::Images, true);
        assert_eq!(
            names(select_repositories(&list, "", by_images)),
            ["demo/api", "demo/worker", "base-images/python"]
        );
    }
}
