//! Which tasks ECS stops first when a service shrinks (docs/ECS-MODEL.md §4.7, §2.1, §2.6).
//!
//! Rules, one victim at a time, each stop updating the state the next one sees:
//!
//! 1. Tasks of other groups, tasks that do not count (stopped or being stopped) and tasks
//!    listed in `protectedTasks` (scale-in protection) are never chosen.
//! 2. The service's strategies are applied in order, in reverse, each keeping the tied-best
//!    victims (lower score first):
//!    - binpack(f): stop the task on the instance that will have the **most** of f available
//!      after the stop; score = −(remaining f + the task's f). Tasks without an instance
//!      score 0.
//!    - spread(field): stop from the value with the **most** tasks of the group (best balance
//!      afterwards); score = −(tasks of the group sharing the task's value). For
//!      `attribute:ecs.availability-zone`, a task without an instance uses its own
//!      `availabilityZone`; a missing value is its own bucket.
//!    - random: a fresh seeded draw per stop.
//! 3. No strategy: spread(`attribute:ecs.availability-zone`) then spread(`instanceId`): the AZ
//!    with the most tasks of the service, then the instance with the most.
//! 4. Remaining ties: a seeded random order of tasks ("random within the AZ", §2.6).
//!
//! UNCONFIRMED (§4.7): whether PENDING or unhealthy tasks go first. MODEL: no
//! preference; status does not matter beyond rule 1.
//!
//! Remaining resources are read as in placement (`remainingResources` authoritative, else
//! registered minus task costs; see the [`super`] module docs).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::engine::{KnownDefinitions, build_hosts, counts_in_group};
use super::rules::{
    PackedResource, Rule, SpreadField, draw, random_score, rule_to_strategy, validate_strategies,
};
use super::{MAX_COUNT, TaskCost};
use crate::ecs::{ContainerInstance, PlacementStrategy, Task, TaskDefinition, attribute};
use crate::input::InputError;

/// Draw stream of the task tie-break order.
const TIEBREAK_STREAM: u64 = u64::MAX - 2;

/// A service's tasks and how many of them to stop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleInInput {
    /// The cluster's instances, as `DescribeContainerInstances` returns them.
    #[serde(default)]
    pub container_instances: Vec<ContainerInstance>,
    /// The cluster's tasks, as `DescribeTasks` returns them.
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// Definitions of the tasks, for their cost when `remainingResources` are absent.
    #[serde(default)]
    pub task_definitions: Vec<TaskDefinition>,
    /// The service's task group, `service:NAME`.
    pub group: String,
    /// The service's strategies, in order.
    #[serde(default)]
    pub placement_strategy: Vec<PlacementStrategy>,
    /// How many tasks to stop (0–10,000).
    pub count: i64,
    /// ARNs of tasks with scale-in protection.
    #[serde(default)]
    pub protected_tasks: Vec<String>,
    /// Seed of every random choice.
    #[serde(default)]
    pub seed: u64,
}

/// The tasks to stop, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleInOutput {
    /// Victims, first stopped first.
    pub tasks: Vec<StoppedTask>,
    /// The strategies applied (the default when the input had none).
    pub placement_strategy: Vec<PlacementStrategy>,
    /// Things the user should know (fewer stoppable tasks than asked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One task chosen to stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoppedTask {
    /// The task.
    pub task_arn: String,
    /// Its instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_instance_arn: Option<String>,
    /// Its Availability Zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    /// Its score under each strategy when it was chosen (lower stops first).
    pub scores: Vec<i64>,
}

struct Victim<'a> {
    task: &'a Task,
    instance: Option<usize>,
    zone: Option<String>,
    cost: TaskCost,
    /// Bucket per rule (spread rules only).
    buckets: Vec<usize>,
    tiebreak: u64,
}

/// Chooses which tasks of `input.group` to stop.
pub fn scale_in(input: &ScaleInInput) -> Result<ScaleInOutput, InputError> {
    if !(0..=MAX_COUNT).contains(&input.count) {
        return Err(InputError::new(
            "count",
            format!("must be between 0 and {MAX_COUNT}, got {}", input.count),
        ));
    }
    if input.group.is_empty() {
        return Err(InputError::new("group", "must name the service's group"));
    }
    let mut rules = validate_strategies(&input.placement_strategy, "placementStrategy")?;
    if rules.is_empty() {
        rules = vec![
            Rule::Spread(SpreadField::Attribute(
                attribute::AVAILABILITY_ZONE.to_owned(),
            )),
            Rule::Spread(SpreadField::Instance),
        ];
    }
    let known = KnownDefinitions::new(&input.task_definitions)?;
    let instances = &input.container_instances;
    let mut hosts = build_hosts(instances, &input.tasks, &known, &input.group)?;
    let index: HashMap<&str, usize> = instances
        .iter()
        .enumerate()
        .map(|(i, instance)| (instance.container_instance_arn.as_str(), i))
        .collect();

    // Every counted task of the group takes part in the balance; unprotected ones may stop.
    let mut members = Vec::new();
    for (task_index, task) in input.tasks.iter().enumerate() {
        if !counts_in_group(task) || task.group.as_deref() != Some(input.group.as_str()) {
            continue;
        }
        let instance = task
            .container_instance_arn
            .as_deref()
            .and_then(|arn| index.get(arn).copied());
        let zone = instance
            .and_then(|i| instances[i].availability_zone())
            .or(task.availability_zone.as_deref())
            .map(str::to_owned);
        members.push(Victim {
            task,
            instance,
            zone,
            cost: known.cost_of(task, task_index)?,
            buckets: Vec::new(),
            tiebreak: draw(input.seed, TIEBREAK_STREAM, task_index as u64),
        });
    }
    let mut counts: Vec<Vec<i64>> = Vec::with_capacity(rules.len());
    for rule in &rules {
        let mut ids: HashMap<Option<String>, usize> = HashMap::new();
        for member in &mut members {
            let value = match rule {
                Rule::Spread(SpreadField::Instance) => member.task.container_instance_arn.clone(),
                Rule::Spread(SpreadField::Attribute(name)) => match member.instance {
                    Some(i) => instances[i].attribute(name).map(str::to_owned),
                    None if name == attribute::AVAILABILITY_ZONE => member.zone.clone(),
                    None => None,
                },
                _ => None,
            };
            let next = ids.len();
            member.buckets.push(*ids.entry(value).or_insert(next));
        }
        let mut per_bucket = vec![0i64; ids.len()];
        for member in &members {
            per_bucket[*member.buckets.last().unwrap_or(&0)] += 1;
        }
        counts.push(per_bucket);
    }
    let protected: Vec<&str> = input.protected_tasks.iter().map(String::as_str).collect();
    let mut stoppable: Vec<usize> = (0..members.len())
        .filter(|&m| !protected.contains(&members[m].task.task_arn.as_str()))
        .collect();

    let wanted = input.count as usize;
    let mut warnings = Vec::new();
    if wanted > stoppable.len() {
        warnings.push(format!(
            "only {} task(s) of {} can be stopped, {wanted} asked",
            stoppable.len(),
            input.group
        ));
    }
    let mut stopped = Vec::new();
    for round in 0..wanted.min(stoppable.len()) {
        let score = |m: usize, rule: usize| -> i64 {
            let member = &members[m];
            match &rules[rule] {
                Rule::Binpack(resource) => member.instance.map_or(0, |i| {
                    let host = &hosts[i];
                    match resource {
                        PackedResource::Cpu => {
                            host.cpu.saturating_add(member.cost.cpu).saturating_neg()
                        }
                        PackedResource::Memory => host
                            .memory
                            .saturating_add(member.cost.memory)
                            .saturating_neg(),
                    }
                }),
                Rule::Spread(_) => -counts[rule][member.buckets[rule]],
                Rule::Random => random_score(input.seed, round as u64, m as u64),
            }
        };
        let scores_of = |m: usize| -> Vec<i64> { (0..rules.len()).map(|r| score(m, r)).collect() };
        let (position, scores) = stoppable
            .iter()
            .enumerate()
            .map(|(position, &m)| (position, scores_of(m)))
            .min_by(|(a, sa), (b, sb)| {
                let (ma, mb) = (stoppable[*a], stoppable[*b]);
                sa.cmp(sb)
                    .then((members[ma].tiebreak, ma).cmp(&(members[mb].tiebreak, mb)))
            })
            .unwrap_or((0, Vec::new()));
        let m = stoppable.swap_remove(position);
        let member = &members[m];
        if let Some(i) = member.instance {
            hosts[i].cpu = hosts[i].cpu.saturating_add(member.cost.cpu);
            hosts[i].memory = hosts[i].memory.saturating_add(member.cost.memory);
        }
        for (rule, per_bucket) in counts.iter_mut().enumerate() {
            if matches!(rules[rule], Rule::Spread(_)) {
                per_bucket[member.buckets[rule]] -= 1;
            }
        }
        stopped.push(StoppedTask {
            task_arn: member.task.task_arn.clone(),
            container_instance_arn: member.task.container_instance_arn.clone(),
            availability_zone: member.zone.clone(),
            scores,
        });
    }
    Ok(ScaleInOutput {
        tasks: stopped,
        placement_strategy: rules.iter().map(rule_to_strategy).collect(),
        warnings,
    })
}
