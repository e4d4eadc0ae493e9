//! What the task-definition pages show, computed from API data without touching the DOM: the
//! families table, a revision in words and the summary of a comparison.

use berth_shared::{
    api::{TaskDefinitionFamilies, TaskDefinitionFamily},
    ecs::{ContainerDefinition, TaskDefinition},
};

use crate::{
    diff::Diff,
    format::{format_cpu_units, format_memory, format_memory_limits},
    table::{Cell, Column, Row, SortKey, SortOrder, Table, Target, Tone},
};
use serde_json::Value;

/// Fields that differ between any two revisions (identity and registration), left out of the
/// comparison's summary.
const BOOKKEEPING: [&str; 7] = [
    "taskDefinitionArn",
    "revision",
    "status",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
    "family",
];

/// The families table. Opening a row yields [`Target::Service`] carrying the family name
/// (the shared table has no task-definition target), which the page turns into a link.
pub fn families_table(list: &TaskDefinitionFamilies) -> Table {
    let column = |id, label, numeric| Column {
        id,
        label,
        numeric,
        wrap: false,
    };
    let rows = list
        .families
        .iter()
        .map(|family| {
            let active = active_count(family);
            let inactive = family.revisions.len() - active;
            let latest = latest_active(family);
            let latest_cell = match latest {
                Some(revision) => Cell {
                    text: format!("{}:{revision}", family.family),
                    sort: SortKey::Number(revision),
                    mono: true,
                    ..Cell::text("")
                },
                None => Cell {
                    sort: SortKey::Missing,
                    ..Cell::text("none active")
                },
            };
            let state = if active == 0 { "INACTIVE" } else { "ACTIVE" };
            Row::new(
                family.family.clone(),
                vec![
                    Cell::text(&family.family),
                    latest_cell,
                    Cell::number(count(family.revisions.len())),
                    Cell::number(count(active)),
                    Cell {
                        badge: (inactive > 0).then_some(Tone::Plain),
                        ..Cell::number(count(inactive))
                    },
                    Cell::status(state),
                ],
                Some(Target::Service(family.family.clone())),
            )
        })
        .collect();
    Table {
        noun: ("family", "families"),
        columns: vec![
            column("family", "Family", false),
            column("latest", "Latest active", false),
            column("revisions", "Revisions", true),
            column("active", "Active", true),
            column("inactive", "Inactive", true),
            column("status", "Status", false),
        ],
        rows,
        default_sort: SortOrder {
            column: 0,
            descending: false,
        },
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Active revisions of a family.
pub fn active_count(family: &TaskDefinitionFamily) -> usize {
    family
        .revisions
        .iter()
        .filter(|r| r.status == "ACTIVE")
        .count()
}

/// The newest active revision of a family.
pub fn latest_active(family: &TaskDefinitionFamily) -> Option<i64> {
    family
        .revisions
        .iter()
        .filter(|r| r.status == "ACTIVE")
        .map(|r| r.revision)
        .max()
}

/// The revision a family page shows: the one in the URL, else the newest active one, else the
/// newest.
pub fn chosen_revision(family: &TaskDefinitionFamily, asked: Option<i64>) -> Option<i64> {
    asked
        .or_else(|| latest_active(family))
        .or_else(|| family.revisions.iter().map(|r| r.revision).max())
}

/// Reads `?compare=A,B` (revision numbers).
pub fn parse_compare(text: &str) -> Option<(i64, i64)> {
    let (a, b) = text.split_once(',')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// A task definition as the console pretty-prints and compares it.
pub fn pretty_json(definition: &TaskDefinition) -> String {
    serde_json::to_string_pretty(definition).unwrap_or_else(|e| format!("{{ \"error\": \"{e}\" }}"))
}

/// "2 fields changed: image, environment" (registration fields left out).
pub fn diff_summary(diff: &Diff) -> String {
    let fields: Vec<&str> = diff
        .fields
        .iter()
        .map(String::as_str)
        .filter(|f| !BOOKKEEPING.contains(f))
        .collect();
    match fields.len() {
        0 if diff.is_empty() => "The two revisions are identical.".to_owned(),
        0 => "Only the revision number and registration details differ.".to_owned(),
        1 => format!("1 field changed: {}", fields[0]),
        n => format!("{n} fields changed: {}", fields.join(", ")),
    }
}

/// One labelled fact of the revision's description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// What the fact is about (`Network mode`).
    pub label: &'static str,
    /// The value in words.
    pub value: String,
    /// A smaller explanation under the value.
    pub note: Option<String>,
}

fn fact(label: &'static str, value: impl Into<String>, note: Option<String>) -> Fact {
    Fact {
        label,
        value: value.into(),
        note,
    }
}

/// The task-level facts: network, launch types, size, roles, platform, storage.
pub fn task_facts(definition: &TaskDefinition) -> Vec<Fact> {
    let mode = definition.network_mode.as_deref().unwrap_or("bridge");
    let mut facts = vec![fact(
        "Network mode",
        mode,
        Some(network_words(mode).to_owned()),
    )];
    let asked = list_or(&definition.requires_compatibilities, "none required");
    let found = list_or(&definition.compatibilities, "not checked yet");
    facts.push(fact(
        "Launch types",
        asked,
        Some(format!("ECS found it compatible with {found}.")),
    ));
    let size = match (&definition.cpu, &definition.memory) {
        (None, None) => fact(
            "Task size",
            "Not set",
            Some("The task reserves the sum of its containers' CPU and memory.".to_owned()),
        ),
        (cpu, memory) => fact(
            "Task size",
            format!(
                "{} · {}",
                cpu.as_deref().map_or("no CPU limit".to_owned(), cpu_words),
                memory
                    .as_deref()
                    .map_or("no memory limit".to_owned(), memory_words)
            ),
            Some("Reserved for the whole task; its containers share it.".to_owned()),
        ),
    };
    facts.push(size);
    facts.push(fact(
        "Task role",
        role_words(definition.task_role_arn.as_deref()),
        Some("What the application's AWS calls may do.".to_owned()),
    ));
    facts.push(fact(
        "Execution role",
        role_words(definition.execution_role_arn.as_deref()),
        Some("Used by ECS to pull images, read secrets and send logs.".to_owned()),
    ));
    if let Some(platform) = definition.other.get("runtimePlatform") {
        let os = text(platform, "operatingSystemFamily").unwrap_or("LINUX");
        let arch = text(platform, "cpuArchitecture").unwrap_or("X86_64");
        facts.push(fact("Runtime platform", format!("{os} on {arch}"), None));
    }
    if let Some(storage) = definition
        .other
        .get("ephemeralStorage")
        .and_then(|s| s.get("sizeInGiB"))
        .and_then(Value::as_i64)
    {
        facts.push(fact(
            "Ephemeral storage",
            format!("{storage} GiB"),
            Some("Scratch disk of a Fargate task (20 GiB unless set).".to_owned()),
        ));
    }
    facts
}

fn list_or(values: &[String], empty: &str) -> String {
    if values.is_empty() {
        empty.to_owned()
    } else {
        values.join(", ")
    }
}

fn network_words(mode: &str) -> &'static str {
    match mode {
        "awsvpc" => "Each task gets its own network interface and private IP address.",
        "bridge" => {
            "Containers share the instance through Docker's bridge; host ports may be dynamic."
        }
        "host" => "Containers use the instance's network directly; a host port serves one task.",
        "none" => "No external network.",
        _ => "Unknown network mode.",
    }
}

/// `"256"` → `256 units (0.25 vCPU)`; other forms (`"1 vCPU"`) are shown as written.
fn cpu_words(cpu: &str) -> String {
    match cpu.trim().parse::<i64>() {
        Ok(units) => format_cpu_units(units),
        Err(_) => cpu.to_owned(),
    }
}

/// `"2048"` → `2 GiB`; `"512"` → `512 MiB`; other forms are shown as written.
fn memory_words(memory: &str) -> String {
    match memory.trim().parse::<i64>() {
        Ok(mib) => format_memory(mib),
        Err(_) => memory.to_owned(),
    }
}

fn role_words(arn: Option<&str>) -> String {
    match arn {
        Some(arn) => arn.rsplit('/').next().unwrap_or(arn).to_owned(),
        None => "None".to_owned(),
    }
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// A container in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerWords {
    /// Container name.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// Whether the task stops when it stops.
    pub essential: bool,
    /// Facts in display order.
    pub facts: Vec<Fact>,
    /// Ports as `8080/tcp → host 8080`.
    pub ports: Vec<String>,
}

/// Every container of the revision in words.
pub fn containers(definition: &TaskDefinition) -> Vec<ContainerWords> {
    definition
        .container_definitions
        .iter()
        .map(container_words)
        .collect()
}

fn container_words(container: &ContainerDefinition) -> ContainerWords {
    let mut facts = Vec::new();
    facts.push(fact(
        "CPU",
        container
            .cpu
            .map_or("shares the task's CPU".to_owned(), format_cpu_units),
        None,
    ));
    let memory = format_memory_limits(container.memory_reservation, container.memory)
        .unwrap_or_else(|| "shares the task's memory".to_owned());
    facts.push(fact("Memory", memory, None));
    let env = container.environment.len();
    facts.push(fact(
        "Environment",
        match env {
            0 => "no variables".to_owned(),
            1 => "1 variable".to_owned(),
            n => format!("{n} variables"),
        },
        (env > 0).then(|| {
            container
                .environment
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }),
    ));
    if let Some(secrets) = container.other.get("secrets").and_then(Value::as_array) {
        let names: Vec<String> = secrets
            .iter()
            .map(|s| {
                format!(
                    "{} from {}",
                    text(s, "name").unwrap_or("?"),
                    text(s, "valueFrom").unwrap_or("?")
                )
            })
            .collect();
        facts.push(fact(
            "Secrets",
            format!("{}", names.len()),
            Some(names.join("; ")),
        ));
    }
    if let Some(depends) = container.other.get("dependsOn").and_then(Value::as_array) {
        let words: Vec<String> = depends
            .iter()
            .map(|d| {
                format!(
                    "{} is {}",
                    text(d, "containerName").unwrap_or("?"),
                    text(d, "condition").unwrap_or("START")
                )
            })
            .collect();
        facts.push(fact("Starts after", words.join(", "), None));
    }
    if let Some(check) = container.other.get("healthCheck") {
        let command = check
            .get("command")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        let number =
            |key: &str, default: i64| check.get(key).and_then(Value::as_i64).unwrap_or(default);
        facts.push(fact(
            "Health check",
            command,
            Some(format!(
                "every {} s, {} s timeout, unhealthy after {} failures",
                number("interval", 30),
                number("timeout", 5),
                number("retries", 3)
            )),
        ));
    }
    if let Some(log) = container.other.get("logConfiguration") {
        let driver = text(log, "logDriver").unwrap_or("none");
        let options = log.get("options");
        let group = options.and_then(|o| text(o, "awslogs-group"));
        let region = options.and_then(|o| text(o, "awslogs-region"));
        facts.push(fact(
            "Logs",
            match group {
                Some(group) => format!("{driver} → {group}"),
                None => driver.to_owned(),
            },
            region.map(|r| format!("CloudWatch Logs in {r}")),
        ));
    }
    if let Some(command) = container.other.get("command").and_then(Value::as_array) {
        let words: Vec<&str> = command.iter().filter_map(Value::as_str).collect();
        facts.push(fact("Command", words.join(" "), None));
    }
    let ports = container
        .port_mappings
        .iter()
        .map(|port| {
            let protocol = port.protocol.as_deref().unwrap_or("tcp");
            let container_port = port
                .container_port
                .map(|p| p.to_string())
                .or_else(|| port.container_port_range.clone())
                .unwrap_or_else(|| "?".to_owned());
            let host = match port.host_port {
                Some(0) | None => "a dynamic host port".to_owned(),
                Some(p) => format!("host {p}"),
            };
            format!("{container_port}/{protocol} → {host}")
        })
        .collect();
    ContainerWords {
        name: container.name.clone(),
        image: container.image.clone(),
        essential: container.essential.unwrap_or(true),
        facts,
        ports,
    }
}

/// A volume in words: name and where its data lives.
pub fn volumes(definition: &TaskDefinition) -> Vec<Fact> {
    let Some(volumes) = definition.other.get("volumes").and_then(Value::as_array) else {
        return Vec::new();
    };
    volumes
        .iter()
        .map(|volume| {
            let name = text(volume, "name").unwrap_or("unnamed").to_owned();
            let (kind, note) = if let Some(efs) = volume.get("efsVolumeConfiguration") {
                let system = text(efs, "fileSystemId").unwrap_or("?");
                let root = text(efs, "rootDirectory").unwrap_or("/");
                let encrypted = text(efs, "transitEncryption") == Some("ENABLED");
                (
                    format!("EFS {system}, directory {root}"),
                    Some(if encrypted {
                        "Encrypted in transit".to_owned()
                    } else {
                        "Not encrypted in transit".to_owned()
                    }),
                )
            } else if let Some(path) = volume.get("host").and_then(|h| text(h, "sourcePath")) {
                (format!("Host path {path}"), None)
            } else if volume.get("dockerVolumeConfiguration").is_some() {
                ("Docker volume".to_owned(), None)
            } else {
                (
                    "Task scratch space".to_owned(),
                    Some("Deleted when the task stops".to_owned()),
                )
            };
            Fact {
                label: "Volume",
                value: format!("{name}: {kind}"),
                note,
            }
        })
        .collect()
}

/// What the comparison draws: a row of the diff, or a fold of unchanged rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffItem {
    /// `diff.rows[index]`.
    Row(usize),
    /// This many unchanged rows, hidden.
    Fold(usize),
}

/// The rows to draw: every changed row with `context` unchanged rows around it; longer
/// unchanged stretches become one [`DiffItem::Fold`].
pub fn fold_unchanged(diff: &Diff, context: usize) -> Vec<DiffItem> {
    let changed: Vec<bool> = diff
        .rows
        .iter()
        .map(|r| r.kind != crate::diff::RowKind::Same)
        .collect();
    let near = |i: usize| {
        let from = i.saturating_sub(context);
        let to = (i + context + 1).min(changed.len());
        changed[from..to].iter().any(|c| *c)
    };
    let mut items = Vec::new();
    let mut hidden = 0;
    for index in 0..changed.len() {
        if near(index) {
            if hidden > 0 {
                items.push(DiffItem::Fold(hidden));
                hidden = 0;
            }
            items.push(DiffItem::Row(index));
        } else {
            hidden += 1;
        }
    }
    if hidden > 0 {
        items.push(DiffItem::Fold(hidden));
    }
    items
}
