//! What the Deploy page shows, computed without the DOM: the tags offered for a container's
//! image, the task sizes offered, money, a preview's headline, and a deployment's progress.

use berth_shared::{
    ecr::ImageDetail,
    ecs::{
        CapacityProviderStrategyItem, Deployment, PlacementConstraint, PlacementStrategy, Service,
        Task,
    },
    ops::{
        create_preview::CreateServicePreview,
        preview::ServicePreview,
        validate::{Problem, Severity, fargate_size_is_valid},
    },
    time::Timestamp,
};

use crate::{
    format::{format_bytes, format_cpu_units, format_memory, relative_time, task_definition_label},
    repositories::severity_counts,
};

/// One tag offered for a container's image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagChoice {
    /// The tag.
    pub tag: String,
    /// `v1.18.0 · pushed 3 days ago · 95.2 MiB · 2 critical, 1 high`.
    pub label: String,
}

/// Every tag of the repository's images, the most recently pushed image first, with its push
/// time, size and scan findings.
pub fn tag_choices(images: &[ImageDetail], now: Timestamp) -> Vec<TagChoice> {
    let mut images: Vec<&ImageDetail> = images.iter().collect();
    images.sort_by_key(|image| std::cmp::Reverse(image.image_pushed_at));
    images
        .into_iter()
        .flat_map(|image| {
            let mut facts = Vec::new();
            if let Some(pushed) = image.image_pushed_at {
                facts.push(format!("pushed {}", relative_time(pushed, now)));
            }
            facts.push(format_bytes(image.image_size_in_bytes));
            let findings = severity_counts(image)
                .into_iter()
                .filter(|(severity, _)| matches!(*severity, "CRITICAL" | "HIGH"))
                .map(|(severity, count)| format!("{count} {}", severity.to_lowercase()))
                .collect::<Vec<_>>();
            facts.push(if findings.is_empty() {
                "no critical or high findings".to_owned()
            } else {
                findings.join(", ")
            });
            let facts = facts.join(" · ");
            image.image_tags.iter().map(move |tag| TagChoice {
                tag: tag.clone(),
                label: format!("{tag} · {facts}"),
            })
        })
        .collect()
}

/// Fargate's task CPU values, in units.
pub const FARGATE_CPU: [i64; 7] = [256, 512, 1024, 2048, 4096, 8192, 16_384];

/// `(memory MiB, label)` Fargate allows with `cpu` units (docs/ECS-MODEL.md §7.1).
pub fn fargate_memory_choices(cpu: i64) -> Vec<(i64, String)> {
    (1..=120)
        .map(|gib| gib * 1024)
        .chain([512])
        .filter(|memory| fargate_size_is_valid(cpu, *memory))
        .map(|memory| (memory, format_memory(memory)))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect()
}

/// `(cpu units, label)` of Fargate's CPU values.
pub fn fargate_cpu_choices() -> Vec<(i64, String)> {
    FARGATE_CPU
        .iter()
        .map(|cpu| (*cpu, format_cpu_units(*cpu)))
        .collect()
}

/// US dollars: `$1,234.56`, `-$3.10`.
pub fn format_usd(amount: f64) -> String {
    let cents = (amount.abs() * 100.0).round() as i64;
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if amount < 0.0 && cents > 0 { "-" } else { "" };
    format!("{sign}${grouped}.{:02}", cents % 100)
}

/// A monthly difference: `+$12.40 a month`, `-$3.00 a month`, `no change`.
pub fn cost_change(monthly: f64) -> String {
    if (monthly * 100.0).round() == 0.0 {
        "no change".to_owned()
    } else if monthly > 0.0 {
        format!("+{} a month", format_usd(monthly))
    } else {
        format!("{} a month", format_usd(monthly))
    }
}

/// The preview's headline: what runs after, and what Apply does.
pub fn headline(preview: &ServicePreview) -> String {
    if let Some(blocked) = blocking_problems(&preview.problems, "be applied") {
        return blocked;
    }
    let mut count = if preview.desired_count.before == preview.desired_count.after {
        String::new()
    } else {
        format!(
            ", desired tasks {} → {}",
            preview.desired_count.before, preview.desired_count.after
        )
    };
    if let Some(bounds) = preview
        .calls
        .iter()
        .find(|c| c.operation == "RegisterScalableTarget")
    {
        count.push_str(&format!(
            ", auto scaling between {} and {} tasks",
            bounds.input["MinCapacity"], bounds.input["MaxCapacity"]
        ));
    }
    match (preview.registers, preview.deploys) {
        (true, _) => format!(
            "Registers a new revision of {} and deploys it in place of {}{count}.",
            preview.to_revision.trim_end_matches(":next"),
            preview.from_revision
        ),
        (false, true) if preview.to_revision != preview.from_revision => format!(
            "Deploys {} in place of {}{count}.",
            preview.to_revision, preview.from_revision
        ),
        (false, true) => format!(
            "Replaces every task of {} with a fresh one{count}.",
            preview.from_revision
        ),
        (false, false) if !count.is_empty() => {
            format!("Keeps {}{count}; no new deployment.", preview.from_revision)
        }
        (false, false) => {
            "Nothing changes yet: choose an image, a revision or a setting.".to_owned()
        }
    }
}

/// A deployment's progress: new tasks running of desired, as a fraction and in words.
pub fn progress(deployment: &Deployment) -> (f64, String) {
    let desired = deployment.desired_count.max(0);
    let fraction = if desired == 0 {
        1.0
    } else {
        (deployment.running_count as f64 / desired as f64).clamp(0.0, 1.0)
    };
    let mut words = format!("{} of {desired} running", deployment.running_count);
    if deployment.pending_count > 0 {
        words.push_str(&format!(", {} starting", deployment.pending_count));
    }
    if deployment.failed_tasks > 0 {
        words.push_str(&format!(
            ", {}",
            crate::format::plural(
                usize::try_from(deployment.failed_tasks).unwrap_or(0),
                "failed launch",
                "failed launches"
            )
        ));
    }
    (fraction, words)
}

/// The service's tasks that failed to start, newest first, with why.
pub fn failed_launches<'a>(service: &Service, tasks: &'a [Task]) -> Vec<&'a Task> {
    let group = format!("service:{}", service.service_name);
    let mut failed: Vec<&Task> = tasks
        .iter()
        .filter(|t| {
            t.group.as_deref() == Some(group.as_str())
                && t.stop_code.as_deref() == Some("TaskFailedToStart")
        })
        .collect();
    failed.sort_by_key(|t| std::cmp::Reverse(t.stopped_at));
    failed
}

/// The service's tasks whose logs the rollout offers, as `(task id, label)`: those of the
/// revision being deployed first, newest first, so a new task that fails is the first choice.
pub fn log_tasks(service: &Service, tasks: &[Task]) -> Vec<(String, String)> {
    let group = format!("service:{}", service.service_name);
    let mut chosen: Vec<&Task> = tasks
        .iter()
        .filter(|t| t.group.as_deref() == Some(group.as_str()))
        .collect();
    chosen.sort_by_key(|t| {
        (
            t.task_definition_arn != service.task_definition,
            std::cmp::Reverse(t.created_at),
        )
    });
    chosen
        .into_iter()
        .map(|t| {
            let id = t.short_id().to_owned();
            let mut label = format!(
                "{} · {} · {}",
                &id[..id.len().min(8)],
                task_definition_label(&t.task_definition_arn),
                t.last_status
            );
            if let Some(code) = t.stop_code.as_deref().filter(|c| *c == "TaskFailedToStart") {
                label.push_str(&format!(" ({code})"));
            }
            (id, label)
        })
        .collect()
}

/// The revision to roll back to: the newest deployment other than the primary whose rollout
/// completed, else the newest other one.
pub fn rollback_target(service: &Service) -> Option<&str> {
    let others = service.deployments.iter().filter(|d| d.status != "PRIMARY");
    others
        .clone()
        .find(|d| d.rollout_state.as_deref() == Some("COMPLETED"))
        .or_else(|| others.clone().next())
        .map(|d| d.task_definition.as_str())
        .filter(|definition| *definition != service.task_definition)
}

/// A container's port mappings as the Deploy form writes them: `[hostPort:]containerPort[/udp]`,
/// comma-separated (`8080, 80:8080, 5353/udp`), Docker's order for a host port.
pub fn ports_text(mappings: &serde_json::Value) -> String {
    mappings
        .as_array()
        .map(|mappings| {
            mappings
                .iter()
                .filter_map(|m| {
                    let container = m.get("containerPort")?.as_i64()?;
                    let host = m
                        .get("hostPort")
                        .and_then(serde_json::Value::as_i64)
                        .filter(|h| *h != 0 && *h != container);
                    let protocol = m
                        .get("protocol")
                        .and_then(serde_json::Value::as_str)
                        .filter(|p| *p != "tcp");
                    Some(format!(
                        "{}{container}{}",
                        host.map(|h| format!("{h}:")).unwrap_or_default(),
                        protocol.map(|p| format!("/{p}")).unwrap_or_default()
                    ))
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// The port mappings `text` ([`ports_text`]'s form) stands for, keeping the other fields
/// (`name`, `appProtocol`) of an `existing` mapping of the same container port; or what is
/// wrong with it, in words.
pub fn parse_ports(
    text: &str,
    existing: &serde_json::Value,
) -> Result<Vec<serde_json::Value>, String> {
    let port = |word: &str, entry: &str| -> Result<i64, String> {
        word.parse::<i64>()
            .ok()
            .filter(|p| (1..=65_535).contains(p))
            .ok_or_else(|| {
                format!(
                    "{entry:?} is not a port mapping: write [hostPort:]containerPort[/tcp|udp] with ports 1 to 65535, e.g. 8080 or 80:8080/tcp."
                )
            })
    };
    text.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (ports, protocol) = entry.split_once('/').unwrap_or((entry, "tcp"));
            if !matches!(protocol, "tcp" | "udp") {
                return Err(format!(
                    "{entry:?}: the protocol is tcp or udp, not {protocol:?}."
                ));
            }
            let (host, container) = match ports.split_once(':') {
                Some((host, container)) => (Some(port(host, entry)?), port(container, entry)?),
                None => (None, port(ports, entry)?),
            };
            let mut mapping = existing
                .as_array()
                .and_then(|all| {
                    all.iter().find(|m| {
                        m.get("containerPort").and_then(serde_json::Value::as_i64)
                            == Some(container)
                    })
                })
                .cloned()
                .unwrap_or_else(|| serde_json::json!({}));
            mapping["containerPort"] = serde_json::json!(container);
            mapping["protocol"] = serde_json::json!(protocol);
            match host {
                Some(host) => mapping["hostPort"] = serde_json::json!(host),
                None => {
                    if let Some(fields) = mapping.as_object_mut() {
                        fields.remove("hostPort");
                    }
                }
            }
            Ok(mapping)
        })
        .collect()
}

/// A capacity provider strategy as the Deploy form writes it, in words:
/// `FARGATE base 1 weight 1, FARGATE_SPOT weight 3` (a weight of 1 and a base of 0 are left out
/// only when the strategy has one provider).
pub fn strategy_text(strategy: &[CapacityProviderStrategyItem]) -> String {
    strategy
        .iter()
        .map(|item| {
            let mut text = item.capacity_provider.clone();
            if item.base != 0 {
                text.push_str(&format!(" base {}", item.base));
            }
            if strategy.len() > 1 || item.weight != 1 {
                text.push_str(&format!(" weight {}", item.weight));
            }
            text
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The strategy `text` ([`strategy_text`]'s form) stands for, or what is wrong with it in
/// words. A provider without a weight weighs 1.
pub fn parse_strategy(text: &str) -> Result<Vec<CapacityProviderStrategyItem>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let mut words = entry.split_whitespace();
            let name = words.next().unwrap_or_default().to_owned();
            let mut item = CapacityProviderStrategyItem {
                capacity_provider: name,
                weight: 1,
                base: 0,
            };
            let wrong = || {
                format!(
                    "{entry:?}: write a provider, then optionally \"base N\" and \"weight N\", e.g. FARGATE_SPOT weight 3."
                )
            };
            while let Some(word) = words.next() {
                let number = words
                    .next()
                    .and_then(|n| n.parse::<i64>().ok())
                    .ok_or_else(wrong)?;
                match word {
                    "base" => item.base = number,
                    "weight" => item.weight = number,
                    _ => return Err(wrong()),
                }
            }
            Ok(item)
        })
        .collect()
}

/// `N problems to fix before this can {verb}.`, when `problems` has errors.
pub fn blocking_problems(problems: &[Problem], verb: &str) -> Option<String> {
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    (errors > 0).then(|| {
        format!(
            "{} to fix before this can {verb}.",
            crate::format::plural(errors, "problem", "problems")
        )
    })
}

/// A create preview's headline: what the new service runs and where, or what blocks it.
pub fn create_headline(preview: &CreateServicePreview) -> String {
    if let Some(blocked) = blocking_problems(&preview.problems, "be created") {
        return blocked;
    }
    let tasks = crate::format::plural(usize::try_from(preview.tasks).unwrap_or(0), "task", "tasks");
    format!(
        "Creates {} on {}: {tasks} of {}.",
        preview.service, preview.cluster, preview.revision
    )
}

/// Placement as the Create service form writes it, one rule per line: strategies
/// (`spread(attribute:ecs.availability-zone)`, `binpack(memory)`, `random`) in the order ECS
/// applies them, and constraints (`distinctInstance`, `memberOf(<CQL expression>)`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlacementRules {
    /// The strategies, in order.
    pub strategies: Vec<PlacementStrategy>,
    /// The constraints.
    pub constraints: Vec<PlacementConstraint>,
}

/// The rules `text` stands for, or what is wrong with a line, in words. The rules themselves
/// (fields, CQL, how many) are the shared model's to check.
pub fn parse_placement(text: &str) -> Result<PlacementRules, String> {
    let mut rules = PlacementRules::default();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (name, argument) = match line.split_once('(') {
            Some((name, rest)) => {
                let argument = rest.strip_suffix(')').ok_or_else(|| {
                    format!("Line {}: close the parenthesis of {line:?}.", number + 1)
                })?;
                (name.trim(), Some(argument.trim().to_owned()))
            }
            None => (line, None),
        };
        match (name, argument) {
            ("spread" | "binpack", Some(field)) if !field.is_empty() => {
                rules.strategies.push(PlacementStrategy {
                    kind: name.to_owned(),
                    field: Some(field),
                });
            }
            ("random", None) => rules.strategies.push(PlacementStrategy {
                kind: "random".to_owned(),
                field: None,
            }),
            ("distinctInstance", None) => rules.constraints.push(PlacementConstraint {
                kind: "distinctInstance".to_owned(),
                expression: None,
            }),
            ("memberOf", Some(expression)) if !expression.is_empty() => {
                rules.constraints.push(PlacementConstraint {
                    kind: "memberOf".to_owned(),
                    expression: Some(expression),
                });
            }
            _ => {
                return Err(format!(
                    "Line {}: {line:?} is not a placement rule; write spread(field), binpack(cpu or memory), random, distinctInstance or memberOf(expression).",
                    number + 1
                ));
            }
        }
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_revisions_tasks_are_offered_first_newest_first() {
        let task = |id: &str, revision: u32, created: i64, status: &str| -> Task {
            serde_json::from_value(serde_json::json!({
                "taskArn": format!("arn:aws:ecs:us-east-1:1:task/demo/{id}"),
                "taskDefinitionArn": format!("arn:aws:ecs:us-east-1:1:task-definition/web:{revision}"),
                "lastStatus": status, "group": "service:web", "createdAt": created,
                "stopCode": if status == "STOPPED" { Some("TaskFailedToStart") } else { None },
            }))
            .unwrap()
        };
        let service: Service = serde_json::from_value(serde_json::json!({
            "serviceArn": "arn:aws:ecs:us-east-1:1:service/demo/web", "serviceName": "web",
            "status": "ACTIVE", "desiredCount": 2, "runningCount": 2, "pendingCount": 0,
            "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/web:6"
        }))
        .unwrap();
        let tasks = [
            task("old1111111", 5, 100, "RUNNING"),
            task("new1111111", 6, 200, "RUNNING"),
            task("new2222222", 6, 300, "STOPPED"),
        ];
        let offered = log_tasks(&service, &tasks);
        let ids: Vec<&str> = offered.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["new2222222", "new1111111", "old1111111"]);
        assert_eq!(
            offered[0].1,
            "new22222 · web:6 · STOPPED (TaskFailedToStart)"
        );
    }

    #[test]
    fn port_mappings_read_and_write_as_text() {
        let existing = serde_json::json!([
            {"containerPort": 8080, "protocol": "tcp", "name": "web-8080"},
            {"containerPort": 53, "hostPort": 5353, "protocol": "udp"},
            {"containerPort": 9901, "hostPort": 9901, "protocol": "tcp"}
        ]);
        assert_eq!(ports_text(&existing), "8080, 5353:53/udp, 9901");
        let parsed = parse_ports("8080, 80:8443/tcp\n5353:53/udp", &existing).unwrap();
        assert_eq!(
            serde_json::Value::Array(parsed),
            serde_json::json!([
                {"containerPort": 8080, "protocol": "tcp", "name": "web-8080"},
                {"containerPort": 8443, "protocol": "tcp", "hostPort": 80},
                {"containerPort": 53, "hostPort": 5353, "protocol": "udp"}
            ])
        );
        assert_eq!(parse_ports("  ", &existing), Ok(Vec::new()));
        for bad in ["http", "0", "70000", "80:", "8080/sctp"] {
            let error = parse_ports(bad, &existing).unwrap_err();
            assert!(error.contains(bad), "{bad}: {error}");
        }
    }

    #[test]
    fn a_strategy_reads_and_writes_in_words() {
        let strategy = parse_strategy("FARGATE base 1 weight 1, FARGATE_SPOT weight 3").unwrap();
        assert_eq!(
            strategy,
            [
                CapacityProviderStrategyItem {
                    capacity_provider: "FARGATE".into(),
                    weight: 1,
                    base: 1
                },
                CapacityProviderStrategyItem {
                    capacity_provider: "FARGATE_SPOT".into(),
                    weight: 3,
                    base: 0
                },
            ]
        );
        assert_eq!(
            strategy_text(&strategy),
            "FARGATE base 1 weight 1, FARGATE_SPOT weight 3"
        );
        assert_eq!(strategy_text(&parse_strategy("ec2-cp").unwrap()), "ec2-cp");
        assert_eq!(parse_strategy(" "), Ok(Vec::new()));
        for bad in ["FARGATE weight", "FARGATE size 2", "FARGATE base x"] {
            assert!(parse_strategy(bad).unwrap_err().contains(bad), "{bad}");
        }
    }

    #[test]
    fn the_headline_says_what_a_change_does() {
        let mut input = berth_shared::placement::bench_preview(10, 100);
        let bounds = berth_shared::api::ScalingBounds {
            min_capacity: 2,
            max_capacity: 8,
        };
        input.change = berth_shared::api::ServiceChange {
            scalable_target: Some(bounds),
            ..berth_shared::api::ServiceChange::default()
        };
        input.snapshot.scaling = serde_json::from_value(serde_json::json!([{
            "serviceName": "svc-0",
            "scalableTarget": {"serviceNamespace": "ecs", "resourceId": "service/bench/svc-0",
                "scalableDimension": "ecs:service:DesiredCount", "minCapacity": 1, "maxCapacity": 4}
        }]))
        .unwrap();
        let preview = berth_shared::ops::preview_change(&input);
        assert_eq!(
            headline(&preview),
            "Keeps svc-0:3, auto scaling between 2 and 8 tasks; no new deployment."
        );
        input.change = berth_shared::api::ServiceChange::default();
        assert_eq!(
            headline(&berth_shared::ops::preview_change(&input)),
            "Nothing changes yet: choose an image, a revision or a setting."
        );
    }

    #[test]
    fn money_is_written_in_dollars_and_cents() {
        let cases = [
            (0.0, "$0.00"),
            (1234.567, "$1,234.57"),
            (-3.1, "-$3.10"),
            (1_000_000.0, "$1,000,000.00"),
            (-0.001, "$0.00"),
        ];
        for (amount, expected) in cases {
            assert_eq!(format_usd(amount), expected, "{amount}");
        }
        assert_eq!(cost_change(12.4), "+$12.40 a month");
        assert_eq!(cost_change(-3.0), "-$3.00 a month");
        assert_eq!(cost_change(0.001), "no change");
    }

    #[test]
    fn fargate_offers_only_its_valid_sizes() {
        let quarter: Vec<i64> = fargate_memory_choices(256).iter().map(|c| c.0).collect();
        assert_eq!(quarter, [512, 1024, 2048]);
        let one: Vec<i64> = fargate_memory_choices(1024).iter().map(|c| c.0).collect();
        assert_eq!(one, [2048, 3072, 4096, 5120, 6144, 7168, 8192]);
        assert!(fargate_memory_choices(300).is_empty());
        assert_eq!(fargate_cpu_choices().len(), 7);
    }

    #[test]
    fn tags_are_offered_newest_first_with_their_facts() {
        let image = |tags: &[&str], pushed: i64, critical: i64| -> ImageDetail {
            serde_json::from_value(serde_json::json!({
                "registryId": "1", "repositoryName": "demo/api",
                "imageDigest": format!("sha256:{pushed}"), "imageTags": tags,
                "imageSizeInBytes": 52_428_800, "imagePushedAt": pushed / 1000,
                "imageScanFindingsSummary": {"findingSeverityCounts": {"CRITICAL": critical}}
            }))
            .unwrap()
        };
        let now = Timestamp(10 * 86_400_000);
        let choices = tag_choices(
            &[
                image(&["v1"], 86_400_000, 0),
                image(&["v2", "latest"], 9 * 86_400_000, 2),
            ],
            now,
        );
        let tags: Vec<&str> = choices.iter().map(|c| c.tag.as_str()).collect();
        assert_eq!(tags, ["v2", "latest", "v1"]);
        assert_eq!(
            choices[0].label,
            "v2 · pushed 1 d ago · 50.0 MiB · 2 critical"
        );
        assert!(choices[2].label.ends_with("no critical or high findings"));
    }

    #[test]
    fn placement_rules_read_one_per_line_in_order() {
        let rules = parse_placement(
            "spread(attribute:ecs.availability-zone)\n\n binpack(memory) \ndistinctInstance\nmemberOf(attribute:ecs.instance-type in [m5.large, m5.xlarge])\nrandom",
        )
        .unwrap();
        let strategies: Vec<(&str, Option<&str>)> = rules
            .strategies
            .iter()
            .map(|s| (s.kind.as_str(), s.field.as_deref()))
            .collect();
        assert_eq!(
            strategies,
            [
                ("spread", Some("attribute:ecs.availability-zone")),
                ("binpack", Some("memory")),
                ("random", None)
            ]
        );
        let constraints: Vec<(&str, Option<&str>)> = rules
            .constraints
            .iter()
            .map(|c| (c.kind.as_str(), c.expression.as_deref()))
            .collect();
        assert_eq!(
            constraints,
            [
                ("distinctInstance", None),
                (
                    "memberOf",
                    Some("attribute:ecs.instance-type in [m5.large, m5.xlarge]")
                )
            ]
        );
        assert_eq!(parse_placement("").unwrap(), PlacementRules::default());
        for (text, message) in [
            ("spread(", "Line 1: close the parenthesis"),
            (
                "random\nbinpack()",
                "Line 2: \"binpack()\" is not a placement rule",
            ),
            (
                "pack(memory)",
                "Line 1: \"pack(memory)\" is not a placement rule",
            ),
        ] {
            let error = parse_placement(text).unwrap_err();
            assert!(error.starts_with(message), "{text}: {error}");
        }
    }
}
