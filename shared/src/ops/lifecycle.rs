//! ECR lifecycle policies: which images a policy expires at a given moment, by which rule,
//! and which of those are still in use.
//!
//! Input is the policy (as an object, or as the `lifecyclePolicyText` string ECR stores), the
//! `imageDetails` of `DescribeImages`, `now`, and the image references still in use (from
//! active task definitions and running tasks). Evaluation follows docs/ECS-MODEL.md §9.4:
//! - all rules see all images; rules are applied in `rulePriority` order (lowest first);
//! - an image is expired by at most one rule;
//! - an image whose tags satisfy the selection of a higher-priority rule is never expired by a
//!   lower-priority rule, even when that rule kept it — but lower rules still count it when
//!   ranking for `imageCountMoreThan`;
//! - `tagPrefixList` / `tagPatternList` need **every** entry to match at least one tag of the
//!   image; `*` in a pattern matches any run of characters (at most 4 per pattern);
//! - `imageCountMoreThan n` keeps the n most recently pushed matching images and expires the
//!   rest; `sinceImagePushed n days` expires matching images pushed more than n×24 h before
//!   `now`. Ties in push time are broken by digest so results are deterministic (MODEL).
//!
//! Policy checks follow the API: priorities unique and ≥ 1; `tagged` needs a prefix or pattern
//! list (not both), `untagged` and `any` take neither; `any` must have the highest priority;
//! at most one rule selects untagged images; a tag prefix may appear in only one rule;
//! `countUnit` is `days` with `sinceImagePushed` only; `countNumber` ≥ 1; action `expire`.
//!
//! An image counts as in use when a reference names its digest (`…@sha256:…` or a bare
//! `sha256:…`) or one of its tags (`…/repo:tag`; no tag means `latest`). When the reference
//! names a repository and the image detail carries `repositoryName`, they must agree (the
//! registry host is ignored).

use serde::{Deserialize, Serialize};

pub use crate::ecr::{
    ImageDetail, ImageVerdict, LifecycleOutput, LifecyclePolicy, LifecycleRule, RuleAction,
    RuleSelection,
};
use crate::input::{InputError, from_json};
use crate::time::Timestamp;

const DAY_MS: i64 = 86_400_000;
/// Most `*` wildcards one tag pattern may hold.
pub const MAX_WILDCARDS: usize = 4;

/// A lifecycle-policy evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleInput {
    /// The moment of evaluation.
    pub now: Timestamp,
    /// The policy as an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_policy: Option<LifecyclePolicy>,
    /// The policy as ECR stores it (a JSON string); use this or `lifecyclePolicy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_policy_text: Option<String>,
    /// `DescribeImages` output.
    pub image_details: Vec<ImageDetail>,
    /// Image references in use by active task definitions or running tasks.
    #[serde(default)]
    pub images_in_use: Vec<String>,
}

/// Evaluates a lifecycle policy over the images at `now`.
pub fn simulate_lifecycle(input: &LifecycleInput) -> Result<LifecycleOutput, InputError> {
    let parsed;
    let (policy, path) = match (&input.lifecycle_policy, &input.lifecycle_policy_text) {
        (Some(policy), None) => (policy, "lifecyclePolicy"),
        (None, Some(text)) => {
            parsed = from_json::<LifecyclePolicy>(text).map_err(|error| {
                InputError::new(
                    "lifecyclePolicyText",
                    format!("At {}: {}", error.field, error.message),
                )
            })?;
            (&parsed, "lifecyclePolicyText")
        }
        _ => {
            return Err(InputError::new(
                "lifecyclePolicy",
                "Give the policy either as lifecyclePolicy (an object) or as lifecyclePolicyText (a string), not both or neither.",
            ));
        }
    };
    check_policy(policy, path)?;
    let mut images: Vec<(&ImageDetail, Timestamp)> = input
        .image_details
        .iter()
        .enumerate()
        .map(|(position, image)| {
            image
                .image_pushed_at
                .map(|pushed| (image, pushed))
                .ok_or_else(|| {
                    InputError::new(
                        format!("imageDetails[{position}].imagePushedAt"),
                        "Lifecycle rules rank images by push time; this image has none.",
                    )
                })
        })
        .collect::<Result<_, _>>()?;
    images.sort_by(|(a, a_pushed), (b, b_pushed)| {
        b_pushed
            .cmp(a_pushed)
            .then_with(|| a.image_digest.cmp(&b.image_digest))
    });

    let mut rules: Vec<&LifecycleRule> = policy.rules.iter().collect();
    rules.sort_by_key(|rule| rule.rule_priority);
    let mut expired_by: Vec<Option<(i64, String)>> = vec![None; images.len()];
    let mut claimed_by: Vec<Option<i64>> = vec![None; images.len()];
    for rule in rules {
        let matching: Vec<usize> = (0..images.len())
            .filter(|&n| selects(&rule.selection, images[n].0))
            .collect();
        let selection = &rule.selection;
        let candidates: Vec<(usize, String)> = match selection.count_type.as_str() {
            "imageCountMoreThan" => matching
                .iter()
                .enumerate()
                .skip(selection.count_number as usize)
                .map(|(rank, &n)| {
                    (n, format!("it is number {} of the {} matching images by push time; the rule keeps {}", rank + 1, matching.len(), selection.count_number))
                })
                .collect(),
            _ => matching
                .iter()
                .filter(|&&n| input.now.0 - images[n].1.0 > selection.count_number * DAY_MS)
                .map(|&n| {
                    let days = (input.now.0 - images[n].1.0) / DAY_MS;
                    (n, format!("it was pushed {days} days ago, more than the rule's {} days", selection.count_number))
                })
                .collect(),
        };
        for (n, why) in candidates {
            if claimed_by[n].is_none() && expired_by[n].is_none() {
                expired_by[n] = Some((rule.rule_priority, why));
            }
        }
        for n in matching {
            claimed_by[n].get_or_insert(rule.rule_priority);
        }
    }

    let references: Vec<Reference<'_>> = input
        .images_in_use
        .iter()
        .map(|text| Reference::parse(text))
        .collect();
    let mut output = LifecycleOutput {
        images: Vec::with_capacity(images.len()),
        expiring_count: 0,
        expiring_bytes: 0,
        expiring_in_use: Vec::new(),
    };
    for ((image, pushed), (expiry, claim)) in
        images.iter().zip(expired_by.into_iter().zip(claimed_by))
    {
        let in_use = references.iter().any(|reference| reference.names(image));
        let reason = match (&expiry, claim) {
            (Some((priority, why)), _) => {
                let warning = if in_use {
                    " It is still in use: tasks that need it will fail to pull."
                } else {
                    ""
                };
                format!("Rule {priority} expires it: {why}.{warning}")
            }
            (None, Some(priority)) => format!(
                "Kept: rule {priority} selects it and does not expire it, so lower rules cannot."
            ),
            (None, None) => "Kept: no rule selects it.".to_owned(),
        };
        if expiry.is_some() {
            output.expiring_count += 1;
            output.expiring_bytes += image.image_size_in_bytes;
            if in_use {
                output.expiring_in_use.push(image.image_digest.clone());
            }
        }
        output.images.push(ImageVerdict {
            image_digest: image.image_digest.clone(),
            image_tags: image.image_tags.clone(),
            image_pushed_at: *pushed,
            expires: expiry.is_some(),
            applied_rule_priority: expiry.map(|(priority, _)| priority),
            in_use,
            reason,
        });
    }
    Ok(output)
}

/// Whether a rule's tag selection matches an image.
fn selects(selection: &RuleSelection, image: &ImageDetail) -> bool {
    match selection.tag_status.as_str() {
        "untagged" => image.image_tags.is_empty(),
        "any" => true,
        _ => {
            !image.image_tags.is_empty()
                && selection.tag_prefix_list.iter().all(|prefix| {
                    image
                        .image_tags
                        .iter()
                        .any(|tag| tag.starts_with(prefix.as_str()))
                })
                && selection.tag_pattern_list.iter().all(|pattern| {
                    image
                        .image_tags
                        .iter()
                        .any(|tag| wildcard_match(pattern, tag))
                })
        }
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters (even none).
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it is currently standing for.
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == '*' {
            backtrack = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star, matched)) = backtrack {
            p = star + 1;
            t = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// An image reference as a task definition or task names it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference<'a> {
    repository: Option<&'a str>,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

impl<'a> Reference<'a> {
    fn parse(text: &'a str) -> Self {
        let text = text.trim();
        if text.starts_with("sha256:") {
            return Self {
                repository: None,
                tag: None,
                digest: Some(text),
            };
        }
        let (name, digest) = match text.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (text, None),
        };
        let last_slash = name.rfind('/').map_or(0, |n| n + 1);
        let (name, tag) = match name[last_slash..].find(':') {
            Some(colon) => (
                &name[..last_slash + colon],
                Some(&name[last_slash + colon + 1..]),
            ),
            None => (name, None),
        };
        // Drop a registry host: a first segment with a dot or a port, or "localhost".
        let repository = match name.split_once('/') {
            Some((host, rest))
                if host.contains('.') || host.contains(':') || host == "localhost" =>
            {
                rest
            }
            _ => name,
        };
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest")
        } else {
            tag
        };
        Self {
            repository: (!repository.is_empty()).then_some(repository),
            tag,
            digest,
        }
    }

    fn names(&self, image: &ImageDetail) -> bool {
        if self.digest == Some(image.image_digest.as_str()) {
            return true;
        }
        let same_repository = match (self.repository, image.repository_name.as_str()) {
            (Some(repository), known) if !known.is_empty() => repository == known,
            _ => true,
        };
        same_repository
            && self
                .tag
                .is_some_and(|tag| image.image_tags.iter().any(|t| t == tag))
    }
}

fn check_policy(policy: &LifecyclePolicy, path: &str) -> Result<(), InputError> {
    let rules_path = format!("{path}.rules");
    if policy.rules.is_empty() {
        return Err(InputError::new(
            &rules_path,
            "A lifecycle policy needs at least one rule.",
        ));
    }
    let highest = policy
        .rules
        .iter()
        .map(|rule| rule.rule_priority)
        .max()
        .unwrap_or(0);
    let mut untagged_rules = 0;
    for (position, rule) in policy.rules.iter().enumerate() {
        let rule_path = format!("{rules_path}[{position}]");
        let selection_path = format!("{rule_path}.selection");
        let selection = &rule.selection;
        let fail = |field: &str, message: String| {
            Err(InputError::new(
                format!("{selection_path}.{field}"),
                message,
            ))
        };
        if rule.rule_priority < 1 {
            return Err(InputError::new(
                format!("{rule_path}.rulePriority"),
                "rulePriority must be at least 1.",
            ));
        }
        if policy.rules[..position]
            .iter()
            .any(|other| other.rule_priority == rule.rule_priority)
        {
            return Err(InputError::new(
                format!("{rule_path}.rulePriority"),
                format!("Another rule already has priority {}.", rule.rule_priority),
            ));
        }
        if rule.action.kind != "expire" {
            return Err(InputError::new(
                format!("{rule_path}.action.type"),
                format!(
                    "{:?} is not an action Berth simulates; use \"expire\".",
                    rule.action.kind
                ),
            ));
        }
        let has_lists =
            !selection.tag_prefix_list.is_empty() || !selection.tag_pattern_list.is_empty();
        match selection.tag_status.as_str() {
            "tagged" => {
                if !has_lists {
                    return fail(
                        "tagPrefixList",
                        "A tagged rule needs a tagPrefixList or a tagPatternList.".to_owned(),
                    );
                }
                if !selection.tag_prefix_list.is_empty() && !selection.tag_pattern_list.is_empty() {
                    return fail(
                        "tagPatternList",
                        "Use tagPrefixList or tagPatternList, not both.".to_owned(),
                    );
                }
            }
            "untagged" | "any" => {
                if has_lists {
                    return fail(
                        "tagStatus",
                        format!(
                            "A rule with tagStatus {:?} cannot have tag prefixes or patterns.",
                            selection.tag_status
                        ),
                    );
                }
                if selection.tag_status == "untagged" {
                    untagged_rules += 1;
                    if untagged_rules > 1 {
                        return fail(
                            "tagStatus",
                            "Only one rule may select untagged images.".to_owned(),
                        );
                    }
                } else if rule.rule_priority != highest {
                    return Err(InputError::new(
                        format!("{rule_path}.rulePriority"),
                        "A rule with tagStatus \"any\" must have the highest rulePriority (it is evaluated last).",
                    ));
                }
            }
            other => {
                return fail(
                    "tagStatus",
                    format!(
                        "{other:?} is not a tag status; use \"tagged\", \"untagged\" or \"any\"."
                    ),
                );
            }
        }
        for (index, pattern) in selection.tag_pattern_list.iter().enumerate() {
            if pattern.matches('*').count() > MAX_WILDCARDS {
                return fail(
                    &format!("tagPatternList[{index}]"),
                    format!("{pattern:?} has more than {MAX_WILDCARDS} wildcards."),
                );
            }
        }
        for (index, prefix) in selection.tag_prefix_list.iter().enumerate() {
            let reused = policy.rules[..position]
                .iter()
                .any(|other| other.selection.tag_prefix_list.contains(prefix));
            if reused {
                return fail(
                    &format!("tagPrefixList[{index}]"),
                    format!("The prefix {prefix:?} is already used by another rule."),
                );
            }
        }
        match (
            selection.count_type.as_str(),
            selection.count_unit.as_deref(),
        ) {
            ("imageCountMoreThan", None) | ("sinceImagePushed", Some("days")) => {}
            ("imageCountMoreThan", Some(_)) => {
                return fail(
                    "countUnit",
                    "countUnit goes only with sinceImagePushed.".to_owned(),
                );
            }
            ("sinceImagePushed", _) => {
                return fail(
                    "countUnit",
                    "sinceImagePushed needs countUnit \"days\".".to_owned(),
                );
            }
            (other, _) => {
                return fail(
                    "countType",
                    format!(
                        "{other:?} is not a count type; use \"imageCountMoreThan\" or \"sinceImagePushed\"."
                    ),
                );
            }
        }
        if selection.count_number < 1 {
            return fail(
                "countNumber",
                "countNumber must be a positive number.".to_owned(),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const NOW: Timestamp = Timestamp(1_714_953_600_000);

    fn image(digest: &str, tags: &[&str], age_days: i64) -> ImageDetail {
        ImageDetail {
            registry_id: String::new(),
            repository_name: "shop/web".to_owned(),
            image_digest: format!("sha256:{digest}"),
            image_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            image_size_in_bytes: 100,
            image_pushed_at: Some(Timestamp(NOW.0 - age_days * DAY_MS - 1)),
            image_scan_status: None,
            image_scan_findings_summary: None,
            image_manifest_media_type: None,
            last_recorded_pull_time: None,
        }
    }

    fn spec_images() -> Vec<ImageDetail> {
        vec![
            image("a", &["prod-1.0"], 40),
            image("b", &["prod-1.1"], 30),
            image("c", &["prod-1.2"], 10),
            image("d", &["dev-a"], 20),
            image("e", &["dev-b"], 5),
            image("f", &[], 15),
            image("g", &[], 2),
            image("h", &["prod-1.3", "latest"], 1),
        ]
    }

    const SPEC_POLICY: &str = r#"{"rules": [
        {"rulePriority": 1, "selection": {"tagStatus": "tagged", "tagPatternList": ["prod*"],
         "countType": "imageCountMoreThan", "countNumber": 2}, "action": {"type": "expire"}},
        {"rulePriority": 2, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
         "countUnit": "days", "countNumber": 7}, "action": {"type": "expire"}},
        {"rulePriority": 3, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
         "countNumber": 5}, "action": {"type": "expire"}}]}"#;

    fn run(
        policy: &str,
        images: Vec<ImageDetail>,
        in_use: &[&str],
    ) -> Result<LifecycleOutput, InputError> {
        simulate_lifecycle(&LifecycleInput {
            now: NOW,
            lifecycle_policy: None,
            lifecycle_policy_text: Some(policy.to_owned()),
            image_details: images,
            images_in_use: in_use.iter().map(|r| (*r).to_owned()).collect(),
        })
    }

    fn expired(output: &LifecycleOutput) -> Vec<(String, i64)> {
        let mut list: Vec<(String, i64)> = output
            .images
            .iter()
            .filter_map(|i| {
                Some((
                    i.image_digest.trim_start_matches("sha256:").to_owned(),
                    i.applied_rule_priority?,
                ))
            })
            .collect();
        list.sort();
        list
    }

    #[test]
    fn follows_the_spec_example() {
        let output = run(SPEC_POLICY, spec_images(), &[]).unwrap();
        let expected: Vec<(String, i64)> = [("a", 1), ("b", 1), ("d", 3), ("f", 2)]
            .iter()
            .map(|(d, p)| ((*d).to_owned(), *p))
            .collect();
        assert_eq!(expired(&output), expected);
        assert_eq!(output.expiring_count, 4);
        assert_eq!(output.expiring_bytes, 400);
        let order: Vec<&str> = output
            .images
            .iter()
            .map(|i| i.image_digest.as_str())
            .collect();
        assert_eq!(order[0], "sha256:h", "newest first");
        let kept_g = output
            .images
            .iter()
            .find(|i| i.image_digest == "sha256:g")
            .unwrap();
        assert!(
            kept_g.reason.contains("rule 2 selects it"),
            "{}",
            kept_g.reason
        );
    }

    #[test]
    fn flags_expiring_images_still_in_use() {
        let in_use = [
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:prod-1.1", // b, by tag
            "shop/web@sha256:d",                                              // d, by digest
            "other/repo:prod-1.0",                                            // not a
            "sha256:e",                                                       // kept anyway
        ];
        let output = run(SPEC_POLICY, spec_images(), &in_use).unwrap();
        assert_eq!(
            output.expiring_in_use,
            vec!["sha256:d".to_owned(), "sha256:b".to_owned()]
        );
        let b = output
            .images
            .iter()
            .find(|i| i.image_digest == "sha256:b")
            .unwrap();
        assert!(
            b.in_use && b.reason.contains("still in use"),
            "{}",
            b.reason
        );
        assert!(
            output
                .images
                .iter()
                .find(|i| i.image_digest == "sha256:e")
                .unwrap()
                .in_use
        );
        // No tag means latest.
        let output = run(SPEC_POLICY, spec_images(), &["shop/web"]).unwrap();
        assert!(output.images[0].in_use);
    }

    #[test]
    fn prefix_and_pattern_lists_need_every_entry_to_match() {
        let images = vec![
            image("x", &["prod", "v1"], 50),
            image("y", &["prod"], 50),
            image("z", &["release-v1-arm"], 50),
        ];
        let policy = |selection: &str| {
            format!(
                r#"{{"rules": [{{"rulePriority": 1, "selection": {{"tagStatus": "tagged", {selection},
                "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 30}}, "action": {{"type": "expire"}}}}]}}"#
            )
        };
        let output = run(
            &policy(r#""tagPrefixList": ["prod", "v"]"#),
            images.clone(),
            &[],
        )
        .unwrap();
        assert_eq!(expired(&output), vec![("x".to_owned(), 1)]);
        let output = run(
            &policy(r#""tagPatternList": ["release-*-arm"]"#),
            images,
            &[],
        )
        .unwrap();
        assert_eq!(expired(&output), vec![("z".to_owned(), 1)]);
    }

    #[test]
    fn wildcards_match_like_ecr() {
        for (pattern, tag, expected) in [
            ("prod*", "prod-1", true),
            ("prod*", "prod", true),
            ("*prod", "preprod", true),
            ("*-v*-*", "release-v1-arm", true),
            ("prod*", "dev-prod", false),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXcYb", false),
            ("exact", "exact", true),
            ("exact", "exactly", false),
        ] {
            assert_eq!(wildcard_match(pattern, tag), expected, "{pattern} vs {tag}");
        }
    }

    #[test]
    fn rejects_policies_ecr_rejects() {
        let rule = |priority: i64, selection: &str| {
            format!(
                r#"{{"rulePriority": {priority}, "selection": {selection}, "action": {{"type": "expire"}}}}"#
            )
        };
        let count = r#""countType": "imageCountMoreThan", "countNumber": 3"#;
        let cases = [
            (
                vec![rule(1, &format!(r#"{{"tagStatus": "tagged", {count}}}"#))],
                "lifecyclePolicyText.rules[0].selection.tagPrefixList",
            ),
            (
                vec![rule(
                    1,
                    &format!(r#"{{"tagStatus": "untagged", "tagPrefixList": ["x"], {count}}}"#),
                )],
                "lifecyclePolicyText.rules[0].selection.tagStatus",
            ),
            (
                vec![
                    rule(2, &format!(r#"{{"tagStatus": "any", {count}}}"#)),
                    rule(3, &format!(r#"{{"tagStatus": "untagged", {count}}}"#)),
                ],
                "lifecyclePolicyText.rules[0].rulePriority",
            ),
            (
                vec![
                    rule(1, &format!(r#"{{"tagStatus": "untagged", {count}}}"#)),
                    rule(
                        1,
                        &format!(r#"{{"tagStatus": "tagged", "tagPrefixList": ["v"], {count}}}"#),
                    ),
                ],
                "lifecyclePolicyText.rules[1].rulePriority",
            ),
            (
                vec![rule(
                    1,
                    r#"{"tagStatus": "untagged", "countType": "sinceImagePushed", "countNumber": 3}"#,
                )],
                "lifecyclePolicyText.rules[0].selection.countUnit",
            ),
            (
                vec![rule(
                    1,
                    r#"{"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 0}"#,
                )],
                "lifecyclePolicyText.rules[0].selection.countNumber",
            ),
            (
                vec![rule(
                    1,
                    &format!(
                        r#"{{"tagStatus": "tagged", "tagPatternList": ["*a*b*c*d*"], {count}}}"#
                    ),
                )],
                "lifecyclePolicyText.rules[0].selection.tagPatternList[0]",
            ),
            (
                vec![
                    rule(
                        1,
                        &format!(r#"{{"tagStatus": "tagged", "tagPrefixList": ["v"], {count}}}"#),
                    ),
                    rule(
                        2,
                        &format!(r#"{{"tagStatus": "tagged", "tagPrefixList": ["v"], {count}}}"#),
                    ),
                ],
                "lifecyclePolicyText.rules[1].selection.tagPrefixList[0]",
            ),
            (
                vec![
                    rule(1, &format!(r#"{{"tagStatus": "untagged", {count}}}"#)),
                    rule(2, &format!(r#"{{"tagStatus": "untagged", {count}}}"#)),
                ],
                "lifecyclePolicyText.rules[1].selection.tagStatus",
            ),
        ];
        for (rules, field) in cases {
            let policy = format!(r#"{{"rules": [{}]}}"#, rules.join(","));
            assert_eq!(
                run(&policy, spec_images(), &[]).unwrap_err().field,
                field,
                "{policy}"
            );
        }
        let mut missing_time = spec_images();
        missing_time[3].image_pushed_at = None;
        assert_eq!(
            run(SPEC_POLICY, missing_time, &[]).unwrap_err().field,
            "imageDetails[3].imagePushedAt"
        );
        assert_eq!(
            run("{", spec_images(), &[]).unwrap_err().field,
            "lifecyclePolicyText"
        );
    }

    proptest! {
        #![proptest_config(crate::ops::fixed_seed_config())]

        #[test]
        fn count_rules_keep_exactly_n_and_never_expire_twice(
            ages in prop::collection::vec((0i64..100, any::<bool>()), 0..30),
            keep in 1i64..10,
        ) {
            let images: Vec<ImageDetail> = ages
                .iter()
                .enumerate()
                .map(|(n, (age, tagged))| image(&format!("{n:03}"), if *tagged { &["v1"] } else { &[] }, *age))
                .collect();
            let policy = format!(r#"{{"rules": [{{"rulePriority": 1, "selection": {{"tagStatus": "any",
                "countType": "imageCountMoreThan", "countNumber": {keep}}}, "action": {{"type": "expire"}}}}]}}"#);
            let output = run(&policy, images.clone(), &[]).unwrap();
            prop_assert_eq!(output.expiring_count, images.len().saturating_sub(keep as usize));
            // The kept ones are the newest.
            let oldest_kept = output.images.iter().filter(|i| !i.expires).map(|i| i.image_pushed_at).min();
            let newest_expired = output.images.iter().filter(|i| i.expires).map(|i| i.image_pushed_at).max();
            if let (Some(kept), Some(gone)) = (oldest_kept, newest_expired) {
                prop_assert!(gone <= kept);
            }
        }
    }
}
