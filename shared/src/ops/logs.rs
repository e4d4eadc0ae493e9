//! Where a task's container logs are and how a search matches a line: one rule for the
//! server's logs endpoint, the sandbox's streams and the console's log view.
//!
//! ECS's `awslogs` driver writes a container's output to the log group `awslogs-group` in
//! `awslogs-region`, in a stream named `awslogs-stream-prefix/container-name/task-id`
//! ([Using the awslogs log driver](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html)).
//! Without a stream prefix the stream is named after the Docker container id, which ECS does
//! not report for Fargate and Berth does not guess; such a container's logs are "unavailable"
//! with the reason in words, as are containers that log with another driver.
//!
//! A search is words, not CloudWatch's filter pattern syntax: a line matches when it contains
//! every word, ignoring case. The server applies it to the stream's latest
//! [`SEARCH_WINDOW`] lines, and the console to the lines it follows, so both agree.

use crate::{
    ecs::{ContainerDefinition, TaskDefinition, short_id},
    logs::{LogEvent, LogLocation},
};

/// How many of a stream's latest lines a search reads (one `GetLogEvents` call's maximum).
pub const SEARCH_WINDOW: usize = 10_000;
/// Lines answered when the request names no limit.
pub const DEFAULT_LINES: usize = 200;
/// The most lines one answer carries.
pub const MAX_LINES: usize = 1_000;

/// The `logConfiguration` of a container definition, if it has one.
fn log_configuration(container: &ContainerDefinition) -> Option<&serde_json::Value> {
    container.other.get("logConfiguration")
}

/// Whether `container` writes its output with the `awslogs` driver.
pub fn uses_awslogs(container: &ContainerDefinition) -> bool {
    log_configuration(container).and_then(|c| c["logDriver"].as_str()) == Some("awslogs")
}

/// The container a log view opens first: the first essential one that uses `awslogs`, else
/// the first that does, else the first.
pub fn default_container(definition: &TaskDefinition) -> Option<&str> {
    let containers = &definition.container_definitions;
    containers
        .iter()
        .find(|c| c.essential != Some(false) && uses_awslogs(c))
        .or_else(|| containers.iter().find(|c| uses_awslogs(c)))
        .or_else(|| containers.first())
        .map(|c| c.name.as_str())
}

/// Where `container` of the task `task_arn` (running `definition`) writes its lines, or why
/// Berth cannot read them, in words. `region` is the account's, for a configuration without
/// `awslogs-region`.
pub fn log_location(
    definition: &TaskDefinition,
    container: &str,
    task_arn: &str,
    region: &str,
) -> Result<LogLocation, String> {
    let Some(found) = definition
        .container_definitions
        .iter()
        .find(|c| c.name == container)
    else {
        return Err(format!("The task has no container named {container:?}."));
    };
    let Some(configuration) = log_configuration(found) else {
        return Err(format!(
            "The container {container} has no logConfiguration, so ECS keeps none of its output."
        ));
    };
    let driver = configuration["logDriver"].as_str().unwrap_or("none");
    if driver != "awslogs" {
        return Err(format!(
            "The container {container} logs with the {driver} driver; Berth reads CloudWatch Logs written by the awslogs driver."
        ));
    }
    let option = |key: &str| {
        configuration["options"][key]
            .as_str()
            .filter(|value| !value.is_empty())
    };
    let Some(group) = option("awslogs-group") else {
        return Err(format!(
            "The container {container}'s awslogs configuration names no awslogs-group."
        ));
    };
    let Some(prefix) = option("awslogs-stream-prefix") else {
        return Err(format!(
            "The container {container}'s awslogs configuration has no awslogs-stream-prefix, so its stream is named after the Docker container id, which Berth cannot read."
        ));
    };
    Ok(LogLocation {
        group: group.to_owned(),
        stream: format!("{prefix}/{container}/{}", short_id(task_arn)),
        region: option("awslogs-region").unwrap_or(region).to_owned(),
    })
}

/// The `(container, task id)` a stream named by [`log_location`] belongs to.
pub fn stream_owner(stream: &str) -> Option<(&str, &str)> {
    let mut parts = stream.rsplitn(3, '/');
    let task = parts.next()?;
    let container = parts.next()?;
    parts.next()?;
    Some((container, task))
}

/// Whether `line` contains every word of `search`, ignoring case (an empty search matches all).
pub fn matches(search: &str, line: &str) -> bool {
    let line = line.to_lowercase();
    search
        .split_whitespace()
        .all(|word| line.contains(&word.to_lowercase()))
}

/// The last `limit` of `events` that match `search`, oldest first.
pub fn search(events: Vec<LogEvent>, search: &str, limit: usize) -> Vec<LogEvent> {
    let mut found: Vec<LogEvent> = events
        .into_iter()
        .filter(|event| matches(search, &event.message))
        .collect();
    let excess = found.len().saturating_sub(limit);
    found.drain(..excess);
    found
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::time::Timestamp;

    const TASK: &str = "arn:aws:ecs:us-east-1:123456789012:task/demo/0f3c9a1b2d";

    fn definition(containers: serde_json::Value) -> TaskDefinition {
        serde_json::from_value(json!({"family": "web", "containerDefinitions": containers}))
            .unwrap()
    }

    fn awslogs(name: &str, options: serde_json::Value) -> serde_json::Value {
        json!({"name": name, "image": "x", "logConfiguration": {"logDriver": "awslogs", "options": options}})
    }

    #[test]
    fn the_stream_is_prefix_container_and_task_id() {
        let definition = definition(json!([awslogs(
            "web",
            json!({"awslogs-group": "/ecs/web", "awslogs-stream-prefix": "ecs", "awslogs-region": "eu-west-1"})
        )]));
        let location = log_location(&definition, "web", TASK, "us-east-1").unwrap();
        assert_eq!(
            location,
            LogLocation {
                group: "/ecs/web".into(),
                stream: "ecs/web/0f3c9a1b2d".into(),
                region: "eu-west-1".into()
            }
        );
        assert_eq!(stream_owner(&location.stream), Some(("web", "0f3c9a1b2d")));
        assert_eq!(stream_owner("web/0f3c9a1b2d"), None);
    }

    #[test]
    fn what_cannot_be_read_says_why() {
        let definition = definition(json!([
            awslogs("no-prefix", json!({"awslogs-group": "/ecs/web"})),
            awslogs("no-group", json!({"awslogs-stream-prefix": "ecs"})),
            {"name": "firelens", "image": "x", "logConfiguration": {"logDriver": "awsfirelens"}},
            {"name": "silent", "image": "x"},
        ]));
        let cases = [
            ("no-prefix", "awslogs-stream-prefix"),
            ("no-group", "awslogs-group"),
            ("firelens", "awsfirelens driver"),
            ("silent", "no logConfiguration"),
            ("missing", "no container named"),
        ];
        for (container, words) in cases {
            let reason = log_location(&definition, container, TASK, "us-east-1").unwrap_err();
            assert!(reason.contains(words), "{container}: {reason}");
        }
    }

    #[test]
    fn the_first_essential_awslogs_container_opens_first() {
        let definition = definition(json!([
            {"name": "init", "image": "x", "essential": false},
            {"name": "sidecar", "image": "x", "essential": false, "logConfiguration": {"logDriver": "awslogs"}},
            {"name": "web", "image": "x", "logConfiguration": {"logDriver": "awslogs"}},
        ]));
        assert_eq!(default_container(&definition), Some("web"));
    }

    #[test]
    fn a_search_needs_every_word_in_any_case_and_keeps_the_latest() {
        assert!(matches("get 500", "GET /orders 500 12ms"));
        assert!(!matches("get 404", "GET /orders 500 12ms"));
        assert!(matches("  ", "anything"));
        let events: Vec<LogEvent> = (0..10)
            .map(|i| LogEvent {
                timestamp: Timestamp(i),
                message: format!("line {i} {}", if i % 2 == 0 { "even" } else { "odd" }),
            })
            .collect();
        let found = search(events, "EVEN", 3);
        let kept: Vec<i64> = found.iter().map(|e| e.timestamp.0).collect();
        assert_eq!(kept, [4, 6, 8]);
    }
}
