//! Task-definition validation: the rules `RegisterTaskDefinition` enforces, plus warnings for
//! what registers fine but is probably a mistake.
//!
//! Input is a raw [`serde_json::Value`] rather than [`crate::ecs::TaskDefinition`], so even a
//! wrongly-typed document (`"cpu": "lots"`, `"essential": "yes"`) gets located problems
//! instead of one serde failure. Every [`Problem`] carries the JSON path of the value
//! (`containerDefinitions[2].portMappings[0].hostPort`), a [`Severity`] and a sentence.
//!
//! Rules follow docs/ECS-MODEL.md §8 and the Fargate size table §7.1. Choices Berth makes where
//! AWS's documentation is unclear or silent:
//! - Container names must be unique within the task definition.
//! - Σ container `cpu` and Σ container memory reservations may *equal* the task-level value
//!   ("lower than" in the docs is read as "not above"; UNCONFIRMED). Exceeding is an error.
//!   The reservation of a container is `memoryReservation` when set, else `memory`. A sum of
//!   hard `memory` limits above the task memory is only a warning: it registers, but a
//!   container can never reach its limit.
//! - Task-level `cpu`/`memory` must be JSON strings, as in the API; a bare number is an error
//!   with a hint, because the AWS CLI rejects it.
//! - `awsvpc` on `EXTERNAL` and `ARM64` on Windows are errors (documented ECS limitations).
//! - The 64 KiB size limit is UNCONFIRMED in primary text, so exceeding it is a warning.
//! - `taskDefinitionArn`, `revision`, `status` and other fields `DescribeTaskDefinition` adds
//!   are ignored, so a described definition can be validated as it is.
//!
//! Warnings: no memory limit, an image with a `latest` or missing tag, Σ hard memory above the
//! task's, no log configuration, secret-looking plain environment variables, duplicate
//! environment names, volumes never mounted, Fargate pulling from ECR or logging to CloudWatch
//! without an execution role, placement constraints Fargate ignores, a health-check timeout
//! not shorter than its interval.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::size::{parse_cpu_units, parse_memory_mib};

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// ECS would reject the task definition (or the task could never start).
    Error,
    /// Legal, but likely not what was meant.
    Warning,
}

/// One finding about a task definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// JSON path of the value, e.g. `containerDefinitions[2].portMappings[0].hostPort`; `.`
    /// for the document as a whole.
    pub path: String,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in plain English.
    pub message: String,
}

/// The result of [`validate_task_definition`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationReport {
    /// True when there is no error (warnings allowed).
    pub valid: bool,
    /// Errors and warnings in document order.
    pub problems: Vec<Problem>,
}

/// Maximum container definitions per task definition (QUOTA, not adjustable).
pub const MAX_CONTAINERS: usize = 10;

const COMPATIBILITIES: [&str; 4] = ["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];
const NETWORK_MODES: [&str; 4] = ["bridge", "host", "awsvpc", "none"];
const OS_FAMILIES: [&str; 10] = [
    "LINUX",
    "WINDOWS_SERVER_2016_FULL",
    "WINDOWS_SERVER_2019_FULL",
    "WINDOWS_SERVER_2019_CORE",
    "WINDOWS_SERVER_2022_FULL",
    "WINDOWS_SERVER_2022_CORE",
    "WINDOWS_SERVER_2025_FULL",
    "WINDOWS_SERVER_2025_CORE",
    "WINDOWS_SERVER_2004_CORE",
    "WINDOWS_SERVER_20H2_CORE",
];
const LOG_DRIVERS: [&str; 9] = [
    "awslogs",
    "fluentd",
    "gelf",
    "json-file",
    "journald",
    "logentries",
    "splunk",
    "syslog",
    "awsfirelens",
];
const FARGATE_LOG_DRIVERS: [&str; 3] = ["awslogs", "splunk", "awsfirelens"];
const DEPENDENCY_CONDITIONS: [&str; 4] = ["START", "COMPLETE", "SUCCESS", "HEALTHY"];
const EC2_TASK_CPU: RangeInclusive<i64> = 128..=196_608;
const MAX_TASK_DEFINITION_BYTES: usize = 64 * 1024;
const MAX_TAGS: usize = 50;
const MAX_ENVIRONMENT_FILES: usize = 10;
const MAX_PLACEMENT_CONSTRAINTS: usize = 10;
const MIN_CONTAINER_MEMORY_MIB: i64 = 6;
const SECRET_LOOKING_NAMES: [&str; 6] = [
    "PASSWORD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
];

/// Whether `memory` MiB is a valid Fargate size for `cpu` units (docs/ECS-MODEL.md §7.1).
pub fn fargate_size_is_valid(cpu: i64, memory: i64) -> bool {
    let stepped =
        |range: RangeInclusive<i64>, step: i64| range.contains(&memory) && memory % step == 0;
    match cpu {
        256 => [512, 1024, 2048].contains(&memory),
        512 => stepped(1024..=4096, 1024),
        1024 => stepped(2048..=8192, 1024),
        2048 => stepped(4096..=16_384, 1024),
        4096 => stepped(8192..=30_720, 1024),
        8192 => stepped(16_384..=61_440, 4096),
        16_384 => stepped(32_768..=122_880, 8192),
        _ => false,
    }
}

/// Validates a task definition as given to `RegisterTaskDefinition` (or as returned by
/// `DescribeTaskDefinition`). Never fails: every problem, including wrong JSON types, is part
/// of the report.
pub fn validate_task_definition(definition: &Value) -> ValidationReport {
    let mut checker = Checker::default();
    match definition.as_object() {
        Some(task) => checker.task(task, definition),
        None => checker.error(".", "A task definition must be a JSON object."),
    }
    let valid = !checker
        .problems
        .iter()
        .any(|problem| problem.severity == Severity::Error);
    ValidationReport {
        valid,
        problems: checker.problems,
    }
}

/// What the task-level fields say, needed by the container rules.
#[derive(Debug, Default)]
struct TaskContext {
    fargate: bool,
    ec2_like: bool,
    windows: bool,
    /// Effective network mode (`bridge` when omitted on Linux, `default` on Windows).
    network_mode: String,
    cpu: Option<i64>,
    memory: Option<i64>,
    has_execution_role: bool,
    volume_names: BTreeSet<String>,
}

/// What one container declared, for the cross-container rules.
#[derive(Debug, Default)]
struct ContainerFacts {
    path: String,
    name: Option<String>,
    essential: bool,
    has_health_check: bool,
    cpu: Option<i64>,
    memory: Option<i64>,
    memory_reservation: Option<i64>,
    /// (path, containerName, condition) of each dependsOn entry.
    depends_on: Vec<(String, String, String)>,
    /// (path, protocol, host port) of static host ports.
    host_ports: Vec<(String, String, i64)>,
    /// (path, protocol, container port).
    container_ports: Vec<(String, String, i64)>,
    /// (path, target name) of links and volumesFrom.
    references: Vec<(String, String)>,
    mounted_volumes: Vec<String>,
}

#[derive(Debug, Default)]
struct Checker {
    problems: Vec<Problem>,
}

fn at(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_owned()
    } else {
        format!("{base}.{key}")
    }
}

fn index(base: &str, position: usize) -> String {
    format!("{base}[{position}]")
}

/// A field, with JSON `null` treated as absent.
fn field<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|value| !value.is_null())
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn one_of(allowed: &[&str]) -> String {
    allowed
        .iter()
        .map(|value| format!("\"{value}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Checker {
    fn push(&mut self, path: &str, severity: Severity, message: String) {
        self.problems.push(Problem {
            path: if path.is_empty() {
                ".".to_owned()
            } else {
                path.to_owned()
            },
            severity,
            message,
        });
    }

    fn error(&mut self, path: &str, message: impl Into<String>) {
        self.push(path, Severity::Error, message.into());
    }

    fn warning(&mut self, path: &str, message: impl Into<String>) {
        self.push(path, Severity::Warning, message.into());
    }

    fn wrong_type(&mut self, path: &str, expected: &str, value: &Value) {
        self.error(
            path,
            format!("Must be {expected}, but it is {}.", describe(value)),
        );
    }

    fn string<'a>(&mut self, value: Option<&'a Value>, path: &str) -> Option<&'a str> {
        let value = value?;
        let text = value.as_str();
        if text.is_none() {
            self.wrong_type(path, "a string", value);
        }
        text
    }

    fn integer(&mut self, value: Option<&Value>, path: &str) -> Option<i64> {
        let value = value?;
        let number = value.as_i64();
        if number.is_none() {
            self.wrong_type(path, "a whole number", value);
        }
        number
    }

    fn integer_in(
        &mut self,
        value: Option<&Value>,
        path: &str,
        range: RangeInclusive<i64>,
        unit: &str,
    ) -> Option<i64> {
        let number = self.integer(value, path)?;
        if !range.contains(&number) {
            self.error(
                path,
                format!(
                    "Must be between {} and {}{unit}; it is {number}.",
                    range.start(),
                    range.end()
                ),
            );
        }
        Some(number)
    }

    fn boolean(&mut self, value: Option<&Value>, path: &str) -> Option<bool> {
        let value = value?;
        let flag = value.as_bool();
        if flag.is_none() {
            self.wrong_type(path, "true or false", value);
        }
        flag
    }

    fn array<'a>(&mut self, value: Option<&'a Value>, path: &str) -> Option<&'a Vec<Value>> {
        let value = value?;
        let list = value.as_array();
        if list.is_none() {
            self.wrong_type(path, "a list", value);
        }
        list
    }

    fn object<'a>(
        &mut self,
        value: Option<&'a Value>,
        path: &str,
    ) -> Option<&'a Map<String, Value>> {
        let value = value?;
        let object = value.as_object();
        if object.is_none() {
            self.wrong_type(path, "an object", value);
        }
        object
    }

    /// A string that must be one of `allowed`.
    fn choice<'a>(
        &mut self,
        value: Option<&'a Value>,
        path: &str,
        allowed: &[&str],
    ) -> Option<&'a str> {
        let text = self.string(value, path)?;
        if allowed.contains(&text) {
            Some(text)
        } else {
            self.error(
                path,
                format!(
                    "{text:?} is not allowed here; use one of {}.",
                    one_of(allowed)
                ),
            );
            None
        }
    }

    /// A name of letters, digits, `_` and `-`, 1–255 characters.
    fn resource_name(&mut self, value: Option<&Value>, path: &str, what: &str) -> Option<String> {
        let Some(name) = self.string(value, path) else {
            if value.is_none() {
                self.error(path, format!("The {what} is required."));
            }
            return None;
        };
        if name.is_empty() || name.chars().count() > 255 {
            self.error(
                path,
                format!("The {what} must be 1 to 255 characters long."),
            );
        } else if !name.chars().all(is_name_char) {
            self.error(
                path,
                format!(
                    "The {what} {name:?} may contain only letters, digits, underscores (_) and hyphens (-)."
                ),
            );
        }
        Some(name.to_owned())
    }

    fn task(&mut self, task: &Map<String, Value>, whole: &Value) {
        self.resource_name(field(task, "family"), "family", "family");
        let context = self.task_context(task);
        let containers = self.containers(task, &context);
        self.cross_container_rules(&containers, &context);
        self.volumes(task, &context, &containers);
        self.task_options(task, &context);
        let size = serde_json::to_string(whole).map_or(0, |text| text.len());
        if size > MAX_TASK_DEFINITION_BYTES {
            self.warning(
                ".",
                format!(
                    "The task definition is {size} bytes; ECS limits a task definition to 64 KiB."
                ),
            );
        }
    }

    fn task_context(&mut self, task: &Map<String, Value>) -> TaskContext {
        let mut context = TaskContext::default();
        let mut compatibilities = BTreeSet::new();
        if let Some(list) = self.array(
            field(task, "requiresCompatibilities"),
            "requiresCompatibilities",
        ) {
            for (position, item) in list.iter().enumerate() {
                let path = index("requiresCompatibilities", position);
                if let Some(kind) = self.choice(Some(item), &path, &COMPATIBILITIES) {
                    compatibilities.insert(kind);
                }
            }
        }
        context.fargate = compatibilities.contains("FARGATE");
        let external = compatibilities.contains("EXTERNAL");
        context.ec2_like = !context.fargate || compatibilities.len() > 1;

        if let Some(platform) = self.object(field(task, "runtimePlatform"), "runtimePlatform") {
            let family = self.choice(
                field(platform, "operatingSystemFamily"),
                "runtimePlatform.operatingSystemFamily",
                &OS_FAMILIES,
            );
            context.windows = family.is_some_and(|family| family.starts_with("WINDOWS"));
            let architecture = self.choice(
                field(platform, "cpuArchitecture"),
                "runtimePlatform.cpuArchitecture",
                &["X86_64", "ARM64"],
            );
            if context.windows && architecture == Some("ARM64") {
                self.error(
                    "runtimePlatform.cpuArchitecture",
                    "Windows containers run only on X86_64; ECS has no ARM64 Windows platform.",
                );
            }
        }

        let mode = self.choice(field(task, "networkMode"), "networkMode", &NETWORK_MODES);
        context.network_mode = match mode {
            Some(mode) => mode.to_owned(),
            None if context.windows => "default".to_owned(),
            None => "bridge".to_owned(),
        };
        let mode_path = if field(task, "networkMode").is_some() {
            "networkMode"
        } else {
            "."
        };
        if context.fargate && context.network_mode != "awsvpc" {
            self.error(
                mode_path,
                format!(
                    "FARGATE requires networkMode \"awsvpc\"; this task definition uses {:?}.",
                    context.network_mode
                ),
            );
        }
        if context.windows && !matches!(context.network_mode.as_str(), "default" | "awsvpc") {
            self.error(
                mode_path,
                "Windows tasks support only the default (NAT) network mode or \"awsvpc\".",
            );
        }
        if external && context.network_mode == "awsvpc" {
            self.error(
                mode_path,
                "EXTERNAL (ECS Anywhere) instances do not support networkMode \"awsvpc\".",
            );
        }

        context.cpu = self.task_size(task, "cpu", parse_cpu_units);
        context.memory = self.task_size(task, "memory", parse_memory_mib);
        if let Some(cpu) = context.cpu
            && !context.fargate
            && !EC2_TASK_CPU.contains(&cpu)
        {
            self.error(
                "cpu",
                format!("Task-level cpu must be between 128 and 196608 units; it is {cpu}."),
            );
        }
        if context.fargate {
            self.fargate_size(&context, task);
        }
        if let Some(volumes) = field(task, "volumes").and_then(Value::as_array) {
            context.volume_names = volumes
                .iter()
                .filter_map(|volume| Some(volume.get("name")?.as_str()?.to_owned()))
                .collect();
        }
        context.has_execution_role = self
            .string(field(task, "executionRoleArn"), "executionRoleArn")
            .is_some_and(|role| !role.is_empty());
        self.string(field(task, "taskRoleArn"), "taskRoleArn");
        context
    }

    fn task_size(
        &mut self,
        task: &Map<String, Value>,
        key: &str,
        parse: fn(&str) -> Result<i64, String>,
    ) -> Option<i64> {
        let value = field(task, key)?;
        let Some(text) = value.as_str() else {
            let hint = match value {
                Value::Number(number) => format!(" Write it as a string: \"{number}\"."),
                _ => String::new(),
            };
            self.error(
                key,
                format!(
                    "Task-level {key} must be a string, but it is {}.{hint}",
                    describe(value)
                ),
            );
            return None;
        };
        match parse(text) {
            Ok(amount) => Some(amount),
            Err(message) => {
                self.error(key, format!("{}.", capitalize(&message)));
                None
            }
        }
    }

    fn fargate_size(&mut self, context: &TaskContext, task: &Map<String, Value>) {
        let (Some(cpu), Some(memory)) = (context.cpu, context.memory) else {
            for key in ["cpu", "memory"] {
                if field(task, key).is_none() {
                    self.error(key, format!("FARGATE requires a task-level {key}."));
                }
            }
            return;
        };
        if !fargate_size_is_valid(cpu, memory) {
            self.error(
                "memory",
                format!(
                    "Fargate has no task size with {cpu} CPU units and {memory} MiB. {}",
                    fargate_hint(cpu)
                ),
            );
        }
        if context.windows && cpu < 1024 {
            self.error(
                "cpu",
                "Windows tasks on Fargate need at least 1 vCPU (1024 units).",
            );
        }
        if context.windows && cpu > 4096 {
            self.error("cpu", "Fargate offers 8 and 16 vCPU only for Linux tasks.");
        }
    }

    fn containers(
        &mut self,
        task: &Map<String, Value>,
        context: &TaskContext,
    ) -> Vec<ContainerFacts> {
        let path = "containerDefinitions";
        let Some(list) = self.array(field(task, path), path) else {
            if field(task, path).is_none() {
                self.error(path, "At least one container definition is required.");
            }
            return Vec::new();
        };
        if list.is_empty() {
            self.error(path, "At least one container definition is required.");
        }
        if list.len() > MAX_CONTAINERS {
            self.error(
                path,
                format!(
                    "A task definition may hold at most {MAX_CONTAINERS} containers; this one has {}.",
                    list.len()
                ),
            );
        }
        list.iter()
            .enumerate()
            .filter_map(|(position, item)| {
                let path = index(path, position);
                let container = self.object(Some(item), &path)?;
                Some(self.container(container, path, context))
            })
            .collect()
    }

    fn container(
        &mut self,
        container: &Map<String, Value>,
        path: String,
        context: &TaskContext,
    ) -> ContainerFacts {
        let mut facts = ContainerFacts {
            name: self.resource_name(
                field(container, "name"),
                &at(&path, "name"),
                "container name",
            ),
            essential: self
                .boolean(field(container, "essential"), &at(&path, "essential"))
                .unwrap_or(true),
            ..ContainerFacts::default()
        };
        self.image(container, &path, context);
        facts.cpu = self.integer_in(
            field(container, "cpu"),
            &at(&path, "cpu"),
            0..=i64::from(u32::MAX),
            " units",
        );
        self.container_memory(container, &path, context, &mut facts);
        self.port_mappings(container, &path, context, &mut facts);
        facts.has_health_check = self.health_check(container, &path);
        self.dependencies(container, &path, &mut facts);
        self.links_and_mounts(container, &path, context, &mut facts);
        self.log_configuration(container, &path, context);
        self.environment(container, &path, context);
        self.timeouts_and_resources(container, &path, context);
        facts.path = path;
        facts
    }

    fn image(&mut self, container: &Map<String, Value>, path: &str, context: &TaskContext) {
        let path = at(path, "image");
        let Some(image) = self.string(field(container, "image"), &path) else {
            if field(container, "image").is_none() {
                self.error(&path, "The image is required.");
            }
            return;
        };
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-_:./#@".contains(c);
        if image.is_empty() || image.len() > 255 {
            self.error(&path, "The image must be 1 to 255 characters long.");
            return;
        }
        if let Some(bad) = image.chars().find(|c| !allowed(*c)) {
            self.error(
                &path,
                format!("The image {image:?} contains {bad:?}; use letters, digits and - _ : . / # @ only."),
            );
            return;
        }
        if !image.contains('@') {
            let last_segment = image.rsplit('/').next().unwrap_or(image);
            match last_segment.split_once(':') {
                Some((_, "latest")) => self.warning(
                    &path,
                    format!("{image:?} uses the \"latest\" tag, so each new task may run a different image; pin a version tag or a digest."),
                ),
                None => self.warning(
                    &path,
                    format!("{image:?} has no tag, so ECS pulls \"latest\" and each new task may run a different image; pin a version tag or a digest."),
                ),
                Some(_) => {}
            }
        }
        if context.fargate && !context.has_execution_role && image.contains(".dkr.ecr.") {
            self.warning(
                &path,
                "Fargate pulls private ECR images with the task execution role, but executionRoleArn is not set.",
            );
        }
    }

    fn container_memory(
        &mut self,
        container: &Map<String, Value>,
        path: &str,
        context: &TaskContext,
        facts: &mut ContainerFacts,
    ) {
        let memory_path = at(path, "memory");
        let reservation_path = at(path, "memoryReservation");
        facts.memory = self.integer(field(container, "memory"), &memory_path);
        facts.memory_reservation =
            self.integer(field(container, "memoryReservation"), &reservation_path);
        for (value, field_path) in [
            (facts.memory, &memory_path),
            (facts.memory_reservation, &reservation_path),
        ] {
            if let Some(mib) = value
                && mib < MIN_CONTAINER_MEMORY_MIB
            {
                self.error(
                    field_path,
                    format!("{mib} MiB is below Docker's minimum of {MIN_CONTAINER_MEMORY_MIB} MiB for a container."),
                );
            }
        }
        if let (Some(memory), Some(reservation)) = (facts.memory, facts.memory_reservation)
            && memory <= reservation
        {
            self.error(
                &memory_path,
                format!("memory ({memory} MiB) must be greater than memoryReservation ({reservation} MiB)."),
            );
        }
        if context.windows && facts.memory_reservation.is_some() {
            self.error(
                &reservation_path,
                "memoryReservation is not supported for Windows containers.",
            );
        }
        if context.memory.is_none() {
            match (facts.memory, facts.memory_reservation) {
                (None, None) if !context.fargate => self.error(
                    path,
                    "Without a task-level memory, every container needs memory or memoryReservation.",
                ),
                (None, Some(_)) => self.warning(
                    &memory_path,
                    "No hard memory limit and no task-level memory: this container can use all free memory on its instance.",
                ),
                _ => {}
            }
        }
    }

    fn port_mappings(
        &mut self,
        container: &Map<String, Value>,
        path: &str,
        context: &TaskContext,
        facts: &mut ContainerFacts,
    ) {
        let list_path = at(path, "portMappings");
        let Some(list) = self.array(field(container, "portMappings"), &list_path) else {
            return;
        };
        if context.network_mode == "none" && !list.is_empty() {
            self.error(&list_path, "networkMode \"none\" allows no port mappings.");
            return;
        }
        for (position, item) in list.iter().enumerate() {
            let path = index(&list_path, position);
            let Some(mapping) = self.object(Some(item), &path) else {
                continue;
            };
            let protocol = self
                .choice(
                    field(mapping, "protocol"),
                    &at(&path, "protocol"),
                    &["tcp", "udp"],
                )
                .unwrap_or("tcp")
                .to_owned();
            self.choice(
                field(mapping, "appProtocol"),
                &at(&path, "appProtocol"),
                &["http", "http2", "grpc"],
            );
            self.string(field(mapping, "name"), &at(&path, "name"));
            let container_port = self.integer_in(
                field(mapping, "containerPort"),
                &at(&path, "containerPort"),
                1..=65_535,
                "",
            );
            let range = self.port_range(mapping, &path, context);
            if range && container_port.is_some() {
                self.error(
                    &at(&path, "containerPortRange"),
                    "Set either containerPort or containerPortRange, not both.",
                );
            }
            if !range && container_port.is_none() && field(mapping, "containerPort").is_none() {
                self.error(
                    &at(&path, "containerPort"),
                    "A port mapping needs a containerPort.",
                );
            }
            let host_path = at(&path, "hostPort");
            let host_port = self.integer_in(field(mapping, "hostPort"), &host_path, 0..=65_535, "");
            if range && host_port.is_some() {
                self.error(
                    &host_path,
                    "hostPort cannot be set together with containerPortRange.",
                );
            }
            if let Some(container_port) = container_port {
                facts
                    .container_ports
                    .push((path.clone(), protocol.clone(), container_port));
            }
            match context.network_mode.as_str() {
                "host" | "awsvpc" => {
                    if let (Some(host), Some(port)) = (host_port, container_port)
                        && host != port
                        && host != 0
                    {
                        self.error(
                            &host_path,
                            format!(
                                "In {:?} network mode hostPort must be omitted or equal containerPort ({port}).",
                                context.network_mode
                            ),
                        );
                    }
                    if context.network_mode == "host"
                        && let Some(port) = host_port.filter(|p| *p > 0).or(container_port)
                    {
                        facts
                            .host_ports
                            .push((path.clone(), protocol.clone(), port));
                    }
                }
                _ => {
                    if let Some(host) = host_port.filter(|port| *port > 0) {
                        facts
                            .host_ports
                            .push((path.clone(), protocol.clone(), host));
                    }
                }
            }
        }
    }

    /// Checks `containerPortRange`; returns whether one is set.
    fn port_range(
        &mut self,
        mapping: &Map<String, Value>,
        path: &str,
        context: &TaskContext,
    ) -> bool {
        let range_path = at(path, "containerPortRange");
        let Some(text) = self.string(field(mapping, "containerPortRange"), &range_path) else {
            return false;
        };
        if !matches!(context.network_mode.as_str(), "bridge" | "awsvpc") {
            self.error(
                &range_path,
                "containerPortRange is supported only in bridge and awsvpc network modes.",
            );
        }
        let bounds = text.split_once('-').and_then(|(first, last)| {
            Some((
                first.trim().parse::<i64>().ok()?,
                last.trim().parse::<i64>().ok()?,
            ))
        });
        match bounds {
            Some((first, last)) if (1..=65_535).contains(&first) && (1..=65_535).contains(&last) && first < last => {}
            _ => self.error(
                &range_path,
                format!("{text:?} is not a port range; write \"first-last\" with 1 ≤ first < last ≤ 65535."),
            ),
        }
        true
    }

    /// Checks `healthCheck`; returns whether one is set.
    fn health_check(&mut self, container: &Map<String, Value>, path: &str) -> bool {
        let path = at(path, "healthCheck");
        let Some(check) = self.object(field(container, "healthCheck"), &path) else {
            return false;
        };
        let command_path = at(&path, "command");
        match self.array(field(check, "command"), &command_path) {
            Some(command) => {
                let words: Vec<&str> = command.iter().filter_map(Value::as_str).collect();
                if words.len() != command.len() {
                    self.error(
                        &command_path,
                        "Every element of the health-check command must be a string.",
                    );
                } else if !matches!(words.first(), Some(&("CMD" | "CMD-SHELL"))) || words.len() < 2
                {
                    self.error(
                        &command_path,
                        "The health-check command must start with \"CMD\" or \"CMD-SHELL\" followed by the command, e.g. [\"CMD-SHELL\", \"curl -f http://localhost/ || exit 1\"].",
                    );
                }
            }
            None if field(check, "command").is_none() => {
                self.error(&command_path, "A health check needs a command.");
            }
            None => {}
        }
        let interval = self.integer_in(
            field(check, "interval"),
            &at(&path, "interval"),
            5..=300,
            " seconds",
        );
        let timeout = self.integer_in(
            field(check, "timeout"),
            &at(&path, "timeout"),
            2..=60,
            " seconds",
        );
        self.integer_in(field(check, "retries"), &at(&path, "retries"), 1..=10, "");
        self.integer_in(
            field(check, "startPeriod"),
            &at(&path, "startPeriod"),
            0..=300,
            " seconds",
        );
        let interval = interval.unwrap_or(30);
        let timeout = timeout.unwrap_or(5);
        if timeout >= interval {
            self.warning(
                &at(&path, "timeout"),
                format!("The timeout ({timeout} s) is not shorter than the interval ({interval} s), so checks can overlap."),
            );
        }
        true
    }

    fn dependencies(
        &mut self,
        container: &Map<String, Value>,
        path: &str,
        facts: &mut ContainerFacts,
    ) {
        let list_path = at(path, "dependsOn");
        let Some(list) = self.array(field(container, "dependsOn"), &list_path) else {
            return;
        };
        for (position, item) in list.iter().enumerate() {
            let path = index(&list_path, position);
            let Some(dependency) = self.object(Some(item), &path) else {
                continue;
            };
            let name_path = at(&path, "containerName");
            let name = self.string(field(dependency, "containerName"), &name_path);
            if field(dependency, "containerName").is_none() {
                self.error(
                    &name_path,
                    "dependsOn needs the containerName it waits for.",
                );
            }
            let condition_path = at(&path, "condition");
            let condition = self.choice(
                field(dependency, "condition"),
                &condition_path,
                &DEPENDENCY_CONDITIONS,
            );
            if field(dependency, "condition").is_none() {
                self.error(
                    &condition_path,
                    format!(
                        "dependsOn needs a condition: one of {}.",
                        one_of(&DEPENDENCY_CONDITIONS)
                    ),
                );
            }
            if let (Some(name), Some(condition)) = (name, condition) {
                facts
                    .depends_on
                    .push((path, name.to_owned(), condition.to_owned()));
            }
        }
    }

    fn links_and_mounts(
        &mut self,
        container: &Map<String, Value>,
        path: &str,
        context: &TaskContext,
        facts: &mut ContainerFacts,
    ) {
        let links_path = at(path, "links");
        if let Some(links) = self.array(field(container, "links"), &links_path) {
            if !links.is_empty() && context.network_mode != "bridge" {
                self.error(&links_path, "links work only in the bridge network mode.");
            }
            for (position, link) in links.iter().enumerate() {
                let link_path = index(&links_path, position);
                if let Some(link) = self.string(Some(link), &link_path) {
                    let target = link.split(':').next().unwrap_or(link);
                    facts.references.push((link_path, target.to_owned()));
                }
            }
        }
        let from_path = at(path, "volumesFrom");
        if let Some(list) = self.array(field(container, "volumesFrom"), &from_path) {
            for (position, item) in list.iter().enumerate() {
                let item_path = index(&from_path, position);
                let Some(source) = self.object(Some(item), &item_path) else {
                    continue;
                };
                let source_path = at(&item_path, "sourceContainer");
                match self.string(field(source, "sourceContainer"), &source_path) {
                    Some(name) => facts.references.push((source_path, name.to_owned())),
                    None if field(source, "sourceContainer").is_none() => {
                        self.error(&source_path, "volumesFrom needs a sourceContainer.");
                    }
                    None => {}
                }
                self.boolean(field(source, "readOnly"), &at(&item_path, "readOnly"));
            }
        }
        let mounts_path = at(path, "mountPoints");
        if let Some(list) = self.array(field(container, "mountPoints"), &mounts_path) {
            for (position, item) in list.iter().enumerate() {
                let item_path = index(&mounts_path, position);
                let Some(mount) = self.object(Some(item), &item_path) else {
                    continue;
                };
                let volume_path = at(&item_path, "sourceVolume");
                match self.string(field(mount, "sourceVolume"), &volume_path) {
                    Some(volume) => {
                        if !context.volume_names.contains(volume) {
                            self.error(
                                &volume_path,
                                format!("No volume named {volume:?} is declared in volumes."),
                            );
                        }
                        facts.mounted_volumes.push(volume.to_owned());
                    }
                    None if field(mount, "sourceVolume").is_none() => {
                        self.error(&volume_path, "A mount point needs a sourceVolume.");
                    }
                    None => {}
                }
                let container_path = at(&item_path, "containerPath");
                if self
                    .string(field(mount, "containerPath"), &container_path)
                    .is_none()
                    && field(mount, "containerPath").is_none()
                {
                    self.error(&container_path, "A mount point needs a containerPath.");
                }
                self.boolean(field(mount, "readOnly"), &at(&item_path, "readOnly"));
            }
        }
    }

    fn log_configuration(
        &mut self,
        container: &Map<String, Value>,
        path: &str,
        context: &TaskContext,
    ) {
        let log_path = at(path, "logConfiguration");
        let Some(log) = self.object(field(container, "logConfiguration"), &log_path) else {
            if field(container, "logConfiguration").is_none() {
                self.warning(
                    &log_path,
                    "No logConfiguration: this container's output will not be readable from ECS or CloudWatch.",
                );
            }
            return;
        };
        let driver_path = at(&log_path, "logDriver");
        let driver = self.choice(field(log, "logDriver"), &driver_path, &LOG_DRIVERS);
        if field(log, "logDriver").is_none() {
            self.error(&driver_path, "A log configuration needs a logDriver.");
        }
        if context.fargate
            && let Some(driver) = driver
            && !FARGATE_LOG_DRIVERS.contains(&driver)
        {
            self.error(
                &driver_path,
                format!(
                    "Fargate supports only the {} log drivers, not {driver:?}.",
                    one_of(&FARGATE_LOG_DRIVERS)
                ),
            );
        }
        let options_path = at(&log_path, "options");
        let options = self.object(field(log, "options"), &options_path);
        if let Some(options) = options {
            for (key, value) in options {
                if !value.is_string() {
                    self.wrong_type(&at(&options_path, key), "a string", value);
                }
            }
        }
        if driver == Some("awslogs") {
            for key in ["awslogs-group", "awslogs-region"] {
                if options.is_none_or(|options| field(options, key).is_none()) {
                    self.warning(
                        &options_path,
                        format!("The awslogs driver needs the {key:?} option."),
                    );
                }
            }
            if context.fargate && !context.has_execution_role {
                self.warning(
                    &driver_path,
                    "Fargate sends awslogs output with the task execution role, but executionRoleArn is not set.",
                );
            }
        }
        let secrets_path = at(&log_path, "secretOptions");
        if let Some(secrets) = self.array(field(log, "secretOptions"), &secrets_path)
            && !secrets.is_empty()
            && !context.has_execution_role
        {
            self.error(
                &secrets_path,
                "secretOptions need a task execution role (executionRoleArn).",
            );
        }
    }

    fn environment(&mut self, container: &Map<String, Value>, path: &str, context: &TaskContext) {
        let mut names = BTreeSet::new();
        let environment_path = at(path, "environment");
        if let Some(list) = self.array(field(container, "environment"), &environment_path) {
            for (position, item) in list.iter().enumerate() {
                let item_path = index(&environment_path, position);
                let Some(variable) = self.object(Some(item), &item_path) else {
                    continue;
                };
                let name_path = at(&item_path, "name");
                let name = self.string(field(variable, "name"), &name_path);
                if field(variable, "name").is_none() {
                    self.error(&name_path, "An environment variable needs a name.");
                }
                let value_path = at(&item_path, "value");
                if let Some(value) = field(variable, "value")
                    && !value.is_string()
                {
                    self.error(
                        &value_path,
                        format!(
                            "Environment values must be strings, but this is {}; quote it.",
                            describe(value)
                        ),
                    );
                }
                let Some(name) = name else { continue };
                if !names.insert(name.to_owned()) {
                    self.warning(
                        &name_path,
                        format!("{name:?} is set more than once; only one value will be used."),
                    );
                }
                let upper = name.to_ascii_uppercase();
                if SECRET_LOOKING_NAMES.iter().any(|word| upper.contains(word))
                    && field(variable, "value")
                        .and_then(Value::as_str)
                        .is_some_and(|v| !v.is_empty())
                {
                    self.warning(
                        &value_path,
                        format!("{name:?} looks like a secret in plain text; anyone who can describe the task definition can read it. Use secrets with Secrets Manager or SSM instead."),
                    );
                }
            }
        }
        let files_path = at(path, "environmentFiles");
        if let Some(files) = self.array(field(container, "environmentFiles"), &files_path) {
            if files.len() > MAX_ENVIRONMENT_FILES {
                self.error(
                    &files_path,
                    format!("At most {MAX_ENVIRONMENT_FILES} environment files are allowed."),
                );
            }
            for (position, item) in files.iter().enumerate() {
                let item_path = index(&files_path, position);
                let Some(file) = self.object(Some(item), &item_path) else {
                    continue;
                };
                let value_path = at(&item_path, "value");
                match self.string(field(file, "value"), &value_path) {
                    Some(arn) if !arn.ends_with(".env") => self.error(
                        &value_path,
                        "An environment file must be an S3 object whose name ends in \".env\".",
                    ),
                    None if field(file, "value").is_none() => {
                        self.error(
                            &value_path,
                            "An environment file needs the S3 object ARN in value.",
                        );
                    }
                    _ => {}
                }
                self.choice(field(file, "type"), &at(&item_path, "type"), &["s3"]);
            }
        }
        let secrets_path = at(path, "secrets");
        if let Some(secrets) = self.array(field(container, "secrets"), &secrets_path) {
            if !secrets.is_empty() && !context.has_execution_role {
                self.error(
                    &secrets_path,
                    "Secrets are fetched with the task execution role; set executionRoleArn.",
                );
            }
            for (position, item) in secrets.iter().enumerate() {
                let item_path = index(&secrets_path, position);
                let Some(secret) = self.object(Some(item), &item_path) else {
                    continue;
                };
                for key in ["name", "valueFrom"] {
                    let key_path = at(&item_path, key);
                    let text = self.string(field(secret, key), &key_path);
                    if field(secret, key).is_none() || text == Some("") {
                        self.error(&key_path, format!("A secret needs a {key}."));
                    }
                }
                if let Some(name) = field(secret, "name").and_then(Value::as_str)
                    && names.contains(name)
                {
                    self.warning(
                        &at(&item_path, "name"),
                        format!("{name:?} is both a plain environment variable and a secret."),
                    );
                }
            }
        }
    }

    fn timeouts_and_resources(
        &mut self,
        container: &Map<String, Value>,
        path: &str,
        context: &TaskContext,
    ) {
        let timeout_range = if context.fargate {
            2..=120
        } else {
            0..=i64::from(u32::MAX)
        };
        for key in ["startTimeout", "stopTimeout"] {
            self.integer_in(
                field(container, key),
                &at(path, key),
                timeout_range.clone(),
                " seconds",
            );
        }
        let list_path = at(path, "resourceRequirements");
        if let Some(list) = self.array(field(container, "resourceRequirements"), &list_path) {
            for (position, item) in list.iter().enumerate() {
                let item_path = index(&list_path, position);
                let Some(requirement) = self.object(Some(item), &item_path) else {
                    continue;
                };
                let kind = self.choice(
                    field(requirement, "type"),
                    &at(&item_path, "type"),
                    &["GPU", "InferenceAccelerator"],
                );
                self.string(field(requirement, "value"), &at(&item_path, "value"));
                if kind == Some("GPU") && (context.fargate || context.windows) {
                    self.error(
                        &item_path,
                        "GPUs are not available on Fargate or for Windows containers.",
                    );
                }
            }
        }
    }

    fn cross_container_rules(&mut self, containers: &[ContainerFacts], context: &TaskContext) {
        if !containers.is_empty() && !containers.iter().any(|c| c.essential) {
            self.error(
                "containerDefinitions",
                "At least one container must be essential.",
            );
        }
        let mut by_name: BTreeMap<&str, &ContainerFacts> = BTreeMap::new();
        for container in containers {
            if let Some(name) = &container.name
                && by_name.insert(name, container).is_some()
            {
                self.error(
                    &at(&container.path, "name"),
                    format!("Another container is already named {name:?}."),
                );
            }
        }
        for container in containers {
            for (path, target) in &container.references {
                if !by_name.contains_key(target.as_str()) {
                    self.error(path, format!("No container is named {target:?}."));
                }
            }
            for (path, target_name, condition) in &container.depends_on {
                let name_path = at(path, "containerName");
                let Some(target) = by_name.get(target_name.as_str()) else {
                    self.error(
                        &name_path,
                        format!("No container is named {target_name:?}."),
                    );
                    continue;
                };
                if container.name.as_deref() == Some(target_name) {
                    self.error(&name_path, "A container cannot depend on itself.");
                } else if matches!(condition.as_str(), "COMPLETE" | "SUCCESS") && target.essential {
                    self.error(
                        &at(path, "condition"),
                        format!("{condition} waits for {target_name:?} to exit, but it is essential and its exit stops the task; mark it \"essential\": false."),
                    );
                } else if condition == "HEALTHY" && !target.has_health_check {
                    self.error(
                        &at(path, "condition"),
                        format!("HEALTHY needs a healthCheck on {target_name:?}, which has none."),
                    );
                }
            }
        }
        self.dependency_cycles(containers, &by_name);
        self.resource_sums(containers, context);
        self.port_conflicts(containers, context);
    }

    fn dependency_cycles(
        &mut self,
        containers: &[ContainerFacts],
        by_name: &BTreeMap<&str, &ContainerFacts>,
    ) {
        // Depth-first search; 1 = on the current path, 2 = finished.
        let mut state: BTreeMap<&str, u8> = BTreeMap::new();
        fn visit<'a>(
            name: &'a str,
            by_name: &BTreeMap<&'a str, &'a ContainerFacts>,
            state: &mut BTreeMap<&'a str, u8>,
        ) -> bool {
            match state.get(name) {
                Some(1) => return true,
                Some(_) => return false,
                None => {}
            }
            state.insert(name, 1);
            let found = by_name.get(name).is_some_and(|container| {
                container
                    .depends_on
                    .iter()
                    .filter(|(_, target, _)| target != name)
                    .any(|(_, target, _)| visit(target, by_name, state))
            });
            state.insert(name, 2);
            found
        }
        for container in containers {
            let Some(name) = container.name.as_deref() else {
                continue;
            };
            if state.contains_key(name) {
                continue;
            }
            if visit(name, by_name, &mut state) {
                self.error(
                    &at(&container.path, "dependsOn"),
                    "The dependsOn conditions form a cycle, so none of these containers could start.",
                );
            }
        }
    }

    fn resource_sums(&mut self, containers: &[ContainerFacts], context: &TaskContext) {
        let reserved: i64 = containers
            .iter()
            .filter_map(|c| c.memory_reservation.or(c.memory))
            .sum();
        let hard: i64 = containers.iter().filter_map(|c| c.memory).sum();
        if let Some(task_memory) = context.memory {
            if reserved > task_memory {
                self.error(
                    "memory",
                    format!("The containers reserve {reserved} MiB in total, more than the task's {task_memory} MiB."),
                );
            } else if hard > task_memory {
                self.warning(
                    "memory",
                    format!("The containers' hard memory limits add up to {hard} MiB, more than the task's {task_memory} MiB; they can never all be reached."),
                );
            }
        }
        let cpu: i64 = containers.iter().filter_map(|c| c.cpu).sum();
        if let Some(task_cpu) = context.cpu
            && cpu > task_cpu
        {
            self.error(
                "cpu",
                format!("The containers ask for {cpu} CPU units in total, more than the task's {task_cpu}."),
            );
        }
    }

    fn port_conflicts(&mut self, containers: &[ContainerFacts], context: &TaskContext) {
        let mut seen_host = BTreeSet::new();
        for (path, protocol, port) in containers.iter().flat_map(|c| &c.host_ports) {
            if !seen_host.insert((protocol.clone(), *port)) {
                self.error(
                    &at(path, "hostPort"),
                    format!("Host port {port}/{protocol} is already used by another mapping in this task."),
                );
            }
        }
        if matches!(context.network_mode.as_str(), "awsvpc" | "host") {
            let mut seen = BTreeSet::new();
            for (path, protocol, port) in containers.iter().flat_map(|c| &c.container_ports) {
                if !seen.insert((protocol.clone(), *port)) {
                    self.error(
                        &at(path, "containerPort"),
                        format!("Containers share one network namespace in {:?} mode, and port {port}/{protocol} is already mapped.", context.network_mode),
                    );
                }
            }
        }
    }

    fn volumes(
        &mut self,
        task: &Map<String, Value>,
        context: &TaskContext,
        containers: &[ContainerFacts],
    ) {
        let Some(list) = self.array(field(task, "volumes"), "volumes") else {
            return;
        };
        let mounted: BTreeSet<&str> = containers
            .iter()
            .flat_map(|c| c.mounted_volumes.iter().map(String::as_str))
            .collect();
        let mut names = BTreeSet::new();
        for (position, item) in list.iter().enumerate() {
            let path = index("volumes", position);
            let Some(volume) = self.object(Some(item), &path) else {
                continue;
            };
            if let Some(name) =
                self.resource_name(field(volume, "name"), &at(&path, "name"), "volume name")
            {
                if !names.insert(name.clone()) {
                    self.error(
                        &at(&path, "name"),
                        format!("Another volume is already named {name:?}."),
                    );
                } else if !mounted.contains(name.as_str()) {
                    self.warning(
                        &at(&path, "name"),
                        format!("Volume {name:?} is not mounted by any container."),
                    );
                }
            }
            let kinds: Vec<&str> = [
                "host",
                "dockerVolumeConfiguration",
                "efsVolumeConfiguration",
                "fsxWindowsFileServerVolumeConfiguration",
            ]
            .into_iter()
            .filter(|key| field(volume, key).is_some())
            .collect();
            if kinds.len() > 1 {
                self.error(
                    &path,
                    format!(
                        "A volume has one kind, but this one sets {}.",
                        kinds.join(" and ")
                    ),
                );
            }
            if let Some(host) = self.object(field(volume, "host"), &at(&path, "host"))
                && self
                    .string(field(host, "sourcePath"), &at(&path, "host.sourcePath"))
                    .is_some()
                && context.fargate
            {
                self.error(
                    &at(&path, "host.sourcePath"),
                    "Fargate does not support host sourcePath bind mounts.",
                );
            }
            self.docker_volume(volume, &path, context);
            self.efs_volume(volume, &path);
        }
    }

    fn docker_volume(&mut self, volume: &Map<String, Value>, path: &str, context: &TaskContext) {
        let docker_path = at(path, "dockerVolumeConfiguration");
        let Some(docker) = self.object(field(volume, "dockerVolumeConfiguration"), &docker_path)
        else {
            return;
        };
        if context.fargate {
            self.error(&docker_path, "Fargate does not support Docker volumes.");
        }
        let scope = self.choice(
            field(docker, "scope"),
            &at(&docker_path, "scope"),
            &["task", "shared"],
        );
        let autoprovision = self.boolean(
            field(docker, "autoprovision"),
            &at(&docker_path, "autoprovision"),
        );
        if autoprovision == Some(true) && scope != Some("shared") {
            self.error(
                &at(&docker_path, "autoprovision"),
                "autoprovision works only with scope \"shared\".",
            );
        }
        let driver = self.string(field(docker, "driver"), &at(&docker_path, "driver"));
        if context.windows && driver.is_some_and(|driver| driver != "local") {
            self.error(
                &at(&docker_path, "driver"),
                "Windows containers support only the \"local\" volume driver.",
            );
        }
    }

    fn efs_volume(&mut self, volume: &Map<String, Value>, path: &str) {
        let efs_path = at(path, "efsVolumeConfiguration");
        let Some(efs) = self.object(field(volume, "efsVolumeConfiguration"), &efs_path) else {
            return;
        };
        let id_path = at(&efs_path, "fileSystemId");
        if self.string(field(efs, "fileSystemId"), &id_path).is_none()
            && field(efs, "fileSystemId").is_none()
        {
            self.error(&id_path, "An EFS volume needs a fileSystemId.");
        }
        let root = self.string(field(efs, "rootDirectory"), &at(&efs_path, "rootDirectory"));
        let encryption = self
            .choice(
                field(efs, "transitEncryption"),
                &at(&efs_path, "transitEncryption"),
                &["ENABLED", "DISABLED"],
            )
            .unwrap_or("DISABLED");
        let auth_path = at(&efs_path, "authorizationConfig");
        let Some(auth) = self.object(field(efs, "authorizationConfig"), &auth_path) else {
            return;
        };
        let access_point = self.string(
            field(auth, "accessPointId"),
            &at(&auth_path, "accessPointId"),
        );
        let iam = self.choice(
            field(auth, "iam"),
            &at(&auth_path, "iam"),
            &["ENABLED", "DISABLED"],
        );
        if (iam == Some("ENABLED") || access_point.is_some()) && encryption != "ENABLED" {
            self.error(
                &at(&efs_path, "transitEncryption"),
                "transitEncryption must be ENABLED when IAM authorization or an access point is used.",
            );
        }
        if access_point.is_some() && root.is_some_and(|root| root != "/") {
            self.error(
                &at(&efs_path, "rootDirectory"),
                "With an access point, rootDirectory must be omitted or \"/\"; the access point sets the directory.",
            );
        }
    }

    fn task_options(&mut self, task: &Map<String, Value>, context: &TaskContext) {
        if let Some(mode) = self.choice(field(task, "pidMode"), "pidMode", &["host", "task"]) {
            if context.windows {
                self.error(
                    "pidMode",
                    "pidMode is not supported for Windows containers.",
                );
            } else if context.fargate && mode != "task" {
                self.error("pidMode", "Fargate supports only pidMode \"task\".");
            }
        }
        if self
            .choice(field(task, "ipcMode"), "ipcMode", &["host", "task", "none"])
            .is_some()
            && (context.fargate || context.windows)
        {
            self.error(
                "ipcMode",
                "ipcMode is not supported on Fargate or for Windows containers.",
            );
        }
        if let Some(storage) = self.object(field(task, "ephemeralStorage"), "ephemeralStorage") {
            if !context.fargate {
                self.error(
                    "ephemeralStorage",
                    "ephemeralStorage applies only to tasks on Fargate.",
                );
            }
            self.integer_in(
                field(storage, "sizeInGiB"),
                "ephemeralStorage.sizeInGiB",
                21..=200,
                " GiB",
            );
        }
        if let Some(constraints) =
            self.array(field(task, "placementConstraints"), "placementConstraints")
        {
            if constraints.len() > MAX_PLACEMENT_CONSTRAINTS {
                self.error(
                    "placementConstraints",
                    format!(
                        "At most {MAX_PLACEMENT_CONSTRAINTS} placement constraints are allowed."
                    ),
                );
            }
            for (position, item) in constraints.iter().enumerate() {
                let path = index("placementConstraints", position);
                if let Some(constraint) = self.object(Some(item), &path) {
                    self.choice(field(constraint, "type"), &at(&path, "type"), &["memberOf"]);
                    self.string(field(constraint, "expression"), &at(&path, "expression"));
                }
            }
            if context.fargate && !context.ec2_like && !constraints.is_empty() {
                self.warning(
                    "placementConstraints",
                    "Fargate ignores placement constraints.",
                );
            }
        }
        if let Some(tags) = self.array(field(task, "tags"), "tags")
            && tags.len() > MAX_TAGS
        {
            self.error(
                "tags",
                format!(
                    "At most {MAX_TAGS} tags are allowed; there are {}.",
                    tags.len()
                ),
            );
        }
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The memory sizes Fargate offers for `cpu`, as a sentence.
fn fargate_hint(cpu: i64) -> String {
    let sizes = match cpu {
        256 => "512, 1024 or 2048 MiB",
        512 => "1024 to 4096 MiB in steps of 1024",
        1024 => "2048 to 8192 MiB in steps of 1024",
        2048 => "4096 to 16384 MiB in steps of 1024",
        4096 => "8192 to 30720 MiB in steps of 1024",
        8192 => "16384 to 61440 MiB in steps of 4096",
        16_384 => "32768 to 122880 MiB in steps of 8192",
        _ => {
            return "Fargate CPU sizes are 256, 512, 1024, 2048, 4096, 8192 and 16384 units."
                .to_owned();
        }
    };
    format!("With {cpu} CPU units Fargate offers {sizes}.")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    /// A Fargate web service with a one-shot init container: valid and warning-free.
    fn good() -> Value {
        json!({
            "family": "web",
            "requiresCompatibilities": ["FARGATE"],
            "networkMode": "awsvpc",
            "cpu": "512",
            "memory": "1 GB",
            "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"},
            "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2",
                    "essential": true,
                    "cpu": 256,
                    "memory": 512,
                    "memoryReservation": 256,
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                    "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"],
                                    "interval": 30, "timeout": 5, "retries": 3},
                    "logConfiguration": {"logDriver": "awslogs", "options": {
                        "awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}},
                    "environment": [{"name": "PORT", "value": "8080"}],
                    "secrets": [{"name": "DB_PASSWORD",
                                 "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"}],
                    "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}],
                    "mountPoints": [{"sourceVolume": "cache", "containerPath": "/cache"}]
                },
                {
                    "name": "init",
                    "image": "public.ecr.aws/docker/library/busybox:1.36",
                    "essential": false,
                    "memory": 64,
                    "logConfiguration": {"logDriver": "awslogs", "options": {
                        "awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "init"}},
                    "mountPoints": [{"sourceVolume": "cache", "containerPath": "/cache"}]
                }
            ],
            "volumes": [{"name": "cache"}]
        })
    }

    /// An EC2 bridge-mode definition without task-level sizes.
    fn ec2() -> Value {
        json!({
            "family": "worker",
            "requiresCompatibilities": ["EC2"],
            "containerDefinitions": [{
                "name": "worker", "image": "example/worker:2", "memory": 256,
                "portMappings": [{"containerPort": 80, "hostPort": 80}],
                "logConfiguration": {"logDriver": "json-file"}
            }]
        })
    }

    fn edited(mut base: Value, edit: impl FnOnce(&mut Value)) -> ValidationReport {
        edit(&mut base);
        validate_task_definition(&base)
    }

    /// Sets the value at a JSON pointer, creating the last key of an object if needed.
    fn set(value: &mut Value, pointer: &str, new: Value) {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let parent = value
            .pointer_mut(parent)
            .unwrap_or_else(|| panic!("no {parent}"));
        match parent {
            Value::Array(list) => list[key.parse::<usize>().unwrap()] = new,
            _ => {
                parent[key] = new;
            }
        }
    }

    #[test]
    fn a_good_definition_has_no_problems_at_all() {
        let report = validate_task_definition(&good());
        assert_eq!(report.problems, Vec::new());
        assert!(report.valid);
        let report = validate_task_definition(&ec2());
        assert_eq!(report.problems, Vec::new());
    }

    type Edit = fn(&mut Value);

    #[test]
    fn each_rule_reports_its_path_and_severity() {
        use Severity::{Error, Warning};
        let fargate_cases: Vec<(&str, Edit, &str, Severity)> = vec![
            (
                "cpu in words",
                |v| set(v, "/cpu", json!("lots")),
                "cpu",
                Error,
            ),
            (
                "cpu as a number",
                |v| set(v, "/cpu", json!(512)),
                "cpu",
                Error,
            ),
            (
                "size not in the Fargate table",
                |v| set(v, "/memory", json!("5 GB")),
                "memory",
                Error,
            ),
            (
                "fargate without memory",
                |v| {
                    v.as_object_mut().unwrap().remove("memory");
                },
                "memory",
                Error,
            ),
            (
                "family with a space",
                |v| set(v, "/family", json!("web app")),
                "family",
                Error,
            ),
            (
                "family missing",
                |v| {
                    v.as_object_mut().unwrap().remove("family");
                },
                "family",
                Error,
            ),
            (
                "family wrong type",
                |v| set(v, "/family", json!(7)),
                "family",
                Error,
            ),
            (
                "unknown launch type",
                |v| set(v, "/requiresCompatibilities/0", json!("LAMBDA")),
                "requiresCompatibilities[0]",
                Error,
            ),
            (
                "eleven containers",
                |v| {
                    let first = v["containerDefinitions"][1].clone();
                    let list = v["containerDefinitions"].as_array_mut().unwrap();
                    for n in 0..9 {
                        let mut copy = first.clone();
                        copy["name"] = json!(format!("extra{n}"));
                        copy["memory"] = json!(6);
                        list.push(copy);
                    }
                },
                "containerDefinitions",
                Error,
            ),
            (
                "no containers",
                |v| set(v, "/containerDefinitions", json!([])),
                "containerDefinitions",
                Error,
            ),
            (
                "bridge on fargate",
                |v| set(v, "/networkMode", json!("bridge")),
                "networkMode",
                Error,
            ),
            (
                "network mode typo",
                |v| set(v, "/networkMode", json!("vpc")),
                "networkMode",
                Error,
            ),
            (
                "host port differs in awsvpc",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/0/portMappings/0/hostPort",
                        json!(9090),
                    )
                },
                "containerDefinitions[0].portMappings[0].hostPort",
                Error,
            ),
            (
                "container port out of range",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/0/portMappings/0/containerPort",
                        json!(70000),
                    )
                },
                "containerDefinitions[0].portMappings[0].containerPort",
                Error,
            ),
            (
                "protocol sctp",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/0/portMappings/0/protocol",
                        json!("sctp"),
                    )
                },
                "containerDefinitions[0].portMappings[0].protocol",
                Error,
            ),
            (
                "inverted port range",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/0/portMappings/0",
                        json!({"containerPortRange": "9000-8000"}),
                    )
                },
                "containerDefinitions[0].portMappings[0].containerPortRange",
                Error,
            ),
            (
                "same port twice in awsvpc",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/1/portMappings",
                        json!([{"containerPort": 8080}]),
                    )
                },
                "containerDefinitions[1].portMappings[0].containerPort",
                Error,
            ),
            (
                "nothing essential",
                |v| set(v, "/containerDefinitions/0/essential", json!(false)),
                "containerDefinitions",
                Error,
            ),
            (
                "essential as text",
                |v| set(v, "/containerDefinitions/0/essential", json!("yes")),
                "containerDefinitions[0].essential",
                Error,
            ),
            (
                "duplicate container names",
                |v| set(v, "/containerDefinitions/1/name", json!("app")),
                "containerDefinitions[1].name",
                Error,
            ),
            (
                "container name missing",
                |v| {
                    v["containerDefinitions"][1]
                        .as_object_mut()
                        .unwrap()
                        .remove("name");
                },
                "containerDefinitions[1].name",
                Error,
            ),
            (
                "image missing",
                |v| {
                    v["containerDefinitions"][1]
                        .as_object_mut()
                        .unwrap()
                        .remove("image");
                },
                "containerDefinitions[1].image",
                Error,
            ),
            (
                "image with a space",
                |v| set(v, "/containerDefinitions/1/image", json!("busy box:1")),
                "containerDefinitions[1].image",
                Error,
            ),
            (
                "depends on a stranger",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/0/dependsOn/0/containerName",
                        json!("db"),
                    )
                },
                "containerDefinitions[0].dependsOn[0].containerName",
                Error,
            ),
            (
                "SUCCESS on an essential container",
                |v| set(v, "/containerDefinitions/1/essential", json!(true)),
                "containerDefinitions[0].dependsOn[0].condition",
                Error,
            ),
            (
                "HEALTHY without a health check",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/0/dependsOn/0/condition",
                        json!("HEALTHY"),
                    )
                },
                "containerDefinitions[0].dependsOn[0].condition",
                Error,
            ),
            (
                "condition typo",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/0/dependsOn/0/condition",
                        json!("READY"),
                    )
                },
                "containerDefinitions[0].dependsOn[0].condition",
                Error,
            ),
            (
                "dependency cycle",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/1/dependsOn",
                        json!([{"containerName": "app", "condition": "START"}]),
                    )
                },
                "containerDefinitions[0].dependsOn",
                Error,
            ),
            (
                "health check without CMD",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/0/healthCheck/command",
                        json!(["curl localhost"]),
                    )
                },
                "containerDefinitions[0].healthCheck.command",
                Error,
            ),
            (
                "health check interval too short",
                |v| set(v, "/containerDefinitions/0/healthCheck/interval", json!(2)),
                "containerDefinitions[0].healthCheck.interval",
                Error,
            ),
            (
                "health check retries too many",
                |v| set(v, "/containerDefinitions/0/healthCheck/retries", json!(11)),
                "containerDefinitions[0].healthCheck.retries",
                Error,
            ),
            (
                "health check timeout as long as the interval",
                |v| set(v, "/containerDefinitions/0/healthCheck/timeout", json!(30)),
                "containerDefinitions[0].healthCheck.timeout",
                Warning,
            ),
            (
                "json-file on fargate",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/0/logConfiguration/logDriver",
                        json!("json-file"),
                    )
                },
                "containerDefinitions[0].logConfiguration.logDriver",
                Error,
            ),
            (
                "unknown log driver",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/0/logConfiguration/logDriver",
                        json!("loki"),
                    )
                },
                "containerDefinitions[0].logConfiguration.logDriver",
                Error,
            ),
            (
                "awslogs without a group",
                |v| {
                    v["containerDefinitions"][0]["logConfiguration"]["options"]
                        .as_object_mut()
                        .unwrap()
                        .remove("awslogs-group");
                },
                "containerDefinitions[0].logConfiguration.options",
                Warning,
            ),
            (
                "no log configuration",
                |v| {
                    v["containerDefinitions"][1]
                        .as_object_mut()
                        .unwrap()
                        .remove("logConfiguration");
                },
                "containerDefinitions[1].logConfiguration",
                Warning,
            ),
            (
                "mount of an undeclared volume",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/1/mountPoints/0/sourceVolume",
                        json!("data"),
                    )
                },
                "containerDefinitions[1].mountPoints[0].sourceVolume",
                Error,
            ),
            (
                "volume name with a dot",
                |v| set(v, "/volumes/0/name", json!("ca.che")),
                "volumes[0].name",
                Error,
            ),
            (
                "volume never mounted",
                |v| {
                    v["volumes"]
                        .as_array_mut()
                        .unwrap()
                        .push(json!({"name": "spare"}))
                },
                "volumes[1].name",
                Warning,
            ),
            (
                "host bind mount on fargate",
                |v| set(v, "/volumes/0/host", json!({"sourcePath": "/var/cache"})),
                "volumes[0].host.sourcePath",
                Error,
            ),
            (
                "docker volume on fargate",
                |v| {
                    set(
                        v,
                        "/volumes/0/dockerVolumeConfiguration",
                        json!({"scope": "task"}),
                    )
                },
                "volumes[0].dockerVolumeConfiguration",
                Error,
            ),
            (
                "efs access point without encryption",
                |v| {
                    set(
                        v,
                        "/volumes/0/efsVolumeConfiguration",
                        json!({
                "fileSystemId": "fs-1234", "authorizationConfig": {"accessPointId": "fsap-1"}}),
                    )
                },
                "volumes[0].efsVolumeConfiguration.transitEncryption",
                Error,
            ),
            (
                "efs access point with a root directory",
                |v| {
                    set(
                        v,
                        "/volumes/0/efsVolumeConfiguration",
                        json!({
                "fileSystemId": "fs-1234", "transitEncryption": "ENABLED", "rootDirectory": "/data",
                "authorizationConfig": {"accessPointId": "fsap-1", "iam": "ENABLED"}}),
                    )
                },
                "volumes[0].efsVolumeConfiguration.rootDirectory",
                Error,
            ),
            (
                "efs without a file system",
                |v| set(v, "/volumes/0/efsVolumeConfiguration", json!({})),
                "volumes[0].efsVolumeConfiguration.fileSystemId",
                Error,
            ),
            (
                "secrets without an execution role",
                |v| {
                    v.as_object_mut().unwrap().remove("executionRoleArn");
                },
                "containerDefinitions[0].secrets",
                Error,
            ),
            (
                "secret without valueFrom",
                |v| set(v, "/containerDefinitions/0/secrets/0", json!({"name": "X"})),
                "containerDefinitions[0].secrets[0].valueFrom",
                Error,
            ),
            (
                "environment value as a number",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/0/environment/0/value",
                        json!(8080),
                    )
                },
                "containerDefinitions[0].environment[0].value",
                Error,
            ),
            (
                "password in plain text",
                |v| {
                    v["containerDefinitions"][0]["environment"]
                        .as_array_mut()
                        .unwrap()
                        .push(json!({"name": "ADMIN_PASSWORD", "value": "hunter2"}))
                },
                "containerDefinitions[0].environment[1].value",
                Warning,
            ),
            (
                "duplicate environment name",
                |v| {
                    v["containerDefinitions"][0]["environment"]
                        .as_array_mut()
                        .unwrap()
                        .push(json!({"name": "PORT", "value": "9090"}))
                },
                "containerDefinitions[0].environment[1].name",
                Warning,
            ),
            (
                "environment file without .env",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/1/environmentFiles",
                        json!([{"value": "arn:aws:s3:::bucket/app.txt", "type": "s3"}]),
                    )
                },
                "containerDefinitions[1].environmentFiles[0].value",
                Error,
            ),
            (
                "image without a tag",
                |v| set(v, "/containerDefinitions/1/image", json!("busybox")),
                "containerDefinitions[1].image",
                Warning,
            ),
            (
                "image with latest",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/1/image",
                        json!("localhost:5000/busybox:latest"),
                    )
                },
                "containerDefinitions[1].image",
                Warning,
            ),
            (
                "hard limits above the task memory",
                |v| set(v, "/containerDefinitions/0/memory", json!(1000)),
                "memory",
                Warning,
            ),
            (
                "reservations above the task memory",
                |v| set(v, "/containerDefinitions/0/memoryReservation", json!(999)),
                "memory",
                Error,
            ),
            (
                "container cpu above the task cpu",
                |v| set(v, "/containerDefinitions/0/cpu", json!(1024)),
                "cpu",
                Error,
            ),
            (
                "memory not above the reservation",
                |v| set(v, "/containerDefinitions/0/memory", json!(256)),
                "containerDefinitions[0].memory",
                Error,
            ),
            (
                "memory below docker's minimum",
                |v| set(v, "/containerDefinitions/1/memory", json!(4)),
                "containerDefinitions[1].memory",
                Error,
            ),
            (
                "stop timeout above fargate's limit",
                |v| set(v, "/containerDefinitions/1/stopTimeout", json!(300)),
                "containerDefinitions[1].stopTimeout",
                Error,
            ),
            (
                "gpu on fargate",
                |v| {
                    set(
                        v,
                        "/containerDefinitions/1/resourceRequirements",
                        json!([{"type": "GPU", "value": "1"}]),
                    )
                },
                "containerDefinitions[1].resourceRequirements[0]",
                Error,
            ),
            (
                "ephemeral storage too small",
                |v| set(v, "/ephemeralStorage", json!({"sizeInGiB": 20})),
                "ephemeralStorage.sizeInGiB",
                Error,
            ),
            (
                "pid mode host on fargate",
                |v| set(v, "/pidMode", json!("host")),
                "pidMode",
                Error,
            ),
            (
                "ipc mode on fargate",
                |v| set(v, "/ipcMode", json!("task")),
                "ipcMode",
                Error,
            ),
            (
                "windows on arm",
                |v| {
                    set(
                        v,
                        "/runtimePlatform/operatingSystemFamily",
                        json!("WINDOWS_SERVER_2022_CORE"),
                    )
                },
                "runtimePlatform.cpuArchitecture",
                Error,
            ),
            (
                "windows fargate below one vCPU",
                |v| {
                    set(
                        v,
                        "/runtimePlatform",
                        json!({"operatingSystemFamily": "WINDOWS_SERVER_2019_FULL"}),
                    )
                },
                "cpu",
                Error,
            ),
            (
                "placement constraint type",
                |v| {
                    set(
                        v,
                        "/placementConstraints",
                        json!([{"type": "distinctInstance"}]),
                    )
                },
                "placementConstraints[0].type",
                Error,
            ),
            (
                "fargate ignores placement constraints",
                |v| {
                    set(
                        v,
                        "/placementConstraints",
                        json!([{"type": "memberOf", "expression": "attribute:ecs.availability-zone == us-east-1a"}]),
                    )
                },
                "placementConstraints",
                Warning,
            ),
            (
                "ecr pull without an execution role",
                |v| {
                    v.as_object_mut().unwrap().remove("executionRoleArn");
                    v["containerDefinitions"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("secrets");
                },
                "containerDefinitions[0].image",
                Warning,
            ),
        ];
        let ec2_cases: Vec<(&str, Edit, &str, Severity)> = vec![
            (
                "no memory anywhere",
                |v| {
                    v["containerDefinitions"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("memory");
                },
                "containerDefinitions[0]",
                Error,
            ),
            (
                "only a soft limit",
                |v| {
                    let container = v["containerDefinitions"][0].as_object_mut().unwrap();
                    container.remove("memory");
                    container.insert("memoryReservation".into(), json!(128));
                },
                "containerDefinitions[0].memory",
                Warning,
            ),
            (
                "task cpu above the EC2 maximum",
                |v| set(v, "/cpu", json!("200 vCPU")),
                "cpu",
                Error,
            ),
            (
                "duplicate static host port",
                |v| {
                    v["containerDefinitions"][0]["portMappings"]
                        .as_array_mut()
                        .unwrap()
                        .push(json!({"containerPort": 81, "hostPort": 80}))
                },
                "containerDefinitions[0].portMappings[1].hostPort",
                Error,
            ),
            (
                "host mode with a different host port",
                |v| {
                    set(v, "/networkMode", json!("host"));
                    set(
                        v,
                        "/containerDefinitions/0/portMappings/0/hostPort",
                        json!(8080),
                    );
                },
                "containerDefinitions[0].portMappings[0].hostPort",
                Error,
            ),
            (
                "none mode with ports",
                |v| set(v, "/networkMode", json!("none")),
                "containerDefinitions[0].portMappings",
                Error,
            ),
            (
                "links outside bridge",
                |v| {
                    set(v, "/networkMode", json!("awsvpc"));
                    set(
                        v,
                        "/containerDefinitions/0/portMappings/0/hostPort",
                        json!(80),
                    );
                    v["containerDefinitions"][0]["links"] = json!(["worker"]);
                },
                "containerDefinitions[0].links",
                Error,
            ),
            (
                "link to a stranger",
                |v| v["containerDefinitions"][0]["links"] = json!(["db:database"]),
                "containerDefinitions[0].links[0]",
                Error,
            ),
            (
                "awsvpc on external",
                |v| {
                    set(v, "/requiresCompatibilities", json!(["EXTERNAL"]));
                    v["networkMode"] = json!("awsvpc");
                },
                "networkMode",
                Error,
            ),
            (
                "windows in bridge mode",
                |v| {
                    v["runtimePlatform"] =
                        json!({"operatingSystemFamily": "WINDOWS_SERVER_2019_CORE"});
                    v["networkMode"] = json!("bridge");
                },
                "networkMode",
                Error,
            ),
            (
                "ephemeral storage on EC2",
                |v| v["ephemeralStorage"] = json!({"sizeInGiB": 30}),
                "ephemeralStorage",
                Error,
            ),
            (
                "autoprovision of a task-scoped volume",
                |v| {
                    v["volumes"] = json!([{"name": "data", "dockerVolumeConfiguration": {"scope": "task", "autoprovision": true}}]);
                    v["containerDefinitions"][0]["mountPoints"] =
                        json!([{"sourceVolume": "data", "containerPath": "/data"}]);
                },
                "volumes[0].dockerVolumeConfiguration.autoprovision",
                Error,
            ),
        ];
        for (base, cases) in [(good(), fargate_cases), (ec2(), ec2_cases)] {
            for (name, edit, path, severity) in cases {
                let report = edited(base.clone(), edit);
                assert!(
                    report
                        .problems
                        .iter()
                        .any(|p| p.path == path && p.severity == severity),
                    "{name}: expected a {severity:?} at {path}, got {:#?}",
                    report.problems
                );
                assert_eq!(
                    report.valid,
                    severity == Severity::Warning
                        || !report
                            .problems
                            .iter()
                            .any(|p| p.severity == Severity::Error),
                    "{name}"
                );
                if severity == Severity::Warning {
                    assert!(
                        report.valid,
                        "{name}: a warning alone must not invalidate: {:#?}",
                        report.problems
                    );
                }
            }
        }
    }

    #[test]
    fn a_document_that_is_not_an_object_is_one_problem() {
        let report = validate_task_definition(&json!([1, 2]));
        assert!(!report.valid);
        assert_eq!(report.problems[0].path, ".");
    }

    #[test]
    fn the_fargate_size_table_matches_the_spec() {
        let valid = [
            (256, 512),
            (256, 2048),
            (512, 1024),
            (512, 4096),
            (1024, 2048),
            (1024, 8192),
            (2048, 16_384),
            (4096, 8192),
            (4096, 30_720),
            (8192, 16_384),
            (8192, 61_440),
            (16_384, 32_768),
            (16_384, 122_880),
        ];
        let invalid = [
            (256, 3072),
            (256, 256),
            (512, 512),
            (512, 5120),
            (1024, 9216),
            (4096, 31_744),
            (8192, 17_408),
            (8192, 65_536),
            (16_384, 36_864),
            (128, 512),
            (3072, 8192),
        ];
        for (cpu, memory) in valid {
            assert!(fargate_size_is_valid(cpu, memory), "{cpu}/{memory}");
        }
        for (cpu, memory) in invalid {
            assert!(!fargate_size_is_valid(cpu, memory), "{cpu}/{memory}");
        }
    }

    #[test]
    fn the_report_serializes_as_documented() {
        let report = edited(good(), |v| set(v, "/cpu", json!("lots")));
        let value = serde_json::to_value(&report).unwrap();
        assert_eq!(value["valid"], false);
        assert_eq!(value["problems"][0]["path"], "cpu");
        assert_eq!(value["problems"][0]["severity"], "error");
        assert!(
            value["problems"][0]["message"]
                .as_str()
                .unwrap()
                .contains("lots")
        );
    }

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-zA-Z0-9 :./-]{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            let keys = prop_oneof![
                Just("family".to_owned()),
                Just("cpu".to_owned()),
                Just("memory".to_owned()),
                Just("containerDefinitions".to_owned()),
                Just("name".to_owned()),
                Just("image".to_owned()),
                Just("portMappings".to_owned()),
                Just("dependsOn".to_owned()),
                Just("volumes".to_owned()),
                Just("networkMode".to_owned()),
                Just("requiresCompatibilities".to_owned()),
                Just("healthCheck".to_owned()),
                Just("mountPoints".to_owned()),
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map(keys, inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(crate::ops::fixed_seed_config())]

        #[test]
        fn never_panics_and_valid_means_no_errors(document in arbitrary_json()) {
            let report = validate_task_definition(&document);
            prop_assert_eq!(report.valid, report.problems.iter().all(|p| p.severity == Severity::Warning));
            for problem in &report.problems {
                prop_assert!(!problem.path.is_empty() && !problem.message.is_empty());
            }
        }
    }
}
