//! The placement graph of the console's cluster page, computed from a [`ClusterSnapshot`]:
//! lanes per Availability Zone, instance boxes, task blocks, pools, the legend and filters.
//!
//! Everything here is a pure function of the snapshot, the user's filters and the snapshot's
//! own `fetchedAt` (used as "now" for relative times), so it is tested natively and the
//! browser only turns the result into DOM.
//!
//! - [`task_reservation`]: what a task reserves on its instance (CPU units, MiB).
//! - [`service_swatch`]: a deterministic colour and pattern per service name, told apart with
//!   the common colour-vision deficiencies too.
//! - [`layout`]: lanes per Availability Zone, instance boxes with usage bars and task blocks
//!   sized by memory, Fargate and unplaced tasks in pools, the legend and the filter choices.
//!
//! Its tables are in [`crate::cluster_tables`]; sizes and times read through [`crate::format`].

use std::{
    collections::{BTreeMap, BTreeSet},
    hash::{DefaultHasher, Hash, Hasher},
    sync::Arc,
};

use berth_shared::{
    api::ClusterSnapshot,
    ecs::{ContainerInstance, Task},
    keys::KeyMap,
    ops::size::{parse_cpu_units, parse_memory_mib},
};

use crate::format::{format_cpu, format_memory, plural};

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

/// The second cue of a service's [`Swatch`] beside its colour, so services whose colours look
/// alike to someone with a colour-vision deficiency still look different.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// The colour alone.
    Solid,
    /// Thin vertical bars over the colour.
    Bars,
    /// A grid of small dots over the colour.
    Dots,
}

/// How a service is marked on the graph, in the legend and beside its name: a colour and a
/// pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Swatch {
    /// The colour, sRGB.
    pub rgb: [u8; 3],
    /// The pattern drawn over it.
    pub pattern: Pattern,
}

impl Swatch {
    /// CSS `background` shorthand: the pattern's layer, if any, over the colour.
    pub fn css(self) -> String {
        let [r, g, b] = self.rgb;
        let colour = format!("#{r:02x}{g:02x}{b:02x}");
        let ([ir, ig, ib], opacity) = self.ink();
        let ink = format!("rgb({ir} {ig} {ib} / {opacity}%)");
        match self.pattern {
            Pattern::Solid => colour,
            Pattern::Bars => format!(
                "repeating-linear-gradient(90deg, {ink} 0 2px, transparent 2px 5px), {colour}"
            ),
            Pattern::Dots => format!(
                "radial-gradient(circle, {ink} 1.3px, transparent 1.7px) 0 0 / 5px 5px, {colour}"
            ),
        }
    }

    /// The pattern's ink and its opacity in percent: white over dark colours, black over light
    /// ones.
    fn ink(self) -> ([u8; 3], u8) {
        if relative_luminance(self.rgb) < 0.18 {
            ([255; 3], 60)
        } else {
            ([0; 3], 42)
        }
    }
}

/// WCAG's relative luminance of an sRGB colour (0 black … 1 white).
pub fn relative_luminance(rgb: [u8; 3]) -> f64 {
    let [r, g, b] = rgb.map(linear_channel);
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

/// One sRGB channel (0–255) as linear light (0–1).
fn linear_channel(channel: u8) -> f64 {
    let c = f64::from(channel) / 255.0;
    if c <= 0.040_45 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Paul Tol's "muted" qualitative colours, chosen to stay apart for the common colour-vision
/// deficiencies: rose, indigo, sand, green, cyan, wine, teal, olive, purple.
const ROSE: [u8; 3] = [0xcc, 0x66, 0x77];
const INDIGO: [u8; 3] = [0x33, 0x22, 0x88];
const SAND: [u8; 3] = [0xdd, 0xcc, 0x77];
const GREEN: [u8; 3] = [0x11, 0x77, 0x33];
const CYAN: [u8; 3] = [0x88, 0xcc, 0xee];
const WINE: [u8; 3] = [0x88, 0x22, 0x55];
const TEAL: [u8; 3] = [0x44, 0xaa, 0x99];
const OLIVE: [u8; 3] = [0x99, 0x99, 0x33];
const PURPLE: [u8; 3] = [0xaa, 0x44, 0x99];

/// The sixteen service swatches. Two swatches with the same pattern have colours that stay
/// distinct (CIELAB ΔE ≥ 20) with normal vision and simulated protanopia, deuteranopia and
/// tritanopia; the colours closer than that (teal and purple beside rose, cyan and wine) are
/// told apart by their pattern. The tests check both.
const SWATCHES: [Swatch; 16] = {
    const fn swatch(rgb: [u8; 3], pattern: Pattern) -> Swatch {
        Swatch { rgb, pattern }
    }
    [
        swatch(ROSE, Pattern::Solid),
        swatch(INDIGO, Pattern::Solid),
        swatch(SAND, Pattern::Solid),
        swatch(GREEN, Pattern::Solid),
        swatch(CYAN, Pattern::Solid),
        swatch(WINE, Pattern::Solid),
        swatch(OLIVE, Pattern::Solid),
        swatch(TEAL, Pattern::Bars),
        swatch(PURPLE, Pattern::Bars),
        swatch(INDIGO, Pattern::Bars),
        swatch(SAND, Pattern::Bars),
        swatch(GREEN, Pattern::Bars),
        swatch(ROSE, Pattern::Dots),
        swatch(CYAN, Pattern::Dots),
        swatch(WINE, Pattern::Dots),
        swatch(OLIVE, Pattern::Dots),
    ]
};

/// The swatch of a service: a hash of its name picks one of sixteen, so the same service is
/// marked the same way on every page, in every session.
pub fn service_swatch(name: &str) -> Swatch {
    // FNV-1a: stable across platforms and Rust versions, unlike `DefaultHasher`.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in name.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    SWATCHES[(hash % SWATCHES.len() as u32) as usize]
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
    /// Legend name ([`group_label`]), shared by the blocks of one layout.
    pub service: Arc<str>,
    /// The service's swatch.
    pub swatch: Swatch,
    /// `lastStatus`, shared by the blocks of one layout.
    pub status: Arc<str>,
    /// What it reserves.
    pub reserved: Reservation,
    /// How wide it is drawn.
    pub width: BlockWidth,
}

impl TaskBlock {
    /// Tooltip text, also the block's accessible name: service and status, task id, what it
    /// reserves. Made when a block is drawn rather than for every task of every layout.
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

    /// Tooltip text, also the box's accessible name: the instance, its zone `zone`, status
    /// and usage.
    pub fn title(&self, zone: &str) -> String {
        format!(
            "{} · {} · {zone} · {}\nCPU {} of {} reserved · memory {} of {}",
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
        let tasks = plural(self.shown_tasks, "task", "tasks");
        match (self.instances.len(), pooled) {
            (0, _) => format!("{tasks} {pool_label}"),
            (instances, 0) => format!("{} · {tasks}", plural(instances, "instance", "instances")),
            (instances, pooled) => format!(
                "{} · {tasks} ({pooled} {pool_label})",
                plural(instances, "instance", "instances")
            ),
        }
    }
}

/// One service in the legend.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LegendEntry {
    /// Legend name.
    pub service: String,
    /// Its swatch.
    pub swatch: Swatch,
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
    // Counted in hash maps and small lists, sorted once: this runs on every live change of
    // clusters with tens of thousands of tasks.
    let mut counts: KeyMap<&str, usize> = snapshot
        .services
        .iter()
        .map(|s| (s.service_name.as_str(), 0))
        .collect();
    let mut statuses: Vec<&str> = Vec::new();
    for task in &snapshot.tasks {
        *counts.entry(group_label(task)).or_default() += 1;
        if !statuses.contains(&task.last_status.as_str()) {
            statuses.push(&task.last_status);
        }
    }
    let mut legend: Vec<(&str, usize)> = counts.into_iter().collect();
    legend.sort_unstable();
    statuses.sort_unstable();
    let attributes: BTreeSet<(&str, &str)> = snapshot
        .container_instances
        .iter()
        .flat_map(|i| i.attributes.iter())
        .filter(|a| filterable(&a.name))
        .filter_map(|a| a.value.as_deref().map(|v| (a.name.as_str(), v)))
        .collect();
    Choices {
        legend: legend
            .into_iter()
            .map(|(service, tasks)| LegendEntry {
                service: service.to_owned(),
                swatch: service_swatch(service),
                tasks,
            })
            .collect(),
        statuses: statuses.into_iter().map(str::to_owned).collect(),
        attributes: attributes
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
    }
}

/// How many of `tasks` each service has, in order of first appearance, with its swatch.
pub fn service_counts(tasks: &[TaskBlock]) -> Vec<(String, Swatch, usize)> {
    let mut counts: Vec<(String, Swatch, usize)> = Vec::new();
    for task in tasks {
        match counts.iter_mut().find(|(s, _, _)| **s == *task.service) {
            Some(entry) => entry.2 += 1,
            None => counts.push((task.service.to_string(), task.swatch, 1)),
        }
    }
    counts
}

/// The service names (with their swatches) and statuses of one layout's blocks, each made once:
/// a layout of 20,000 tasks has a few dozen of them.
#[derive(Default)]
struct Labels<'a> {
    services: KeyMap<&'a str, (Arc<str>, Swatch)>,
    statuses: KeyMap<&'a str, Arc<str>>,
}

impl<'a> Labels<'a> {
    fn block(&mut self, task: &'a Task, reserved: Reservation, width: BlockWidth) -> TaskBlock {
        let label = group_label(task);
        let (service, swatch) = self
            .services
            .entry(label)
            .or_insert_with(|| (Arc::from(label), service_swatch(label)))
            .clone();
        let status = Arc::clone(
            self.statuses
                .entry(&task.last_status)
                .or_insert_with(|| Arc::from(task.last_status.as_str())),
        );
        TaskBlock {
            id: task.short_id().to_owned(),
            swatch,
            service,
            status,
            reserved,
            width,
        }
    }
}

fn resource(resources: &[berth_shared::ecs::Resource], name: &str) -> Option<i64> {
    resources
        .iter()
        .find(|r| r.name == name)
        .and_then(berth_shared::ecs::Resource::number)
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

/// Attributes worth filtering on: those with a value, except per-host details (AMI id).
fn filterable(name: &str) -> bool {
    name != berth_shared::ecs::attribute::AMI_ID
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
    // Each instance's tasks, by the instance's position (one hash lookup per task: ARNs share
    // long prefixes, which makes ordered maps of them slow on 20,000 tasks).
    let position: KeyMap<&str, usize> = snapshot
        .container_instances
        .iter()
        .enumerate()
        .map(|(i, instance)| (instance.container_instance_arn.as_str(), i))
        .collect();
    let mut by_instance: Vec<Vec<&Task>> = vec![Vec::new(); snapshot.container_instances.len()];
    let mut pools: BTreeMap<(String, String), Vec<&Task>> = BTreeMap::new();
    for task in &snapshot.tasks {
        match task
            .container_instance_arn
            .as_deref()
            .and_then(|arn| position.get(arn))
        {
            Some(&at) => by_instance[at].push(task),
            None => {
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
    let mut labels = Labels::default();
    let mut shown_instances = 0;
    for (instance, on_instance) in snapshot.container_instances.iter().zip(&by_instance) {
        if !filter.matches_instance(instance) {
            continue;
        }
        let zone = instance.availability_zone().unwrap_or(UNKNOWN_ZONE);
        let tasks: Vec<(&Task, Reservation)> = on_instance
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
                labels.block(t, *reserved, BlockWidth::Share(share as u32))
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
                    labels.block(t, reserved, pool_block_width(reserved.memory))
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
    pub services: Vec<(String, Swatch, usize)>,
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

#[cfg(test)]
mod tests {
    use berth_shared::time::Timestamp;
    use berth_synthetic::{synthetic_change, synthetic_snapshot};
    use serde_json::json;

    use super::*;
    use crate::{
        cluster_tables::{events_table, instances_table, services_table, tasks_table},
        table::{SortKey, SortOrder},
    };

    fn task(value: serde_json::Value) -> Task {
        serde_json::from_value(value).unwrap()
    }

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-23T09:00:00Z").unwrap()
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
    fn swatches_are_deterministic_and_spread_over_the_demo_services() {
        assert_eq!(service_swatch("api"), service_swatch("api"));
        let swatches: BTreeSet<(u8, u8, u8, u8)> = [
            "api",
            "web-frontend",
            "payments",
            "auth",
            "nginx-proxy",
            "metrics-agent",
        ]
        .iter()
        .map(|s| {
            let Swatch {
                rgb: [r, g, b],
                pattern,
            } = service_swatch(s);
            (r, g, b, pattern as u8)
        })
        .collect();
        assert_eq!(swatches.len(), 6, "distinct swatches: {swatches:?}");
        let plain = Swatch {
            rgb: [0xcc, 0x66, 0x77],
            pattern: Pattern::Solid,
        };
        assert_eq!(plain.css(), "#cc6677");
        let dark_bars = Swatch {
            rgb: [0x33, 0x22, 0x88],
            pattern: Pattern::Bars,
        };
        assert_eq!(
            dark_bars.css(),
            "repeating-linear-gradient(90deg, rgb(255 255 255 / 60%) 0 2px, transparent 2px 5px), #332288"
        );
        let light_dots = Swatch {
            rgb: [0x88, 0xcc, 0xee],
            pattern: Pattern::Dots,
        };
        assert!(
            light_dots
                .css()
                .starts_with("radial-gradient(circle, rgb(0 0 0 / 42%)")
        );
    }

    /// Colour-vision deficiencies as linear-RGB matrices (Machado, Oliveira and Fernandes,
    /// 2009, severity 1.0), beside normal vision.
    const VISIONS: [(&str, [[f64; 3]; 3]); 4] = [
        (
            "normal",
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        ),
        (
            "protanopia",
            [
                [0.152_286, 1.052_583, -0.204_868],
                [0.114_503, 0.786_281, 0.099_216],
                [-0.003_882, -0.048_116, 1.051_998],
            ],
        ),
        (
            "deuteranopia",
            [
                [0.367_322, 0.860_646, -0.227_968],
                [0.280_085, 0.672_501, 0.047_413],
                [-0.011_820, 0.042_940, 0.968_881],
            ],
        ),
        (
            "tritanopia",
            [
                [1.255_528, -0.076_749, -0.178_779],
                [-0.078_411, 0.930_809, 0.147_602],
                [0.004_733, 0.691_367, 0.303_900],
            ],
        ),
    ];

    /// CIELAB (D65) of a colour as seen through `vision`.
    fn seen_lab(rgb: [u8; 3], vision: &[[f64; 3]; 3]) -> [f64; 3] {
        let linear = rgb.map(linear_channel);
        let seen: Vec<f64> = vision
            .iter()
            .map(|row| {
                (0..3)
                    .map(|i| row[i] * linear[i])
                    .sum::<f64>()
                    .clamp(0.0, 1.0)
            })
            .collect();
        let (r, g, b) = (seen[0], seen[1], seen[2]);
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.950_47;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.088_83;
        let f = |t: f64| {
            if t > 0.008_856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    }

    #[test]
    fn swatches_sharing_a_pattern_stay_apart_with_colour_vision_deficiencies() {
        for (i, a) in SWATCHES.iter().enumerate() {
            for b in &SWATCHES[i + 1..] {
                assert_ne!(a, b, "every swatch is different");
                if a.pattern != b.pattern {
                    continue;
                }
                for (vision, matrix) in &VISIONS {
                    let (la, lb) = (seen_lab(a.rgb, matrix), seen_lab(b.rgb, matrix));
                    let delta = (0..3).map(|k| (la[k] - lb[k]).powi(2)).sum::<f64>().sqrt();
                    assert!(
                        delta >= 20.0,
                        "{a:?} and {b:?} are only ΔE {delta:.1} apart with {vision}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_pattern_shows_against_its_colour() {
        let contrast = |a: [u8; 3], b: [u8; 3]| {
            let (la, lb) = (relative_luminance(a), relative_luminance(b));
            (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
        };
        for swatch in SWATCHES.iter().filter(|s| s.pattern != Pattern::Solid) {
            let (ink, opacity) = swatch.ink();
            let alpha = f64::from(opacity) / 100.0;
            let drawn: [u8; 3] = std::array::from_fn(|i| {
                (alpha * f64::from(ink[i]) + (1.0 - alpha) * f64::from(swatch.rgb[i])).round() as u8
            });
            let ratio = contrast(drawn, swatch.rgb);
            assert!(
                ratio >= 2.0,
                "{swatch:?}: its pattern is only {ratio:.2}:1 on its colour"
            );
        }
    }

    #[test]
    fn task_blocks_are_sized_by_memory() {
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
            [("web".to_owned(), service_swatch("web"), 1)]
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
                let services: Vec<&str> = instance.tasks.iter().map(|t| &*t.service).collect();
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
                .all(|t| &*t.service == "api")
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
    fn boxes_and_blocks_are_named_in_words() {
        let snapshot = synthetic_snapshot("t", 3, 6, 5, now());
        let graph = layout(&snapshot, &GraphFilter::default());
        let lane = &graph.lanes[0];
        let instance = &lane.instances[0];
        let name = instance.title(&lane.zone);
        assert!(name.contains(&lane.zone), "{name}");
        assert!(name.contains(&instance.status), "{name}");
        assert!(name.contains("CPU") && name.contains("memory"), "{name}");
        let block = graph
            .lanes
            .iter()
            .flat_map(|l| &l.instances)
            .flat_map(|i| &i.tasks)
            .next()
            .expect("a task block");
        let name = block.title();
        for part in [&*block.service, &*block.status, block.id.as_str()] {
            assert!(name.contains(part), "{part} in {name}");
        }
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
            "Spread tasks evenly across Availability Zones."
        );
        assert_eq!(services.rows[0].cells[7].text, "api:3");
        let instances = instances_table(&snapshot);
        assert_eq!(instances.count_label(2), "2 of 6 instances");
        assert!(instances.rows[5].cells[4].text == "ACTIVE");
        let events = events_table(&snapshot);
        assert_eq!(events.rows.len(), 8);
        assert_eq!(events.rows[0].cells[0].text, "1 h ago");
    }
}
