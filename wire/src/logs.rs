//! A task's container logs as the API answers them: where they are (the container's `awslogs`
//! log group, stream and region), the events read, and how to read on from there.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// Where a container's `awslogs` output goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogLocation {
    /// The log group (`awslogs-group`).
    pub group: String,
    /// The stream: `prefix/container/task-id`.
    pub stream: String,
    /// The region of the group (`awslogs-region`).
    pub region: String,
}

/// One line a container wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEvent {
    /// When it was written.
    pub timestamp: Timestamp,
    /// The line.
    pub message: String,
}

/// A page of a log stream, oldest line first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogPage {
    /// The events, oldest first.
    pub events: Vec<LogEvent>,
    /// Where to read on from for later lines (`GetLogEvents`' forward token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `GET /api/clusters/{cluster}/tasks/{task}/logs`: one container's lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskLogs {
    /// The task's ARN.
    pub task_arn: String,
    /// The task's last status.
    pub last_status: String,
    /// Why the task stopped, if it did: the first thing to read when a container has no lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_reason: Option<String>,
    /// The container read.
    pub container: String,
    /// Every container of the task, in the definition's order.
    pub containers: Vec<String>,
    /// Where its lines are, when it logs with `awslogs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<LogLocation>,
    /// Why there are no lines to read here, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
    /// The lines, oldest first: the latest ones, those after `token`, or those matching `filter`.
    pub events: Vec<LogEvent>,
    /// Pass as `token` to read the lines written after these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// With `filter`: how many of the stream's latest lines were searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub searched: Option<usize>,
}
