//! What the console's cluster page shows, computed from a [`ClusterSnapshot`]: the placement
//! graph's layout and the rows of its tables.
//!
//! Everything here is a pure function of the snapshot, the user's filters and the snapshot's
//! own `fetchedAt` (used as "now" for relative times), so it is tested natively and the
//! browser only turns the result into DOM.
//!
//! - [`task_reservation`]: what a task reserves on its instance (CPU units, MiB).
//! - [`service_colour`]: a deterministic colour per service name.
//! - [`layout`]: lanes per Availability Zone, instance boxes with usage bars and task blocks
//!   sized by memory, Fargate and unplaced tasks in pools, the legend and the filter choices.
//! - [`Table`] and its builders ([`tasks_table`], [`services_table`], [`instances_table`],
//!   [`events_table`]): sortable, filterable rows with counts.
//! - [`synthetic_snapshot`] and [`synthetic_change`]: large deterministic clusters for
//!   benchmarks and the console's `?synthetic=` mode.

use std::{
    collections::{BTreeMap, BTreeSet},
    hash::{DefaultHasher, Hash, Hasher},
};

use serde_json::json;

use crate::{
    api::ClusterSnapshot,
    ecs::{ContainerInstance, PlacementConstraint, PlacementStrategy, Service, Task, short_id},
    ops::size::{parse_cpu_units, parse_memory_mib},
    time::Timestamp,
};

/// The lane name for instances and tasks whose Availability Zone is not reported.
pub const UNKNOWN_ZONE: &str = "Unknown zone";
/// The legend and filter name of tasks started outside any service.
pub const STANDALONE: &str = "standalone tasks";

// ---------------------------------------------------------------------------------------------
// Reservations, names and colours
// ---------------------------------------------------------------------------------------------

/// CPU units and MiB of memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Reservation {
    /// CPU units (1024 = one vCPU).
    pub cpu: i64,
    /// Memory in MiB.
    pub memory: i64,
}

/// What a task reserves: its task-level `cpu`/`memory` when set, else the sum over its
/// containers of `cpu` and of `memoryReservation` (when above zero) or `memory`. Values that
/// cannot be read count as zero.
pub fn task_reservation(task: &Task) -> Reservation {
    let task_cpu = task.cpu.as_deref().and_then(|t| parse_cpu_units(t).ok());
    let task_memory = task
        .memory
        .as_deref()
        .and_then(|t| parse_memory_mib(t).ok());
    let number = |text: &Option<String>| {
        text.as_deref()
            .and_then(|t| t.trim().parse::<i64>().ok())
            .filter(|v| *v > 0)
    };
    let cpu =
        task_cpu.unwrap_or_else(|| task.containers.iter().filter_map(|c| number(&c.cpu)).sum());
    let memory = task_memory.unwrap_or_else(|| {
        task.containers
            .iter()
            .filter_map(|c| number(&c.memory_reservation).or_else(|| number(&c.memory)))
            .sum()
    });
    Reservation { cpu, memory }
}

/// The service a task belongs to (`service:NAME` group), if any.
pub fn service_of(task: &Task) -> Option<&str> {
    task.group
        .as_deref()
        .and_then(|g| g.strip_prefix("service:"))
}

/// The legend name of a task: its service, its group, or [`STANDALONE`].
pub fn group_label(task: &Task) -> &str {
    match (service_of(task), task.group.as_deref()) {
        (Some(service), _) => service,
        (None, Some(group)) if !group.is_empty() => group,
        _ => STANDALONE,
    }
}

/// A colour from a categorical palette that reads in light and dark themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Colour {
    /// Hue in degrees, 0..360.
    pub hue: u16,
    /// Saturation in percent.
    pub saturation: u8,
    /// Lightness in percent.
    pub lightness: u8,
}

impl Colour {
    /// CSS `hsl()` text.
    pub fn css(self) -> String {
        format!("hsl({} {}% {}%)", self.hue, self.saturation, self.lightness)
    }
}

/// Eleven well-separated colours (hue, saturation, lightness).
const PALETTE: [(u16, u8, u8); 11] = [
    (211, 70, 50),
    (28, 88, 52),
    (142, 55, 40),
    (354, 70, 56),
    (232, 45, 62),
    (190, 75, 40),
    (170, 60, 34),
    (322, 60, 60),
    (18, 45, 42),
    (268, 52, 60),
    (48, 90, 46),
];

/// The colour of a service: a hash of its name picks one of eleven palette colours, so the
/// same service has the same colour on every page, in every session.
pub fn service_colour(name: &str) -> Colour {
    // FNV-1a: stable across platforms and Rust versions, unlike `DefaultHasher`.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in name.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    let (hue, saturation, lightness) = PALETTE[(hash % PALETTE.len() as u32) as usize];
    Colour {
        hue,
        saturation,
        lightness,
    }
}

/// `512 units` → `0.5 vCPU`.
pub fn format_cpu(units: i64) -> String {
    let tenths = (units * 10 + 512) / 1024;
    if tenths % 10 == 0 {
        format!("{} vCPU", tenths / 10)
    } else {
        format!("{}.{} vCPU", tenths / 10, tenths % 10)
    }
}

/// `1536` MiB → `1.5 GiB`; below 1 GiB in MiB.
pub fn format_memory(mib: i64) -> String {
    if mib.abs() < 1024 {
        return format!("{mib} MiB");
    }
    let tenths = (mib * 10 + 512) / 1024;
    if tenths % 10 == 0 {
        format!("{} GiB", tenths / 10)
    } else {
        format!("{}.{} GiB", tenths / 10, tenths % 10)
    }
}

/// `then` relative to `now`: `just now`, `45 s ago`, `12 min ago`, `3 h ago`, `2 d ago`, or
/// `in 5 min` for the future.
pub fn relative_time(then: Timestamp, now: Timestamp) -> String {
    let seconds = (now.0 - then.0) / 1000;
    let span = seconds.abs();
    let amount = match span {
        0..=9 => return "just now".to_owned(),
        10..=59 => format!("{span} s"),
        60..=3599 => format!("{} min", span / 60),
        3600..=86_399 => format!("{} h", span / 3600),
        _ => format!("{} d", span / 86_400),
    };
    if seconds >= 0 {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// `2026-11-21 09:12 UTC`.
pub fn absolute_time(at: Timestamp) -> String {
    let text = at.to_string();
    format!("{} {} UTC", &text[..10], &text[11..16])
}

/// `arn:…:task-definition/api:7` → `api:7`.
pub fn task_definition_label(arn: &str) -> &str {
    short_id(arn)
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

/// What the user narrowed the graph and the tasks table to. `None` means "any".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GraphFilter {
    /// A legend name ([`group_label`]).
    pub service: Option<String>,
    /// A task `lastStatus` (`RUNNING`, `PENDING`, …).
    pub status: Option<String>,
    /// An instance attribute `name=value`; tasks not on a matching instance are hidden.
    pub attribute: Option<(String, String)>,
}

impl GraphFilter {
    /// Whether a task passes the service and status filters.
    pub fn matches_task(&self, task: &Task) -> bool {
        self.service
            .as_deref()
            .is_none_or(|s| group_label(task) == s)
            && self.status.as_deref().is_none_or(|s| task.last_status == s)
    }

    /// Whether an instance passes the attribute filter.
    pub fn matches_instance(&self, instance: &ContainerInstance) -> bool {
        self.attribute
            .as_ref()
            .is_none_or(|(name, value)| instance.attribute(name) == Some(value.as_str()))
    }

    /// Whether any filter is set.
    pub fn is_active(&self) -> bool {
        self.service.is_some() || self.status.is_some() || self.attribute.is_some()
    }
}

/// Parses `name=value` (the `attr` query parameter).
pub fn parse_attribute(text: &str) -> Option<(String, String)> {
    let (name, value) = text.split_once('=')?;
    (!name.is_empty()).then(|| (name.to_owned(), value.to_owned()))
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

/// How wide a task block is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockWidth {
    /// Per-mille of its instance's registered memory (so an instance's blocks form its memory
    /// bar).
    Share(u32),
    /// Pixels, for tasks without an instance (Fargate), growing with memory.
    Pixels(u32),
}

impl BlockWidth {
    /// CSS width: `12.5%` or `24px`.
    pub fn css(self) -> String {
        match self {
            Self::Share(permille) => format!("{}.{}%", permille / 10, permille % 10),
            Self::Pixels(px) => format!("{px}px"),
        }
    }
}

/// The width of a Fargate (or unplaced) task with `memory` MiB: 16 px up to 512 MiB, one
/// more pixel per 128 MiB above, at most 160 px.
pub fn pool_block_width(memory: i64) -> BlockWidth {
    let px = 12 + memory.max(0) / 128;
    BlockWidth::Pixels(px.clamp(16, 160) as u32)
}

/// One task drawn in the graph.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskBlock {
    /// Task id (end of the ARN).
    pub id: String,
    /// Legend name ([`group_label`]).
    pub service: String,
    /// Colour of the service.
    pub colour: Colour,
    /// `lastStatus`.
    pub status: String,
    /// What it reserves.
    pub reserved: Reservation,
    /// How wide it is drawn.
    pub width: BlockWidth,
}

impl TaskBlock {
    /// Tooltip text: service and status, task id, what it reserves. Made when a block is
    /// drawn rather than for every task of every layout.
    pub fn title(&self) -> String {
        format!(
            "{} · {}\ntask {}\n{} CPU units ({}) · {}",
            self.service,
            self.status,
            self.id,
            self.reserved.cpu,
            format_cpu(self.reserved.cpu),
            format_memory(self.reserved.memory),
        )
    }
}

/// Registered capacity and what tasks reserve of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Usage {
    /// Registered with ECS.
    pub registered: i64,
    /// Reserved by tasks (registered minus remaining).
    pub reserved: i64,
}

impl Usage {
    /// Reserved share in per-mille of registered, 0..=1000.
    pub fn permille(self) -> u32 {
        if self.registered <= 0 {
            return 0;
        }
        ((self.reserved.max(0) * 1000 / self.registered).min(1000)) as u32
    }

    /// Reserved share in whole percent.
    pub fn percent(self) -> u32 {
        (self.permille() + 5) / 10
    }
}

/// One container instance drawn as a box.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstanceBox {
    /// Container-instance ARN.
    pub arn: String,
    /// Container-instance id (end of the ARN).
    pub id: String,
    /// EC2 instance id.
    pub ec2_instance_id: Option<String>,
    /// `ecs.instance-type`.
    pub instance_type: Option<String>,
    /// `ACTIVE`, `DRAINING`, …
    pub status: String,
    /// Whether the ECS agent is connected.
    pub agent_connected: bool,
    /// CPU units.
    pub cpu: Usage,
    /// Memory in MiB.
    pub memory: Usage,
    /// Tasks passing the filter, by service then id.
    pub tasks: Vec<TaskBlock>,
    /// Tasks on it hidden by the filter.
    pub hidden_tasks: usize,
}

impl InstanceBox {
    /// Whether the instance is draining (no new tasks; its service tasks move elsewhere).
    pub fn is_draining(&self) -> bool {
        self.status == "DRAINING"
    }

    /// A hash of everything drawn, to key the box in a keyed list: equal boxes need no redraw.
    pub fn fingerprint(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.hash(&mut hasher);
        hasher.finish()
    }

    /// Tooltip text.
    pub fn title(&self) -> String {
        format!(
            "{} · {} · {}\nCPU {} of {} reserved · memory {} of {}",
            self.ec2_instance_id.as_deref().unwrap_or(&self.id),
            self.instance_type.as_deref().unwrap_or("unknown type"),
            self.status,
            self.cpu.reserved,
            self.cpu.registered,
            format_memory(self.memory.reserved),
            format_memory(self.memory.registered),
        )
    }
}

/// Tasks of one lane that have no container instance: Fargate, or not placed yet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pool {
    /// `Fargate`, `External` or `Not on an instance`.
    pub label: String,
    /// Tasks passing the filter.
    pub tasks: Vec<TaskBlock>,
}

/// One Availability Zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lane {
    /// Zone name, or [`UNKNOWN_ZONE`].
    pub zone: String,
    /// Instances in the zone passing the attribute filter.
    pub instances: Vec<InstanceBox>,
    /// Tasks without an instance, by launch type.
    pub pools: Vec<Pool>,
    /// Tasks drawn in the lane.
    pub shown_tasks: usize,
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

impl Lane {
    /// `4 instances · 12 tasks`, `3 tasks on Fargate`, `2 instances · 9 tasks (3 on Fargate)`.
    pub fn summary(&self) -> String {
        let pooled: usize = self.pools.iter().map(|p| p.tasks.len()).sum();
        let pool_label = match self.pools.as_slice() {
            [only] if only.label == "Fargate" => "on Fargate",
            [only] if only.label == "External" => "on external instances",
            [_] => "not on an instance",
            _ => "without an instance",
        };
        let tasks = plural(self.shown_tasks, "task");
        match (self.instances.len(), pooled) {
            (0, _) => format!("{tasks} {pool_label}"),
            (instances, 0) => format!("{} · {tasks}", plural(instances, "instance")),
            (instances, pooled) => format!(
                "{} · {tasks} ({pooled} {pool_label})",
                plural(instances, "instance")
            ),
        }
    }
}

/// One service in the legend.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LegendEntry {
    /// Legend name.
    pub service: String,
    /// Its colour.
    pub colour: Colour,
    /// Its tasks in the snapshot.
    pub tasks: usize,
}

/// The whole graph.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GraphLayout {
    /// Lanes sorted by zone name.
    pub lanes: Vec<Lane>,
    /// Tasks drawn.
    pub shown_tasks: usize,
    /// Tasks in the snapshot.
    pub total_tasks: usize,
    /// Instances drawn.
    pub shown_instances: usize,
}

/// What the filter controls offer, and the legend.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Choices {
    /// Every service with tasks or defined in the cluster, by name.
    pub legend: Vec<LegendEntry>,
    /// Task statuses present.
    pub statuses: Vec<String>,
    /// Instance attributes with values, `(name, value)`, sorted.
    pub attributes: Vec<(String, String)>,
}

/// The legend and the values the filters can take, from the whole snapshot.
pub fn choices(snapshot: &ClusterSnapshot) -> Choices {
    let mut legend: BTreeMap<&str, usize> = snapshot
        .services
        .iter()
        .map(|s| (s.service_name.as_str(), 0))
        .collect();
    for task in &snapshot.tasks {
        *legend.entry(group_label(task)).or_default() += 1;
    }
    let statuses: BTreeSet<&str> = snapshot
        .tasks
        .iter()
        .map(|t| t.last_status.as_str())
        .collect();
    let attributes: BTreeSet<(String, String)> = snapshot
        .container_instances
        .iter()
        .flat_map(|i| i.attributes.iter())
        .filter(|a| filterable(&a.name))
        .filter_map(|a| a.value.as_ref().map(|v| (a.name.clone(), v.clone())))
        .collect();
    Choices {
        legend: legend
            .into_iter()
            .map(|(service, tasks)| LegendEntry {
                service: service.to_owned(),
                colour: service_colour(service),
                tasks,
            })
            .collect(),
        statuses: statuses.into_iter().map(str::to_owned).collect(),
        attributes: attributes.into_iter().collect(),
    }
}

/// How many of `tasks` each service has, in order of first appearance, with its colour.
pub fn service_counts(tasks: &[TaskBlock]) -> Vec<(String, Colour, usize)> {
    let mut counts: Vec<(String, Colour, usize)> = Vec::new();
    for task in tasks {
        match counts.iter_mut().find(|(s, _, _)| *s == task.service) {
            Some(entry) => entry.2 += 1,
            None => counts.push((task.service.clone(), task.colour, 1)),
        }
    }
    counts
}

fn block(task: &Task, reserved: Reservation, width: BlockWidth) -> TaskBlock {
    let service = group_label(task).to_owned();
    TaskBlock {
        id: task.short_id().to_owned(),
        colour: service_colour(&service),
        service,
        status: task.last_status.clone(),
        reserved,
        width,
    }
}

fn resource(resources: &[crate::ecs::Resource], name: &str) -> Option<i64> {
    resources
        .iter()
        .find(|r| r.name == name)
        .and_then(crate::ecs::Resource::number)
}

fn usage(instance: &ContainerInstance, name: &str, from_tasks: i64) -> Usage {
    let registered = resource(&instance.registered_resources, name).unwrap_or(0);
    let reserved = resource(&instance.remaining_resources, name)
        .map_or(from_tasks, |remaining| registered - remaining);
    Usage {
        registered,
        reserved,
    }
}

/// CPU and memory reserved over a cluster's ACTIVE and DRAINING container instances, in
/// percent of what they registered (CloudWatch's `CPUReservation` and `MemoryReservation`);
/// `None` when no such instance registers any of it.
pub fn cluster_reservation(instances: &[ContainerInstance]) -> (Option<f64>, Option<f64>) {
    let counted = || {
        instances
            .iter()
            .filter(|i| matches!(i.status.as_str(), "ACTIVE" | "DRAINING"))
    };
    let percent = |name: &str| {
        let (registered, reserved) = counted()
            .map(|i| usage(i, name, 0))
            .fold((0, 0), |(r, u), usage| {
                (r + usage.registered, u + usage.reserved)
            });
        (registered > 0).then(|| reserved as f64 * 100.0 / registered as f64)
    };
    (percent("CPU"), percent("MEMORY"))
}

/// Attributes worth filtering on: those with a value, except per-host details (AMI id).
fn filterable(name: &str) -> bool {
    name != crate::ecs::attribute::AMI_ID
}

fn lane<'a>(lanes: &'a mut BTreeMap<String, Lane>, zone: &str) -> &'a mut Lane {
    lanes.entry(zone.to_owned()).or_insert_with(|| Lane {
        zone: zone.to_owned(),
        instances: Vec::new(),
        pools: Vec::new(),
        shown_tasks: 0,
    })
}

/// Lays the snapshot out: one lane per Availability Zone (sorted), each instance with its
/// usage and the tasks passing `filter` (sized by their share of the instance's memory), and
/// tasks without an instance in pools by launch type.
pub fn layout(snapshot: &ClusterSnapshot, filter: &GraphFilter) -> GraphLayout {
    let mut by_instance: BTreeMap<&str, Vec<&Task>> = BTreeMap::new();
    let known: BTreeSet<&str> = snapshot
        .container_instances
        .iter()
        .map(|i| i.container_instance_arn.as_str())
        .collect();
    let mut pools: BTreeMap<(String, String), Vec<&Task>> = BTreeMap::new();
    for task in &snapshot.tasks {
        match task.container_instance_arn.as_deref() {
            Some(arn) if known.contains(arn) => by_instance.entry(arn).or_default().push(task),
            _ => {
                let zone = task
                    .availability_zone
                    .clone()
                    .unwrap_or_else(|| UNKNOWN_ZONE.to_owned());
                let label = match task.launch_type.as_deref() {
                    Some("FARGATE") => "Fargate",
                    Some("EXTERNAL") => "External",
                    _ if task
                        .capacity_provider_name
                        .as_deref()
                        .is_some_and(|p| p.starts_with("FARGATE")) =>
                    {
                        "Fargate"
                    }
                    _ => "Not on an instance",
                };
                pools
                    .entry((zone, label.to_owned()))
                    .or_default()
                    .push(task);
            }
        }
    }

    let mut lanes: BTreeMap<String, Lane> = BTreeMap::new();
    let mut shown_instances = 0;
    for instance in &snapshot.container_instances {
        if !filter.matches_instance(instance) {
            continue;
        }
        let zone = instance.availability_zone().unwrap_or(UNKNOWN_ZONE);
        let tasks: Vec<(&Task, Reservation)> = by_instance
            .get(instance.container_instance_arn.as_str())
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|t| (*t, task_reservation(t)))
            .collect();
        let from_tasks = tasks
            .iter()
            .fold(Reservation::default(), |sum, (_, r)| Reservation {
                cpu: sum.cpu + r.cpu,
                memory: sum.memory + r.memory,
            });
        let memory = usage(instance, "MEMORY", from_tasks.memory);
        let mut blocks: Vec<TaskBlock> = tasks
            .iter()
            .filter(|(t, _)| filter.matches_task(t))
            .map(|(t, reserved)| {
                let share = if memory.registered > 0 {
                    (reserved.memory.max(0) * 1000 / memory.registered).clamp(4, 1000)
                } else {
                    40
                };
                block(t, *reserved, BlockWidth::Share(share as u32))
            })
            .collect();
        blocks.sort_by(|a, b| (&a.service, &a.id).cmp(&(&b.service, &b.id)));
        let hidden_tasks = tasks.len() - blocks.len();
        let entry = lane(&mut lanes, zone);
        entry.shown_tasks += blocks.len();
        shown_instances += 1;
        entry.instances.push(InstanceBox {
            arn: instance.container_instance_arn.clone(),
            id: instance.short_id().to_owned(),
            ec2_instance_id: instance.ec2_instance_id.clone(),
            instance_type: instance.instance_type().map(str::to_owned),
            status: instance.status.clone(),
            agent_connected: instance.agent_connected,
            cpu: usage(instance, "CPU", from_tasks.cpu),
            memory,
            tasks: blocks,
            hidden_tasks,
        });
    }
    if filter.attribute.is_none() {
        for ((zone, label), tasks) in pools {
            let mut blocks: Vec<TaskBlock> = tasks
                .iter()
                .filter(|t| filter.matches_task(t))
                .map(|t| {
                    let reserved = task_reservation(t);
                    block(t, reserved, pool_block_width(reserved.memory))
                })
                .collect();
            let entry = lane(&mut lanes, &zone);
            entry.shown_tasks += blocks.len();
            blocks.sort_by(|a, b| (&a.service, &a.id).cmp(&(&b.service, &b.id)));
            entry.pools.push(Pool {
                label,
                tasks: blocks,
            });
        }
    }

    let lanes: Vec<Lane> = lanes.into_values().collect();
    GraphLayout {
        shown_tasks: lanes.iter().map(|l| l.shown_tasks).sum(),
        total_tasks: snapshot.tasks.len(),
        shown_instances,
        lanes,
    }
}

/// One row of the graph drawn as a table: an instance, or a lane's pool of tasks without one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GraphRow {
    /// Unique key (instance ARN, or zone and pool label).
    pub key: String,
    /// Zone.
    pub zone: String,
    /// EC2 instance id (container-instance id without one), or the pool's label.
    pub name: String,
    /// Instance status; `None` for pools.
    pub status: Option<String>,
    /// `reserved / registered (pct%)` CPU units, or the pool's total.
    pub cpu: String,
    /// The same for memory.
    pub memory: String,
    /// Tasks per service.
    pub services: Vec<(String, Colour, usize)>,
}

/// The graph as table rows, lane by lane: instances, then pools.
pub fn graph_rows(layout: &GraphLayout) -> Vec<GraphRow> {
    let mut rows = Vec::new();
    for lane in &layout.lanes {
        for instance in &lane.instances {
            rows.push(GraphRow {
                key: instance.arn.clone(),
                zone: lane.zone.clone(),
                name: instance
                    .ec2_instance_id
                    .clone()
                    .unwrap_or_else(|| instance.id.clone()),
                status: Some(instance.status.clone()),
                cpu: format!(
                    "{} / {} ({}%)",
                    instance.cpu.reserved,
                    instance.cpu.registered,
                    instance.cpu.percent()
                ),
                memory: format!(
                    "{} / {} ({}%)",
                    format_memory(instance.memory.reserved),
                    format_memory(instance.memory.registered),
                    instance.memory.percent()
                ),
                services: service_counts(&instance.tasks),
            });
        }
        for pool in &lane.pools {
            let cpu: i64 = pool.tasks.iter().map(|t| t.reserved.cpu).sum();
            let memory: i64 = pool.tasks.iter().map(|t| t.reserved.memory).sum();
            rows.push(GraphRow {
                key: format!("{}/{}", lane.zone, pool.label),
                zone: lane.zone.clone(),
                name: pool.label.clone(),
                status: None,
                cpu: cpu.to_string(),
                memory: format_memory(memory),
                services: service_counts(&pool.tasks),
            });
        }
    }
    rows
}

// ---------------------------------------------------------------------------------------------
// Placement in words
// ---------------------------------------------------------------------------------------------

/// A placement strategy in words: `spread across Availability Zones`, `binpack on memory`.
pub fn strategy_in_words(strategy: &PlacementStrategy) -> String {
    let field = strategy.field.as_deref().unwrap_or("");
    match strategy.kind.as_str() {
        "spread" => match field {
            "attribute:ecs.availability-zone" => "spread across Availability Zones".to_owned(),
            "instanceId" | "host" => "spread across instances".to_owned(),
            other => format!(
                "spread by {}",
                other.strip_prefix("attribute:").unwrap_or(other)
            ),
        },
        "binpack" => format!(
            "binpack on {} (fill instances before using more)",
            if field.eq_ignore_ascii_case("cpu") {
                "CPU"
            } else {
                "memory"
            }
        ),
        "random" => "random instance".to_owned(),
        other => other.to_owned(),
    }
}

/// A placement constraint in words.
pub fn constraint_in_words(constraint: &PlacementConstraint) -> String {
    match constraint.kind.as_str() {
        "distinctInstance" => "each task on a different instance".to_owned(),
        "memberOf" => format!(
            "only instances where {}",
            constraint
                .expression
                .as_deref()
                .unwrap_or("(no expression)")
        ),
        other => other.to_owned(),
    }
}

/// How a service places its tasks, in words: daemon, strategies then constraints.
pub fn placement_in_words(service: &Service) -> String {
    if service.scheduling_strategy == "DAEMON" {
        let mut text = "one task on every instance (daemon)".to_owned();
        for constraint in &service.placement_constraints {
            text.push_str("; ");
            text.push_str(&constraint_in_words(constraint));
        }
        return text;
    }
    let mut parts: Vec<String> = service
        .placement_strategy
        .iter()
        .map(strategy_in_words)
        .collect();
    if parts.is_empty() {
        parts.push(if launch_label(service) == "FARGATE" {
            "Fargate spreads across Availability Zones".to_owned()
        } else {
            "no strategy set (the scheduler balances across Availability Zones)".to_owned()
        });
    }
    let mut text = parts.join(", then ");
    for constraint in &service.placement_constraints {
        text.push_str("; ");
        text.push_str(&constraint_in_words(constraint));
    }
    text
}

/// A service's launch type, or its capacity providers with weights and bases.
pub fn launch_label(service: &Service) -> String {
    if let Some(kind) = &service.launch_type {
        return kind.clone();
    }
    if service.capacity_provider_strategy.is_empty() {
        return "default capacity provider".to_owned();
    }
    service
        .capacity_provider_strategy
        .iter()
        .map(|i| {
            if i.base > 0 {
                format!(
                    "{} (weight {}, base {})",
                    i.capacity_provider, i.weight, i.base
                )
            } else {
                format!("{} (weight {})", i.capacity_provider, i.weight)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

/// A sort key: numbers sort before text; `Missing` sorts last.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SortKey {
    /// A number.
    Number(i64),
    /// Text, compared case-insensitively (stored lowercased).
    Text(String),
    /// No value.
    Missing,
}

impl SortKey {
    /// A text key (lowercased).
    pub fn text(text: &str) -> Self {
        Self::Text(text.to_lowercase())
    }
}

/// The colour a cell's text is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    /// Healthy, running, active.
    Ok,
    /// In between: pending, draining, provisioning.
    Warn,
    /// Stopped, failed, disconnected.
    Bad,
    /// Nothing to note.
    Plain,
}

impl Tone {
    /// The CSS modifier: `ok`, `warn`, `bad`, `plain`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Bad => "bad",
            Self::Plain => "plain",
        }
    }

    /// The tone of an ECS status word.
    pub fn of_status(status: &str) -> Self {
        match status {
            "RUNNING" | "ACTIVE" | "PRIMARY" | "COMPLETED" | "HEALTHY" => Self::Ok,
            "PENDING" | "PROVISIONING" | "ACTIVATING" | "DRAINING" | "DEPROVISIONING"
            | "DEACTIVATING" | "STOPPING" | "IN_PROGRESS" | "REGISTERING" => Self::Warn,
            "STOPPED" | "INACTIVE" | "FAILED" | "UNHEALTHY" | "DEREGISTERING" => Self::Bad,
            _ => Self::Plain,
        }
    }
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cell {
    /// What is shown.
    pub text: String,
    /// A second, smaller line (e.g. the absolute time under a relative one).
    pub detail: Option<String>,
    /// How it sorts.
    pub sort: SortKey,
    /// Shown as a status badge in this tone.
    pub badge: Option<Tone>,
    /// A colour swatch before the text (services).
    pub swatch: Option<Colour>,
    /// Monospace (ids).
    pub mono: bool,
}

impl Cell {
    /// Text that sorts as text.
    pub fn text(text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            sort: SortKey::text(&text),
            text,
            detail: None,
            badge: None,
            swatch: None,
            mono: false,
        }
    }

    /// A number shown as is.
    pub fn number(value: i64) -> Self {
        Self {
            text: value.to_string(),
            sort: SortKey::Number(value),
            ..Self::text("")
        }
    }

    /// A monospace id.
    pub fn id(text: &str) -> Self {
        Self {
            mono: true,
            ..Self::text(text)
        }
    }

    /// A status badge.
    pub fn status(status: &str) -> Self {
        Self {
            badge: Some(Tone::of_status(status)),
            ..Self::text(status)
        }
    }

    /// A service name with its colour.
    pub fn service(name: &str) -> Self {
        Self {
            swatch: Some(service_colour(name)),
            ..Self::text(name)
        }
    }

    /// A time: relative to `now`, with the absolute time as detail; `–` when absent.
    pub fn time(at: Option<Timestamp>, now: Timestamp) -> Self {
        match at {
            Some(at) => Self {
                text: relative_time(at, now),
                detail: Some(absolute_time(at)),
                sort: SortKey::Number(at.0),
                ..Self::text("")
            },
            None => Self {
                sort: SortKey::Missing,
                ..Self::text("–")
            },
        }
    }

    /// `used / registered (pct%)`, sorted by share.
    pub fn usage(usage: Usage, format: fn(i64) -> String) -> Self {
        Self {
            text: format!("{} / {}", format(usage.reserved), format(usage.registered)),
            detail: Some(format!("{}% reserved", usage.percent())),
            sort: SortKey::Number(i64::from(usage.permille())),
            ..Self::text("")
        }
    }
}

/// What opening a row leads to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A task, by id: its details in the graph.
    Task(String),
    /// A container instance, by id: its details in the graph.
    Instance(String),
    /// A service, by name: the graph filtered to it.
    Service(String),
}

/// One row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Row {
    /// Unique key (an ARN or id).
    pub key: String,
    /// One cell per column.
    pub cells: Vec<Cell>,
    /// What Enter or a click on the row opens.
    pub target: Option<Target>,
    search: String,
}

impl Row {
    /// A row; its search text is every cell's text and detail, lowercased.
    pub fn new(key: impl Into<String>, cells: Vec<Cell>, target: Option<Target>) -> Self {
        let mut search = String::new();
        for cell in &cells {
            search.push_str(&cell.text.to_lowercase());
            search.push('\n');
            if let Some(detail) = &cell.detail {
                search.push_str(&detail.to_lowercase());
                search.push('\n');
            }
        }
        Self {
            key: key.into(),
            cells,
            target,
            search,
        }
    }

    /// Whether every word of `query` occurs in the row (case-insensitive).
    pub fn matches(&self, query: &str) -> bool {
        query
            .split_whitespace()
            .all(|word| self.search.contains(&word.to_lowercase()))
    }
}

/// A column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Column {
    /// Stable id for the URL (`sort=-started`).
    pub id: &'static str,
    /// Header text.
    pub label: &'static str,
    /// Right-aligned numbers.
    pub numeric: bool,
    /// Long text that may wrap (other cells stay on one line).
    pub wrap: bool,
}

const fn column(id: &'static str, label: &'static str) -> Column {
    Column {
        id,
        label,
        numeric: false,
        wrap: false,
    }
}

const fn numeric(id: &'static str, label: &'static str) -> Column {
    Column {
        id,
        label,
        numeric: true,
        wrap: false,
    }
}

const fn prose(id: &'static str, label: &'static str) -> Column {
    Column {
        id,
        label,
        numeric: false,
        wrap: true,
    }
}

/// A sort order: a column and a direction; written `id` or `-id` (descending) in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SortOrder {
    /// Column index.
    pub column: usize,
    /// Largest first.
    pub descending: bool,
}

/// A table: columns, rows, and how it is sorted unless the user chooses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Singular and plural noun for counts (`task`, `tasks`).
    pub noun: (&'static str, &'static str),
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows in snapshot order.
    pub rows: Vec<Row>,
    /// Default order.
    pub default_sort: SortOrder,
}

impl Table {
    /// Reads `id` / `-id`; unknown columns give `None`.
    pub fn parse_sort(&self, text: &str) -> Option<SortOrder> {
        let (descending, id) = match text.strip_prefix('-') {
            Some(id) => (true, id),
            None => (false, text),
        };
        let column = self.columns.iter().position(|c| c.id == id)?;
        Some(SortOrder { column, descending })
    }

    /// Writes a sort order for the URL.
    pub fn sort_param(&self, order: SortOrder) -> String {
        let id = self.columns.get(order.column).map_or("", |c| c.id);
        if order.descending {
            format!("-{id}")
        } else {
            id.to_owned()
        }
    }

    /// The order after clicking a header: the same column flips, another starts ascending
    /// (descending for numbers, largest first).
    pub fn next_sort(&self, current: SortOrder, clicked: usize) -> SortOrder {
        if current.column == clicked {
            SortOrder {
                column: clicked,
                descending: !current.descending,
            }
        } else {
            SortOrder {
                column: clicked,
                descending: self.columns.get(clicked).is_some_and(|c| c.numeric),
            }
        }
    }

    /// Indices of the rows matching `query`, sorted by `order` (ties keep snapshot order;
    /// missing values last in both directions).
    pub fn select(&self, query: &str, order: SortOrder) -> Vec<usize> {
        let mut picked: Vec<usize> = (0..self.rows.len())
            .filter(|i| self.rows[*i].matches(query))
            .collect();
        let key = |i: usize| self.rows[i].cells.get(order.column).map(|c| &c.sort);
        picked.sort_by(|a, b| {
            let (ka, kb) = (key(*a), key(*b));
            match (ka, kb) {
                (Some(SortKey::Missing), Some(SortKey::Missing)) => std::cmp::Ordering::Equal,
                (Some(SortKey::Missing), _) => std::cmp::Ordering::Greater,
                (_, Some(SortKey::Missing)) => std::cmp::Ordering::Less,
                _ if order.descending => kb.cmp(&ka),
                _ => ka.cmp(&kb),
            }
        });
        picked
    }

    /// `12 of 35 tasks`, or `35 tasks` when nothing is filtered out.
    pub fn count_label(&self, shown: usize) -> String {
        let total = self.rows.len();
        let noun = if total == 1 { self.noun.0 } else { self.noun.1 };
        if shown == total {
            format!("{total} {noun}")
        } else {
            format!("{shown} of {total} {noun}")
        }
    }
}

/// The tasks table, limited to the tasks passing `filter`'s service and status.
pub fn tasks_table(snapshot: &ClusterSnapshot, filter: &GraphFilter) -> Table {
    let now = snapshot.fetched_at;
    let instances: BTreeMap<&str, &ContainerInstance> = snapshot
        .container_instances
        .iter()
        .map(|i| (i.container_instance_arn.as_str(), i))
        .collect();
    let rows = snapshot
        .tasks
        .iter()
        .filter(|t| filter.matches_task(t))
        .filter(|t| {
            filter.attribute.is_none()
                || t.container_instance_arn
                    .as_deref()
                    .and_then(|arn| instances.get(arn))
                    .is_some_and(|i| filter.matches_instance(i))
        })
        .map(|task| {
            let reserved = task_reservation(task);
            let instance = task.container_instance_arn.as_deref();
            let instance_cell = match instance.and_then(|arn| instances.get(arn)) {
                Some(i) => Cell {
                    detail: i.instance_type().map(str::to_owned),
                    ..Cell::id(i.ec2_instance_id.as_deref().unwrap_or(i.short_id()))
                },
                None if task.launch_type.as_deref() == Some("FARGATE") => Cell::text("Fargate"),
                None => Cell {
                    sort: SortKey::Missing,
                    ..Cell::text("–")
                },
            };
            let cpu = Cell {
                text: reserved.cpu.to_string(),
                detail: Some(format_cpu(reserved.cpu)),
                ..Cell::number(reserved.cpu)
            };
            let memory = Cell {
                text: format_memory(reserved.memory),
                ..Cell::number(reserved.memory)
            };
            Row::new(
                task.task_arn.clone(),
                vec![
                    Cell {
                        detail: Some(task_definition_label(&task.task_definition_arn).to_owned()),
                        ..Cell::id(task.short_id())
                    },
                    Cell::service(group_label(task)),
                    Cell::status(&task.last_status),
                    instance_cell,
                    task.availability_zone
                        .as_deref()
                        .map_or_else(|| Cell::text("–"), Cell::text),
                    cpu,
                    memory,
                    Cell::time(task.started_at, now),
                ],
                Some(Target::Task(task.short_id().to_owned())),
            )
        })
        .collect();
    Table {
        noun: ("task", "tasks"),
        columns: vec![
            column("task", "Task"),
            column("service", "Service / group"),
            column("status", "Status"),
            column("instance", "Instance"),
            column("zone", "Zone"),
            numeric("cpu", "CPU units"),
            numeric("memory", "Memory"),
            numeric("started", "Started"),
        ],
        rows,
        default_sort: SortOrder {
            column: 1,
            descending: false,
        },
    }
}

/// The services table.
pub fn services_table(snapshot: &ClusterSnapshot) -> Table {
    let rows = snapshot
        .services
        .iter()
        .map(|service| {
            let definition = task_definition_label(&service.task_definition);
            let revision = definition
                .rsplit_once(':')
                .and_then(|(_, r)| r.parse::<i64>().ok());
            Row::new(
                service.service_arn.clone(),
                vec![
                    Cell::service(&service.service_name),
                    Cell::status(&service.status),
                    Cell::number(service.desired_count),
                    Cell::number(service.running_count),
                    Cell::number(service.pending_count),
                    Cell {
                        detail: Some(service.scheduling_strategy.to_lowercase()),
                        ..Cell::text(launch_label(service))
                    },
                    Cell::text(placement_in_words(service)),
                    Cell {
                        sort: revision.map_or_else(|| SortKey::text(definition), SortKey::Number),
                        ..Cell::id(definition)
                    },
                ],
                Some(Target::Service(service.service_name.clone())),
            )
        })
        .collect();
    Table {
        noun: ("service", "services"),
        columns: vec![
            column("name", "Service"),
            column("status", "Status"),
            numeric("desired", "Desired"),
            numeric("running", "Running"),
            numeric("pending", "Pending"),
            column("launch", "Launch type"),
            prose("placement", "Placement"),
            numeric("revision", "Task definition"),
        ],
        rows,
        default_sort: SortOrder {
            column: 0,
            descending: false,
        },
    }
}

/// The container instances table.
pub fn instances_table(snapshot: &ClusterSnapshot) -> Table {
    let reserved = layout(snapshot, &GraphFilter::default());
    let boxes: BTreeMap<&str, &InstanceBox> = reserved
        .lanes
        .iter()
        .flat_map(|l| l.instances.iter())
        .map(|b| (b.arn.as_str(), b))
        .collect();
    let rows = snapshot
        .container_instances
        .iter()
        .map(|instance| {
            let drawn = boxes.get(instance.container_instance_arn.as_str());
            let cpu = drawn.map(|b| b.cpu).unwrap_or_default();
            let memory = drawn.map(|b| b.memory).unwrap_or_default();
            Row::new(
                instance.container_instance_arn.clone(),
                vec![
                    Cell::id(instance.short_id()),
                    instance
                        .ec2_instance_id
                        .as_deref()
                        .map_or_else(|| Cell::text("–"), Cell::id),
                    Cell::text(instance.instance_type().unwrap_or("–")),
                    Cell::text(instance.availability_zone().unwrap_or(UNKNOWN_ZONE)),
                    Cell::status(&instance.status),
                    if instance.agent_connected {
                        Cell {
                            badge: Some(Tone::Ok),
                            ..Cell::text("CONNECTED")
                        }
                    } else {
                        Cell {
                            badge: Some(Tone::Bad),
                            ..Cell::text("DISCONNECTED")
                        }
                    },
                    Cell::number(instance.running_tasks_count),
                    Cell::usage(cpu, |units| units.to_string()),
                    Cell::usage(memory, format_memory),
                ],
                Some(Target::Instance(instance.short_id().to_owned())),
            )
        })
        .collect();
    Table {
        noun: ("instance", "instances"),
        columns: vec![
            column("instance", "Container instance"),
            column("ec2", "EC2 instance"),
            column("type", "Type"),
            column("zone", "Zone"),
            column("status", "Status"),
            column("agent", "Agent"),
            numeric("tasks", "Running tasks"),
            numeric("cpu", "CPU units used"),
            numeric("memory", "Memory used"),
        ],
        rows,
        default_sort: SortOrder {
            column: 3,
            descending: false,
        },
    }
}

/// Every service's events merged, newest first by default.
pub fn events_table(snapshot: &ClusterSnapshot) -> Table {
    let now = snapshot.fetched_at;
    let rows = snapshot
        .services
        .iter()
        .flat_map(|service| {
            service.events.iter().map(move |event| {
                Row::new(
                    format!("{}/{}", service.service_name, event.id),
                    vec![
                        Cell::time(event.created_at, now),
                        Cell::service(&service.service_name),
                        Cell::text(event.message.clone()),
                    ],
                    Some(Target::Service(service.service_name.clone())),
                )
            })
        })
        .collect();
    Table {
        noun: ("event", "events"),
        columns: vec![
            numeric("time", "When"),
            column("service", "Service"),
            prose("message", "Message"),
        ],
        rows,
        default_sort: SortOrder {
            column: 0,
            descending: true,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Synthetic clusters
// ---------------------------------------------------------------------------------------------

/// A small deterministic generator (SplitMix64), seeded by the caller.
#[derive(Debug, Clone)]
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const SYNTHETIC_SERVICES: [(&str, i64, i64); 8] = [
    ("api", 512, 1024),
    ("catalog", 256, 512),
    ("worker", 1024, 2048),
    ("payments", 512, 1536),
    ("gateway", 1024, 4096),
    ("cache", 256, 3072),
    ("auth", 256, 512),
    ("reports", 512, 1024),
];

/// A cluster named `cluster` with `instances` m5.2xlarge instances over three zones (every
/// 50th draining) and `tasks` tasks of eight services spread over them, read at `now`. The
/// same arguments give the same snapshot.
///
/// It is written as the API's JSON and read back the way the console reads the API, so the
/// console needs no second decoder for it.
pub fn synthetic_snapshot(
    cluster: &str,
    instances: usize,
    tasks: usize,
    seed: u64,
    now: Timestamp,
) -> ClusterSnapshot {
    let mut rng = SplitMix(seed);
    let zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    let instance_arn = |i: usize| {
        format!("arn:aws:ecs:us-east-1:123456789012:container-instance/{cluster}/{i:032x}")
    };
    let mut task_list = Vec::with_capacity(tasks);
    let mut reserved = vec![(0i64, 0i64); instances];
    let mut counts = vec![0usize; instances];
    let mut per_service = [0usize; SYNTHETIC_SERVICES.len()];
    let (mut running, mut pending) = (0usize, 0usize);
    for index in 0..tasks {
        if instances == 0 {
            break;
        }
        let slot = rng.below(instances as u64) as usize;
        let kind = rng.below(SYNTHETIC_SERVICES.len() as u64) as usize;
        let (service, cpu, memory) = SYNTHETIC_SERVICES[kind];
        let status = if rng.below(50) == 0 {
            pending += 1;
            "PENDING"
        } else {
            running += 1;
            "RUNNING"
        };
        let started = Timestamp(now.0 - (rng.below(7 * 86_400) as i64 + 60) * 1000);
        reserved[slot].0 += cpu;
        reserved[slot].1 += memory;
        counts[slot] += 1;
        per_service[kind] += 1;
        task_list.push(json!({
            "taskArn": format!("arn:aws:ecs:us-east-1:123456789012:task/{cluster}/{index:032x}"),
            "taskDefinitionArn": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{service}:3"),
            "containerInstanceArn": instance_arn(slot),
            "lastStatus": status,
            "launchType": "EC2",
            "group": format!("service:{service}"),
            "availabilityZone": zones[slot % 3],
            "containers": [{"name": "app", "cpu": cpu.to_string(), "memory": memory.to_string()}],
            "startedAt": started,
        }));
    }
    let container_instances: Vec<serde_json::Value> = (0..instances)
        .map(|i| {
            let (cpu, memory) = (8192i64.max(reserved[i].0), 31_856i64.max(reserved[i].1));
            json!({
                "containerInstanceArn": instance_arn(i),
                "ec2InstanceId": format!("i-{i:017x}"),
                "status": if i % 50 == 49 { "DRAINING" } else { "ACTIVE" },
                "agentConnected": true,
                "runningTasksCount": counts[i],
                "registeredResources": [
                    {"name": "CPU", "type": "INTEGER", "integerValue": cpu},
                    {"name": "MEMORY", "type": "INTEGER", "integerValue": memory}
                ],
                "remainingResources": [
                    {"name": "CPU", "type": "INTEGER", "integerValue": cpu - reserved[i].0},
                    {"name": "MEMORY", "type": "INTEGER", "integerValue": memory - reserved[i].1}
                ],
                "attributes": [
                    {"name": "ecs.availability-zone", "value": zones[i % 3]},
                    {"name": "ecs.instance-type", "value": "m5.2xlarge"},
                    {"name": "stack", "value": if i % 2 == 0 { "blue" } else { "green" }}
                ]
            })
        })
        .collect();
    let services: Vec<serde_json::Value> = SYNTHETIC_SERVICES
        .iter()
        .zip(per_service)
        .map(|((name, _, _), count)| {
            json!({
                "serviceArn": format!("arn:aws:ecs:us-east-1:123456789012:service/{cluster}/{name}"),
                "serviceName": name,
                "status": "ACTIVE",
                "desiredCount": count,
                "runningCount": count,
                "pendingCount": 0,
                "launchType": "EC2",
                "taskDefinition": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{name}:3"),
                "schedulingStrategy": "REPLICA",
                "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}],
                "events": [{"id": format!("{name}-steady"), "createdAt": Timestamp(now.0 - 3_600_000), "message": format!("(service {name}) has reached a steady state.")}]
            })
        })
        .collect();
    let snapshot = json!({
        "cluster": {
            "clusterArn": format!("arn:aws:ecs:us-east-1:123456789012:cluster/{cluster}"),
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": instances,
            "runningTasksCount": running,
            "pendingTasksCount": pending,
            "activeServicesCount": SYNTHETIC_SERVICES.len(),
        },
        "containerInstances": container_instances,
        "services": services,
        "tasks": task_list,
        "fetchedAt": now,
    });
    serde_json::from_str(&snapshot.to_string()).expect("a synthetic snapshot is valid")
}

/// Changes `count` tasks of `snapshot` in place, as a refresh would see them: each picked
/// task flips between RUNNING and PENDING. Returns the ARNs changed.
pub fn synthetic_change(snapshot: &mut ClusterSnapshot, count: usize, seed: u64) -> Vec<String> {
    let mut rng = SplitMix(seed);
    let mut changed = Vec::with_capacity(count);
    if snapshot.tasks.is_empty() {
        return changed;
    }
    for _ in 0..count {
        let index = rng.below(snapshot.tasks.len() as u64) as usize;
        let task = &mut snapshot.tasks[index];
        task.last_status = if task.last_status == "RUNNING" {
            "PENDING".to_owned()
        } else {
            "RUNNING".to_owned()
        };
        changed.push(task.task_arn.clone());
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(value: serde_json::Value) -> Task {
        serde_json::from_value(value).unwrap()
    }

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-23T09:00:00Z").unwrap()
    }

    #[test]
    fn cluster_reservation_counts_active_and_draining_instances() {
        let instance = |status: &str, cpu: (i64, i64), memory: (i64, i64)| -> ContainerInstance {
            serde_json::from_value(serde_json::json!({
                "containerInstanceArn": format!("arn:aws:ecs:us-east-1:1:container-instance/c/{status}"),
                "status": status,
                "registeredResources": [
                    {"name": "CPU", "type": "INTEGER", "integerValue": cpu.0},
                    {"name": "MEMORY", "type": "INTEGER", "integerValue": memory.0}
                ],
                "remainingResources": [
                    {"name": "CPU", "type": "INTEGER", "integerValue": cpu.1},
                    {"name": "MEMORY", "type": "INTEGER", "integerValue": memory.1}
                ]
            }))
            .unwrap()
        };
        let instances = [
            instance("ACTIVE", (1024, 512), (4000, 1000)),
            instance("DRAINING", (2048, 2048), (4000, 4000)),
            instance("INACTIVE", (1024, 0), (4000, 0)),
        ];
        let (cpu, memory) = cluster_reservation(&instances);
        assert!((cpu.unwrap() - 512.0 * 100.0 / 3072.0).abs() < 1e-9);
        assert!((memory.unwrap() - 37.5).abs() < 1e-9);
        assert_eq!(cluster_reservation(&[]), (None, None));
    }

    #[test]
    fn reservations_prefer_task_level_sizes_then_sum_containers() {
        let cases = [
            (json!({"cpu": "1024", "memory": "2048"}), (1024, 2048)),
            (json!({"cpu": "0.5 vCPU", "memory": "1 GB"}), (512, 1024)),
            (
                json!({"containers": [
                    {"name": "a", "cpu": "128", "memory": "256", "memoryReservation": "128"},
                    {"name": "b", "cpu": "256", "memory": "512"},
                    {"name": "c", "memory": "300", "memoryReservation": "0"}
                ]}),
                (384, 128 + 512 + 300),
            ),
            (
                json!({"cpu": "lots", "containers": [{"name": "a", "cpu": "64"}]}),
                (64, 0),
            ),
            (json!({}), (0, 0)),
        ];
        for (fields, (cpu, memory)) in cases {
            let mut value =
                json!({"taskArn": "arn:aws:ecs:r:1:task/c/t", "taskDefinitionArn": "td:1"});
            value
                .as_object_mut()
                .unwrap()
                .extend(fields.as_object().unwrap().clone());
            assert_eq!(
                task_reservation(&task(value.clone())),
                Reservation { cpu, memory },
                "{value}"
            );
        }
    }

    #[test]
    fn groups_name_services_and_standalone_tasks() {
        let base = |group: Option<&str>| {
            task(json!({"taskArn": "a/t", "taskDefinitionArn": "td:1", "group": group}))
        };
        assert_eq!(group_label(&base(Some("service:api"))), "api");
        assert_eq!(service_of(&base(Some("service:api"))), Some("api"));
        assert_eq!(group_label(&base(Some("family:batch"))), "family:batch");
        assert_eq!(group_label(&base(None)), STANDALONE);
        assert_eq!(service_of(&base(Some("family:batch"))), None);
    }

    #[test]
    fn colours_are_deterministic_palette_entries() {
        assert_eq!(service_colour("api"), service_colour("api"));
        let hues: BTreeSet<u16> = [
            "api",
            "web-frontend",
            "payments",
            "auth",
            "nginx-proxy",
            "metrics-agent",
        ]
        .iter()
        .map(|s| service_colour(s).hue)
        .collect();
        assert!(hues.iter().all(|h| PALETTE.iter().any(|p| p.0 == *h)));
        assert_eq!(
            hues.len(),
            6,
            "the demo services get distinct colours: {hues:?}"
        );
        let colour = Colour {
            hue: 30,
            saturation: 60,
            lightness: 50,
        };
        assert_eq!(colour.css(), "hsl(30 60% 50%)");
    }

    #[test]
    fn sizes_and_times_read_as_words() {
        assert_eq!(format_cpu(512), "0.5 vCPU");
        assert_eq!(format_cpu(4096), "4 vCPU");
        assert_eq!(format_memory(512), "512 MiB");
        assert_eq!(format_memory(1536), "1.5 GiB");
        assert_eq!(format_memory(15_722), "15.4 GiB");
        let at = |s: i64| Timestamp(now().0 - s * 1000);
        assert_eq!(relative_time(at(3), now()), "just now");
        assert_eq!(relative_time(at(45), now()), "45 s ago");
        assert_eq!(relative_time(at(720), now()), "12 min ago");
        assert_eq!(relative_time(at(3 * 3600 + 5), now()), "3 h ago");
        assert_eq!(relative_time(at(2 * 86_400), now()), "2 d ago");
        assert_eq!(relative_time(at(-300), now()), "in 5 min");
        assert_eq!(absolute_time(now()), "2026-11-23 09:00 UTC");
        assert_eq!(BlockWidth::Share(125).css(), "12.5%");
        assert_eq!(pool_block_width(512), BlockWidth::Pixels(16));
        assert_eq!(pool_block_width(2048), BlockWidth::Pixels(28));
        assert_eq!(pool_block_width(1 << 20), BlockWidth::Pixels(160));
    }

    fn small() -> ClusterSnapshot {
        let mut snapshot = synthetic_snapshot("t", 6, 40, 7, now());
        // A Fargate task, a task on an unknown instance and an instance without its zone.
        snapshot.tasks.push(task(json!({
            "taskArn": "arn:aws:ecs:r:1:task/t/fargate1", "taskDefinitionArn": "web:1",
            "lastStatus": "RUNNING", "launchType": "FARGATE", "group": "service:web",
            "availabilityZone": "us-east-1b", "cpu": "256", "memory": "512"
        })));
        snapshot.tasks.push(task(json!({
            "taskArn": "arn:aws:ecs:r:1:task/t/pending1", "taskDefinitionArn": "batch:1",
            "lastStatus": "PROVISIONING", "launchType": "EC2", "group": "family:batch"
        })));
        snapshot
    }

    #[test]
    fn layout_puts_instances_in_zone_lanes_and_pools_the_rest() {
        let snapshot = small();
        let graph = layout(&snapshot, &GraphFilter::default());
        let zones: Vec<&str> = graph.lanes.iter().map(|l| l.zone.as_str()).collect();
        assert_eq!(
            zones,
            ["Unknown zone", "us-east-1a", "us-east-1b", "us-east-1c"]
        );
        assert_eq!(graph.shown_instances, 6);
        assert_eq!(graph.shown_tasks, 42);
        assert_eq!(graph.total_tasks, 42);
        let b = &graph.lanes[2];
        assert_eq!(b.instances.len(), 2);
        assert_eq!(b.pools.len(), 1);
        assert_eq!(b.pools[0].label, "Fargate");
        assert_eq!(
            b.summary(),
            format!("2 instances · {} tasks (1 on Fargate)", b.shown_tasks)
        );
        assert_eq!(graph.lanes[0].summary(), "1 task not on an instance");
        let rows = graph_rows(&graph);
        assert_eq!(rows.len(), 6 + 2);
        let fargate = rows.iter().find(|r| r.name == "Fargate").unwrap();
        assert_eq!(
            (fargate.status.as_deref(), fargate.cpu.as_str()),
            (None, "256")
        );
        assert_eq!(fargate.memory, "512 MiB");
        assert_eq!(
            fargate.services,
            [("web".to_owned(), service_colour("web"), 1)]
        );
        assert_eq!(b.pools[0].tasks[0].width, BlockWidth::Pixels(16));
        assert_eq!(graph.lanes[0].pools[0].label, "Not on an instance");
        for lane in &graph.lanes {
            for instance in &lane.instances {
                let share: u32 = instance
                    .tasks
                    .iter()
                    .map(|t| match t.width {
                        BlockWidth::Share(p) => p,
                        BlockWidth::Pixels(_) => panic!("instance tasks are shares"),
                    })
                    .sum();
                let expected = instance.memory.permille();
                assert!(
                    share.abs_diff(expected) <= instance.tasks.len() as u32 * 4,
                    "{share} vs {expected}"
                );
                let services: Vec<&str> =
                    instance.tasks.iter().map(|t| t.service.as_str()).collect();
                assert!(services.is_sorted(), "{services:?}");
            }
        }
        let choices = choices(&snapshot);
        let legend: Vec<&str> = choices.legend.iter().map(|e| e.service.as_str()).collect();
        assert!(
            legend.contains(&"family:batch") && legend.contains(&"api"),
            "{legend:?}"
        );
        assert_eq!(choices.legend.iter().map(|e| e.tasks).sum::<usize>(), 42);
        assert!(choices.statuses.contains(&"PROVISIONING".to_owned()));
        assert!(
            choices
                .attributes
                .contains(&("stack".to_owned(), "blue".to_owned()))
        );
    }

    #[test]
    fn filters_hide_tasks_but_keep_instances() {
        let snapshot = small();
        let filter = GraphFilter {
            service: Some("api".into()),
            ..GraphFilter::default()
        };
        let graph = layout(&snapshot, &filter);
        let api = snapshot
            .tasks
            .iter()
            .filter(|t| service_of(t) == Some("api"))
            .count();
        assert_eq!(graph.shown_tasks, api);
        assert_eq!(graph.shown_instances, 6);
        assert!(
            graph
                .lanes
                .iter()
                .flat_map(|l| &l.instances)
                .flat_map(|i| &i.tasks)
                .all(|t| t.service == "api")
        );
        let counts = service_counts(&graph.lanes[1].instances[0].tasks);
        assert!(
            counts.iter().all(|(s, _, n)| s == "api" && *n > 0),
            "{counts:?}"
        );
        let hidden: usize = graph
            .lanes
            .iter()
            .flat_map(|l| &l.instances)
            .map(|i| i.hidden_tasks)
            .sum();
        assert_eq!(hidden + api, 40);

        let by_stack = GraphFilter {
            attribute: parse_attribute("stack=blue"),
            ..GraphFilter::default()
        };
        let graph = layout(&snapshot, &by_stack);
        assert_eq!(graph.shown_instances, 3);
        assert!(graph.lanes.iter().all(|l| l.pools.is_empty()));
        assert_eq!(parse_attribute("novalue"), None);
    }

    #[test]
    fn fingerprints_change_only_with_what_is_drawn() {
        let mut snapshot = synthetic_snapshot("t", 20, 200, 3, now());
        let before = layout(&snapshot, &GraphFilter::default());
        let changed = synthetic_change(&mut snapshot, 5, 11);
        let after = layout(&snapshot, &GraphFilter::default());
        let prints = |g: &GraphLayout| -> Vec<u64> {
            g.lanes
                .iter()
                .flat_map(|l| &l.instances)
                .map(InstanceBox::fingerprint)
                .collect()
        };
        let differing = prints(&before)
            .iter()
            .zip(prints(&after))
            .filter(|(a, b)| **a != *b)
            .count();
        assert!(
            (1..=5).contains(&differing),
            "{differing} boxes changed for {changed:?}"
        );
    }

    #[test]
    fn synthetic_snapshots_are_deterministic_and_fit() {
        let a = synthetic_snapshot("big", 500, 5000, 42, now());
        assert_eq!(a, synthetic_snapshot("big", 500, 5000, 42, now()));
        assert_eq!(a.tasks.len(), 5000);
        assert_eq!(a.container_instances.len(), 500);
        let graph = layout(&a, &GraphFilter::default());
        assert_eq!(graph.shown_tasks, 5000);
        for instance in graph.lanes.iter().flat_map(|l| &l.instances) {
            assert!(instance.memory.reserved <= instance.memory.registered);
        }
    }

    #[test]
    fn tables_sort_filter_and_count() {
        let snapshot = small();
        let table = tasks_table(&snapshot, &GraphFilter::default());
        assert_eq!(table.count_label(table.rows.len()), "42 tasks");
        let by_memory = table.parse_sort("-memory").unwrap();
        let order = table.select("", by_memory);
        let memory = |i: usize| match table.rows[i].cells[6].sort {
            SortKey::Number(m) => m,
            _ => panic!("memory is a number"),
        };
        assert!(order.windows(2).all(|w| memory(w[0]) >= memory(w[1])));
        let api = table.select("API running", table.default_sort);
        assert!(!api.is_empty() && api.len() < 42);
        assert_eq!(
            table.count_label(api.len()),
            format!("{} of 42 tasks", api.len())
        );
        assert_eq!(table.sort_param(by_memory), "-memory");
        assert_eq!(table.parse_sort("nope"), None);
        let started = table.parse_sort("started").unwrap();
        let last = *table.select("", started).last().unwrap();
        assert_eq!(
            table.rows[last].cells[7].sort,
            SortKey::Missing,
            "missing times sort last"
        );
        assert_eq!(
            table.next_sort(table.default_sort, 5),
            SortOrder {
                column: 5,
                descending: true
            }
        );
        assert_eq!(
            table.next_sort(
                SortOrder {
                    column: 5,
                    descending: true
                },
                5
            ),
            SortOrder {
                column: 5,
                descending: false
            }
        );
        let only_api = tasks_table(
            &snapshot,
            &GraphFilter {
                service: Some("api".into()),
                ..GraphFilter::default()
            },
        );
        assert!(only_api.rows.iter().all(|r| r.cells[1].text == "api"));
    }

    #[test]
    fn services_instances_and_events_tables() {
        let snapshot = small();
        let services = services_table(&snapshot);
        assert_eq!(services.rows.len(), 8);
        assert_eq!(
            services.rows[0].cells[6].text,
            "spread across Availability Zones"
        );
        assert_eq!(services.rows[0].cells[7].text, "api:3");
        let instances = instances_table(&snapshot);
        assert_eq!(instances.count_label(2), "2 of 6 instances");
        assert!(instances.rows[5].cells[4].text == "ACTIVE");
        let events = events_table(&snapshot);
        assert_eq!(events.rows.len(), 8);
        assert_eq!(events.rows[0].cells[0].text, "1 h ago");
    }

    #[test]
    fn placement_reads_as_words() {
        let strategy = |kind: &str, field: Option<&str>| PlacementStrategy {
            kind: kind.into(),
            field: field.map(str::to_owned),
        };
        assert_eq!(
            strategy_in_words(&strategy("spread", Some("instanceId"))),
            "spread across instances"
        );
        assert_eq!(
            strategy_in_words(&strategy("spread", Some("attribute:stack"))),
            "spread by stack"
        );
        assert_eq!(
            strategy_in_words(&strategy("binpack", Some("cpu"))),
            "binpack on CPU (fill instances before using more)"
        );
        assert_eq!(
            strategy_in_words(&strategy("random", None)),
            "random instance"
        );
        let constraint = |kind: &str, expression: Option<&str>| PlacementConstraint {
            kind: kind.into(),
            expression: expression.map(str::to_owned),
        };
        assert_eq!(
            constraint_in_words(&constraint("distinctInstance", None)),
            "each task on a different instance"
        );
        assert_eq!(
            constraint_in_words(&constraint("memberOf", Some("attribute:stack == blue"))),
            "only instances where attribute:stack == blue"
        );
        let mut service: Service = serde_json::from_value(json!({
            "serviceArn": "s", "serviceName": "s", "status": "ACTIVE", "taskDefinition": "td:1",
            "schedulingStrategy": "DAEMON",
            "placementConstraints": [{"type": "memberOf", "expression": "attribute:team == platform"}]
        }))
        .unwrap();
        assert_eq!(
            placement_in_words(&service),
            "one task on every instance (daemon); only instances where attribute:team == platform"
        );
        service.scheduling_strategy = "REPLICA".into();
        service.placement_strategy = vec![
            strategy("spread", Some("attribute:ecs.availability-zone")),
            strategy("binpack", Some("memory")),
        ];
        assert_eq!(
            placement_in_words(&service),
            "spread across Availability Zones, then binpack on memory (fill instances before using more); only instances where attribute:team == platform"
        );
    }
}
