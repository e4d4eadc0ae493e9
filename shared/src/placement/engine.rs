//! The EC2 / EXTERNAL placement loop: per-instance state built once, then one task at a time
//! through filters, constraints and strategies (rules in the [`super`] module docs).
//!
//! Performance notes: everything that cannot change while tasks are placed (status, agent,
//! attributes, subnet zones, `memberOf` expressions without `runningTasksCount`/`task:group`)
//! is evaluated once per instance. Only the instance that receives a task changes state, so
//! every instance is checked once up front and afterwards only the chosen one is checked
//! again. Without a random strategy, feasible instances are kept in ordered sets per *cell*
//! (instances sharing every attribute-spread value, whose spread scores are therefore equal),
//! so choosing a host costs O(cells + log n) instead of a scan. Rejections are small `Copy`
//! values, turned into sentences only for the explanations that list instances.

use std::collections::{BTreeSet, HashMap};

use super::cost::{
    TaskCost, eni_task_limit, has_trunk_eni, parse_cpu, parse_memory, registered_capacity,
    resource_amount, resource_ports, task_cost,
};
use super::cql::{Expr, InstanceFacts};
use super::fargate;
use super::rules::{
    Constraint, MAX_CONSTRAINTS, PackedResource, Rule, SpreadField, draw, random_score,
    rule_to_strategy, validate_constraints, validate_strategies,
};
use super::{
    CandidateRank, InstanceVerdict, MAX_COUNT, MAX_RESERVED_PORTS, PlacedTask, PlacementFailure,
    PlacementInput, PlacementOutput, Rejection, Stage, StageCount, TaskExplanation,
};
use crate::ecs::{ContainerInstance, Task, TaskDefinition};
use crate::input::InputError;
use crate::time::Timestamp;

/// Number of [`Stage`]s.
const STAGES: usize = Stage::DistinctInstance as usize + 1;
/// Draw stream of the instance tie-break order.
const TIEBREAK_STREAM: u64 = u64::MAX;

/// Places `input.count` tasks and explains every decision.
pub fn simulate_placement(input: &PlacementInput) -> Result<PlacementOutput, InputError> {
    if !(1..=MAX_COUNT).contains(&input.count) {
        return Err(InputError::new(
            "count",
            format!("must be between 1 and {MAX_COUNT}, got {}", input.count),
        ));
    }
    let group = task_group(input.group.as_deref(), &input.task_definition)?;
    let cost = task_cost(&input.task_definition).map_err(|e| within("taskDefinition", e))?;
    match input.launch_type.as_deref() {
        None | Some("EC2" | "EXTERNAL") => Engine::new(input, group, cost)?.run(),
        Some("FARGATE") => fargate::place(input, &group),
        Some(other) => Err(InputError::new(
            "launchType",
            format!("unknown launch type {other:?}; expected EC2, EXTERNAL or FARGATE"),
        )),
    }
}

/// The task group: `group`, or `family:<family>`.
pub(super) fn task_group(
    group: Option<&str>,
    definition: &TaskDefinition,
) -> Result<String, InputError> {
    let group = match group {
        Some(group) => group.to_owned(),
        None if definition.family.is_empty() => {
            return Err(InputError::new(
                "group",
                "give a group or a task definition with a family",
            ));
        }
        None => format!("family:{}", definition.family),
    };
    if group.is_empty() || group.len() > 255 {
        return Err(InputError::new("group", "must be 1 to 255 characters"));
    }
    Ok(group)
}

/// Re-roots an error found inside a nested document at `prefix`.
pub(super) fn within(prefix: &str, error: InputError) -> InputError {
    let field = if error.field == "." {
        prefix.to_owned()
    } else {
        format!("{prefix}.{}", error.field)
    };
    InputError::new(field, error.message)
}

/// Whether a task still holds resources on its instance.
pub(super) fn holds_resources(task: &Task) -> bool {
    !matches!(task.last_status.as_str(), "STOPPED" | "DELETED")
}

/// Whether a task counts in its group (spread, distinctInstance, task:group).
pub(super) fn counts_in_group(task: &Task) -> bool {
    holds_resources(task) && task.desired_status.as_deref() != Some("STOPPED")
}

/// Costs of the input's `taskDefinitions`, by ARN and by `family:revision`.
pub(super) struct KnownDefinitions {
    costs: HashMap<String, TaskCost>,
}

impl KnownDefinitions {
    pub(super) fn new(definitions: &[TaskDefinition]) -> Result<Self, InputError> {
        let mut costs = HashMap::new();
        for (index, definition) in definitions.iter().enumerate() {
            let cost = task_cost(definition)
                .map_err(|e| within(&format!("taskDefinitions[{index}]"), e))?;
            if let Some(arn) = &definition.task_definition_arn {
                costs.insert(arn.clone(), cost.clone());
                costs.insert(family_revision(arn).to_owned(), cost.clone());
            }
            if let Some(revision) = definition.revision {
                costs.insert(format!("{}:{revision}", definition.family), cost);
            }
        }
        Ok(Self { costs })
    }

    /// What `task` (input index `index`) holds: its definition's cost when known, else its own
    /// `cpu`/`memory` and host port bindings.
    pub(super) fn cost_of(&self, task: &Task, index: usize) -> Result<TaskCost, InputError> {
        let arn = task.task_definition_arn.as_str();
        let on_eni = task.attachments.iter().any(|a| {
            a.kind.eq_ignore_ascii_case("ElasticNetworkInterface")
                || a.kind.eq_ignore_ascii_case("eni")
        });
        if let Some(cost) = self
            .costs
            .get(arn)
            .or_else(|| self.costs.get(family_revision(arn)))
        {
            let mut cost = cost.clone();
            cost.needs_eni |= on_eni;
            return Ok(cost);
        }
        let at = |field: &str| format!("tasks[{index}].{field}");
        let cpu = match &task.cpu {
            Some(text) => parse_cpu(text).map_err(|m| InputError::new(at("cpu"), m))?,
            None => 0,
        };
        let memory = match &task.memory {
            Some(text) => parse_memory(text).map_err(|m| InputError::new(at("memory"), m))?,
            None => 0,
        };
        let mut cost = TaskCost {
            cpu,
            memory,
            needs_eni: on_eni,
            ..TaskCost::default()
        };
        for binding in task.containers.iter().flat_map(|c| &c.network_bindings) {
            let Some(port) = binding.host_port.and_then(|p| u16::try_from(p).ok()) else {
                continue;
            };
            if port == 0 {
                continue;
            }
            if binding.protocol.as_deref() == Some("udp") {
                cost.udp_ports.push(port);
            } else {
                cost.tcp_ports.push(port);
            }
        }
        Ok(cost)
    }
}

fn family_revision(arn: &str) -> &str {
    arn.rsplit_once("task-definition/")
        .map_or(arn, |(_, rest)| rest)
}

/// An instance's changing state.
#[derive(Debug, Clone)]
pub(super) struct Host {
    pub(super) cpu: i64,
    pub(super) memory: i64,
    pub(super) gpus: i64,
    pub(super) registered_gpus: i64,
    pub(super) tcp: BTreeSet<u16>,
    pub(super) udp: BTreeSet<u16>,
    pub(super) eni_limit: Option<i64>,
    pub(super) eni_free: Option<i64>,
    /// Tasks of the placement group on the instance.
    pub(super) group_tasks: i64,
    pub(super) running: i64,
    /// Groups of the other tasks on it.
    pub(super) other_groups: Vec<String>,
}

impl Host {
    /// The first resource `cost` does not fit, if any.
    fn misfit(&self, cost: &TaskCost) -> Option<Reject> {
        if self.cpu < cost.cpu {
            return Some(Reject::Cpu {
                needed: cost.cpu,
                available: self.cpu,
            });
        }
        if self.memory < cost.memory {
            return Some(Reject::Memory {
                needed: cost.memory,
                available: self.memory,
            });
        }
        let gpus = cost.gpus_on(self.registered_gpus);
        if gpus > 0 && self.gpus < gpus {
            return Some(Reject::Gpu {
                needed: gpus,
                available: self.gpus,
            });
        }
        if let Some(&port) = cost.tcp_ports.iter().find(|p| self.tcp.contains(p)) {
            return Some(Reject::Port(port));
        }
        if let Some(&port) = cost.udp_ports.iter().find(|p| self.udp.contains(p)) {
            return Some(Reject::PortUdp(port));
        }
        for (set, wanted) in [(&self.tcp, &cost.tcp_ports), (&self.udp, &cost.udp_ports)] {
            if !wanted.is_empty() && set.len() + wanted.len() > MAX_RESERVED_PORTS {
                return Some(Reject::PortLimit {
                    reserved: set.len() as i64,
                });
            }
        }
        if cost.needs_eni
            && let (Some(limit), Some(free)) = (self.eni_limit, self.eni_free)
            && free < 1
        {
            return Some(Reject::Eni { limit });
        }
        None
    }

    /// Takes `cost` out of the instance.
    pub(super) fn take(&mut self, cost: &TaskCost) {
        self.cpu = self.cpu.saturating_sub(cost.cpu);
        self.memory = self.memory.saturating_sub(cost.memory);
        self.gpus = self.gpus.saturating_sub(cost.gpus_on(self.registered_gpus));
        self.tcp.extend(cost.tcp_ports.iter().copied());
        self.udp.extend(cost.udp_ports.iter().copied());
        if cost.needs_eni {
            self.eni_free = self.eni_free.map(|free| free - 1);
        }
    }
}

/// Builds every instance's state from the input (rules in the module docs).
pub(super) fn build_hosts(
    instances: &[ContainerInstance],
    tasks: &[Task],
    known: &KnownDefinitions,
    group: &str,
) -> Result<Vec<Host>, InputError> {
    let index: HashMap<&str, usize> = instances
        .iter()
        .enumerate()
        .map(|(i, instance)| (instance.container_instance_arn.as_str(), i))
        .collect();
    let mut used: Vec<TaskCost> = vec![TaskCost::default(); instances.len()];
    let mut enis_used = vec![0i64; instances.len()];
    let mut counted = vec![0i64; instances.len()];
    let mut group_tasks = vec![0i64; instances.len()];
    let mut other_groups: Vec<Vec<String>> = vec![Vec::new(); instances.len()];
    for (task_index, task) in tasks.iter().enumerate() {
        let Some(&i) = task
            .container_instance_arn
            .as_deref()
            .and_then(|arn| index.get(arn))
        else {
            continue;
        };
        if !holds_resources(task) {
            continue;
        }
        if counts_in_group(task) {
            counted[i] += 1;
            match &task.group {
                Some(g) if g == group => group_tasks[i] += 1,
                Some(g) => other_groups[i].push(g.clone()),
                None => {}
            }
        }
        let cost = known.cost_of(task, task_index)?;
        let total = &mut used[i];
        total.cpu = total.cpu.saturating_add(cost.cpu);
        total.memory = total.memory.saturating_add(cost.memory);
        total.gpus = total.gpus.saturating_add(cost.gpus);
        total.tcp_ports.extend(cost.tcp_ports);
        total.udp_ports.extend(cost.udp_ports);
        enis_used[i] += i64::from(cost.needs_eni);
    }
    Ok(instances
        .iter()
        .enumerate()
        .map(|(i, instance)| {
            let registered = registered_capacity(instance);
            let remaining = &instance.remaining_resources;
            let used = &used[i];
            let ports = |name: &str, reserved: &BTreeSet<u16>, used: &[u16]| {
                resource_ports(remaining, name)
                    .unwrap_or_else(|| reserved.iter().chain(used).copied().collect())
            };
            let eni_limit = instance
                .instance_type()
                .and_then(|t| eni_task_limit(t, has_trunk_eni(instance)));
            Host {
                cpu: resource_amount(remaining, "CPU")
                    .unwrap_or(registered.cpu.saturating_sub(used.cpu)),
                memory: resource_amount(remaining, "MEMORY")
                    .unwrap_or(registered.memory.saturating_sub(used.memory)),
                gpus: resource_amount(remaining, "GPU")
                    .unwrap_or(registered.gpus.saturating_sub(used.gpus)),
                registered_gpus: registered.gpus,
                tcp: ports("PORTS", &registered.tcp_ports, &used.tcp_ports),
                udp: ports("PORTS_UDP", &registered.udp_ports, &used.udp_ports),
                eni_limit,
                eni_free: eni_limit.map(|limit| limit - enis_used[i]),
                group_tasks: group_tasks[i],
                running: (instance.running_tasks_count + instance.pending_tasks_count)
                    .max(counted[i]),
                other_groups: std::mem::take(&mut other_groups[i]),
            }
        })
        .collect())
}

/// The evaluator's view of an instance during placement.
pub(super) struct HostFacts<'a> {
    pub(super) instance: &'a ContainerInstance,
    pub(super) host: &'a Host,
    pub(super) group: &'a str,
}

impl InstanceFacts for HostFacts<'_> {
    fn attribute(&self, name: &str) -> Option<Option<&str>> {
        InstanceFacts::attribute(self.instance, name)
    }
    fn ec2_instance_id(&self) -> Option<&str> {
        self.instance.ec2_instance_id.as_deref()
    }
    fn agent_connected(&self) -> bool {
        self.instance.agent_connected
    }
    fn agent_version(&self) -> Option<&str> {
        self.instance.version_info.agent_version.as_deref()
    }
    fn registered_at(&self) -> Option<Timestamp> {
        self.instance.registered_at
    }
    fn running_tasks_count(&self) -> i64 {
        self.host.running
    }
    fn any_task_group(&self, test: &mut dyn FnMut(&str) -> bool) -> bool {
        (self.host.group_tasks > 0 && test(self.group))
            || self.host.other_groups.iter().any(|g| test(g))
    }
}

/// Why an instance was rejected, compactly (turned into a [`Rejection`] on demand).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reject {
    Status,
    Agent,
    Attribute(usize),
    SubnetZone,
    Cpu { needed: i64, available: i64 },
    Memory { needed: i64, available: i64 },
    Gpu { needed: i64, available: i64 },
    Port(u16),
    PortUdp(u16),
    PortLimit { reserved: i64 },
    Eni { limit: i64 },
    MemberOf(usize),
    Distinct(i64),
}

impl Reject {
    fn stage(self) -> Stage {
        match self {
            Self::Status => Stage::Status,
            Self::Agent => Stage::Agent,
            Self::Attribute(_) => Stage::Attribute,
            Self::SubnetZone => Stage::SubnetZone,
            Self::Cpu { .. } => Stage::Cpu,
            Self::Memory { .. } => Stage::Memory,
            Self::Gpu { .. } => Stage::Gpu,
            Self::Port(_) => Stage::Ports,
            Self::PortUdp(_) => Stage::PortsUdp,
            Self::PortLimit { .. } => Stage::PortLimit,
            Self::Eni { .. } => Stage::Eni,
            Self::MemberOf(_) => Stage::MemberOf,
            Self::Distinct(_) => Stage::DistinctInstance,
        }
    }
}

/// The ECS failure reason of a stage.
pub(super) fn reason(stage: Stage) -> &'static str {
    match stage {
        Stage::Status => "NO ACTIVE INSTANCES",
        Stage::Agent => "AGENT",
        Stage::Attribute | Stage::SubnetZone => "ATTRIBUTE",
        Stage::Cpu => "RESOURCE:CPU",
        Stage::Memory => "RESOURCE:MEMORY",
        Stage::Gpu => "RESOURCE:GPU",
        Stage::Ports | Stage::PortLimit => "RESOURCE:PORTS",
        Stage::PortsUdp => "RESOURCE:PORTS_UDP",
        Stage::Eni => "RESOURCE:ENI",
        Stage::MemberOf => "MemberOf placement constraint unsatisfied.",
        Stage::DistinctInstance => "DistinctInstance placement constraint unsatisfied.",
    }
}

const ALL_STAGES: [Stage; STAGES] = [
    Stage::Status,
    Stage::Agent,
    Stage::Attribute,
    Stage::SubnetZone,
    Stage::Cpu,
    Stage::Memory,
    Stage::Gpu,
    Stage::Ports,
    Stage::PortsUdp,
    Stage::PortLimit,
    Stage::Eni,
    Stage::MemberOf,
    Stage::DistinctInstance,
];

/// Counts of spread-relevant tasks per attribute value.
struct SpreadCounts {
    /// Bucket of each instance (empty for rules that are not attribute spreads).
    bucket: Vec<u32>,
    counts: Vec<i64>,
}

/// Scores of a candidate under each strategy (unused slots 0).
type Scores = [i64; super::MAX_STRATEGIES];

/// Order of candidates inside a cell: instance-only scores, tie-break, index.
type CellKey = (Scores, u64, u32);

/// Best scores when there is no best candidate.
fn best_scores_none() -> Scores {
    [0; super::MAX_STRATEGIES]
}

struct Engine<'a> {
    input: &'a PlacementInput,
    instances: &'a [ContainerInstance],
    group: String,
    cost: TaskCost,
    rules: Vec<Rule>,
    hosts: Vec<Host>,
    static_reject: Vec<Option<Reject>>,
    /// First static memberOf constraint each instance fails.
    member_fail: Vec<Option<usize>>,
    /// memberOf constraints that depend on placement, with their index.
    dynamic: Vec<(usize, Expr)>,
    constraint_texts: Vec<String>,
    distinct: bool,
    spread: Vec<SpreadCounts>,
    tiebreak: Vec<u64>,
    warnings: Vec<String>,
}

impl<'a> Engine<'a> {
    fn new(input: &'a PlacementInput, group: String, cost: TaskCost) -> Result<Self, InputError> {
        let definition = &input.task_definition;
        let task_memory_set = definition
            .memory
            .as_deref()
            .is_some_and(|m| parse_memory(m).is_ok_and(|m| m > 0));
        if !task_memory_set {
            for (index, container) in definition.container_definitions.iter().enumerate() {
                let has_memory = container.memory.is_some_and(|m| m > 0)
                    || container.memory_reservation.is_some_and(|m| m > 0);
                if !has_memory {
                    return Err(InputError::new(
                        format!("taskDefinition.containerDefinitions[{index}].memory"),
                        "EC2 tasks need task-level memory or memory/memoryReservation on every \
                         container",
                    ));
                }
            }
        }
        let mut rules = validate_strategies(&input.placement_strategy, "placementStrategy")?;
        if rules.is_empty() {
            rules = if group.starts_with("service:") {
                vec![
                    Rule::Spread(SpreadField::Attribute(
                        crate::ecs::attribute::AVAILABILITY_ZONE.to_owned(),
                    )),
                    Rule::Spread(SpreadField::Instance),
                ]
            } else {
                vec![Rule::Random]
            };
        }
        let mut constraints = validate_constraints(
            &definition.placement_constraints,
            "taskDefinition.placementConstraints",
            false,
        )?;
        constraints.extend(validate_constraints(
            &input.placement_constraints,
            "placementConstraints",
            true,
        )?);
        if constraints.len() > MAX_CONSTRAINTS {
            return Err(InputError::new(
                "placementConstraints",
                format!(
                    "at most {MAX_CONSTRAINTS} constraints per task (task definition and request \
                     together), got {}",
                    constraints.len()
                ),
            ));
        }
        let known = KnownDefinitions::new(&input.task_definitions)?;
        let instances = input.container_instances.as_slice();
        let mut hosts = build_hosts(instances, &input.tasks, &known, &group)?;
        let mut warnings = Vec::new();
        if !input.availability_zones.is_empty() && !cost.needs_eni {
            warnings.push(
                "availabilityZones only filters awsvpc tasks on EC2; it was ignored".to_owned(),
            );
        }

        let static_reject: Vec<Option<Reject>> = instances
            .iter()
            .map(|instance| {
                if instance.status != "ACTIVE" {
                    return Some(Reject::Status);
                }
                if !instance.agent_connected {
                    return Some(Reject::Agent);
                }
                if let Some(k) = definition.requires_attributes.iter().position(|required| {
                    !instance.attributes.iter().any(|a| {
                        a.name == required.name
                            && (required.value.is_none() || a.value == required.value)
                    })
                }) {
                    return Some(Reject::Attribute(k));
                }
                let zones = &input.availability_zones;
                if cost.needs_eni
                    && !zones.is_empty()
                    && !instance
                        .availability_zone()
                        .is_some_and(|zone| zones.iter().any(|z| z == zone))
                {
                    return Some(Reject::SubnetZone);
                }
                None
            })
            .collect();

        reserve_daemons(input, &group, &static_reject, &mut hosts, &mut warnings)?;

        let mut constraint_texts = Vec::new();
        let mut statics = Vec::new();
        let mut dynamic = Vec::new();
        let mut distinct = false;
        for (index, constraint) in constraints.into_iter().enumerate() {
            match constraint {
                Constraint::DistinctInstance => {
                    distinct = true;
                    constraint_texts.push("distinctInstance".to_owned());
                }
                Constraint::MemberOf(expr) => {
                    constraint_texts.push(expr.to_string());
                    if expr.is_dynamic() {
                        dynamic.push((index, expr));
                    } else {
                        statics.push((index, expr));
                    }
                }
            }
        }
        let member_fail = instances
            .iter()
            .zip(&hosts)
            .map(|(instance, host)| {
                let facts = HostFacts {
                    instance,
                    host,
                    group: &group,
                };
                statics
                    .iter()
                    .find(|(_, expr)| !expr.evaluate(&facts))
                    .map(|(index, _)| *index)
            })
            .collect();

        let spread = rules
            .iter()
            .map(|rule| match rule {
                Rule::Spread(SpreadField::Attribute(name)) => {
                    let mut ids: HashMap<Option<&str>, u32> = HashMap::new();
                    let bucket: Vec<u32> = instances
                        .iter()
                        .map(|instance| {
                            let next = ids.len() as u32;
                            *ids.entry(instance.attribute(name)).or_insert(next)
                        })
                        .collect();
                    let mut counts = vec![0i64; ids.len()];
                    for (b, host) in bucket.iter().zip(&hosts) {
                        counts[*b as usize] += host.group_tasks;
                    }
                    SpreadCounts { bucket, counts }
                }
                _ => SpreadCounts {
                    bucket: Vec::new(),
                    counts: Vec::new(),
                },
            })
            .collect();
        let tiebreak = (0..instances.len() as u64)
            .map(|i| draw(input.seed, TIEBREAK_STREAM, i))
            .collect();
        Ok(Self {
            input,
            instances,
            group,
            cost,
            rules,
            hosts,
            static_reject,
            member_fail,
            dynamic,
            constraint_texts,
            distinct,
            spread,
            tiebreak,
            warnings,
        })
    }

    /// The first stage that rejects instance `i` for the task, if any.
    fn check(&self, i: usize) -> Option<Reject> {
        if let Some(reject) = self.static_reject[i] {
            return Some(reject);
        }
        let host = &self.hosts[i];
        if let Some(reject) = host.misfit(&self.cost) {
            return Some(reject);
        }
        if let Some(index) = self.member_fail[i] {
            return Some(Reject::MemberOf(index));
        }
        if !self.dynamic.is_empty() {
            let facts = HostFacts {
                instance: &self.instances[i],
                host,
                group: &self.group,
            };
            if let Some((index, _)) = self.dynamic.iter().find(|(_, e)| !e.evaluate(&facts)) {
                return Some(Reject::MemberOf(*index));
            }
        }
        if self.distinct && host.group_tasks > 0 {
            return Some(Reject::Distinct(host.group_tasks));
        }
        None
    }

    fn score(&self, rule: usize, i: usize, task: usize) -> i64 {
        match &self.rules[rule] {
            Rule::Binpack(PackedResource::Cpu) => self.hosts[i].cpu,
            Rule::Binpack(PackedResource::Memory) => self.hosts[i].memory,
            Rule::Spread(SpreadField::Instance) => self.hosts[i].group_tasks,
            Rule::Spread(SpreadField::Attribute(_)) => {
                let spread = &self.spread[rule];
                spread.counts[spread.bucket[i] as usize]
            }
            Rule::Random => random_score(self.input.seed, task as u64, i as u64),
        }
    }

    fn scores(&self, i: usize, task: usize) -> Scores {
        let mut scores = [0; super::MAX_STRATEGIES];
        for (rule, slot) in scores.iter_mut().enumerate().take(self.rules.len()) {
            *slot = self.score(rule, i, task);
        }
        scores
    }

    /// The full ordering key of a candidate: scores, then the tie-break order.
    fn key(&self, i: usize, task: usize) -> (Scores, u64, usize) {
        (self.scores(i, task), self.tiebreak[i], i)
    }

    /// The key of a candidate inside its cell: the scores that depend on the instance alone
    /// (attribute spreads are equal within a cell and left at 0).
    fn cell_key(&self, i: usize) -> CellKey {
        let mut scores = [0; super::MAX_STRATEGIES];
        for (rule, slot) in scores.iter_mut().enumerate().take(self.rules.len()) {
            if !matches!(self.rules[rule], Rule::Spread(SpreadField::Attribute(_))) {
                *slot = self.score(rule, i, 0);
            }
        }
        (scores, self.tiebreak[i], i as u32)
    }

    /// Groups instances by their values of every attribute spread: cell index per instance,
    /// and the number of cells.
    fn cells(&self) -> (Vec<usize>, usize) {
        let mut ids: HashMap<Vec<u32>, usize> = HashMap::new();
        let cells = (0..self.instances.len())
            .map(|i| {
                let signature: Vec<u32> = self
                    .spread
                    .iter()
                    .filter_map(|spread| spread.bucket.get(i).copied())
                    .collect();
                let next = ids.len();
                *ids.entry(signature).or_insert(next)
            })
            .collect();
        (cells, ids.len())
    }

    fn place(&mut self, i: usize) {
        let host = &mut self.hosts[i];
        host.take(&self.cost);
        host.group_tasks += 1;
        host.running += 1;
        for spread in &mut self.spread {
            if let Some(&bucket) = spread.bucket.get(i) {
                spread.counts[bucket as usize] += 1;
            }
        }
    }

    fn run(mut self) -> Result<PlacementOutput, InputError> {
        let n = self.instances.len();
        let count = self.input.count as usize;
        let mut output = PlacementOutput {
            tasks: Vec::with_capacity(count),
            failures: Vec::new(),
            explanations: Vec::with_capacity(count),
            placement_strategy: self.rules.iter().map(rule_to_strategy).collect(),
            warnings: std::mem::take(&mut self.warnings),
        };
        // Only the instance that receives a task changes (its resources, ports, ENIs, task
        // counts), so each instance's verdict is computed once and then only the chosen
        // instance is checked again.
        let mut verdict: Vec<Option<Reject>> = (0..n).map(|i| self.check(i)).collect();
        let mut stage_counts = [0usize; STAGES];
        let mut feasible = 0usize;
        for reject in &verdict {
            match reject {
                Some(reject) => stage_counts[reject.stage() as usize] += 1,
                None => feasible += 1,
            }
        }
        // Without a random strategy, candidates are kept ordered per cell (instances sharing
        // every attribute-spread value); the best task host is the best of the cells' firsts.
        let indexed = !self.rules.contains(&Rule::Random);
        let (cell_of, cell_count) = self.cells();
        let mut cells: Vec<BTreeSet<CellKey>> = vec![BTreeSet::new(); cell_count];
        if indexed {
            for i in (0..n).filter(|&i| verdict[i].is_none()) {
                cells[cell_of[i]].insert(self.cell_key(i));
            }
        }

        for task in 0..count {
            let rejected: Vec<StageCount> = ALL_STAGES
                .iter()
                .zip(stage_counts)
                .filter(|(_, count)| *count > 0)
                .map(|(&stage, instances)| StageCount { stage, instances })
                .collect();
            let chosen = if indexed {
                cells
                    .iter()
                    .filter_map(|cell| cell.first())
                    .map(|&(_, _, i)| self.key(i as usize, task))
                    .min()
            } else {
                (0..n)
                    .filter(|&i| verdict[i].is_none())
                    .map(|i| self.key(i, task))
                    .min()
            };
            let Some((best_scores, _, chosen)) = chosen else {
                let failure = self.failure(&verdict);
                output.explanations.push(TaskExplanation {
                    task,
                    placed_on: None,
                    availability_zone: None,
                    failure_reason: Some(failure.reason.clone()),
                    candidates: 0,
                    rejected: rejected.clone(),
                    instances: self.verdicts(&verdict, None, &best_scores_none(), task),
                    zones: Vec::new(),
                    same_as_task: None,
                });
                for later in task + 1..count {
                    output.explanations.push(TaskExplanation {
                        task: later,
                        placed_on: None,
                        availability_zone: None,
                        failure_reason: Some(failure.reason.clone()),
                        candidates: 0,
                        rejected: rejected.clone(),
                        instances: Vec::new(),
                        zones: Vec::new(),
                        same_as_task: Some(task),
                    });
                }
                output.failures = vec![failure; count - task];
                break;
            };

            let instance = &self.instances[chosen];
            let zone = instance.availability_zone().map(str::to_owned);
            output.tasks.push(PlacedTask {
                container_instance_arn: Some(instance.container_instance_arn.clone()),
                ec2_instance_id: instance.ec2_instance_id.clone(),
                availability_zone: zone.clone(),
            });
            let instances = if task < self.input.detailed_explanations {
                self.verdicts(&verdict, Some(chosen), &best_scores, task)
            } else {
                Vec::new()
            };
            output.explanations.push(TaskExplanation {
                task,
                placed_on: Some(chosen),
                availability_zone: zone,
                failure_reason: None,
                candidates: feasible,
                rejected,
                instances,
                zones: Vec::new(),
                same_as_task: None,
            });

            if indexed {
                cells[cell_of[chosen]].remove(&self.cell_key(chosen));
            }
            self.place(chosen);
            match self.check(chosen) {
                None if indexed => {
                    cells[cell_of[chosen]].insert(self.cell_key(chosen));
                }
                None => {}
                Some(reject) => {
                    verdict[chosen] = Some(reject);
                    stage_counts[reject.stage() as usize] += 1;
                    feasible -= 1;
                }
            }
        }
        Ok(output)
    }

    /// Every instance's verdict for the current task: its rejection, or its scores and rank.
    fn verdicts(
        &self,
        verdict: &[Option<Reject>],
        chosen: Option<usize>,
        best_scores: &Scores,
        task: usize,
    ) -> Vec<InstanceVerdict> {
        let k = self.rules.len();
        let mut ranked: Vec<(Scores, u64, usize)> = Vec::new();
        let mut verdicts: Vec<InstanceVerdict> = verdict
            .iter()
            .enumerate()
            .map(|(i, reject)| {
                if reject.is_none() {
                    ranked.push(self.key(i, task));
                }
                InstanceVerdict {
                    instance: i,
                    rejection: reject.map(|reject| self.rejection(i, reject)),
                    candidate: None,
                }
            })
            .collect();
        ranked.sort_unstable();
        for (rank, (scores, _, i)) in ranked.iter().enumerate() {
            let survived = scores[..k]
                .iter()
                .zip(&best_scores[..k])
                .take_while(|(a, b)| a == b)
                .count();
            verdicts[*i].candidate = Some(CandidateRank {
                scores: scores[..k].to_vec(),
                survived_strategies: survived,
                rank: rank + 1,
                chosen: chosen == Some(*i),
            });
        }
        verdicts
    }

    /// The RunTask failure when no instance can take the task: the closest matching instance
    /// is the one rejected furthest down the pipeline (ties: first in input order).
    fn failure(&self, verdict: &[Option<Reject>]) -> PlacementFailure {
        let closest = verdict
            .iter()
            .enumerate()
            .filter_map(|(i, reject)| reject.map(|reject| (reject, i)))
            .max_by(|(a, i), (b, j)| a.stage().cmp(&b.stage()).then(j.cmp(i)));
        let Some((reject, i)) = closest else {
            return PlacementFailure {
                arn: None,
                reason: reason(Stage::Status).to_owned(),
                detail: "The cluster has no container instances.".to_owned(),
            };
        };
        PlacementFailure {
            arn: Some(self.instances[i].container_instance_arn.clone()),
            reason: reason(reject.stage()).to_owned(),
            detail: format!(
                "No container instance met all of the task's requirements. The closest \
                 matching container instance: {}",
                self.rejection(i, reject).detail
            ),
        }
    }

    fn rejection(&self, i: usize, reject: Reject) -> Rejection {
        let instance = &self.instances[i];
        let id = instance.short_id();
        let mut rejection = Rejection {
            stage: reject.stage(),
            reason: reason(reject.stage()).to_owned(),
            detail: String::new(),
            needed: None,
            available: None,
            constraint: None,
        };
        rejection.detail = match reject {
            Reject::Status => format!(
                "{id} is {}; only ACTIVE instances receive tasks",
                instance.status
            ),
            Reject::Agent => format!("the ECS agent of {id} is disconnected"),
            Reject::Attribute(k) => {
                let required = &self.input.task_definition.requires_attributes[k];
                match &required.value {
                    Some(value) => format!(
                        "{id} is missing required attribute {}={value}",
                        required.name
                    ),
                    None => format!("{id} is missing required attribute {}", required.name),
                }
            }
            Reject::SubnetZone => format!(
                "{id} is in {}, outside the Availability Zones of the task's subnets ({})",
                instance.availability_zone().unwrap_or("an unknown zone"),
                self.input.availability_zones.join(", ")
            ),
            Reject::Cpu { needed, available } => {
                rejection.needed = Some(needed);
                rejection.available = Some(available);
                format!(
                    "{id} has insufficient CPU units available: the task needs {needed}, \
                     {available} remain"
                )
            }
            Reject::Memory { needed, available } => {
                rejection.needed = Some(needed);
                rejection.available = Some(available);
                format!(
                    "{id} has insufficient memory available: the task needs {needed} MiB, \
                     {available} MiB remain"
                )
            }
            Reject::Gpu { needed, available } => {
                rejection.needed = Some(needed);
                rejection.available = Some(available);
                format!(
                    "{id} has insufficient GPUs available: the task needs {needed}, {available} \
                     free"
                )
            }
            Reject::Port(port) | Reject::PortUdp(port) => {
                rejection.needed = Some(i64::from(port));
                let protocol = if matches!(reject, Reject::Port(_)) {
                    "tcp"
                } else {
                    "udp"
                };
                format!("{id} is already using a port required by your task ({port}/{protocol})")
            }
            Reject::PortLimit { reserved } => {
                rejection.available = Some(MAX_RESERVED_PORTS as i64 - reserved);
                format!(
                    "{id} has too many ports registered: {reserved} reserved, at most \
                     {MAX_RESERVED_PORTS}"
                )
            }
            Reject::Eni { limit } => {
                rejection.needed = Some(1);
                rejection.available = Some(0);
                let trunk = if has_trunk_eni(instance) {
                    "with"
                } else {
                    "without"
                };
                format!(
                    "{id} has no free ENI for an awsvpc task: {} allows {limit} tasks {trunk} \
                     trunking",
                    instance.instance_type().unwrap_or("its instance type")
                )
            }
            Reject::MemberOf(index) => {
                rejection.constraint = Some(index);
                format!(
                    "{id} does not satisfy the memberOf expression {}",
                    self.constraint_texts[index]
                )
            }
            Reject::Distinct(tasks) => {
                format!("{id} already runs {tasks} task(s) of group {}", self.group)
            }
        };
        rejection
    }
}

/// Reserves DAEMON tasks' costs first (module docs, §1.3 MODEL).
fn reserve_daemons(
    input: &PlacementInput,
    placement_group: &str,
    static_reject: &[Option<Reject>],
    hosts: &mut [Host],
    warnings: &mut Vec<String>,
) -> Result<(), InputError> {
    let instances = &input.container_instances;
    for (index, daemon) in input.daemons.iter().enumerate() {
        let at = |field: &str| format!("daemons[{index}].{field}");
        let cost =
            task_cost(&daemon.task_definition).map_err(|e| within(&at("taskDefinition"), e))?;
        let constraints = validate_constraints(
            &daemon.placement_constraints,
            &at("placementConstraints"),
            false,
        )?;
        let group = format!("service:{}", daemon.service_name);
        for (i, instance) in instances.iter().enumerate() {
            if static_reject[i].is_some_and(|r| matches!(r, Reject::Status | Reject::Agent)) {
                continue;
            }
            let host = &hosts[i];
            let qualifies = constraints.iter().all(|constraint| match constraint {
                Constraint::MemberOf(expr) => expr.evaluate(&HostFacts {
                    instance,
                    host,
                    group: placement_group,
                }),
                Constraint::DistinctInstance => true,
            });
            if !qualifies || host.other_groups.contains(&group) {
                continue;
            }
            match host.misfit(&cost) {
                None => hosts[i].take(&cost),
                Some(_) => warnings.push(format!(
                    "daemon service {} does not fit on {}; nothing was reserved for it",
                    daemon.service_name,
                    instance.short_id()
                )),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::ecs::{ContainerDefinition, PlacementStrategy};
    use crate::input::from_value;

    /// The plain algorithm the incremental loop must reproduce: check every instance, take
    /// the smallest key, for every task.
    fn rescan_every_task(input: &PlacementInput) -> Vec<Option<usize>> {
        let group = task_group(input.group.as_deref(), &input.task_definition).unwrap();
        let cost = task_cost(&input.task_definition).unwrap();
        let mut engine = Engine::new(input, group, cost).unwrap();
        (0..input.count as usize)
            .map(|task| {
                let best = (0..engine.instances.len())
                    .filter(|&i| engine.check(i).is_none())
                    .map(|i| engine.key(i, task))
                    .min()
                    .map(|(_, _, i)| i);
                if let Some(i) = best {
                    engine.place(i);
                }
                best
            })
            .collect()
    }

    fn arb_input() -> impl Strategy<Value = PlacementInput> {
        let instance = (0usize..3, 0usize..3, 0i64..2048, 0i64..4096, 0i64..3);
        let strategy = prop_oneof![
            Just(("binpack", Some("cpu"))),
            Just(("binpack", Some("memory"))),
            Just(("spread", Some("attribute:ecs.availability-zone"))),
            Just(("spread", Some("attribute:stack"))),
            Just(("spread", Some("instanceId"))),
            Just(("random", None)),
        ];
        let constraint = prop_oneof![
            Just(None),
            Just(Some(("distinctInstance", None))),
            Just(Some(("memberOf", Some("runningTasksCount < 3")))),
            Just(Some((
                "memberOf",
                Some("not(task:group == service:web) or attribute:stack == blue")
            ))),
            Just(Some((
                "memberOf",
                Some("attribute:ecs.availability-zone != a")
            ))),
        ];
        (
            prop::collection::vec(instance, 1..10),
            prop::collection::vec(strategy, 0..4),
            constraint,
            1i64..25,
            any::<u64>(),
        )
            .prop_map(|(instances, strategies, constraint, count, seed)| {
                let mut tasks = Vec::new();
                let container_instances = instances
                    .iter()
                    .enumerate()
                    .map(|(i, &(zone, stack, cpu, memory, existing))| {
                        let arn = format!("arn:aws:ecs:us-east-1:1:container-instance/c/{i}");
                        for n in 0..existing {
                            tasks.push(json!({"taskArn": format!("t-{i}-{n}"), "containerInstanceArn": arn,
                                "group": "service:web", "cpu": "16", "memory": "16"}));
                        }
                        json!({"containerInstanceArn": arn, "ec2InstanceId": format!("i-{i}"),
                            "registeredResources": [
                                {"name": "CPU", "type": "INTEGER", "integerValue": cpu},
                                {"name": "MEMORY", "type": "INTEGER", "integerValue": memory}],
                            "attributes": [
                                {"name": "ecs.availability-zone", "value": (["a", "b", "c"][zone])},
                                {"name": "stack", "value": (["blue", "green", "red"][stack])}]})
                    })
                    .collect::<Vec<_>>();
                let request = json!({
                    "containerInstances": container_instances,
                    "tasks": tasks,
                    "taskDefinition": {"family": "web", "containerDefinitions": [{"name": "app"}]},
                    "count": count, "group": "service:web", "seed": seed,
                    "placementStrategy": strategies.iter().map(|(kind, field)| json!({"type": kind, "field": field})).collect::<Vec<_>>(),
                    "placementConstraints": constraint.iter().map(|(kind, expression)| json!({"type": kind, "expression": expression})).collect::<Vec<_>>(),
                });
                let mut input: PlacementInput = from_value(request).unwrap();
                input.task_definition.container_definitions = vec![ContainerDefinition {
                    name: "app".to_owned(),
                    cpu: Some(128),
                    memory: Some(256),
                    ..ContainerDefinition::default()
                }];
                input
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn incremental_choices_equal_a_full_rescan(input in arb_input()) {
            let output = simulate_placement(&input).unwrap();
            let chosen: Vec<Option<usize>> = output.explanations.iter().map(|e| e.placed_on).collect();
            prop_assert_eq!(chosen, rescan_every_task(&input));
        }
    }

    #[test]
    fn strategies_and_constraints_are_echoed_in_aws_shape() {
        let input: PlacementInput = from_value(json!({
            "taskDefinition": {"family": "web", "containerDefinitions": [{"name": "app", "memory": 64}]},
            "placementStrategy": [{"type": "spread", "field": "host"}, {"type": "binpack", "field": "CPU"}],
            "placementConstraints": [{"type": "memberOf", "expression": "attribute:a exists"}]
        }))
        .unwrap();
        let output = simulate_placement(&input).unwrap();
        assert_eq!(
            output.placement_strategy,
            vec![
                PlacementStrategy {
                    kind: "spread".to_owned(),
                    field: Some("instanceId".to_owned())
                },
                PlacementStrategy {
                    kind: "binpack".to_owned(),
                    field: Some("cpu".to_owned())
                },
            ]
        );
    }
}
